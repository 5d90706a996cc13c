"""Form widgets that render without Django's per-option templates.

Django renders a <select> through one template per option (select.html, then
select_option.html and attrs.html for each), after building a dictionary of
attributes per option: 46 options of a directory filter cost 2–3 ms of a
page's time (issue 18). ``QuickSelect`` writes the same HTML in Python from
the choices: the same attributes in the same order, options and optgroups,
values and labels escaped, ``selected`` on the first option whose value is the
field's (a single select). Tests hold its HTML equal to ``forms.Select``'s,
whitespace between tags aside."""

from django import forms
from django.utils.html import format_html, format_html_join


def _attrs(attrs):
    """As django/forms/widgets/attrs.html: in order; False left out, True bare."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class QuickSelect(forms.Select):
    """forms.Select (one value), rendered in Python."""

    def render(self, name, value, attrs=None, renderer=None):
        wanted = set(self.format_value(value))
        chosen = False

        def options(choices):
            nonlocal chosen
            rows = []
            for option_value, label in choices:
                option_value = "" if option_value is None else str(option_value)
                selected = not chosen and option_value in wanted
                chosen = chosen or selected
                rows.append((option_value, " selected" if selected else "", label))
            return format_html_join("", '<option value="{}"{}>{}</option>', rows)

        groups = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                group = "" if option_value is None else option_value
                groups.append((format_html('<optgroup label="{}">{}</optgroup>', group, options(label)),))
            else:
                groups.append((options([(option_value, label)]),))
        built = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, _attrs(built), format_html_join("", "{}", groups))
