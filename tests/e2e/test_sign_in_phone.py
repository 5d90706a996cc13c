"""The sign-in page on a phone: mentees sign in here, so every control is a
44 px target (the two session checkboxes through their labels) and nothing
scrolls sideways."""

import pytest

from .conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_controls_are_big_enough_to_tap(phone_page, live_server):
    page = phone_page
    page.goto("/accounts/login/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"the sign-in page scrolls sideways ({width}px wide)"
    targets = {
        "Email": page.get_by_label("Email"),
        "Password": page.get_by_label("Password"),
        "Keep me signed in": page.get_by_text("Keep me signed in", exact=True),
        "This is a shared device": page.get_by_text("This is a shared device", exact=True),
        "Sign in": page.get_by_role("button", name="Sign in", exact=True),
        "Forgot your password?": page.get_by_role("link", name="Forgot your password?"),
    }
    for name, locator in targets.items():
        box = locator.bounding_box()
        assert box["height"] >= 44, f"{name!r} is too small to tap ({box['height']}px)"
    # Tapping a label ticks its box (the label is the target).
    page.get_by_text("This is a shared device", exact=True).tap()
    assert page.get_by_label("This is a shared device").is_checked()


SMALL_TARGETS = """() => [...document.querySelectorAll('main a, main button')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => [e.innerText.trim(), Math.round(e.getBoundingClientRect().height)])
    .filter(([, height]) => height < 44)"""


def test_a_mentees_own_data_pages_fit_a_phone_and_are_easy_to_tap(phone_page, live_server, demo_data, log_in):
    """The pages issue 13 gave every person (their information, who viewed it,
    two-factor sign-in, and the links to them on the profile page)."""
    page = phone_page
    log_in(page, "mentee")
    for path in ("/accounts/profile/", "/me/data/", "/accounts/who-viewed/", "/accounts/two-factor/"):
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE_VIEWPORT["width"], f"{path} scrolls sideways ({width}px wide)"
        assert page.evaluate(SMALL_TARGETS) == [], f"{path} has targets under 44 px"
