"""Small helpers shared by the reminder tests: fixed instants and what is due."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from mentoring.notifications.outbox import collect_due


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(zone, *args):
    """A wall-clock time in a named zone (the offset that applies that day)."""
    return datetime(*args, tzinfo=ZoneInfo(zone))


def due(now, kind):
    """{(recipient, due_at)} of one kind that every app's reminders.py says is due at ``now``."""
    return {(d.recipient, d.due_at) for d in collect_due(now) if d.kind == kind}


def recipients(now, kind):
    return {recipient for recipient, _ in due(now, kind)}
