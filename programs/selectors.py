"""Queries about applications used by more than one page."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from .models import Application


def _same_person(program_ref, email_ref, exclude_ref):
    """Other applications to the program with the same email, ignoring case,
    not merged away."""
    return (
        Application.objects.annotate(email_key=Lower("email"))
        .filter(program=program_ref, email_key=Lower(email_ref), merged_into__isnull=True)
        .exclude(pk=exclude_ref)
    )


def with_repeat_count(applications):
    """Annotate ``repeat_count``: how many other applications (not merged
    away) the same email (any case) sent to the same program."""
    others = (
        _same_person(OuterRef("program"), OuterRef("email"), OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return applications.annotate(repeat_count=Coalesce(Subquery(others, output_field=IntegerField()), Value(0)))


def repeats_of(application):
    """The other applications of the same email to the same program, oldest first."""
    return _same_person(application.program_id, Value(application.email), application.pk).order_by("submitted_at")
