"""Reports (mentoring/insights/reports.py and /reports/): each of the eight built on a
few rows made for the test, with the numbers worked out by hand; the
program, mentor and date filters; bad input answered next to the field (never
a 500); the streamed CSV export and its record.

Report functions are read in UTC; the pages in the coordinator's own zone
(New York)."""

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.models import Assessment, Goal, Instrument
from mentoring.insights.reports import REPORTS, Scope
from mentoring.models import Match, ReportExport
from tests.factories import (
    CategoryFactory,
    CheckInFactory,
    GoalFactory,
    GroupSessionFactory,
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgramFactory,
    RegistrationFactory,
    ResourceFactory,
    SessionFactory,
    ShareFactory,
    SkillFactory,
    TopCategoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
CLOSED, PAUSED, PROPOSED = Match.Status.CLOSED, Match.Status.PAUSED, Match.Status.PROPOSED


@pytest.fixture(autouse=True)
def utc():
    with timezone.override(UTC):
        yield


def at(*parts, zone=UTC):
    return datetime(*parts, tzinfo=zone)


def noon(year, month, day):
    """Midday UTC: the same date in New York."""
    return at(year, month, day, 12)


def scope(*programs, start=date(2024, 1, 1), end=date(2024, 3, 31), mentor=None):
    return Scope([program.pk for program in programs], start, end, mentor)


def build(slug, report_scope):
    return REPORTS[slug].build(report_scope)


def mentor_named(program, name):
    return MentorProfileFactory(program=program, user=UserFactory(full_name=name))


def held(match, starts_at, minutes=60, status="completed", **fields):
    return SessionFactory(match=match, starts_at=starts_at, duration_minutes=minutes, status=status, **fields)


# --- sessions and hours -------------------------------------------------------------------------------


@pytest.fixture
def sessions_data():
    """Ann meets two mentees, Ben one; January and February 2024."""
    program = ProgramFactory(name="Riverside")
    ann, ben = mentor_named(program, "Ann Alpha"), mentor_named(program, "Ben Beta")
    first = MatchFactory(program=program, mentor=ann)
    second = MatchFactory(program=program, mentor=ann, status=CLOSED)
    third = MatchFactory(program=program, mentor=ben)
    held(first, noon(2024, 1, 5), 60)
    held(first, noon(2024, 1, 19), 30)
    held(second, noon(2024, 1, 10), status="missed", missed_by="mentee")
    held(third, noon(2024, 1, 12), status="cancelled")
    held(first, noon(2024, 1, 26), status="scheduled")  # not an outcome yet
    held(second, noon(2024, 2, 2), 90)
    held(third, noon(2024, 2, 9), 60)
    # Outside the range, or another program's.
    held(first, at(2023, 12, 31, 23, 59), 60)
    held(first, at(2024, 4, 1), 60)
    held(MatchFactory(program=ProgramFactory()), noon(2024, 1, 10), 60)
    return program, ann, ben


def test_sessions_report_counts_held_hours_missed_and_cancelled_per_month(sessions_data):
    program, _, _ = sessions_data
    table = build("sessions", scope(program))
    assert table.columns == ["Month", "Sessions held", "Hours", "Missed", "Cancelled", "Mentors meeting", "Mentees met"]
    assert table.rows == [
        ["Jan 2024", 2, 1.5, 1, 1, 1, 1],
        ["Feb 2024", 2, 2.5, 0, 0, 2, 2],
        ["Mar 2024", 0, 0.0, 0, 0, 0, 0],  # a month without meetings shows as zero
    ]


def test_sessions_report_for_one_mentor(sessions_data):
    program, _, ben = sessions_data
    assert build("sessions", scope(program, mentor=ben)).rows == [
        ["Jan 2024", 0, 0.0, 0, 1, 0, 0],
        ["Feb 2024", 1, 1.0, 0, 0, 1, 1],
        ["Mar 2024", 0, 0.0, 0, 0, 0, 0],
    ]


def test_sessions_export_has_one_line_per_mentor_per_month(sessions_data):
    program, _, _ = sessions_data
    header, rows = REPORTS["sessions"].export(scope(program))
    assert header == ["Month", "Mentor", "Sessions held", "Hours", "Missed"]
    assert list(rows) == [
        ["2024-01", "Ann Alpha", 2, 1.5, 1],
        ["2024-01", "Ben Beta", 0, 0.0, 0],  # only a cancelled meeting
        ["2024-02", "Ann Alpha", 1, 1.5, 0],
        ["2024-02", "Ben Beta", 1, 1.0, 0],
    ]


# --- match outcomes -----------------------------------------------------------------------------------


def test_match_outcomes_reasons_length_and_retention():
    now = timezone.now()
    program = ProgramFactory()
    ann = MentorProfileFactory(program=program)

    def started(days, status=Match.Status.ACTIVE, ended=None, reason="", mentor=ann):
        return MatchFactory(
            program=program,
            mentor=mentor,
            status=status,
            started_at=now - timedelta(days=days),
            ended_at=None if ended is None else now - timedelta(days=ended),
            close_reason=reason,
        )

    started(300)  # active
    started(200, CLOSED, ended=20, reason="graduated")  # lasted 180 days
    started(150, CLOSED, ended=130, reason="disengaged", mentor=MentorProfileFactory(program=program))  # 20 days
    started(100, CLOSED, ended=40, reason="disengaged")  # 60 days
    started(60, PAUSED)
    started(10)  # too young for any retention figure
    # Not in the report: never started, started before the range, another program.
    MatchFactory(program=program, mentor=ann, status=PROPOSED)
    started(500, CLOSED, ended=450, reason="moved")
    MatchFactory(program=ProgramFactory(), started_at=now - timedelta(days=100))
    # Mentees who left the program (issue 17): two in the range; one before it, one elsewhere.
    MenteeProfileFactory(program=program, exit_reason="graduated", exited_on=(now - timedelta(days=20)).date())
    MenteeProfileFactory(program=program, exit_reason="moved", exited_on=(now - timedelta(days=3)).date())
    MenteeProfileFactory(program=program, exit_reason="withdrew", exited_on=(now - timedelta(days=450)).date())
    MenteeProfileFactory(exit_reason="lost_contact", exited_on=(now - timedelta(days=3)).date())
    # Program retention: one joined 100 days ago and stays; one joined 200 days ago and left after 50.
    MenteeProfileFactory(program=program, joined_at=now - timedelta(days=100))
    MenteeProfileFactory(
        program=program,
        joined_at=now - timedelta(days=200),
        exit_reason="other",
        exited_on=(now - timedelta(days=150)).date(),
    )
    report_scope = scope(program, start=(now - timedelta(days=400)).date(), end=now.date())

    table = build("matches", report_scope)

    assert table.columns == ["Measure", "Matches", "Percent"]
    assert table.rows == [
        ["Matches started", 6, None],
        ["Still active", 2, 33],
        ["Paused", 1, 17],
        ["Closed", 3, 50],
        ["Closed: Goals met / graduated", 1, 33],
        ["Closed: Mentee disengaged", 2, 67],
        ["Closed: Mentor unavailable", 0, 0],
        ["Closed: Conflict or boundary concern", 0, 0],
        ["Closed: Moved away", 0, 0],
        ["Closed: Other", 0, 0],
        ["Average length of closed matches (days)", 87, None],  # (180 + 20 + 60) / 3
        # Old enough for 30 days: all but the 10-day one; the 20-day match did not last.
        ["Still together after 30 days (of 5 old enough)", 4, 80],
        # Old enough for 90 days: 300, 200, 150, 100; the 60-day and 20-day ones ended sooner.
        ["Still together after 90 days (of 4 old enough)", 2, 50],
        # Old enough for 180 days: 300 and 200 (ended on day 180 exactly).
        ["Still together after 180 days (of 2 old enough)", 2, 100],
        ["Mentees who left the program", 3, None],
        ["Left: Graduated", 1, 33],
        ["Left: Moved away", 1, 33],
        ["Left: Withdrew", 0, 0],
        ["Left: Lost contact", 0, 0],
        ["Left: Other", 1, 33],
        # Joined long enough ago: the 100-day and 200-day mentees; the second left on day 50.
        ["Mentees still in the program 30 days after joining (of 2)", 2, 100],
        ["Mentees still in the program 90 days after joining (of 2)", 1, 50],
        ["Mentees still in the program 180 days after joining (of 1)", 0, 0],
    ]
    labels, series = table.chart_data()
    assert labels[0] == "Closed: Goals met / graduated" and series == [("Matches", [1, 2, 0, 0, 0, 0])]

    # One mentor: the 150-day match was someone else's.
    rows = {row[0]: row[1:] for row in build("matches", replace(report_scope, mentor=ann)).rows}
    assert rows["Matches started"] == [5, None]
    assert rows["Closed: Mentee disengaged"] == [1, 50]
    assert rows["Average length of closed matches (days)"] == [120, None]  # (180 + 60) / 2


# --- goals --------------------------------------------------------------------------------------------


def test_goals_by_category_and_where_they_stand():
    program = ProgramFactory()
    mentee = MenteeProfileFactory(program=program)
    for category, status in [
        ("recovery", "achieved"),
        ("recovery", "achieved"),
        ("recovery", "active"),
        ("recovery", "dropped"),
        ("housing", "paused"),
        ("housing", "suggested"),
    ]:
        GoalFactory(mentee=mentee, category=category, status=status, created_at=noon(2024, 2, 1))
    GoalFactory(mentee=mentee, category="employment", created_at=at(2023, 12, 31, 23))  # before the range
    GoalFactory(mentee=MenteeProfileFactory(program=ProgramFactory()), created_at=noon(2024, 2, 1))

    table = build("goals", scope(program))

    assert table.columns == [
        "Category",
        "Goals set",
        "Achieved",
        "Active",
        "Paused",
        "Dropped",
        "Suggested",
        "Achieved %",
    ]
    assert table.rows == [
        ["Housing", 2, 0, 0, 1, 0, 1, 0],
        ["Recovery", 4, 2, 1, 0, 1, 0, 50],
    ]


def test_goals_for_one_mentor_are_those_of_their_mentees():
    program = ProgramFactory()
    match = MatchFactory(program=program)
    GoalFactory(mentee=match.mentee, status=Goal.Status.ACHIEVED, created_at=noon(2024, 1, 10))
    GoalFactory(mentee=MatchFactory(program=program).mentee, created_at=noon(2024, 1, 10))
    assert build("goals", scope(program, mentor=match.mentor)).rows == [["Recovery", 1, 1, 0, 0, 0, 0, 100]]


def test_goals_for_one_mentor_leave_out_mentees_who_declined_them():
    """A declined proposal is not a match: the mentee's goals belong to the
    mentor they went on to work with, not to the one they declined."""
    program = ProgramFactory()
    ann, ben = MentorProfileFactory(program=program), MentorProfileFactory(program=program)
    mentee = MenteeProfileFactory(program=program)
    MatchFactory(program=program, mentor=ann, mentee=mentee, status=Match.Status.DECLINED, ended_at=noon(2024, 1, 3))
    MatchFactory(program=program, mentor=ben, mentee=mentee, started_at=noon(2024, 1, 5))
    GoalFactory(mentee=mentee, created_at=noon(2024, 1, 10))

    assert build("goals", scope(program, mentor=ben)).rows == [["Recovery", 1, 0, 1, 0, 0, 0, 0]]
    assert build("goals", scope(program, mentor=ann)).rows == []


# --- check-in adherence -------------------------------------------------------------------------------


@pytest.fixture
def checkins_data():
    """January and February 2024 (1 January is a Monday)."""
    program = ProgramFactory()
    # Due every week: 5 in January, 4 in February.
    steady = MatchFactory(program=program, started_at=at(2023, 12, 1))
    # Started Wednesday 10 January, closed Wednesday 7 February: due in the
    # weeks of 8, 15, 22 and 29 January and 5 February.
    closed = MatchFactory(program=program, status=CLOSED, started_at=noon(2024, 1, 10), ended_at=noon(2024, 2, 7))
    paused = MatchFactory(program=program, status=PAUSED, started_at=at(2023, 12, 1))
    MatchFactory(program=program, status=PROPOSED)
    for mentee, day, mood in [
        (steady.mentee, (2024, 1, 2), 2),
        (steady.mentee, (2024, 1, 3), 4),  # the same week as 2 January
        (steady.mentee, (2024, 1, 16), 3),
        (steady.mentee, (2024, 2, 6), 5),
        (steady.mentee, (2024, 2, 27), 4),
        (closed.mentee, (2024, 1, 9), 3),  # before the match started
        (closed.mentee, (2024, 1, 11), 4),
        (closed.mentee, (2024, 2, 6), 3),
        (closed.mentee, (2024, 2, 14), 4),  # after it closed
        (paused.mentee, (2024, 1, 5), 2),  # paused: counted as a check-in, no week is due
    ]:
        CheckInFactory(mentee=mentee, created_at=noon(*day), mood=mood)
    CheckInFactory(mentee=MatchFactory(program=ProgramFactory()).mentee, created_at=noon(2024, 1, 5), mood=1)
    return program, closed


def test_checkin_adherence_per_month(checkins_data):
    program, _ = checkins_data
    table = build("checkins", scope(program, end=date(2024, 2, 29)))
    assert table.columns == [
        "Month",
        "Mentee-weeks due",
        "Weeks with a check-in",
        "Adherence %",
        "Check-ins",
        "Average mood (1–5)",
    ]
    assert table.rows == [
        # Due 5 + 4; made: the steady mentee in 2 weeks, the other in 1.
        ["Jan 2024", 9, 3, 33, 6, 3.0],
        # Due 4 + 1; made 2 + 1.
        ["Feb 2024", 5, 3, 60, 4, 4.0],
    ]


def test_checkin_adherence_for_one_mentor(checkins_data):
    program, closed = checkins_data
    assert build("checkins", scope(program, end=date(2024, 2, 29), mentor=closed.mentor)).rows == [
        ["Jan 2024", 4, 1, 25, 2, 3.5],
        ["Feb 2024", 1, 1, 100, 2, 3.5],
    ]


# --- recovery capital ---------------------------------------------------------------------------------


def assess(mentee, *entries):
    instrument, _ = Instrument.objects.get_or_create(name="Recovery capital")
    for taken_at, score in entries:
        Assessment.objects.create(mentee=mentee, instrument=instrument, taken_at=taken_at, score=score)


def test_recovery_capital_pairs_intake_with_latest():
    first, second = ProgramFactory(name="Alder"), ProgramFactory(name="Birch")
    improved, declined, single, same, later = (MenteeProfileFactory(program=first) for _ in range(5))
    assess(improved, (noon(2023, 10, 1), 40), (noon(2023, 12, 1), 50), (noon(2024, 2, 1), 60))
    assess(declined, (noon(2023, 11, 1), 70), (noon(2024, 1, 15), 55))
    assess(single, (noon(2024, 1, 20), 10))  # one assessment: nothing to pair
    assess(same, (noon(2023, 9, 1), 45), (noon(2024, 3, 1), 45))
    assess(later, (noon(2024, 1, 5), 30), (noon(2024, 4, 2), 80))  # latest after the range
    assess(MenteeProfileFactory(program=second), (noon(2023, 6, 1), 21), (noon(2024, 2, 10), 40))
    assess(MenteeProfileFactory(program=ProgramFactory()), (noon(2023, 6, 1), 10), (noon(2024, 2, 10), 90))

    assert build("recovery-capital", scope(first)).rows == [
        # Intake (40 + 70 + 45) / 3, latest (60 + 55 + 45) / 3.
        ["Alder", 3, 51.7, 53.3, 1.7, 1, 1, 1],
    ]
    assert build("recovery-capital", scope(first, second)).rows == [
        ["Alder", 3, 51.7, 53.3, 1.7, 1, 1, 1],
        ["Birch", 1, 21.0, 40.0, 19.0, 1, 0, 0],
        # (40 + 70 + 45 + 21) / 4 against (60 + 55 + 45 + 40) / 4.
        ["All programs", 4, 44.0, 50.0, 6.0, 2, 1, 1],
    ]


def test_recovery_capital_for_one_mentor():
    program = ProgramFactory(name="Alder")
    match = MatchFactory(program=program)
    assess(match.mentee, (noon(2023, 10, 1), 30), (noon(2024, 2, 1), 50))
    assess(MatchFactory(program=program).mentee, (noon(2023, 10, 1), 90), (noon(2024, 2, 1), 10))
    assert build("recovery-capital", scope(program, mentor=match.mentor)).rows == [
        ["Alder", 1, 30.0, 50.0, 20.0, 1, 0, 0]
    ]


# --- skills -------------------------------------------------------------------------------------------


def test_skills_practised_one_on_one_and_in_groups():
    program = ProgramFactory(name="Alder")
    breathing, budgeting, journaling = (
        SkillFactory(program=program, name=n) for n in ("Breathing", "Budgeting", "Journaling")
    )
    SkillFactory(program=program, name="Unused")
    ann = MentorProfileFactory(program=program)
    first, second = MatchFactory(program=program, mentor=ann), MatchFactory(program=program)
    held(first, noon(2024, 1, 5), skills=[breathing, budgeting])
    held(second, noon(2024, 1, 6), skills=[breathing])
    held(first, noon(2024, 2, 5), skills=[breathing])
    held(first, noon(2024, 2, 6), status="missed", skills=[breathing, journaling])  # not held
    held(first, noon(2023, 12, 5), skills=[budgeting, journaling])  # before the range
    GroupSessionFactory(program=program, skill=budgeting, starts_at=noon(2024, 1, 20))
    GroupSessionFactory(program=program, skill=journaling, starts_at=noon(2024, 3, 20))
    GroupSessionFactory(program=program, skill=journaling, starts_at=noon(2024, 3, 21), status="cancelled")
    GroupSessionFactory(program=program, skill=breathing, starts_at=noon(2024, 4, 20))  # after the range
    other = ProgramFactory()
    held(MatchFactory(program=other), noon(2024, 1, 5), skills=[SkillFactory(program=other, name="Breathing")])

    table = build("skills", scope(program))

    assert table.columns == ["Skill", "Program", "Times practised one-on-one", "Mentees", "Group sessions on it"]
    assert table.rows == [
        ["Breathing", "Alder", 3, 2, 0],
        ["Budgeting", "Alder", 1, 1, 1],
        ["Journaling", "Alder", 0, 0, 1],
    ]
    one_on_one = [row[:4] for row in build("skills", scope(program, mentor=ann)).rows if row[2]]
    assert one_on_one == [["Breathing", "Alder", 2, 1], ["Budgeting", "Alder", 1, 1]]


# --- group attendance ---------------------------------------------------------------------------------


def test_group_attendance_per_month():
    program = ProgramFactory()
    facilitator = UserFactory()
    first = GroupSessionFactory(program=program, starts_at=noon(2024, 1, 10), facilitators=[facilitator])
    for status, attendance in [
        ("registered", "attended"),
        ("registered", "no_show"),
        ("registered", ""),  # not marked yet
        ("waitlisted", ""),
        ("cancelled", ""),
    ]:
        RegistrationFactory(group_session=first, status=status, attendance=attendance)
    second = GroupSessionFactory(program=program, starts_at=noon(2024, 1, 20))
    RegistrationFactory(group_session=second, attendance="attended")
    RegistrationFactory(group_session=second, attendance="excused")
    cancelled = GroupSessionFactory(program=program, starts_at=noon(2024, 1, 25), status="cancelled")
    RegistrationFactory(group_session=cancelled, attendance="attended")
    GroupSessionFactory(program=program, starts_at=noon(2024, 2, 5), facilitators=[facilitator])  # nobody came
    GroupSessionFactory(program=program, starts_at=noon(2024, 4, 1))  # after the range
    RegistrationFactory(group_session=GroupSessionFactory(program=ProgramFactory(), starts_at=noon(2024, 1, 15)))

    table = build("groups", scope(program))

    assert table.rows == [
        # Attendance of the marked: 2 attended of 4 marked.
        ["Jan 2024", 2, 5, 2, 1, 1, 50],
        ["Feb 2024", 1, 0, 0, 0, 0, None],
    ]
    mentor = MentorProfileFactory(program=program, user=facilitator)
    assert build("groups", scope(program, mentor=mentor)).rows == [
        ["Jan 2024", 1, 3, 1, 1, 0, 50],
        ["Feb 2024", 1, 0, 0, 0, 0, None],
    ]


# --- referral outcomes --------------------------------------------------------------------------------


def test_referral_outcomes_by_area():
    program = ProgramFactory()
    housing, work = TopCategoryFactory(name="Housing"), TopCategoryFactory(name="Employment")
    recovery_housing = ResourceFactory(program=program, category=CategoryFactory(parent=housing, name="Recovery"))
    shelter = ResourceFactory(program=program, category=CategoryFactory(parent=housing, name="Shelters"))
    training = ResourceFactory(program=program, category=CategoryFactory(parent=work, name="Job training"))
    mentee = MenteeProfileFactory(program=program)
    ann = UserFactory()

    def refer(resource, followup, created_at=None, is_referral=True, shared_by=None):
        ShareFactory(
            mentee=mentee,
            resource=resource,
            followup=followup,
            is_referral=is_referral,
            created_at=created_at or noon(2024, 2, 1),
            shared_by=shared_by or UserFactory(),
        )

    refer(recovery_housing, "yes", shared_by=ann)
    refer(recovery_housing, "not_yet", shared_by=ann)
    refer(recovery_housing, "")
    refer(shelter, "yes")
    refer(training, "didnt_help", shared_by=ann)
    refer(training, "yes")
    refer(training, "yes", is_referral=False)  # shared, not referred
    refer(shelter, "yes", created_at=noon(2023, 12, 1))  # before the range
    other = MenteeProfileFactory(program=ProgramFactory())
    ShareFactory(mentee=other, is_referral=True, followup="yes", created_at=noon(2024, 2, 1))

    table = build("referrals", scope(program))

    assert table.columns == ["Area", "Referrals", "Connected", "Not yet", "Didn't help", "No answer yet", "Connected %"]
    assert table.rows == [
        ["Housing", 4, 2, 1, 0, 1, 50],
        ["Employment", 2, 1, 0, 1, 0, 50],
    ]
    mentor = MentorProfileFactory(program=program, user=ann)
    assert build("referrals", scope(program, mentor=mentor)).rows == [
        ["Housing", 2, 1, 1, 0, 0, 50],
        ["Employment", 1, 0, 0, 1, 0, 0],
    ]


# --- the pages ----------------------------------------------------------------------------------------


def report_url(slug="sessions"):
    return reverse("mentoring:report", args=[slug])


def export_url(slug="sessions"):
    return reverse("mentoring:report_export", args=[slug])


@pytest.fixture
def program_c(personas):
    """The coordinator also runs Program C."""
    return ProgramFactory(name="Program C", coordinators=[personas.coordinator])


def test_the_program_filter(personas, program_c, client_for):
    for program, category in [(personas.program, "recovery"), (personas.program, "recovery"), (program_c, "housing")]:
        GoalFactory(mentee=MenteeProfileFactory(program=program), category=category, created_at=noon(2024, 2, 1))
    GoalFactory(mentee=MenteeProfileFactory(program=personas.other_program), created_at=noon(2024, 2, 1))
    client = client_for(personas.coordinator)
    dates = {"start": "2024-01-01", "end": "2024-03-31"}

    every = client.get(report_url("goals"), dates)
    only_a = client.get(report_url("goals"), {**dates, "program": personas.program.pk})

    assert [row[:2] for row in every.context["table"].rows] == [["Housing", 1], ["Recovery", 2]]
    assert [row[:2] for row in only_a.context["table"].rows] == [["Recovery", 2]]
    assert client.get(report_url("goals"), {**dates, "program": personas.other_program.pk}).status_code == 404


def test_the_mentor_filter(personas, client_for):
    held(personas.match, noon(2024, 1, 10), 60)
    held(personas.other_match, noon(2024, 1, 11), 30)
    response = client_for(personas.coordinator).get(
        report_url(), {"start": "2024-01-01", "end": "2024-01-31", "mentor": personas.match.mentor.pk}
    )
    assert response.status_code == 200
    assert response.context["table"].rows == [["Jan 2024", 1, 1.0, 0, 0, 1, 1]]


def test_the_date_range_is_whole_days_in_the_coordinators_zone(personas, client_for):
    for when in [
        at(2023, 12, 31, 23, 59, zone=NEW_YORK),  # already 1 January in UTC
        at(2024, 1, 1, 0, 0, zone=NEW_YORK),
        at(2024, 1, 31, 23, 30, zone=NEW_YORK),
        at(2024, 2, 1, 0, 0, zone=NEW_YORK),
    ]:
        held(personas.match, when)
    response = client_for(personas.coordinator).get(report_url(), {"start": "2024-01-01", "end": "2024-01-31"})
    assert response.context["table"].rows == [["Jan 2024", 2, 2.0, 0, 0, 1, 1]]


def test_the_default_range_is_the_last_six_months(personas, client_for):
    response = client_for(personas.coordinator).get(report_url())
    form = response.context["form"]
    with timezone.override(NEW_YORK):
        today = timezone.localdate()
    start = form.cleaned_data["start"]
    assert form.cleaned_data["end"] == today
    assert start.day == 1
    assert (today.year * 12 + today.month) - (start.year * 12 + start.month) == 5


# --- bad input ----------------------------------------------------------------------------------------

BAD_INPUT = [
    ({"start": "2024-03-01", "end": "2024-01-01"}, "end", "The end date must be on or after the start date."),
    ({"start": "2021-01-01", "end": "2024-01-05"}, "start", "Choose a range of at most three years."),
    ({"start": "2024-02-30", "end": "2024-03-31"}, "start", "Enter a valid date."),
    ({"start": "2024-01-01", "end": "next week"}, "end", "Enter a valid date."),
    ({"mentor": "abc"}, "mentor_q", "Choose a mentor of your programs."),
    ({"mentor": "9" * 40}, "mentor_q", "Choose a mentor of your programs."),
    ({"mentor": "9999999999999999999"}, "mentor_q", "Choose a mentor of your programs."),
    ({"mentor": "other_program_mentor"}, "mentor_q", "Choose a mentor of your programs."),
    ({"mentor": "program_c_mentor", "program": "program_a"}, "mentor_q", "This mentor is not in the chosen program."),
    ({"mentor_q": "nobody at all"}, "mentor_q", "No mentor of your programs matches this name or ID."),
    ({"mentor_q": "9" * 30}, "mentor_q", "No mentor of your programs matches this name or ID."),
    ({"mentor_q": "x" * 101}, "mentor_q", "Ensure this value has at most 100 characters"),
]


def resolve(query, personas, program_c):
    values = {
        "other_program_mentor": personas.other_program.mentor_profiles.get().pk,
        "program_c_mentor": MentorProfileFactory(program=program_c).pk,
        "program_a": personas.program.pk,
    }
    return {key: values.get(value, value) for key, value in query.items()}


@pytest.mark.parametrize("query, field, message", BAD_INPUT)
def test_bad_input_is_answered_next_to_the_field(query, field, message, personas, program_c, client_for):
    held(personas.match, noon(2024, 1, 10))
    response = client_for(personas.coordinator).get(report_url(), resolve(query, personas, program_c))

    assert response.status_code == 200
    assert response.context["table"] is None
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    body = response.content.decode()
    assert f'id="error_1_id_{field}"' in body  # crispy puts the message under the field
    assert 'data-testid="report-table"' not in body
    assert 'data-testid="csv-export"' not in body


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_exactly_three_years_is_allowed(slug, personas, client_for):
    response = client_for(personas.coordinator).get(report_url(slug), {"start": "2021-01-01", "end": "2024-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert response.context["table"] is not None


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_every_report_answers_bad_dates_without_a_table(slug, personas, client_for):
    response = client_for(personas.coordinator).get(report_url(slug), {"start": "2024-03-01", "end": "yesterday"})
    assert response.status_code == 200
    assert response.context["table"] is None
    assert "end" in response.context["form"].errors


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_a_range_at_the_end_of_the_calendar_never_fails_the_page(slug, personas, client_for):
    """31 December 9999 is a date the form accepts: the report must answer it
    (with a table or an error next to the field), not fail."""
    response = client_for(personas.coordinator).get(report_url(slug), {"start": "9999-12-01", "end": "9999-12-31"})
    assert response.status_code == 200
    assert response.context["form"].errors or response.context["table"] is not None


def test_a_range_at_the_start_of_the_calendar_never_fails_the_page(personas, client_for):
    """1 January of year 1 in Tokyo is still year 0 in UTC."""
    personas.coordinator.time_zone = "Asia/Tokyo"
    personas.coordinator.save()
    response = client_for(personas.coordinator).get(report_url(), {"start": "0001-01-01", "end": "0001-01-31"})
    assert response.status_code == 200
    assert response.context["form"].errors or response.context["table"] is not None


def test_an_export_with_bad_input_is_refused_and_not_recorded(personas, client_for):
    response = client_for(personas.coordinator).get(export_url(), {"start": "2024-03-01", "end": "2024-01-01"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not ReportExport.objects.exists()


# --- exports ------------------------------------------------------------------------------------------


def read_csv(response):
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads UTF-8 (issue 17)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def as_csv_cells(row):
    return ["" if cell is None else str(cell) for cell in row]


@pytest.mark.parametrize("slug", sorted(set(REPORTS) - {"sessions"}))
def test_an_export_is_the_table_as_csv(slug, personas, client_for):
    GoalFactory(mentee=personas.match.mentee, created_at=noon(2024, 1, 10), status=Goal.Status.ACHIEVED)
    GoalFactory(mentee=personas.other_match.mentee, created_at=noon(2024, 2, 10), category="housing")
    CheckInFactory(mentee=personas.match.mentee, created_at=noon(2024, 1, 11), mood=4)
    MatchFactory(program=personas.program, status=CLOSED, started_at=noon(2024, 1, 2), ended_at=noon(2024, 2, 2))
    query = {"start": "2024-01-01", "end": "2024-03-31"}
    client = client_for(personas.coordinator)
    table = client.get(report_url(slug), query).context["table"]

    response = client.get(export_url(slug), query)

    assert response.status_code == 200
    lines = read_csv(response)
    assert lines[0] == table.columns
    assert lines[1:] == [as_csv_cells(row) for row in table.rows]
    assert response["Content-Disposition"] == f'attachment; filename="waypoint-{slug}-20240101-20240331.csv"'


def test_the_sessions_export_has_a_line_per_mentor_per_month(personas, client_for):
    held(personas.match, noon(2024, 1, 10), 90)
    held(personas.match, noon(2024, 2, 10), 60)
    held(personas.other_match, noon(2024, 2, 11), status="missed", missed_by="mentee")
    response = client_for(personas.coordinator).get(export_url(), {"start": "2024-01-01", "end": "2024-02-29"})
    assert read_csv(response) == [
        ["Month", "Mentor", "Sessions held", "Hours", "Missed"],
        ["2024-01", "Morgan Mentor", "1", "1.5", "0"],
        ["2024-02", "Morgan Mentor", "1", "1.0", "0"],
        ["2024-02", "Oscar Othermentor", "0", "0.0", "1"],
    ]


def test_an_export_is_recorded_with_who_what_and_which_filters(personas, client_for):
    mentor = personas.match.mentor
    query = {"start": "2024-01-01", "end": "2024-03-31", "program": personas.program.pk, "mentor": mentor.pk}
    response = client_for(personas.coordinator).get(export_url("goals"), query)
    assert response.status_code == 200
    read_csv(response)

    export = ReportExport.objects.get()
    assert (export.user, export.report, export.program, export.mentor) == (
        personas.coordinator,
        "goals",
        personas.program,
        mentor,
    )
    assert (export.start, export.end) == (date(2024, 1, 1), date(2024, 3, 31))


def test_an_export_of_all_programs_records_no_program(personas, client_for):
    client_for(personas.coordinator).get(export_url("matches"), {"start": "2024-01-01", "end": "2024-03-31"})
    export = ReportExport.objects.get()
    assert (export.report, export.program, export.mentor) == ("matches", None, None)


def test_a_formula_like_name_is_guarded_in_the_export(personas, client_for):
    mentor = personas.match.mentor.user
    mentor.full_name = '=HYPERLINK("http://evil.example","Click")'
    mentor.save()
    held(personas.match, noon(2024, 1, 10))
    response = client_for(personas.coordinator).get(export_url(), {"start": "2024-01-01", "end": "2024-01-31"})
    [_, line] = read_csv(response)
    assert line[1] == "'" + '=HYPERLINK("http://evil.example","Click")'


def test_the_reports_index_lists_recent_exports_of_my_programs_only(personas, client_for):
    span = {"start": date(2024, 1, 1), "end": date(2024, 3, 31)}
    colleague = UserFactory(full_name="Cleo Colleague")
    personas.program.coordinators.add(colleague)
    mine = ReportExport.objects.create(user=personas.coordinator, report="goals", program=personas.program, **span)
    colleagues = ReportExport.objects.create(user=colleague, report="checkins", program=personas.program, **span)
    my_all = ReportExport.objects.create(user=personas.coordinator, report="matches", program=None, **span)
    ReportExport.objects.create(
        user=personas.other_coordinator, report="skills", program=personas.other_program, **span
    )
    ReportExport.objects.create(user=personas.other_coordinator, report="groups", program=None, **span)

    response = client_for(personas.coordinator).get(reverse("mentoring:reports"))

    assert response.status_code == 200
    assert set(response.context["exports"]) == {mine, colleagues, my_all}
    body = response.content.decode()
    assert "Cleo Colleague" in body
    assert "Olive Othercoord" not in body
    for report in REPORTS.values():
        assert reverse("mentoring:report", args=[report.slug]) in body


def test_the_reports_index_lists_the_ten_latest_exports_newest_first(personas, client_for):
    start = timezone.now() - timedelta(days=30)
    exports = [
        ReportExport.objects.create(
            user=personas.coordinator,
            report="goals",
            program=personas.program,
            start=date(2024, 1, 1),
            end=date(2024, 1, 31),
            created_at=start + timedelta(days=n),
        )
        for n in range(12)
    ]
    response = client_for(personas.coordinator).get(reverse("mentoring:reports"))
    assert list(response.context["exports"]) == exports[::-1][:10]


def test_the_sessions_export_streams_a_month_at_a_time(personas, django_assert_num_queries):
    """The header goes out before any query; then one grouped query and the
    names, read as the lines go out; no query per line or per month (i18d;
    before, the whole year was read and sorted before the first byte)."""
    from mentoring.csv_stream import csv_lines

    for day in (10, 11, 12):
        held(personas.match, noon(2024, 1, day), 60)
        held(personas.other_match, noon(2024, 3, day), 30)
    header, rows = REPORTS["sessions"].export(scope(personas.program, personas.other_program))
    lines = csv_lines(header, rows)
    with django_assert_num_queries(0):
        assert next(lines).startswith("\ufeffMonth,Mentor")
    with django_assert_num_queries(2):  # the grouped query, then the names
        assert next(lines).startswith("2024-01,Morgan Mentor,3,3.0,0")
    with django_assert_num_queries(0):
        assert next(lines).startswith("2024-03,Oscar Othermentor,3,1.5,0")
        assert list(lines) == []
