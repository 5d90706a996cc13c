"""Small line charts as server-rendered SVG (no JavaScript, no CDN).

Each chart comes with a text summary for screen readers; the page shows the
same numbers in a table too.

Readable on a phone (issue 19): the legend and the axis (first and last point
in time or label, and the value range) are HTML under the drawing, at body
size, wrapping as needed; only the bar labels stay inside the SVG, where
they are hidden below 576 px (static/css/waypoint.css, "Charts") since they
would shrink with the drawing. Colours of the swatches are CSS classes
(``chart-swatch-<hex>``): the Content-Security-Policy allows no style attributes."""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, PAD = 640, 200, 32


@dataclass
class Series:
    label: str
    points: list  # [(datetime, value)]
    low: float
    high: float
    color: str


def _swatch(color):
    return "chart-swatch-" + color.lstrip("#").lower()


def _legend_and_axis(items, axis):
    """HTML under the drawing: [(colour, label)] as a legend, ``axis`` as one line."""
    legend = "".join(
        format_html('<li><span class="chart-swatch {}" aria-hidden="true"></span>{}</li>', _swatch(color), label)
        for color, label in items
    )
    return format_html('<ul class="chart-legend">{}</ul><p class="chart-axis">{}</p>', mark_safe(legend), axis)  # noqa: S308


def line_chart(title, series_list):
    """An accessible SVG with one polyline per series on a shared time axis."""
    times = [t for s in series_list for t, v in s.points if v is not None]
    if len(times) < 2:
        return ""
    start, end = min(times), max(times)
    span = (end - start).total_seconds() or 1
    lines = []
    for series in series_list:
        scale = (series.high - series.low) or 1
        coords = [
            (
                PAD + (WIDTH - 2 * PAD) * (t - start).total_seconds() / span,
                HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - series.low) / scale,
            )
            for t, v in series.points
            if v is not None
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        lines.append(
            format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"><title>{}</title></polyline>',
                series.color,
                path,
                series.label,
            )
        )
    axis = format_html(
        '<line x1="{p}" y1="{t}" x2="{p}" y2="{b}" stroke="#6c757d"/>'
        '<line x1="{p}" y1="{b}" x2="{r}" y2="{b}" stroke="#6c757d"/>',
        p=PAD,
        t=PAD,
        b=HEIGHT - PAD,
        r=WIDTH - PAD,
    )
    # Month names in the active language.
    under = _legend_and_axis(
        [(s.color, s.label) for s in series_list],
        format_html("{} – {}", date_format(start, "M d"), date_format(end, "M d")),
    )
    return mark_safe(  # noqa: S308  (every part above is escaped by format_html)
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" class="w-100 chart">'
        f"<title>{escape(title)}</title>{axis}{''.join(lines)}</svg>{under}"
    )


BAR_COLORS = ["#0b5d6b", "#c05621", "#6b46c1", "#2f855a"]


def bar_chart(title, labels, series):
    """Grouped bars: one group per label, one bar per (name, values) series.

    Bars start at zero; each bar carries its exact value in a <title> so a
    pointer shows it, and the page shows the same numbers in a table."""
    values = [v or 0 for _, vals in series for v in vals]
    if not labels or not any(values):
        return ""  # nothing to draw: the page shows its empty state or the table
    top = max(values) or 1
    group = (WIDTH - 2 * PAD) / len(labels)
    bar = group * 0.8 / len(series)
    parts = []
    for g, label in enumerate(labels):
        x0 = PAD + g * group + group * 0.1
        for s, (name, vals) in enumerate(series):
            value = vals[g] or 0
            height = (HEIGHT - 2 * PAD) * value / top
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} {}</title></rect>',
                    f"{x0 + s * bar:.1f}",
                    f"{HEIGHT - PAD - height:.1f}",
                    f"{max(bar - 2, 1):.1f}",
                    f"{height:.1f}",
                    BAR_COLORS[s % len(BAR_COLORS)],
                    label,
                    value,
                    name,
                )
            )
        if len(labels) <= 14 or g % (len(labels) // 12 + 1) == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="chart-label" fill="#495057" text-anchor="middle">{}</text>',
                    f"{x0 + group * 0.4:.1f}",
                    HEIGHT - 12,
                    str(label)[:14],
                )
            )
    scale = format_html(
        '<line x1="{p}" y1="{b}" x2="{r}" y2="{b}" stroke="#6c757d"/>', p=PAD - 4, b=HEIGHT - PAD, r=WIDTH - PAD
    )
    under = _legend_and_axis(
        [(BAR_COLORS[i % len(BAR_COLORS)], name) for i, (name, _) in enumerate(series)],
        format_html("{} – {} · 0 – {}", labels[0], labels[-1], f"{top:g}"),
    )
    return mark_safe(  # noqa: S308  (every part above is escaped by format_html)
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" class="w-100 chart">'
        f"<title>{escape(title)}</title>{scale}{''.join(parts)}</svg>{under}"
    )
