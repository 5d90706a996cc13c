"""Invitations: a coordinator invites by email; a one-time, expiring link
lets the person set a password and take up the role."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Invitation, MenteeProfile, MentorProfile
from mentoring.services import invitation_accept, invitation_create, invitation_for_token
from tests.factories import UserFactory

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def _invite(personas, role="mentor", email="Newcomer@Test.Example"):
    invitation, link = invitation_create(
        program=personas.program, email=email, full_name="Nia Newcomer", role=role, invited_by=personas.coordinator
    )
    return invitation, link.rstrip("/").rsplit("/", 1)[-1]


def test_coordinator_invites_through_the_form(personas, client_for, django_capture_on_commit_callbacks):
    client = client_for(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentoring:invitation_new"),
            {
                "full_name": "Nia Newcomer",
                "email": "nia@test.example",
                "role": "mentee",
                "program": personas.program.pk,
            },
        )
    assert response.status_code == 200
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "nia@test.example",
        "mentee",
        personas.coordinator,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia@test.example"]
    assert "/invite/" in message.body
    # Content-neutral: nothing in the email says what the program is about.
    for word in ("recovery", "addiction", "substance", "treatment", personas.program.name.lower()):
        assert word not in message.subject.lower()
        assert word not in message.body.lower()


def test_only_the_token_hash_is_stored(personas):
    invitation, token = _invite(personas)
    assert token not in invitation.token_hash
    assert invitation_for_token(token) == invitation


def test_form_refuses_another_programs_id_and_keeps_what_was_typed(personas, client_for):
    client = client_for(personas.coordinator)
    response = client.post(
        reverse("mentoring:invitation_new"),
        {"full_name": "Nia Newcomer", "email": "not-an-email", "role": "mentee", "program": personas.other_program.pk},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"email", "program"}
    assert 'value="Nia Newcomer"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_accepting_creates_the_account_with_the_role_and_signs_in(personas, client):
    _, token = _invite(personas, role="mentor")
    url = reverse("mentoring:invitation_accept", args=[token])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user = get_user_model().objects.get(email="newcomer@test.example")
    assert user.check_password(NEW_PASSWORD)
    assert MentorProfile.objects.filter(user=user, program=personas.program).exists()
    assert client.get(reverse("mentoring:home")).url == reverse("mentoring:home_mentor")
    # One time only.
    assert client.get(url).status_code == 404


def test_mismatched_or_weak_passwords_are_explained_and_nothing_is_saved(personas, client):
    _, token = _invite(personas)
    url = reverse("mentoring:invitation_accept", args=[token])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "The two passwords are not the same." in response.content.decode()
    response = client.post(url, {"password1": "12345678", "password2": "12345678"})
    assert response.context["form"].errors["password2"]
    assert not get_user_model().objects.filter(email="newcomer@test.example").exists()


def test_expired_and_revoked_links_do_not_work(personas, client):
    invitation, token = _invite(personas)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("mentoring:invitation_accept", args=[token])).status_code == 404
    second, token2 = _invite(personas, email="second@test.example")
    client.force_login(personas.coordinator)
    client.post(reverse("mentoring:invitation_revoke", args=[second.pk]))
    client.logout()
    assert client.get(reverse("mentoring:invitation_accept", args=[token2])).status_code == 404


def test_a_new_invitation_replaces_the_pending_one(personas):
    first, first_token = _invite(personas)
    _, second_token = _invite(personas)
    assert invitation_for_token(first_token) is None
    assert invitation_for_token(second_token) is not None
    first.refresh_from_db()
    assert first.state == "revoked"


def test_existing_account_accepts_while_signed_in(personas, client):
    _, token = _invite(personas, role="mentee", email=personas.mentor.email.upper())
    url = reverse("mentoring:invitation_accept", args=[token])
    response = client.get(url)
    assert "Sign in to accept" in response.content.decode()
    client.force_login(personas.mentor)
    client.post(url)
    assert MenteeProfile.objects.filter(user=personas.mentor, program=personas.program).exists()
    assert personas.mentor.check_password("correct horse battery")  # untouched


def test_someone_else_cannot_take_an_invitation(personas):
    invitation, _ = _invite(personas, role="coordinator")
    with pytest.raises(ValidationError):
        invitation_accept(invitation=invitation, user=personas.other_mentee)
    assert personas.other_mentee not in personas.program.coordinators.all()


def test_existing_password_cannot_be_overwritten_by_an_invitation(personas):
    UserFactory(email="taken@test.example")
    invitation, _ = _invite(personas, email="taken@test.example")
    with pytest.raises(ValidationError):
        invitation_accept(invitation=invitation, password=NEW_PASSWORD)


def test_revoke_asks_for_confirmation_first(personas, client_for):
    invitation, _ = _invite(personas)
    client = client_for(personas.coordinator)
    page = client.get(reverse("mentoring:invitation_revoke", args=[invitation.pk]))
    assert "Revoke this invitation?" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    client.post(reverse("mentoring:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.state == "revoked"


def test_invitation_list_query_count_does_not_grow(personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.coordinator)
    for i in range(3):
        _invite(personas, email=f"a{i}@test.example")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("mentoring:invitation_list"))
    for i in range(20):
        _invite(personas, email=f"b{i}@test.example")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("mentoring:invitation_list"))
