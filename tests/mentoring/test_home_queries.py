"""Issue 18 (i18c): the mentor home, the mentee home, the resource search and
the coordinator home at 10,000 mentees.

- The open-alerts rule (access.visible_alerts) has no join in its outer query:
  OR-ing a join to the mentee's program made PostgreSQL read every mentee
  profile of the site for a mentor's home.
- A person's matches (the calendar's first step) are a UNION of the mentor
  and the mentee side, each read through its own index, not an OR.
- The pages load only the columns they show (``only``): a column left out
  by mistake would cost one query per row, so each page is requested with a
  few rows and with more, and must run the same number of queries and show
  every row's names.
- The directory's lists render in Python (mentoring.widgets.QuickSelect):
  the same HTML as Django's Select."""

import re
from datetime import timedelta

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.models import SafetyAlert
from mentoring import access
from mentoring.widgets import QuickSelect
from resources.forms import SearchForm
from sessions.services import _matches_of
from tests.factories import (
    CategoryFactory,
    CheckInFactory,
    MatchFactory,
    MenteeProfileFactory,
    ResourceFactory,
    SafetyAlertFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _outer_from(queryset):
    return str(queryset.query).split(" WHERE ", 1)[0]


# --- the access rules' shape ------------------------------------------------------------------------


def test_the_open_alerts_rule_joins_nothing_in_its_outer_query(personas):
    """A mentor who also coordinates: their current mentee's alert and every
    alert of the program they coordinate, nothing of another program."""
    personas.program.coordinators.add(personas.mentor)
    mine = SafetyAlertFactory(mentee=personas.match.mentee)
    in_program = SafetyAlertFactory(mentee=personas.other_match.mentee)
    elsewhere = SafetyAlertFactory(mentee=MenteeProfileFactory(program=personas.other_program))

    rule = access.visible_alerts(personas.mentor)
    assert "JOIN" not in _outer_from(rule)
    assert set(rule) == {mine, in_program}
    # A mentor only: their current mentee's alert.
    assert set(access.visible_alerts(personas.other_mentor)) == {in_program}
    # A coordinator only: their program's.
    assert set(access.visible_alerts(personas.coordinator)) == {mine, in_program}
    assert set(access.visible_alerts(personas.other_coordinator)) == {elsewhere}


def test_a_persons_matches_are_a_union_of_both_sides_not_an_or(personas):
    """The mentor is also a mentee (matched with someone else)."""
    as_mentee = MatchFactory(
        program=personas.program, mentee=MenteeProfileFactory(program=personas.program, user=personas.mentor)
    )
    ids = _matches_of(personas.mentor)
    sql = str(ids.query)
    assert "UNION" in sql
    assert " OR " not in sql
    assert set(ids) == {personas.match.pk, as_mentee.pk}
    assert set(_matches_of(personas.mentee)) == {personas.match.pk}


def test_the_conversations_rule_reads_each_side_of_a_match_by_its_index(personas):
    """The unread-message badge runs on every page: the person's matches are two
    subqueries (as mentor, as mentee), not joins to both profiles OR-ed."""
    sql = str(access.visible_conversations(personas.mentor).query)
    assert 'JOIN "mentoring_mentorprofile"' not in sql
    assert 'JOIN "mentoring_menteeprofile"' not in sql


# --- the pages: only the columns shown, the same queries however many rows ------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _caseload_match(personas, name):
    """Another active match of "mentor" with a meeting held, one coming up, a check-in and an open alert."""
    mentee = MenteeProfileFactory(program=personas.program, user=UserFactory(full_name=name))
    match = MatchFactory(program=personas.program, mentor=personas.match.mentor, mentee=mentee)
    SessionFactory(match=match, starts_at=timezone.now() - timedelta(days=3), status="completed")
    SessionFactory(match=match)
    CheckInFactory(mentee=mentee)
    SafetyAlertFactory(mentee=mentee)
    return match


def test_the_mentor_home_runs_the_same_queries_for_one_mentee_or_four(personas, client_for):
    client = client_for(personas.mentor)
    url = reverse("mentoring:home_mentor")
    _caseload_match(personas, "Avery First")
    client.get(url)
    few, _ = _queries(client, url)
    for name in ("Blake Second", "Casey Third", "Devon Fourth"):
        _caseload_match(personas, name)
    many, html = _queries(client, url)
    assert few == many
    for name in ("Avery First", "Blake Second", "Casey Third", "Devon Fourth", str(personas.match.mentee.user)):
        assert name in html
    assert "4 safety alerts" in html


def test_the_mentee_home_shows_the_next_meeting_with_the_mentors_name(personas, client_for):
    SessionFactory(match=personas.match)
    client = client_for(personas.mentee)
    _, html = _queries(client, reverse("mentoring:home_mentee"))
    assert str(personas.mentor) in html
    assert "Next meeting" in html


def test_the_directory_runs_the_same_queries_for_one_listing_or_six(personas, client_for):
    client = client_for(personas.coordinator)
    url = reverse("resources:directory") + "?q=housing"
    ResourceFactory(program=personas.program, name="Housing desk 0", category=CategoryFactory())
    client.get(url)
    few, _ = _queries(client, url)
    for i in range(1, 6):
        ResourceFactory(program=personas.program, name=f"Housing desk {i}", category=CategoryFactory())
    many, html = _queries(client, url)
    assert few == many
    for resource in personas.program.resources.all():
        assert resource.name in html
        assert str(resource.category) in html


def test_the_coordinator_home_runs_the_same_queries_for_two_alerts_or_five(personas, client_for):
    client = client_for(personas.coordinator)
    url = reverse("mentoring:home_coordinator")
    acknowledged = SafetyAlertFactory(mentee=personas.match.mentee)
    SafetyAlert.objects.filter(pk=acknowledged.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=personas.coordinator
    )
    SafetyAlertFactory(mentee=personas.other_match.mentee)  # open: a row of the attention list too
    client.get(url)
    few, _ = _queries(client, url)
    for name in ("Emery Open", "Finley Open", "Gray Open"):
        SafetyAlertFactory(mentee=MenteeProfileFactory(program=personas.program, user=UserFactory(full_name=name)))
    many, html = _queries(client, url)
    assert few == many
    people = ("Emery Open", "Finley Open", "Gray Open", personas.match.mentee.user, personas.other_match.mentee.user)
    for name in (*map(str, people), str(personas.coordinator)):
        assert name in html


# --- QuickSelect ---------------------------------------------------------------------------------------


def _same_html(a, b):
    squeeze = lambda html: re.sub(r">\s+<", "><", str(html)).strip()  # noqa: E731
    return squeeze(a) == squeeze(b)


@pytest.mark.parametrize(
    "choices, value",
    [
        ([("", "Any"), ("en", "English"), ("es", "Spanish")], "es"),
        ([("", "Any"), ("a", 'Tom & "Jerry" <b>')], ""),
        ([("", "Any"), ("Fruit", [("1", "Apple"), ("2", "Pear")]), ("3", "Other")], "2"),
        ([(1, "One"), (2, "Two")], None),
    ],
)
def test_quick_select_renders_what_select_renders(choices, value):
    attrs = {"id": "id_thing", "class": "form-select"}
    assert _same_html(
        QuickSelect(choices=choices).render("thing", value, attrs),
        forms.Select(choices=choices).render("thing", value, attrs),
    )


def test_the_directory_form_lists_render_as_before(personas):
    CategoryFactory(name="Recovery housing")
    form = SearchForm({"category": "", "language": "es"})
    assert form.is_valid()
    for name in ("category", "language"):
        field = form.fields[name]
        assert isinstance(field.widget, QuickSelect)
        plain = forms.Select(choices=field.choices)
        plain.is_required = field.required
        bound = form[name]
        assert _same_html(bound.as_widget(), plain.render(bound.html_name, bound.value(), {"id": bound.auto_id}))
