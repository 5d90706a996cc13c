"""No English escapes (issue 19): every page of the permission matrix that
renders HTML, opened by a persona allowed to see it whose ``User.language`` is
"es" (anonymous pages: Accept-Language es), says nothing in English.

The page's visible text (tags, scripts and styles stripped) and the
attributes people hear or see (aria-label, placeholder, title, alt,
data-confirm, the value of buttons) are split into words; a word from the
English list (tests/spanish_words.py, common English words that are not
Spanish) fails the page, unless it is data: a word of any text stored in the
database for the test (names, titles typed by factories), the brand
"Waypoint", an email address or a link.

One test per matrix row, named after the URL: ``-k crisis`` checks one page.
Pages not translated yet fail with the English words they show and where."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models

from tests.conversations.test_permissions import MATRIX as CONVERSATIONS
from tests.goals.test_permissions import MATRIX as GOALS
from tests.mentoring.test_permissions import MATRIX as MENTORING
from tests.programs.test_permissions import MATRIX as PROGRAMS
from tests.resources.test_permissions import MATRIX as RESOURCES
from tests.sessions.test_permissions import MATRIX as SESSIONS
from tests.spanish_words import ENGLISH_WORDS

ROWS = MENTORING + PROGRAMS + SESSIONS + GOALS + RESOURCES + CONVERSATIONS
# Who opens a page: the first of these the row lets in.
PREFERRED = [
    "mentee",
    "mentor",
    "coordinator",
    "other_mentee",
    "other_mentor",
    "other_coordinator",
    "proposed_mentor",
    "former_mentor",
    "anonymous",
]
ALWAYS_ALLOWED = {"waypoint", "samhsa"}
# Text-message keywords a person types back (the provider and mentoring/notifications/sms.py
# read them in English; Spanish speakers may also answer SÍ): literal, like a product name.
ALWAYS_ALLOWED |= {"yes", "stop", "start"}
# Fixed values that are data in every language (none now: the name an erased account is
# given, "Erased person #<id>", is shown translated, see mentoring/stored_text.py).
ALLOWED_PHRASES = ()
HEARD_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt", "data-confirm")
# code/kbd/samp: literal text a person types or a file must contain (CSV column names).
SKIPPED_ELEMENTS = {"script", "style", "svg-defs", "code", "kbd", "samp"}
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’])*")  # letters of any alphabet: "días" is one word
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/[\w/.-]+")


def reader_of(row):
    """The persona that opens ``row`` (one with a 200), or None."""
    return next((name for name in PREFERRED if row.expected.get(name) == 200), None)


CASES = [
    pytest.param(index, id=f"{row.name}[{index}]")
    for index, row in enumerate(ROWS)
    if row.method == "get" and reader_of(row) is not None
]


class VisibleText(HTMLParser):
    """What a person sees or hears of a page, as (where, text) pairs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = []
        self.where = "body"
        self.option_is_data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        if tag == "title":
            self.where = "title"
        # Time zone names ("America/New York") are data, not wording.
        self.option_is_data = tag == "option" and "/" in (attrs.get("value") or "")
        for name in HEARD_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append((f"{tag}[{name}]", attrs[name]))
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.parts.append((f"{tag}[value]", attrs["value"]))

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag == "title":
            self.where = "body"
        if tag == "option":
            self.option_is_data = False

    def handle_data(self, data):
        if not self.skipping and not self.option_is_data and data.strip():
            self.parts.append((self.where, " ".join(data.split())))


def words_of(text):
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    return [w.lower().strip("'’") for w in WORD.findall(NOT_WORDS.sub(" ", text))]


def stored_words():
    """Every word of every text column in the test database: data typed by
    people (here: by the factories), never wording."""
    found = set()
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        if not fields:
            continue
        for values in model._default_manager.values_list(*fields):
            for value in values:
                if isinstance(value, str) and value:
                    found.update(words_of(value))
    return found


def english_on(html, allowed):
    """{english word: [where it was seen, with a little text around it]}."""
    parser = VisibleText()
    parser.feed(html)
    found = {}
    for where, text in parser.parts:
        for word in words_of(text):
            if word in ENGLISH_WORDS and word not in allowed:
                found.setdefault(word, []).append(f"{where}: {text[:90]}")
    return found


@pytest.mark.parametrize("index", CASES)
def test_no_english_on_the_page_in_spanish(index, personas, client_for):
    row = ROWS[index]
    persona = reader_of(row)
    user = personas.user(persona)
    url = row.url(personas)
    if user is not None:
        user.language = "es"
        user.save(update_fields=["language"])
    client = client_for(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200, f"{persona} GET {url}"
    if not response["Content-Type"].startswith("text/html"):
        return
    html = response.content.decode()
    if "<html" in html:  # a whole page (htmx fragments and empty answers have no <html>)
        assert '<html lang="es">' in html, url
    found = english_on(html, ALWAYS_ALLOWED | stored_words())
    report = "\n".join(f"  {word!r}: {' | '.join(sorted(set(seen))[:3])}" for word, seen in sorted(found.items()))
    assert not found, f"English on {url} ({row.name}, as {persona}, in Spanish):\n{report}"


def test_the_scan_finds_english_and_spares_spanish_and_data():
    assert words_of("las 24 horas, todos los días; it’s") == ["las", "horas", "todos", "los", "días", "it’s"]
    html = (
        "<html><head><title>Sesiones · Waypoint</title><script>var the = 1;</script></head><body>"
        '<p>Su próxima sesión</p><button aria-label="Close the menu">x</button>'
        '<input type="submit" value="Save"><input type="text" value="the typed value">'
        '<select><option value="America/New_York">America/New York</option><option>Next week</option></select>'
        "<p>Write to casey@test.example about Morgan</p></body></html>"
    )
    found = english_on(html, {"morgan"})
    assert set(found) == {"close", "the", "save", "next", "week", "write", "to", "about"}
    assert found["the"] == ["button[aria-label]: Close the menu"]
