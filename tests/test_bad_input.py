"""Ids that arrive in query strings and form fields are typed by people (or
tampered with): garbage gets a 404 or the form again, never a 500."""

from django.urls import reverse

from programs.models import PolicyDocument


def test_garbage_ids_never_cause_a_server_error(personas, client_for):
    coordinator = client_for(personas.coordinator)
    assert (
        coordinator.post(reverse("mentoring:propose", args=[personas.match.mentee.pk]), {"mentor": "abc"}).status_code
        == 404
    )
    assert (
        coordinator.post(reverse("peer_sessions:skills", args=[personas.program.pk]), {"toggle": "x"}).status_code
        == 404
    )
    assert coordinator.get(reverse("resources:new") + "?program=abc").status_code == 200
    assert coordinator.get(reverse("mentoring:invitation_new") + "?program=abc&role=wizard").status_code == 200

    PolicyDocument.objects.create(program=personas.program, kind="boundaries", version=1, body="Keep boundaries.")
    mentor = client_for(personas.mentor)
    url = reverse("programs:agreement_sign", args=[personas.match.mentor.pk])
    assert mentor.post(url, {"document": "1; drop", "agree": "on", "typed_name": "x"}).status_code == 404
    # Not a number: the mentee's own (first) profile is used.
    assert client_for(personas.mentee).get(reverse("goals:checkin") + "?mentee=abc").status_code == 200
    # Digits that str.isdigit() accepts but int() refuses.
    assert client_for(personas.mentee).get(reverse("goals:checkin") + "?mentee=²").status_code == 200


# --- Numbers no database id can hold -----------------------------------------
# Every form with a choice on every page of the permission matrices, every
# integer query parameter the views read, and every <int:...> in a URL get ids
# past 64 bits (SQLite cannot even bind them), below zero, or in float syntax:
# each is an invalid choice or a missing row, never a 500 (mentoring.lookups,
# mentoring.params). The test client re-raises a view's exception, so a 500
# fails the test with its traceback.

import re  # noqa: E402
from html.parser import HTMLParser  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlencode, urljoin  # noqa: E402

import pytest  # noqa: E402

from tests.conversations.test_permissions import MATRIX as CONVERSATIONS  # noqa: E402
from tests.goals.test_permissions import MATRIX as GOALS  # noqa: E402
from tests.mentoring.test_permissions import MATRIX as MENTORING  # noqa: E402
from tests.programs.test_permissions import MATRIX as PROGRAMS  # noqa: E402
from tests.resources.test_permissions import MATRIX as RESOURCES  # noqa: E402
from tests.sessions.test_permissions import MATRIX as SESSIONS  # noqa: E402

BAD_NUMBERS = ["99999999999999999999", "-99999999999999999999", "1e400"]
ROWS = MENTORING + PROGRAMS + SESSIONS + GOALS + RESOURCES + CONVERSATIONS
ROOT = Path(__file__).resolve().parents[1]


def _first_persona(row, wanted=(200,)):
    return next((name for name, status in row.expected.items() if status in wanted and name != "anonymous"), None)


PAGES = [
    pytest.param(row, id=f"{row.name}[{i}]")
    for i, row in enumerate(ROWS)
    if row.method == "get" and _first_persona(row)
]
# One row per URL name is enough for the ids in the path.
WITH_IDS = list(
    {
        row.name: pytest.param(row, id=f"{row.name}[{i}]")
        for i, row in reversed(list(enumerate(ROWS)))
        if row.args and _first_persona(row, (200, 302))
    }.values()
)


class FormParser(HTMLParser):
    """The forms of a page: action, method, and their fields as rendered."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(), "fields": []}
            )
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            self.forms[-1]["fields"].append({"tag": "input", **attrs})
        elif tag == "button" and attrs.get("name") and attrs.get("type", "submit") == "submit":
            self.forms[-1]["fields"].append({"tag": "button", **attrs})
        elif tag == "select" and attrs.get("name"):
            self._select = {"tag": "select", "options": [], "selected": [], **attrs}
            self.forms[-1]["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select["selected"].append(attrs.get("value", ""))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = {"tag": "textarea", "value": "", **attrs}
            self.forms[-1]["fields"].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def _as_rendered(form):
    """(data as the browser would send it, names of the id choices)."""
    data, choices, pressed = {}, set(), False
    for field in form["fields"]:
        name, kind = field["name"], field.get("type", "text")
        if field["tag"] == "select":
            data[name] = field["selected"] or field["options"][:1]
            if any(value.isdigit() for value in field["options"]):
                choices.add(name)
        elif field["tag"] == "textarea":
            data[name] = [field["value"]]
        elif field["tag"] == "button" or kind == "submit":
            if not pressed:
                data[name], pressed = [field.get("value", "")], True
        elif kind in ("checkbox", "radio"):
            if field.get("value", "on").isdigit():
                choices.add(name)
            if "checked" in field:
                data.setdefault(name, []).append(field.get("value", "on"))
        else:
            data.setdefault(name, []).append(field.get("value", ""))
    return data, choices


def _query_parameter_names():
    """Every name a view reads from request.GET (found in the source, so that a
    new parameter is covered without editing this test)."""
    names = set()
    pattern = re.compile(r"request\.(?:GET|POST)(?:\.get|\.getlist)?\(?\[?\s*\"([a-z_]+)\"")
    for app in ("mentoring", "programs", "sessions", "goals", "resources", "conversations"):
        for source in (ROOT / app).rglob("*.py"):
            names |= set(pattern.findall(source.read_text()))
    return sorted(names)


QUERY_PARAMETERS = _query_parameter_names()


def test_query_parameter_names_are_found():
    assert {"program", "mentee", "page", "session"} <= set(QUERY_PARAMETERS), QUERY_PARAMETERS


@pytest.mark.parametrize("row", PAGES)
def test_every_choice_and_query_parameter_refuses_numbers_no_id_can_hold(row, personas, client_for):
    client = client_for(personas.user(_first_persona(row)))
    url = row.url(personas)
    joiner = "&" if "?" in url else "?"
    for bad in BAD_NUMBERS:
        response = client.get(url + joiner + urlencode({name: bad for name in QUERY_PARAMETERS}))
        assert response.status_code < 500, f"{url} {bad}"
    page = client.get(url)
    assert page.status_code == 200
    if not page["Content-Type"].startswith("text/html"):
        return
    parser = FormParser()
    parser.feed(page.content.decode())
    for form in parser.forms:
        data, choices = _as_rendered(form)
        target = urljoin(url, form["action"])
        for name in sorted(choices):
            for bad in BAD_NUMBERS:
                sent = {**data, name: [bad]}
                if form["method"] == "post":
                    response = client.post(target, sent)
                else:
                    response = client.get(target, sent)
                assert response.status_code < 500, f"{target} {name}={bad}"


@pytest.mark.parametrize("row", WITH_IDS)
def test_every_url_id_refuses_numbers_no_id_can_hold(row, personas, client_for):
    from django.urls import reverse

    client = client_for(personas.user(_first_persona(row, (200, 302))))
    args = row.args(personas)
    for position, arg in enumerate(args):
        if not isinstance(arg, int):
            continue
        url = reverse(row.name, args=[*args[:position], int(BAD_NUMBERS[0]), *args[position + 1 :]])
        if row.method == "post":
            response = client.post(url, row.data(personas) if row.data else {})
        else:
            response = client.get(url)
        assert response.status_code < 500, url


# --- Dates and numbers out of any reason (issue 17.6) ------------------------
# Every date, time and number field of every form on every page of the
# matrices gets the far ends of the calendar and numbers no column holds: the
# answer is the form again (or a redirect), never a 500.

BAD_VALUES = {
    "date": ["9999-12-31", "0001-01-01", "1900-01-01", "2099-01-01", "31/12/9999"],
    "datetime-local": ["9999-12-31T23:30", "0001-01-01T00:00", "1900-01-01T12:00"],
    "time": ["23:30", "25:99", "99999999999"],
    "number": ["99999999999999999999", "-99999999999999999999", "-1", "0", "1e400", "NaN"],
    "range": ["99999999999999999999", "-5", "1e400"],
}


@pytest.mark.parametrize("row", PAGES)
def test_every_date_and_number_field_refuses_values_out_of_reason(row, personas, client_for):
    client = client_for(personas.user(_first_persona(row)))
    url = row.url(personas)
    page = client.get(url)
    if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
        return
    parser = FormParser()
    parser.feed(page.content.decode())
    for form in parser.forms:
        data, _ = _as_rendered(form)
        target = urljoin(url, form["action"])
        typed = [f for f in form["fields"] if f["tag"] == "input" and f.get("type") in BAD_VALUES]
        for field in typed:
            for bad in BAD_VALUES[field["type"]]:
                sent = {**data, field["name"]: [bad]}
                if field["type"] == "date" and bad == "9999-12-31":
                    # The worst case of the issue: the last day with a late time.
                    sent.update({f["name"]: ["23:30"] for f in form["fields"] if f.get("type") == "time"})
                if form["method"] == "post":
                    response = client.post(target, sent)
                else:
                    response = client.get(target, sent)
                assert response.status_code < 500, f"{target} {field['name']}={bad}"
