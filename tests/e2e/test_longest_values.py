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

from conversations.models import Message
from conversations.services import conversation_for_match
from mentoring.models import MenteeProfile, MentorProfile
from programs.models import Application
from tests.factories import ApplicationFactory, CheckInFactory, GoalFactory, MilestoneFactory

from .helpers import sideways_overflow
from .test_accessibility import (
    _back_to_the_default_language,  # noqa: F401 (autouse fixture)
    browser_page,
    build_data,
    html_pages,
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
        pages[persona] = (client, [url for url in html_pages(personas, persona, client) if url not in seen])
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
