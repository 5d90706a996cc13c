"""Two-factor sign-in (mentoring.twofactor, TwoFactorMiddleware, /accounts/two-factor/).

Sign-in goes through the real login form here; ``unverified_login`` gives a
session that passed the password only. Codes are computed as an authenticator
app would (django_otp.oath.totp)."""

import html
import io
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring import twofactor
from mentoring.middleware import TwoFactorMiddleware
from tests.conftest import unverified_login
from tests.conversations.test_permissions import MATRIX as CONVERSATIONS_MATRIX
from tests.factories import UserFactory
from tests.goals.test_permissions import MATRIX as GOALS_MATRIX
from tests.mentoring.test_permissions import MATRIX as MENTORING_MATRIX
from tests.programs.test_permissions import MATRIX as PROGRAMS_MATRIX
from tests.resources.test_permissions import MATRIX as RESOURCES_MATRIX
from tests.sessions.test_permissions import MATRIX as SESSIONS_MATRIX

PASSWORD = "correct horse battery"  # tests.factories.UserFactory


def code_for(device, *, steps_ahead=0):
    """The 6 digits the device's app shows now (or ``steps_ahead`` 30-second steps later)."""
    code = totp(device.bin_key, device.step, device.t0 - steps_ahead * device.step, device.digits, device.drift)
    return f"{code:06d}"


def give_app(user):
    """A confirmed authenticator app and ten backup codes: (device, codes)."""
    device = TOTPDevice.objects.create(user=user, name=twofactor.APP_DEVICE_NAME, confirmed=True)
    return device, twofactor.backup_codes_regenerate(user=user)


def password_sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def verify(client, code, next_url=""):
    return client.post(reverse("mentoring:twofactor_verify"), {"code": code, "next": next_url})


def setup_url(next_path):
    return f"{reverse('mentoring:twofactor_setup')}?next={next_path.replace('/', '%2F')}"


# --- who is held, and where ----------------------------------------------------------------------------


def coordinator_rows():
    """Every URL of every permission matrix that a coordinator may use (200 or 302)."""
    skip = TwoFactorMiddleware.ALWAYS_OPEN | {"login"}
    rows = []
    for row in (
        MENTORING_MATRIX + PROGRAMS_MATRIX + SESSIONS_MATRIX + GOALS_MATRIX + RESOURCES_MATRIX + CONVERSATIONS_MATRIX
    ):
        if row.expected["coordinator"] in (200, 302) and row.name not in skip and "twofactor" not in row.name:
            rows.append(row)
    return rows


def test_coordinator_without_an_app_is_sent_to_set_one_up_from_every_coordinator_page(personas, client):
    unverified_login(client, personas.coordinator)
    rows = coordinator_rows()
    assert len(rows) > 50
    for row in rows:
        url = row.url(personas)
        if row.method == "post":
            response = client.post(url, row.data(personas) if row.data else {})
            expected = reverse("mentoring:twofactor_setup")
        else:
            response = client.get(url)
            expected = setup_url(url.split("?")[0])
        assert response.status_code == 302, f"{row.method} {url}"
        assert response["Location"].startswith(expected), f"{row.method} {url} -> {response['Location']}"


def test_coordinator_with_an_app_is_asked_for_the_code_on_every_coordinator_page(personas, client):
    give_app(personas.coordinator)
    unverified_login(client, personas.coordinator)
    for row in coordinator_rows():
        url = row.url(personas)
        response = client.post(url, row.data(personas) if row.data else {}) if row.method == "post" else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mentoring:twofactor_verify")), url


def test_staff_without_an_app_cannot_reach_the_admin(db, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    password_sign_in(client, staff)
    for url in [reverse("admin:index"), reverse("admin:mentoring_user_changelist")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == setup_url(url)


def test_staff_with_an_app_reaches_the_admin_only_after_the_code(db, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    device, _ = give_app(staff)
    password_sign_in(client, staff)
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("mentoring:twofactor_verify"))
    assert verify(client, code_for(device), next_url=reverse("admin:index"))["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_crisis_page_and_sign_out_stay_open_before_the_second_step(personas, client):
    give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    assert client.get(reverse("mentoring:crisis")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("mentoring:profile"))["Location"].startswith(reverse("login"))


def test_mentor_and_mentee_without_an_app_sign_in_with_the_password_alone(personas, client):
    for person, home in [(personas.mentor, "mentoring:home_mentor"), (personas.mentee, "mentoring:home_mentee")]:
        password_sign_in(client, person)
        assert client.get(reverse(home)).status_code == 200
        client.logout()


def test_a_password_alone_cannot_replace_the_app(personas, client):
    """Someone who knows the password must not set up their own app instead."""
    device, _ = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    response = client.post(reverse("mentoring:twofactor_setup"), {"start": "1"})
    assert response["Location"].startswith(reverse("mentoring:twofactor_verify"))
    assert list(TOTPDevice.objects.filter(user=personas.coordinator)) == [device]
    for name in ["mentoring:twofactor_regenerate", "mentoring:twofactor_disable"]:
        assert client.post(reverse(name))["Location"].startswith(reverse("mentoring:twofactor_verify"))
    assert StaticToken.objects.filter(device__user=personas.coordinator).count() == 10


# --- the second step -------------------------------------------------------------------------------------


def test_wrong_code_is_refused_and_right_code_signs_in(personas, client):
    device, _ = give_app(personas.coordinator)
    response = password_sign_in(client, personas.coordinator)
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mentoring:twofactor_verify"))
    assert "Enter your code" in response.content.decode()

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = verify(client, wrong)
    assert response.status_code == 200
    assert "That code does not work" in response.content.decode()
    assert client.get(reverse("mentoring:home_coordinator")).status_code == 302

    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(minutes=5)  # past the one-second wait
    device.save()
    response = verify(client, code_for(device), next_url=reverse("mentoring:attention"))
    assert response["Location"] == reverse("mentoring:attention")
    assert client.get(reverse("mentoring:home_coordinator")).status_code == 200


def test_the_second_step_does_not_follow_next_to_another_site(personas, client):
    device, _ = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    response = verify(client, code_for(device), next_url="https://evil.example/")
    assert response["Location"] == reverse("mentoring:home")


def test_bad_input_in_the_code_field_is_a_message_not_an_error(personas, client):
    give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    for typed in ["", "x" * 40, "12 34 56 78", "<script>"]:
        response = verify(client, typed)
        assert response.status_code == 200
        assert 'class="invalid-feedback"' in response.content.decode()
    # Only well-formed codes count against the session: the 4 above were form errors or wrong codes.


def test_an_app_code_works_once(personas, client):
    device, _ = give_app(personas.coordinator)
    code = code_for(device)
    password_sign_in(client, personas.coordinator)
    assert verify(client, code).status_code == 302
    client.logout()
    password_sign_in(client, personas.coordinator)
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    assert verify(client, code).status_code == 200  # replayed: refused


def test_backup_code_signs_in_once_and_asks_for_a_new_app(personas, client):
    device, codes = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    response = verify(client, codes[0].upper())  # however it is typed
    assert response["Location"] == reverse("mentoring:twofactor")
    page = client.get(response["Location"]).content.decode()
    assert "You signed in with a backup code" in page
    assert "You used a backup code" in page  # the message
    assert client.get(reverse("mentoring:home_coordinator")).status_code == 200
    assert twofactor.backup_codes_left(personas.coordinator) == 9

    client.logout()
    password_sign_in(client, personas.coordinator)
    response = verify(client, codes[0])
    assert response.status_code == 200
    assert "That code does not work" in response.content.decode()
    backup = StaticDevice.objects.get(user=personas.coordinator)
    backup.throttling_failure_timestamp = None
    backup.save()
    assert verify(client, codes[1])["Location"] == reverse("mentoring:twofactor")


def test_wrong_codes_are_throttled_on_the_device(personas, client, settings):
    """django-otp makes the device wait after a wrong code (factor × 2^(failures-1)
    seconds): a right code during the wait is refused, in any session."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device, _ = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    verify(client, "000000" if code_for(device) != "000000" else "111111")
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    response = verify(client, code_for(device))
    assert "Too many wrong codes. Wait" in response.content.decode()
    assert client.get(reverse("mentoring:home_coordinator")).status_code == 302

    client.logout()  # a new session does not lift the device's wait
    password_sign_in(client, personas.coordinator)
    assert "Too many wrong codes. Wait" in verify(client, code_for(device)).content.decode()

    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=61)  # the wait is over
    device.save()
    assert verify(client, code_for(device)).status_code == 302
    assert client.get(reverse("mentoring:home_coordinator")).status_code == 200


def test_repeated_wrong_codes_lock_the_step_and_sign_out(personas, client, settings):
    settings.TWO_FACTOR_SESSION_ATTEMPTS = 5
    device, codes = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(4):
        assert verify(client, wrong).status_code == 200
    response = verify(client, wrong)
    assert response["Location"] == reverse("login")
    messages = client.get(reverse("login")).content.decode()
    assert "Too many wrong codes. Sign in again" in messages
    # Signed out: even a right code (a backup code, not throttled by the app) no longer gets in.
    response = verify(client, codes[0])
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("mentoring:home_coordinator"))["Location"].startswith(reverse("login"))
    assert twofactor.backup_codes_left(personas.coordinator) == 10


def test_session_cap_counts_wrong_codes_before_the_sign_out(personas, client, settings):
    settings.TWO_FACTOR_SESSION_ATTEMPTS = 3
    device, codes = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    verify(client, "zzzzzzzzzz")
    verify(client, "yyyyyyyyyy")
    assert client.session[twofactor.FAILURES_KEY] == 2
    assert verify(client, "xxxxxxxxxx")["Location"] == reverse("login")


# --- setting up ------------------------------------------------------------------------------------------


def test_coordinator_sets_up_an_app_sees_ten_codes_once_and_gets_in(personas, client):
    response = password_sign_in(client, personas.coordinator)
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mentoring:twofactor_setup"))
    assert "Start" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas.coordinator).exists()  # nothing written by a GET

    client.post(reverse("mentoring:twofactor_setup"), {"start": "1"})
    device = TOTPDevice.objects.get(user=personas.coordinator)
    assert not device.confirmed
    page = client.get(reverse("mentoring:twofactor_setup")).content.decode()
    assert "<svg" in page and "<path" in page  # the QR code, drawn here
    assert " style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32  # 20 bytes in base32, for typing by hand

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mentoring:twofactor_setup"), {"code": wrong})
    assert "That code does not match" in response.content.decode()
    assert wrong in response.content.decode()  # what was typed stays
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()

    response = client.post(reverse("mentoring:twofactor_setup"), {"code": code_for(device)})
    assert response["Location"] == reverse("mentoring:twofactor_backup_codes")
    page = client.get(response["Location"]).content.decode()
    shown = re.findall(r'<li class="col">([a-z2-7]+)</li>', page)
    assert len(shown) == 10
    assert sorted(shown) == sorted(
        StaticToken.objects.filter(device__user=personas.coordinator).values_list("token", flat=True)
    )
    assert "Keep these codes somewhere safe" in page
    assert client.get(reverse("mentoring:twofactor_backup_codes"))["Location"] == reverse("mentoring:twofactor")
    assert client.get(reverse("mentoring:home_coordinator")).status_code == 200


def test_a_new_app_replaces_the_old_one_only_once_confirmed(personas, client):
    old, _ = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    verify(client, code_for(old))
    client.post(reverse("mentoring:twofactor_setup"), {"start": "1"})
    assert TOTPDevice.objects.filter(user=personas.coordinator, confirmed=True).get() == old
    new = TOTPDevice.objects.get(user=personas.coordinator, confirmed=False)
    client.post(reverse("mentoring:twofactor_setup"), {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=personas.coordinator)) == [new]
    new.refresh_from_db()
    assert new.confirmed


def test_regenerate_asks_first_then_replaces_the_codes(personas, client):
    device, codes = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    verify(client, code_for(device))
    page = client.get(reverse("mentoring:twofactor_regenerate")).content.decode()
    assert "current backup codes stop working" in page
    assert twofactor.backup_codes_left(personas.coordinator) == 10
    response = client.post(reverse("mentoring:twofactor_regenerate"))
    assert response["Location"] == reverse("mentoring:twofactor_backup_codes")
    new = set(StaticToken.objects.filter(device__user=personas.coordinator).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(codes)


# --- mentors and mentees: optional -----------------------------------------------------------------------


def test_mentor_turns_it_on_then_must_pass_it_then_turns_it_off(personas, client):
    mentor = personas.mentor
    password_sign_in(client, mentor)
    assert "Off" in client.get(reverse("mentoring:twofactor")).content.decode()
    client.post(reverse("mentoring:twofactor_setup"), {"start": "1"})
    device = TOTPDevice.objects.get(user=mentor)
    client.post(reverse("mentoring:twofactor_setup"), {"code": code_for(device)})
    assert twofactor.has_twofactor(mentor)

    client.logout()
    password_sign_in(client, mentor)
    assert client.get(reverse("mentoring:home_mentor"))["Location"].startswith(reverse("mentoring:twofactor_verify"))
    verify(client, code_for(device, steps_ahead=1))  # the next code: the current one was used
    assert client.get(reverse("mentoring:home_mentor")).status_code == 200

    page = client.get(reverse("mentoring:twofactor_disable")).content.decode()
    assert "Turn off two-factor sign-in?" in page
    assert twofactor.has_twofactor(mentor)  # the GET only asks
    response = client.post(reverse("mentoring:twofactor_disable"))
    assert response["Location"] == reverse("mentoring:twofactor")
    assert not TOTPDevice.objects.filter(user=mentor).exists()
    assert not StaticDevice.objects.filter(user=mentor, name=twofactor.BACKUP_DEVICE_NAME).exists()
    client.logout()
    password_sign_in(client, mentor)
    assert client.get(reverse("mentoring:home_mentor")).status_code == 200


def test_mentee_with_an_app_is_asked_for_the_code(personas, client):
    device, _ = give_app(personas.mentee)
    password_sign_in(client, personas.mentee)
    assert client.get(reverse("mentoring:home_mentee"))["Location"].startswith(reverse("mentoring:twofactor_verify"))
    verify(client, code_for(device))
    assert client.get(reverse("mentoring:home_mentee")).status_code == 200


def test_coordinator_cannot_turn_it_off(personas, client):
    device, _ = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    verify(client, code_for(device))
    assert "Turn off" not in client.get(reverse("mentoring:twofactor")).content.decode()
    response = client.post(reverse("mentoring:twofactor_disable"))
    assert response["Location"] == reverse("mentoring:twofactor")
    assert twofactor.has_twofactor(personas.coordinator)


# --- admin reset ------------------------------------------------------------------------------------------


def test_admin_resets_a_coordinators_two_factor_after_confirming_and_it_is_recorded(personas, client):
    give_app(personas.coordinator)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)  # a verified session (tests.conftest)
    changelist = reverse("admin:mentoring_user_changelist")
    data = {"action": "reset_two_factor", "_selected_action": [personas.coordinator.pk]}
    response = client.post(changelist, data)
    assert response.status_code == 200
    assert "Reset two-factor sign-in?" in response.content.decode()
    assert twofactor.has_twofactor(personas.coordinator)  # not yet

    response = client.post(changelist, {**data, "confirm": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.coordinator).exists()
    assert not StaticToken.objects.filter(device__user=personas.coordinator).exists()
    entry = LogEntry.objects.get(object_id=str(personas.coordinator.pk), action_flag=CHANGE)
    assert entry.user == staff
    assert "Reset two-factor" in entry.get_change_message()

    client.logout()
    password_sign_in(client, personas.coordinator)
    response = client.get(reverse("mentoring:home_coordinator"))
    assert response["Location"].startswith(reverse("mentoring:twofactor_setup"))


# --- the demo ---------------------------------------------------------------------------------------------


def test_demo_coordinator_signs_in_with_the_documented_key(db, client):
    from mentoring.management.commands.seed_demo import DEMO_TOTP_SECRET

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue()
    code = io.StringIO()
    call_command("demo_code", stdout=code)
    client.post(reverse("login"), {"username": "coordinator@example.org", "password": "waypoint-demo"})
    assert verify(client, code.getvalue().split()[0]).status_code == 302
    assert client.get(reverse("mentoring:home_coordinator")).status_code == 200


@pytest.mark.parametrize("persona", ["coordinator", "mentor"])
def test_rules(personas, persona):
    user = getattr(personas, persona)
    assert twofactor.twofactor_required(user) is (persona == "coordinator")
    assert twofactor.pending_step(user) == ("setup" if persona == "coordinator" else None)
    give_app(user)
    assert twofactor.pending_step(user) == "verify"


def test_staff_cannot_read_anyones_authenticator_key_or_backup_codes_in_the_admin():
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_a_reset_takes_effect_in_sessions_already_signed_in(personas, client):
    device, _ = give_app(personas.coordinator)
    password_sign_in(client, personas.coordinator)
    verify(client, code_for(device))
    assert client.get(reverse("mentoring:home_coordinator")).status_code == 200
    twofactor.twofactor_reset(user=personas.coordinator, actor=UserFactory(is_staff=True))
    response = client.get(reverse("mentoring:home_coordinator"))
    assert response["Location"].startswith(reverse("mentoring:twofactor_setup"))


def test_second_step_keeps_where_the_person_was_going(personas, client):
    device, _ = give_app(personas.coordinator)
    client.post(reverse("login") + "?next=/reports/", {"username": personas.coordinator.email, "password": PASSWORD})
    response = client.get("/reports/")
    assert response["Location"] == f"{reverse('mentoring:twofactor_verify')}?next=%2Freports%2F"
    page = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/reports/"' in page
    assert verify(client, code_for(device), next_url="/reports/")["Location"] == "/reports/"


def test_setup_on_the_same_phone_offers_a_link_that_opens_the_app(personas, client):
    """Most people set up the app on the phone they are reading the page on, where
    a QR code cannot be scanned: the page also links the otpauth:// address, which
    opens the authenticator app with the key filled in."""
    password_sign_in(client, personas.coordinator)
    client.post(reverse("mentoring:twofactor_setup"), {"start": "1"})
    device = TOTPDevice.objects.get(user=personas.coordinator)
    page = client.get(reverse("mentoring:twofactor_setup")).content.decode()
    link = re.search(r'<a [^>]*href="(otpauth://totp/[^"]+)"[^>]*>([^<]+)</a>', page)
    assert link is not None
    assert html.unescape(link.group(1)) == device.config_url
    assert "this phone" in link.group(2)
