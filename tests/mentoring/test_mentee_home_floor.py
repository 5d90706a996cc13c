"""Issue 18 (s6c): the mentee home comfortably within twice the floor.

The page asked the access policy for the mentee's matches (the coordinators'
subquery and a UNION of both sides of a match), then the calendar read the
person's matches again (a second UNION) and the toolkit a third time (a
subquery of the matches), and reversed one URL per goal, match and group.
Now the mentee's matches are read once, with what a card shows of the
mentor, and the cards, the calendar's and the toolkit's match ids come from
them; the rows' links are reversed once per request (``mentoring.row_links``).
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Match
from sessions.selectors import toolkit_of_user
from tests.factories import (
    GoalFactory,
    GroupSessionFactory,
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    RegistrationFactory,
    SessionFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db

URL = "/home/mentee/"


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("mentoring:home_mentee")).content.decode()
    return [q["sql"] for q in captured], html


def _reverses(client):
    """How many times a request calls reverse() (the {% url %} tag and Python alike)."""
    real = reverse
    with (
        mock.patch("django.urls.reverse", side_effect=real) as tag,
        mock.patch("django.urls.base.reverse", side_effect=real) as direct,
    ):
        html = client.get(reverse("mentoring:home_mentee")).content.decode()
    return tag.call_count + direct.call_count, html


def _more_of_everything(personas):
    """More goals, past matches, meetings and groups for the persona mentee."""
    mentee = personas.match.mentee
    goals = [GoalFactory(mentee=mentee, title=f"Goal number {n}") for n in range(4)]
    goals.append(GoalFactory(mentee=mentee, title="A suggested one", status="suggested"))
    for n in range(3):
        SessionFactory(match=personas.match, starts_at=timezone.now() + timedelta(days=n + 1))
        SessionFactory(match=personas.match, starts_at=timezone.now() - timedelta(days=n + 1), status="completed")
    for _ in range(2):
        MatchFactory(program=personas.program, mentee=mentee, status=Match.Status.CLOSED)
    groups = [GroupSessionFactory(program=personas.program, title=f"Circle {n}") for n in range(3)]
    for group in groups:
        RegistrationFactory(group_session=group, user=personas.mentee)
    return goals, groups


def test_the_mentee_home_asks_no_coordinator_rule_and_no_union_of_a_mentee_only(personas, client_for):
    """Before: the cards' SQL carried the coordinators' subquery and the UNION
    of both sides of a match, the calendar another UNION, the toolkit the
    matches again: 14 queries, now 13, and the matches read once."""
    GoalFactory(mentee=personas.match.mentee)  # an active goal: its check-ins are read too
    client = client_for(personas.mentee)
    client.get(URL)
    captured, html = _queries(client)
    # Not the navigation's badge nor the person's roles (every page's, every home's).
    page_own = [sql for sql in captured if "conversations_" not in sql and not sql.startswith("SELECT EXISTS(")]
    assert len([sql for sql in page_own if sql.startswith('SELECT "mentoring_match"')]) == 1
    for sql in page_own:
        assert "programs_program_coordinators" not in sql
        assert "UNION" not in sql or "peer_sessions_registration" in sql  # the groups the person booked or leads
    assert len(captured) == 13
    assert str(personas.mentor) in html


def test_the_mentee_home_runs_the_same_queries_and_reverses_for_one_goal_or_many(personas, client_for):
    client = client_for(personas.mentee)
    GoalFactory(mentee=personas.match.mentee, title="The first goal")
    client.get(URL)
    few_queries, _ = _queries(client)
    few_reverses, _ = _reverses(client)
    goals, groups = _more_of_everything(personas)
    many_queries, _ = _queries(client)
    many_reverses, html = _reverses(client)
    assert len(few_queries) == len(many_queries)
    assert few_reverses == many_reverses
    for goal in goals:
        assert f'href="{reverse("goals:detail", args=[goal.pk])}"' in html
    for group in groups:
        assert f'href="{reverse("peer_sessions:group_detail", args=[group.pk])}"' in html
    assert f'href="{reverse("mentoring:match_detail", args=[personas.match.pk])}"' in html
    first = personas.match.sessions.filter(status="scheduled").order_by("starts_at").first()
    assert f'href="{reverse("peer_sessions:session_detail", args=[first.pk])}"' in html


def test_the_mentee_home_shows_the_open_matches_newest_first_and_no_other(personas, client_for):
    mentee = personas.match.mentee
    now = timezone.now()
    Match.objects.filter(pk=personas.match.pk).update(created_at=now - timedelta(days=30))
    shown = {}
    # One open match per mentee profile: the open ones in two more programs.
    second, third = (MenteeProfileFactory(user=personas.mentee) for _ in range(2))
    for days, status, name, profile in (
        (1, Match.Status.PROPOSED, "Priya Proposed", second),
        (2, Match.Status.PAUSED, "Pat Paused", third),
        (3, Match.Status.CLOSED, "Cleo Closed", mentee),
        (4, Match.Status.DECLINED, "Dana Declined", mentee),
    ):
        MatchFactory(
            program=profile.program,
            mentee=profile,
            mentor__user__full_name=name,
            status=status,
            created_at=now - timedelta(days=days),
        )
        shown[name] = status in Match.OPEN
    html = client_for(personas.mentee).get(URL).content.decode()
    for name, expected in shown.items():
        assert (name in html) is expected, name
    order = [html.index(name) for name in ("Priya Proposed", "Pat Paused", str(personas.mentor))]
    assert order == sorted(order)
    assert "See the proposal and answer" in html and "Your meetings are paused for now." in html


def test_a_mentee_who_mentors_too_still_sees_their_next_meeting_as_a_mentor(personas, client_for):
    """The calendar holds every match of the person, as upcoming_for's own rule does."""
    mentee = personas.match.mentee.user
    theirs = MatchFactory(program=personas.program, mentor=MentorProfileFactory(program=personas.program, user=mentee))
    session = SessionFactory(match=theirs, starts_at=timezone.now() + timedelta(hours=3))
    SessionFactory(match=personas.match, starts_at=timezone.now() + timedelta(days=3))
    html = client_for(mentee).get(URL).content.decode()
    assert f'href="{reverse("peer_sessions:session_detail", args=[session.pk])}"' in html


def test_the_next_meeting_on_the_mentor_side_names_the_mentee_and_their_time(personas, client_for):
    """A mentee who also mentors, whose next meeting is with their own mentee
    in another zone: the card gives that person's time as "your mentee's",
    not the viewer's own time as "your mentor's" (found by the attack review)."""
    mentee = personas.match.mentee.user
    mentee.time_zone = "America/New_York"
    mentee.save(update_fields=["time_zone"])
    theirs = MatchFactory(program=personas.program, mentor=MentorProfileFactory(program=personas.program, user=mentee))
    theirs.mentee.user.time_zone = "America/Los_Angeles"
    theirs.mentee.user.save(update_fields=["time_zone"])
    SessionFactory(match=theirs, starts_at=timezone.now() + timedelta(hours=3))
    SessionFactory(match=personas.match, starts_at=timezone.now() + timedelta(days=3))
    html = client_for(mentee).get(URL).content.decode()
    assert "your mentee" in html
    assert "your mentor" not in html.split("Next meeting", 1)[1].split("</a>", 1)[0]


def test_a_mentee_with_no_match_gets_no_calendar_or_toolkit_query(client_for):
    mentee = MenteeProfileFactory().user
    captured, html = _queries(client_for(mentee))
    assert not [sql for sql in captured if "peer_sessions_session" in sql or "peer_sessions_skill" in sql]
    assert "We are finding the right mentor for you." in html


def test_the_toolkit_from_the_match_ids_is_the_toolkit_of_the_user(personas, django_assert_num_queries):
    mentee = personas.match.mentee
    breathing, planning = (
        SkillFactory(program=personas.program, name="Breathing"),
        SkillFactory(program=personas.program, name="Planning"),
    )
    earlier = MatchFactory(program=personas.program, mentee=mentee, status=Match.Status.CLOSED)
    past = timezone.now() - timedelta(days=3)
    SessionFactory(match=personas.match, starts_at=past, status="completed", skills=[breathing, planning])
    SessionFactory(match=earlier, starts_at=past, status="completed", skills=[breathing])
    SessionFactory(match=earlier, starts_at=past, status="missed", skills=[planning])  # not held: not counted
    SessionFactory(match=personas.other_match, starts_at=past, status="completed", skills=[planning])  # not theirs
    ids = list(Match.objects.filter(mentee__user=personas.mentee).values_list("pk", flat=True))
    expected = [(skill.name, skill.times) for skill in toolkit_of_user(personas.mentee)]
    assert expected == [("Breathing", 2), ("Planning", 1)]
    assert [(skill.name, skill.times) for skill in toolkit_of_user(personas.mentee, match_ids=ids)] == expected
    with django_assert_num_queries(0):
        assert list(toolkit_of_user(personas.mentee, match_ids=[])) == []
