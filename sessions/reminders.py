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
from mentoring.notifications.outbox import Due

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
    meetings to those whose reminder fell due since (groups and "not logged"
    look at one day ahead and a week back)."""
    yield from _upcoming_sessions(now, since)
    yield from _upcoming_groups(now)
    yield from _not_logged(now)


def _upcoming_sessions(now, since=None):
    # Only meetings of a current match: an ended match releases its meetings
    # (mentoring/endings.py), and this keeps a missed one from being reminded.
    sessions = Session.objects.filter(
        status=Session.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + WINDOW, match__status__in=Match.CURRENT
    ).select_related("match__mentor__user", "match__mentee__user")
    if since is not None:  # one of its reminders fell due in (since, now], or it was booked or moved since
        found = Q(created_at__gt=since) | Q(moved_at__gt=since)
        for _, ahead in AHEAD:
            found |= Q(starts_at__gt=since + ahead, starts_at__lte=now + ahead)
        sessions = sessions.filter(found)
    for session in sessions:
        for label, ahead in AHEAD:
            due_at = session.starts_at - ahead
            if due_at <= now:
                if session.moved_at is not None and due_at <= session.moved_at:
                    break  # its moment passed before the meeting moved: the move was told instead
                for person in (session.match.mentor.user, session.match.mentee.user):
                    url = f"/sessions/{session.pk}/"
                    yield Due(
                        ReminderKind.SESSION_UPCOMING,
                        f"session:{session.pk}:{label}",
                        person,
                        due_at,
                        url,
                        session.match.program_id,
                        max(session.created_at, session.moved_at or session.created_at),
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


def _not_logged(now):
    sessions = Session.objects.filter(
        status=Session.Status.SCHEDULED,
        starts_at__lt=now,
        starts_at__gte=now - MAX_LATENESS,
        match__status__in=Match.CURRENT,
    ).select_related("match__mentor__user")
    for session in sessions:
        due_at = session.ends_at + LOG_AFTER
        if due_at <= now:
            yield Due(
                ReminderKind.SESSION_NOT_LOGGED,
                f"session:{session.pk}:log",
                session.match.mentor.user,
                due_at,
                f"/sessions/{session.pk}/log/",
                session.match.program_id,
            )
