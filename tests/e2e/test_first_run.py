"""A real organisation's first run in the browser (issue 20): the operator runs
`manage.py setup_organisation --no-input ...` (no demo data), the coordinator
opens the printed one-time link, chooses a password, sets up two-factor
sign-in from the key on the page and lands on the home with the first-steps
checklist; a step followed from the checklist ticks itself. Then the
coordinator publishes a story a mentee consented to and the program's public
page, and a visitor reads the story there and applies (issue 20's "done when")."""

import io
import re
from base64 import b32decode
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import expect

from programs.models import Program
from programs.stories import story_consent_sign, story_create, story_submit
from tests.factories import MenteeProfileFactory, UserFactory

from .helpers import apply_for_a_mentor, field, flash, path_is, publish_public_page

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "river stones and quiet mornings"
STORY = "We met on Tuesdays by the library. Small plans, kept, one week at a time."


def setup_organisation():
    out = io.StringIO()
    call_command(
        "setup_organisation",
        "--no-input",
        "--organisation",
        "Riverside Community Services",
        "--program",
        "Riverside Peer Mentoring",
        "--time-zone",
        "America/Chicago",
        "--coordinator-email",
        "ana.ruiz@riverside.example",
        "--coordinator-name",
        "Ana Ruiz",
        stdout=out,
    )
    link = re.search(r"https?://\S+/invite/\S+/", out.getvalue()).group(0)
    return urlsplit(link).path


def test_a_new_organisation_sets_up_its_first_coordinator(page, live_server):
    invite_path = setup_organisation()

    page.goto(invite_path)
    expect(page.get_by_text("You are invited to join")).to_be_visible()
    field(page, "Choose a password").fill(PASSWORD)
    field(page, "Type it again").fill(PASSWORD)
    page.get_by_role("button", name="Set password and continue").click()

    # Coordinators set up an authenticator app before anything else.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    page.get_by_role("button", name="Start").click()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    code = totp(b32decode(secret), step=30, t0=0, digits=6, drift=0)  # what the app would show
    page.get_by_label("6-digit code from the app").fill(f"{code:06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("backup-codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="I have saved them").click()

    expect(page).to_have_url(path_is(live_server, "/home/coordinator/"))
    checklist = page.get_by_test_id("setup-checklist")
    expect(checklist.get_by_role("heading", name="First steps for Riverside Peer Mentoring")).to_be_visible()
    expect(checklist.get_by_text("0 of 5 done.")).to_be_visible()
    for label in (
        "Review the program settings",
        "Publish your boundaries agreement",
        "Add training modules",
        "Invite your first mentors",
        "Open applications",
    ):
        expect(checklist.get_by_role("link", name=label, exact=True)).to_be_visible()

    # Follow "Open applications": the program's settings, saved as active.
    checklist.get_by_role("link", name="Open applications", exact=True).click()
    program = Program.objects.get()
    expect(page).to_have_url(path_is(live_server, f"/programs/{program.pk}/edit/"))
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page).to_have_url(path_is(live_server, f"/programs/{program.pk}/"))

    page.goto("/home/coordinator/")
    checklist = page.get_by_test_id("setup-checklist")
    expect(checklist.get_by_text("2 of 5 done.")).to_be_visible()
    expect(checklist.locator('[data-step="applications"]')).to_have_attribute("data-done", "yes")
    expect(checklist.locator('[data-step="settings"]')).to_have_attribute("data-done", "yes")
    program.refresh_from_db()
    assert program.status == Program.Status.ACTIVE

    # A mentee of the new program wrote a story and consented to it (their own
    # pages are covered by test_stories.py); the coordinator publishes it and
    # the program's public page.
    author = MenteeProfileFactory(program=program, user=UserFactory(full_name="Rosa Quintero")).user
    story = story_create(program=program, author=author, title="Small plans, kept", body=STORY, display_name="Rosa")
    story_submit(story=story)
    story_consent_sign(story=story, person=author, typed_name="Rosa Quintero")
    page.goto(f"/programs/{program.pk}/")
    page.get_by_role("link", name="Stories", exact=True).click()
    page.get_by_role("main").get_by_role("link", name=re.compile("Small plans, kept")).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish").click()
    expect(flash(page, "The story is published.")).to_be_visible()
    publish_public_page(page, program, "Someone who has been there, beside you.")
    program.refresh_from_db()

    # A visitor, not signed in, reads the story on the public page and applies.
    visitor = page.context.browser.new_page()
    visitor.goto(f"{live_server.url}/p/{program.slug}/")
    expect(visitor.get_by_role("heading", name="Riverside Peer Mentoring", level=1)).to_be_visible()
    visitor.get_by_role("region", name="Read how others found their way").get_by_role(
        "link", name="Small plans, kept"
    ).click()
    expect(visitor.get_by_role("main")).to_contain_text(STORY)
    expect(visitor.get_by_role("main")).not_to_contain_text("Quintero")
    apply_for_a_mentor(visitor, live_server, name="Sky Visitor", email="sky@example.net")
    assert program.applications.filter(email="sky@example.net", kind="mentee").exists()
    visitor.close()
