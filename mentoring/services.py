"""Writes with side effects for people, roles and invitations."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from .matching.criteria import score_pair
from .matching.loading import load_pair
from .models import (
    ChannelPreference,
    Invitation,
    Match,
    MatchSurvey,
    MenteeProfile,
    MentorProfile,
    Notification,
    ReminderKind,
    ReportExport,
    VolunteerProfile,
    WorkerHeartbeat,
    hash_token,
)
from .notifications.notify import notify

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Queue a Celery task only once the surrounding transaction commits, so a
    worker never sees ids of rows that were rolled back or not yet visible."""
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))


def invitation_link(raw_token):
    return settings.SITE_URL + reverse("mentoring:invitation_accept", args=[raw_token])


@transaction.atomic
def invitation_create(
    *, program, email, full_name, role, invited_by, new_account=None, application=None, language=None
):
    """Create an invitation and email its one-time link after commit.

    Returns (invitation, link). The link goes only to ``email``: views never
    show it to the inviter (they show ``invitation.masked_email``), so the
    return value is for the email and for tests.

    ``new_account``: the account the calling flow has just created for this
    email (still without a password). Only such an invitation, or one sent
    again in its place, may choose that account's first password; see
    ``invitation_may_set_password``. Never pass an account that existed
    before the flow started. ``application``: an accepted application whose
    profile waits for this person's acceptance (``application_join``).
    ``language`` (a code of settings.LANGUAGES): the language of the email
    and of the account accepting it creates; default the application's
    language or ``new_account``'s, else settings.LANGUAGE_CODE. An address whose account chose a
    language gets the email in that one (``channels.language_of``).

    Earlier pending invitations of the same person to the same program and
    role are revoked so that only one link works.
    """
    email = get_user_model().objects.normalize_email(email).lower()
    if new_account is not None and new_account.email.lower() != email:
        raise ValueError("new_account must be the account of the invited email")
    now = timezone.now()
    Invitation.objects.filter(
        program=program, email__iexact=email, role=role, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw_token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        program=program,
        email=email,
        full_name=full_name.strip(),
        role=role,
        token_hash=hash_token(raw_token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        new_account=new_account,
        application=application,
        language=_invitation_language(language, application, new_account),
    )
    link = invitation_link(raw_token)
    _send_invitation_email(invitation, link)
    return invitation, link


def _invitation_language(language, application, new_account):
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    for source in (application, new_account):
        if not language and source is not None:
            language = source.language
    return language or settings.LANGUAGE_CODE


@transaction.atomic
def invitation_resend(*, invitation, sent_by):
    """ "Send again": a fresh link for the same person, program and role goes
    by email to the invited address; the old link stops working at once.

    The new invitation keeps what the old one was for (the account its flow
    created, the application waiting for acceptance), so it may do exactly
    what the old one could. Returns the new invitation; its link is only in
    the email. Raises ValidationError for an accepted invitation.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(gettext("This invitation was already accepted; there is nothing to send again."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    new_account = invitation.new_account
    if new_account is not None and new_account.email.lower() != invitation.email.lower():
        new_account = None
    fresh, _ = invitation_create(
        program=invitation.program,
        email=invitation.email,
        full_name=invitation.full_name,
        role=invitation.role,
        invited_by=sent_by,
        new_account=new_account,
        application=invitation.application,
        language=invitation.language,
    )
    return fresh


def _send_invitation_email(invitation, link):
    """Queue the invitation email through the outbox (sent after commit). The
    one-time link stays in the outbox row only until it is sent, then blanked.
    Whether the email says "choose your password" or "sign in to accept" is
    decided when it is sent (``invitation_may_set_password``)."""
    return notify(
        kind=ReminderKind.INVITATION,
        recipients=[invitation.email],
        subject=invitation,
        link=link,
        program=invitation.program_id,
    )


def invitation_revoke(*, invitation):
    if not invitation.is_usable:
        raise ValidationError(
            gettext("This invitation is already %(state)s.") % {"state": str(invitation.state_label).lower()}
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(raw_token):
    """The usable invitation behind a raw token, or None."""
    invitation = Invitation.objects.select_related("program").filter(token_hash=hash_token(raw_token)).first()
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_may_set_password(invitation):
    """May opening this invitation's link (signed out) choose a password?

    The rule, in one place. An invitation link is a credential for the
    owner of the invited mailbox, and it may set a password only where that
    cannot hand over an account that is already someone's:

    - no account has the invited email: yes; accepting creates the account;
    - the account is the one this invitation's own flow created
      (``invitation.new_account``: a newcomer's accepted application, or the
      invitation sent again in its place), it is active and it still has no
      usable password: yes, this sets its first password;
    - any other existing account, with a password or without one (e.g. an
      applicant accepted by another program who has not yet set theirs): no.
      The person signs in as that account (or resets their password through
      the same mailbox) and then accepts; a coordinator can never attach a
      role to an existing account without that person accepting.
    """
    account = get_user_model().objects.filter(email__iexact=invitation.email).first()
    return account is None or _sets_first_password_of(invitation, account)


def _sets_first_password_of(invitation, account):
    return account.pk == invitation.new_account_id and account.is_active and not account.has_usable_password()


SIGN_IN_TO_ACCEPT = gettext_lazy("An account with this email already exists. Sign in to accept the invitation.")


@transaction.atomic
def invitation_accept(*, invitation, password=None, user=None, time_zone=None):
    """Give the invited person their role; returns the account.

    Either ``user``: the signed-in person, whose email must be the invited
    one; or ``password``: the first password of a new account, allowed only
    when ``invitation_may_set_password`` says so (otherwise ValidationError,
    and nothing changes). A new account lives in ``time_zone`` (an IANA name
    the person confirmed on the invitation page), else in the program's zone;
    an account choosing its first password here takes ``time_zone`` if given.
    An invitation that carries an accepted application attaches that application's profile, answers and consents now.
    The row is locked so a link can be used once, even by two quick clicks."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(gettext("This invitation link has already been used or is no longer valid."))
    User = get_user_model()
    if user is None:
        if not password:
            raise ValidationError(gettext("Choose a password."))
        # The rule of invitation_may_set_password, checked on the locked account.
        user = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
        if user is None:
            try:
                with transaction.atomic():
                    user = User.objects.create_user(
                        email=invitation.email,
                        password=password,
                        full_name=invitation.full_name,
                        time_zone=time_zone or invitation.program.time_zone,
                        language=invitation.language,
                    )
            except IntegrityError:
                # Someone else's flow created the account a moment ago.
                raise ValidationError(str(SIGN_IN_TO_ACCEPT)) from None
        elif _sets_first_password_of(invitation, user):
            user.set_password(password)
            user.time_zone = time_zone or user.time_zone
            # The account this invitation's flow created starts in its language.
            user.language = user.language or invitation.language
            user.save(update_fields=["password", "time_zone", "language"])
        else:
            raise ValidationError(str(SIGN_IN_TO_ACCEPT))
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(gettext("This invitation was sent to a different email address."))
    if invitation.application_id is not None:
        # programs.services imports this module; import here to avoid a cycle.
        from programs.services import application_join

        application_join(application=invitation.application, user=user)
    else:
        role_grant(user=user, program=invitation.program, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def role_grant(*, user, program, role):
    """Give ``user`` a role in ``program`` (idempotent)."""
    if role == Invitation.Role.COORDINATOR:
        program.coordinators.add(user)
    elif role == Invitation.Role.MENTOR:
        MentorProfile.objects.get_or_create(user=user, program=program)
    elif role == Invitation.Role.MENTEE:
        MenteeProfile.objects.get_or_create(user=user, program=program)
    elif role == Invitation.Role.VOLUNTEER:
        VolunteerProfile.objects.get_or_create(user=user, program=program)
    else:
        raise ValueError(f"Unknown role {role!r}")


def setup_checklist_dismiss(*, user):
    """Hide the first-steps checklist of the coordinator home for ``user``
    (mentoring.insights.checklist); keeps the first moment if hidden twice."""
    get_user_model().objects.filter(pk=user.pk, setup_checklist_dismissed_at__isnull=True).update(
        setup_checklist_dismissed_at=timezone.now()
    )


def user_language_set(*, user, language):
    """Save ``language`` (a code of settings.LANGUAGES, or "" to follow the
    browser) as the person's language. Raises ValueError for another code."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    get_user_model().objects.filter(pk=user.pk).update(language=language)
    user.language = language


def heartbeat_record():
    """Note that a worker ran a task now (called by the heartbeat task)."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(pk=1).update(last_seen=now, beats=F("beats") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(pk=1, defaults={"last_seen": now, "beats": 1})
    return now


# --- matches ---------------------------------------------------------------------


def _notify_match_update(match, kind):
    """Tell both people that something changed, without saying what: the
    details wait behind sign-in (the link is the home page, so not even the
    address says "match"). Through the outbox, sent after commit."""
    notify(kind=kind, recipients=[match.mentor.user, match.mentee.user], subject=match, program=match.program_id)


def _check_taking_part(mentor, mentee):
    """Refuse a mentee who left the program (or withdrew consent, or whose
    account is deactivated) and a deactivated mentor."""
    if not MenteeProfile.objects.taking_part().filter(pk=mentee.pk).exists():
        raise ValidationError(gettext("%(mentee)s is not taking part in the program now.") % {"mentee": mentee.user})
    if not mentor.user.is_active:
        raise ValidationError(gettext("%(mentor)s's account is deactivated.") % {"mentor": mentor.user})


def _check_pair(mentor, mentee):
    """Refuse a pair that breaks a hard filter; return its score."""
    if mentor.program_id != mentee.program_id:
        raise ValidationError(gettext("The mentor and the mentee are in different programs."))
    mentor_person, mentee_person, ctx = load_pair(mentor, mentee)
    score = score_pair(mentor_person, mentee_person, ctx)
    if score.blockers:
        raise ValidationError(
            gettext("%(mentor)s cannot be matched with %(mentee)s: %(reasons)s.")
            % {"mentor": mentor.user, "mentee": mentee.user, "reasons": "; ".join(str(b) for b in score.blockers)}
        )
    return score


@transaction.atomic
def match_propose(*, mentor, mentee, proposed_by):
    """Propose a match after checking every hard filter here, in the service,
    so no screen can pair an unready or full mentor. Programs that skip
    acceptance start the match at once."""
    # Lock the mentor so two proposals cannot both take the last place.
    MentorProfile.objects.select_for_update().filter(pk=mentor.pk).first()
    if Match.objects.open().filter(mentee=mentee).exists():
        raise ValidationError(gettext("%(mentee)s already has an open match.") % {"mentee": mentee.user})
    _check_taking_part(mentor, mentee)
    score = _check_pair(mentor, mentee)
    now = timezone.now()
    starts_now = not mentor.program.match_requires_acceptance
    match = Match.objects.create(
        program=mentor.program,
        mentor=mentor,
        mentee=mentee,
        score=score.total,
        proposed_by=proposed_by,
        status=Match.Status.ACTIVE if starts_now else Match.Status.PROPOSED,
        started_at=now if starts_now else None,
        created_at=now,
        status_changed_at=now,
    )
    if starts_now:
        from .insights.rollups import match_status_changed

        match_status_changed(match=match)  # due a check-in from this week on: the stored week counted again
    _notify_match_update(match, ReminderKind.MATCH_ACCEPTED if starts_now else ReminderKind.MATCH_PROPOSED)
    return match


def _set_status(match, status, **fields):
    """Every change of a match's status goes through here. Pausing, resuming
    or closing a paused match changes which weeks the check-in report counts
    (paused matches are left out of all of them): its weeks are counted again
    (insights.rollups.match_status_changed). So does starting a proposal: the
    match is due a check-in from this week on (before, the stored week lagged
    until beat's next pass)."""
    was_paused = match.status == Match.Status.PAUSED
    starts = match.status == Match.Status.PROPOSED and status in Match.CURRENT
    match.status = status
    match.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(match, name, value)
    match.save()
    if starts or was_paused != (status == Match.Status.PAUSED):
        from .insights.rollups import match_status_changed

        match_status_changed(match=match)
    return match


def _locked(match):
    return Match.objects.select_for_update().select_related("mentor__user", "mentee__user", "program").get(pk=match.pk)


@transaction.atomic
def match_respond(*, match, user, accept):
    """The mentor or the mentee accepts or declines a proposal. The match
    starts when both have accepted; one decline ends it."""
    match = _locked(match)
    side = match.side_of(user)
    if side is None:
        raise ValidationError(gettext("Only the two people in this match can answer it."))
    if match.status != Match.Status.PROPOSED:
        raise ValidationError(
            gettext("This match is %(status)s; there is nothing to answer.")
            % {"status": match.get_status_display().lower()}
        )
    if getattr(match, f"{side}_response") != Match.Response.PENDING:
        raise ValidationError(gettext("You already answered this proposal."))
    response = Match.Response.ACCEPTED if accept else Match.Response.DECLINED
    setattr(match, f"{side}_response", response)
    if not accept:
        _set_status(match, Match.Status.DECLINED, ended_at=timezone.now())
    elif match.mentor_response == match.mentee_response == Match.Response.ACCEPTED:
        _set_status(match, Match.Status.ACTIVE, started_at=timezone.now())
    else:
        match.save()
    _notify_match_update(match, ReminderKind.MATCH_ACCEPTED if accept else ReminderKind.MATCH_CLOSED)
    return match


MOVE_REFUSED = {
    "pause": gettext_lazy("A %(status)s match cannot be paused."),
    "resume": gettext_lazy("A %(status)s match cannot be resumed."),
    "activate": gettext_lazy("A %(status)s match cannot be activated."),
}
MOVES = {
    # action: (allowed from, to); refusals in MOVE_REFUSED
    "pause": ((Match.Status.ACTIVE,), Match.Status.PAUSED),
    "resume": ((Match.Status.PAUSED,), Match.Status.ACTIVE),
    "activate": ((Match.Status.PROPOSED,), Match.Status.ACTIVE),
}


@transaction.atomic
def match_move(*, match, action):
    """Coordinator moves: pause, resume, or start a proposal without waiting
    for the answers."""
    match = _locked(match)
    allowed, target = MOVES[action]
    if match.status not in allowed:
        raise ValidationError(str(MOVE_REFUSED[action]) % {"status": match.get_status_display().lower()})
    extra = {"started_at": match.started_at or timezone.now()} if target == Match.Status.ACTIVE else {}
    _set_status(match, target, **extra)  # pause and resume recount the check-in report's weeks
    _notify_match_update(match, ReminderKind.MATCH_ACCEPTED if action == "activate" else ReminderKind.MATCH_PAUSED)
    return match


@transaction.atomic
def match_close(*, match, reason, note, closed_by):
    """Close a current match with a reason; its future meetings, seats and
    reminders are released by ``mentoring.endings.match_closed`` (a
    "graduated" close also makes the mentee exit the program)."""
    from .endings import match_closed

    match = _locked(match)
    if not match.is_current:
        raise ValidationError(
            gettext("A %(status)s match cannot be closed.") % {"status": match.get_status_display().lower()}
        )
    match = _set_status(
        match,
        Match.Status.CLOSED,
        close_reason=reason,
        close_note=note.strip(),
        closed_by=closed_by,
        ended_at=timezone.now(),
    )
    match_closed(match=match, by=closed_by)
    return match


@transaction.atomic
def match_reopen(*, match):
    """Start a closed match again, if the pair still passes every hard filter."""
    match = _locked(match)
    if match.status != Match.Status.CLOSED:
        raise ValidationError(gettext("Only a closed match can be reopened."))
    if match.close_reason == Match.CloseReason.CONFLICT:
        raise ValidationError(gettext("A match closed for a conflict or boundary concern cannot be reopened."))
    if Match.objects.open().filter(mentee=match.mentee).exists():
        raise ValidationError(gettext("%(mentee)s already has another open match.") % {"mentee": match.mentee.user})
    _check_taking_part(match.mentor, match.mentee)
    _check_pair(match.mentor, match.mentee)
    from .insights.rollups import match_checkin_weeks_rebuild

    match = _set_status(match, Match.Status.ACTIVE, close_reason="", ended_at=None)
    match_checkin_weeks_rebuild(match=match)  # check-ins made while it was closed count again
    return match


def survey_submit(*, match, user, rating, comment):
    side = match.side_of(user)
    if side is None:
        raise ValidationError(gettext("Only the two people in this match can answer its survey."))
    if match.status != Match.Status.CLOSED:
        raise ValidationError(gettext("The survey opens when the match has ended."))
    survey, created = MatchSurvey.objects.get_or_create(
        match=match, side=side, defaults={"respondent": user, "rating": rating, "comment": comment.strip()}
    )
    if not created:
        raise ValidationError(gettext("You already answered this survey. Thank you!"))
    return survey


def graduation_invite(*, match, invited_by):
    """After a graduation, invite the mentee onto the mentor readiness path."""
    if match.status != Match.Status.CLOSED or match.close_reason != Match.CloseReason.GRADUATED:
        raise ValidationError(gettext("Only a mentee who graduated can be invited to mentor."))
    mentee = match.mentee.user
    if MentorProfile.objects.filter(user=mentee, program=match.program).exists():
        raise ValidationError(
            gettext("%(person)s is already a mentor in %(program)s.") % {"person": mentee, "program": match.program}
        )
    return invitation_create(
        program=match.program,
        email=mentee.email,
        full_name=mentee.full_name,
        role=Invitation.Role.MENTOR,
        invited_by=invited_by,
    )


@transaction.atomic
def pool_approve(*, program, pairs, approved_by):
    """Propose every approved (mentor, mentee) pair; a pair that no longer
    passes (someone else took the place meanwhile) is reported, not saved.
    Returns (matches, refused) where refused is [(pair, message)]."""
    matches, refused = [], []
    for mentor, mentee in pairs:
        try:
            with transaction.atomic():
                matches.append(match_propose(mentor=mentor, mentee=mentee, proposed_by=approved_by))
        except ValidationError as error:
            refused.append(((mentor, mentee), error.messages[0]))
    return matches, refused


# --- settings and bookkeeping written from pages ------------------------------------------------------


@transaction.atomic
def matching_settings_update(*, program, weights, match_requires_acceptance, first_contact_days):
    """Store a program's matching settings: ``weights`` ({criterion: weight},
    as ``MatchingSettingsForm.weights()`` gives), whether both people accept a
    proposal, and the days allowed for the first contact. New suggestions use them."""
    program.matching_weights = weights
    program.match_requires_acceptance = match_requires_acceptance
    program.first_contact_days = first_contact_days
    program.save(update_fields=["matching_weights", "match_requires_acceptance", "first_contact_days"])
    return program


def report_export_record(*, user, report, program, mentor, start, end):
    """The export log: one row per report CSV downloaded (who, which report,
    which filters: program or None for all theirs, mentor or None, dates).
    The read audit links to it."""
    return ReportExport.objects.create(user=user, report=report, program=program, mentor=mentor, start=start, end=end)


def notifications_mark_read(*, user, pk=None):
    """Mark one of the user's in-app notifications (``pk``) or all of them
    (``pk`` None or 0) as read now. Returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def channel_preferences_save(*, user, channels):
    """Store the person's channels per kind: ``channels`` {kind: (email, sms)}.
    The notification centre always keeps a copy (in-app is always on)."""
    for kind, (email, sms) in channels.items():
        ChannelPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"in_app": True, "email": email, "sms": sms}
        )


def email_unsubscribe(*, user, kind):
    """One-click unsubscribe: no more emails of ``kind`` to ``user`` (other
    channels unchanged)."""
    ChannelPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": False})
