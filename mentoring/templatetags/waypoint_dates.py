"""Builtin template filters (see settings.TEMPLATES "builtins"):

- ``when``: a date that shows its year when it is more than a year away
  (mentoring.dates.show_year_if_far);
- ``date``: Django's ``date`` filter, locale-aware: a format written in English
  order ("M j, Y") is shown in the active language's order ("30 nov 2026" in
  Spanish; mentoring.dates.localized_format). Registered here, a builtin loaded
  after Django's, so it replaces Django's filter in every template."""

from django import template

from mentoring.dates import localized_date, show_year_if_far, times_for_both

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def when(value, fmt="M j"):
    return show_year_if_far(value, fmt)


@register.filter(name="date", expects_localtime=True, is_safe=False)
def date(value, arg=None):
    return localized_date(value, arg)


@register.simple_tag(takes_context=True)
def both_times(context, value, other, label):
    """The time of ``value`` for the viewer, and for ``other`` (a user) when
    their zones differ: "9:30 a.m. your time · 12:30 p.m. your mentor's time".
    Same zone, or no other person: just the viewer's time. ``label`` names the
    other person ("your mentor")."""
    return times_for_both(value, viewer=context.get("user"), other=other, label=label)


@register.filter
def whole_minutes(seconds):
    """Whole minutes in ``seconds`` (a number of seconds, e.g. a figure's age), rounded down."""
    return int(seconds or 0) // 60
