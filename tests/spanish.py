"""Helpers for the Spanish page tests of sessions, goals and conversations
(issue 19): fetch a page with Accept-Language: es and read the words a person
sees in its <main> (the header and footer are the base template's own)."""

import re
from html import unescape

# English words that never belong on a Spanish page (names and data typed in
# the tests avoid them). Whole words, case-insensitive.
ENGLISH_WORDS = (
    "the",
    "your",
    "you",
    "and",
    "with",
    "of",
    "to",
    "is",
    "are",
    "no-show",
    "yet",
    "now",
    "here",
    "this",
    "session",
    "sessions",
    "meeting",
    "goal",
    "goals",
    "check-in",
    "check-ins",
    "message",
    "messages",
    "mentee",
    "seat",
    "seats",
    "waiting",
    "cancel",
    "save",
    "send",
    "join",
    "register",
    "progress",
)


def main_text(html):
    """The visible text of the page's <main>, plus the attributes people read
    or hear (aria-label, placeholder, title, alt, data-confirm), one space apart."""
    match = re.search(r"<main\b.*?</main>", html, flags=re.S)
    body = match.group(0) if match else html
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    said = re.findall(r'\b(?:aria-label|placeholder|title|alt|data-confirm)="([^"]*)"', body)
    text = re.sub(r"<[^>]+>", " ", body)
    return " ".join(unescape(" ".join([text, *said])).split())


def english_left(html, allowed=()):
    """Words of ENGLISH_WORDS still in the page's main text (``allowed``: data
    the test typed, e.g. a person's name, removed first)."""
    text = main_text(html)
    for item in allowed:
        text = text.replace(str(item), " ")
    found = re.findall(r"(?<![\w@/.-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w@-])", text, re.I)
    return sorted({word.lower() for word in found})


def get_es(client, url, status=200):
    """GET ``url`` in Spanish; the response's HTML."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()
