"""Two-factor sign-in in the browser: a coordinator without an authenticator app
sets one up from the key shown on the page, then gets in."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.helpers import path_is

from .conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_without_an_app_sets_one_up_then_reaches_the_home(page, live_server, demo_data):
    TOTPDevice.objects.filter(user__email=DEMO_EMAILS["coordinator"]).delete()  # as after an admin reset
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(DEMO_EMAILS["coordinator"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next="))
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    page.get_by_role("button", name="Start").click()

    expect(page.get_by_role("img", name="QR code for your authenticator app").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    code = totp(b32decode(secret), step=30, t0=0, digits=6, drift=0)  # what the app would show
    page.get_by_label("6-digit code from the app").fill(f"{code:06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(path_is(live_server, "/accounts/two-factor/backup-codes/"))
    expect(page.get_by_test_id("backup-codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="I have saved them").click()
    expect(page).to_have_url(path_is(live_server, "/home/coordinator/"))
