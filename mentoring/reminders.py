"""What is due about matches: proposals waiting, first meeting not held,
matches gone quiet, and the mentors' weekly summary."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Subquery

from .models import Match, ReminderKind
from .notifications.outbox import RECIPIENT_FIELDS, Due, coordinators_by_program, zones_passing

PROPOSAL_WAIT = timedelta(days=3)
MAX_LATENESS = timedelta(days=14)
DIGEST_AT = time(8, 0)  # Monday morning, the mentor's time


def due(now, since=None):
    """What is due at ``now``; ``since`` (UTC) narrows to what may have become due after it."""
    yield from _proposals(now, since)
    yield from _first_contact(now, since)
    yield from _quiet_matches(now, since)
    yield from _weekly_digest(now, since)


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


def _first_contact(now, since=None):
    matches = Match.objects.filter(status=Match.Status.ACTIVE, first_met_at__isnull=True, started_at__isnull=False)
    if since is not None:  # started the program's N days before a moment in (since, now], or changed since
        found = Q(status_changed_at__gt=since)
        for days in matches.order_by().values_list("program__first_contact_days", flat=True).distinct():
            low, high = since - timedelta(days=days), now - timedelta(days=days)
            found |= Q(program__first_contact_days=days, started_at__gt=low, started_at__lte=high)
        matches = matches.filter(found)
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


def _quiet_candidates(now, since):
    """Active matches whose last meeting (or start) is N or 2N days before a
    moment in (since, now], N being the program's quiet days, or that changed
    status since: the only ones whose quiet reminder can have become due."""
    from sessions.models import Session

    active = Match.objects.filter(status=Match.Status.ACTIVE, started_at__isnull=False)
    found = Q(status_changed_at__gt=since)
    for days in active.order_by().values_list("program__inactivity_days", flat=True).distinct():
        for quiet in (timedelta(days=days), timedelta(days=2 * days)):
            low, high = since - quiet, now - quiet
            met = Session.objects.filter(
                match=OuterRef("pk"), status=Session.Status.COMPLETED, starts_at__gt=low, starts_at__lte=high
            )
            found |= Q(program__inactivity_days=days) & (Q(started_at__gt=low, started_at__lte=high) | Exists(met))
    return active.filter(found)


def _quiet_matches(now, since=None):
    """No meeting for the program's N days: both people; after 2N days, the coordinators."""
    from sessions.models import Session

    candidates = Match.objects.filter(status=Match.Status.ACTIVE, started_at__isnull=False)
    if since is not None:
        # Read as ids first: estimating tens of thousands of rows for what are a
        # few hundred, PostgreSQL hash-joined every profile and user and compiled
        # the query (JIT): 6.3 s at 100,000 mentees.
        candidates = Match.objects.filter(pk__in=list(_quiet_candidates(now, since).values_list("pk", flat=True)))
    # The last meeting per candidate through the (match, status, starts_at)
    # index, not a join of every session with a GROUP BY: at 100,000 mentees the
    # join read all million sessions to keep a few hundred matches (4.7 s).
    last_meeting = Session.objects.filter(match=OuterRef("pk"), status=Session.Status.COMPLETED).order_by("-starts_at")
    matches = candidates.annotate(last_meeting=Subquery(last_meeting.values("starts_at")[:1])).select_related(
        "mentor__user", "mentee__user", "program"
    )
    matches = list(matches)
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
            if coordinators is None:  # the programs of the matches already read, not the candidates' query again
                coordinators = coordinators_by_program({m.program_id for m in matches})
            for person in coordinators.get(match.program_id, []):
                yield Due(
                    ReminderKind.MATCH_INACTIVE, f"match:{match.pk}", person, last + 2 * quiet, url, match.program_id
                )


def _weekly_digest(now, since=None):
    active = Match.objects.filter(status=Match.Status.ACTIVE)
    if since is not None:  # only mentors in a zone where Monday 8:00 passed since then
        active = active.filter(mentor__user__time_zone__in=zones_passing(DIGEST_AT, since, now, weekday=0))
    # The mentors' user rows only (no match or profile objects: their matching
    # answers were most of this step's cost at 100,000 mentees).
    mentors = get_user_model().objects.filter(pk__in=active.values("mentor__user_id"))
    for mentor in mentors.only(*RECIPIENT_FIELDS).order_by():
        zone = mentor.zone
        today = now.astimezone(zone).date()
        monday = today - timedelta(days=today.weekday())
        due_at = datetime.combine(monday, DIGEST_AT, tzinfo=zone)
        if due_at <= now < due_at + timedelta(days=1):
            yield Due(ReminderKind.WEEKLY_DIGEST, f"digest:{monday.isoformat()}", mentor, due_at, "/home/mentor/")
