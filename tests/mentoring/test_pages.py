"""The shell: crisis help on every page, the landing page, role homes, and
bounded query counts on the pages that list things."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.insights.snapshots import snapshots_refresh
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    GoalProgressFactory,
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
)

CRISIS_LINK = 'href="/crisis/"'


@pytest.mark.parametrize(
    "persona, url_name",
    [
        ("anonymous", "mentoring:landing"),
        ("anonymous", "login"),
        ("anonymous", "password_reset"),
        ("coordinator", "mentoring:home_coordinator"),
        ("coordinator", "mentoring:invitation_list"),
        ("mentor", "mentoring:home_mentor"),
        ("mentee", "mentoring:home_mentee"),
        ("mentee", "mentoring:profile"),
    ],
)
def test_get_help_now_is_on_every_page(persona, url_name, personas, client_for):
    body = client_for(personas.user(persona)).get(reverse(url_name)).content.decode()
    assert "Get help now" in body
    assert CRISIS_LINK in body


def test_get_help_now_on_the_404_page(personas, client_for):
    response = client_for(personas.mentee).get("/people/999999/")
    assert response.status_code == 404
    assert CRISIS_LINK in response.content.decode()
    assert "couldn't find that page" in response.content.decode()


def test_crisis_page_has_tap_to_call_lines(client, db):
    body = client.get(reverse("mentoring:crisis")).content.decode()
    for link in ('href="tel:988"', 'href="sms:988"', 'href="tel:+18006624357"'):
        assert link in body


def test_signed_in_person_is_taken_from_landing_to_their_home(personas, client_for):
    response = client_for(personas.mentor).get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("mentoring:home_mentor")


def test_person_without_a_role_gets_a_welcome_that_says_what_next(db, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("mentoring:home"))
    assert "You are not part of a program yet" in response.content.decode()


def test_navigation_changes_by_role(personas, client_for):
    coordinator_nav = client_for(personas.coordinator).get(reverse("mentoring:home_coordinator")).content.decode()
    mentee_nav = client_for(personas.mentee).get(reverse("mentoring:home_mentee")).content.decode()
    assert reverse("mentoring:invitation_list") in coordinator_nav
    assert reverse("mentoring:invitation_list") not in mentee_nav


def test_home_pages_show_the_right_people(personas, client_for):
    mentor_home = client_for(personas.mentor).get(reverse("mentoring:home_mentor")).content.decode()
    assert "Mel Mentee" in mentor_home and "Opal Othermentee" not in mentor_home
    mentee_home = client_for(personas.mentee).get(reverse("mentoring:home_mentee")).content.decode()
    assert "Morgan Mentor" in mentee_home and "Oscar Othermentor" not in mentee_home
    coordinator_home = client_for(personas.coordinator).get(reverse("mentoring:home_coordinator"))
    [(program, figures)] = coordinator_home.context["per_program"]
    assert program == personas.program
    assert (figures.mentors_ready + figures.mentors_not_ready, figures.active_matches, figures.waiting) == (2, 2, 0)


def _grow(personas, n):
    for _ in range(n):
        MatchFactory(program=personas.program, mentor=personas.match.mentor)
        MentorProfileFactory(program=personas.program)
        MenteeProfileFactory(program=personas.program)


@pytest.mark.parametrize(
    "persona, url_name, args",
    [
        ("coordinator", "mentoring:home_coordinator", None),
        ("mentor", "mentoring:home_mentor", None),
        ("mentee", "mentoring:home_mentee", None),
        ("coordinator", "programs:detail", "program"),
        ("coordinator", "mentoring:person_detail", "mentor"),
    ],
)
def test_query_count_does_not_grow_with_data(
    persona, url_name, args, personas, client_for, django_assert_max_num_queries
):
    client = client_for(personas.user(persona))
    arg = {"program": lambda: [personas.program.pk], "mentor": lambda: [personas.mentor.pk], None: lambda: None}[args]
    url = reverse(url_name, args=arg())
    _grow(personas, 2)
    snapshots_refresh()  # stored figures and signals, as beat keeps them
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    _grow(personas, 20)
    snapshots_refresh()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_mentee_home_shows_the_check_in_streak_and_whether_one_is_due(personas, client_for):
    """A weekly goal started two weeks before this one, checked in on the Wednesday of
    each of those two weeks but not yet this week: a 2-week streak, and a check-in is due."""
    mentee = personas.match.mentee
    mentee.user.time_zone = "UTC"
    mentee.user.save()
    today = timezone.now().astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday())
    goal = GoalFactory(mentee=mentee, started_on=monday - timedelta(weeks=2), title="Walk daily")
    for weeks_back in (2, 1):
        wednesday = monday - timedelta(weeks=weeks_back) + timedelta(days=2)
        checkin = CheckInFactory(mentee=mentee, created_at=datetime.combine(wednesday, time(12), tzinfo=UTC))
        GoalProgressFactory(goal=goal, checkin=checkin)

    response = client_for(personas.mentee).get(reverse("mentoring:home_mentee"))

    assert response.context["checkin_due"] is True
    body = response.content.decode()
    assert "Check in now — it's due" in body
    assert "You have checked in 2 weeks in a row." in body
    assert "2-week streak" in body
