"""The coordinator's key figures (mentoring/insights/dashboard.py and the coordinator
home): every figure checked against a count done by hand on a few rows made
for the test, with their times set explicitly.

Most tests read the figures at a fixed moment, NOW, in UTC; the page tests
place their rows with Periods in the coordinator's own time zone."""

import re
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.models import Goal
from mentoring.insights.dashboard import Figures, Periods, program_figures, total
from mentoring.insights.snapshots import snapshots_refresh
from mentoring.models import Delivery, Match
from programs.models import BackgroundCheck, Program
from programs.services import completion_confirm
from tests.factories import (
    BackgroundCheckFactory,
    CheckInFactory,
    DeliveryFactory,
    GoalFactory,
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgramFactory,
    SafetyAlertFactory,
    SessionFactory,
    TrainingModuleFactory,
)

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# A Wednesday in the middle of a month: this month is May 2024, last month is
# April, and the last four complete weeks run from Monday 15 April to Sunday 12 May.
NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)

ACTIVE, PAUSED, PROPOSED, CLOSED, DECLINED = (
    Match.Status.ACTIVE,
    Match.Status.PAUSED,
    Match.Status.PROPOSED,
    Match.Status.CLOSED,
    Match.Status.DECLINED,
)


@pytest.fixture(autouse=True)
def utc():
    """Figures are computed in the active time zone: make it UTC whatever ran before."""
    with timezone.override(UTC):
        yield


def at(*parts):
    return datetime(*parts, tzinfo=UTC)


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def figures_of(program, *, now=NOW):
    return program_figures(Program.objects.filter(pk=program.pk), now=now)[program.pk]


def ready_mentor(program, capacity=3):
    """A mentor of a program with the default rules (a cleared background check is all it asks)."""
    mentor = MentorProfileFactory(program=program, capacity=capacity)
    BackgroundCheckFactory(mentor=mentor)
    return mentor


def held(match, starts_at, minutes=60, status="completed"):
    return SessionFactory(match=match, starts_at=starts_at, duration_minutes=minutes, status=status)


# --- periods ------------------------------------------------------------------------------------------


def test_periods_are_months_and_the_last_four_complete_weeks():
    periods = Periods.around(NOW)
    assert (periods.last_month, periods.this_month, periods.next_month) == (
        at(2024, 4, 1),
        at(2024, 5, 1),
        at(2024, 6, 1),
    )
    assert periods.weeks == [
        (at(2024, 4, 15), at(2024, 4, 22)),
        (at(2024, 4, 22), at(2024, 4, 29)),
        (at(2024, 4, 29), at(2024, 5, 6)),
        (at(2024, 5, 6), at(2024, 5, 13)),
    ]


def test_periods_follow_the_viewers_time_zone():
    # 02:00 UTC on 1 June is still 31 May in New York.
    with timezone.override(NEW_YORK):
        periods = Periods.around(at(2024, 6, 1, 2))
    assert periods.this_month == datetime(2024, 5, 1, tzinfo=NEW_YORK)
    assert periods.next_month == datetime(2024, 6, 1, tzinfo=NEW_YORK)
    assert periods.weeks[-1] == (datetime(2024, 5, 20, tzinfo=NEW_YORK), datetime(2024, 5, 27, tzinfo=NEW_YORK))


# --- waiting ------------------------------------------------------------------------------------------


def test_waiting_counts_mentees_without_an_open_match():
    program = ProgramFactory()
    MenteeProfileFactory(program=program, joined_at=days_ago(10))  # never matched
    closed = MenteeProfileFactory(program=program, joined_at=days_ago(40))
    MatchFactory(program=program, mentee=closed, status=CLOSED, started_at=days_ago(35), ended_at=days_ago(5))
    declined = MenteeProfileFactory(program=program, joined_at=days_ago(3))
    MatchFactory(program=program, mentee=declined, status=DECLINED, ended_at=days_ago(2))
    # Held by an open match: not waiting, however long ago they joined.
    for status in (ACTIVE, PAUSED, PROPOSED):
        mentee = MenteeProfileFactory(program=program, joined_at=days_ago(100))
        MatchFactory(program=program, mentee=mentee, status=status, started_at=days_ago(90))
    rematched = MenteeProfileFactory(program=program, joined_at=days_ago(100))
    MatchFactory(program=program, mentee=rematched, status=CLOSED, started_at=days_ago(90), ended_at=days_ago(60))
    MatchFactory(program=program, mentee=rematched, status=ACTIVE, started_at=days_ago(50))
    # Someone waiting much longer in another program.
    MenteeProfileFactory(program=ProgramFactory(), joined_at=days_ago(300))

    figures = figures_of(program, now=None)

    assert figures.waiting == 3
    # The never-matched mentee: 10 days. The one whose match closed joined
    # 40 days ago but waits only since the close, 5 days ago.
    assert figures.longest_wait_days == 10


def test_a_proposal_declined_without_an_end_date_does_not_reset_the_wait():
    """PostgreSQL sorts a missing end date first when sorting newest first: the
    close 7 days ago, not the joining 200 days ago, is when the wait began."""
    program = ProgramFactory()
    mentee = MenteeProfileFactory(program=program, joined_at=days_ago(200))
    MatchFactory(program=program, mentee=mentee, status=CLOSED, started_at=days_ago(100), ended_at=days_ago(7))
    MatchFactory(program=program, mentee=mentee, status=DECLINED, ended_at=None)

    assert figures_of(program, now=None).longest_wait_days == 7


def test_a_mentee_whose_match_closed_waits_since_the_latest_close():
    program = ProgramFactory()
    mentee = MenteeProfileFactory(program=program, joined_at=days_ago(200))
    # The later match is created first, so that row order cannot pass for the latest end.
    latest = MatchFactory(program=program, mentee=mentee, status=CLOSED, started_at=days_ago(100), ended_at=days_ago(7))
    MatchFactory(program=program, mentee=mentee, status=CLOSED, started_at=days_ago(190), ended_at=days_ago(120))

    figures = figures_of(program, now=None)

    assert figures.waiting == 1
    assert figures.waiting_since == latest.ended_at
    assert figures.longest_wait_days == 7


def test_nobody_waiting_has_no_longest_wait():
    program = ProgramFactory()
    MatchFactory(program=program, started_at=days_ago(3))
    figures = figures_of(program)
    assert (figures.waiting, figures.waiting_since, figures.longest_wait_days) == (0, None, None)


# --- mentors and utilization --------------------------------------------------------------------------


def test_ready_and_not_ready_mentors_and_the_places_of_ready_ones():
    program = ProgramFactory(background_check_required=True)
    ready_mentor(program, capacity=3)
    ready_mentor(program, capacity=2)
    MentorProfileFactory(program=program, capacity=5)  # no background check
    expired = MentorProfileFactory(program=program, capacity=4)
    BackgroundCheckFactory(mentor=expired, expires_on=timezone.localdate() - timedelta(days=1))
    pending = MentorProfileFactory(program=program, capacity=6)
    BackgroundCheckFactory(mentor=pending, status=BackgroundCheck.Status.PENDING, checked_on=None)
    ready_mentor(ProgramFactory(), capacity=9)  # another program

    figures = figures_of(program)

    assert (figures.mentors_ready, figures.mentors_not_ready, figures.capacity) == (2, 3, 5)


def test_readiness_follows_the_programs_rules():
    """Required training must be confirmed; a program without background
    checks does not ask for one."""
    program = ProgramFactory(background_check_required=False)
    module = TrainingModuleFactory(program=program)
    trained = MentorProfileFactory(program=program, capacity=4)
    completion_confirm(mentor=trained, module=module, confirmed_by=None)
    MentorProfileFactory(program=program, capacity=7)  # training not confirmed

    figures = figures_of(program)

    assert (figures.mentors_ready, figures.mentors_not_ready, figures.capacity) == (1, 1, 4)


def test_utilization_is_the_open_caseload_over_the_places_of_ready_mentors():
    program = ProgramFactory()
    first, second = ready_mentor(program, capacity=3), ready_mentor(program, capacity=2)
    MentorProfileFactory(program=program, capacity=10)  # not ready: its places do not count
    for mentor, status in [
        (first, ACTIVE),
        (first, ACTIVE),
        (second, PAUSED),
        (second, PROPOSED),
        (first, CLOSED),
        (second, DECLINED),
    ]:
        MatchFactory(program=program, mentor=mentor, status=status)
    MatchFactory(program=ProgramFactory(), status=ACTIVE)

    figures = figures_of(program)

    assert (figures.active_matches, figures.paused_matches, figures.proposed_matches) == (2, 1, 1)
    assert (figures.caseload, figures.capacity) == (3, 5)
    assert figures.utilization == 60  # 3 of 5 places


def test_utilization_is_empty_without_any_ready_place():
    program = ProgramFactory()
    MatchFactory(program=program, status=ACTIVE)  # its mentor is not ready
    figures = figures_of(program)
    assert (figures.caseload, figures.capacity, figures.utilization) == (1, 0, None)


# --- sessions and hours -------------------------------------------------------------------------------


def test_sessions_and_hours_count_completed_meetings_this_and_last_month():
    program = ProgramFactory()
    match = MatchFactory(program=program)
    # This month (May 2024): two held, 60 + 90 minutes.
    held(match, at(2024, 5, 1), 60)  # the month's first moment
    held(match, at(2024, 5, 14, 18), 90)
    held(match, at(2024, 5, 6), status="missed")
    held(match, at(2024, 5, 7), status="cancelled")
    held(match, at(2024, 5, 8), status="scheduled")
    held(MatchFactory(program=ProgramFactory()), at(2024, 5, 10), 120)  # another program
    # Last month (April 2024): two held, 45 + 45 minutes.
    held(match, at(2024, 4, 1), 45)
    held(match, at(2024, 4, 30, 23, 59), 45)
    held(match, at(2024, 4, 12), status="missed")
    # Neither month.
    held(match, at(2024, 3, 31, 23, 59), 60)
    held(match, at(2024, 6, 1), 60)

    figures = figures_of(program)

    assert (figures.sessions_this_month, figures.minutes_this_month, figures.hours_this_month) == (2, 150, 2.5)
    assert (figures.sessions_last_month, figures.minutes_last_month, figures.hours_last_month) == (2, 90, 1.5)


def test_months_of_sessions_are_the_viewers_own():
    program = ProgramFactory()
    # 1 May 02:00 UTC is the evening of 30 April in New York.
    held(MatchFactory(program=program), at(2024, 5, 1, 2))
    assert (figures_of(program).sessions_this_month, figures_of(program).sessions_last_month) == (1, 0)
    with timezone.override(NEW_YORK):
        figures = figures_of(program)
    assert (figures.sessions_this_month, figures.sessions_last_month) == (0, 1)


# --- check-in adherence -------------------------------------------------------------------------------


def checkin(mentee, when):
    return CheckInFactory(mentee=mentee, created_at=when)


def test_checkin_adherence_over_the_last_four_complete_weeks():
    # Weeks: 15–21 April, 22–28 April, 29 April–5 May, 6–12 May.
    program = ProgramFactory()
    long_running = MatchFactory(program=program, started_at=at(2024, 4, 1))  # due in all 4 weeks
    for when in [
        at(2024, 4, 10),  # before the four weeks
        at(2024, 4, 16),  # week 1
        at(2024, 4, 17),  # week 1 again: one mentee-week
        at(2024, 5, 7),  # week 4
        at(2024, 5, 14),  # this week, not complete yet
    ]:
        checkin(long_running.mentee, when)
    # Started on Wednesday of week 2: due in weeks 2, 3 and 4.
    newer = MatchFactory(program=program, started_at=at(2024, 4, 24, 12))
    checkin(newer.mentee, at(2024, 4, 23))  # before the match started: does not count
    checkin(newer.mentee, at(2024, 4, 30))  # week 3
    # Not due: paused, closed, not started, or another program's.
    for match in [
        MatchFactory(program=program, status=PAUSED, started_at=at(2024, 1, 1)),
        MatchFactory(program=program, status=CLOSED, started_at=at(2024, 1, 1), ended_at=at(2024, 4, 20)),
        MatchFactory(program=program, status=PROPOSED),
        MatchFactory(program=ProgramFactory(), started_at=at(2024, 1, 1)),
    ]:
        checkin(match.mentee, at(2024, 4, 16))

    figures = figures_of(program)

    assert (figures.checkin_weeks_made, figures.checkin_weeks_due) == (3, 7)
    assert figures.adherence == 43  # 3 of 7


def test_adherence_is_empty_when_no_week_is_due():
    program = ProgramFactory()
    match = MatchFactory(program=program, started_at=at(2024, 5, 13, 9))  # started this week
    checkin(match.mentee, at(2024, 5, 14))
    figures = figures_of(program)
    assert (figures.checkin_weeks_made, figures.checkin_weeks_due, figures.adherence) == (0, 0, None)


# --- goals, alerts, reminders -------------------------------------------------------------------------


def test_goals_achieved_this_month_last_month_and_in_all():
    program = ProgramFactory()
    mentee = MenteeProfileFactory(program=program)
    for closed_at in [at(2024, 5, 1), at(2024, 5, 14), at(2024, 4, 1), at(2024, 4, 30, 23, 59), at(2024, 3, 1)]:
        GoalFactory(mentee=mentee, status=Goal.Status.ACHIEVED, closed_at=closed_at)
    GoalFactory(mentee=mentee, status=Goal.Status.DROPPED, closed_at=at(2024, 5, 3))
    GoalFactory(mentee=mentee, status=Goal.Status.ACTIVE)
    GoalFactory(mentee=MenteeProfileFactory(program=ProgramFactory()), status=Goal.Status.ACHIEVED, closed_at=NOW)

    figures = figures_of(program)

    assert (figures.goals_achieved_this_month, figures.goals_achieved_last_month, figures.goals_achieved) == (2, 2, 5)


def test_open_alerts_and_dead_reminders():
    program, elsewhere = ProgramFactory(), ProgramFactory()
    mentee = MenteeProfileFactory(program=program)
    SafetyAlertFactory(mentee=mentee)
    SafetyAlertFactory(mentee=MenteeProfileFactory(program=program), kind="craving")
    SafetyAlertFactory(mentee=mentee, acknowledged_at=NOW)
    SafetyAlertFactory(mentee=MenteeProfileFactory(program=elsewhere))
    for status in ["dead", "dead", "failed", "sent", "pending"]:
        DeliveryFactory(program=program, status=status)
    DeliveryFactory(program=elsewhere, status=Delivery.Status.DEAD)
    DeliveryFactory(program=None, status=Delivery.Status.DEAD)

    figures = figures_of(program)

    assert (figures.open_alerts, figures.dead_reminders) == (2, 2)


# --- several programs ---------------------------------------------------------------------------------


def populate(program, n):
    """n of everything, in the middle of May 2024."""
    for i in range(n):
        MenteeProfileFactory(program=program, joined_at=NOW - timedelta(days=10 * n + i))
        mentor = ready_mentor(program, capacity=2)
        match = MatchFactory(program=program, mentor=mentor, started_at=at(2024, 3, 1))
        MatchFactory(program=program, mentor=mentor, status=PAUSED)
        held(match, at(2024, 5, 10), 30)
        held(match, at(2024, 4, 10), 60)
        checkin(match.mentee, at(2024, 5, 7))
        GoalFactory(mentee=match.mentee, status=Goal.Status.ACHIEVED, closed_at=at(2024, 5, 2))
        SafetyAlertFactory(mentee=match.mentee)
        DeliveryFactory(program=program, status=Delivery.Status.DEAD)
        MentorProfileFactory(program=program)  # not ready


def test_figures_of_several_programs_add_up():
    first, second = ProgramFactory(), ProgramFactory()
    populate(first, 1)
    populate(second, 2)

    figures = program_figures(Program.objects.filter(pk__in=[first.pk, second.pk]), now=NOW)
    overall = total(figures.values())

    one, two = figures[first.pk], figures[second.pk]
    assert (one.waiting, one.active_matches, one.sessions_this_month) == (1, 1, 1)
    assert (two.waiting, two.active_matches, two.sessions_this_month) == (2, 2, 2)
    for field in fields(Figures):
        mine = getattr(overall, field.name)
        if field.name == "waiting_since":
            assert mine == min(one.waiting_since, two.waiting_since)
        else:
            assert mine == getattr(one, field.name) + getattr(two, field.name), field.name
    assert (overall.waiting, overall.mentors_ready, overall.mentors_not_ready, overall.capacity) == (3, 3, 3, 6)
    assert (overall.active_matches, overall.paused_matches, overall.caseload, overall.utilization) == (3, 3, 6, 100)
    assert (overall.sessions_this_month, overall.hours_this_month) == (3, 1.5)
    assert (overall.sessions_last_month, overall.hours_last_month) == (3, 3.0)
    assert (overall.checkin_weeks_made, overall.checkin_weeks_due, overall.adherence) == (3, 12, 25)
    assert (overall.goals_achieved_this_month, overall.open_alerts, overall.dead_reminders) == (3, 3, 3)
    # The longest wait is the second program's oldest mentee: 21 days before NOW.
    assert overall.waiting_since == NOW - timedelta(days=21)


def test_figures_take_as_many_queries_for_many_programs_as_for_one():
    programs = [ProgramFactory() for _ in range(3)]
    for program in programs:
        populate(program, 1)
    with CaptureQueriesContext(connection) as one:
        program_figures(Program.objects.filter(pk=programs[0].pk), now=NOW)
    with CaptureQueriesContext(connection) as three:
        program_figures(Program.objects.filter(pk__in=[p.pk for p in programs]), now=NOW)
    assert len(three) == len(one)


# --- the coordinator home -----------------------------------------------------------------------------


def kpis(response):
    """{data-kpi name: the figure shown}."""
    return dict(re.findall(r'data-kpi="([a-z-]+)">([^<]*)<', response.content.decode()))


@pytest.fixture
def second_program(personas):
    """The coordinator also runs Program C. Rows are placed in the
    coordinator's own months and weeks (New York)."""
    with timezone.override(NEW_YORK):
        periods = Periods.around()
    # Program A: the mentor is ready (3 places), the other mentor is not; one meeting this month.
    BackgroundCheckFactory(mentor=personas.match.mentor)
    held(personas.match, periods.this_month + timedelta(hours=10))
    # Program C: a ready mentor with 2 places and one active match, a mentee waiting 12 days.
    program = ProgramFactory(name="Program C", coordinators=[personas.coordinator])
    match = MatchFactory(program=program, mentor=ready_mentor(program, capacity=2), started_at=days_ago(60))
    MenteeProfileFactory(program=program, joined_at=days_ago(12))
    held(match, periods.this_month + timedelta(hours=12), 90)
    held(match, periods.last_month + timedelta(hours=10))
    held(match, periods.last_month + timedelta(days=3))
    checkin(match.mentee, periods.weeks[0][0] + timedelta(days=2))
    checkin(match.mentee, periods.weeks[2][0] + timedelta(days=2))
    GoalFactory(mentee=match.mentee, status=Goal.Status.ACHIEVED, closed_at=periods.this_month + timedelta(hours=9))
    DeliveryFactory(program=program, status=Delivery.Status.DEAD)
    # Program B is someone else's: none of this counts.
    held(MatchFactory(program=personas.other_program), periods.this_month + timedelta(hours=10))
    DeliveryFactory(program=personas.other_program, status=Delivery.Status.DEAD)
    return program


def test_coordinator_home_shows_the_figures_across_their_programs(personas, second_program, client_for):
    response = client_for(personas.coordinator).get(reverse("mentoring:home_coordinator"))

    assert response.status_code == 200
    assert kpis(response) == {
        "waiting": "1",
        "mentors-ready": "2",
        "mentors-not-ready": "1",
        "active-matches": "3",
        "utilization": "60%",  # 3 matches in 3 + 2 places
        "sessions-this-month": "2",
        "sessions-last-month": "2",
        "adherence": "50%",  # Program C: 2 of 4 weeks; Program A's matches have no start yet
        "goals-achieved": "1",
        "dead-reminders": "1",
    }
    body = response.content.decode()
    assert "longest wait 12 days" in body
    assert "meetings held this month (2.5 h)" in body
    rows = {program.name: figures for program, figures in response.context["per_program"]}
    assert set(rows) == {"Program A", "Program C"}
    assert 'data-testid="per-program"' in body


def test_coordinator_home_shows_one_programs_figures_when_chosen(personas, second_program, client_for):
    url = reverse("mentoring:home_coordinator")
    response = client_for(personas.coordinator).get(url, {"program": personas.program.pk})

    assert response.status_code == 200
    assert response.context["chosen"] == personas.program
    assert kpis(response) == {
        "waiting": "0",
        "mentors-ready": "1",
        "mentors-not-ready": "1",
        "active-matches": "2",
        "utilization": "67%",  # 2 matches in 3 places
        "sessions-this-month": "1",
        "sessions-last-month": "0",
        "adherence": "–",
        "goals-achieved": "0",
        "dead-reminders": "0",
    }
    assert 'data-testid="per-program"' not in response.content.decode()

    response = client_for(personas.coordinator).get(url, {"program": second_program.pk})
    assert kpis(response)["waiting"] == "1"
    assert kpis(response)["utilization"] == "50%"  # 1 match in 2 places


def test_coordinator_home_refuses_another_coordinators_program(personas, client_for):
    response = client_for(personas.coordinator).get(
        reverse("mentoring:home_coordinator"), {"program": personas.other_program.pk}
    )
    assert response.status_code == 404


def test_coordinator_home_chart_shows_the_last_six_months_or_says_there_is_nothing(personas, client_for):
    client = client_for(personas.coordinator)
    url = reverse("mentoring:home_coordinator")

    empty = client.get(url)
    assert empty.context["chart"] == ""
    assert "No meetings logged in the last six months." in empty.content.decode()
    assert [row[1] for row in empty.context["months"]] == [0] * 6

    SessionFactory(
        match=personas.match,
        status="completed",
        duration_minutes=90,
        starts_at=timezone.now() - timedelta(minutes=1),
    )
    snapshots_refresh()  # the chart is stored: beat refreshes it every minute
    response = client.get(url)
    assert [row[1:3] for row in response.context["months"]] == [[0, 0.0]] * 5 + [[1, 1.5]]
    assert "<svg" in response.context["chart"] and "No meetings logged" not in response.content.decode()
