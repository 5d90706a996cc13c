"""Writes for programs, applications, intake and mentor readiness."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from goals.selectors import default_instrument
from mentoring.localized import active_language, default_language, localized, localized_language
from mentoring.models import Invitation, MenteeProfile, MentorProfile, VolunteerProfile
from mentoring.phones import known_region
from mentoring.services import invitation_create
from resources.services import taxonomy_ready
from sessions.models import Skill

from .defaults import (
    DEFAULT_BOUNDARIES_AGREEMENT,
    DEFAULT_BOUNDARIES_AGREEMENT_ES,
    DEFAULT_EXPERIENCE_AREAS,
    DEFAULT_EXPERIENCE_AREAS_ES,
    DEFAULT_PRIVACY_NOTICE,
    DEFAULT_PRIVACY_NOTICE_ES,
    DEFAULT_SKILLS,
    DEFAULT_SKILLS_ES,
)
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
    phone_region_default,
)
from .readiness import current_document

APPLICATIONS_PER_SOURCE_PER_HOUR = 5
PROFILE_MODELS = {
    Application.Kind.MENTOR: MentorProfile,
    Application.Kind.MENTEE: MenteeProfile,
    Application.Kind.VOLUNTEER: VolunteerProfile,
}
CONTACT_FIELDS = ("phone", "preferred_contact", "ok_to_text", "ok_to_call")
# Recorded in the language the application was filled in (Application.language).
CONTACT_STATEMENT = gettext_lazy("I agree that the program may contact me about my application and my participation.")


# --- programs -------------------------------------------------------------


@transaction.atomic
def program_create(*, created_by, **fields):
    """A new program, coordinated by its creator, with starter texts,
    experience areas and risk phrases (conversations.defaults) the coordinator can then edit."""
    program = Program.objects.create(**fields)
    program.coordinators.add(created_by)
    ExperienceArea.objects.bulk_create(
        [
            ExperienceArea(program=program, name=name, name_es=DEFAULT_EXPERIENCE_AREAS_ES.get(name, ""))
            for name in DEFAULT_EXPERIENCE_AREAS
        ]
    )
    Skill.objects.bulk_create(
        [Skill(program=program, name=name, name_es=DEFAULT_SKILLS_ES.get(name, "")) for name in DEFAULT_SKILLS]
    )
    document_publish(
        program=program,
        kind=PolicyDocument.Kind.PRIVACY,
        body=DEFAULT_PRIVACY_NOTICE,
        body_es=DEFAULT_PRIVACY_NOTICE_ES,
        by=created_by,
    )
    document_publish(
        program=program,
        kind=PolicyDocument.Kind.BOUNDARIES,
        body=DEFAULT_BOUNDARIES_AGREEMENT,
        body_es=DEFAULT_BOUNDARIES_AGREEMENT_ES,
        by=created_by,
    )
    # Reference data the pages read (made by data migrations; here too, should
    # a site have lost them): pages never create it during a GET.
    default_instrument()
    taxonomy_ready()
    from conversations.services import risk_phrases_seed  # conversations imports this app's models

    risk_phrases_seed(program=program)
    return program


def program_unique_slug(name):
    """A slug for a new program from its name, unique among all programs
    (``riverbend``, then ``riverbend-2``, ...)."""
    base = slugify(name)[:120] or "program"
    slug, n = base, 1
    while Program.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organisation_setup(*, program_name, time_zone, coordinator_email, coordinator_name, phone_region=""):
    """The first program and coordinator of a new organisation, without demo
    data (``manage.py setup_organisation``).

    Creates the coordinator's account without a password (in ``time_zone``),
    the program through ``program_create`` (starter privacy notice,
    boundaries agreement, experience areas and skills) as a *draft*, so that
    it takes no applications until the coordinator opens them (the first
    sign-in checklist says so), and an invitation to coordinate it whose
    one-time link sets the account's first password (valid
    ``INVITATION_VALID_DAYS``; also sent by email through the outbox).
    Two-factor sign-in is set up at the first sign-in (coordinators must).

    ``time_zone``: an IANA name. ``phone_region``: the two-letter country
    (ISO 3166-1, as libphonenumber knows it) in which numbers typed without
    ``+`` are read; empty takes ``PHONE_DEFAULT_REGION``. Returns ``(program, coordinator, link)``;
    the link is a credential: show it only to the person running the command.
    Raises ValidationError (nothing is written) when an account has that
    email or a program has that name (any case), or a value is invalid.
    """
    from mentoring.models import time_zone_choices

    User = get_user_model()
    email = User.objects.normalize_email(coordinator_email or "").strip().lower()
    program_name, coordinator_name = (program_name or "").strip(), (coordinator_name or "").strip()
    errors = {}
    email_max = User._meta.get_field("email").max_length
    name_max = User._meta.get_field("full_name").max_length
    try:
        validate_email(email)
    except ValidationError:
        errors["coordinator_email"] = gettext("Enter a valid email address.")
    else:
        if len(email) > email_max:
            errors["coordinator_email"] = gettext("The email address is too long (at most %(count)s characters).") % {
                "count": email_max
            }
        elif User.objects.filter(email__iexact=email).exists():
            errors["coordinator_email"] = gettext("An account with this email already exists.")
    if not program_name:
        errors["program_name"] = gettext("Give the program a name.")
    elif "\x00" in program_name:
        errors["program_name"] = gettext("The program name has a character that cannot be stored.")
    elif len(program_name) > Program._meta.get_field("name").max_length:
        errors["program_name"] = gettext("The program name is too long (at most 120 characters).")
    elif Program.objects.filter(name__iexact=program_name).exists():
        errors["program_name"] = gettext("A program with this name already exists.")
    if not coordinator_name:
        errors["coordinator_name"] = gettext("Give the coordinator's name.")
    elif "\x00" in coordinator_name:
        errors["coordinator_name"] = gettext("The name has a character that cannot be stored.")
    elif len(coordinator_name) > name_max:
        errors["coordinator_name"] = gettext("The name is too long (at most %(count)s characters).") % {
            "count": name_max
        }
    if time_zone not in {value for value, _ in time_zone_choices()}:
        errors["time_zone"] = gettext("Use a time zone name such as America/Chicago or Europe/London.")
    phone_region = (phone_region or "").strip().upper() or phone_region_default()
    if not known_region(phone_region):
        errors["phone_region"] = gettext("Use the two-letter country code, for example US, CA or GB.")
    if errors:
        raise ValidationError(errors)
    coordinator = User.objects.create_user(email=email, password=None, full_name=coordinator_name, time_zone=time_zone)
    program = program_create(
        created_by=coordinator,
        name=program_name,
        slug=program_unique_slug(program_name),
        time_zone=time_zone,
        phone_region=phone_region,
        status=Program.Status.DRAFT,
    )
    _, link = invitation_create(
        program=program,
        email=email,
        full_name=coordinator_name,
        role=Invitation.Role.COORDINATOR,
        invited_by=None,
        new_account=coordinator,
    )
    return program, coordinator, link


def program_archive(*, program, by=None):
    """Archive a program and release what it held: see
    ``mentoring.endings.program_archive``."""
    from mentoring.endings import program_archive as archive

    archived = archive(program=program, by=by)
    program.status = archived.status  # the caller's object too
    return program


def _same_text(a, b):
    """Equal but for spacing and line breaks."""
    return " ".join(a.split()) == " ".join(b.split())


def mentors_to_resign(program):
    """The program's mentors (active accounts) whose boundaries agreement
    counts now: each must sign again when a new version is not a minor edit."""
    from .readiness import with_readiness

    return with_readiness(program.mentor_profiles.filter(user__is_active=True)).filter(agreement_ok=True)


@transaction.atomic
def document_publish(*, program, kind, body, by, body_es="", minor_edit=False, grace_until=None):
    """Publish the next version of a program's privacy notice or boundaries
    agreement (any versioned text). Earlier versions stay, with everything
    agreed to them. ``body_es`` is the same version in Spanish (optional;
    empty: Spanish readers see ``body``, see mentoring.localized).

    Refuses (ValidationError on ``body``) an empty text and a text equal to
    the current version but for spacing: republishing would make every
    mentor sign again for nothing. For the boundaries agreement:
    ``minor_edit`` keeps every signature that counted (nobody re-signs);
    otherwise the mentors must sign again, and ``grace_until`` (a date in the
    program's zone, from today on) keeps them ready until then. The mentors
    who must sign again are told through the outbox (``_tell_mentors_to_sign``)."""
    body = body.strip()
    body_es = (body_es or "").strip()
    if not body:
        raise ValidationError({"body": gettext("The text cannot be empty.")})
    if grace_until is not None and (minor_edit or grace_until < timezone.localdate()):
        raise ValidationError({"grace_until": gettext("Give a date from today on, or choose another option.")})
    # Lock the program row so two coordinators publishing at once get
    # consecutive versions instead of a clash.
    Program.objects.select_for_update().filter(pk=program.pk).first()
    current = PolicyDocument.objects.filter(program=program, kind=kind).order_by("-version").first()
    if current is not None and _same_text(current.body, body) and _same_text(current.body_es, body_es):
        raise ValidationError(
            {
                "body": gettext("This is the text of version %(version)s; change it to publish.")
                % {"version": current.version}
            }
        )
    resign = []
    if kind == PolicyDocument.Kind.BOUNDARIES and current is not None and not minor_edit:
        resign = list(mentors_to_resign(program).select_related("user"))
    latest = PolicyDocument.objects.filter(program=program, kind=kind).aggregate(v=Max("version"))["v"] or 0
    version = latest + 1
    fields = {"signatures_from": version}
    if current is not None and minor_edit:
        fields = {
            "signatures_from": current.signatures_from or current.version,
            "minor_edit": True,
            "grace_until": current.grace_until,
            "grace_from": current.grace_from,
        }
    elif current is not None and grace_until is not None:
        fields["grace_until"] = grace_until
        fields["grace_from"] = current.signatures_count_from(timezone.localdate())
    document = PolicyDocument.objects.create(
        program=program, kind=kind, version=version, body=body, body_es=body_es, published_by=by, **fields
    )
    if resign:
        _tell_mentors_to_sign([mentor.user for mentor in resign], document)
    document.resign_count = len(resign)
    return document


def _tell_mentors_to_sign(users, document):
    """The one place that tells mentors a new agreement waits for their
    signature: through the outbox as "something in your profile needs
    renewing" (content-neutral; the readiness checklist says what)."""
    from mentoring.models import ReminderKind
    from mentoring.notifications.notify import notify

    notify(
        kind=ReminderKind.READINESS_EXPIRING,
        recipients=users,
        subject=document,
        link="/home/mentor/",
        program=document.program_id,
    )


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
def application_submit(*, program, kind, contact, details, experience_areas, source_hash, language=None):
    """Save an application in one transaction (nothing half-saved). The
    privacy notice agreed to is the program's current one, in the version
    ``language`` shows (default: the active language; English when the
    notice has no version in it), recorded in ``privacy_notice_language``;
    ``language`` itself is kept as the application's ``language``."""
    if not program.accepts_applications:
        raise ValidationError(gettext("This program is not taking applications right now."))
    if application_rate_limited(source_hash=source_hash):
        raise ValidationError(
            gettext("We received several applications from this connection. Please try again in an hour.")
        )
    notice = current_document(program, PolicyDocument.Kind.PRIVACY)
    application = Application.objects.create(
        program=program,
        kind=kind,
        privacy_notice=notice,
        privacy_notice_language=localized_language(notice, "body", language) if notice else default_language(),
        language=language or active_language(),
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
            gettext("An application that is %(status)s cannot be %(decision)s.")
            % {
                "status": application.get_status_display().lower(),
                "decision": Application.Status(decision).label.lower(),
            }
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
    pending = Invitation.objects.filter(
        program=application.program,
        email__iexact=application.email,
        role=application.kind,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    if pending is not None:
        # A repeat application (same email, any case) of someone already
        # invited: the first link keeps working; no second invitation.
        if pending.new_account_id is not None:
            application_join(application=application, user=pending.new_account)
        return pending.new_account
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
    # A newcomer lives in their program's zone until they say otherwise (the
    # invitation page asks them to confirm it).
    user = User.objects.create_user(
        email=application.email,
        password=None,
        full_name=application.full_name,
        time_zone=application.program.time_zone,
        # The language the form was filled in: the invitation email and the pages after it use it.
        language=application.language,
        **contact,
    )
    application_join(application=application, user=user)
    invitation_create(**invitation, new_account=user)
    if user.ok_to_text and user.phone:
        # Okay-to-text from the application: texts start once they answer YES (mentoring.contact).
        from mentoring.contact import text_consent_request

        text_consent_request(person=user)
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
        with translation.override(application.language):
            statement = str(CONTACT_STATEMENT)
        ConsentRecord.objects.create(
            kind=ConsentRecord.Kind.CONTACT, statement=statement, language=application.language, **base
        )
    if application.privacy_notice_id:
        ConsentRecord.objects.create(
            kind=ConsentRecord.Kind.PRIVACY,
            statement=localized(application.privacy_notice, "body", application.privacy_notice_language),
            language=application.privacy_notice_language,
            document=application.privacy_notice,
            **base,
        )


@transaction.atomic
def application_merge(*, duplicate, into, by):
    """Merge a repeat application into the one kept: the repeat (same
    program, same email ignoring case, not accepted) is declined with the
    reason "merged", points to ``into`` and is no longer flagged; its
    experience areas are added to ``into`` and a note on ``into`` records the
    merge. Nobody is emailed. Raises ValidationError otherwise."""
    duplicate = Application.objects.select_for_update().get(pk=duplicate.pk)
    if duplicate.pk == into.pk or duplicate.program_id != into.program_id:
        raise ValidationError(gettext("Only another application to the same program can be merged."))
    if duplicate.email.casefold() != into.email.casefold():
        raise ValidationError(gettext("Only an application with the same email can be merged."))
    if duplicate.status == Application.Status.ACCEPTED or duplicate.merged_into_id:
        raise ValidationError(gettext("This application was already accepted or merged."))
    if into.merged_into_id:
        raise ValidationError(gettext("Keep an application that was not merged itself."))
    duplicate.status = Application.Status.DECLINED
    duplicate.merged_into = into
    duplicate.decision_reason = f"Repeat of application #{into.pk}: merged."
    duplicate.decided_at = timezone.now()
    duplicate.decided_by = by
    duplicate.save(update_fields=["status", "merged_into", "decision_reason", "decided_at", "decided_by"])
    into.experience_areas.add(*duplicate.experience_areas.all())
    ApplicationNote.objects.create(
        application=into,
        author=by,
        body=f"Merged the repeat application #{duplicate.pk} (sent {duplicate.submitted_at:%Y-%m-%d}) into this one.",
    )
    return duplicate


def application_note_add(*, application, author, body):
    body = body.strip()
    if not body:
        raise ValidationError(gettext("A note cannot be empty."))
    return ApplicationNote.objects.create(application=application, author=author, body=body)


# --- readiness ----------------------------------------------------------------


def completion_mark_done(*, mentor, module):
    """The mentor says they finished a module; a coordinator confirms later."""
    if module.program_id != mentor.program_id or module.is_archived:
        raise ValidationError(gettext("This module is not part of your program's training."))
    completion, _ = TrainingCompletion.objects.get_or_create(mentor=mentor, module=module)
    if completion.marked_done_at is None:
        completion.marked_done_at = timezone.now()
        completion.save(update_fields=["marked_done_at"])
    return completion


def completion_confirm(*, mentor, module, confirmed_by):
    """A coordinator confirms a module (whether or not the mentor marked it)."""
    if module.program_id != mentor.program_id:
        raise ValidationError(gettext("This module belongs to another program."))
    now = timezone.now()
    completion, _ = TrainingCompletion.objects.get_or_create(mentor=mentor, module=module)
    completion.marked_done_at = completion.marked_done_at or now
    completion.confirmed_at = now
    completion.confirmed_by = confirmed_by
    completion.save()
    return completion


def background_check_update(*, mentor, status, checked_on, expires_on, updated_by):
    if status == BackgroundCheck.Status.CLEARED and not checked_on:
        raise ValidationError({"checked_on": gettext("Give the date the check was cleared.")})
    if checked_on and expires_on and expires_on <= checked_on:
        raise ValidationError({"expires_on": gettext("The expiry must come after the check date.")})
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


def agreement_sign(*, mentor, document, typed_name, language=None):
    """Sign the current version of the boundaries agreement. ``language`` is
    the language of the page the mentor read (default: the active one); the
    signature records the language version shown: that language when the
    document has a version in it, else English (mentoring.localized)."""
    current = current_document(mentor.program, PolicyDocument.Kind.BOUNDARIES)
    if current is None or document.pk != current.pk:
        raise ValidationError(gettext("A newer version of the agreement was published. Please read it and sign again."))
    if typed_name.strip().casefold() != mentor.user.full_name.strip().casefold():
        raise ValidationError({"typed_name": gettext("Type your full name exactly as it appears on your account.")})
    try:
        with transaction.atomic():
            return AgreementSignature.objects.create(
                mentor=mentor,
                document=document,
                typed_name=typed_name.strip(),
                language=localized_language(document, "body", language),
            )
    except IntegrityError:
        return AgreementSignature.objects.get(mentor=mentor, document=document)


# --- intake -------------------------------------------------------------------


def consent_record(*, program, person, kind, statement, recorded_by, document=None, language=None):
    """Record a consent given outside the app (``statement``: the words the
    person saw, in ``language``, default the active language)."""
    return ConsentRecord.objects.create(
        program=program,
        person=person,
        kind=kind,
        statement=statement,
        document=document,
        recorded_by=recorded_by,
        language=language or active_language(),
    )


@transaction.atomic
def consent_revoke(*, consent, revoked_by):
    """Withdraw a consent; what that releases (participation: matches,
    meetings, seats, matching) is ``mentoring.endings.consent_withdrawn``."""
    from mentoring.endings import consent_withdrawn

    if consent.revoked_at:
        raise ValidationError(gettext("This consent was already withdrawn."))
    consent.revoked_at = timezone.now()
    consent.revoked_by = revoked_by
    consent.save(update_fields=["revoked_at", "revoked_by"])
    consent_withdrawn(consent=consent, by=revoked_by)
    return consent


def _check_rota_person(program, person, field):
    from .oncall import rota_people

    if person is not None and not rota_people(program).filter(pk=person.pk).exists():
        raise ValidationError({field: gettext("Choose a coordinator or designated staff member of this program.")})


def on_call_shift_add(*, program, person, weekday, starts_at, ends_at):
    """Add a weekly shift to ``program``'s on-call rota: ``weekday`` 0–6
    (Monday first), ``starts_at``/``ends_at`` local times (``datetime.time``) in
    ``program.time_zone``; an end before the start crosses midnight. Raises
    ValidationError (by field) when ``person`` is not a coordinator or designated
    staff of the program, or the end equals the start. Returns the shift."""
    _check_rota_person(program, person, "person")
    if starts_at == ends_at:
        raise ValidationError({"ends_at": gettext("The shift must end at another time than it starts.")})
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
        raise ValidationError({"escalate_after_minutes": gettext("At least 1 minute.")})
    program.on_call_fallback = fallback
    program.escalate_after_minutes = escalate_after_minutes
    program.save(update_fields=["on_call_fallback", "escalate_after_minutes"])
    return program


# --- program setup toggles ---------------------------------------------------------------------


@transaction.atomic
def experience_area_toggle(*, area):
    """Offer a lived-experience area again, or hide it from forms (people who
    chose it keep it). Returns the area with its new ``is_active``."""
    area.is_active = not area.is_active
    area.save(update_fields=["is_active"])
    return area


@transaction.atomic
def training_module_archive_toggle(*, module):
    """Archive a training module (it leaves the readiness checklist; completions
    stay) or bring it back. Returns the module with its new ``is_archived``."""
    module.is_archived = not module.is_archived
    module.save(update_fields=["is_archived"])
    return module
