"""Endings: when something ends, every future commitment it held is released.

One service per ending; each docstring lists what it releases. The
commitments, and how each is released:

- future one-on-one meetings (``Session`` scheduled, starting from now):
  cancelled, with the ending as the reason; both people are told once
  (``_tell``). Calendar feeds follow at once (they list scheduled sessions).
- group seats (``Registration`` registered or waitlisted for a group session
  of the program that has not started): given up through
  ``sessions.services.unregister``, so a freed seat goes to the first on the
  waiting list, who is told.
- pending reminders: what is due is computed from the state (the due queries
  exclude ended matches, exited mentees and cancelled meetings); rows already
  in the outbox for a released meeting or match and not yet sent are marked
  skipped, so a reminder created a minute before the ending is not sent.
- waiting list and matching: an exited mentee, one whose participation
  consent is withdrawn, a deactivated account and an archived program's
  mentees are not "taking part" (``MenteeProfile.objects.taking_part()``) and
  leave the waiting list, "Match everyone" and suggestions.
- open proposals: withdrawn (status declined, with the ending as the reason).
- new times proposed for the released meetings (``TimeProposal`` pending):
  withdrawn (``sessions.services.time_proposals_withdraw``), so nobody can
  accept a time for a meeting of an ended match.

Times are UTC (``timezone.now()``); dates are the program's local date.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .access import match_ids_of
from .models import Delivery, Match, MenteeProfile, ReminderKind
from .stored_text import english

WAITING_DELIVERY = (Delivery.Status.PENDING, Delivery.Status.FAILED)


# --- the one place that tells people (rerouted through notify() later) --------------------------


def _tell(match):
    """Tell both people of ``match`` that it ended, once, content-neutral,
    through the outbox (``notify()``, kind ``match_closed``; sent after commit)."""
    from .services import _notify_match_update

    _notify_match_update(match, ReminderKind.MATCH_CLOSED)


# --- releases shared by the endings --------------------------------------------------------------


def _skip_deliveries(subjects, *, recipient=None):
    """Mark outbox rows about ``subjects`` that are not sent yet as skipped."""
    if not subjects:
        return 0
    rows = Delivery.objects.filter(subject__in=subjects, status__in=WAITING_DELIVERY)
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return rows.update(status=Delivery.Status.SKIPPED, last_error="released: the commitment ended")


def _session_subjects(session_ids):
    from sessions.reminders import session_reminder_subjects

    return session_reminder_subjects(session_ids)


def release_match_sessions(*, match, by, reason):
    """Cancel the match's scheduled meetings from now on, skip their
    reminders and withdraw every new time still waiting for an answer for
    any of the match's meetings. Returns the number cancelled. Nobody is
    told here: the ending tells both people once."""
    from sessions.models import Session
    from sessions.services import time_proposals_withdraw

    sessions = Session.objects.filter(match=match, status=Session.Status.SCHEDULED, starts_at__gte=timezone.now())
    ids = list(sessions.values_list("pk", flat=True))
    Session.objects.filter(pk__in=ids).update(
        status=Session.Status.CANCELLED, cancelled_by=by, cancel_reason=reason[:200]
    )
    time_proposals_withdraw(session_ids=Session.objects.filter(match=match).values_list("pk", flat=True), by=by)
    _skip_deliveries(_session_subjects(ids))
    _skip_deliveries([f"match:{match.pk}"])
    return len(ids)


def release_group_seats(*, user, program):
    """Give up ``user``'s seats and waiting places in the program's group
    sessions that have not started; each freed seat promotes the first on
    that waiting list (who is told). Returns the number released."""
    from sessions.models import GroupSession, Registration
    from sessions.services import unregister

    seats = Registration.objects.filter(
        user=user,
        group_session__program=program,
        group_session__status=GroupSession.Status.SCHEDULED,
        group_session__starts_at__gt=timezone.now(),
        status__in=[Registration.Status.REGISTERED, Registration.Status.WAITLISTED],
    ).select_related("group_session")
    released = 0
    for seat in list(seats):
        unregister(group_session=seat.group_session, user=user)
        _skip_deliveries([f"group:{seat.group_session_id}:{label}" for label in ("1h", "24h")], recipient=user)
        released += 1
    return released


def end_match(*, match, by, reason, note, tell=True):
    """End one open match because something else ended: a proposal is
    withdrawn (declined, with ``reason``), a current match is closed with
    ``reason`` and ``note``. Releases its future meetings, their new times
    waiting for an answer (withdrawn) and pending reminders; tells both
    people once unless ``tell`` is False."""
    from .services import _locked, _set_status

    match = _locked(match)
    if not match.is_open:
        return match
    now = timezone.now()
    status = Match.Status.CLOSED if match.is_current else Match.Status.DECLINED
    _set_status(match, status, close_reason=reason, close_note=note, closed_by=by, ended_at=now)
    release_match_sessions(match=match, by=by, reason=note)
    if tell:
        _tell(match)
    return match


# --- the endings ------------------------------------------------------------------------------------


def match_closed(*, match, by):
    """Side effects of closing a match (``mentoring.services.match_close``
    calls this after the status change). Releases: the match's future
    meetings (cancelled), new times proposed for its meetings and not yet
    answered (withdrawn), their pending reminders and the match's own
    (skipped); both people are told once. A match closed as "graduated"
    also makes the mentee exit the program as graduated (``mentee_exit``),
    so they do not go back on the waiting list."""
    # Stored in English, shown in the reader's language (mentoring.stored_text).
    label = english(dict(Match.CloseReason.choices).get(match.close_reason, match.close_reason))
    release_match_sessions(match=match, by=by, reason=f"Match closed: {label}")
    _tell(match)
    if match.close_reason == Match.CloseReason.GRADUATED:
        mentee = MenteeProfile.objects.get(pk=match.mentee_id)
        if mentee.exited_on is None:
            mentee_exit(mentee=mentee, reason=MenteeProfile.ExitReason.GRADUATED, by=by)


EXIT_TO_CLOSE_REASON = {
    MenteeProfile.ExitReason.GRADUATED: Match.CloseReason.GRADUATED,
    MenteeProfile.ExitReason.MOVED: Match.CloseReason.MOVED,
    MenteeProfile.ExitReason.WITHDREW: Match.CloseReason.DISENGAGED,
    MenteeProfile.ExitReason.LOST_CONTACT: Match.CloseReason.DISENGAGED,
    MenteeProfile.ExitReason.OTHER: Match.CloseReason.OTHER,
}


@transaction.atomic
def mentee_exit(*, mentee, reason, by, on=None):
    """The mentee leaves the program (graduated, moved, withdrew, lost
    contact, other) on ``on`` (a date; default today in the program's zone).

    Records ``exit_reason`` and ``exited_on`` on the profile (reports count
    it). Releases: the open match (a proposal is withdrawn, a current match
    closed with the matching reason) with its future meetings, their
    proposed new times (withdrawn) and pending reminders, both people told; the mentee's group seats and waiting places
    in the program (waiting lists promoted); the waiting list and matching
    (not ``taking_part``). Undone by ``mentee_reenter``. Raises
    ValidationError if the mentee already left or the reason is unknown."""
    mentee = MenteeProfile.objects.select_for_update().select_related("user", "program").get(pk=mentee.pk)
    if reason not in MenteeProfile.ExitReason.values:
        raise ValidationError({"reason": gettext("Choose why the mentee is leaving.")})
    if mentee.exited_on is not None:
        raise ValidationError(gettext("This mentee already left the program."))
    if on is None:
        on = timezone.localdate(timezone=_zone(mentee.program))
    if on > timezone.localdate(timezone=_zone(mentee.program)):
        raise ValidationError({"on": gettext("The exit date cannot be in the future.")})
    mentee.exit_reason, mentee.exited_on = reason, on
    mentee.save(update_fields=["exit_reason", "exited_on"])
    label = english(MenteeProfile.ExitReason(reason).label)  # stored in English (mentoring.stored_text)
    for match in mentee.matches.open():
        end_match(match=match, by=by, reason=EXIT_TO_CLOSE_REASON[reason], note=f"Mentee left the program: {label}")
    release_group_seats(user=mentee.user, program=mentee.program)
    return mentee


@transaction.atomic
def mentee_reenter(*, mentee, by):
    """Undo an exit: the mentee takes part again and goes back on the
    waiting list (from today). Matches, meetings and seats released at the
    exit stay released. Raises ValidationError if the mentee has not left."""
    mentee = MenteeProfile.objects.select_for_update().get(pk=mentee.pk)
    if mentee.exited_on is None:
        raise ValidationError(gettext("This mentee is taking part; there is nothing to undo."))
    mentee.exit_reason, mentee.exited_on = "", None
    mentee.joined_at = timezone.now()  # the waiting time counts from the re-entry
    mentee.save(update_fields=["exit_reason", "exited_on", "joined_at"])
    return mentee


@transaction.atomic
def consent_withdrawn(*, consent, by):
    """Side effects of withdrawing a consent (``programs.services.consent_revoke``
    calls this). Withdrawing "Taking part in peer mentoring" releases, for
    the person in that program, as a mentee and as a mentor: every open match
    (proposals withdrawn, current matches closed) with its future meetings
    and pending reminders, both people told; their group seats (waiting
    lists promoted); and, as a mentee, the waiting list and matching (not
    ``taking_part`` while no newer participation consent is active). Other
    consents release nothing here."""
    from programs.models import ConsentRecord

    if consent.kind != ConsentRecord.Kind.PARTICIPATION:
        return
    if ConsentRecord.objects.filter(
        program=consent.program, person=consent.person, kind=consent.kind, revoked_at__isnull=True
    ).exists():
        return  # another active participation consent still holds
    matches = Match.objects.open().filter(pk__in=match_ids_of(consent.person), program=consent.program)
    for match in matches:
        end_match(match=match, by=by, reason=Match.CloseReason.OTHER, note="Participation consent withdrawn")
    release_group_seats(user=consent.person, program=consent.program)


@transaction.atomic
def person_deactivate(*, person, by):
    """Deactivate an account (also the last step of erasure,
    ``mentoring.personal_data.person_erase``). Releases, in every program:
    every open match of the person (proposals withdrawn, current matches
    closed) with their future meetings and pending reminders, the partner
    told; their group seats and waiting places (waiting lists promoted);
    every reminder to them not yet sent (skipped); the waiting list and
    matching (an inactive account is not ``taking_part``). Signs nothing out
    by itself: an inactive account cannot sign in."""
    from programs.models import Program

    for match in Match.objects.open().filter(pk__in=match_ids_of(person)):
        end_match(match=match, by=by, reason=Match.CloseReason.OTHER, note="Account deactivated")
    programs = Program.objects.filter(group_sessions__registrations__user=person).distinct()
    for program in programs:
        release_group_seats(user=person, program=program)
    Delivery.objects.filter(recipient=person, status__in=WAITING_DELIVERY).update(
        status=Delivery.Status.SKIPPED, last_error="released: the account was deactivated"
    )
    if person.is_active:
        person.is_active = False
        person.save(update_fields=["is_active"])
    return person


@transaction.atomic
def program_archive(*, program, by=None):
    """Archive a program. Releases: every open match (proposals withdrawn,
    current matches closed "Program archived") with their future meetings,
    both people told; every group session that has not started (cancelled,
    registrants told); every reminder of the program not yet sent
    (skipped); applications (an archived program takes none) and matching
    (its mentees are not ``taking_part``). Raises ValidationError if it is
    already archived."""
    from programs.models import Program
    from sessions.models import GroupSession
    from sessions.services import group_cancel

    started = timezone.now()
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status == Program.Status.ARCHIVED:
        raise ValidationError(gettext("This program is already archived."))
    program.status = Program.Status.ARCHIVED
    program.save(update_fields=["status"])
    for match in Match.objects.open().filter(program=program):
        end_match(match=match, by=by, reason=Match.CloseReason.OTHER, note="Program archived")
    future = GroupSession.objects.filter(
        program=program, status=GroupSession.Status.SCHEDULED, starts_at__gt=timezone.now()
    )
    for group in future:
        group_cancel(group_session=group, reason="Program archived")
    # Reminders written before the archive; the "it ended" messages written above stay.
    Delivery.objects.filter(program=program, status__in=WAITING_DELIVERY, created_at__lt=started).update(
        status=Delivery.Status.SKIPPED, last_error="released: the program was archived"
    )
    return program


def _zone(program):
    from zoneinfo import ZoneInfo

    return ZoneInfo(program.time_zone)
