"""Accessibility sweep (issue 19): every URL of the permission matrix that
renders HTML, as every persona that gets a 200 there, at desktop (1280×800) and
phone (390×844) widths, in English and Spanish, checked by axe-core (WCAG 2.0,
2.1 and 2.2 A/AA rules; serious or critical violations fail), plus what axe
does not measure:
- nothing scrolls sideways at 390 px;
- every visible control is at least 44×44 CSS px on a mentee's pages and
  24×24 elsewhere (links inside running text are exempt, WCAG 2.5.8).

The (persona, URL) list comes from the app matrices (tests/*/test_permissions.py)
with the same personas and data (tests/conftest.py): a page added to a matrix
is swept without touching this file. Each test is one persona × width ×
language: one browser context, one page reused, signed in once through a
session cookie made like the test client's (two-factor passed).

Non-HTML answers (CSV, calendar files, health check) and htmx fragments (a
piece of a page, no <html>: the live alerts, the "join" button) are recognised
through the test client first and not opened on their own; the fragments are
checked inside the pages that load them.

The sweep as a whole: ``make test-a11y`` (README, "Accessibility")."""

import os
import time

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from goals.defaults import ensure_default_instrument
from goals.models import Instrument, InstrumentItem
from resources.services import ensure_taxonomy
from tests.conftest import build_personas
from tests.conversations.test_permissions import MATRIX as CONVERSATIONS
from tests.goals.test_permissions import MATRIX as GOALS
from tests.mentoring.test_permissions import MATRIX as MENTORING
from tests.programs.test_permissions import MATRIX as PROGRAMS
from tests.resources.test_permissions import MATRIX as RESOURCES
from tests.sessions.test_permissions import MATRIX as SESSIONS

from .conftest import PHONE_VIEWPORT
from .helpers import axe_violations, describe_violations, sideways_overflow, small_targets

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = MENTORING + PROGRAMS + SESSIONS + GOALS + RESOURCES + CONVERSATIONS
# In this order: by default a page is swept as the first persona here that opens it.
PERSONAS = [
    "mentee",
    "anonymous",
    "mentor",
    "coordinator",
    "proposed_mentor",
    "former_mentor",
    "other_mentee",
    "other_mentor",
    "other_coordinator",
]
# 44 px targets: mentees' pages, and the public pages (crisis, apply, sign-in) they reach on a phone.
MENTEES = {"mentee", "other_mentee", "anonymous"}
# The role each persona has: a page is swept as every role that opens it.
ROLE = {
    "mentee": "mentee",
    "other_mentee": "mentee",
    "anonymous": "visitor",
    "mentor": "mentor",
    "proposed_mentor": "mentor",
    "former_mentor": "mentor",
    "other_mentor": "mentor",
    "coordinator": "coordinator",
    "other_coordinator": "coordinator",
}
# WAYPOINT_A11Y_FULL=1: every page as every persona that opens it (about 1,700 page
# visits, half an hour on a 2-core machine). Default (make test, CI): every URL name of
# the matrix once per role × width × language, as the first persona of that role in
# PERSONAS that opens it (a page a mentee and a mentor both open is swept as each);
# at the phone width, every page of mentees and visitors but one page per area
# (one_per_area) of mentors and coordinators, who work at a desk.
AXE_SECONDS = [0.0]  # time spent in axe.run, printed with each test's summary
FULL = os.environ.get("WAYPOINT_A11Y_FULL", "") not in ("", "0")
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": PHONE_VIEWPORT, "is_mobile": True, "has_touch": True}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
LOCALES = {"en": "en-US", "es": "es-ES"}


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """The test client's Spanish requests activate Spanish in this thread (LocaleMiddleware);
    later tests that format dates here expect the default language."""
    yield
    translation.deactivate()


def build_data():
    """The matrix's personas, plus the reference data the data migrations made (the
    default recovery-capital instrument, the directory's categories): a live-server
    test flushes the database after each test, taking them with it."""
    ensure_default_instrument(Instrument, InstrumentItem)
    ensure_taxonomy()
    return build_personas()


def rows_for(persona, *, full=True, by_role=True):
    """The matrix's GET rows that answer ``persona`` with 200, in matrix order;
    without ``full``, only the URL names no earlier persona of the same role opens
    (``by_role=False``: no earlier persona at all, each URL name once)."""
    rows = [row for row in ROWS if row.method == "get" and row.expected.get(persona) == 200]
    if full:
        return rows
    earlier = [
        other for other in PERSONAS[: PERSONAS.index(persona)] if not by_role or ROLE[other] == ROLE[persona]
    ]
    seen = {row.name for other in earlier for row in rows_for(other)}
    return [row for row in rows if row.name not in seen]


def html_pages(personas, persona, client, *, by_role=True):
    """[url, …] of the persona's 200 rows whose answer is an HTML page
    (each URL once). A row that no longer answers 200 fails here: the sweep
    must not shrink silently."""
    urls, wrong = [], []
    for row in rows_for(persona, full=FULL, by_role=by_role):
        url = row.url(personas)
        if url in urls:
            continue
        response = client.get(url)
        if response.status_code != 200:
            wrong.append(f"{url}: {response.status_code}")
        elif response["Content-Type"].startswith("text/html") and b"<html" in response.content[:400].lower():
            urls.append(url)
    assert not wrong, f"{persona}: matrix rows that no longer answer 200: {wrong}"
    return urls


def one_per_area(urls):
    """The first URL of each area (first path segment: /programs/, /reports/, /sessions/, …)."""
    areas = {}
    for url in urls:
        areas.setdefault(url.strip("/").split("/")[0], url)
    return list(areas.values())


def signed_in_client(personas, persona, language):
    """A test client as the persona (two-factor passed, tests/conftest.py), in
    ``language``: the person's own language when the model has one (issue 19,
    part i19a), else Django's language cookie."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    user = personas.user(persona)
    if user is not None:
        if hasattr(user, "language"):
            type(user).objects.filter(pk=user.pk).update(language=language)
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def browser_page(browser, live_server, client, width, language, **options):
    """One context for this persona × width × language, carrying the client's cookies."""
    context = browser.new_context(base_url=live_server.url, locale=LOCALES[language], **{**WIDTHS[width], **options})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": name, "value": morsel.value, "url": live_server.url} for name, morsel in client.cookies.items()]
    )
    return context, context.new_page()


def sweep(page, urls, *, persona, width, language, axe=True, targets=True):
    """Visit each URL; [failure text, …] of everything found."""
    failures = []
    minimum = 44 if persona in MENTEES else 24
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, f"{persona} {url}: {response.status}"
        context = f"{persona}, {width}, {language}"
        lang = page.evaluate("() => document.documentElement.lang")
        if not lang.startswith(language[:2]):
            failures.append(f"{url} ({context}): <html lang={lang!r}> (WCAG 3.1.1)")
        started = time.monotonic()
        violations = axe_violations(page) if axe else []
        AXE_SECONDS[0] += time.monotonic() - started
        if violations:
            failures.append(describe_violations(url, context, violations))
        if width == "phone":
            overflow = sideways_overflow(page)
            if overflow:
                failures.append(f"{url} ({context}): scrolls sideways by {overflow} px")
        small = small_targets(page, minimum) if targets else []
        if small:
            failures.append(f"{url} ({context}): controls under {minimum}×{minimum} px: " + "; ".join(small))
    return failures


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("persona", [name for name in PERSONAS if rows_for(name, full=FULL)])
def test_every_matrix_page_is_accessible(persona, width, language, browser, live_server):
    personas = build_data()
    client = signed_in_client(personas, persona, language)
    urls = html_pages(personas, persona, client)
    assert urls, f"{persona}: no HTML page in the matrix"
    if width == "phone" and persona not in MENTEES and not FULL:
        urls = one_per_area(urls)
    context, page = browser_page(browser, live_server, client, width, language)
    started, AXE_SECONDS[0] = time.monotonic(), 0.0
    try:
        failures = sweep(page, urls, persona=persona, width=width, language=language)
    finally:
        context.close()
    summary = (
        f"{persona} {width} {language}: {len(urls)} pages in {time.monotonic() - started:.1f} s"
        f" (axe {AXE_SECONDS[0]:.1f} s)"
    )
    print("\n" + summary)
    if os.environ.get("WAYPOINT_A11Y_REPORT"):  # a file to collect the whole sweep's findings in
        with open(os.environ["WAYPOINT_A11Y_REPORT"], "a", encoding="utf-8") as report:
            report.write("\n".join(["## " + summary, *failures, ""]))
    assert not failures, f"{len(failures)} page(s) with barriers:\n" + "\n".join(failures)


@pytest.mark.parametrize("persona, width", [("mentee", "phone"), ("anonymous", "phone"), ("coordinator", "desktop")])
def test_dark_mode_keeps_contrast(persona, width, browser, live_server):
    """prefers-color-scheme: dark (Bootstrap's dark theme, static/js/theme.js): axe's
    contrast and every other rule on every page of the persona, in English."""
    personas = build_data()
    client = signed_in_client(personas, persona, "en")
    urls = html_pages(personas, persona, client)
    context, page = browser_page(browser, live_server, client, width, "en", color_scheme="dark")
    try:
        page.goto(urls[0])
        assert page.evaluate("() => document.documentElement.dataset.bsTheme") == "dark"
        failures = sweep(page, urls, persona=persona, width=width, language="en dark", targets=False)
    finally:
        context.close()
    assert not failures, f"{len(failures)} page(s) with barriers in dark mode:\n" + "\n".join(failures)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("persona", ["mentee", "anonymous"])
def test_pages_reflow_at_320_px(persona, language, browser, live_server):
    """WCAG 1.4.10: at 320 CSS px (a small phone, or 1280 px at 400% zoom) no page of a
    mentee or a visitor scrolls sideways."""
    personas = build_data()
    client = signed_in_client(personas, persona, language)
    urls = html_pages(personas, persona, client)
    context, page = browser_page(
        browser, live_server, client, "phone", language, viewport={"width": 320, "height": 640}
    )
    try:
        failures = sweep(page, urls, persona=persona, width="phone", language=language, axe=False, targets=False)
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_reduced_motion_turns_transitions_off_and_light_is_the_default(browser, live_server):
    """prefers-reduced-motion: reduce leaves no transition, also on our own (htmx's
    request indicator fades in 0.2 s otherwise; Bootstrap covers only its own
    components); without a dark preference the page stays light."""
    durations = {}
    for motion in ("no-preference", "reduce"):
        context = browser.new_context(base_url=live_server.url, reduced_motion=motion, color_scheme="light")
        page = context.new_page()
        page.goto("/crisis/")
        durations[motion] = page.evaluate(
            "() => { const el = document.createElement('div'); el.className = 'htmx-request htmx-indicator';"
            " document.body.append(el); return parseFloat(getComputedStyle(el).transitionDuration) || 0; }"
        )
        assert page.evaluate("() => document.documentElement.dataset.bsTheme") == "light"
        context.close()
    assert durations["no-preference"] >= 0.1, durations
    assert durations["reduce"] < 0.001, durations
