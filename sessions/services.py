"""Writes for sessions, group sessions, registrations, attendance and feeds."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentoring import access
from mentoring.insights import rollups
from mentoring.models import Delivery, Match, MenteeProfile, MentorProfile, ReminderKind
from mentoring.notifications.notify import notify

from .models import CalendarFeed, GroupSeries, GroupSession, Registration, Session, Skill, TimeProposal, new_feed_token
from .reminders import session_reminder_subjects

logger = logging.getLogger(__name__)
MAX_SERIES_WEEKS = 52  # a weekly series ends within a year (sessions.forms.MAX_SERIES_DATES)


class DoubleBooking(ValidationError):
    """The mentor already has something at that time (a warning the person
    may override)."""


def _notify(users, kind, subject, link):
    """A content-neutral message through the outbox (sent after commit);
    details wait behind sign-in."""
    notify(kind=kind, recipients=[u for u in users if u is not None], subject=subject, link=link)


# --- one-on-one sessions ---------------------------------------------------------------


def _participant_side(match, user):
    if not access.may_act_in_match(user, match):
        raise ValidationError(_("Only the mentor, the mentee and the program's coordinators can do this."))
    return match.side_of(user)


def mentor_conflicts(mentor_user, starts_at, ends_at, exclude_session=None):
    """The mentor's scheduled sessions and facilitated groups that overlap."""
    sessions = Session.objects.filter(
        match__mentor__user=mentor_user, status=Session.Status.SCHEDULED, starts_at__lt=ends_at
    ).exclude(pk=getattr(exclude_session, "pk", None))
    overlapping = [s for s in sessions if s.ends_at > starts_at]
    groups = GroupSession.objects.filter(
        facilitators=mentor_user, status=GroupSession.Status.SCHEDULED, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    return overlapping + list(groups)


def event_changed(event):
    """Mark a Session or GroupSession as changed for calendars: raise its
    SEQUENCE and stamp LAST-MODIFIED (UTC). Returns the field names to add to
    ``save(update_fields=...)``. Call on every change of time, place or status."""
    event.sequence += 1
    event.changed_at = timezone.now()
    return ["sequence", "changed_at"]


def session_schedule(
    *, match, by, starts_at, duration_minutes, mode, location="", online_url="", allow_double_booking=False
):
    """Schedule a meeting of an active match, in the future. ``online_url``: a
    video call's https link (checked by the form: sessions.forms.MeetingLinkField)."""
    _participant_side(match, by)
    if match.status != Match.Status.ACTIVE:
        raise ValidationError(_("Sessions can be scheduled for active matches only."))
    if starts_at <= timezone.now():
        raise ValidationError(
            {"starts_at": _("Choose a time in the future. To record a past meeting, log it instead.")}
        )
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    if not allow_double_booking and mentor_conflicts(match.mentor.user, starts_at, ends_at):
        raise DoubleBooking(
            _("%(mentor)s already has something booked at that time. Schedule anyway?") % {"mentor": match.mentor.user},
            code="double_booked",
        )
    session = Session.objects.create(
        match=match,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        location=location,
        online_url=online_url,
        scheduled_by=by,
    )
    people = [u for u in (match.mentor.user, match.mentee.user) if u != by]
    _notify(people, ReminderKind.SESSION_SCHEDULED, session, f"/sessions/{session.pk}/")
    return session


LOG_FIELDS = ("topics", "resources_shared", "private_notes", "shared_summary", "follow_up")


@transaction.atomic
def session_log(*, session, by, outcome, missed_by="", duration_minutes=None, skills=(), **notes):
    """Record what happened: completed (with topics, skills and notes) or
    missed (by whom). The pair's first completed session is their first contact."""
    match = session.match
    if not access.may_log_sessions(by, match):
        raise ValidationError(_("Only the mentor or a coordinator logs a session."))
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("A cancelled session cannot be logged."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("A session can be logged once it has started."))
    if outcome == Session.Status.MISSED and not missed_by:
        raise ValidationError({"missed_by": _("Say who could not come.")})
    session.status = outcome
    session.missed_by = missed_by if outcome == Session.Status.MISSED else ""
    if duration_minutes:
        session.duration_minutes = duration_minutes
    for name in LOG_FIELDS:
        if name in notes:
            setattr(session, name, notes[name])
    session.logged_at = timezone.now()
    session.logged_by = by
    event_changed(session)
    session.save()
    session.skills.set(skills)
    if outcome == Session.Status.COMPLETED:
        # The earliest completed meeting is the first contact, whatever order they are logged in.
        Match.objects.filter(pk=match.pk).filter(
            Q(first_met_at__isnull=True) | Q(first_met_at__gt=session.starts_at)
        ).update(first_met_at=session.starts_at)
    rollups.session_changed(session=session)  # a meeting of a month that already ended
    return session


@transaction.atomic
def session_record_past(*, match, by, starts_at, duration_minutes, mode, location="", online_url="", **log):
    """Log a meeting after the fact, in one step."""
    if starts_at > timezone.now():
        raise ValidationError({"starts_at": _("This meeting is in the future: schedule it instead.")})
    if not match.has_started:
        raise ValidationError(_("Sessions can be logged for matches that have started."))
    session = Session.objects.create(
        match=match,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        location=location,
        online_url=online_url,
        scheduled_by=by,
    )
    return session_log(session=session, by=by, duration_minutes=duration_minutes, **log)


@transaction.atomic
def session_cancel(*, session, by, reason):
    """Cancel a scheduled meeting; a new time waiting for an answer is withdrawn."""
    _participant_side(session.match, by)
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(
            _("This session is already %(status)s.") % {"status": session.get_status_display().lower()}
        )
    session.status = Session.Status.CANCELLED
    session.cancelled_by = by
    session.cancel_reason = reason.strip()
    session.save(update_fields=["status", "cancelled_by", "cancel_reason", *event_changed(session)])
    time_proposals_withdraw(session_ids=[session.pk], by=by)
    rollups.session_changed(session=session)
    people = [u for u in (session.match.mentor.user, session.match.mentee.user) if u != by]
    _notify(people, ReminderKind.SESSION_CANCELLED, session, f"/sessions/{session.pk}/")
    return session


# --- moving a meeting: a new time proposed, accepted, declined or withdrawn ------------------------

MOVE_AHEAD = timedelta(days=367)  # a new time within a year (the form's date window says the same, leap days included)


def _locked_session(session):
    return (
        Session.objects.select_for_update()
        .select_related("match__mentor__user", "match__mentee__user")
        .get(pk=session.pk)
    )


def _check_movable(session, by, now):
    """The meeting can change time: it is scheduled, has not started, its match
    is current and ``by`` is its mentor or its mentee. Returns ``by``'s side."""
    side = session.match.side_of(by)
    if side is None:
        raise ValidationError(_("Only the mentor and the mentee of this meeting can change its time."))
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(
            _("This meeting is %(status)s: its time cannot change.") % {"status": session.get_status_display().lower()}
        )
    if session.starts_at <= now:
        raise ValidationError(_("This meeting has already started: its time cannot change."))
    if not session.match.is_current:
        raise ValidationError(_("This match has ended: its meetings cannot move."))
    return side


def _check_new_time(session, starts_at, now, *, allow_double_booking):
    """A new start in the future, within a year, not the current one and (a
    warning the person may override) not clashing with the mentor's other bookings."""
    if starts_at <= now:
        raise ValidationError({"time": _("Choose a time in the future.")})
    if starts_at > now + MOVE_AHEAD:
        raise ValidationError({"day": _("Choose a date within a year.")})
    if starts_at == session.starts_at:
        raise ValidationError({"time": _("That is the meeting's time now: choose a different one.")})
    ends_at = starts_at + timedelta(minutes=session.duration_minutes)
    if not allow_double_booking and mentor_conflicts(
        session.match.mentor.user, starts_at, ends_at, exclude_session=session
    ):
        raise DoubleBooking(
            _("%(mentor)s already has something booked at that time. Keep this time anyway?")
            % {"mentor": session.match.mentor.user},
            code="double_booked",
        )


def _expire_stale(session_id, now):
    """Mark pending proposals of the meeting that can no longer be answered as expired."""
    TimeProposal.objects.filter(session_id=session_id, status=TimeProposal.Status.PENDING).exclude(
        pk__in=TimeProposal.objects.open(now).values("pk")
    ).update(status=TimeProposal.Status.EXPIRED, decided_at=now)


def _other_person(session, user):
    match = session.match
    return match.mentee.user if match.side_of(user) == "mentor" else match.mentor.user


@transaction.atomic
def session_time_propose(*, session, by, starts_at, note="", allow_double_booking=False):
    """The mentor or the mentee of a scheduled meeting of a current match
    proposes a new start (an aware datetime; the length stays). The other one
    is told (``session_time_proposed``, content-neutral, link to the meeting
    page) and accepts or declines. One proposal waits per meeting: a new one
    replaces the proposer's own (withdrawn) or answers the other's (declined:
    a counter-proposal). Returns the TimeProposal.

    Raises ValidationError (field "day"/"time" for the time: past, more than a
    year ahead, the current time) and DoubleBooking when the mentor has
    something else then (pass ``allow_double_booking`` to keep it)."""
    now = timezone.now()
    session = _locked_session(session)
    _check_movable(session, by, now)
    _check_new_time(session, starts_at, now, allow_double_booking=allow_double_booking)
    _expire_stale(session.pk, now)
    for waiting in TimeProposal.objects.filter(session=session, status=TimeProposal.Status.PENDING):
        mine = waiting.proposed_by_id == by.pk
        waiting.status = TimeProposal.Status.WITHDRAWN if mine else TimeProposal.Status.DECLINED
        waiting.decided_at, waiting.decided_by = now, by
        waiting.save(update_fields=["status", "decided_at", "decided_by"])
    proposal = TimeProposal.objects.create(
        session=session,
        proposed_by=by,
        starts_at=starts_at,
        previous_starts_at=session.starts_at,
        note=note.strip(),
        created_at=now,
    )
    _notify([_other_person(session, by)], ReminderKind.SESSION_TIME_PROPOSED, session, f"/sessions/{session.pk}/")
    return proposal


def _open_proposal(proposal, now):
    """The proposal, locked with its meeting, if it can still be answered; else ValidationError."""
    session = _locked_session(proposal.session)
    proposal = TimeProposal.objects.select_for_update().get(pk=proposal.pk)
    proposal.session = session
    if proposal.status != TimeProposal.Status.PENDING:
        raise ValidationError(
            _("This proposal is already %(status)s.") % {"status": proposal.get_status_display().lower()}
        )
    if proposal.starts_at <= now:
        raise ValidationError(_("The proposed time has passed. Propose another time."))
    return proposal


def _decide(proposal, status, by, now):
    proposal.status, proposal.decided_at, proposal.decided_by = status, now, by
    proposal.save(update_fields=["status", "decided_at", "decided_by"])


def _check_answerer(proposal, by):
    if proposal.proposed_by_id == by.pk:
        raise ValidationError(_("The other person answers your proposal. You can withdraw it."))


@transaction.atomic
def session_time_accept(*, proposal, by, allow_double_booking=False):
    """The other one of the pair accepts a proposed time: the meeting moves
    (checked again: scheduled, not started, match current, the new time in the
    future, the mentor's bookings), its calendar SEQUENCE goes up with the same
    UID, reminders not yet sent for the old time are skipped (those for the new
    time follow from sessions.reminders) and the proposer is told
    (``session_moved``). Returns the moved Session.

    Raises ValidationError (already answered, the time passed, not theirs to
    answer, the meeting can no longer move) and DoubleBooking."""
    now = timezone.now()
    proposal = _open_proposal(proposal, now)
    session = proposal.session
    _check_movable(session, by, now)
    _check_answerer(proposal, by)
    _check_new_time(session, proposal.starts_at, now, allow_double_booking=allow_double_booking)
    session.starts_at, session.moved_at = proposal.starts_at, now
    session.save(update_fields=["starts_at", "moved_at", *event_changed(session)])
    _decide(proposal, TimeProposal.Status.ACCEPTED, by, now)
    _skip_waiting_reminders([session.pk], "released: the meeting moved")
    people = [u for u in (session.match.mentor.user, session.match.mentee.user) if u != by]
    _notify(people, ReminderKind.SESSION_MOVED, session, f"/sessions/{session.pk}/")
    return session


@transaction.atomic
def session_time_decline(*, proposal, by):
    """The other one of the pair declines a proposed time: the meeting stays;
    the proposer is told (``session_time_declined``). Returns the proposal."""
    now = timezone.now()
    proposal = _open_proposal(proposal, now)
    _check_movable(proposal.session, by, now)
    _check_answerer(proposal, by)
    _decide(proposal, TimeProposal.Status.DECLINED, by, now)
    _notify(
        [proposal.proposed_by],
        ReminderKind.SESSION_TIME_DECLINED,
        proposal.session,
        f"/sessions/{proposal.session_id}/",
    )
    return proposal


@transaction.atomic
def session_time_withdraw(*, proposal, by):
    """The proposer takes back a proposal nobody answered yet (nobody is told:
    the meeting page no longer asks). Returns the proposal."""
    now = timezone.now()
    proposal = TimeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.proposed_by_id != by.pk:
        raise ValidationError(_("Only the person who proposed a time can withdraw it."))
    if proposal.status != TimeProposal.Status.PENDING:
        raise ValidationError(
            _("This proposal is already %(status)s.") % {"status": proposal.get_status_display().lower()}
        )
    _decide(proposal, TimeProposal.Status.WITHDRAWN, by, now)
    return proposal


def time_proposals_withdraw(*, session_ids, by=None):
    """Withdraw the pending proposals of these meetings (a cancelled meeting,
    an ended match: mentoring/endings.py). Nobody is told here. Returns how many."""
    return TimeProposal.objects.filter(session_id__in=list(session_ids), status=TimeProposal.Status.PENDING).update(
        status=TimeProposal.Status.WITHDRAWN, decided_at=timezone.now(), decided_by=by
    )


def _skip_waiting_reminders(session_ids, why):
    """Outbox rows of these meetings' reminders not sent yet are skipped."""
    return Delivery.objects.filter(
        subject__in=session_reminder_subjects(session_ids),
        status__in=(Delivery.Status.PENDING, Delivery.Status.FAILED),
    ).update(status=Delivery.Status.SKIPPED, last_error=why)


# --- group sessions -------------------------------------------------------------------------


@transaction.atomic
def group_create(*, program, facilitators=(), weekly_until=None, **fields):
    """One group session, workshop or event, or a weekly series of them up to
    ``weekly_until`` (one series, many occurrences; each can change alone)."""
    starts_at, ends_at = fields["starts_at"], fields["ends_at"]
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    series = None
    occurrences = [(starts_at, ends_at)]
    if weekly_until:
        if weekly_until < timezone.localtime(starts_at, ZoneInfo(program.time_zone)).date():
            raise ValidationError({"weekly_until": _("The series must end on or after its first date.")})
        occurrences = _weekly(starts_at, ends_at, weekly_until, ZoneInfo(program.time_zone))
        last_day = timezone.localtime(occurrences[-1][0], ZoneInfo(program.time_zone)).date()
        if last_day + timedelta(weeks=1) <= weekly_until:  # _weekly stopped at the cap
            message = _("A weekly series ends within a year (at most %(count)d dates).") % {"count": MAX_SERIES_WEEKS}
            raise ValidationError({"weekly_until": message})
        series = GroupSeries.objects.create(program=program, title=fields["title"], weekly_until=weekly_until)
    created = GroupSession.objects.bulk_create(
        [
            GroupSession(program=program, series=series, **{**fields, "starts_at": s, "ends_at": e})
            for s, e in occurrences
        ]
    )
    through = GroupSession.facilitators.through
    through.objects.bulk_create([through(groupsession_id=g.pk, user_id=u.pk) for g in created for u in facilitators])
    return created


def _weekly(starts_at, ends_at, until, zone):
    """Weekly occurrences at the same wall-clock time in the program's zone
    (a 6 pm group stays at 6 pm across daylight-saving changes)."""
    local_start, length = timezone.localtime(starts_at, zone), ends_at - starts_at
    occurrences, week = [], 0
    while week < MAX_SERIES_WEEKS:
        naive = local_start.replace(tzinfo=None) + timedelta(weeks=week)
        if naive.date() > until:
            break
        start = timezone.make_aware(naive, zone)
        occurrences.append((start, start + length))
        week += 1
    return occurrences


@transaction.atomic
def group_move(*, group_session, starts_at, ends_at, location, title=None, capacity=None, online_link=None):
    """Move, relocate, rename or resize one occurrence (``online_link``: a new
    https link, "" to remove it, None to keep it); the rest of its series
    stays. Fewer seats than people holding one is refused; more seats go to
    the waiting list in order (each promoted person is told)."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    promoted = []
    if capacity is not None and capacity != group_session.capacity:
        _claim_seats(group_session)
        seated = group_session.registrations.filter(status=Registration.Status.REGISTERED).count()
        if capacity < seated:
            raise ValidationError(
                {
                    "capacity": ngettext(
                        "%(count)d person has a seat: choose at least %(count)d seat.",
                        "%(count)d people have a seat: choose at least %(count)d seats.",
                        seated,
                    )
                    % {"count": seated}
                }
            )
        waiting = group_session.registrations.filter(status=Registration.Status.WAITLISTED).order_by("created_at", "pk")
        promoted = list(waiting[: capacity - seated])
        Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(status=Registration.Status.REGISTERED)
        group_session.capacity = capacity
    group_session.starts_at, group_session.ends_at, group_session.location = starts_at, ends_at, location
    group_session.title = title or group_session.title
    if online_link is not None:
        group_session.online_link = online_link
    fields = ["starts_at", "ends_at", "location", "online_link", "title", "capacity"]
    group_session.save(update_fields=[*fields, *event_changed(group_session)])
    _notify_registrants(group_session, ReminderKind.SESSION_MOVED)
    if promoted:
        _notify([r.user for r in promoted], ReminderKind.GROUP_PROMOTED, group_session, f"/groups/{group_session.pk}/")
    return group_session


def group_public_set(*, group_session, is_public):
    """Show one date on the program's public page, or hide it (nobody is told:
    the date itself does not change). Returns the group session."""
    group_session.is_public = is_public
    group_session.save(update_fields=["is_public"])
    return group_session


def group_cancel(*, group_session, reason):
    if group_session.status == GroupSession.Status.CANCELLED:
        raise ValidationError(_("This session is already cancelled."))
    group_session.status = GroupSession.Status.CANCELLED
    group_session.cancel_reason = reason.strip()
    group_session.save(update_fields=["status", "cancel_reason", *event_changed(group_session)])
    _notify_registrants(group_session, ReminderKind.SESSION_CANCELLED)
    return group_session


def _notify_registrants(group_session, kind):
    registrants = group_session.registrations.exclude(status=Registration.Status.CANCELLED).select_related("user")
    _notify([r.user for r in registrants], kind, group_session, f"/groups/{group_session.pk}/")


def _claim_seats(group_session):
    """Serialise seat changes for one session: this UPDATE takes the row lock
    on PostgreSQL and the write lock on SQLite before anyone counts seats."""
    GroupSession.objects.filter(pk=group_session.pk).update(seats_version=F("seats_version") + 1)


@transaction.atomic
def register(*, group_session, user):
    """A seat if one is free, otherwise a place on the waiting list. Two
    people racing for the last seat: one gets it, the other waits."""
    if group_session.status != GroupSession.Status.SCHEDULED or group_session.starts_at <= timezone.now():
        raise ValidationError(_("Registration is closed for this session."))
    _claim_seats(group_session)
    registration = Registration.objects.filter(group_session=group_session, user=user).first()
    if registration and registration.status != Registration.Status.CANCELLED:
        return registration
    taken = Registration.objects.filter(group_session=group_session, status=Registration.Status.REGISTERED).count()
    status = Registration.Status.REGISTERED if taken < group_session.capacity else Registration.Status.WAITLISTED
    if registration is None:
        return Registration.objects.create(group_session=group_session, user=user, status=status)
    registration.status, registration.created_at, registration.attendance = status, timezone.now(), ""
    registration.save(update_fields=["status", "created_at", "attendance"])
    return registration


@transaction.atomic
def group_book(*, group_session, user, walk_in=False):
    """A coordinator or facilitator books ``user`` in: a seat if one is free,
    else the waiting list (as ``register``). ``walk_in``: the person is at
    the door while attendance is open, so they get a seat whatever the
    capacity and are marked attended. Returns the registration."""
    if not walk_in:
        return register(group_session=group_session, user=user)
    if not attendance_open(group_session):
        raise ValidationError(_("Walk-ins are added while attendance is open (from 30 minutes before the start)."))
    _claim_seats(group_session)
    registration, _created = Registration.objects.update_or_create(
        group_session=group_session,
        user=user,
        defaults={"status": Registration.Status.REGISTERED, "attendance": Registration.Attendance.ATTENDED},
    )
    return registration


@transaction.atomic
def series_cancel(*, series, reason, now=None):
    """Cancel every date of a weekly series still to come, in one step (each
    one as ``group_cancel``: registrants are told, calendars updated).
    Returns how many dates were cancelled."""
    now = now or timezone.now()
    upcoming = series.occurrences.filter(status=GroupSession.Status.SCHEDULED, starts_at__gt=now)
    count = 0
    for occurrence in upcoming.select_for_update():
        group_cancel(group_session=occurrence, reason=reason)
        count += 1
    return count


@transaction.atomic
def unregister(*, group_session, user):
    """Give up a seat or a waiting place; a freed seat goes to the first on
    the waiting list, who is told."""
    _claim_seats(group_session)
    registration = Registration.objects.filter(group_session=group_session, user=user).first()
    if registration is None or registration.status == Registration.Status.CANCELLED:
        raise ValidationError(_("You are not registered for this session."))
    had_seat = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status"])
    promoted = None
    if had_seat:
        promoted = (
            Registration.objects.filter(group_session=group_session, status=Registration.Status.WAITLISTED)
            .order_by("created_at", "pk")
            .first()
        )
        if promoted:
            promoted.status = Registration.Status.REGISTERED
            promoted.save(update_fields=["status"])
            _notify([promoted.user], ReminderKind.GROUP_PROMOTED, group_session, f"/groups/{group_session.pk}/")
    return promoted


ATTENDANCE_OPENS_BEFORE = timedelta(minutes=30)


def attendance_open(group_session):
    """Attendance is taken from shortly before the start, never days ahead."""
    return timezone.now() >= group_session.starts_at - ATTENDANCE_OPENS_BEFORE


def attendance_mark(*, registration, attendance):
    if not attendance_open(registration.group_session):
        raise ValidationError(_("Attendance opens 30 minutes before the start."))
    if registration.status != Registration.Status.REGISTERED:
        raise ValidationError(_("Only people with a seat can be marked."))
    if attendance not in Registration.Attendance.values:
        raise ValidationError(_("Choose attended, no-show or excused."))
    registration.attendance = attendance
    registration.save(update_fields=["attendance"])
    return registration


# --- calendar feeds ---------------------------------------------------------------------------


def calendar_feed_for(user):
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_reset(*, user):
    """A new secret address; the old one stops working at once."""
    feed = calendar_feed_for(user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    return feed


def _matches_of(user):
    """Ids of every match (any status) where ``user`` is the mentor or the mentee.

    A UNION of the two sides, each read through its own index (match.mentor,
    match.mentee): an OR of the two subqueries made PostgreSQL read every match
    of the site (1.4 ms at 10,000 mentees, growing with the table)."""
    as_mentor = Match.objects.filter(mentor__in=MentorProfile.objects.filter(user=user).values("pk")).order_by()
    as_mentee = Match.objects.filter(mentee__in=MenteeProfile.objects.filter(user=user).values("pk")).order_by()
    return as_mentor.values_list("pk", flat=True).union(as_mentee.values_list("pk", flat=True))


def upcoming_for(
    user, *, since=None, until=None, match_ids=None, related=("match__mentor__user", "match__mentee__user")
):
    """(one-on-one sessions, group sessions) in the user's calendar.
    ``match_ids``: the ids of every match of ``user`` (any status), when the
    caller has read them already (``mentoring.access.OwnMatches.ids()``);
    otherwise they are read here (one query). ``related``: what the sessions
    load with them (``select_related``; the mentor home shows the mentee only)."""
    since = since or timezone.now()
    if match_ids is None:
        match_ids = list(_matches_of(user))
    sessions = (
        # The person's matches first, as a list of ids (one small query): OR-ing
        # joins to both profiles hashed every match, mentor and mentee of the site
        # (60 ms at 10,000 mentees), and with a subquery the planners walked every
        # scheduled meeting in time order. With the ids each match's next meetings
        # come from the (match, status, starts_at) index.
        Session.objects.filter(match__in=match_ids)
        .filter(status=Session.Status.SCHEDULED, starts_at__gte=since)
        .select_related(*related)
        .order_by("starts_at")
    )
    registered = Registration.objects.filter(user=user, status=Registration.Status.REGISTERED)
    facilitated = GroupSession.facilitators.through.objects.filter(user=user)
    groups = (
        GroupSession.objects.filter(
            # One subquery, a UNION of the two sides, each read through its user
            # index: not OR'd joins + DISTINCT (rows multiplied by registrations ×
            # facilitators), and not an OR of two subqueries, for which PostgreSQL
            # read every group session of the site (1,200 at 10,000 mentees, issue 18).
            pk__in=registered.values("group_session").order_by().union(facilitated.values("groupsession").order_by())
        )
        .filter(status=GroupSession.Status.SCHEDULED, starts_at__gte=since)
        .order_by("starts_at")
    )
    if until:
        sessions, groups = sessions.filter(starts_at__lt=until), groups.filter(starts_at__lt=until)
    return sessions, groups


# --- the program's skills list -------------------------------------------------------------------------

SKILL_NAME_MAX = 80


@transaction.atomic
def skill_add(*, program, name, name_es=""):
    """Add a skill to the program's list (mentors tick it when logging a
    meeting). ``name`` is trimmed to 80 characters, and so is ``name_es``, its
    optional Spanish version (mentoring.localized). ValidationError when
    ``name`` is empty or already in the list (case-insensitive)."""
    name_es = (name_es or "").strip()[:SKILL_NAME_MAX]
    name = name.strip()[:SKILL_NAME_MAX]
    if not name:
        raise ValidationError(_("Type the name of the skill."))
    if program.skills.filter(name__iexact=name).exists():
        raise ValidationError(_("“%(name)s” is already in the list.") % {"name": name})
    return Skill.objects.create(program=program, name=name, name_es=name_es)


@transaction.atomic
def skill_toggle(*, skill):
    """Offer a skill again or retire it (sessions that practised it keep it)."""
    skill.is_active = not skill.is_active
    skill.save(update_fields=["is_active"])
    return skill
