"""Browser fixtures for the end-to-end journeys.

Playwright's sync API drives Debian's Chromium (no browser download); the app
runs in pytest-django's ``live_server``. Each test gets a fresh browser context
so cookies and storage never leak between tests."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from .helpers import pass_second_step

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "waypoint-demo"
DEMO_EMAILS = {
    "coordinator": "coordinator@example.org",
    "mentor": "mentor@example.org",
    "mentee": "mentee@example.org",
}
PHONE_VIEWPORT = {"width": 390, "height": 844}

# Auto-waiting assertions give up after this long; the pages are local and small.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def is_csp_violation(text):
    """Chromium's console message for something the Content-Security-Policy refused."""
    return "Content Security Policy" in text or "Refused to" in text


@pytest.fixture
def csp_violations():
    """Console messages of every page of the test that report a refused script,
    style or connection; the test fails at teardown if there are any."""
    seen = []
    yield seen
    assert seen == [], "Content-Security-Policy violations:\n" + "\n".join(seen)


@pytest.fixture
def new_page(browser, live_server, csp_violations):
    """Factory for pages in fresh contexts whose base URL is the live server;
    every context it opens is closed after the test. Every page listens for
    Content-Security-Policy violations (csp_violations)."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: is_csp_violation(message.text) and csp_violations.append(message.text))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-size page in its own context."""
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """A phone-size page (390x844, touch) in its own context."""
    return new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=3)


@pytest.fixture
def demo_data(transactional_db):
    """The demo program and people. live_server tests flush the database after
    each test, so every test that needs them seeds again."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def log_in():
    """Sign in through the login form as one of the demo roles."""

    def log_in(page, role):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(DEMO_EMAILS[role])
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        pass_second_step(page, DEMO_EMAILS[role])

    return log_in
