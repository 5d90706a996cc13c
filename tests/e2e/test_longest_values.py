"""Issue 19, item 3: no page scrolls sideways at 375 px with the longest values
the forms accept.

The matrix's personas and data (tests/conftest.py, as in test_accessibility.py)
are taken, and then every person-typed text field of every row is filled to the
longest value its model accepts (``max_length``; names, emails, program and
goal titles, milestones, session notes and locations, group titles, resource
names, descriptions, addresses and websites, messages, application answers,
stories …): one unbroken word of that length for short fields, long paragraphs
with a 300-character word for text fields, a 120-character local part for
emails, a long unbroken URL for websites. Then the pages of the mentee, the
mentor and the coordinator (every URL name of the matrix once, as the first of
them that opens it) are visited at 375×812 in English and Spanish, and
``document.documentElement.scrollWidth <= window.innerWidth`` is asserted on
each (helpers.sideways_overflow).

Fields that are not typed by people (choices, slugs, tokens, codes, time zones,
languages, passwords, unique keys) keep their values, so pages keep working."""

import time
import zlib

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from conversations.models import Message
from conversations.services import conversation_for_match
from mentoring.models import MenteeProfile, MentorProfile
from programs.models import Application
from tests.factories import ApplicationFactory, CheckInFactory, GoalFactory, MilestoneFactory, ResourceFactory

from .helpers import sideways_overflow
from .test_accessibility import (
    _back_to_the_default_language,  # noqa: F401 (autouse fixture)
    browser_page,
    build_data,
    html_pages,
    rows_for,
    signed_in_client,
)

pytestmark = pytest.mark.django_db(transaction=True)

APPS = ("mentoring", "programs", "peer_sessions", "goals", "resources", "conversations")
PERSONAS = ["mentee", "mentor", "coordinator"]
VIEWPORT = {"width": 375, "height": 812}
TEXT_LENGTH = 2000  # characters in a text field without max_length
# Fields that hold machine values, not what a person typed.
MACHINE = (
    "password",
    "token",
    "slug",
    "key",
    "hash",
    "zone",
    "language",
    "secret",
    "ip",
    "digest",
    "unparsed",
    "number",
    "kind",
    "status",
    "color",
    "colour",
    "icon",
    "mime",
    "content_type",
    "path",
    "file",
    "url_name",
    "event",
    "action",
    "channel",
    "method",
    "phone",
    "sms",
    "otp",
    "provider",
    "uuid",
    "version",
)


# The brief's fields: the matrix's data must hold a row for each (else the test proves nothing there).
REQUIRED = {
    "mentoring.User.full_name",
    "mentoring.User.preferred_name",
    "mentoring.User.email",
    "programs.Program.name",
    "goals.Goal.title",
    "goals.Milestone.title",
    "goals.CheckIn.reflection",
    "peer_sessions.Session.location",
    "peer_sessions.Session.shared_summary",
    "peer_sessions.GroupSession.title",
    "peer_sessions.GroupSession.location",
    "resources.Resource.name",
    "resources.Resource.description",
    "resources.Resource.address",
    "resources.Resource.website",
    "conversations.Message.body",
    "programs.Application.full_name",
    "programs.Application.email",
    "programs.Application.details.bio",
    "programs.Story.body",
}

# Names the code looks things up by.
KEYS = {
    "goals.Instrument.name",  # the default instrument is found by its name (goals.selectors.instrument_for)
    "mentoring.Notification.url",  # links the app made
    "mentoring.Delivery.url",
    "mentoring.Delivery.last_error",  # what a mail server answered
    "mentoring.PoolSolve.fingerprint",
    "mentoring.ReportExport.report",  # report names and program lists the app stores
    "mentoring.ReportSnapshot.report",
    "mentoring.ReportSnapshot.programs",
}


def long_word(length, seed="W"):
    return (seed + "ayfindingpeermentoringlongestvalue" * (length // 30 + 2))[:length]


def long_text(length):
    """Paragraphs of ordinary words and one 300-character unbroken word."""
    body = long_word(300) + " " + "Long ordinary words keep wrapping across the page nicely. " * 80
    text = "\n\n".join([body] * (length // len(body) + 1))
    return text[:length]


def long_email(length):
    """``length`` (at most 254) characters: a 120-character local part, then a domain of
    63-character labels (the longest DNS allows) ending in ".org"."""
    length = min(length, 254)
    local = long_word(120, "e").lower()
    room = length - len(local) - len("@") - len(".org")
    labels = []
    while room > 1:
        label = long_word(min(63, room - (1 if labels else 0)), "d").lower()
        room -= len(label) + (1 if labels else 0)
        labels.append(label)
    return f"{local}@{'.'.join(labels)}.org"


def long_url(length):
    head = "https://www." + long_word(60, "r").lower() + ".example.org/"
    return head + long_word(max(0, min(length, 600) - len(head)), "p").lower()


def is_machine(field):
    name = field.name.lower()
    return (
        field.choices is not None
        or not field.editable
        or isinstance(field, models.SlugField | models.GenericIPAddressField | models.FilePathField)
        or any(part in MACHINE for part in name.split("_"))
    )


def longest_value(field, pk, old):
    """The field's longest value, made distinct by the row's ``pk`` (unique fields and
    unique-together constraints hold); an email by its old value, so that the same
    address stays the same everywhere (an invitation and its account)."""
    length = field.max_length or TEXT_LENGTH
    mark = f"{pk}x"
    if isinstance(field, models.EmailField):
        mark = f"{zlib.crc32((old or '').lower().encode())}x"
        value = long_email(length)
        return mark + value[len(mark) :]
    if isinstance(field, models.URLField) or field.name in ("website", "link"):
        return long_url(length)[: length - len(mark)] + mark
    if isinstance(field, models.TextField):
        return long_text(length)[: length - len(mark)] + mark
    return long_word(length)[: length - len(mark)] + mark


def fill_longest_values():
    """Every person-typed CharField/TextField/EmailField/URLField of every row of
    APPS at its longest accepted value; {"app.Model.field": length} of what was filled."""
    filled = {}
    for app_label in APPS:
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        for model in config.get_models():
            fields = [
                field
                for field in model._meta.concrete_fields
                if isinstance(field, models.CharField | models.TextField)
                and not is_machine(field)
                and f"{app_label}.{model.__name__}.{field.name}" not in KEYS
            ]
            if not fields or not model.objects.exists():
                continue
            for row in model._base_manager.values("pk", *(field.attname for field in fields)):
                values = {field.attname: longest_value(field, row["pk"], row[field.attname]) for field in fields}
                model._base_manager.filter(pk=row["pk"]).update(**values)
            filled.update({f"{app_label}.{model.__name__}.{name}": len(value) for name, value in values.items()})
    # An application's answers (``details``, JSON) are the profile fields of the same name.
    profiles = {"mentor": MentorProfile, "mentee": MenteeProfile}
    for application in Application.objects.all():
        profile = profiles.get(application.kind, MenteeProfile)
        answers = {
            field.name: longest_value(field, application.pk, None)
            for field in profile._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not is_machine(field)
        }
        Application.objects.filter(pk=application.pk).update(details={**application.details, **answers})
        filled.update({f"programs.Application.details.{name}": len(value) for name, value in answers.items()})
    return filled


def add_what_the_matrix_lacks(personas):
    """Rows of the brief's kinds the matrix's data does not always have: a goal with a
    milestone, a check-in, a message between mentor and mentee, an application."""
    mentee = personas.match.mentee
    MilestoneFactory(goal=GoalFactory(mentee=mentee))
    CheckInFactory(mentee=mentee, reflection="A reflection.")
    conversation = conversation_for_match(match=personas.match)
    Message.objects.create(conversation=conversation, sender=personas.mentee, body="Hello.")
    ApplicationFactory(program=personas.program)


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_page_scrolls_sideways_at_375_px_with_the_longest_values(language, browser, live_server):
    personas = build_data()
    add_what_the_matrix_lacks(personas)
    # The matrix's URLs first: building some of them makes rows (an invitation, a story
    # with its consent typed as the person's name), which are then filled too.
    pages, seen = {}, set()
    for persona in PERSONAS:
        client = signed_in_client(personas, persona, language)
        # Each URL name once (by_role=False): building a row's URL can make a row that exists once per person.
        found = html_pages(personas, persona, client, by_role=False)
        pages[persona] = (client, [url for url in found if url not in seen])
        seen.update(pages[persona][1])
    filled = fill_longest_values()
    assert filled.keys() >= REQUIRED, f"no row to fill: {sorted(REQUIRED - filled.keys())}"
    started, visited, failures = time.monotonic(), 0, []
    for persona, (client, urls) in pages.items():
        context, page = browser_page(browser, live_server, client, "phone", language, viewport=VIEWPORT)
        try:
            for url in urls:
                response = page.goto(url)
                assert response.status == 200, f"{persona} {url}: {response.status}"
                assert page.url == live_server.url + url, f"{persona} {url}: ended on {page.url}"
                visited += 1
                overflow = sideways_overflow(page)
                if overflow:
                    widest = page.evaluate(WIDEST_JS)
                    failures.append(f"{url} ({persona}, {language}): scrolls sideways by {overflow} px; {widest}")
        finally:
            context.close()
    print(f"\n{language}: {visited} pages at 375 px in {time.monotonic() - started:.1f} s; {len(filled)} fields filled")
    assert not failures, f"{len(failures)} page(s) scroll sideways:\n" + "\n".join(failures)


# --- visitors (part i19h) ----------------------------------------------------------------------

VISITOR_WIDTHS = (375, 320)
# Every visible text control of the page's forms at its longest: an email field a 254-character
# address, a text area long paragraphs with a 300-character word, anything else one unbroken
# word; each cut to the control's maxlength. The browser's own validation is switched off, so
# the server answers with its error state (everything typed kept, the messages next to the fields).
FILL_JS = """(values) => {
    let filled = 0;
    for (const el of document.querySelectorAll('main input, main textarea')) {
        const type = (el.getAttribute('type') || 'text').toLowerCase();
        if (el.tagName === 'INPUT' && !['text', 'email', 'url', 'tel', 'search', 'password'].includes(type)) continue;
        if (!el.offsetParent || el.readOnly || el.disabled) continue;  // hidden (the honeypot) or fixed
        const value = type === 'email' ? values.email : el.tagName === 'TEXTAREA' ? values.paragraph : values.word;
        el.value = el.maxLength > 0 ? value.slice(0, el.maxLength) : value;
        filled += 1;
    }
    document.querySelectorAll('main form').forEach(form => { form.noValidate = true; });
    return filled;
}"""


def visitor_data(personas):
    """What the visitor pages show, before the longest values are filled in: a crisis
    listing of the directory (global, so a visitor sees it) and a published public page."""
    ResourceFactory(program=None, is_crisis=True, phone="555-0100")
    program = personas.program
    program.public_page_enabled = True
    program.show_public_outcomes = True
    program.public_intro = "Welcome."
    program.save(update_fields=["public_page_enabled", "show_public_outcomes", "public_intro"])
    return program


def visitor_pages(personas, client):
    """Every HTML page of the matrix a visitor opens (each URL once; ``html_pages`` without
    its default leaving out the URL names a mentee opened first)."""
    urls = []
    for row in rows_for("anonymous", full=True):
        url = row.url(personas)
        response = client.get(url)
        assert response.status_code == 200, f"visitor {url}: {response.status_code}"
        if url not in urls and b"<html" in response.content[:400].lower():
            urls.append(url)
    return urls


def fill_and_send(page, url, submit, email):
    """Open ``url``, fill its form at the longest values (``email`` in email fields) and send
    it; the number of fields filled."""
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    values = {"email": email, "paragraph": long_text(TEXT_LENGTH), "word": long_word(TEXT_LENGTH)}
    filled = page.evaluate(FILL_JS, values)
    with page.expect_navigation():
        # Sent as its button would (a click could land on a field that overflows onto it).
        page.locator(submit).first.evaluate("button => button.form.requestSubmit(button)")
    return filled


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_visitor_page_scrolls_sideways_with_the_longest_values(language, browser, live_server):
    """Signed out, at 375 px and 320 px: every visitor page of the matrix (the landing page,
    sign-in, the apply forms and their thanks, the crisis page, the public program page and
    a story, the accessibility statement, an invitation, unsubscribe) with every row at its
    longest values, and the forms (apply, sign-in, password reset) sent back in their error
    state with every field at its longest, plus the password-reset pages."""
    personas = build_data()
    add_what_the_matrix_lacks(personas)
    program = visitor_data(personas)
    client = signed_in_client(personas, "anonymous", language)
    urls = visitor_pages(personas, client)
    fill_longest_values()
    program.refresh_from_db()
    person = personas.mentee
    urls += [
        reverse("mentoring:crisis"),
        reverse("mentoring:accessibility"),
        reverse("programs:public_page", args=[program.slug]),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_complete"),
        reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(person.pk)), "bad-token"]),
    ]
    submit = "main form button[type=submit]"
    # An apply form refuses the 2,000-character phone number and the unticked consents; sign-in
    # an unknown 254-character address; password reset an address without an @ (a valid one
    # goes through to "check your email", which is in the pages above).
    forms = [
        (reverse("programs:apply", args=[kind]) + f"?program={program.slug}", long_email(254))
        for kind in ("mentee", "mentor", "volunteer")
    ] + [(reverse("login"), long_email(254)), (reverse("password_reset"), long_word(254))]
    started, visited, failures = time.monotonic(), 0, []
    for width in VISITOR_WIDTHS:
        context, page = browser_page(
            browser, live_server, client, "phone", language, viewport={"width": width, "height": 812}
        )
        try:
            for url in dict.fromkeys(urls):
                response = page.goto(url)
                assert response.status == 200, f"{url}: {response.status}"
                visited += 1
                overflow = sideways_overflow(page)
                if overflow:
                    failures.append(
                        f"{url} (visitor, {language}, {width} px): scrolls sideways by {overflow} px; "
                        + page.evaluate(WIDEST_JS)
                    )
            for url, email in forms:
                filled = fill_and_send(page, url, submit, email)
                assert filled >= 1, f"{url}: no field filled"
                visited += 1
                html = page.content()
                # The error state: the server refused it and says why next to a field.
                assert "is-invalid" in html or "alert-danger" in html or "invalid-feedback" in html, (
                    f"{url} ({language}): sent with the longest values, no error shown"
                )
                overflow = sideways_overflow(page)
                if overflow:
                    failures.append(
                        f"{url} sent back with errors (visitor, {language}, {width} px): scrolls sideways by "
                        f"{overflow} px; " + page.evaluate(WIDEST_JS)
                    )
        finally:
            context.close()
    print(f"\n{language}: {visited} visitor pages at {VISITOR_WIDTHS} px in {time.monotonic() - started:.1f} s")
    assert not failures, f"{len(failures)} page(s) scroll sideways:\n" + "\n".join(failures)


# The innermost elements that reach past the right edge of the window, each with its
# three nearest ancestors and its first characters (for the failure message).
WIDEST_JS = """() => {
    const name = el => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && r.width > 0
            && ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1)) {
            const chain = [];
            for (let up = el; up && up !== document.body && chain.length < 4; up = up.parentElement) {
                chain.unshift(name(up));
            }
            const start = el.textContent.trim().slice(0, 20);
            out.push(chain.join(' > ') + ' (' + Math.round(r.right) + ' px: "' + start + '…")');
        }
        if (out.length >= 3) break;
    }
    return out.join('; ');
}"""
