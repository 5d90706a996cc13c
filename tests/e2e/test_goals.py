"""End-to-end goals journey on a phone: the mentee sets a goal with two
milestones, checks in and moves its slider, then checks in again asking for
help now and lands on the crisis page; the coordinator, at a desk, sees the
alert first thing on their home and acknowledges it with a note."""

import re
from datetime import timedelta

import pytest
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from goals.models import Goal, SafetyAlert
from tests.e2e.helpers import MENTEE_NAME, PROGRAM_NAME, field, flash, local_today, path_is

from .conftest import DEMO_EMAILS, PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

GOAL_TITLE = "Sleep by 11 pm on weeknights"
WHY = "I feel steadier and think more clearly when I have slept."
TARGET = "Lights out by 11 pm on four of five weeknights"
MILESTONES = ("Phone out of the bedroom", "Two weeks of early nights")
SLIDER_VALUE = "40"
NOTE = "Called Jordan at once; they are safe and meeting their mentor tomorrow."


def open_checkin(page, live_server):
    """From the mentee's home, the big check-in button (it says when one is due)."""
    page.goto("/home/mentee/")
    page.get_by_role("main").get_by_role("link", name=re.compile(r"^Check in( now — it's due)?$")).click()
    expect(page).to_have_url(path_is(live_server, "/checkin/"))
    expect(page.get_by_role("heading", name="Quick check-in", level=1)).to_be_visible()


def pick_mood(page, mood):
    """The moods are radio buttons styled as buttons: people tap the label."""
    moods = page.get_by_role("group", name="How are you feeling?")
    moods.get_by_text(mood, exact=True).click()
    expect(moods.get_by_role("radio", name=mood, exact=True)).to_be_checked()


def test_mentee_sets_a_goal_checks_in_and_asks_for_help_and_the_coordinator_acknowledges(
    new_page, live_server, demo_data, log_in
):
    today = local_today(DEMO_EMAILS["mentee"])
    due_dates = (today + timedelta(days=7), today + timedelta(days=21))
    alerts_before = SafetyAlert.objects.filter(acknowledged_at__isnull=True).count()
    assert not SafetyAlert.objects.filter(mentee__user__email=DEMO_EMAILS["mentee"]).exists()

    # --- 1. On a phone, the mentee sets a goal with two milestones. ------------------------
    mentee = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=3)
    log_in(mentee, "mentee")
    expect(mentee).to_have_url(path_is(live_server, "/home/mentee/"))
    main = mentee.get_by_role("main")
    main.get_by_role("link", name="Set a goal", exact=True).click()
    expect(mentee.get_by_role("heading", name="Set a goal", level=1)).to_be_visible()

    field(mentee, "Your goal").fill(GOAL_TITLE)
    field(mentee, "Why it matters").fill(WHY)
    field(mentee, "Category").select_option(label="Health")
    field(mentee, "Measurable target").fill(TARGET)
    field(mentee, "How often to check in").select_option(label="Weekly")
    for i, (title, due) in enumerate(zip(MILESTONES, due_dates, strict=True)):
        field(mentee, f"Milestone {i + 1}" + (" (optional)" if i else "")).fill(title)
        field(mentee, f"Milestone {i + 1} due").fill(due.isoformat())
    mentee.get_by_role("button", name="Save the goal").click()

    expect(mentee).to_have_url(re.compile(re.escape(live_server.url) + r"/goals/\d+/$"))
    expect(flash(mentee, "Your goal is set.")).to_be_visible()
    expect(mentee.get_by_role("heading", name=GOAL_TITLE, level=1)).to_be_visible()
    expect(mentee.get_by_test_id("goal-status")).to_have_text("Active")
    expect(main).to_contain_text("Health · weekly check-ins")
    expect(main).to_contain_text(f"Why it matters: {WHY}")
    expect(main).to_contain_text(f"Target: {TARGET}")
    milestones = main.get_by_role("listitem")
    expect(milestones).to_have_count(2)
    for item, title, due in zip(milestones.all(), MILESTONES, due_dates, strict=True):
        expect(item).to_contain_text(title)
        expect(item).to_contain_text(f"due {date_format(due, 'M j')}")
    progress = main.get_by_role("progressbar", name="Progress", exact=True)
    expect(progress).to_have_attribute("aria-valuenow", "0")
    goal_path = mentee.url.removeprefix(live_server.url)

    goal = Goal.objects.get(mentee__user__email=DEMO_EMAILS["mentee"], title=GOAL_TITLE)
    assert goal.status == Goal.Status.ACTIVE
    assert goal.category == "health" and goal.cadence == "weekly" and not goal.is_private
    assert [(m.title, m.due_date) for m in goal.milestones.all()] == list(zip(MILESTONES, due_dates, strict=True))

    # --- 2. The check-in page fits the phone. ---------------------------------------------
    open_checkin(mentee, live_server)
    expect(mentee.get_by_test_id("get-help-now")).to_be_in_viewport()
    page_width = mentee.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= PHONE_VIEWPORT["width"], f"the check-in page scrolls sideways ({page_width}px wide)"
    for mood in ("Very low", "Low", "Okay", "Good", "Great"):
        box = mentee.get_by_role("group", name="How are you feeling?").get_by_text(mood, exact=True).bounding_box()
        assert box["height"] >= 44, f"the {mood!r} button is too small to tap ({box['height']}px)"
    submit = mentee.get_by_role("button", name="Check in", exact=True)
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_visible()
    expect(submit).to_be_in_viewport()
    box = submit.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]

    # --- 3. The mentee checks in and moves the new goal's slider. --------------------------
    # The demo's last moods are 4 then 5: "Good" twice does not make a falling mood
    # (which would raise a second alert and send the mentee to the crisis page).
    pick_mood(mentee, "Good")
    slider = mentee.get_by_role("slider", name=f"{GOAL_TITLE}: progress (%)")
    expect(slider).to_have_value("0")
    slider.fill(SLIDER_VALUE)
    expect(slider).to_have_value(SLIDER_VALUE)
    expect(slider.locator("xpath=following-sibling::output")).to_have_text(f"{SLIDER_VALUE}%")
    # The new goal's milestones can be ticked off in the same check-in.
    for title in MILESTONES:
        expect(mentee.get_by_role("checkbox", name=title, exact=True)).not_to_be_checked()
    submit.click()

    expect(mentee).to_have_url(path_is(live_server, "/home/mentee/"))
    expect(flash(mentee, "Thanks for checking in")).to_be_visible()
    expect(main.get_by_role("progressbar", name=f"Progress on {GOAL_TITLE}")).to_have_attribute(
        "aria-valuenow", SLIDER_VALUE
    )
    main.get_by_role("link", name=re.compile(rf"^\s*{re.escape(GOAL_TITLE)}")).click()
    expect(mentee).to_have_url(path_is(live_server, goal_path))
    expect(progress).to_have_attribute("aria-valuenow", SLIDER_VALUE)
    expect(progress).to_have_text(f"{SLIDER_VALUE}%")
    goal.refresh_from_db()
    assert goal.progress == int(SLIDER_VALUE)
    assert not SafetyAlert.objects.filter(mentee=goal.mentee).exists()

    # --- 4. The mentee checks in again and asks for help now. -------------------------------
    open_checkin(mentee, live_server)
    pick_mood(mentee, "Good")
    expect(mentee.get_by_role("slider", name=f"{GOAL_TITLE}: progress (%)")).to_have_value(SLIDER_VALUE)
    help_now = mentee.get_by_role("switch", name="Also ask for help when I send this check-in")
    expect(help_now).not_to_be_checked()
    help_now.check()
    expect(help_now).to_be_checked()
    mentee.get_by_role("button", name="Check in", exact=True).click()

    expect(mentee).to_have_url(re.compile(re.escape(live_server.url) + r"/crisis/\?from=checkin&mentee=\d+$"))
    expect(mentee.get_by_role("status").filter(has_text="Thank you for telling us")).to_be_visible()
    expect(mentee.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
    call, text = mentee.get_by_role("link", name="Call 988"), mentee.get_by_role("link", name="Text 988")
    expect(call).to_have_attribute("href", "tel:988")
    expect(text).to_have_attribute("href", "sms:988")
    call.scroll_into_view_if_needed()
    expect(call).to_be_in_viewport()
    expect(text).to_be_visible()

    alert = SafetyAlert.objects.get(mentee=goal.mentee)
    assert alert.kind == SafetyAlert.Kind.HELP_NOW and alert.is_open
    assert alert.checkin.needs_help

    # --- 5. The coordinator sees the alert first thing and acknowledges it. -----------------
    coordinator = new_page()
    log_in(coordinator, "coordinator")
    expect(coordinator).to_have_url(path_is(live_server, "/home/coordinator/"))
    open_alerts = coordinator.get_by_test_id("open-alerts")
    expect(open_alerts.get_by_role("heading", name=re.compile(r"^Needs attention now"))).to_have_text(
        f"Needs attention now: {alerts_before + 1} safety alerts"
    )
    jordans = open_alerts.get_by_role("listitem").filter(has_text=MENTEE_NAME)
    expect(jordans).to_have_count(1)
    expect(jordans).to_contain_text(f"{MENTEE_NAME} · asked for help now")
    jordans.get_by_role("link", name="Acknowledge").click()

    expect(coordinator).to_have_url(path_is(live_server, f"/alerts/{alert.pk}/acknowledge/"))
    expect(coordinator.get_by_role("heading", name=f"Asked for help now: {MENTEE_NAME}", level=1)).to_be_visible()
    field(coordinator, "What did you do, or what happens next?").fill(NOTE)
    coordinator.get_by_role("button", name="Acknowledge").click()

    expect(coordinator).to_have_url(path_is(live_server, "/alerts/"))
    expect(flash(coordinator, "The alert is acknowledged.")).to_be_visible()
    handled = coordinator.get_by_test_id("alert").filter(has_text=MENTEE_NAME)
    expect(handled).to_contain_text(f"Acknowledged by Dana Whitfield: {NOTE}")
    expect(handled.get_by_role("link", name="Acknowledge")).to_have_count(0)

    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Home", exact=True).click()
    expect(coordinator).to_have_url(path_is(live_server, "/home/coordinator/"))
    expect(coordinator.get_by_role("heading", name=PROGRAM_NAME, level=1)).to_be_visible()
    expect(open_alerts.get_by_role("listitem").filter(has_text=MENTEE_NAME)).to_have_count(0)
    if alerts_before:  # the demo's other open alert is still waiting
        expect(open_alerts.get_by_role("heading")).to_have_text(
            f"Needs attention now: {alerts_before} safety alert{'s' if alerts_before > 1 else ''}"
        )
    else:
        expect(open_alerts).to_have_count(0)

    alert.refresh_from_db()
    assert not alert.is_open
    assert alert.acknowledged_by.email == DEMO_EMAILS["coordinator"]
    assert alert.note == NOTE
