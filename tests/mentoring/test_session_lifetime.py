"""How long a sign-in lasts: a browser-session cookie by default, 14 days only
when "Keep me signed in" is ticked, "This is a shared device" ends it when the
browser closes (and excludes keeping), and staff sessions end after
STAFF_SESSION_IDLE_HOURS without activity (sliding)."""

import time

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from mentoring.session_policy import IDLE_LIMIT, LAST_SEEN
from tests.factories import UserFactory

PASSWORD = "correct horse battery"

from tests.mentoring.test_twofactor import code_for, give_app, verify  # noqa: E402


def _sign_in(client, email, **choices):
    return client.post(reverse("login"), {"username": email, "password": PASSWORD, **choices})


def _session_cookie(response):
    return response.cookies[settings.SESSION_COOKIE_NAME]


def test_default_sign_in_ends_when_the_browser_closes(personas, client):
    response = _sign_in(client, personas.mentee.email)
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()


def test_keep_me_signed_in_lasts_fourteen_days(personas, client):
    response = _sign_in(client, personas.mentee.email, keep_signed_in="on")
    assert response.status_code == 302
    assert int(_session_cookie(response)["max-age"]) == 14 * 24 * 3600
    assert not client.session.get_expire_at_browser_close()


def test_shared_device_ends_at_browser_close_and_when_idle(personas, client):
    response = _sign_in(client, personas.mentee.email, shared_device="on")
    assert response.status_code == 302
    assert _session_cookie(response)["max-age"] == ""
    assert client.session[IDLE_LIMIT] == 4 * 3600


def test_shared_device_and_keep_signed_in_are_refused_together(personas, client):
    response = _sign_in(client, personas.mentee.email, keep_signed_in="on", shared_device="on")
    assert response.status_code == 200
    form = response.context["form"]
    assert "cannot stay signed in" in form.errors["shared_device"][0]
    assert "_auth_user_id" not in client.session
    assert 'value="mentee@test.example"' in response.content.decode()


def test_sign_in_page_offers_both_choices_with_labels(db, client):
    html = client.get(reverse("login")).content.decode()
    assert '<label for="id_keep_signed_in"' in html
    assert '<label for="id_shared_device"' in html


def _age_session(client, seconds):
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_coordinator_is_signed_out_after_idle_hours(personas, client):
    # The real way in: password, then the authenticator code (coordinators must
    # pass the second step); the idle limit set at sign-in survives that step.
    device, _codes = give_app(personas.coordinator)
    _sign_in(client, personas.coordinator.email, keep_signed_in="on")
    assert verify(client, code_for(device)).status_code == 302
    assert client.session[IDLE_LIMIT] == 4 * 3600
    home = reverse("mentoring:home_coordinator")
    _age_session(client, 3 * 3600)
    assert client.get(home).status_code == 200  # still within the limit: the deadline moves
    assert client.session[LAST_SEEN] >= int(time.time()) - 5
    _age_session(client, 4 * 3600 + 60)
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


@override_settings(STAFF_SESSION_IDLE_HOURS=1)
def test_idle_hours_come_from_settings_and_apply_to_is_staff(db, client):
    staff = UserFactory(email="admin@test.example", is_staff=True)
    _sign_in(client, staff.email)
    assert client.session[IDLE_LIMIT] == 3600
    _age_session(client, 3600 + 60)
    assert client.get(reverse("mentoring:crisis")).wsgi_request.user.is_anonymous


def test_is_staff_session_without_the_mark_still_expires(db, client):
    staff = UserFactory(email="admin@test.example", is_staff=True)
    client.force_login(staff)
    client.get(reverse("mentoring:crisis"))  # first request starts the clock
    assert LAST_SEEN in client.session
    _age_session(client, 5 * 3600)
    assert client.get(reverse("mentoring:crisis")).wsgi_request.user.is_anonymous


def test_mentee_session_is_not_idle_limited(personas, client):
    _sign_in(client, personas.mentee.email, keep_signed_in="on")
    assert IDLE_LIMIT not in client.session
    _age_session(client, 24 * 3600)
    assert client.get(reverse("mentoring:home_mentee")).status_code == 200


def test_admin_sign_in_page_goes_through_the_site_sign_in(db, client):
    """/admin/login/ used to sign staff in with Django's own form: a 14-day cookie
    nobody chose, no "shared device" choice. It now sends them to the one sign-in
    page (keeping where they were going), and posting a password to it signs nobody in."""
    staff = UserFactory(email="admin@test.example", is_staff=True, is_superuser=True)
    response = client.get("/admin/login/?next=/admin/mentoring/user/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/mentoring/user/"
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    assert cookie is None or cookie["max-age"] == ""


def test_admin_index_signed_out_goes_to_the_site_sign_in(db, client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert response.status_code == 200
