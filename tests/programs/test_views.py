"""Program pages through the test client: the public application forms, the
review queue, readiness, profiles, intake and consent, and query counts."""

from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse

from mentoring.models import MenteeProfile, MentorProfile
from programs.models import Application, BackgroundCheck, ConsentRecord, PolicyDocument, Program, TrainingCompletion
from programs.services import (
    agreement_sign,
    application_note_add,
    completion_confirm,
    consent_record,
    document_publish,
    program_create,
)
from tests.factories import (
    ApplicationFactory,
    BackgroundCheckFactory,
    MentorProfileFactory,
    TrainingModuleFactory,
    UserFactory,
)

# --- public application pages ---------------------------------------------------------


@pytest.fixture
def open_program(db):
    """The only program taking applications, with its own privacy notice."""
    creator = UserFactory(full_name="Casey Coordinator")
    program = program_create(created_by=creator, name="Harbor Peers", slug="harbor-peers")
    document_publish(
        program=program, kind=PolicyDocument.Kind.PRIVACY, body="Harbor keeps your answers private.", by=creator
    )
    Program.objects.create(name="Closed Program", slug="closed", status=Program.Status.ARCHIVED)
    return program


def _apply_url(kind="mentor", program=None):
    url = reverse("programs:apply", args=[kind])
    return f"{url}?program={program.slug}" if program else url


def _valid_post(program, **changes):
    data = {
        "program": program.slug,
        "full_name": "Nia Newcomer",
        "email": "nia@test.example",
        "phone": "",
        "preferred_contact": "email",
        "capacity": "2",
        "pathways": ["smart"],
        "experience_areas": [program.experience_areas.first().pk],
        "consent_to_contact": "on",
        "agree_privacy": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_with_one_open_program_the_form_shows_with_its_privacy_notice(open_program, client):
    response = client.get(_apply_url("mentor"))
    assert response.status_code == 200
    assert response.context["program"] == open_program
    html = response.content.decode()
    assert 'name="full_name"' in html and 'name="consent_to_contact"' in html
    assert "Harbor keeps your answers private." in html
    assert "Privacy notice (version 2)" in html
    assert "Closed Program" not in html


def test_with_two_open_programs_the_visitor_chooses_first(open_program, client):
    second = program_create(created_by=UserFactory(), name="Lakeside Peers", slug="lakeside-peers")
    response = client.get(_apply_url("mentee"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbor Peers" in html and "Lakeside Peers" in html
    assert "?program=lakeside-peers" in html
    assert 'name="full_name"' not in html
    assert not Application.objects.exists()

    response = client.get(_apply_url("mentee", second))
    assert response.context["program"] == second
    assert 'name="full_name"' in response.content.decode()


def test_bad_input_is_explained_next_to_each_field_and_nothing_is_saved(open_program, client):
    data = _valid_post(
        open_program,
        email="not-an-email",
        preferred_contact="text",
        consent_to_contact=None,
        agree_privacy=None,
    )
    response = client.post(_apply_url("mentor"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "consent_to_contact", "agree_privacy", "phone", "ok_to_text"}
    html = response.content.decode()
    for field in form.errors:
        # Each message is rendered with the field it belongs to.
        assert f'id="error_1_id_{field}"' in html, field
    for message in (
        "Enter a valid email address.",
        "We need your agreement to contact you about your application.",
        "Please read the privacy notice and tick the box to agree.",
        "Add a phone number so we can reach you the way you prefer.",
        "You chose text messages: tick this so we may text you.",
    ):
        assert message in html
    assert 'value="Nia Newcomer"' in html
    assert not Application.objects.exists()


def test_a_valid_application_is_saved_and_thanked(open_program, client):
    response = client.post(_apply_url("mentor"), _valid_post(open_program))
    assert response.status_code == 302
    assert response.url == reverse("programs:apply_thanks") == "/apply/thanks/"
    application = Application.objects.get()
    assert (application.program, application.kind, application.email) == (open_program, "mentor", "nia@test.example")
    assert application.details["pathways"] == ["smart"]
    assert application.details["capacity"] == 2
    assert "website" not in application.details and "agree_privacy" not in application.details
    assert application.privacy_notice.version == 2
    assert list(application.experience_areas.all()) == [open_program.experience_areas.first()]
    assert client.get(response.url).status_code == 200


def test_a_filled_honeypot_is_thanked_and_nothing_is_saved(open_program, client):
    response = client.post(_apply_url("mentor"), _valid_post(open_program, website="http://spam.example"))
    assert response.status_code == 302
    assert response.url == reverse("programs:apply_thanks")
    assert not Application.objects.exists()


def test_too_many_applications_from_one_connection_are_explained_and_not_saved(open_program, client):
    for i in range(5):
        response = client.post(_apply_url("mentor"), _valid_post(open_program, email=f"person{i}@test.example"))
        assert response.status_code == 302
    response = client.post(_apply_url("mentor"), _valid_post(open_program, email="sixth@test.example"))
    assert response.status_code == 200
    assert "Please try again in an hour." in response.content.decode()
    assert Application.objects.count() == 5


# The limit keys on the client address through the trusted proxies
# (mentoring/client_address.py).
APPLY_PROXY = "10.0.0.2"
REFUSED = "Please try again in an hour."


def _apply(client, program, email, address=APPLY_PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(_apply_url("mentor"), _valid_post(program, email=email), **extra)


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_applicants_behind_one_proxy_do_not_use_up_each_others_limit(open_program, client):
    for i in range(5):
        assert _apply(client, open_program, f"a{i}@test.example", forwarded="198.51.100.7").status_code == 302
    refused = _apply(client, open_program, "a5@test.example", forwarded="198.51.100.7")
    assert refused.status_code == 200 and REFUSED in refused.content.decode()
    # Another person arriving through the same proxy applies normally.
    assert _apply(client, open_program, "b@test.example", forwarded="203.0.113.9").status_code == 302
    assert Application.objects.count() == 6


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_a_client_written_forwarded_for_does_not_reset_the_limit(open_program, client):
    for i in range(5):
        _apply(client, open_program, f"a{i}@test.example", forwarded=f"192.0.2.{i}, 198.51.100.7")
    refused = _apply(client, open_program, "a5@test.example", forwarded="192.0.2.99, 198.51.100.7")
    assert REFUSED in refused.content.decode()
    assert Application.objects.count() == 5


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_reset_the_limit(open_program, client):
    for i in range(5):
        _apply(client, open_program, f"a{i}@test.example", address="198.51.100.7", forwarded=f"192.0.2.{i}")
    refused = _apply(client, open_program, "a5@test.example", address="198.51.100.7", forwarded="192.0.2.99")
    assert REFUSED in refused.content.decode()
    assert Application.objects.count() == 5


def test_an_unknown_kind_of_application_is_not_found(open_program, client):
    assert client.get("/apply/wizard/").status_code == 404
    assert client.post("/apply/wizard/", _valid_post(open_program)).status_code == 404
    assert not Application.objects.exists()


# --- the review queue -------------------------------------------------------------------


def _applications(personas):
    program = personas.program
    return {
        "new": ApplicationFactory(program=program, full_name="Alma New", status="new"),
        "newer": ApplicationFactory(program=program, full_name="Bea Fresh", status="new", kind="mentee"),
        "waitlisted": ApplicationFactory(program=program, full_name="Cal Waiting", status="waitlisted"),
        "declined": ApplicationFactory(program=program, full_name="Dee Declined", status="declined"),
        "elsewhere": ApplicationFactory(program=personas.other_program, full_name="Eli Elsewhere"),
    }


def _listed(response):
    return {application.full_name for application in response.context["page"].object_list}


def test_the_queue_filters_by_status_and_name(personas, client_for):
    _applications(personas)
    client = client_for(personas.coordinator)
    url = reverse("programs:applications", args=[personas.program.pk])
    assert _listed(client.get(url)) == {"Alma New", "Bea Fresh", "Cal Waiting", "Dee Declined"}
    assert _listed(client.get(url, {"status": "new"})) == {"Alma New", "Bea Fresh"}
    assert _listed(client.get(url, {"status": "waitlisted"})) == {"Cal Waiting"}
    assert _listed(client.get(url, {"q": "fresh"})) == {"Bea Fresh"}
    assert _listed(client.get(url, {"q": "elsewhere"})) == set()
    assert _listed(client.get(url, {"status": "new", "kind": "mentee"})) == {"Bea Fresh"}


def test_the_queue_is_only_for_the_programs_coordinators(personas, client_for):
    _applications(personas)
    url = reverse("programs:applications", args=[personas.program.pk])
    for persona in ("other_coordinator", "mentor", "mentee"):
        assert client_for(personas.user(persona)).get(url).status_code == 404, persona


def test_internal_notes_are_for_the_programs_coordinators_only(personas, client_for):
    application = ApplicationFactory(program=personas.program, full_name="Alma New")
    application_note_add(application=application, author=personas.coordinator, body="Prefers evening calls.")
    url = reverse("programs:application_detail", args=[application.pk])
    page = client_for(personas.coordinator).get(url)
    assert page.status_code == 200
    assert "Prefers evening calls." in page.content.decode()
    for persona in ("other_coordinator", "mentor", "mentee"):
        assert client_for(personas.user(persona)).get(url).status_code == 404, persona


def test_a_coordinator_adds_a_note(personas, client_for):
    application = ApplicationFactory(program=personas.program)
    url = reverse("programs:application_detail", args=[application.pk])
    response = client_for(personas.coordinator).post(url, {"action": "note", "body": "Left a voicemail."})
    assert response.status_code == 302
    [note] = application.notes.all()
    assert (note.body, note.author) == ("Left a voicemail.", personas.coordinator)


def test_a_coordinator_accepts_an_application_with_a_reason(personas, client_for):
    application = ApplicationFactory(
        program=personas.program, full_name="Alma New", email="alma@test.example", details={"capacity": 2}
    )
    url = reverse("programs:application_detail", args=[application.pk])
    client = client_for(personas.coordinator)
    response = client.post(url, {"action": "decide", "decision": "accepted", "reason": "Strong references."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decision_reason, application.decided_by) == (
        "accepted",
        "Strong references.",
        personas.coordinator,
    )
    assert MentorProfile.objects.filter(user=application.person, program=personas.program).exists()
    page = client.get(url).content.decode()
    assert "An invitation is on its way to their email." in page
    assert "Strong references." in page


def test_a_decision_without_a_reason_is_explained_and_changes_nothing(personas, client_for):
    application = ApplicationFactory(program=personas.program, email="alma@test.example")
    url = reverse("programs:application_detail", args=[application.pk])
    response = client_for(personas.coordinator).post(url, {"action": "decide", "decision": "accepted", "reason": ""})
    assert response.status_code == 200
    assert set(response.context["decision_form"].errors) == {"reason"}
    assert 'id="error_1_id_reason"' in response.content.decode()
    application.refresh_from_db()
    assert (application.status, application.decided_at, application.person) == ("new", None, None)
    assert not MentorProfile.objects.filter(user__email="alma@test.example").exists()


def test_another_programs_coordinator_cannot_decide(personas, client_for):
    application = ApplicationFactory(program=personas.program)
    url = reverse("programs:application_detail", args=[application.pk])
    response = client_for(personas.other_coordinator).post(
        url, {"action": "decide", "decision": "declined", "reason": "Not mine to decide."}
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "new"


# --- readiness pages ----------------------------------------------------------------------


@pytest.fixture
def module(personas):
    return TrainingModuleFactory(program=personas.program, title="Boundaries basics")


def _mentor_profile(personas, name="mentor"):
    return MentorProfile.objects.get(user=personas.user(name), program=personas.program)


def _readiness_url(profile):
    return reverse("programs:mentor_readiness", args=[profile.pk])


def test_the_mentor_marks_their_own_module_done(personas, client_for, module):
    profile = _mentor_profile(personas)
    client = client_for(personas.mentor)
    page = client.get(_readiness_url(profile))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your readiness checklist" in html and "Mark as done" in html
    assert reverse("programs:module_confirm", args=[profile.pk, module.pk]) not in html
    response = client.post(reverse("programs:module_done", args=[profile.pk, module.pk]))
    assert response.status_code == 302
    completion = TrainingCompletion.objects.get(mentor=profile, module=module)
    assert completion.marked_done_at is not None and completion.confirmed_at is None
    assert "waiting for a coordinator" in client.get(_readiness_url(profile)).content.decode()


def test_only_the_mentor_marks_their_modules_done(personas, client_for, module):
    profile = _mentor_profile(personas)
    url = reverse("programs:module_done", args=[profile.pk, module.pk])
    for persona in ("coordinator", "other_mentor", "mentee"):
        assert client_for(personas.user(persona)).post(url).status_code == 404, persona
    assert not TrainingCompletion.objects.exists()


def test_only_the_programs_coordinators_confirm_modules(personas, client_for, module):
    profile = _mentor_profile(personas)
    url = reverse("programs:module_confirm", args=[profile.pk, module.pk])
    for persona in ("mentor", "other_coordinator", "mentee"):
        assert client_for(personas.user(persona)).post(url).status_code == 404, persona
    assert not TrainingCompletion.objects.exists()
    assert client_for(personas.coordinator).post(url).status_code == 302
    completion = TrainingCompletion.objects.get(mentor=profile, module=module)
    assert (completion.confirmed_by, completion.confirmed_at is not None) == (personas.coordinator, True)


def test_the_readiness_page_is_for_the_mentor_and_the_coordinators_only(personas, client_for, module):
    url = _readiness_url(_mentor_profile(personas))
    assert client_for(personas.coordinator).get(url).status_code == 200
    for persona in ("mentee", "other_mentor", "other_mentee", "other_coordinator"):
        assert client_for(personas.user(persona)).get(url).status_code == 404, persona


def test_the_coordinator_updates_the_background_check(personas, client_for):
    profile = _mentor_profile(personas)
    client = client_for(personas.coordinator)
    page = client.get(_readiness_url(profile)).content.decode()
    assert "Readiness of Morgan Mentor" in page and 'name="checked_on"' in page
    url = reverse("programs:background_check", args=[profile.pk])
    response = client.post(url, {"status": "cleared", "checked_on": "2025-01-10", "expires_on": ""})
    assert response.status_code == 302
    check = BackgroundCheck.objects.get(mentor=profile)
    assert (check.status, check.checked_on, check.expires_on, check.updated_by) == (
        "cleared",
        date(2025, 1, 10),
        None,
        personas.coordinator,
    )


def test_a_cleared_check_without_a_date_is_explained_on_the_field(personas, client_for):
    profile = _mentor_profile(personas)
    url = reverse("programs:background_check", args=[profile.pk])
    response = client_for(personas.coordinator).post(url, {"status": "cleared", "checked_on": "", "expires_on": ""})
    assert response.status_code == 200
    assert set(response.context["check_form"].errors) == {"checked_on"}
    assert 'id="error_1_id_checked_on"' in response.content.decode()
    assert not BackgroundCheck.objects.filter(mentor=profile).exists()


def test_the_mentor_cannot_update_their_own_check(personas, client_for):
    profile = _mentor_profile(personas)
    url = reverse("programs:background_check", args=[profile.pk])
    response = client_for(personas.mentor).post(url, {"status": "cleared", "checked_on": "2025-01-10"})
    assert response.status_code == 404
    assert not BackgroundCheck.objects.filter(mentor=profile).exists()


def test_the_mentor_signs_the_agreement_on_the_checklist(personas, client_for):
    document = document_publish(
        program=personas.program, kind=PolicyDocument.Kind.BOUNDARIES, body="Keep it in the program.", by=None
    )
    profile = _mentor_profile(personas)
    client = client_for(personas.mentor)
    url = reverse("programs:agreement_sign", args=[profile.pk])
    wrong = client.post(url, {"document": document.pk, "agree": "on", "typed_name": "Somebody Else"})
    assert wrong.status_code == 200
    assert set(wrong.context["sign_form"].errors) == {"typed_name"}
    assert not profile.signatures.exists()
    right = client.post(url, {"document": document.pk, "agree": "on", "typed_name": "Morgan Mentor"})
    assert right.status_code == 302
    assert profile.signatures.get().document == document


def _make_ready(profile):
    for module in profile.program.training_modules.filter(required=True, is_archived=False):
        completion_confirm(mentor=profile, module=module, confirmed_by=None)
    BackgroundCheckFactory(mentor=profile)
    agreement = profile.program.documents.filter(kind="boundaries").order_by("-version").first()
    if agreement:
        agreement_sign(mentor=profile, document=agreement, typed_name=profile.user.full_name)


def test_the_mentor_roster_filters_by_readiness(personas, client_for, module):
    ready = _mentor_profile(personas)
    _make_ready(ready)
    not_ready = _mentor_profile(personas, "other_mentor")
    BackgroundCheckFactory(mentor=not_ready)  # checked, but training not confirmed
    client = client_for(personas.coordinator)
    url = reverse("programs:detail", args=[personas.program.pk])
    assert list(client.get(url, {"tab": "mentors", "ready": "yes"}).context["page"].object_list) == [ready]
    assert list(client.get(url, {"tab": "mentors", "ready": "no"}).context["page"].object_list) == [not_ready]
    everyone = client.get(url, {"tab": "mentors"})
    assert {p.pk for p in everyone.context["page"].object_list} == {ready.pk, not_ready.pk}
    html = everyone.content.decode()
    assert "training 1/1" in html and "training 0/1" in html


# --- profiles and person pages -------------------------------------------------------------


def test_the_mentor_edits_their_own_profile(personas, client_for):
    profile = _mentor_profile(personas)
    url = reverse("mentoring:profile_edit", args=["mentor", profile.pk])
    client = client_for(personas.mentor)
    assert client.get(url).status_code == 200
    response = client.post(url, {"pathways": ["smart", "faith"], "capacity": "2", "interests": "chess, Chess, tea"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert sorted(profile.pathways) == ["faith", "smart"]
    assert profile.capacity == 2
    assert profile.interests == ["chess", "tea"]


def test_another_mentor_cannot_edit_the_profile(personas, client_for):
    profile = _mentor_profile(personas)
    url = reverse("mentoring:profile_edit", args=["mentor", profile.pk])
    client = client_for(personas.other_mentor)
    assert client.get(url).status_code == 404
    assert client.post(url, {"pathways": ["faith"], "capacity": "9"}).status_code == 404
    profile.refresh_from_db()
    assert profile.capacity != 9


def test_time_in_recovery_is_for_the_mentor_and_coordinators_not_the_mentee(personas, client_for):
    profile = _mentor_profile(personas)
    profile.recovery_months = 30
    profile.bio = "Cyclist and cook."
    profile.save()
    url = reverse("mentoring:person_detail", args=[personas.mentor.pk])
    mentee_page = client_for(personas.mentee).get(url)
    assert mentee_page.status_code == 200
    assert "Cyclist and cook." in mentee_page.content.decode()
    assert "Time in recovery" not in mentee_page.content.decode()
    assert "30 months" not in mentee_page.content.decode()
    for persona in ("coordinator", "mentor"):
        html = client_for(personas.user(persona)).get(url).content.decode()
        assert "Time in recovery" in html and "30 months" in html, persona


# --- intake and consent ---------------------------------------------------------------------


def _mentee_profile(personas, name="mentee"):
    return MenteeProfile.objects.get(user=personas.user(name), program=personas.program)


def _consent(personas):
    return consent_record(
        program=personas.program,
        person=personas.mentee,
        kind=ConsentRecord.Kind.PARTICIPATION,
        statement="I agree to take part in peer mentoring.",
        recorded_by=personas.coordinator,
    )


def test_the_mentee_withdraws_their_own_consent_after_confirming(personas, client_for):
    consent = _consent(personas)
    client = client_for(personas.mentee)
    intake = client.get(reverse("programs:mentee_intake", args=[_mentee_profile(personas).pk]))
    assert intake.status_code == 200
    url = reverse("programs:consent_revoke", args=[consent.pk])
    assert "I agree to take part in peer mentoring." in intake.content.decode()
    assert f'href="{url}"' in intake.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert "Withdraw this consent?" in page.content.decode()
    consent.refresh_from_db()
    assert consent.revoked_at is None
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("programs:mentee_intake", args=[_mentee_profile(personas).pk])
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert consent.revoked_by == personas.mentee
    assert ConsentRecord.objects.filter(pk=consent.pk).exists()  # withdrawn, not deleted
    assert "Withdrawn" in client.get(response.url).content.decode()


def test_someone_elses_consent_cannot_be_withdrawn(personas, client_for):
    consent = _consent(personas)
    url = reverse("programs:consent_revoke", args=[consent.pk])
    for persona in ("mentor", "other_mentee", "other_coordinator"):
        client = client_for(personas.user(persona))
        assert client.get(url).status_code == 404, persona
        assert client.post(url).status_code == 404, persona
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_the_mentor_cannot_open_their_mentees_intake(personas, client_for):
    url = reverse("programs:mentee_intake", args=[_mentee_profile(personas).pk])
    assert client_for(personas.mentor).get(url).status_code == 404
    assert client_for(personas.other_coordinator).get(url).status_code == 404
    assert client_for(personas.coordinator).get(url).status_code == 200


# --- query counts -------------------------------------------------------------------------------


def _grow_mentors(personas, n):
    """n more mentors, in assorted readiness states."""
    program = personas.program
    if not program.training_modules.exists():
        TrainingModuleFactory(program=program)
        document_publish(program=program, kind=PolicyDocument.Kind.BOUNDARIES, body="Agreement.", by=None)
    for i in range(n):
        profile = MentorProfileFactory(program=program)
        if i % 2:
            _make_ready(profile)


def _grow_applications(personas, n):
    area = personas.program.experience_areas.create(name=f"Area for {n}")
    for i in range(n):
        ApplicationFactory(program=personas.program, status=["new", "waitlisted"][i % 2], experience_areas=[area])


@pytest.mark.parametrize(
    "url_name, query, grow, first, more",
    [
        ("programs:detail", {"tab": "mentors"}, _grow_mentors, 1, 12),  # 2 persona mentors + 1 = 3, then 15
        ("programs:detail", {"tab": "mentors", "ready": "no"}, _grow_mentors, 1, 12),
        ("programs:applications", {}, _grow_applications, 3, 12),
        ("programs:applications", {"status": "new"}, _grow_applications, 3, 12),
    ],
)
def test_query_count_does_not_grow_with_rows(
    personas, client_for, django_assert_max_num_queries, url_name, query, grow, first, more
):
    client = client_for(personas.coordinator)
    url = reverse(url_name, args=[personas.program.pk])
    grow(personas, first)
    with django_assert_max_num_queries(20) as small:
        response = client.get(url, query)
        assert response.status_code == 200
    rows = len(response.context["page"].object_list)
    grow(personas, more)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, query)
        assert response.status_code == 200
    assert len(response.context["page"].object_list) > rows
