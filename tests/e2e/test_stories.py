"""Browser journey (issue 20, parts 5-6), on phones: a mentee writes their story
and sends it; the coordinator asks them to read it; the mentee consents; the
coordinator publishes it and publishes the program's public page; an anonymous
visitor reads the story there and applies; the mentee withdraws consent and the
story is gone from the public page."""

import re

import pytest
from playwright.sync_api import expect

from programs.models import Program
from tests.e2e.helpers import MENTEE_NAME, PROGRAM_NAME, apply_for_a_mentor, flash, path_is, publish_public_page

from .conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "The bench by the river"
BODY = "Every Thursday we sat on the same bench and made a plan for the week. Small plans, kept."
PHONE = {"viewport": PHONE_VIEWPORT, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


def test_a_story_is_consented_published_read_by_a_visitor_who_applies_then_withdrawn(
    new_page, live_server, demo_data, log_in
):
    program = Program.objects.get(name=PROGRAM_NAME)
    Program.objects.filter(pk=program.pk).update(public_page_enabled=False)  # the coordinator publishes it below
    public_path = f"/p/{program.slug}/"

    # --- The mentee writes their story and sends it to the coordinators. -----------------------
    mentee = new_page(**PHONE)
    log_in(mentee, "mentee")
    mentee.get_by_role("main").get_by_role("link", name="My story").click()
    expect(mentee).to_have_url(path_is(live_server, "/stories/"))
    mentee.get_by_role("link", name="Write a story").click()
    mentee.get_by_label("Name shown with the story").fill(MENTEE_NAME)  # a surname: refused next to the field
    mentee.get_by_label("Title").fill(TITLE)
    mentee.get_by_label("Your story").fill(BODY)
    mentee.get_by_role("button", name="Save").click()
    name = mentee.get_by_label("Name shown with the story")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(mentee.get_by_label("Title")).to_have_value(TITLE)
    name.fill(MENTEE_NAME.split()[0])
    mentee.get_by_role("button", name="Save").click()
    expect(flash(mentee, "Your story is saved as a draft.")).to_be_visible()
    story_url = mentee.url
    mentee.get_by_role("button", name="Send to the coordinators").click()
    expect(flash(mentee, "Your story is with your coordinators.")).to_be_visible()

    # --- The coordinator finds it and asks the author to read it and consent. ----------------
    coordinator = new_page(**PHONE)
    log_in(coordinator, "coordinator")
    coordinator.goto(f"/programs/{program.pk}/")
    coordinator.get_by_role("link", name="Stories", exact=True).click()
    coordinator.get_by_role("main").get_by_role("link", name=re.compile(TITLE)).click()
    expect(coordinator.get_by_role("button", name="Publish")).to_have_count(0)  # no consent yet
    coordinator.get_by_role("button", name=re.compile("to read and consent")).click()
    expect(flash(coordinator, "is asked to read this version")).to_be_visible()

    # --- The mentee reads the text and consents. ----------------------------------------------
    mentee.goto(story_url)
    mentee.get_by_role("link", name="Read and consent").click()
    expect(mentee.get_by_role("main")).to_contain_text(BODY)
    mentee.get_by_label("I have read my story as it is above").check()
    mentee.get_by_label("Type your full name to sign").fill(MENTEE_NAME)
    mentee.get_by_role("button", name="Sign and consent").click()
    expect(flash(mentee, "Your consent is recorded")).to_be_visible()

    # --- The coordinator publishes the story and the public page. -----------------------------
    coordinator.reload()
    coordinator.once("dialog", lambda dialog: dialog.accept())
    coordinator.get_by_role("button", name="Publish").click()
    expect(flash(coordinator, "The story is published.")).to_be_visible()
    publish_public_page(coordinator, program, "Walk with someone who has been there.")

    # --- An anonymous visitor reads the story and applies. --------------------------------------
    visitor = new_page(**PHONE)
    visitor.goto(public_path)
    expect(visitor.get_by_role("heading", name=PROGRAM_NAME, level=1)).to_be_visible()
    expect(visitor.get_by_role("main")).to_contain_text("Walk with someone who has been there.")
    expect(visitor.get_by_role("main").get_by_role("link", name="Crisis lines")).to_be_visible()
    stories = visitor.get_by_role("region", name="Read how others found their way")
    stories.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(visitor.get_by_role("main")).to_contain_text(BODY)
    expect(visitor.get_by_role("main")).not_to_contain_text(MENTEE_NAME)  # the first name only
    apply_for_a_mentor(visitor, live_server, name="Sky Visitor", email="sky@example.net")
    assert program.applications.filter(email="sky@example.net", kind="mentee").exists()

    # --- The mentee withdraws consent: the story is gone from the public page at once. ----------
    mentee.goto(story_url)
    mentee.once("dialog", lambda dialog: dialog.accept())
    mentee.get_by_role("button", name="Withdraw consent").click()
    expect(flash(mentee, "Your consent is withdrawn.")).to_be_visible()
    expect(mentee.get_by_test_id("story-status")).to_have_text("Withdrawn")

    visitor.goto(public_path)
    expect(visitor.get_by_role("heading", name=PROGRAM_NAME, level=1)).to_be_visible()
    expect(visitor.get_by_role("main")).not_to_contain_text(TITLE)
    gone = visitor.goto(story_url.replace(live_server.url, "").replace("/stories/", f"/p/{program.slug}/stories/"))
    assert gone.status == 404
