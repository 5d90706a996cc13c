"""The ``when`` filter (a builtin, see settings.TEMPLATES): a date that shows
its year when it is more than a year away (mentoring.dates.show_year_if_far)."""

from django import template

from mentoring.dates import show_year_if_far

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def when(value, fmt="M j"):
    return show_year_if_far(value, fmt)
