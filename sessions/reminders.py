"""What is due in the sessions app: meetings coming up (24 h and 1 h before,
for both people and group registrants) and meetings not logged.

A meeting that moved (an accepted new time, ``Session.moved_at``): its
reminders follow the new start (their due time, part of the outbox key, is
computed from it; rows not yet sent for the old time were skipped by
``sessions.services.session_time_accept``), and a reminder whose moment had
already passed when the meeting moved is not sent: the move's own message
stands in for it, so nobody gets "coming up" twice for one meeting."""

from datetime import timedelta

from django.db.models import Q

from mentoring.models import Match, ReminderKind
from mentoring.notifications.outbox import Due, recipients_by_id

from .models import GroupSession, Registration, Session

# Nearest first: within the last hour the 1-hour reminder is the one to send.
AHEAD = [("1h", timedelta(hours=1)), ("24h", timedelta(hours=24))]
WINDOW = timedelta(hours=24)
LOG_AFTER = timedelta(hours=1)
MAX_LATENESS = timedelta(days=7)
SESSION_LABELS = (*(label for label, _ in AHEAD), "log")


def session_reminder_subjects(session_ids):
    """The outbox subjects of these meetings' reminders ("session:<id>:1h", ":24h", ":log")."""
    return [f"session:{pk}:{label}" for pk in session_ids for label in SESSION_LABELS]


def due(now, since=None):
    """What is due at ``now``; ``since`` (UTC) narrows the one-on-one
    meetings to those whose reminder fell due since, or that were booked or
    moved since (groups look at one day ahead)."""
    yield from _upcoming_sessions(now, since)
    yield from _upcoming_groups(now)
    yield from _not_logged(now, since)


# What a meeting's reminders read: plain values (thousands of meetings a
# minute at 100,000 mentees; the people are loaded only for the ones due).
SESSION_FACTS = ("pk", "starts_at", "duration_minutes", "created_at", "moved_at", "match__program_id")


def _upcoming_sessions(now, since=None):
    # Only meetings of a current match: an ended match releases its meetings
    # (mentoring/endings.py), and this keeps a missed one from being reminded.
    sessions = Session.objects.filter(
        status=Session.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + WINDOW, match__status__in=Match.CURRENT
    )
    if since is not None:  # one of its reminders fell due in (since, now], or it was booked or moved since
        found = Q(created_at__gt=since) | Q(moved_at__gt=since)
        for _, ahead in AHEAD:
            found |= Q(starts_at__gt=since + ahead, starts_at__lte=now + ahead)
        sessions = sessions.filter(found)
    rows = list(sessions.values_list(*SESSION_FACTS, "match__mentor__user_id", "match__mentee__user_id"))
    people = recipients_by_id(user for row in rows for user in row[-2:])
    for pk, starts_at, _, created_at, moved_at, program_id, mentor_id, mentee_id in rows:
        for label, ahead in AHEAD:
            due_at = starts_at - ahead
            if due_at <= now:
                if moved_at is not None and due_at <= moved_at:
                    break  # its moment passed before the meeting moved: the move was told instead
                for person in (people[mentor_id], people[mentee_id]):
                    yield Due(
                        ReminderKind.SESSION_UPCOMING,
                        f"session:{pk}:{label}",
                        person,
                        due_at,
                        f"/sessions/{pk}/",
                        program_id,
                        max(created_at, moved_at or created_at),
                    )
                break  # the nearest reminder only


def _upcoming_groups(now):
    groups = GroupSession.objects.filter(
        status=GroupSession.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + WINDOW
    ).prefetch_related("facilitators")
    seats = Registration.objects.filter(group_session__in=groups, status=Registration.Status.REGISTERED).select_related(
        "user"
    )
    people = {}
    for seat in seats:
        people.setdefault(seat.group_session_id, []).append(seat.user)
    for group in groups:
        for label, ahead in AHEAD:
            due_at = group.starts_at - ahead
            if due_at <= now:
                for person in {*people.get(group.pk, []), *group.facilitators.all()}:
                    yield Due(
                        ReminderKind.SESSION_UPCOMING,
                        f"group:{group.pk}:{label}",
                        person,
                        due_at,
                        f"/groups/{group.pk}/",
                        group.program_id,
                    )
                break


def _not_logged(now, since=None):
    """A meeting still "scheduled" an hour after it ended: its mentor is asked
    to log it (for a week). With ``since``, only those whose hour passed since
    (collect_due keeps no other: this reminder has no "changed" time)."""
    sessions = Session.objects.filter(
        status=Session.Status.SCHEDULED,
        starts_at__lt=now,
        starts_at__gte=now - MAX_LATENESS,
        match__status__in=Match.CURRENT,
    )
    due = []
    for pk, starts_at, duration, *_, program_id, mentor_id in sessions.values_list(
        *SESSION_FACTS, "match__mentor__user_id"
    ):
        due_at = starts_at + timedelta(minutes=duration) + LOG_AFTER
        if due_at <= now and (since is None or due_at > since):
            due.append((pk, due_at, program_id, mentor_id))
    people = recipients_by_id(mentor_id for *_, mentor_id in due)
    for pk, due_at, program_id, mentor_id in due:
        yield Due(
            ReminderKind.SESSION_NOT_LOGGED,
            f"session:{pk}:log",
            people[mentor_id],
            due_at,
            f"/sessions/{pk}/log/",
            program_id,
        )
