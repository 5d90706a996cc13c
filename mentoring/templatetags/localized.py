"""``{{ obj|localized:"field" }}``: program-defined text in the reader's language
with fallback to English (mentoring.localized)."""

from django import template

from mentoring.localized import localized as localized_text

register = template.Library()


@register.filter
def localized(obj, field):
    return localized_text(obj, field)
