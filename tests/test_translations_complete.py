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


def test_no_message_shown_to_a_person_is_built_from_untranslated_text():
    """Flash messages (``messages.success(request, …)`` and the other levels)
    take a translated string: ``gettext("… %(name)s …") % {…}``, never an
    f-string or a plain literal, which would reach a Spanish reader in English
    (eight setup, training and listing messages did)."""
    import ast

    levels = {"debug", "info", "success", "warning", "error", "add_message"}
    found = []
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if any(part in {".venv", "tests", "migrations", "node_modules"} for part in path.parts):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            if not (isinstance(owner, ast.Name) and owner.id == "messages" and node.func.attr in levels):
                continue
            text = node.args[2] if node.func.attr == "add_message" and len(node.args) > 2 else None
            text = text or (node.args[1] if len(node.args) > 1 else None)
            if isinstance(text, ast.JoinedStr) or (isinstance(text, ast.Constant) and isinstance(text.value, str)):
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert not found, "untranslated messages: " + ", ".join(found)
