"""End-to-end journeys through a real browser: signing in as each demo role,
reaching crisis lines from anywhere, the phone layout, and signing out."""

import re

import pytest
from playwright.sync_api import expect

from mentoring.models import Match
from tests.e2e.helpers import path_is

pytestmark = pytest.mark.django_db(transaction=True)


def demo_mentor_active_mentee_names():
    return list(
        Match.objects.filter(mentor__user__email="mentor@example.org", status=Match.Status.ACTIVE)
        .order_by("mentee__user__full_name")
        .values_list("mentee__user__full_name", flat=True)
    )


@pytest.mark.parametrize("role", ["coordinator", "mentor", "mentee"])
def test_each_demo_role_signs_in_to_its_own_home(page, live_server, demo_data, log_in, role):
    log_in(page, role)

    expect(page).to_have_url(path_is(live_server, f"/home/{role}/"))
    main = page.get_by_role("main")
    if role == "coordinator":
        # One program: the home is that program's dashboard.
        expect(main.get_by_role("heading", name="Riverbend Peer Mentoring", level=1)).to_be_visible()
        expect(main.get_by_role("heading", name="Needs attention", exact=True)).to_be_visible()
    elif role == "mentor":
        expect(main.get_by_role("heading", name="Your mentees")).to_be_visible()
        names = demo_mentor_active_mentee_names()
        assert names, "the demo mentor should have an active match"
        for name in names:
            expect(main.get_by_role("link", name=name, exact=True)).to_be_visible()
    else:
        expect(main.get_by_role("heading", name="Your mentor")).to_be_visible()
        expect(main.get_by_text("Marcus Lee", exact=True)).to_be_visible()


def test_anonymous_visitor_reaches_crisis_lines_from_the_landing_page(page, live_server):
    page.goto("/")
    expect(page).to_have_url(path_is(live_server, "/"))

    page.get_by_test_id("get-help-now").click()

    expect(page).to_have_url(path_is(live_server, "/crisis/"))
    expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
    for href in ("tel:988", "sms:988", "tel:+18006624357"):
        expect(page.locator(f'a[href="{href}"]')).to_be_visible()
    expect(page.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(page.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    expect(page.get_by_role("link", name="Call 1-800-662-4357")).to_have_attribute("href", "tel:+18006624357")


def test_mentee_on_a_phone_sees_help_link_and_a_collapsed_menu(phone_page, live_server, demo_data, log_in):
    page = phone_page
    log_in(page, "mentee")
    expect(page).to_have_url(path_is(live_server, "/home/mentee/"))
    page.wait_for_load_state("load")  # stylesheets applied, Bootstrap's collapse wired up

    assert page.evaluate("window.scrollY") == 0
    help_link = page.get_by_test_id("get-help-now")
    expect(help_link).to_be_visible()
    expect(help_link).to_be_in_viewport(ratio=1)

    toggler = page.get_by_role("button", name="Open the menu")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_mentor_signs_out_to_the_landing_page(new_page, live_server, demo_data, log_in, viewport):
    options = {"viewport": {"width": 390, "height": 844}} if viewport == "phone" else {}
    page = new_page(**options)
    log_in(page, "mentor")
    expect(page).to_have_url(path_is(live_server, "/home/mentor/"))
    page.wait_for_load_state("load")  # the layout (collapsed or not) is final only with the stylesheet

    toggler = page.get_by_role("button", name="Open the menu")
    if toggler.is_visible():
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
        # Bootstrap's collapse animates the height: click once the menu has finished opening.
        expect(page.locator(".navbar-collapse.collapsing")).to_have_count(0)
        expect(page.locator(".navbar-collapse.show")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(path_is(live_server, "/"))
    expect(page.get_by_role("main").get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # Signed out for real: a home page now asks for a login again.
    page.goto("/home/mentor/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/home/mentor/$"))
