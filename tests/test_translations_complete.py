"""The Spanish catalogue is complete and compiled (issue 19): every string
marked for translation has a Spanish translation that is not fuzzy, keeps the
English placeholders, and the committed django.mo says the same as django.po
(``make messages`` refreshes both; see the README, Languages)."""

import gettext
import re
from pathlib import Path

import polib
from django.conf import settings

FOLDER = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}")


def catalogue():
    return polib.pofile(str(FOLDER / "django.po"))


def test_every_string_has_a_spanish_translation_that_is_not_fuzzy():
    po = catalogue()
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    report = "\n".join([*(f"  untranslated: {m!r}" for m in untranslated), *(f"  fuzzy: {m!r}" for m in fuzzy)])
    assert not untranslated and not fuzzy, (
        f"{len(untranslated)} untranslated and {len(fuzzy)} fuzzy entries in {FOLDER / 'django.po'}:\n{report}"
    )


def test_translations_keep_the_placeholders():
    wrong = []
    for entry in catalogue().translated_entries():
        pairs = (
            [(entry.msgid, entry.msgstr)]
            if not entry.msgid_plural
            else [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        )
        for english, spanish in pairs:
            if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(spanish)):
                wrong.append(f"  {english!r} -> {spanish!r}")
    assert not wrong, "Placeholders differ:\n" + "\n".join(wrong)


def test_the_committed_mo_matches_the_po():
    with open(FOLDER / "django.mo", "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    stale = []
    for entry in catalogue().translated_entries():
        if entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if mo._catalog.get(key) != entry.msgstr:
            stale.append(entry.msgid)
    assert not stale, f"django.mo is older than django.po (run `make messages`): {stale[:20]}"
