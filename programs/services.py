"""Writes for programs, applications, intake and mentor readiness."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from mentoring.models import MenteeProfile, MentorProfile, VolunteerProfile
from mentoring.services import invitation_create
from sessions.models import Skill

from .defaults import DEFAULT_BOUNDARIES_AGREEMENT, DEFAULT_EXPERIENCE_AREAS, DEFAULT_PRIVACY_NOTICE, DEFAULT_SKILLS
from .models import (
    AgreementSignature,
    Application,
    ApplicationNote,
    BackgroundCheck,
    ConsentRecord,
    ExperienceArea,
    OnCallShift,
    PolicyDocument,
    Program,
    TrainingCompletion,
)
from .readiness import current_document

APPLICATIONS_PER_SOURCE_PER_HOUR = 5
PROFILE_MODELS = {
    Application.Kind.MENTOR: MentorProfile,
    Application.Kind.MENTEE: MenteeProfile,
    Application.Kind.VOLUNTEER: VolunteerProfile,
}
CONTACT_FIELDS = ("phone", "preferred_contact", "ok_to_text", "ok_to_call")
CONTACT_STATEMENT = "I agree that the program may contact me about my application and my participation."


# --- programs -------------------------------------------------------------


@transaction.atomic
def program_create(*, created_by, **fields):
    """A new program, coordinated by its creator, with starter texts and
    experience areas the coordinator can then edit."""
    program = Program.objects.create(**fields)
    program.coordinators.add(created_by)
    ExperienceArea.objects.bulk_create(
        [ExperienceArea(program=program, name=name) for name in DEFAULT_EXPERIENCE_AREAS]
    )
    Skill.objects.bulk_create([Skill(program=program, name=name) for name in DEFAULT_SKILLS])
    document_publish(program=program, kind=PolicyDocument.Kind.PRIVACY, body=DEFAULT_PRIVACY_NOTICE, by=created_by)
    document_publish(
        program=program, kind=PolicyDocument.Kind.BOUNDARIES, body=DEFAULT_BOUNDARIES_AGREEMENT, by=created_by
    )
    return program


def program_archive(*, program):
    if program.status == Program.Status.ARCHIVED:
        raise ValidationError("This program is already archived.")
    program.status = Program.Status.ARCHIVED
    program.save(update_fields=["status"])
    return program


@transaction.atomic
def document_publish(*, program, kind, body, by):
    """Publish the next version of a program's privacy notice or boundaries
    agreement. Earlier versions stay, with everything agreed to them."""
    body = body.strip()
    if not body:
        raise ValidationError("The text cannot be empty.")
    # Lock the program row so two coordinators publishing at once get
    # consecutive versions instead of a clash.
    Program.objects.select_for_update().filter(pk=program.pk).first()
    latest = PolicyDocument.objects.filter(program=program, kind=kind).aggregate(v=Max("version"))["v"] or 0
    return PolicyDocument.objects.create(program=program, kind=kind, version=latest + 1, body=body, published_by=by)


# --- applications -----------------------------------------------------------


def source_fingerprint(address):
    """A keyed hash of the client address: enough to rate-limit, useless to
    identify anyone. ``address`` is ``mentoring.client_address.client_network``
    of the request (proxy-aware; IPv6 by /64), so that applicants behind one
    proxy are not one source and a forged X-Forwarded-For is not a new one."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


def application_rate_limited(*, source_hash, now=None):
    since = (now or timezone.now()) - timedelta(hours=1)
    recent = Application.objects.filter(source_hash=source_hash, submitted_at__gte=since).count()
    return recent >= APPLICATIONS_PER_SOURCE_PER_HOUR


@transaction.atomic
def application_submit(*, program, kind, contact, details, experience_areas, source_hash):
    """Save an application in one transaction (nothing half-saved)."""
    if not program.accepts_applications:
        raise ValidationError("This program is not taking applications right now.")
    if application_rate_limited(source_hash=source_hash):
        raise ValidationError("We received several applications from this connection. Please try again in an hour.")
    application = Application.objects.create(
        program=program,
        kind=kind,
        privacy_notice=current_document(program, PolicyDocument.Kind.PRIVACY),
        details=details,
        source_hash=source_hash,
        **contact,
    )
    application.experience_areas.set(experience_areas)
    return application


ALLOWED_DECISIONS = {
    Application.Status.NEW: {Application.Status.ACCEPTED, Application.Status.DECLINED, Application.Status.WAITLISTED},
    Application.Status.WAITLISTED: {Application.Status.ACCEPTED, Application.Status.DECLINED},
    Application.Status.DECLINED: {Application.Status.WAITLISTED},
    Application.Status.ACCEPTED: set(),
}


@transaction.atomic
def application_decide(*, application, decision, reason, decided_by):
    """Accept, decline or waitlist an application, with a reason."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if decision not in ALLOWED_DECISIONS[application.status]:
        raise ValidationError(
            f"An application that is {application.get_status_display().lower()} cannot be "
            f"{Application.Status(decision).label.lower()}."
        )
    if decision == Application.Status.ACCEPTED:
        application.person = _accept(application, decided_by)
    application.status = decision
    application.decision_reason = reason.strip()
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.save()
    return application


def _accept(application, decided_by):
    """Invite the accepted person; returns the account when this acceptance
    created it, else None.

    Same email = same person. A newcomer's account is created here (no
    password yet), with the profile the application describes and their
    consents, and the invitation bound to it (``new_account``) is the only
    one whose link may choose its first password. Someone who already has an
    account (in any program, with or without a password) is never given a
    role by a coordinator: they get an invitation carrying the application,
    and the profile, answers and consents are attached only when they accept
    it signed in as themselves (``application_join``)."""
    User = get_user_model()
    invitation = {
        "program": application.program,
        "email": application.email,
        "full_name": application.full_name,
        "role": application.kind,
        "invited_by": decided_by,
    }
    if User.objects.filter(email__iexact=application.email).exists():
        invitation_create(**invitation, application=application)
        return None
    contact = {name: getattr(application, name) for name in CONTACT_FIELDS}
    user = User.objects.create_user(email=application.email, password=None, full_name=application.full_name, **contact)
    application_join(application=application, user=user)
    invitation_create(**invitation, new_account=user)
    return user


def application_join(*, application, user):
    """Attach an accepted application to its person: the profile it
    describes (with its answers and experience areas), a background check
    for a mentor, the intake date for a mentee, the consents given when
    applying. Called when a newcomer's account is created, or when someone
    who already had an account accepts the invitation; an existing account
    keeps its own contact details (the application's phone number may not
    even be theirs: anyone can apply with any email). Idempotent for the
    profile."""
    profile_model = PROFILE_MODELS[application.kind]
    profile, _ = profile_model.objects.get_or_create(user=user, program=application.program)
    _apply_details(profile, application)
    if application.kind == Application.Kind.MENTOR:
        _open_background_check(profile)
    if application.kind == Application.Kind.MENTEE and profile.intake_date is None:
        profile.intake_date = timezone.localdate()
        profile.save(update_fields=["intake_date"])
    _record_application_consents(application, user)
    if application.person_id != user.pk:
        application.person = user
        application.save(update_fields=["person"])
    return profile


def _apply_details(profile, application):
    """Copy the application's answers onto the profile fields of the same name."""
    fields = {f.name for f in profile._meta.get_fields() if getattr(f, "concrete", False) and not f.many_to_many}
    changed = [name for name in application.details if name in fields]
    for name in changed:
        setattr(profile, name, application.details[name])
    if changed:
        profile.save(update_fields=changed)
    if hasattr(profile, "experience_areas"):
        profile.experience_areas.add(*application.experience_areas.all())


def _open_background_check(mentor):
    status = (
        BackgroundCheck.Status.PENDING
        if mentor.program.background_check_required
        else BackgroundCheck.Status.NOT_REQUIRED
    )
    BackgroundCheck.objects.get_or_create(mentor=mentor, defaults={"status": status})


def _record_application_consents(application, user):
    base = {"program": application.program, "person": user, "agreed_at": application.submitted_at}
    if application.consent_to_contact:
        ConsentRecord.objects.create(kind=ConsentRecord.Kind.CONTACT, statement=CONTACT_STATEMENT, **base)
    if application.privacy_notice_id:
        ConsentRecord.objects.create(
            kind=ConsentRecord.Kind.PRIVACY,
            statement=application.privacy_notice.body,
            document=application.privacy_notice,
            **base,
        )


def application_note_add(*, application, author, body):
    body = body.strip()
    if not body:
        raise ValidationError("A note cannot be empty.")
    return ApplicationNote.objects.create(application=application, author=author, body=body)


# --- readiness ----------------------------------------------------------------


def completion_mark_done(*, mentor, module):
    """The mentor says they finished a module; a coordinator confirms later."""
    if module.program_id != mentor.program_id or module.is_archived:
        raise ValidationError("This module is not part of your program's training.")
    completion, _ = TrainingCompletion.objects.get_or_create(mentor=mentor, module=module)
    if completion.marked_done_at is None:
        completion.marked_done_at = timezone.now()
        completion.save(update_fields=["marked_done_at"])
    return completion


def completion_confirm(*, mentor, module, confirmed_by):
    """A coordinator confirms a module (whether or not the mentor marked it)."""
    if module.program_id != mentor.program_id:
        raise ValidationError("This module belongs to another program.")
    now = timezone.now()
    completion, _ = TrainingCompletion.objects.get_or_create(mentor=mentor, module=module)
    completion.marked_done_at = completion.marked_done_at or now
    completion.confirmed_at = now
    completion.confirmed_by = confirmed_by
    completion.save()
    return completion


def background_check_update(*, mentor, status, checked_on, expires_on, updated_by):
    if status == BackgroundCheck.Status.CLEARED and not checked_on:
        raise ValidationError({"checked_on": "Give the date the check was cleared."})
    if checked_on and expires_on and expires_on <= checked_on:
        raise ValidationError({"expires_on": "The expiry must come after the check date."})
    check, _ = BackgroundCheck.objects.update_or_create(
        mentor=mentor,
        defaults={
            "status": status,
            "checked_on": checked_on,
            "expires_on": expires_on,
            "updated_by": updated_by,
            "updated_at": timezone.now(),
        },
    )
    return check


def agreement_sign(*, mentor, document, typed_name):
    """Sign the current version of the boundaries agreement."""
    current = current_document(mentor.program, PolicyDocument.Kind.BOUNDARIES)
    if current is None or document.pk != current.pk:
        raise ValidationError("A newer version of the agreement was published. Please read it and sign again.")
    if typed_name.strip().casefold() != mentor.user.full_name.strip().casefold():
        raise ValidationError({"typed_name": "Type your full name exactly as it appears on your account."})
    try:
        with transaction.atomic():
            return AgreementSignature.objects.create(mentor=mentor, document=document, typed_name=typed_name.strip())
    except IntegrityError:
        return AgreementSignature.objects.get(mentor=mentor, document=document)


# --- intake -------------------------------------------------------------------


def consent_record(*, program, person, kind, statement, recorded_by, document=None):
    return ConsentRecord.objects.create(
        program=program, person=person, kind=kind, statement=statement, document=document, recorded_by=recorded_by
    )


def consent_revoke(*, consent, revoked_by):
    if consent.revoked_at:
        raise ValidationError("This consent was already withdrawn.")
    consent.revoked_at = timezone.now()
    consent.revoked_by = revoked_by
    consent.save(update_fields=["revoked_at", "revoked_by"])
    return consent


def _check_rota_person(program, person, field):
    from .oncall import rota_people

    if person is not None and not rota_people(program).filter(pk=person.pk).exists():
        raise ValidationError({field: "Choose a coordinator or designated staff member of this program."})


def on_call_shift_add(*, program, person, weekday, starts_at, ends_at):
    """Add a weekly shift to ``program``'s on-call rota: ``weekday`` 0–6
    (Monday first), ``starts_at``/``ends_at`` local times (``datetime.time``) in
    ``program.time_zone``; an end before the start crosses midnight. Raises
    ValidationError (by field) when ``person`` is not a coordinator or designated
    staff of the program, or the end equals the start. Returns the shift."""
    _check_rota_person(program, person, "person")
    if starts_at == ends_at:
        raise ValidationError({"ends_at": "The shift must end at another time than it starts."})
    return OnCallShift.objects.create(
        program=program, person=person, weekday=weekday, starts_at=starts_at, ends_at=ends_at
    )


def on_call_shift_remove(*, shift):
    """Remove one shift from the rota."""
    shift.delete()


def on_call_settings_update(*, program, fallback, escalate_after_minutes):
    """Set the program's fallback person (None: all coordinators) and the
    minutes an unanswered help-now alert waits before the next step of the
    ladder. Raises ValidationError when the fallback is not a coordinator or
    designated staff of the program, or the minutes are below 1."""
    _check_rota_person(program, fallback, "on_call_fallback")
    if escalate_after_minutes is None or escalate_after_minutes < 1:
        raise ValidationError({"escalate_after_minutes": "At least 1 minute."})
    program.on_call_fallback = fallback
    program.escalate_after_minutes = escalate_after_minutes
    program.save(update_fields=["on_call_fallback", "escalate_after_minutes"])
    return program
