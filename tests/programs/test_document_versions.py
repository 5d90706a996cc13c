"""Issue 17.2: versioned documents do not strand people."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programs.models import AgreementSignature, PolicyDocument
from programs.readiness import checklist, with_readiness
from programs.services import document_publish
from tests.factories import MentorProfileFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

BOUNDARIES = PolicyDocument.Kind.BOUNDARIES


@pytest.fixture
def setup():
    coordinator = UserFactory()
    program = ProgramFactory(coordinators=[coordinator], background_check_required=False)
    v1 = document_publish(program=program, kind=BOUNDARIES, body="Clause one.", by=coordinator)
    mentors = [MentorProfileFactory(program=program) for _ in range(12)]
    for mentor in mentors:
        AgreementSignature.objects.create(mentor=mentor, document=v1, typed_name=mentor.user.full_name)
    return program, coordinator, mentors


def ready_count(program):
    return with_readiness(program.mentor_profiles.all()).filter(is_ready=True).count()


def agrees(mentors):
    """The SQL rule and the checklist give the same answer for every mentor."""
    annotated = {
        m.pk: m.agreement_ok for m in with_readiness(type(mentors[0]).objects.filter(pk__in=[m.pk for m in mentors]))
    }
    for mentor in mentors:
        assert checklist(mentor).agreement_ok == annotated[mentor.pk]
    return annotated


def test_page_shows_the_newest_version_and_edits_from_it(client, setup):
    program, coordinator, _ = setup
    document_publish(program=program, kind=BOUNDARIES, body="Clause one. Clause two.", by=coordinator)
    document_publish(program=program, kind=BOUNDARIES, body="Clause one. Clause two. Clause three.", by=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("programs:documents", args=[program.pk, BOUNDARIES]))
    assert page.status_code == 200
    assert "Current: version 3" in page.content.decode()
    assert page.context["form"].initial["body"] == "Clause one. Clause two. Clause three."


def test_unchanged_text_cannot_be_republished(client, setup):
    program, coordinator, _ = setup
    assert ready_count(program) == 12
    client.force_login(coordinator)
    response = client.post(
        reverse("programs:documents", args=[program.pk, BOUNDARIES]), {"body": "  Clause one.\n", "resign": "now"}
    )
    assert response.status_code == 200
    assert "This is the text of version 1" in response.content.decode()
    assert PolicyDocument.objects.filter(program=program, kind=BOUNDARIES).count() == 1
    assert ready_count(program) == 12


def test_privacy_notice_follows_the_same_rule(setup):
    program, coordinator, _ = setup
    privacy = PolicyDocument.Kind.PRIVACY
    document_publish(program=program, kind=privacy, body="We keep your details safe.", by=coordinator)
    with pytest.raises(ValidationError, match="text of version 1"):
        document_publish(program=program, kind=privacy, body="We keep your details\n safe.", by=coordinator)
    assert program.documents.filter(kind=privacy).count() == 1


def test_page_says_how_many_must_resign(client, setup):
    program, coordinator, _ = setup
    client.force_login(coordinator)
    page = client.get(reverse("programs:documents", args=[program.pk, BOUNDARIES]))
    assert "12 mentors have a signature that counts now" in page.content.decode()


def test_new_version_now_makes_everyone_resign_and_tells_them(client, setup, django_capture_on_commit_callbacks):
    program, coordinator, mentors = setup
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programs:documents", args=[program.pk, BOUNDARIES]),
            {"body": "Clause one. New clause.", "resign": "now"},
            follow=True,
        )
    assert "12 mentors must sign again" in response.content.decode()
    assert ready_count(program) == 0
    assert {m.user.email for m in mentors} <= {a for message in mail.outbox for a in message.to}
    assert not any(agrees(mentors).values())


def test_grace_period_keeps_mentors_ready_until_the_date(client, setup):
    program, coordinator, mentors = setup
    until = timezone.localdate() + timedelta(days=14)
    client.force_login(coordinator)
    client.post(
        reverse("programs:documents", args=[program.pk, BOUNDARIES]),
        {"body": "Clause one. New clause.", "resign": "grace", "grace_until": until.isoformat()},
    )
    v2 = program.documents.filter(kind=BOUNDARIES).order_by("-version").first()
    assert v2.version == 2 and v2.grace_until == until
    assert ready_count(program) == 12
    assert all(agrees(mentors).values())
    assert checklist(mentors[0]).in_grace
    # After the date, only those who signed version 2 are ready.
    AgreementSignature.objects.create(mentor=mentors[0], document=v2, typed_name="x")
    PolicyDocument.objects.filter(pk=v2.pk).update(grace_until=timezone.localdate() - timedelta(days=1))
    assert ready_count(program) == 1
    assert sum(agrees(mentors).values()) == 1


def test_grace_needs_a_date(client, setup):
    program, coordinator, _ = setup
    client.force_login(coordinator)
    response = client.post(
        reverse("programs:documents", args=[program.pk, BOUNDARIES]), {"body": "Changed.", "resign": "grace"}
    )
    assert response.status_code == 200
    assert "Give the date" in response.content.decode()
    assert response.context["form"]["body"].value() == "Changed."


def test_minor_edit_keeps_every_signature(client, setup, django_capture_on_commit_callbacks):
    program, coordinator, mentors = setup
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("programs:documents", args=[program.pk, BOUNDARIES]),
            {"body": "Clause one, fixed typo.", "resign": "minor"},
        )
    assert program.documents.filter(kind=BOUNDARIES).count() == 2
    assert ready_count(program) == 12
    assert all(agrees(mentors).values())
    assert not checklist(mentors[0]).in_grace
    assert mail.outbox == []
    # A later real change asks everyone again.
    document_publish(program=program, kind=BOUNDARIES, body="Clause one, fixed typo. Clause two.", by=coordinator)
    assert ready_count(program) == 0
