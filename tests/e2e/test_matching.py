"""End-to-end matching journeys: a coordinator picks a waiting mentee, reads
the ranked suggestions and why each mentor scores as they do, proposes one,
and the match starts once the mentor and the mentee have both said yes. Then
whole-pool matching: approve every proposed pair but one."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mentoring.models import Match
from tests.e2e.helpers import PROGRAM_NAME, flash, pass_second_step, path_is

from .conftest import DEMO_PASSWORD, PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)

# Every line of the score breakdown is a plain sentence such as "Both speak
# English", "2 shared times to meet: ..." or "No shared interests".
BREAKDOWN_SENTENCE = re.compile(r"\bBoth\b|\bshared\b", re.IGNORECASE)


def sign_in(page, email, password=DEMO_PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    pass_second_step(page, email)


def open_matching(page, live_server):
    """From the coordinator's home to the program, then to its waiting list.
    Returns the program's primary key, read from the waiting list's URL."""
    page.get_by_role("main").get_by_role("link", name=re.compile(PROGRAM_NAME)).click()
    expect(page.get_by_role("heading", name=PROGRAM_NAME, level=1)).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Matching", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/programs/\d+/waiting/$"))
    expect(page.get_by_role("heading", name=re.compile(r"^Waiting for a mentor"), level=1)).to_be_visible()
    return int(re.search(r"/programs/(\d+)/waiting/$", page.url).group(1))


def test_coordinator_proposes_a_suggested_mentor_and_both_accept(new_page, live_server, demo_data, log_in):
    # --- 1. The coordinator opens the waiting list and a mentee's suggestions. -------------
    coordinator = new_page()
    log_in(coordinator, "coordinator")
    expect(coordinator).to_have_url(path_is(live_server, "/home/coordinator/"))
    program_pk = open_matching(coordinator, live_server)

    main = coordinator.get_by_role("main")
    first_waiting = main.locator(".list-group-item").filter(has=coordinator.get_by_role("link", name="Suggestions"))
    first_waiting = first_waiting.first
    expect(first_waiting).to_contain_text(re.compile(r"waiting \d+ days?"))
    mentee_name = first_waiting.get_by_role("link").first.inner_text().strip()
    assert mentee_name
    first_waiting.get_by_role("link", name="Suggestions").click()
    expect(coordinator.get_by_role("heading", name=f"Mentors for {mentee_name}", level=1)).to_be_visible()

    # --- 2. Ranked suggestions, each with a score and the reasons behind it. ---------------
    suggestions = coordinator.get_by_test_id("suggestion")
    expect(suggestions.first).to_be_visible()
    badges = suggestions.get_by_test_id("score")
    expect(badges).to_have_count(suggestions.count())
    scores = [int(text) for text in badges.all_inner_texts()]
    assert scores == sorted(scores, reverse=True), f"suggestions should be ranked best first: {scores}"

    best = suggestions.first
    expect(best.get_by_test_id("score")).to_have_text(re.compile(r"^\d{1,3}$"))
    # The heading reads "64 out of 100: Name" to a screen reader.
    expect(best.get_by_role("heading", level=2)).to_have_accessible_name(re.compile(r"^\d{1,3} out of 100: \S"))
    mentor_name = best.get_by_test_id("mentor-name").inner_text().strip()
    assert mentor_name

    reasons = best.locator("details").get_by_role("listitem")
    expect(reasons.first).to_be_hidden()  # folded away until asked for
    best.get_by_text("Why this score", exact=True).click()
    expect(reasons.filter(has_text=BREAKDOWN_SENTENCE).first).to_be_visible()

    best.get_by_role("button", name=f"Propose {mentor_name}", exact=True).click()

    # --- 3. The match page: proposed, and the coordinator sees why they fit. ---------------
    expect(coordinator).to_have_url(re.compile(re.escape(live_server.url) + r"/matches/\d+/$"))
    expect(flash(coordinator, f"{mentor_name} and {mentee_name} are proposed.")).to_be_visible()
    expect(coordinator.get_by_role("heading", name=f"{mentor_name} with {mentee_name}", level=1)).to_be_visible()
    expect(coordinator.get_by_test_id("match-status")).to_have_text("Proposed")
    expect(coordinator.get_by_role("heading", name=re.compile(r"^Why they fit"))).to_be_visible()
    expect(coordinator.get_by_role("main")).to_contain_text("Mentor: not answered yet · Mentee: not answered yet")

    match = Match.objects.select_related("mentor__user", "mentee__user").order_by("-created_at", "-pk").first()
    assert match.status == Match.Status.PROPOSED
    assert (match.mentor.user.full_name, match.mentee.user.full_name) == (mentor_name, mentee_name)
    match_path = reverse("mentoring:match_detail", args=[match.pk])
    assert coordinator.url == live_server.url + match_path

    # --- 4. The mentor answers yes; the match waits for the mentee. ------------------------
    mentor = new_page()
    sign_in(mentor, match.mentor.user.email)
    expect(mentor).to_have_url(path_is(live_server, "/home/mentor/"))
    mentor.goto("/home/mentor/")
    proposal_row = (
        mentor.get_by_role("main")
        .get_by_role("listitem")
        .filter(has=mentor.get_by_role("link", name=mentee_name, exact=True))
    )
    proposal_row.get_by_role("link", name="New proposal: answer").click()
    expect(mentor).to_have_url(path_is(live_server, match_path))
    expect(mentor.get_by_role("heading", name=f"You and {mentee_name}", level=1)).to_be_visible()
    expect(mentor.get_by_text(f"We think you could be a good mentor for {mentee_name}.")).to_be_visible()
    mentor.get_by_role("button", name="Yes, let's start").click()

    expect(flash(mentor, "Thank you, your answer is saved.")).to_be_visible()
    expect(mentor.get_by_text("The match starts when both have said yes.")).to_be_visible()
    expect(mentor.get_by_role("button", name="Yes, let's start")).to_have_count(0)
    expect(mentor.get_by_test_id("match-status")).to_have_text("Proposed")
    expect(mentor.get_by_role("heading", name=re.compile(r"^Why they fit"))).to_have_count(0)

    # --- 5. The mentee, on a phone, says yes too: the match is active. ---------------------
    mentee = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    sign_in(mentee, match.mentee.user.email)
    expect(mentee).to_have_url(path_is(live_server, "/home/mentee/"))
    mentee_main = mentee.get_by_role("main")
    expect(mentee_main.get_by_role("heading", name="A mentor for you")).to_be_visible()
    expect(mentee_main.get_by_text(mentor_name, exact=True)).to_be_visible()
    mentee_main.get_by_role("link", name="See the proposal and answer").click()

    expect(mentee).to_have_url(path_is(live_server, match_path))
    expect(mentee.get_by_role("heading", name=f"You and {mentor_name}", level=1)).to_be_visible()
    expect(mentee.get_by_text(f"We think {mentor_name} could be a good mentor for you.")).to_be_visible()
    expect(mentee.get_by_test_id("match-status")).to_have_text("Proposed")
    mentee.get_by_role("button", name="Yes, let's start").click()

    expect(flash(mentee, f"You're matched with {mentor_name}. Your match has started.")).to_be_visible()
    expect(mentee.get_by_test_id("match-status")).to_have_text("Active")
    expect(mentee.get_by_role("button", name="Yes, let's start")).to_have_count(0)
    # The score breakdown is for coordinators only.
    expect(mentee.get_by_role("heading", name=re.compile(r"^Why they fit"))).to_have_count(0)
    expect(mentee.get_by_text(BREAKDOWN_SENTENCE)).to_have_count(0)

    mentee.goto("/home/mentee/")
    expect(mentee_main.get_by_role("heading", name="Your mentor")).to_be_visible()
    expect(mentee_main.get_by_role("link", name=mentor_name, exact=True)).to_be_visible()
    expect(mentee_main.get_by_role("link", name="See the proposal and answer")).to_have_count(0)

    # --- 6. The coordinator's list of matches shows the pair as active. --------------------
    coordinator.reload()
    expect(coordinator.get_by_test_id("match-status")).to_have_text("Active")
    coordinator.get_by_role("link", name=f"← Matches of {PROGRAM_NAME}").click()
    expect(coordinator).to_have_url(path_is(live_server, reverse("mentoring:match_list", args=[program_pk])))
    expect(coordinator.get_by_role("heading", name="Matches", level=1)).to_be_visible()
    pair_row = (
        coordinator.get_by_role("main")
        .get_by_role("row")
        .filter(has=coordinator.get_by_role("link", name=mentor_name, exact=True))
        .filter(has=coordinator.get_by_role("cell", name=mentee_name, exact=True))
    )
    expect(pair_row).to_have_count(1)
    expect(pair_row.get_by_role("cell").nth(2)).to_have_text("Active")

    # The mentee has left the waiting list.
    coordinator.get_by_role("navigation", name="Matching").get_by_role("link", name="Waiting list").click()
    expect(coordinator.get_by_role("heading", name=re.compile(r"^Waiting for a mentor"), level=1)).to_be_visible()
    expect(coordinator.get_by_role("main").get_by_role("link", name=mentee_name, exact=True)).to_have_count(0)

    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE
    assert match.started_at is not None


def test_coordinator_approves_all_pool_pairs_but_one(page, live_server, demo_data, log_in):
    log_in(page, "coordinator")
    expect(page).to_have_url(path_is(live_server, "/home/coordinator/"))
    program_pk = open_matching(page, live_server)
    proposed_before = Match.objects.filter(program_id=program_pk, status=Match.Status.PROPOSED).count()

    page.get_by_role("navigation", name="Matching").get_by_role("link", name="Match everyone waiting").click()
    expect(page).to_have_url(path_is(live_server, reverse("mentoring:pool", args=[program_pk])))
    expect(page.get_by_role("heading", name="Match everyone waiting", level=1)).to_be_visible()

    # The pool is worked out in the background (eager Celery here), not in the page's request.
    expect(page.get_by_test_id("pool-pair")).to_have_count(0)
    page.get_by_role("button", name="Work out pairs").click()
    expect(page).to_have_url(path_is(live_server, reverse("mentoring:pool", args=[program_pk])))

    pairs = page.get_by_test_id("pool-pair")
    expect(pairs.first).to_be_visible()
    shown = pairs.count()
    assert shown >= 2, "the demo data should give the pool at least two pairs"
    expect(page.get_by_role("main")).to_contain_text(re.compile(rf"\b{shown} pairs proposed · total score \d+"))
    boxes = pairs.get_by_role("checkbox")
    expect(boxes).to_have_count(shown)
    for i in range(shown):
        expect(boxes.nth(i)).to_be_checked()

    # Each pair explains itself too.
    first = pairs.first
    first.get_by_text("Why", exact=True).click()
    expect(first.locator("details").get_by_role("listitem").filter(has_text=BREAKDOWN_SENTENCE).first).to_be_visible()

    skipped_label = first.locator("label").inner_text()
    skipped_mentee = re.match(r"^\s*\d+\s+(.+?) with ", skipped_label).group(1)
    first.get_by_role("checkbox").uncheck()
    expect(first.get_by_role("checkbox")).not_to_be_checked()
    page.get_by_role("button", name="Approve ticked pairs").first.click()

    created = shown - 1
    expect(page).to_have_url(path_is(live_server, reverse("mentoring:match_list", args=[program_pk])))
    expect(flash(page, f"{created} match{'es' if created != 1 else ''} created.")).to_be_visible()
    expect(page.locator(".messages").get_by_role("alert")).to_have_count(1)  # no pair was refused
    proposed_after = Match.objects.filter(program_id=program_pk, status=Match.Status.PROPOSED).count()
    assert proposed_after == proposed_before + created

    # The unticked mentee is still waiting.
    page.get_by_role("navigation", name="Matching").get_by_role("link", name="Waiting list").click()
    expect(page.get_by_role("main").get_by_role("link", name=skipped_mentee, exact=True)).to_be_visible()
