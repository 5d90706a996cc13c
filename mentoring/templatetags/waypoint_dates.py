"""The ``when`` filter (a builtin, see settings.TEMPLATES): a date that shows
its year when it is more than a year away (mentoring.dates.show_year_if_far)."""

from django import template

from mentoring.dates import show_year_if_far, times_for_both

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def when(value, fmt="M j"):
    return show_year_if_far(value, fmt)


@register.simple_tag(takes_context=True)
def both_times(context, value, other, label):
    """The time of ``value`` for the viewer, and for ``other`` (a user) when
    their zones differ: "9:30 a.m. your time · 12:30 p.m. your mentor's time".
    Same zone, or no other person: just the viewer's time. ``label`` names the
    other person ("your mentor")."""
    return times_for_both(value, viewer=context.get("user"), other=other, label=label)
