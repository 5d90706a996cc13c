"""The permission matrix machinery shared by every app's test_permissions.py.

A row names a URL, how to build its arguments (and POST data) from the
personas, and the expected status for each persona. Signed-in outsiders get
404 (never a hint that a row exists); anonymous visitors of private pages are
sent to sign in.

The match-stage personas (``STAGES``: a mentor whose match with "mentee" is
only proposed, and a former mentor of "mentee", see tests/conftest.py) are
columns only of the rows that ask for them: ``expect(..., stages=True)``, or
naming one of them in ``ok`` or ``redirect``; like the others they default to
404. Every page about the pair (the mentor may open it, another mentor may
not) must have such a row (tests/test_url_coverage.py)."""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import MATCH_STAGE_NAMES, PERSONA_NAMES

LOGIN = "login"
SIGNED_IN = ["coordinator", "other_coordinator", "mentor", "other_mentor", "mentee", "other_mentee"]
COORDINATORS = ["coordinator", "other_coordinator"]
STAGES = MATCH_STAGE_NAMES  # "proposed_mentor", "former_mentor"


def expect(ok=(), redirect=(), anonymous=LOGIN, default=404, stages=False):
    """{persona: expected}: 200 for ok, 302 for redirect, the rest default.
    With ``stages`` (or a stage persona in ok/redirect) the row also has the
    match-stage columns."""
    names = SIGNED_IN + (STAGES if stages or set(STAGES) & {*ok, *redirect} else [])
    table = {name: default for name in names}
    table.update({name: 200 for name in ok})
    table.update({name: 302 for name in redirect})
    table["anonymous"] = anonymous
    return table


@dataclass
class Row:
    name: str
    expected: dict
    args: object = None  # personas -> list of URL arguments
    method: str = "get"
    data: object = field(default=None)  # personas -> POST data
    query: object = None  # personas -> query-string parameters

    def url(self, personas):
        url = reverse(self.name, args=self.args(personas) if self.args else None)
        return f"{url}?{urlencode(self.query(personas))}" if self.query else url


def cases(matrix):
    return [
        pytest.param(index, persona, row.expected[persona], id=f"{row.name}[{index}]-{persona}")
        for index, row in enumerate(matrix)
        for persona in PERSONA_NAMES + [name for name in STAGES if name in row.expected]
    ]


def check(row, persona, expected, personas, client):
    url = row.url(personas)
    if row.method == "post":
        response = client.post(url, row.data(personas) if row.data else {})
    else:
        with no_writes(f"{persona} GET {url}"):
            response = client.get(url)
    assert_browser_hardening(response, persona, url)
    if expected == LOGIN:
        assert response.status_code == 302, f"{persona} on {url}"
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, f"{persona} {row.method.upper()} {url}"


# What the Content-Security-Policy (no 'unsafe-inline') would refuse in a page.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]*\sstyle\s*=|<style\b", re.IGNORECASE)


def assert_browser_hardening(response, persona, url):
    """Every matrix response: a CSP and Permissions-Policy header; signed in,
    Cache-Control no-store; an HTML page, nothing inline the CSP would refuse."""
    assert "script-src 'self'" in response["Content-Security-Policy"], url
    assert "camera=()" in response["Permissions-Policy"], url
    if persona != "anonymous":
        assert response["Cache-Control"] == "no-store", f"{persona} {url}"
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            assert not pattern.search(html), f"{url}: {pattern.search(html).group(0)}"


# --- no writes during a GET (ARCHITECTURE.md, "One rule, one place") --------------------------------
#
# Every GET of the matrix, as every persona, runs inside ``no_writes``: an
# INSERT, UPDATE or DELETE fails the row. Defaults and reference data (the
# default recovery-capital instrument, the resource taxonomy) come from data
# migrations and the program-creation service, never from a page. The only
# tables a GET may write, and why:
GET_WRITES_ALLOWED = {
    # The read audit (mentoring.audit.audit_read): sensitive pages record who
    # read what, by design one insert per page.
    "mentoring_accessevent": "read audit",
    # Session bookkeeping by Django's session middleware (expiry refresh,
    # flashed messages being consumed).
    "django_session": "session bookkeeping",
    # Coordinator figures and needs-attention snapshots
    # (mentoring/insights/snapshots.py): beat refreshes them every minute; a
    # page that finds none, or a stale one (beat not running, the embedded
    # default), computes and stores it, as that module documents.
    # The export log: downloading a report CSV records who exported what
    # (mentoring.views.reports.report_export), an audit like the read audit.
    "mentoring_reportexport": "export log",
    "mentoring_figuressnapshot": "snapshot refresh when missing or stale",
    "mentoring_attentionsnapshot": "snapshot refresh when missing or stale",
    "mentoring_attentionsignal": "snapshot refresh when missing or stale",
}
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)


def written_table(sql):
    """The table an INSERT/UPDATE/DELETE statement writes, else None."""
    found = WRITE.match(sql)
    return found.group(2).lower() if found else None


@contextmanager
def no_writes(label, allowed=GET_WRITES_ALLOWED):
    """Fail when a statement run inside writes a table not in ``allowed``."""
    writes = []

    def spy(execute, sql, params, many, context):
        table = written_table(sql)
        if table is not None and table not in allowed:
            writes.append(sql[:120])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        yield writes
    assert not writes, f"{label} wrote to the database: {writes}"
