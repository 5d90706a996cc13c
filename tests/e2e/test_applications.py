"""End-to-end journey from a public mentor application to a mentor who is
ready to be matched: apply, be accepted, accept the emailed invitation, work
through the readiness checklist and have a coordinator confirm it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from mentoring.models import MentorProfile, zone_named
from tests.e2e.helpers import PROGRAM_NAME, flash, pass_second_step, path_is

from .conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT_NAME = "Riley Applicant"
APPLICANT_EMAIL = "riley@example.net"
APPLICANT_PASSWORD = "a-very-long-pass-phrase-19"


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    pass_second_step(page, email)


def invitation_path_for(email):
    """The /invite/<token>/ path from the one invitation email sent to ``email``.
    The live server runs in this process, so the locmem outbox holds it."""
    sent = [message for message in mail.outbox if email in message.to]
    assert len(sent) == 1, f"expected one email to {email}, got {len(sent)}"
    found = re.search(r"/invite/[^/\s]+/", sent[0].body)
    assert found, sent[0].body
    return found.group(0)


def mentor_row(page, name):
    return page.get_by_role("main").locator(".list-group-item").filter(has_text=name)


def test_mentor_applies_is_accepted_and_becomes_ready_to_match(new_page, live_server, demo_data, log_in):
    # --- 1-2. An anonymous visitor applies; the first try has mistakes. -----------------
    applicant = new_page()
    applicant.goto("/")
    applicant.get_by_role("link", name="Become a mentor").click()
    expect(applicant).to_have_url(path_is(live_server, "/apply/mentor/"))
    expect(applicant.get_by_role("heading", name="Become a mentor", level=1)).to_be_visible()
    expect(applicant.get_by_text(PROGRAM_NAME, exact=True)).to_be_visible()

    applicant.get_by_label("Your name").fill(APPLICANT_NAME)
    applicant.get_by_label("Email").fill("riley-at-example.net")
    lived_experience = applicant.get_by_role("group", name="Lived experience", exact=True)
    lived_experience.get_by_label("Alcohol", exact=True).check()
    lived_experience.get_by_label("Opioids", exact=True).check()
    applicant.get_by_role("group", name="Recovery pathways", exact=True).get_by_label("SMART Recovery").check()
    applicant.get_by_role("group", name="Languages you are comfortable in").get_by_label("Spanish").check()
    availability = applicant.get_by_role("group", name="When can you usually meet?")
    for slot in ("Tue evening", "Thu evening", "Sat morning"):
        availability.get_by_label(slot, exact=True).check()
    consent = applicant.get_by_label("I agree that the program may contact me")
    privacy = applicant.get_by_label("I have read the privacy notice")
    expect(consent).not_to_be_checked()
    expect(privacy).not_to_be_checked()
    applicant.get_by_role("button", name="Send application").click()

    # The form comes back with each error tied to its field, and keeps the answers.
    email = applicant.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Enter a valid email address.")
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(consent).to_have_accessible_description("We need your agreement to contact you about your application.")
    expect(privacy).to_have_attribute("aria-invalid", "true")
    expect(privacy).to_have_accessible_description("Please read the privacy notice and tick the box to agree.")
    expect(applicant.get_by_label("Your name")).to_have_value(APPLICANT_NAME)
    expect(email).to_have_value("riley-at-example.net")
    expect(lived_experience.get_by_label("Opioids", exact=True)).to_be_checked()
    expect(availability.get_by_label("Sat morning", exact=True)).to_be_checked()

    email.fill(APPLICANT_EMAIL)
    consent.check()
    privacy.check()
    applicant.get_by_role("button", name="Send application").click()
    expect(applicant).to_have_url(path_is(live_server, "/apply/thanks/"))
    expect(applicant.get_by_role("heading", name=re.compile("we have your application"))).to_be_visible()

    # --- 3. A coordinator reviews and accepts the application. --------------------------
    coordinator = new_page()
    log_in(coordinator, "coordinator")
    expect(coordinator).to_have_url(path_is(live_server, "/home/coordinator/"))
    coordinator.get_by_role("main").get_by_role("link", name=re.compile(PROGRAM_NAME)).click()
    expect(coordinator.get_by_role("heading", name=PROGRAM_NAME, level=1)).to_be_visible()
    program_url = coordinator.url

    coordinator.get_by_role("main").get_by_role("link", name=re.compile(r"^Applications")).click()
    expect(coordinator.get_by_role("heading", name="Applications", level=1)).to_be_visible()
    expect(coordinator.get_by_label("Status")).to_have_value("new")  # the button opens the new ones
    coordinator.get_by_label("Name or email").fill("riley")
    coordinator.get_by_role("button", name="Filter").click()
    expect(coordinator).to_have_url(re.compile(r"[?&]q=riley"))
    rows = coordinator.get_by_role("main").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=APPLICANT_NAME).click()

    expect(coordinator.get_by_role("heading", name=APPLICANT_NAME, level=1)).to_be_visible()
    main = coordinator.get_by_role("main")
    expect(main).to_contain_text(APPLICANT_EMAIL)
    expect(main).to_contain_text("Alcohol")
    expect(main).to_contain_text("SMART Recovery")
    expect(main).to_contain_text("Sat morning")

    note = "Met Riley at the open evening; warm and steady."
    coordinator.get_by_label("Add an internal note").fill(note)
    coordinator.get_by_role("button", name="Add note").click()
    expect(flash(coordinator, "Your note is added.")).to_be_visible()
    expect(main.get_by_text(note)).to_be_visible()

    coordinator.get_by_role("radio", name="Accept", exact=True).check()
    coordinator.get_by_label("Reason").fill("Two years in recovery, good references.")
    coordinator.get_by_role("button", name="Save decision").click()
    accepted = f"{APPLICANT_NAME} is accepted. An invitation is on its way to their email."
    expect(flash(coordinator, accepted)).to_be_visible()
    expect(main).to_contain_text("Two years in recovery, good references.")
    expect(coordinator.get_by_role("button", name="Save decision")).to_have_count(0)

    # The list, filtered by status, now files Riley under accepted.
    coordinator.get_by_role("link", name="← Applications").click()
    coordinator.get_by_label("Status").select_option(label="Accepted")
    coordinator.get_by_role("button", name="Filter").click()
    expect(coordinator).to_have_url(re.compile(r"[?&]status=accepted"))
    riley_row = coordinator.get_by_role("main").locator("tbody tr").filter(has_text=APPLICANT_NAME)
    expect(riley_row).to_contain_text("Accepted")
    coordinator.get_by_label("Status").select_option(label="New")
    coordinator.get_by_role("button", name="Filter").click()
    expect(coordinator).to_have_url(re.compile(r"[?&]status=new"))
    expect(coordinator.get_by_role("main").locator("tbody tr").first).to_be_visible()
    expect(coordinator.get_by_role("main").get_by_text(APPLICANT_NAME)).to_have_count(0)

    # --- 4. The applicant follows the emailed link and sets a password. -----------------
    invite_path = invitation_path_for(APPLICANT_EMAIL)
    mentor = new_page()
    mentor.goto(live_server.url + invite_path)
    expect(mentor.get_by_role("heading", name=f"Welcome, {APPLICANT_NAME}")).to_be_visible()
    mentor.get_by_label("Choose a password").fill(APPLICANT_PASSWORD)
    mentor.get_by_label("Type it again").fill(APPLICANT_PASSWORD)
    mentor.get_by_role("button", name="Set password and continue").click()
    expect(mentor).to_have_url(path_is(live_server, "/home/mentor/"))
    expect(flash(mentor, "Welcome to Waypoint, Riley.")).to_be_visible()

    # The link works once.
    stranger = new_page()
    stranger.goto(invite_path)
    expect(stranger.get_by_role("heading", name="This link no longer works")).to_be_visible()

    # --- 5. The new mentor works through their checklist. -------------------------------
    mentor.get_by_role("link", name="Continue your checklist").click()
    expect(mentor.get_by_role("heading", name="Your readiness checklist", level=1)).to_be_visible()
    status = mentor.get_by_test_id("readiness-status")
    expect(status).to_contain_text("Not ready yet")

    modules = mentor.locator("[data-testid^='module-']")
    expect(modules).to_have_count(4)
    required = modules.filter(has=mentor.get_by_text("required", exact=True))
    expect(required).to_have_count(3)
    required_ids = [required.nth(i).get_attribute("data-testid") for i in range(3)]
    optional_id = modules.filter(has=mentor.get_by_text("optional", exact=True)).get_attribute("data-testid")

    for test_id in required_ids:
        row = mentor.get_by_test_id(test_id)
        row.get_by_role("button", name="Mark as done").click()
        # Waiting for the reloaded row also keeps the next click off the old page.
        expect(row).to_contain_text("waiting for a coordinator")
        expect(row.get_by_role("button", name="Mark as done")).to_have_count(0)
    expect(flash(mentor, "is marked as done. A coordinator will confirm it.")).to_be_visible()
    expect(mentor.get_by_test_id(optional_id)).to_contain_text("Not done yet")

    mentor.get_by_label("I have read this agreement and will keep to it.").check()
    mentor.get_by_label("Type your full name to sign").fill(APPLICANT_NAME)
    mentor.get_by_role("button", name="Sign the agreement").click()
    expect(flash(mentor, re.compile(r"You signed version \d+ of the agreement"))).to_be_visible()
    expect(mentor.get_by_role("button", name="Sign the agreement")).to_have_count(0)
    expect(mentor.get_by_role("main")).to_contain_text(re.compile(r"Version \d+ signed on"))
    expect(status).to_contain_text("Not ready yet")  # confirmations and background check still open

    # --- 6. The coordinator confirms the training and the background check. -------------
    coordinator.goto(program_url)
    coordinator.get_by_role("link", name=re.compile(r"^Mentors \(")).click()
    riley = mentor_row(coordinator, APPLICANT_NAME)
    expect(riley).to_contain_text("Not ready")
    expect(riley).to_contain_text("training 0/3")
    expect(riley).to_contain_text("agreement signed")
    riley.get_by_role("link", name="Readiness").click()
    expect(coordinator.get_by_role("heading", name=f"Readiness of {APPLICANT_NAME}", level=1)).to_be_visible()

    for test_id in required_ids:
        row = coordinator.get_by_test_id(test_id)
        row.get_by_role("button", name="Confirm").click()
        expect(row).to_contain_text("Confirmed")
        expect(row.get_by_role("button", name="Confirm")).to_have_count(0)
    status = coordinator.get_by_test_id("readiness-status")
    expect(status).to_contain_text("Not ready yet")  # the background check is still pending

    # The coordinator's today (the default zone, New York): the form reads dates there, so
    # between midnight UTC and midnight in New York the UTC date would be "in the future".
    today = timezone.localdate(timezone=zone_named(""))
    coordinator.get_by_label("Status").select_option(label="Cleared")
    coordinator.get_by_label("Checked on").fill(today.isoformat())
    coordinator.get_by_label("Expires on").fill((today + timedelta(days=365)).isoformat())
    coordinator.get_by_role("button", name="Update").click()
    expect(flash(coordinator, "The background check is updated.")).to_be_visible()
    expect(status).to_contain_text("Ready to be matched")

    # --- 7. Riley is listed among the ready mentors, and only there. --------------------
    coordinator.goto(program_url + "?tab=mentors&ready=yes")
    riley = mentor_row(coordinator, APPLICANT_NAME)
    expect(riley).to_have_count(1)
    expect(riley.get_by_text("Ready", exact=True)).to_be_visible()
    expect(riley).to_contain_text("training 3/3 · check ok · agreement signed")

    coordinator.goto(program_url + "?tab=mentors&ready=no")
    expect(mentor_row(coordinator, "Not ready").first).to_be_visible()  # the list itself is there
    expect(mentor_row(coordinator, APPLICANT_NAME)).to_have_count(0)


def test_mentor_must_sign_the_agreement_with_their_own_name(page, demo_data):
    """The agreement is signed only with the name on the account; a wrong one
    is explained next to the field and the ticked box is kept."""
    unsigned = MentorProfile.objects.filter(signatures__isnull=True).select_related("user").get()
    sign_in(page, unsigned.user.email, DEMO_PASSWORD)
    page.get_by_role("link", name="Continue your checklist").click()
    expect(page.get_by_test_id("readiness-status")).to_contain_text("Not ready yet")

    agree = page.get_by_label("I have read this agreement and will keep to it.")
    typed_name = page.get_by_label("Type your full name to sign")
    agree.check()
    typed_name.fill("Someone Else")
    page.get_by_role("button", name="Sign the agreement").click()

    expect(typed_name).to_have_attribute("aria-invalid", "true")
    expect(typed_name).to_have_accessible_description("Type your full name exactly as it appears on your account.")
    expect(agree).to_be_checked()

    typed_name.fill(unsigned.user.full_name)
    page.get_by_role("button", name="Sign the agreement").click()
    expect(flash(page, re.compile(r"You signed version \d+ of the agreement"))).to_be_visible()
    expect(page.get_by_test_id("readiness-status")).to_contain_text("Ready to be matched")
