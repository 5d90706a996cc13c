"""Sign-in by email, throttling, password reset, profile and time zones."""

import datetime as dt
import re

from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Invitation

PASSWORD = "correct horse battery"  # tests.factories.UserFactory


def _sign_in(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_signs_in_with_email_in_any_case(personas, client):
    response = _sign_in(client, "MENTEE@test.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:home")
    assert client.get(response["Location"])["Location"] == reverse("mentoring:home_mentee")


def test_wrong_password_says_so_next_to_the_form_and_keeps_the_email(personas, client):
    response = _sign_in(client, "mentee@test.example", "nope")
    body = response.content.decode()
    assert response.status_code == 200
    assert "That email and password do not match" in body
    assert 'value="mentee@test.example"' in body


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_with_the_right_password(personas, client):
    for _ in range(3):
        _sign_in(client, "mentee@test.example", "guess")
    response = _sign_in(client, "mentee@test.example")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    # Another person on the same address is not locked out.
    assert _sign_in(client, "mentor@test.example").status_code == 302


def test_password_reset_mail_is_content_neutral_and_works(personas, client):
    client.post(reverse("password_reset"), {"email": "mentee@test.example"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Waypoint password"
    assert "recovery" not in message.body.lower()
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session one
    new = "a-brand-new-phrase-77"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    personas.mentee.refresh_from_db()
    assert personas.mentee.check_password(new)


def test_password_reset_does_not_reveal_whether_an_account_exists(db, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@test.example"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_profile_saves_time_zone_and_times_follow_it(personas, client_for):
    client = client_for(personas.coordinator)
    response = client.post(
        reverse("mentoring:profile"), {"full_name": "Casey C", "preferred_name": "", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    personas.coordinator.refresh_from_db()
    assert personas.coordinator.time_zone == "Asia/Tokyo"
    # An invitation created at 20:00 UTC on Jan 1 is "Jan 2" in Tokyo.
    Invitation.objects.create(
        program=personas.program,
        email="t@test.example",
        full_name="T",
        role="mentee",
        token_hash="x" * 64,
        created_at=dt.datetime(2026, 1, 1, 20, 0, tzinfo=dt.UTC),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    assert "Jan 2, 2026" in client.get(reverse("mentoring:invitation_list")).content.decode()


def test_profile_rejects_unknown_time_zone_and_keeps_input(personas, client_for):
    client = client_for(personas.mentee)
    response = client.post(
        reverse("mentoring:profile"), {"full_name": "Mel Changed", "preferred_name": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert 'value="Mel Changed"' in response.content.decode()
    personas.mentee.refresh_from_db()
    assert personas.mentee.full_name == "Mel Mentee"


def test_password_change_requires_the_old_password(personas, client_for):
    client = client_for(personas.mentor)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "another-fine-phrase-9", "new_password2": "another-fine-phrase-9"},
    )
    assert "old_password" in response.context["form"].errors
    personas.mentor.refresh_from_db()
    assert personas.mentor.check_password(PASSWORD)


def test_passwords_are_hashed_with_argon2_in_the_real_settings():
    from config import settings as real

    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
