"""Incremental dispatch (issue 14): each run writes only what became due
since the last one, yet over time it writes exactly the rows that scanning
everything at every tick would have found."""

from datetime import date, timedelta

import pytest

from mentoring.models import Delivery, Match, ReminderKind
from mentoring.notifications.outbox import collect_due, dispatch, outbox_rows
from tests.factories import (
    BackgroundCheckFactory,
    GoalFactory,
    GroupSessionFactory,
    MatchFactory,
    MenteeProfileFactory,
    RegistrationFactory,
    SafetyAlertFactory,
    SessionFactory,
    ShareFactory,
    UserFactory,
)

from .helpers import utc

pytestmark = pytest.mark.django_db

START = utc(2027, 3, 1, 4, 0)  # Sunday night in New York, before the week's first reminders
TICK = timedelta(minutes=20)
DAYS = 4


def key(row):
    return (row.kind, row.subject, row.recipient_id, row.channel, row.due_at)


def scenario(personas):
    """A bit of everything the apps remind about, around START."""
    mentee = personas.match.mentee
    GoalFactory(mentee=mentee, cadence="weekly", started_on=date(2027, 3, 1), created_at=START - timedelta(days=3))
    GoalFactory(mentee=personas.other_match.mentee, cadence="daily", started_on=date(2027, 2, 20))
    Match.objects.filter(pk=personas.match.pk).update(started_at=START - timedelta(days=13), first_met_at=None)
    SafetyAlertFactory(mentee=mentee, created_at=START + timedelta(hours=5))
    SessionFactory(match=personas.match, starts_at=START + timedelta(days=1, hours=3))
    SessionFactory(match=personas.other_match, starts_at=START + timedelta(hours=10))
    group = GroupSessionFactory(
        program=personas.program, starts_at=START + timedelta(days=2), facilitators=[personas.mentor]
    )
    RegistrationFactory(group_session=group, user=personas.mentee)
    MatchFactory(
        program=personas.program,
        mentor=personas.other_match.mentor,
        mentee=MenteeProfileFactory(program=personas.program),
        status=Match.Status.PROPOSED,
        created_at=START - timedelta(days=2),
    )
    ShareFactory(mentee=mentee, is_referral=True, created_at=START - timedelta(days=6))
    BackgroundCheckFactory(mentor=personas.match.mentor, expires_on=date(2027, 3, 31))
    UserFactory(time_zone="Asia/Tokyo")  # another zone whose 9:00 passes at another moment


def test_incremental_dispatch_writes_what_full_scans_at_every_tick_find(personas):
    scenario(personas)
    found, tick, late = set(), START, None
    while tick <= START + timedelta(days=DAYS):
        if late is None and tick >= START + timedelta(days=1, hours=7):
            # Booked now for half an hour from now: its reminder is due at once,
            # although its due time lies before the last dispatch.
            late = SessionFactory(match=personas.match, starts_at=tick + timedelta(minutes=30), created_at=tick)
            GoalFactory(mentee=personas.match.mentee, cadence="daily", started_on=tick.date(), created_at=tick)
        found |= {key(row) for row in outbox_rows(list(collect_due(tick)), tick)}
        dispatch(tick, enqueue=False)
        tick += TICK
    written = {key(row) for row in Delivery.objects.all()}
    assert written == found
    kinds = {row[0] for row in written}
    assert {
        ReminderKind.CHECKIN_DUE,
        ReminderKind.CHECKIN_OVERDUE,
        ReminderKind.SAFETY_ALERT,
        ReminderKind.SESSION_UPCOMING,
        ReminderKind.SESSION_NOT_LOGGED,
        ReminderKind.MATCH_INACTIVE,
        ReminderKind.PROPOSAL_UNANSWERED,
        ReminderKind.FIRST_CONTACT,
        ReminderKind.REFERRAL_FOLLOWUP,
        ReminderKind.READINESS_EXPIRING,
        ReminderKind.WEEKLY_DIGEST,
    } <= kinds, kinds
    assert any(row[1] == f"session:{late.pk}:1h" for row in written)


def test_a_run_for_a_moment_already_dispatched_writes_nothing(personas):
    scenario(personas)
    dispatch(START + timedelta(days=1), enqueue=False)
    before = Delivery.objects.count()
    assert before
    dispatch(START + timedelta(days=1), enqueue=False)
    dispatch(START + timedelta(hours=12), enqueue=False)
    assert Delivery.objects.count() == before
