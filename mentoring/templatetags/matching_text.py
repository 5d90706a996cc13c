"""Texts of matching shown in the reader's language.

``{{ reason|pool_reason }}``: a reason stored by a whole-pool solve (English,
mentoring.matching.pool) in the active language."""

from django import template

from ..matching.pool import reason_text

register = template.Library()


@register.filter
def pool_reason(stored):
    return reason_text(str(stored))
