"""Program-defined text in the reader's language, with fallback.

Coordinators may give a Spanish version of the texts they write (agreements
and privacy notices, training modules, skills, resource listings and
categories, the program's public texts). Each such field ``<field>`` has an
optional twin ``<field>_es`` (empty: no Spanish version). English is the
default language (settings.LANGUAGE_CODE) and lives in ``<field>`` itself.

``localized(obj, "title")`` gives the text for the active language
(django.utils.translation.get_language(), set by LocaleMiddleware from the
person's choice or Accept-Language): the twin when the active language is not
the default and the twin is not blank, else the default text. Templates use
the ``localized`` filter: ``{% load localized %}{{ module|localized:"title" }}``.
``localized_language(obj, "body")`` names the language of that text ("en" or
"es"): what a signature or consent records as the version the person saw.
"""

from django.conf import settings
from django.utils import translation


def default_language():
    """The code of the language the plain fields are written in ("en")."""
    return settings.LANGUAGE_CODE.split("-")[0]


def active_language():
    """The active language's base code ("es" for "es-mx"); the default when none is active."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def localized_language(obj, field, language=None):
    """The language code of the text ``localized`` shows for ``field`` of ``obj``
    in ``language`` (default: the active one): that language when ``obj`` has a
    non-blank ``<field>_<language>``, else the default language."""
    language = language or active_language()
    if language != default_language() and (getattr(obj, f"{field}_{language}", "") or "").strip():
        return language
    return default_language()


def localized(obj, field, language=None):
    """The text of ``field`` of ``obj`` in ``language`` (default: the active
    one), falling back to the default-language text when there is no version
    in that language. ``obj`` None gives ""."""
    if obj is None:
        return ""
    shown = localized_language(obj, field, language)
    if shown == default_language():
        return getattr(obj, field)
    return getattr(obj, f"{field}_{shown}")
