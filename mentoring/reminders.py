"""What is due about matches: proposals waiting, first meeting not held,
matches gone quiet, and the mentors' weekly summary."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, Q

from .models import Match, ReminderKind
from .notifications.outbox import Due, coordinators_by_program

PROPOSAL_WAIT = timedelta(days=3)
MAX_LATENESS = timedelta(days=14)
DIGEST_AT = time(8, 0)  # Monday morning, the mentor's time


def due(now, since=None):
    """What is due at ``now``; ``since`` (UTC) narrows to what may have become due after it."""
    yield from _proposals(now, since)
    yield from _first_contact(now)
    yield from _quiet_matches(now)
    yield from _weekly_digest(now)


def _proposals(now, since):
    waiting = Match.objects.filter(
        status=Match.Status.PROPOSED, created_at__lte=now - PROPOSAL_WAIT, created_at__gte=now - MAX_LATENESS
    ).select_related("mentor__user", "mentee__user")
    if since is not None:
        waiting = waiting.filter(created_at__gt=since - PROPOSAL_WAIT)
    for match in waiting:
        due_at = match.created_at + PROPOSAL_WAIT
        for person, answer in ((match.mentor.user, match.mentor_response), (match.mentee.user, match.mentee_response)):
            if answer == Match.Response.PENDING:
                yield Due(
                    ReminderKind.PROPOSAL_UNANSWERED,
                    f"match:{match.pk}",
                    person,
                    due_at,
                    f"/matches/{match.pk}/",
                    match.program_id,
                )


def _first_contact(now):
    matches = Match.objects.filter(status=Match.Status.ACTIVE, first_met_at__isnull=True, started_at__isnull=False)
    for match in matches.select_related("mentor__user", "mentee__user", "program"):
        due_at = match.started_at + timedelta(days=match.program.first_contact_days)
        if due_at <= now and now - due_at <= MAX_LATENESS:
            for person in (match.mentor.user, match.mentee.user):
                yield Due(
                    ReminderKind.FIRST_CONTACT,
                    f"match:{match.pk}",
                    person,
                    due_at,
                    f"/matches/{match.pk}/",
                    match.program_id,
                    match.status_changed_at,
                )


def _quiet_matches(now):
    """No meeting for the program's N days: both people; after 2N days, the coordinators."""
    matches = (
        Match.objects.filter(status=Match.Status.ACTIVE, started_at__isnull=False)
        .annotate(last_meeting=Max("sessions__starts_at", filter=Q(sessions__status="completed")))
        .select_related("mentor__user", "mentee__user", "program")
    )
    coordinators = None
    for match in matches:
        last = max(filter(None, [match.last_meeting, match.started_at]))
        quiet = timedelta(days=match.program.inactivity_days)
        if now < last + quiet or now - (last + quiet) > MAX_LATENESS * 2:
            continue
        url = f"/matches/{match.pk}/"
        for person in (match.mentor.user, match.mentee.user):
            yield Due(ReminderKind.MATCH_INACTIVE, f"match:{match.pk}", person, last + quiet, url, match.program_id)
        if now >= last + 2 * quiet:
            if coordinators is None:
                coordinators = coordinators_by_program(matches.values("program_id"))
            for person in coordinators.get(match.program_id, []):
                yield Due(
                    ReminderKind.MATCH_INACTIVE, f"match:{match.pk}", person, last + 2 * quiet, url, match.program_id
                )


def _weekly_digest(now):
    mentors = {m.mentor.user for m in Match.objects.filter(status=Match.Status.ACTIVE).select_related("mentor__user")}
    for mentor in mentors:
        try:
            zone = ZoneInfo(mentor.time_zone)
        except (ValueError, KeyError):
            zone = ZoneInfo("UTC")
        today = now.astimezone(zone).date()
        monday = today - timedelta(days=today.weekday())
        due_at = datetime.combine(monday, DIGEST_AT, tzinfo=zone)
        if due_at <= now < due_at + timedelta(days=1):
            yield Due(ReminderKind.WEEKLY_DIGEST, f"digest:{monday.isoformat()}", mentor, due_at, "/home/mentor/")
