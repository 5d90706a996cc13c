"""``{{ value|stored }}``: a text Waypoint wrote into the database (erasure's
"Erased goal", a close note, a cancel reason) in the reader's language; any
other text as it is (mentoring.stored_text)."""

from django import template

from mentoring.stored_text import shown

register = template.Library()


@register.filter
def stored(value):
    return shown(value)
