"""Figures about sessions, aggregated in the database."""

import functools
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Expression,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from goals.models import CheckIn, SafetyAlert
from mentoring.models import Match

from .models import Registration, Session, Skill


def hours_per_mentor_per_month(program, *, since):
    """[{mentor, month, hours, sessions}] of completed one-on-ones, months in the program's zone."""
    rows = (
        Session.objects.filter(match__program=program, status=Session.Status.COMPLETED, starts_at__gte=since)
        .annotate(month=TruncMonth("starts_at", tzinfo=ZoneInfo(program.time_zone)))
        .values("match__mentor", "match__mentor__user__full_name", "month")
        .annotate(minutes=Sum("duration_minutes"), sessions=Count("pk"))
        .order_by("match__mentor__user__full_name", "month")
    )
    return [
        {
            "mentor_id": row["match__mentor"],
            "mentor": row["match__mentor__user__full_name"],
            "month": row["month"],
            "hours": round(row["minutes"] / 60, 1),
            "sessions": row["sessions"],
        }
        for row in rows
    ]


def with_session_counts(matches):
    return matches.annotate(
        sessions_completed=Count("sessions", filter=Q(sessions__status=Session.Status.COMPLETED)),
        sessions_missed=Count("sessions", filter=Q(sessions__status=Session.Status.MISSED)),
    )


def _toolkit(**match_filter):
    # The person's matches, then their sessions, as subqueries: the database starts
    # from them rather than from every session a skill was logged in (0.3 s at
    # 100,000 sessions on SQLite).
    # The status belongs inside the subquery: outside it, SQLite started from
    # every completed session through the status index (0.15 s at 10,000 mentees).
    matches = Match.objects.filter(**match_filter).values("pk")
    theirs = Session.objects.filter(match__in=matches, status=Session.Status.COMPLETED).values("pk")
    completed = Skill.objects.filter(sessions__in=theirs)
    return completed.annotate(times=Count("sessions")).order_by("-times", "name")


def toolkit(mentee_profile):
    """Skills practised in the mentee's completed sessions, most practised first."""
    return _toolkit(mentee=mentee_profile)


def toolkit_of_user(user, *, match_ids=None):
    """The same across every program the person is a mentee in. ``match_ids``:
    the ids of every match (any status) in which ``user`` is the mentee, when
    the caller has read them already (the mentee home, issue 18): the same
    rows without building the matches' subquery; none, no query."""
    if match_ids is None:
        return _toolkit(mentee__user=user)
    if not match_ids:
        return Skill.objects.none()
    theirs = Session.objects.filter(match__in=list(match_ids), status=Session.Status.COMPLETED).values("pk")
    return Skill.objects.filter(sessions__in=theirs).annotate(times=Count("sessions")).order_by("-times", "name")


def attendance_history(user):
    """The user's group registrations that have an attendance mark, newest first."""
    return (
        Registration.objects.filter(user=user, status=Registration.Status.REGISTERED)
        .exclude(attendance="")
        .select_related("group_session")
        .order_by("-group_session__starts_at")
    )


def meeting_counts(user):
    """One-on-one meetings of a mentee by outcome: {"completed": n, "missed": n, "cancelled": n}."""
    counts = dict(
        Session.objects.filter(match__mentee__user=user)
        .exclude(status=Session.Status.SCHEDULED)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in ("completed", "missed", "cancelled")}


def with_contact_figures(matches):
    """Annotate matches for a mentor's caseload: last meeting held, next one
    scheduled, the mentee's last check-in and open safety alerts (subqueries,
    so a page of matches is one query). The mentee's own figures (check-in,
    alerts) only on a current match: None and False on a proposal or a closed
    one, as the access policy rules (mentoring/access.py).

    The expressions are built once per process (``_contact_figures``):
    building the four subqueries' filters took longer than running them
    (issue 18). "Now" for the next meeting is read when each query's SQL is
    written (``TimeOfQuery``), so every request compares with its own time."""
    aliases, figures = _contact_figures()
    return matches.alias(**aliases).annotate(**figures)


class TimeOfQuery(Expression):
    """``timezone.now()`` at the moment the query's SQL is written, as a parameter."""

    output_field = DateTimeField()

    def as_sql(self, compiler, connection):
        return "%s", [connection.ops.adapt_datetimefield_value(timezone.now())]


@functools.lru_cache(maxsize=1)
def _contact_figures():
    """({alias: expression}, {annotation: expression}) for with_contact_figures."""
    meetings = Session.objects.filter(match=OuterRef("pk"))
    held = meetings.filter(status=Session.Status.COMPLETED).order_by("-starts_at")
    upcoming = meetings.filter(status=Session.Status.SCHEDULED, starts_at__gte=TimeOfQuery()).order_by("starts_at")
    checkins = CheckIn.objects.filter(mentee=OuterRef("mentee")).order_by("-created_at")
    alerts = SafetyAlert.objects.filter(mentee=OuterRef("mentee"), acknowledged_at__isnull=True)
    current = Q(status__in=Match.CURRENT)
    # The open alert's id, not EXISTS: PostgreSQL hashed an EXISTS over every
    # open alert of the site (a sequential scan growing with the programs); a
    # scalar subquery is probed per match through the one-open-alert-per-mentee
    # index (issue 18).
    aliases = {"open_alert": Subquery(alerts.values("pk")[:1])}
    figures = {
        "last_contact": Subquery(held.values("starts_at")[:1]),
        "next_meeting": Subquery(upcoming.values("starts_at")[:1]),
        "last_checkin": Case(When(current, then=Subquery(checkins.values("created_at")[:1])), default=None),
        "has_open_alert": Case(
            When(current, open_alert__isnull=False, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    }
    return aliases, figures
