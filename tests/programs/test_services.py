"""Program services: programs and their texts, applications and decisions,
readiness steps and consent records."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring.models import Invitation, MenteeProfile, MentorProfile, VolunteerProfile
from mentoring.services import invitation_accept, invitation_may_set_password
from programs.defaults import DEFAULT_EXPERIENCE_AREAS
from programs.models import (
    AgreementSignature,
    Application,
    ApplicationNote,
    BackgroundCheck,
    ConsentRecord,
    PolicyDocument,
    Program,
    TrainingCompletion,
)
from programs.services import (
    APPLICATIONS_PER_SOURCE_PER_HOUR,
    CONTACT_STATEMENT,
    agreement_sign,
    application_decide,
    application_note_add,
    application_submit,
    background_check_update,
    completion_confirm,
    completion_mark_done,
    consent_record,
    consent_revoke,
    document_publish,
    program_archive,
    program_create,
    source_fingerprint,
)
from tests.factories import (
    ApplicationFactory,
    MentorProfileFactory,
    PolicyDocumentFactory,
    ProgramFactory,
    TrainingModuleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


# --- programs and their texts ----------------------------------------------------


def test_program_create_gives_the_creator_the_program_and_starter_content():
    creator = UserFactory(full_name="Casey Coordinator")
    program = program_create(created_by=creator, name="Harbor Peers", slug="harbor-peers")
    assert list(program.coordinators.all()) == [creator]
    assert sorted(program.experience_areas.values_list("name", flat=True)) == sorted(DEFAULT_EXPERIENCE_AREAS)
    documents = {(d.kind, d.version, d.published_by) for d in program.documents.all()}
    assert documents == {
        (PolicyDocument.Kind.PRIVACY, 1, creator),
        (PolicyDocument.Kind.BOUNDARIES, 1, creator),
    }
    assert all(d.body for d in program.documents.all())
    assert program.accepts_applications


def test_document_publish_adds_the_next_version_and_keeps_the_old_ones():
    creator = UserFactory()
    program = program_create(created_by=creator, name="Harbor Peers", slug="harbor-peers")
    second = document_publish(program=program, kind=PolicyDocument.Kind.BOUNDARIES, body="  Second text.  ", by=creator)
    third = document_publish(program=program, kind=PolicyDocument.Kind.BOUNDARIES, body="Third text.", by=creator)
    assert (second.version, second.body, third.version) == (2, "Second text.", 3)
    versions = program.documents.filter(kind=PolicyDocument.Kind.BOUNDARIES).values_list("version", flat=True)
    assert sorted(versions) == [1, 2, 3]
    # The privacy notice has its own numbering.
    privacy = document_publish(program=program, kind=PolicyDocument.Kind.PRIVACY, body="New notice.", by=creator)
    assert privacy.version == 2


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_document_publish_refuses_an_empty_text(body):
    program = ProgramFactory()
    with pytest.raises(ValidationError):
        document_publish(program=program, kind=PolicyDocument.Kind.PRIVACY, body=body, by=None)
    assert not program.documents.exists()


def test_program_archive_once_and_not_twice():
    program = ProgramFactory()
    program_archive(program=program)
    program.refresh_from_db()
    assert program.status == Program.Status.ARCHIVED
    assert not program.accepts_applications
    with pytest.raises(ValidationError):
        program_archive(program=program)


# --- applications -------------------------------------------------------------------


@pytest.fixture
def program():
    return program_create(created_by=UserFactory(full_name="Casey Coordinator"), name="Harbor", slug="harbor")


@pytest.fixture
def coordinator(program):
    return program.coordinators.get()


CONTACT = {
    "full_name": "Nia Newcomer",
    "email": "nia@test.example",
    "phone": "555-0100",
    "preferred_contact": "text",
    "ok_to_text": True,
    "ok_to_call": False,
    "consent_to_contact": True,
}

MENTOR_DETAILS = {
    "pathways": ["smart", "secular"],
    "languages": ["en", "es"],
    "capacity": 2,
    "recovery_months": 40,
    "topics": ["work", "housing"],
    "bio": "Ten years of bikes and coffee.",
    "gender": "woman",
    "interests": ["cycling"],
}

MENTEE_DETAILS = {
    "pathways": ["twelve_step"],
    "languages": ["es"],
    "topics": ["early_days", "family"],
    "preferred_mentor_gender": "woman",
}


def _submit(program, kind="mentor", details=None, areas=(), source="198.51.100.7", **contact):
    return application_submit(
        program=program,
        kind=kind,
        contact={**CONTACT, **contact},
        details=MENTOR_DETAILS if details is None else details,
        experience_areas=list(areas),
        source_hash=source_fingerprint(source),
    )


def test_application_submit_saves_everything_with_the_current_privacy_notice(program, coordinator):
    notice_v2 = document_publish(program=program, kind=PolicyDocument.Kind.PRIVACY, body="Notice v2.", by=coordinator)
    areas = list(program.experience_areas.order_by("name")[:2])
    application = _submit(program, areas=areas)
    application.refresh_from_db()
    assert (application.program, application.kind, application.status) == (program, "mentor", "new")
    assert (application.full_name, application.email, application.phone) == (
        "Nia Newcomer",
        "nia@test.example",
        "555-0100",
    )
    assert (application.preferred_contact, application.ok_to_text, application.consent_to_contact) == (
        "text",
        True,
        True,
    )
    assert application.details == MENTOR_DETAILS
    assert set(application.experience_areas.all()) == set(areas)
    assert application.privacy_notice == notice_v2
    # The address itself is not stored, only a keyed hash of it.
    assert application.source_hash == source_fingerprint("198.51.100.7")
    assert "198.51.100.7" not in application.source_hash


def test_an_archived_program_takes_no_applications(program):
    program_archive(program=program)
    with pytest.raises(ValidationError):
        _submit(program)
    assert not Application.objects.exists()


def test_the_sixth_application_from_one_source_within_an_hour_is_refused(program):
    assert APPLICATIONS_PER_SOURCE_PER_HOUR == 5
    for i in range(5):
        _submit(program, email=f"person{i}@test.example")
    with pytest.raises(ValidationError):
        _submit(program, email="sixth@test.example")
    assert Application.objects.count() == 5
    assert not Application.objects.filter(email="sixth@test.example").exists()
    # Another connection is not held back.
    _submit(program, email="elsewhere@test.example", source="203.0.113.9")
    assert Application.objects.count() == 6


def test_applications_older_than_an_hour_do_not_count_toward_the_limit(program):
    for i in range(5):
        _submit(program, email=f"person{i}@test.example")
    Application.objects.update(submitted_at=timezone.now() - timedelta(minutes=61))
    _submit(program, email="later@test.example")
    assert Application.objects.count() == 6


def _accept(application, coordinator, reason="Good fit."):
    return application_decide(application=application, decision="accepted", reason=reason, decided_by=coordinator)


def test_accepting_a_mentor_creates_the_person_profile_check_consents_and_invitation(
    program, coordinator, django_capture_on_commit_callbacks
):
    areas = list(program.experience_areas.order_by("name")[:2])
    application = _submit(program, areas=areas, email="Nia@Test.Example")
    with django_capture_on_commit_callbacks(execute=True):
        decided = _accept(application, coordinator)

    assert (decided.status, decided.decided_by, decided.decision_reason) == ("accepted", coordinator, "Good fit.")
    assert decided.decided_at is not None
    person = User.objects.get(email__iexact="nia@test.example")
    assert decided.person == person
    assert person.full_name == "Nia Newcomer"
    assert not person.has_usable_password()

    profile = MentorProfile.objects.get(user=person, program=program)
    assert profile.pathways == ["smart", "secular"]
    assert profile.languages == ["en", "es"]
    assert (profile.capacity, profile.recovery_months) == (2, 40)
    assert profile.topics == ["work", "housing"]
    assert (profile.bio, profile.gender, profile.interests) == ("Ten years of bikes and coffee.", "woman", ["cycling"])
    assert set(profile.experience_areas.all()) == set(areas)
    assert not MenteeProfile.objects.filter(user=person).exists()

    assert BackgroundCheck.objects.get(mentor=profile).status == BackgroundCheck.Status.PENDING

    consents = {c.kind: c for c in ConsentRecord.objects.filter(person=person, program=program)}
    assert set(consents) == {ConsentRecord.Kind.CONTACT, ConsentRecord.Kind.PRIVACY}
    assert consents["contact"].statement == CONTACT_STATEMENT
    assert consents["privacy"].document == application.privacy_notice
    assert consents["privacy"].statement == application.privacy_notice.body
    assert all(c.agreed_at == application.submitted_at and c.is_active for c in consents.values())

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.program, invitation.invited_by) == (
        "nia@test.example",
        "mentor",
        program,
        coordinator,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nia@test.example"]
    assert "/invite/" in mail.outbox[0].body


def test_an_accepted_newcomer_keeps_the_contact_wishes_from_the_application(program, coordinator):
    application = _submit(program)  # prefers text messages, gave a phone, OK to text
    _accept(application, coordinator)
    person = User.objects.get(email="nia@test.example")
    assert (person.phone, person.preferred_contact, person.ok_to_text, person.ok_to_call) == (
        "555-0100",
        "text",
        True,
        False,
    )


def test_accepting_a_mentor_without_a_required_check_records_it_as_not_required(program, coordinator):
    program.background_check_required = False
    program.save()
    _accept(_submit(program), coordinator)
    check = BackgroundCheck.objects.get(mentor__user__email="nia@test.example")
    assert check.status == BackgroundCheck.Status.NOT_REQUIRED


def test_accepting_a_mentee_copies_their_answers_and_sets_the_intake_date(program, coordinator):
    area = program.experience_areas.first()
    application = _submit(program, kind="mentee", details=MENTEE_DETAILS, areas=[area])
    _accept(application, coordinator)
    profile = MenteeProfile.objects.get(user__email="nia@test.example", program=program)
    assert profile.topics == ["early_days", "family"]
    assert profile.preferred_mentor_gender == "woman"
    assert (profile.pathways, profile.languages) == (["twelve_step"], ["es"])
    assert list(profile.experience_areas.all()) == [area]
    assert profile.intake_date == timezone.localdate()
    assert not BackgroundCheck.objects.exists()
    assert Invitation.objects.get().role == "mentee"


def test_accepting_a_volunteer_creates_a_volunteer_profile(program, coordinator):
    details = {"skills": "Cooking for events.", "languages": ["en"], "availability": ["sat_morning"]}
    _accept(_submit(program, kind="volunteer", details=details), coordinator)
    profile = VolunteerProfile.objects.get(user__email="nia@test.example", program=program)
    assert (profile.skills, profile.languages, profile.availability) == ("Cooking for events.", ["en"], ["sat_morning"])
    assert Invitation.objects.get().role == "volunteer"


def test_accepting_someone_who_already_has_an_account_attaches_nothing_until_they_accept(
    program, coordinator, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="sam@test.example", full_name="Sam Existing", phone="")
    application = _submit(program, kind="mentee", details=MENTEE_DETAILS, email="SAM@Test.Example", full_name="Sammy")
    with django_capture_on_commit_callbacks(execute=True):
        decided = _accept(application, coordinator)
    # The coordinator gave no role to somebody else's account: it waits for them.
    assert decided.status == "accepted" and decided.person is None
    assert User.objects.filter(email__iexact="sam@test.example").count() == 1
    assert not MenteeProfile.objects.filter(user=existing).exists()
    assert not ConsentRecord.objects.filter(person=existing).exists()
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.application, invitation.new_account) == (
        "sam@test.example",
        "mentee",
        decided,
        None,
    )
    assert [m.to for m in mail.outbox] == [["sam@test.example"]]
    assert not invitation_may_set_password(invitation)

    # Signed in as themselves, they accept: now the application becomes theirs.
    invitation_accept(invitation=invitation, user=existing)
    decided.refresh_from_db()
    assert decided.person == existing
    assert MenteeProfile.objects.get(user=existing, program=program).topics == ["early_days", "family"]
    assert {c.kind for c in ConsentRecord.objects.filter(person=existing, program=program)} == {"contact", "privacy"}
    existing.refresh_from_db()
    assert existing.check_password("correct horse battery")
    # The application's phone number may not be theirs: their account keeps its own details.
    assert (existing.full_name, existing.phone, existing.ok_to_text) == ("Sam Existing", "", False)


def test_an_existing_mentor_applying_as_mentee_keeps_the_mentor_profile(program, coordinator):
    mentor = MentorProfileFactory(program=program, user=UserFactory(email="both@test.example"))
    _accept(_submit(program, kind="mentee", details=MENTEE_DETAILS, email="both@test.example"), coordinator)
    assert not MenteeProfile.objects.filter(user=mentor.user, program=program).exists()
    invitation_accept(invitation=Invitation.objects.get(), user=mentor.user)
    assert MentorProfile.objects.filter(pk=mentor.pk).exists()
    assert MenteeProfile.objects.filter(user=mentor.user, program=program).exists()


@pytest.mark.parametrize("decision", ["accepted", "declined", "waitlisted"])
def test_an_accepted_application_cannot_be_decided_again(program, coordinator, decision):
    application = _accept(_submit(program), coordinator)
    with pytest.raises(ValidationError):
        application_decide(application=application, decision=decision, reason="Again.", decided_by=coordinator)
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("accepted", "Good fit.")
    assert MentorProfile.objects.filter(user__email="nia@test.example").count() == 1


def test_a_waitlisted_application_cannot_be_waitlisted_again(program, coordinator):
    application = application_decide(
        application=_submit(program), decision="waitlisted", reason="Full for now.", decided_by=coordinator
    )
    with pytest.raises(ValidationError):
        application_decide(application=application, decision="waitlisted", reason="Still full.", decided_by=None)
    application.refresh_from_db()
    assert (application.status, application.decision_reason, application.decided_by) == (
        "waitlisted",
        "Full for now.",
        coordinator,
    )


def test_a_waitlisted_application_can_later_be_accepted(program, coordinator):
    application = application_decide(
        application=_submit(program), decision="waitlisted", reason="Full for now.", decided_by=coordinator
    )
    accepted = _accept(application, coordinator, reason="A place opened.")
    assert (accepted.status, accepted.decision_reason) == ("accepted", "A place opened.")


def test_declining_keeps_the_reason_and_who_decided_and_creates_nobody(program, coordinator):
    application = application_decide(
        application=_submit(program), decision="declined", reason="  Outside our area.  ", decided_by=coordinator
    )
    application.refresh_from_db()
    assert (application.status, application.decision_reason, application.decided_by) == (
        "declined",
        "Outside our area.",
        coordinator,
    )
    assert application.decided_at is not None
    assert application.person is None
    assert not User.objects.filter(email="nia@test.example").exists()
    assert not Invitation.objects.exists()


def test_a_declined_application_may_only_move_to_the_waitlist(program, coordinator):
    application = application_decide(
        application=_submit(program), decision="declined", reason="No.", decided_by=coordinator
    )
    with pytest.raises(ValidationError):
        _accept(application, coordinator)
    assert not User.objects.filter(email="nia@test.example").exists()
    application = application_decide(
        application=application, decision="waitlisted", reason="Reconsidered.", decided_by=coordinator
    )
    assert application.status == "waitlisted"


@pytest.mark.parametrize("body", ["", "  \n "])
def test_an_empty_note_is_refused(program, coordinator, body):
    application = ApplicationFactory(program=program)
    with pytest.raises(ValidationError):
        application_note_add(application=application, author=coordinator, body=body)
    assert not ApplicationNote.objects.exists()


def test_a_note_is_kept_with_its_author(program, coordinator):
    application = ApplicationFactory(program=program)
    note = application_note_add(application=application, author=coordinator, body="  Called, left a message. ")
    assert (note.application, note.author, note.body) == (application, coordinator, "Called, left a message.")


# --- readiness steps ------------------------------------------------------------------


@pytest.fixture
def mentor(program):
    return MentorProfileFactory(program=program, user=UserFactory(full_name="Morgan Mentor"))


def test_a_mentor_marks_a_module_done_once(mentor):
    module = TrainingModuleFactory(program=mentor.program)
    first = completion_mark_done(mentor=mentor, module=module)
    again = completion_mark_done(mentor=mentor, module=module)
    assert first.pk == again.pk
    assert again.marked_done_at == first.marked_done_at
    assert again.confirmed_at is None


def test_a_mentor_cannot_mark_another_programs_module(mentor):
    module = TrainingModuleFactory(program=ProgramFactory())
    with pytest.raises(ValidationError):
        completion_mark_done(mentor=mentor, module=module)
    assert not TrainingCompletion.objects.exists()


def test_a_mentor_cannot_mark_an_archived_module(mentor):
    module = TrainingModuleFactory(program=mentor.program, is_archived=True)
    with pytest.raises(ValidationError):
        completion_mark_done(mentor=mentor, module=module)
    assert not TrainingCompletion.objects.exists()


def test_a_coordinator_confirms_a_marked_module(mentor, coordinator):
    module = TrainingModuleFactory(program=mentor.program)
    marked = completion_mark_done(mentor=mentor, module=module)
    confirmed = completion_confirm(mentor=mentor, module=module, confirmed_by=coordinator)
    assert confirmed.pk == marked.pk
    assert confirmed.marked_done_at == marked.marked_done_at
    assert confirmed.confirmed_at is not None
    assert confirmed.confirmed_by == coordinator


def test_a_coordinator_may_confirm_a_module_the_mentor_did_not_mark(mentor, coordinator):
    module = TrainingModuleFactory(program=mentor.program)
    confirmed = completion_confirm(mentor=mentor, module=module, confirmed_by=coordinator)
    assert confirmed.marked_done_at is not None
    assert confirmed.confirmed_at is not None


def test_confirming_another_programs_module_is_refused(mentor, coordinator):
    with pytest.raises(ValidationError):
        completion_confirm(mentor=mentor, module=TrainingModuleFactory(), confirmed_by=coordinator)
    assert not TrainingCompletion.objects.exists()


def test_background_check_update_records_the_result(mentor, coordinator):
    check = background_check_update(
        mentor=mentor,
        status=BackgroundCheck.Status.CLEARED,
        checked_on=date(2025, 1, 10),
        expires_on=date(2027, 1, 10),
        updated_by=coordinator,
    )
    check.refresh_from_db()
    assert (check.status, check.checked_on, check.expires_on, check.updated_by) == (
        "cleared",
        date(2025, 1, 10),
        date(2027, 1, 10),
        coordinator,
    )
    # Updating again changes the same row.
    background_check_update(
        mentor=mentor, status="not_cleared", checked_on=date(2025, 2, 1), expires_on=None, updated_by=coordinator
    )
    assert BackgroundCheck.objects.get(mentor=mentor).status == "not_cleared"
    assert BackgroundCheck.objects.count() == 1


def test_a_cleared_check_needs_its_date(mentor, coordinator):
    with pytest.raises(ValidationError) as refused:
        background_check_update(
            mentor=mentor, status="cleared", checked_on=None, expires_on=None, updated_by=coordinator
        )
    assert set(refused.value.message_dict) == {"checked_on"}
    assert not BackgroundCheck.objects.exists()


@pytest.mark.parametrize("expires_on", [date(2025, 1, 9), date(2025, 1, 10)])
def test_a_check_cannot_expire_before_it_was_made(mentor, coordinator, expires_on):
    with pytest.raises(ValidationError) as refused:
        background_check_update(
            mentor=mentor,
            status="cleared",
            checked_on=date(2025, 1, 10),
            expires_on=expires_on,
            updated_by=coordinator,
        )
    assert set(refused.value.message_dict) == {"expires_on"}
    assert not BackgroundCheck.objects.exists()


def _agreement(program):
    return program.documents.get(kind=PolicyDocument.Kind.BOUNDARIES)


def test_a_mentor_signs_the_agreement_with_their_name(mentor):
    signature = agreement_sign(mentor=mentor, document=_agreement(mentor.program), typed_name="  morgan MENTOR ")
    assert (signature.mentor, signature.document.version, signature.typed_name) == (mentor, 1, "morgan MENTOR")


def test_a_wrong_name_does_not_sign(mentor):
    with pytest.raises(ValidationError) as refused:
        agreement_sign(mentor=mentor, document=_agreement(mentor.program), typed_name="Someone Else")
    assert set(refused.value.message_dict) == {"typed_name"}
    assert not AgreementSignature.objects.exists()


def test_an_old_version_cannot_be_signed(mentor, coordinator):
    old = _agreement(mentor.program)
    document_publish(program=mentor.program, kind=PolicyDocument.Kind.BOUNDARIES, body="Version 2.", by=coordinator)
    with pytest.raises(ValidationError):
        agreement_sign(mentor=mentor, document=old, typed_name="Morgan Mentor")
    assert not AgreementSignature.objects.exists()


def test_another_programs_agreement_cannot_be_signed(mentor):
    elsewhere = PolicyDocumentFactory(program=ProgramFactory())
    with pytest.raises(ValidationError):
        agreement_sign(mentor=mentor, document=elsewhere, typed_name="Morgan Mentor")
    assert not AgreementSignature.objects.exists()


def test_signing_twice_returns_the_first_signature(mentor):
    document = _agreement(mentor.program)
    first = agreement_sign(mentor=mentor, document=document, typed_name="Morgan Mentor")
    second = agreement_sign(mentor=mentor, document=document, typed_name="morgan mentor")
    assert second.pk == first.pk
    assert AgreementSignature.objects.count() == 1


# --- consent records ------------------------------------------------------------------


def test_a_consent_is_recorded_with_who_recorded_it(program, coordinator):
    person = UserFactory()
    consent = consent_record(
        program=program,
        person=person,
        kind=ConsentRecord.Kind.PARTICIPATION,
        statement="I agree to take part.",
        recorded_by=coordinator,
    )
    consent.refresh_from_db()
    assert (consent.program, consent.person, consent.kind, consent.recorded_by) == (
        program,
        person,
        "participation",
        coordinator,
    )
    assert consent.is_active and consent.revoked_at is None


def test_a_consent_is_withdrawn_once_and_the_withdrawal_is_kept(program, coordinator):
    person = UserFactory()
    consent = consent_record(
        program=program, person=person, kind="participation", statement="I agree.", recorded_by=coordinator
    )
    before = timezone.now()
    consent_revoke(consent=consent, revoked_by=person)
    consent.refresh_from_db()
    assert consent.revoked_by == person
    assert consent.revoked_at >= before
    assert not consent.is_active
    withdrawn_at = consent.revoked_at
    with pytest.raises(ValidationError):
        consent_revoke(consent=consent, revoked_by=coordinator)
    consent.refresh_from_db()
    assert (consent.revoked_by, consent.revoked_at) == (person, withdrawn_at)
    assert ConsentRecord.objects.filter(pk=consent.pk).exists()
