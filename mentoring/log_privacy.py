"""Paths in logs without the secrets in them: log the route, not the token.

Invitation links (``/invite/<token>/``), password-reset links
(``/accounts/password/reset/<uidb64>/<token>/``), calendar feeds
(``/calendar/<token>.ics``) and unsubscribe links (``/unsubscribe/<token>/``)
carry the key to an account or to a person's schedule in the path. Anyone who
reads the access log must not be able to use them.

``loggable_path(text)`` is the one rule; it is applied in three places:

- gunicorn's access log: ``GunicornLogger`` (``--logger-class
  mentoring.log_privacy.GunicornLogger``, in the Procfile) rewrites the request
  line, path, query string and referer before the access-log format sees them;
- Django's loggers (``django.server`` for runserver's request lines,
  ``django.request`` for "Not Found: /invite/..." and errors,
  ``django.security.*``) and our own: ``SecretPathFilter`` on the console
  handler (``LOGGING`` in config/settings.py) rewrites every path in a record's
  message;
- anything else that logs a path should pass it through ``loggable_path``.

The rule: a path that resolves to a URL pattern with a secret parameter
(``SECRET_URL_PARAMETERS``, or any parameter whose name ends in ``token``) is
logged as its route pattern, e.g. ``/invite/<str:token>/``. A path that only
resolves with a trailing slash added (``/invite/abc`` before APPEND_SLASH's
redirect) is treated the same. Other paths are kept (ids help debugging).
Query-string values are always replaced with ``*`` and only the keys kept
(``?next=*&page=*``): ``next`` may hold a token path, ``q`` a search that
says something about a person. The scheme and host of absolute URLs (a
referer) are kept.
"""

import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote

from django.urls import Resolver404, resolve
from gunicorn.glogging import Logger

SECRET_URL_PARAMETERS = frozenset({"token", "uidb64"})

WITHHELD = "[path withheld]"


def _is_secret(name):
    return name in SECRET_URL_PARAMETERS or name.endswith("token")


def _match(path):
    path = unquote(path)
    try:
        return resolve(path)
    except Resolver404:
        if path.endswith("/"):
            return None
        try:
            return resolve(path + "/")
        except Resolver404:
            return None


def _loggable_query(query):
    keys = [key for key, _ in parse_qsl(query, keep_blank_values=True)]
    if not keys:
        return "*" if query else ""
    return "&".join(f"{key}=*" for key in keys)


def loggable_path(text):
    """``text`` (a path with an optional query string, e.g. ``"/invite/abc/?x=1"``)
    as it may appear in a log: a route with secret parameters becomes its route
    pattern (``"/invite/<str:token>/?x=*"``), query values become ``*``. Never
    raises; when the URL configuration cannot answer, the path is withheld."""
    path, mark, query = text.partition("?")
    try:
        match = _match(path) if path.startswith("/") else None
    except Exception:  # a log line must never fail: say less instead
        return WITHHELD
    if match is not None and any(_is_secret(name) for name in match.kwargs):
        path = "/" + match.route
    if mark:
        return f"{path}?{_loggable_query(query)}"
    return path


# A path, absolute or after scheme and host, up to white space or a quote.
_URL = re.compile(r"""(?:(?P<origin>https?://[^/\s"'<>]+)|(?<![\w/]))(?P<path>/[^\s"'<>]*)""")


def scrub_text(text):
    """Every URL path in ``text`` (a log message) through ``loggable_path``."""

    def replace(found):
        return (found.group("origin") or "") + loggable_path(found.group("path"))

    return _URL.sub(replace, text)


class SecretPathFilter(logging.Filter):
    """A logging filter that rewrites the paths in a record's message with
    ``scrub_text`` (the record is changed in place, then let through)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the formatter's business
            return True
        scrubbed = scrub_text(message)
        if scrubbed != message:
            record.msg = scrubbed
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``LOG_FORMAT=json``) for log collectors:
    ``{"time": "2026-11-29T21:30:00.123+00:00", "level": "INFO", "logger":
    "mentoring.tasks", "message": "...", "exception": "..."}`` (``exception``
    only when there is one). The message is the one SecretPathFilter already
    scrubbed; the record's other attributes (``extra=``) are not copied, so
    nothing personal rides along unseen."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# gunicorn atoms that can hold a path or a URL: the request line, the path,
# the query string, the referer (as header and as WSGI variable) and the raw
# WSGI variables a custom --access-logformat could name.
_PATH_ATOMS = ("U", "{raw_uri}e", "{path_info}e", "{request_uri}e")
_QUERY_ATOMS = ("q", "{query_string}e")
_TEXT_ATOMS = ("r", "f", "{referer}i", "{http_referer}e")


class GunicornLogger(Logger):
    """gunicorn's logger with private access-log atoms (``--logger-class
    mentoring.log_privacy.GunicornLogger``): ``%(r)s`` reads
    ``GET /invite/<str:token>/ HTTP/1.1``; ``%(U)s``, ``%(q)s``, ``%(f)s`` and
    the matching ``%({...}i)s`` / ``%({...}e)s`` atoms likewise. The format
    itself is unchanged (``--access-logformat`` still applies)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in _PATH_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = loggable_path(atoms[key])
        for key in _QUERY_ATOMS:
            if isinstance(atoms.get(key), str) and atoms[key]:
                atoms[key] = _loggable_query(atoms[key])
        for key in _TEXT_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = scrub_text(atoms[key])
        return atoms
