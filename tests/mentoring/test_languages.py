"""A person's language (issue 19): ``User.language`` chosen in the profile or
with the switch on every page, a language cookie for people who are not
signed in, Accept-Language otherwise; English when nothing says otherwise."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

SWITCH = 'data-testid="language-switch"'


def _switch_to(client, language, next_url="/crisis/"):
    return client.post(reverse("mentoring:language"), {"language": language, "next": next_url})


@pytest.mark.parametrize("url_name", ["mentoring:crisis", "login", "mentoring:landing", "password_reset"])
def test_anonymous_pages_show_the_switch_and_follow_accept_language(client, db, url_name):
    english = client.get(reverse(url_name))
    assert SWITCH in english.content.decode() and '<html lang="en">' in english.content.decode()
    assert "Get help now" in english.content.decode()
    spanish = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in spanish
    assert "Obtener ayuda ahora" in spanish and "Get help now" not in spanish
    assert '<option value="es" lang="es" selected>Español</option>' in spanish


def test_the_apply_and_public_program_pages_show_the_switch(client, personas):
    personas.program.public_page_enabled = True
    personas.program.save(update_fields=["public_page_enabled"])
    for url in (
        reverse("programs:apply", args=["mentee"]),
        reverse("programs:public_page", args=[personas.program.slug]),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert SWITCH in page and '<html lang="es">' in page, url


def test_the_switch_sets_the_cookie_for_someone_not_signed_in(client, db):
    response = _switch_to(client, "es")
    assert response.status_code == 302 and response["Location"] == "/crisis/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/crisis/").content.decode()
    assert "Líneas de crisis" in page and "Crisis lines" not in page
    _switch_to(client, "en")
    assert "Crisis lines" in client.get("/crisis/").content.decode()


def test_the_switch_saves_a_signed_in_persons_language(client, personas):
    client.force_login(personas.mentee)
    _switch_to(client, "es", next_url=reverse("mentoring:profile"))
    personas.mentee.refresh_from_db()
    assert personas.mentee.language == "es"
    # On another device (no cookie) and whatever the browser asks for.
    other = type(client)()
    other.force_login(personas.mentee)
    page = other.get(reverse("mentoring:crisis"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Obtener ayuda ahora" in page and '<html lang="es">' in page


def test_an_unknown_language_or_a_foreign_next_changes_nothing(client, personas):
    client.force_login(personas.mentee)
    response = _switch_to(client, "xx", next_url="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"
    personas.mentee.refresh_from_db()
    assert personas.mentee.language == ""


def test_the_profile_chooses_the_language_and_blank_follows_the_browser(client, personas):
    user = personas.mentee
    client.force_login(user)
    page = client.get(reverse("mentoring:profile")).content.decode()
    assert 'name="language"' in page and "Same as my browser" in page
    data = {"full_name": user.full_name, "preferred_name": "", "time_zone": user.time_zone, "language": "es"}
    assert client.post(reverse("mentoring:profile"), data).status_code == 302
    user.refresh_from_db()
    assert user.language == "es"
    assert "Cerrar sesión" in client.get(reverse("mentoring:profile")).content.decode()
    # Blank again: the browser decides.
    client.post(reverse("mentoring:profile"), {**data, "language": ""})
    user.refresh_from_db()
    assert user.language == ""
    assert "Sign out" in client.get(reverse("mentoring:profile")).content.decode()
    assert "Cerrar sesión" in client.get(reverse("mentoring:profile"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # A code that is not offered is refused next to the field, nothing saved.
    response = client.post(reverse("mentoring:profile"), {**data, "language": "fr"})
    assert response.status_code == 200 and "is not one of the available choices" in response.content.decode()


def test_english_stays_the_default(client, db):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("mentoring:profile")).content.decode()
    assert '<html lang="en">' in page and "Sign out" in page


def test_a_coordinator_before_the_second_step_can_still_switch(client, personas):
    from tests.conftest import unverified_login

    unverified_login(client, personas.coordinator)
    assert _switch_to(client, "es", next_url="/crisis/")["Location"] == "/crisis/"
    personas.coordinator.refresh_from_db()
    assert personas.coordinator.language == "es"


def test_the_calendar_feed_is_built_in_its_owners_language(client, personas, monkeypatch):
    """Calendar apps send their own Accept-Language (or none): the feed follows
    the person it belongs to (the titles themselves are sessions/calendar.py's)."""
    from django.utils import translation

    from sessions.services import calendar_feed_for

    monkeypatch.setattr("sessions.views.build_feed", lambda user: f"built in {translation.get_language()}")
    personas.mentee.language = "es"
    personas.mentee.save(update_fields=["language"])
    url = reverse("peer_sessions:calendar_feed", args=[calendar_feed_for(personas.mentee).token])
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").content == b"built in es"
    url = reverse("peer_sessions:calendar_feed", args=[calendar_feed_for(personas.mentor).token])
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="es").content == b"built in en"


def test_error_pages_in_spanish(client, db):
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No pudimos encontrar esa página" in page and "find that page" not in page
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("es"):
        page = render_to_string("500.html")
    assert '<html lang="es">' in page and "Algo salió mal de nuestro lado" in page and "Get help" not in page


def test_a_person_without_a_role_is_welcomed_in_spanish(client, db):
    client.force_login(UserFactory(full_name="Noa Norole", language="es"))
    page = client.get(reverse("mentoring:home"), follow=True).content.decode()
    assert "Le damos la bienvenida, Noa" in page and "You are not part of a program yet" not in page
