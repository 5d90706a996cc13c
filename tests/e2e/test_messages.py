"""Issue 16 on phones: the mentor writes to the mentee, the mentee sees the
unread badge, opens the conversation and replies; a reply with a risk phrase
shows the mentee the crisis options at once and raises an alert that the
coordinator opens, with the flagged message on it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversations.models import Message
from goals.models import SafetyAlert
from tests.e2e.helpers import MENTEE_NAME, MENTOR_NAME, path_is

from .conftest import DEMO_EMAILS, PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = dict(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=3)
HELLO = "Hi Jordan! How did the week go? 🙂"
REPLY = "Pretty good, thanks for asking."
FLAGGED = "Honestly, some nights I want to die."


def _open_menu(page):
    toggler = page.get_by_role("button", name="Open the menu")
    if toggler.is_visible():
        toggler.click()


def test_mentor_writes_mentee_sees_the_badge_replies_and_a_flagged_reply_reaches_the_coordinator(
    new_page, live_server, demo_data, log_in
):
    SafetyAlert.objects.filter(mentee__user__email=DEMO_EMAILS["mentee"], acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), note="Handled before the test."
    )

    # --- The mentor, on a phone, starts the conversation and writes. --------------------------
    mentor = new_page(**PHONE)
    log_in(mentor, "mentor")
    mentor.goto("/messages/")
    mentor.get_by_role("button", name=f"Write to {MENTEE_NAME}").click()
    expect(mentor.get_by_role("heading", name=MENTEE_NAME)).to_be_visible()
    mentor.get_by_label("Your message").fill(HELLO)
    mentor.get_by_role("button", name="Send").click()
    expect(mentor.get_by_test_id("message").filter(has_text=HELLO)).to_have_count(1)
    conversation_url = re.compile(r"/messages/\d+/")
    expect(mentor).to_have_url(conversation_url)

    # --- The mentee, on a phone, sees the unread badge and replies. ---------------------------
    mentee = new_page(**PHONE)
    log_in(mentee, "mentee")
    _open_menu(mentee)
    badge = mentee.get_by_test_id("unread-messages")
    expect(badge).to_have_text(re.compile(r"^1\s*unread$"))
    mentee.get_by_role("link", name=re.compile(r"^Messages")).click()
    expect(mentee).to_have_url(path_is(live_server, "/messages/"))
    row = mentee.get_by_role("link", name=re.compile(MENTOR_NAME))
    expect(row.get_by_test_id("conversation-unread")).to_have_text(re.compile(r"^1"))
    row.click()
    expect(mentee.get_by_test_id("message").filter(has_text=HELLO)).to_have_count(1)
    send = mentee.get_by_role("button", name="Send")
    box = send.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
    # htmx marked it read on load: the next page has no badge.
    mentee.get_by_label("Your message").fill(REPLY)
    send.click()
    expect(mentee.get_by_test_id("message").filter(has_text=REPLY)).to_have_count(1)
    _open_menu(mentee)
    expect(mentee.get_by_test_id("unread-messages")).to_have_count(0)

    # --- A reply with a risk phrase: the crisis options at once, an alert raised. -------------
    mentee.get_by_label("Your message").fill(FLAGGED)
    mentee.get_by_role("button", name="Send").click()
    crisis = mentee.get_by_test_id("crisis-options")
    expect(crisis).to_be_visible()
    expect(crisis.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    message = Message.objects.get(body=FLAGGED)
    assert message.flagged and message.alert is not None
    alert = message.alert
    assert alert.source == SafetyAlert.Source.MESSAGE and alert.is_open

    # --- The mentor sees the reply (the thread refreshes by itself). ------------------------
    expect(mentor.get_by_test_id("message").filter(has_text=REPLY)).to_have_count(1, timeout=20_000)

    # --- The coordinator opens the alert and reads the flagged message there. -----------------
    coordinator = new_page()
    log_in(coordinator, "coordinator")
    coordinator.goto("/alerts/")
    coordinator.goto(f"/alerts/{alert.pk}/acknowledge/")
    flagged = coordinator.get_by_test_id("flagged-messages")
    expect(flagged).to_contain_text("From a message")
    expect(flagged).to_contain_text(FLAGGED)
    expect(flagged).not_to_contain_text(HELLO)
    # The pair's conversation itself stays closed to the coordinator.
    coordinator.goto(f"/messages/{message.conversation_id}/")
    expect(coordinator.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
