"""End-to-end resources journeys: the mentor finds a listing in the directory
and shares it with their mentee as a referral; the mentee, on a phone, finds
it in "My resources" with the mentor's note and answers "Did you connect?";
an anonymous visitor on a phone reaches the crisis listings without signing
in. Then the mentor shares a listing from a past session and lands back on it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mentoring.models import Match
from resources.models import Resource, Share
from tests.e2e.helpers import MENTEE_NAME, MENTOR_NAME, PROGRAM_NAME, field, flash, path_is

from .conftest import DEMO_EMAILS, PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

# The "Share with" choices name the mentee and their program.
MENTEE_CHOICE = f"{MENTEE_NAME} in {PROGRAM_NAME}"
SEARCH = "Recovery Residence"
RESIDENCES = tuple(f"{place} {SEARCH}" for place in ("Riverbend", "Hillcrest", "Millbrook", "Lakeside", "Oakton"))
LISTING = "Hillcrest Recovery Residence"
NOTE = "They have a bed opening next month. Ask for Dee and mention my name."
SESSION_LISTING = "Millbrook Community Food Pantry"
SESSION_NOTE = "The pantry we talked about on Tuesday: bring any ID."
CRISIS_LINE = "Crisis Text Line"  # 988 and SAMHSA have their own cards above the list


def phone(new_page):
    return new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=3)


def assert_fits_the_phone(page, what):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{what} scrolls sideways ({width}px wide)"


def search_directory(page, live_server, words):
    """Type in the directory's search box and submit; the results are listings."""
    search = page.get_by_role("search")
    search.get_by_role("textbox", name="Search", exact=True).fill(words)
    search.get_by_role("button", name="Go", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/resources/\?.*q=" + words.replace(" ", r"\+")))
    return page.get_by_test_id("resource")


def share_card(page):
    """The "Share with a mentee" card on a listing's page."""
    return page.locator(".card").filter(has=page.get_by_role("heading", name="Share with a mentee", level=2))


def test_mentor_refers_a_listing_and_the_mentee_answers_the_follow_up_on_a_phone(
    new_page, live_server, demo_data, log_in
):
    listing = Resource.objects.get(name=LISTING)
    listing_path = reverse("resources:detail", args=[listing.pk])
    assert not Share.objects.filter(resource=listing).exists()
    # The demo mentee already has a referral waiting for an answer: it stays waiting.
    other_open = Share.objects.get(mentee__user__email=DEMO_EMAILS["mentee"], is_referral=True, followup="")

    # --- 1. The mentor finds the listing in the directory. ---------------------------------
    mentor = new_page()
    log_in(mentor, "mentor")
    expect(mentor).to_have_url(path_is(live_server, "/home/mentor/"))
    mentor.get_by_role("navigation", name="Main").get_by_role("link", name="Resources", exact=True).click()
    expect(mentor).to_have_url(path_is(live_server, "/resources/"))
    expect(mentor.get_by_role("heading", name="Resources", level=1)).to_be_visible()

    results = search_directory(mentor, live_server, SEARCH)
    expect(results).to_have_count(len(RESIDENCES))
    for name in RESIDENCES:
        expect(results.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(mentor.get_by_role("search").get_by_role("textbox", name="Search", exact=True)).to_have_value(SEARCH)
    results.get_by_role("link", name=LISTING, exact=True).click()

    expect(mentor).to_have_url(path_is(live_server, listing_path))
    expect(mentor.get_by_role("heading", name=LISTING, level=1)).to_be_visible()
    expect(mentor.get_by_role("main")).to_contain_text("Recovery housing")
    expect(mentor.get_by_role("link", name=f"Call {listing.phone}")).to_have_attribute("href", f"tel:{listing.phone}")

    # --- 2. The mentor shares it with Jordan as a referral, with a note. ----------------------
    card = share_card(mentor)
    share_with = field(card, "Share with")
    # The mentor's current mentees in the listing's program, and nobody else.
    current = Match.objects.current().filter(mentor__user__email=DEMO_EMAILS["mentor"])
    expected = sorted(f"{m.mentee.user} in {m.mentee.program}" for m in current.select_related("mentee__user"))
    assert MENTEE_CHOICE in expected
    options = share_with.locator("option").all_inner_texts()
    assert sorted(o.strip() for o in options if o.strip() != "---------") == expected
    share_with.select_option(label=MENTEE_CHOICE)
    field(card, "A note (optional)").fill(NOTE)
    referral = card.get_by_role("checkbox", name=re.compile(r"^This is a referral"))
    expect(referral).not_to_be_checked()
    referral.check()
    card.get_by_role("button", name="Share", exact=True).click()

    expect(mentor).to_have_url(path_is(live_server, listing_path))
    expect(flash(mentor, f"Shared with {MENTEE_NAME}.")).to_be_visible()
    # The form is ready for another share.
    expect(field(share_card(mentor), "A note (optional)")).to_have_value("")

    share = Share.objects.get(resource=listing)
    assert share.mentee.user.email == DEMO_EMAILS["mentee"]
    assert share.shared_by.email == DEMO_EMAILS["mentor"]
    assert share.note == NOTE and share.is_referral and share.session is None
    assert share.followup == "" and share.followup_at is None

    # --- 3. On a phone, the mentee finds it in "My resources" and answers. -------------------
    mentee = phone(new_page)
    log_in(mentee, "mentee")
    expect(mentee).to_have_url(path_is(live_server, "/home/mentee/"))
    mentee.get_by_role("main").get_by_role("link", name="My resources", exact=True).tap()
    expect(mentee).to_have_url(path_is(live_server, "/my-resources/"))
    expect(mentee.get_by_role("heading", name="My resources", level=1)).to_be_visible()
    assert_fits_the_phone(mentee, "My resources")

    shares = mentee.get_by_test_id("share")
    mine = shares.filter(has=mentee.get_by_role("heading", name=LISTING, exact=True))
    expect(mine).to_have_count(1)
    expect(shares.first).to_contain_text(LISTING)  # the newest comes first
    expect(mine.get_by_role("link", name=LISTING, exact=True)).to_have_attribute("href", listing_path)
    expect(mine).to_contain_text(f"From {MENTOR_NAME}")
    expect(mine).to_contain_text(NOTE)
    expect(mine).to_contain_text("Did you connect?")
    for answer in ("Yes, I connected", "Not yet", "It didn't help"):
        expect(mine.get_by_role("button", name=answer, exact=True)).to_be_visible()
    mine.get_by_role("button", name="Yes, I connected", exact=True).tap()

    expect(mentee).to_have_url(path_is(live_server, "/my-resources/"))
    expect(flash(mentee, "Thanks for letting us know.")).to_be_visible()
    expect(mine).to_contain_text("You said: Yes, I connected.")
    expect(mine).not_to_contain_text("Did you connect?")
    expect(mine.get_by_role("button")).to_have_count(0)
    # The other referral still asks.
    other = shares.filter(has=mentee.get_by_role("heading", name=other_open.resource.name, exact=True))
    expect(other.get_by_role("button", name="Yes, I connected", exact=True)).to_be_visible()

    share.refresh_from_db()
    assert share.followup == Share.FollowUp.YES and share.followup_at is not None
    other_open.refresh_from_db()
    assert other_open.followup == ""

    # The listing opens from "My resources" for the mentee, with its phone number.
    mine.get_by_role("link", name=LISTING, exact=True).tap()
    expect(mentee).to_have_url(path_is(live_server, listing_path))
    expect(mentee.get_by_role("heading", name=LISTING, level=1)).to_be_visible()
    expect(mentee.get_by_role("link", name=f"Call {listing.phone}")).to_be_visible()
    expect(mentee.get_by_role("heading", name="Share with a mentee")).to_have_count(0)

    # --- 4. An anonymous visitor on a phone reaches the crisis listings. ----------------------
    visitor = phone(new_page)
    response = visitor.goto("/crisis/")
    assert response.status == 200
    expect(visitor).to_have_url(path_is(live_server, "/crisis/"))
    expect(visitor.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
    # Signed out all along (the phone's menu is collapsed, hence include_hidden).
    nav = visitor.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in", include_hidden=True)).to_have_count(1)
    expect(nav.get_by_role("button", name="Sign out", include_hidden=True)).to_have_count(0)
    more = visitor.get_by_role("heading", name="More crisis services", level=2)
    expect(more).to_be_visible()
    services = more.locator("xpath=following-sibling::ul[1]")
    text_line = services.get_by_role("listitem").filter(has=visitor.get_by_text(CRISIS_LINE, exact=True))
    expect(text_line).to_have_count(1)
    text = text_line.get_by_role("link", name="Text 741741", exact=True)
    expect(text).to_have_attribute("href", "sms:741741")
    text.scroll_into_view_if_needed()
    expect(text).to_be_in_viewport()
    # 988 is in its own card, once: the list does not repeat it.
    expect(visitor.get_by_role("link", name="Call 988", exact=True)).to_have_count(1)
    expect(visitor.get_by_role("link", name="Call 988", exact=True)).to_have_attribute("href", "tel:988")
    assert_fits_the_phone(visitor, "The crisis page")
    # Only national lines for someone signed out: no program's local listings.
    expect(services.get_by_role("listitem")).to_have_count(
        Resource.objects.filter(status=Resource.Status.APPROVED, is_crisis=True, program__isnull=True)
        .exclude(phone__in=["988", "1-800-662-4357"])
        .count()
    )


def test_mentor_shares_a_listing_from_a_past_session_and_returns_to_it(new_page, live_server, demo_data, log_in):
    match = Match.objects.get(
        mentor__user__email=DEMO_EMAILS["mentor"], mentee__user__email=DEMO_EMAILS["mentee"], status=Match.Status.ACTIVE
    )
    listing = Resource.objects.get(name=SESSION_LISTING)
    assert not Share.objects.filter(resource=listing).exists()

    # --- 1. From the match page, the mentor opens a completed meeting. ----------------------
    mentor = new_page()
    log_in(mentor, "mentor")
    expect(mentor).to_have_url(path_is(live_server, "/home/mentor/"))
    row = mentor.get_by_role("main").get_by_role("listitem").filter(has=mentor.get_by_role("link", name=MENTEE_NAME))
    row.get_by_role("link", name="Active", exact=True).click()
    expect(mentor).to_have_url(path_is(live_server, reverse("mentoring:match_detail", args=[match.pk])))
    expect(mentor.get_by_role("heading", name=f"You and {MENTEE_NAME}", level=1)).to_be_visible()
    meetings = mentor.locator(".card").filter(has=mentor.get_by_role("heading", name=re.compile(r"^Meetings")))
    completed = meetings.get_by_role("listitem").filter(has_text="Completed").first
    link = completed.get_by_role("link")
    when = re.match(r"^\w{3} (\w{3} \d{1,2}),", link.inner_text().strip())
    assert when, f"unexpected meeting date {link.inner_text()!r}"
    link.click()

    expect(mentor).to_have_url(re.compile(re.escape(live_server.url) + r"/sessions/\d+/$"))
    expect(mentor.get_by_test_id("session-status")).to_have_text("Completed")
    session_path = mentor.url.removeprefix(live_server.url)
    session_pk = int(re.search(r"/sessions/(\d+)/$", session_path).group(1))

    # --- 2. "Share a resource" leads to the directory, which keeps the session. ------------
    mentor.get_by_role("link", name="Share a resource", exact=True).click()
    expect(mentor).to_have_url(path_is(live_server, f"/resources/?session={session_pk}"))
    results = search_directory(mentor, live_server, "Food Pantry")
    expect(mentor).to_have_url(re.compile(rf"[?&]session={session_pk}(&|$)"))
    results.get_by_role("link", name=SESSION_LISTING, exact=True).click()

    detail_path = reverse("resources:detail", args=[listing.pk])
    expect(mentor).to_have_url(path_is(live_server, f"{detail_path}?session={session_pk}"))
    expect(mentor.get_by_role("heading", name=SESSION_LISTING, level=1)).to_be_visible()

    # --- 3. Jordan is already chosen; the mentor shares and is back on the session. -------
    card = share_card(mentor)
    expect(card).to_contain_text(f"From the session of {when.group(1)}.")
    share_with = field(card, "Share with")
    expect(share_with).to_have_value(str(match.mentee_id))
    expect(share_with.locator("option:checked")).to_have_text(MENTEE_CHOICE)
    field(card, "A note (optional)").fill(SESSION_NOTE)
    card.get_by_role("button", name="Share", exact=True).click()

    expect(mentor).to_have_url(path_is(live_server, session_path))
    expect(flash(mentor, f"Shared with {MENTEE_NAME}.")).to_be_visible()
    expect(mentor.get_by_test_id("session-status")).to_have_text("Completed")

    share = Share.objects.get(resource=listing)
    assert share.session_id == session_pk
    assert share.mentee_id == match.mentee_id
    assert share.shared_by.email == DEMO_EMAILS["mentor"]
    assert share.note == SESSION_NOTE and not share.is_referral
