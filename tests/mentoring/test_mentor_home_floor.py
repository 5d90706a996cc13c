"""Issue 18 (s6a): the mentor home within twice the floor.

The page asked the access policy for the mentor's matches once per section
(the caseload, the calendar, the alerts), each time building and planning the
policy's subqueries for coordinators and both sides of a match, and reversed
five URLs per caseload row. Now:

- ``access.OwnMatches`` reads the person's matches once, as plain values, and
  gives the caseload, the calendar's match ids and the alerts from them: the
  same rows as ``visible_matches``/``visible_alerts``/``_matches_of`` for
  every kind of person (checked here against the general rules).
- A person who coordinates nothing and has no mentee profile gets no
  coordinator subquery and no UNION in the home's queries.
- The rows' links are reversed once per request (``mentoring.row_links``): the
  number of ``reverse()`` calls no longer grows with the caseload.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone

from mentoring import access
from mentoring.models import Match
from mentoring.row_links import link_to
from sessions.services import _matches_of
from tests.factories import (
    CheckInFactory,
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    SafetyAlertFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STATUSES = [Match.Status.PROPOSED, Match.Status.ACTIVE, Match.Status.PAUSED, Match.Status.CLOSED, Match.Status.DECLINED]


def _fresh(user):
    """The user as a new request loads it (roles_of remembers the roles on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def _caseload_of_every_stage(personas, mentor_profile, program):
    """A match of ``mentor_profile`` at every stage, each mentee with an open alert."""
    for status in STATUSES:
        mentee = MenteeProfileFactory(program=program)
        MatchFactory(program=program, mentor=mentor_profile, mentee=mentee, status=status)
        SafetyAlertFactory(mentee=mentee)


def _people(personas):
    """Every kind of person the home may be asked for, by name."""
    _caseload_of_every_stage(personas, personas.match.mentor, personas.program)
    SafetyAlertFactory(mentee=personas.match.mentee)
    SafetyAlertFactory(mentee=personas.other_match.mentee)
    # A mentor who also coordinates the program, with a declined proposal of their own there
    # (visible to them as its coordinator) and one in a program they do not coordinate.
    both = UserFactory(full_name="Bo Both")
    personas.program.coordinators.add(both)
    _caseload_of_every_stage(personas, MentorProfileFactory(program=personas.program, user=both), personas.program)
    _caseload_of_every_stage(
        personas, MentorProfileFactory(program=personas.other_program, user=both), personas.other_program
    )
    # A mentor who is a mentee too (matched with someone else).
    twice = personas.other_mentor
    MatchFactory(program=personas.program, mentee=MenteeProfileFactory(program=personas.program, user=twice))
    return {
        "mentor": personas.mentor,
        "mentor and coordinator": both,
        "mentor and mentee": twice,
        "proposed_mentor": personas.user("proposed_mentor"),
        "former_mentor": personas.user("former_mentor"),
        "mentee": personas.mentee,
        "coordinator": personas.coordinator,
        "anonymous": None,
    }


def test_own_matches_give_what_the_access_policy_gives_for_every_kind_of_person(personas):
    for name, user in _people(personas).items():
        user = _fresh(user) if user is not None else None
        own = access.OwnMatches(user)
        if user is None:
            assert own.ids() == [] and not own.caseload().exists() and not own.alerts().exists()
            continue
        expected = access.visible_matches(user).filter(mentor__user=user)
        assert set(own.caseload()) == set(expected), name
        assert set(own.alerts()) == set(access.visible_alerts(user)), name
        assert sorted(own.ids()) == sorted(_matches_of(user)), name
        count = own.caseload_count()
        assert count is None if own.coordinates else count == expected.count(), name


def test_own_matches_read_the_matches_once(personas, django_assert_num_queries):
    user = _fresh(personas.mentor)
    access.roles_of(user)  # as require_role does first on the homes
    with django_assert_num_queries(1):
        own = access.OwnMatches(user)
    with django_assert_num_queries(0):
        caseload, alerts, ids = own.caseload(), own.alerts(), own.ids()
    assert list(caseload) == [personas.match] and ids == [personas.match.pk] and not alerts.exists()


def test_the_mentor_home_asks_no_coordinator_rule_and_no_union_of_a_mentor_only(personas, client_for):
    """Before: the caseload's SQL carried the coordinators' subquery and the
    UNION of both sides, the alerts' an EXISTS over the coordinated programs,
    and the calendar a second UNION, all planned on every request."""
    _caseload_of_every_stage(personas, personas.match.mentor, personas.program)
    client = client_for(personas.mentor)
    url = reverse("mentoring:home_mentor")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    about_matches = [q["sql"] for q in captured if '"mentoring_match"' in q["sql"] or "goals_safetyalert" in q["sql"]]
    page_own = [sql for sql in about_matches if "conversations_" not in sql]  # the navigation's badge is every page's
    assert len(page_own) == 4  # the matches, the caseload, the calendar, the alerts
    for sql in page_own:
        assert "programs_program_coordinators" not in sql
        assert "UNION" not in sql
    # The alerts of the current matches (active, paused), none of a proposal, a closed or a declined one.
    assert html.count("open safety alert") == 2
    assert "Needs attention now: 2 safety alerts" in html


def _row(personas, name):
    mentee = MenteeProfileFactory(program=personas.program, user=UserFactory(full_name=name))
    match = MatchFactory(program=personas.program, mentor=personas.match.mentor, mentee=mentee)
    SessionFactory(match=match, starts_at=timezone.now() - timedelta(days=2), status="completed")
    SessionFactory(match=match)
    CheckInFactory(mentee=mentee)
    return match


def _reverses(client, url):
    """How many times a request calls reverse() (the {% url %} tag and Python alike)."""
    real = reverse
    with (
        mock.patch("django.urls.reverse", side_effect=real) as tag,
        mock.patch("django.urls.base.reverse", side_effect=real) as direct,
    ):
        html = client.get(url).content.decode()
    return tag.call_count + direct.call_count, html


def test_the_mentor_home_reverses_the_same_number_of_urls_for_one_mentee_or_five(personas, client_for):
    client = client_for(personas.mentor)
    url = reverse("mentoring:home_mentor")
    client.get(url)
    few, _ = _reverses(client, url)
    matches = [_row(personas, name) for name in ("Avery First", "Blake Second", "Casey Third", "Devon Fourth")]
    many, html = _reverses(client, url)
    assert few == many
    for match in matches:
        for link in (
            reverse("mentoring:match_detail", args=[match.pk]),
            reverse("mentoring:person_detail", args=[match.mentee.user_id]),
            reverse("goals:checkins", args=[match.mentee_id]),
            reverse("goals:progress", args=[match.mentee_id]),
        ):
            assert f'href="{link}"' in html
        session = match.sessions.get(status="scheduled")
        assert f'href="{reverse("peer_sessions:session_detail", args=[session.pk])}"' in html
    assert f'href="{reverse("peer_sessions:session_new", args=[personas.match.pk])}"' in html  # nothing scheduled


@pytest.mark.parametrize(
    "name",
    [
        "mentoring:match_detail",
        "mentoring:person_detail",
        "goals:checkins",
        "goals:progress",
        "peer_sessions:session_new",
        "peer_sessions:session_detail",
        "peer_sessions:group_detail",
    ],
)
def test_link_to_gives_what_reverse_gives(name):
    for prefix in ("/", "/waypoint/"):
        set_script_prefix(prefix)
        try:
            link = link_to(name)
            for pk in (1, 7, 10, 918_273_645, 2**40):
                assert link(pk) == reverse(name, args=[pk])
        finally:
            clear_script_prefix()


def test_link_to_refuses_a_url_without_one_number():
    with pytest.raises(NoReverseMatch):
        link_to("goals:alerts")  # takes no argument
    with pytest.raises(ValueError), mock.patch("mentoring.row_links.reverse", return_value="/a/918273645/b/918273645/"):
        link_to("mentoring:match_detail")


@pytest.mark.parametrize(
    "number, first, last, label",
    [
        (None, 0, 25, "Page 1 of 2"),
        ("2", 25, 27, "Page 2 of 2"),
        ("99", 25, 27, "Page 2 of 2"),
        ("abc", 0, 25, "Page 1 of 2"),
    ],
)
def test_the_mentor_home_pages_its_caseload_with_the_length_it_read(personas, client_for, number, first, last, label):
    """The caseload's length from the matches read (no window, no COUNT): the
    paginator's pages, numbers out of range or not numbers as it takes them."""
    start = timezone.now()
    for n in range(26):
        MatchFactory(
            program=personas.program,
            mentor=personas.match.mentor,
            mentee=MenteeProfileFactory(program=personas.program, user=UserFactory(full_name=f"Row {n:02}")),
            created_at=start - timedelta(days=n + 1),
        )
    MatchFactory(program=personas.program, mentor=personas.match.mentor, status=Match.Status.DECLINED)  # not listed
    client = client_for(personas.mentor)
    url = reverse("mentoring:home_mentor") + (f"?page={number}" if number is not None else "")
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    counted = 'COUNT(*) AS "__count" FROM "mentoring_match"'
    assert not [q for q in captured if "OVER ()" in q["sql"] or counted in q["sql"]]
    assert label in html
    # Active matches, newest first: the persona's (created now), then Row 00, Row 01...
    names = [str(personas.match.mentee.user)] + [f"Row {n:02}" for n in range(26)]
    for index, name in enumerate(names):
        assert (name in html) is (first <= index < last), name


def _alert_queries(captured):
    return [q for q in captured if q["sql"].startswith('SELECT "goals_safetyalert"')]


def test_the_alert_panel_comes_with_a_one_page_caseload_without_an_alert(personas, client_for):
    """No open alert on a caseload that fits one page: nothing to ask. One
    alert: the panel lists it (asked as before)."""
    client = client_for(personas.mentor)
    url = reverse("mentoring:home_mentor")
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert not _alert_queries(captured) and 'data-testid="open-alerts"' not in html
    SafetyAlertFactory(mentee=personas.match.mentee)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert len(_alert_queries(captured)) == 1
    assert "Needs attention now: 1 safety alert" in html


@pytest.mark.parametrize("number", ["1", "2"])
def test_the_alert_panel_of_a_longer_caseload_shows_an_alert_of_another_page(personas, client_for, number):
    """The alert's match is the oldest, on page 2: page 1 shows it in the panel too."""
    start = timezone.now()
    for n in range(25):
        MatchFactory(program=personas.program, mentor=personas.match.mentor, created_at=start - timedelta(days=n + 1))
    Match.objects.filter(pk=personas.match.pk).update(created_at=start - timedelta(days=400))
    SafetyAlertFactory(mentee=personas.match.mentee)
    html = client_for(personas.mentor).get(reverse("mentoring:home_mentor") + f"?page={number}").content.decode()
    assert "Needs attention now: 1 safety alert" in html
    assert (str(personas.match.mentee.user) in html.split('data-testid="caseload"')[1]) is (number == "2")


def test_a_mentor_who_coordinates_sees_the_alerts_of_their_program_on_the_mentor_home(personas, client_for):
    personas.program.coordinators.add(personas.mentor)
    SafetyAlertFactory(mentee=personas.other_match.mentee)  # not their mentee: their program's
    html = client_for(personas.mentor).get(reverse("mentoring:home_mentor")).content.decode()
    assert "Needs attention now: 1 safety alert" in html and str(personas.other_mentee) in html
