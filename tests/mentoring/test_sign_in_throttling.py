"""Sign-in throttling that a spelling, a spray or a proxy cannot sidestep
(mentoring/throttling.py, mentoring/client_address.py), through real POSTs
to the sign-in page. Limits are the real defaults: 5 per account and address,
20 per address across accounts."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory

ATTACKER = "203.0.113.66"
VISITOR = "198.51.100.20"
PROXY = "10.0.0.2"


def _sign_in(client, email, password=PASSWORD, address=ATTACKER, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def test_the_limits_are_the_documented_defaults():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20
    assert settings.TRUSTED_PROXY_COUNT == 0


# --- one account, many spellings -------------------------------------------------


@pytest.mark.parametrize("spelling", ["Mentee@test.example", "MENTEE@TEST.EXAMPLE", " mentee@test.example "])
def test_each_spelling_of_an_email_signs_in(personas, client, spelling):
    response = _sign_in(client, spelling)
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:home")


def test_spellings_of_one_email_share_one_failure_count(personas, client):
    for spelling in ["Mentee@test.example", "Mentee@test.example", "MENTEE@TEST.EXAMPLE", "MENTEE@TEST.EXAMPLE"]:
        assert _sign_in(client, spelling, "guess").status_code == 200
    # The fifth failure, in yet another spelling, is the fifth for the account.
    assert _sign_in(client, " mentee@Test.Example ", "guess").status_code == 429
    response = _sign_in(client, "mentee@test.example")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    # Recorded once, under the stored spelling.
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"mentee@test.example"}


def test_the_account_limit_is_per_address_so_a_stranger_cannot_lock_someone_out(personas, client):
    for _ in range(5):
        _sign_in(client, "mentee@test.example", "guess", address=ATTACKER)
    assert _sign_in(client, "mentee@test.example", address=ATTACKER).status_code == 429
    assert _sign_in(client, "mentee@test.example", address=VISITOR).status_code == 302


def test_a_successful_sign_in_clears_that_accounts_failures(personas, client):
    for _ in range(4):
        _sign_in(client, "MENTEE@test.example", "guess")
    assert _sign_in(client, "mentee@TEST.example").status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, "mentee@test.example", "guess").status_code == 200


# --- one address, many accounts (password spraying) ------------------------------


def test_one_address_guessing_at_many_accounts_is_stopped_at_the_address_limit(personas, client):
    for i in range(19):
        assert _sign_in(client, f"person{i}@test.example", "Summer2026!").status_code == 200
    response = _sign_in(client, "person19@test.example", "Summer2026!")
    assert response.status_code == 429
    # Every account is closed to that address now, even with the right password ...
    assert _sign_in(client, "mentor@test.example").status_code == 429
    # ... and open to everyone else.
    assert _sign_in(client, "mentor@test.example", address=VISITOR).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(personas, client):
    own = UserFactory(email="sprayer@test.example")
    for i in range(19):
        _sign_in(client, f"person{i}@test.example", "Summer2026!")
    assert _sign_in(client, own.email).status_code == 302
    client.logout()
    assert _sign_in(client, "person19@test.example", "Summer2026!").status_code == 429
    assert _sign_in(client, "mentee@test.example").status_code == 429


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=3)
def test_the_address_limit_is_a_setting(personas, client):
    assert _sign_in(client, "a@test.example", "x").status_code == 200
    assert _sign_in(client, "b@test.example", "x").status_code == 200
    assert _sign_in(client, "c@test.example", "x").status_code == 429


# --- addresses behind proxies ------------------------------------------------------


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(personas, client):
    for i in range(5):
        _sign_in(client, "mentee@test.example", "guess", forwarded=f"192.0.2.{i}")
    assert _sign_in(client, "mentee@test.example", forwarded="192.0.2.99").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_without_trusted_proxies_forged_addresses_do_not_escape_the_address_limit(personas, client):
    for i in range(20):
        _sign_in(client, f"person{i}@test.example", "x", forwarded=f"192.0.2.{i}")
    assert _sign_in(client, "mentor@test.example", forwarded="192.0.2.200").status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_one_persons_failures_do_not_lock_out_the_others(personas, client):
    # Everyone arrives from the proxy; the proxy appends each client's address.
    for _ in range(5):
        _sign_in(client, "mentee@test.example", "guess", address=PROXY, forwarded=ATTACKER)
    assert _sign_in(client, "mentee@test.example", address=PROXY, forwarded=ATTACKER).status_code == 429
    assert _sign_in(client, "mentee@test.example", address=PROXY, forwarded=VISITOR).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_a_client_written_forwarded_for_is_ignored(personas, client):
    # The client sends its own X-Forwarded-For; the proxy appends the real address.
    for i in range(5):
        _sign_in(client, "mentee@test.example", "guess", address=PROXY, forwarded=f"192.0.2.{i}, {ATTACKER}")
    response = _sign_in(client, "mentee@test.example", address=PROXY, forwarded=f"192.0.2.77, {ATTACKER}")
    assert response.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_with_two_proxies_the_second_address_from_the_right_is_the_client(personas, client):
    for _ in range(5):
        _sign_in(client, "mentee@test.example", "guess", address=PROXY, forwarded=f"6.6.6.6, {ATTACKER}, 10.0.0.1")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert _sign_in(client, "mentee@test.example", address=PROXY, forwarded=f"{ATTACKER}, 10.0.0.1").status_code == 429
    assert _sign_in(client, "mentee@test.example", address=PROXY, forwarded=f"{VISITOR}, 10.0.0.1").status_code == 302


def test_ipv6_clients_are_counted_by_their_64_network(personas, client):
    # A client holding a /64 cannot take a fresh address for each guess.
    for i in range(5):
        _sign_in(client, "mentee@test.example", "guess", address=f"2001:db8:1:2::{i + 1:x}")
    assert _sign_in(client, "mentee@test.example", address="2001:db8:1:2:ffff::9").status_code == 429
    assert _sign_in(client, "mentee@test.example", address="2001:db8:1:3::1").status_code == 302
