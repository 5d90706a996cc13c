"""Texts Waypoint itself writes into the database, shown in the reader's language.

Some services store a short English text in a field people otherwise type
into: erasure's "Erased person #12" (``User.full_name``, an agreement's typed
name), "Erased goal" / "Erased milestone"; a match's close note ("Account
deactivated", "Mentee left the program: Moved away"); a meeting's or group's
cancel reason ("Match closed: Moved away", "Program archived"); an application
merged into another ("Repeat of application #7: merged.", its note). They stay
stored in English, whatever language the page that caused them used
(``english()``): stable values that erasure checks, exports and comparisons
rely on. Where they are shown, ``shown(text)`` (template filter
``{% load stored_text %}{{ value|stored }}``) gives the text in the active
language when it is one of them, and any other text (typed by a person) as
it is. ``User.__str__``, ``get_full_name`` and ``get_short_name`` go through it.

Not translated on purpose: an outbox row's ``last_error`` (provider and
worker messages, technical, shown to coordinators only on the undelivered
list, often in the provider's own English).

Adding one: store it through ``english()`` (or a literal), mark the English
with ``gettext_noop``/``_`` here (EXACT or PATTERNS) and translate it in the
catalogue.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

ERASED_PERSON = "Erased person #%(id)s"
ERASED_GOAL = "Erased goal"
ERASED_MILESTONE = "Erased milestone"

# Stored exactly (English) -> shown in the reader's language.
EXACT = {
    ERASED_GOAL: _("Erased goal"),
    ERASED_MILESTONE: _("Erased milestone"),
    "Participation consent withdrawn": _("Participation consent withdrawn"),
    "Account deactivated": _("Account deactivated"),
    "Program archived": _("Program archived"),
}

# Stored with a value inside. ``label`` groups are English choice labels
# (close reasons, exit reasons), shown translated too.
PATTERNS = [
    (re.compile(r"^Erased person #(?P<id>\d+)$"), _("Erased person #%(id)s")),
    (re.compile(r"^Match closed: (?P<label>.+)$"), _("Match closed: %(label)s")),
    (re.compile(r"^Mentee left the program: (?P<label>.+)$"), _("Mentee left the program: %(label)s")),
    (re.compile(r"^Repeat of application #(?P<id>\d+): merged\.$"), _("Repeat of application #%(id)s: merged.")),
    (
        re.compile(r"^Merged the repeat application #(?P<id>\d+) \(sent (?P<day>\d{4}-\d\d-\d\d)\) into this one\.$"),
        _("Merged the repeat application #%(id)s (sent %(day)s) into this one."),
    ),
]


def english(text):
    """``text`` (a lazy translation, a choice label) in English, the stored language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


@lru_cache(maxsize=1)
def _labels():
    """{English label: lazy label} of the choices stored inside PATTERNS."""
    from .models import Match, MenteeExitReason

    labels = {}
    for choices in (Match.CloseReason, MenteeExitReason):
        for _value, label in choices.choices:
            labels[english(label)] = label
    return labels


def _is_default_language():
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0] == settings.LANGUAGE_CODE


def shown(text):
    """The stored ``text`` in the active language when Waypoint wrote it
    (EXACT, PATTERNS), else ``text`` unchanged. Returns a str ("" for None)."""
    if not text or _is_default_language() or not isinstance(text, str):
        return text if text is not None else ""
    found = EXACT.get(text)
    if found is not None:
        return str(found)
    if not (text.startswith(("Erased", "Match", "Mentee", "Repeat", "Merged"))):
        return text
    for pattern, wording in PATTERNS:
        match = pattern.match(text)
        if match:
            values = match.groupdict()
            if "label" in values:
                values["label"] = str(_labels().get(values["label"], values["label"]))
            return str(wording) % values
    return text


def is_erased_name(text):
    """Is ``text`` the stored name of an erased account?"""
    return bool(text) and PATTERNS[0][0].match(text) is not None


def erased_person_name(person_id):
    """The stored name of an erased account (English; shown through ``shown``)."""
    return ERASED_PERSON % {"id": person_id}
