"""Issue 15 on a phone: the mentee taps "Get help now", then "Let my mentor
know now", and reads who was told; the mentor's open page shows the alert
within 15 s without a reload, with a working tel: link on the alert page; the
mentor acknowledges and the coordinator's banner clears by itself."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import SafetyAlert
from tests.e2e.helpers import MENTEE_NAME, path_is

from .conftest import DEMO_EMAILS, PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

LIVE = 15_000  # ms: the banner polls every 10 s
PHONE = "+12015550120"  # E.164, as stored (mentoring.phones)
PHONE_SHOWN = "(201) 555-0120"  # national format, as shown
NOTE = "Called Jordan; they are safe and we meet tomorrow."
FIRST_NAME = MENTEE_NAME.split()[0]


def test_one_tap_reaches_the_mentor_live_and_acknowledging_clears_it_for_the_coordinator(
    new_page, live_server, demo_data, log_in
):
    # The demo may leave an alert open for the mentee: start from none, with a phone number.
    SafetyAlert.objects.filter(mentee__user__email=DEMO_EMAILS["mentee"], acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), note="Handled before the test."
    )
    get_user_model().objects.filter(email=DEMO_EMAILS["mentee"]).update(phone=PHONE, mentor_sees_contact=True)

    # The mentor and the coordinator have a page open, before anything happens.
    mentor = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=3)
    log_in(mentor, "mentor")
    mentor.goto("/alerts/")
    coordinator = new_page()
    log_in(coordinator, "coordinator")
    coordinator.goto("/alerts/")
    mentor_banner = mentor.get_by_test_id("live-alert").filter(has_text=f"{FIRST_NAME} needs help now")
    coordinator_banner = coordinator.get_by_test_id("live-alert").filter(has_text=f"{FIRST_NAME} needs help now")
    expect(mentor_banner).to_have_count(0)

    # --- The mentee, on a phone: "Get help now", then one tap. ------------------------------
    mentee = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=3)
    log_in(mentee, "mentee")
    mentee.get_by_test_id("get-help-now").click()
    expect(mentee).to_have_url(path_is(live_server, "/crisis/"))
    tap = mentee.get_by_role("button", name="Let my mentor know now")
    expect(tap).to_be_in_viewport()
    box = tap.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
    tap.click()

    told = mentee.get_by_test_id("help-now-told")
    expect(told).to_contain_text(re.compile(r"We let \w+ \(your mentor\) and the program team know at"))
    expect(told).to_contain_text("They will see it in Waypoint")
    expect(mentee.get_by_role("button", name="Let my mentor know now")).to_have_count(0)
    alert = SafetyAlert.objects.get(mentee__user__email=DEMO_EMAILS["mentee"], acknowledged_at__isnull=True)
    assert alert.reasons == [SafetyAlert.Kind.HELP_NOW] and alert.source == "tap"

    # --- Without a reload, the mentor's and the coordinator's pages show it. ------------------
    expect(mentor_banner).to_have_count(1, timeout=LIVE)
    expect(coordinator_banner).to_have_count(1, timeout=LIVE)
    mentor_banner.get_by_role("link", name="Open the alert").click()
    expect(mentor).to_have_url(path_is(live_server, f"/alerts/{alert.pk}/acknowledge/"))
    expect(mentor.get_by_role("link", name=f"Call {PHONE_SHOWN}")).to_have_attribute("href", f"tel:{PHONE}")
    expect(mentor.get_by_role("link", name=f"Text {PHONE_SHOWN}")).to_have_attribute("href", f"sms:{PHONE}")

    # --- The mentor acknowledges: the coordinator's banner clears by itself. ------------------
    mentor.get_by_label("What did you do, or what happens next?").fill(NOTE)
    mentor.get_by_role("button", name="Acknowledge").click()
    expect(mentor).to_have_url(path_is(live_server, "/alerts/"))
    expect(coordinator_banner).to_have_count(0, timeout=LIVE)
    expect(mentor.get_by_test_id("live-alert").filter(has_text=f"{FIRST_NAME} needs help now")).to_have_count(0)
    alert.refresh_from_db()
    assert not alert.is_open and alert.note == NOTE
    assert alert.acknowledged_by.email == DEMO_EMAILS["mentor"]
