"""Charts readable on a phone (issue 19): the legend and the axis are HTML under
the drawing (body size, wrapping), not SVG text that shrinks with the drawing to
7–8 px on a 390 px screen; every colour of a legend has its CSS swatch class."""

import re
from datetime import datetime, timedelta
from pathlib import Path

from goals.charts import BAR_COLORS, Series, bar_chart, line_chart
from goals.views import GOAL_COLORS

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "waypoint.css").read_text()
START = datetime(2026, 3, 2, 12, 0)


def _svg_and_rest(html):
    end = html.index("</svg>") + len("</svg>")
    return html[:end], html[end:]


def test_a_line_charts_legend_and_dates_are_html_under_the_drawing():
    points = [(START + timedelta(days=d), v) for d, v in [(0, 2), (10, 4), (20, 3)]]
    html = line_chart(
        "Mood", [Series("Mood (1–5)", points, 1, 5, "#0b5d6b"), Series("Cravings (0–10)", points, 0, 10, "#a4161a")]
    )
    svg, under = _svg_and_rest(html)
    assert "<text" not in svg  # nothing to shrink inside the drawing
    assert "font-size" not in svg
    assert re.search(r'<ul class="chart-legend">.*Mood \(1–5\).*Cravings \(0–10\).*</ul>', under)
    assert '<p class="chart-axis">Mar 02 – Mar 22</p>' in under
    assert 'class="chart-swatch chart-swatch-0b5d6b"' in under


def test_a_bar_charts_legend_and_range_are_html_and_its_labels_hide_on_a_phone():
    html = bar_chart("Meetings", ["Jan", "Feb", "Mar"], [("Meetings", [1, 5, 3]), ("Hours", [2, 4, 1])])
    svg, under = _svg_and_rest(html)
    assert "font-size" not in svg
    assert svg.count('class="chart-label"') == 3  # hidden below 576 px by the stylesheet
    assert "@media (max-width: 575.98px) { .chart .chart-label { display: none; } }" in CSS
    assert "Meetings</li>" in under and "Hours</li>" in under
    assert '<p class="chart-axis">Jan – Mar · 0 – 5</p>' in under


def test_every_chart_colour_has_a_swatch_class():
    for color in {*BAR_COLORS, *GOAL_COLORS, "#0b5d6b", "#a4161a", "#5c4d7d"}:
        assert f".chart-swatch-{color.lstrip('#').lower()} {{ background: {color.lower()}; }}" in CSS, color
