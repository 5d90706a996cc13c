"""Needs attention (mentoring/insights/attention.py and /attention/): each signal
appears when its threshold is reached and not just short of it, the list is
ranked (safety first, then the longest-standing), every row links to the
action it names, and nothing of another program shows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.models import Assessment, Goal, Instrument
from mentoring.insights.attention import KINDS, load, signals
from mentoring.insights.snapshots import snapshots_refresh
from mentoring.models import Match, MatchSurvey
from mentoring.views.pages import PAGE_SIZE
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MatchFactory,
    MenteeProfileFactory,
    ProgramFactory,
    SafetyAlertFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    # Whole seconds: SQLite hands the union's times back to the millisecond.
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def program():
    # The defaults, stated: quiet after 14 days, first meeting due within 7.
    return ProgramFactory(inactivity_days=14, first_contact_days=7)


def ago(now, days):
    return now - timedelta(days=days)


def flagged(programs, now, kind=None):
    """{(kind, mentee id)} of the signals."""
    return {(row[2], row[3]) for row in signals(programs, kind=kind, now=now)}


def rows_of(programs, now, kind):
    return list(signals(programs, kind=kind, now=now))


def active_match(program, now, *, started=60, met=None):
    return MatchFactory(
        program=program,
        started_at=ago(now, started),
        first_met_at=None if met is None else ago(now, met),
    )


def session(match, now, days, status="completed", **fields):
    return SessionFactory(match=match, starts_at=ago(now, days), status=status, **fields)


def checkins(mentee, now, *entries):
    """entries: (days ago, mood, craving)."""
    for days, mood, craving in entries:
        CheckInFactory(mentee=mentee, created_at=ago(now, days), mood=mood, craving=craving)


def assess(mentee, now, *entries):
    instrument, _ = Instrument.objects.get_or_create(name="Recovery capital")
    for days, score in entries:
        Assessment.objects.create(mentee=mentee, instrument=instrument, taken_at=ago(now, days), score=score)


# --- one signal at a time -----------------------------------------------------------------------------


def test_an_unacknowledged_alert_appears_and_an_acknowledged_one_does_not(program, now):
    match = active_match(program, now)
    alert = SafetyAlertFactory(mentee=match.mentee, created_at=ago(now, 2))
    SafetyAlertFactory(mentee=MenteeProfileFactory(program=program), acknowledged_at=ago(now, 1))

    rows = rows_of([program], now, "alert")

    assert rows == [(0, alert.created_at, "alert", match.mentee_id, None, alert.pk, None)]
    # The row is about the mentee; loading it finds the mentee's open match.
    [item] = load(rows)
    assert (item.mentee, item.match) == (match.mentee, match)


def test_mood_falling_appears_at_a_one_point_fall(program, now):
    falling, near, too_few, too_old = (MenteeProfileFactory(program=program) for _ in range(4))
    checkins(falling, now, (30, 4, None), (20, 4, None), (5, 3, None), (2, 3, None))  # 4.0 → 3.0
    checkins(near, now, (30, 4, None), (20, 4, None), (5, 4, None), (2, 3, None))  # 4.0 → 3.5
    checkins(too_few, now, (30, 5, None), (20, 5, None), (2, 1, None))  # one recent check-in
    checkins(too_old, now, (60, 5, None), (57, 5, None), (5, 1, None), (2, 1, None))  # the earlier ones too old

    rows = rows_of([program], now, "mood_falling")

    assert [(row[3], row[1], row[6]) for row in rows] == [(falling.pk, ago(now, 2), 1.0)]


def test_craving_rising_appears_at_a_two_point_rise(program, now):
    rising, near = MenteeProfileFactory(program=program), MenteeProfileFactory(program=program)
    checkins(rising, now, (40, 3, 2), (20, 3, 2), (6, 3, 4), (1, 3, 4))  # 2 → 4
    checkins(near, now, (40, 3, 2), (20, 3, 2), (6, 3, 3), (1, 3, 4))  # 2 → 3.5

    rows = rows_of([program], now, "craving_rising")

    assert [(row[3], row[6]) for row in rows] == [(rising.pk, 2.0)]
    assert ("mood_falling", rising.pk) not in flagged([program], now)


def test_capital_falling_appears_at_a_ten_point_fall_in_a_recent_assessment(program, now):
    fell, near, stale, rose = (MenteeProfileFactory(program=program) for _ in range(4))
    assess(fell, now, (100, 60), (10, 50))
    assess(near, now, (100, 60), (10, 51))  # 9 points
    assess(stale, now, (200, 80), (91, 50))  # latest older than 90 days
    assess(rose, now, (100, 50), (10, 70))

    rows = rows_of([program], now, "capital_falling")

    assert [(row[3], row[1], row[6]) for row in rows] == [(fell.pk, ago(now, 10), 10.0)]


def test_no_contact_appears_after_the_programs_inactivity_days(program, now):
    quiet = active_match(program, now, met=50)
    session(quiet, now, 50)
    session(quiet, now, 15)
    session(quiet, now, 3, status="missed", missed_by="mentee")  # a missed meeting is not contact
    session(quiet, now, 2, status="cancelled")
    near = active_match(program, now, met=50)
    session(near, now, 50)
    session(near, now, 13)
    # A program that allows 30 quiet days.
    patient = ProgramFactory(inactivity_days=30)
    patient_match = active_match(patient, now, met=50)
    session(patient_match, now, 20)

    rows = rows_of([program, patient], now, "no_contact")

    assert [(row[4], row[1]) for row in rows] == [(quiet.pk, ago(now, 15))]


def test_first_contact_appears_when_the_first_meeting_is_late(program, now):
    late = active_match(program, now, started=8)
    active_match(program, now, started=6)  # still within the week
    active_match(program, now, started=30, met=28)  # met
    MatchFactory(program=program, status=Match.Status.PAUSED, started_at=ago(now, 30))

    rows = rows_of([program], now, "first_contact")

    assert [(row[4], row[1]) for row in rows] == [(late.pk, late.started_at)]


def test_missed_checkins_appear_after_two_weeks_without_one_with_an_active_goal(program, now):
    def with_goal(started, last_checkin=None, status=Goal.Status.ACTIVE):
        match = active_match(program, now, started=started, met=started)
        GoalFactory(mentee=match.mentee, status=status)
        if last_checkin is not None:
            CheckInFactory(mentee=match.mentee, created_at=ago(now, last_checkin))
        return match

    stopped = with_goal(30, last_checkin=16)
    never = with_goal(15)  # no check-in since the match started 15 days ago
    with_goal(30, last_checkin=13)
    with_goal(13)  # the match is too young
    with_goal(30, last_checkin=20, status=Goal.Status.ACHIEVED)  # no active goal

    rows = rows_of([program], now, "missed_checkins")

    assert [(row[4], row[1]) for row in rows] == [(stopped.pk, ago(now, 16)), (never.pk, never.started_at)]


def test_missed_sessions_appear_at_two_missed_by_the_mentee_in_thirty_days(program, now):
    missing = active_match(program, now, met=50)
    session(missing, now, 10, status="missed", missed_by="both")
    session(missing, now, 5, status="missed", missed_by="mentee")
    mentors_fault = active_match(program, now, met=50)
    session(mentors_fault, now, 10, status="missed", missed_by="mentor")
    session(mentors_fault, now, 5, status="missed", missed_by="mentee")
    long_ago = active_match(program, now, met=50)
    session(long_ago, now, 31, status="missed", missed_by="mentee")
    session(long_ago, now, 5, status="missed", missed_by="mentee")

    rows = rows_of([program], now, "missed_sessions")

    assert [(row[4], row[1], row[6]) for row in rows] == [(missing.pk, ago(now, 5), 2.0)]


def test_low_rating_appears_for_a_recent_survey_of_two_or_less(program, now):
    def survey(rating, days):
        match = MatchFactory(program=program, status=Match.Status.CLOSED, started_at=ago(now, 200))
        MatchSurvey.objects.create(match=match, side="mentee", rating=rating, created_at=ago(now, days))
        return match

    low = survey(2, 10)
    survey(3, 10)
    survey(1, 91)

    rows = rows_of([program], now, "low_rating")

    assert [(row[4], row[6]) for row in rows] == [(low.pk, 2.0)]


def test_proposal_unanswered_appears_after_three_days(program, now):
    def proposal(days, mentor=Match.Response.PENDING, mentee=Match.Response.PENDING):
        return MatchFactory(
            program=program,
            status=Match.Status.PROPOSED,
            created_at=ago(now, days),
            mentor_response=mentor,
            mentee_response=mentee,
        )

    waiting = proposal(4, mentor=Match.Response.ACCEPTED)  # the mentee has not answered
    proposal(2)
    proposal(10, mentor=Match.Response.ACCEPTED, mentee=Match.Response.ACCEPTED)

    rows = rows_of([program], now, "proposal_unanswered")

    assert [row[4] for row in rows] == [waiting.pk]


def test_quiet_and_first_contact_signals_are_judged_at_the_given_moment(program):
    """signals(now=...) must judge every signal at that moment, not some at
    the clock's time."""
    then = timezone.now() - timedelta(days=100)
    met_recently = active_match(program, then, met=50)
    session(met_recently, then, 10)  # 10 days before `then`: not quiet yet
    just_started = active_match(program, then, started=3)  # 3 days before `then`: not late yet

    wrongly_flagged = {("no_contact", met_recently.mentee_id), ("first_contact", just_started.mentee_id)}
    assert flagged([program], then) & wrongly_flagged == set()


# --- the ranked list ----------------------------------------------------------------------------------


def test_safety_first_then_by_rank_and_the_longest_standing_first(program, now):
    proposal = MatchFactory(program=program, status=Match.Status.PROPOSED, created_at=ago(now, 30))
    newer = active_match(program, now, started=10)
    quiet = active_match(program, now, met=50)
    session(quiet, now, 40)
    older = active_match(program, now, started=20)
    recent_alert = SafetyAlertFactory(mentee=MenteeProfileFactory(program=program), created_at=ago(now, 0.1))
    old_alert = SafetyAlertFactory(mentee=MenteeProfileFactory(program=program), created_at=ago(now, 3))

    order = [(row[2], row[5]) for row in signals([program], now=now)]

    assert order == [
        ("alert", old_alert.pk),
        ("alert", recent_alert.pk),
        ("no_contact", quiet.pk),  # last met 40 days ago
        ("first_contact", older.pk),  # started 20 days ago
        ("first_contact", newer.pk),  # started 10 days ago
        ("proposal_unanswered", proposal.pk),  # oldest of all, but the least urgent kind
    ]


# --- links and wording --------------------------------------------------------------------------------


@pytest.fixture
def one_of_each(personas, now):
    """One row of every kind in program A: {kind: (expected action URL, expected reason)}."""
    program = personas.program
    expected = {}

    alert = SafetyAlertFactory(mentee=personas.match.mentee, created_at=ago(now, 2))
    expected["alert"] = (
        reverse("goals:alert_acknowledge", args=[alert.pk]),
        "Safety alert raised 2 days ago and not yet acknowledged.",
    )
    moody = MenteeProfileFactory(program=program)
    checkins(moody, now, (30, 5, None), (20, 5, None), (5, 3, None), (2, 3, None))
    expected["mood_falling"] = (
        reverse("goals:checkins", args=[moody.pk]),
        "Average mood fell by 2.0 points over the last two weeks.",
    )
    craving = MenteeProfileFactory(program=program)
    checkins(craving, now, (30, 3, 1), (20, 3, 1), (5, 3, 4), (2, 3, 4))
    expected["craving_rising"] = (
        reverse("goals:checkins", args=[craving.pk]),
        "Average craving rose by 3.0 points over the last two weeks.",
    )
    capital = MenteeProfileFactory(program=program)
    assess(capital, now, (100, 70), (5, 55))
    expected["capital_falling"] = (
        reverse("goals:progress", args=[capital.pk]),
        "Recovery-capital score fell by 15 points at the last assessment.",
    )
    quiet = active_match(program, now, met=40)
    session(quiet, now, 20)
    expected["no_contact"] = (
        reverse("peer_sessions:session_new", args=[quiet.pk]),
        "No meeting logged for 20 days.",
    )
    late = active_match(program, now, started=9)
    expected["first_contact"] = (
        reverse("peer_sessions:session_new", args=[late.pk]),
        "Matched 9 days ago; the first meeting has not been logged.",
    )
    stopped = active_match(program, now, started=40, met=39)
    session(stopped, now, 3)
    GoalFactory(mentee=stopped.mentee)
    CheckInFactory(mentee=stopped.mentee, created_at=ago(now, 16))
    expected["missed_checkins"] = (
        reverse("mentoring:person_detail", args=[stopped.mentee.user_id]),
        "No check-in for 16 days, with an active goal.",
    )
    missing = active_match(program, now, met=39)
    session(missing, now, 2)
    for days in (4, 8, 12):
        session(missing, now, days, status="missed", missed_by="mentee")
    expected["missed_sessions"] = (
        reverse("mentoring:match_close", args=[missing.pk]),
        "3 meetings missed in the last 30 days.",
    )
    rated = MatchFactory(program=program, status=Match.Status.CLOSED, started_at=ago(now, 100))
    MatchSurvey.objects.create(match=rated, side="mentor", rating=1, created_at=ago(now, 5))
    expected["low_rating"] = (
        reverse("mentoring:match_detail", args=[rated.pk]),
        "Closing survey rated the match 1 out of 5.",
    )
    proposal = MatchFactory(program=program, status=Match.Status.PROPOSED, created_at=ago(now, 6))
    expected["proposal_unanswered"] = (
        reverse("mentoring:match_detail", args=[proposal.pk]),
        "Proposed 6 days ago and still waiting for an answer.",
    )
    return expected


def test_every_row_links_to_its_action_and_says_why(personas, one_of_each, now):
    items = load(signals([personas.program], now=now))

    assert sorted(item.kind for item in items) == sorted(KINDS)
    assert {item.kind: (item.action_url, item.reason) for item in items} == one_of_each


def test_the_attention_page_links_every_row_to_a_page_the_coordinator_can_open(personas, one_of_each, client_for):
    client = client_for(personas.coordinator)
    response = client.get(reverse("mentoring:attention"))

    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["page"].paginator.count == len(KINDS)
    for kind, (url, reason) in one_of_each.items():
        assert f'href="{url}"' in body, kind
        assert reason in body, kind
        assert client.get(url).status_code == 200, kind


# --- the page: filter, pages, other programs ----------------------------------------------------------


def test_attention_pages_through_one_kind(personas, client_for, monkeypatch, now):
    monkeypatch.setattr("mentoring.views.dashboard.PAGE_SIZE", 2)
    late = [active_match(personas.program, now, started=days) for days in (30, 20, 10)]
    SafetyAlertFactory(mentee=personas.match.mentee)
    client = client_for(personas.coordinator)
    url = reverse("mentoring:attention")

    first = client.get(url, {"kind": "first_contact"})
    assert first.context["page"].paginator.count == 3
    assert [item.match for item in first.context["items"]] == late[:2]
    assert "?kind=first_contact&amp;page=2" in first.content.decode()

    second = client.get(url, {"kind": "first_contact", "page": 2})
    assert [item.match for item in second.context["items"]] == late[2:]

    everything = client.get(url, {"kind": "no-such-kind"})
    assert everything.context["page"].paginator.count == 4
    assert everything.context["items"][0].kind == "alert"


def test_other_programs_rows_are_never_shown(personas, client_for, now):
    SafetyAlertFactory(mentee=personas.match.mentee)
    theirs = MenteeProfileFactory(program=personas.other_program)
    SafetyAlertFactory(mentee=theirs)
    their_match = active_match(personas.other_program, now, started=20)

    assert {mentee for _, mentee in flagged([personas.program], now)} == {personas.match.mentee_id}

    client = client_for(personas.coordinator)
    response = client.get(reverse("mentoring:attention"))
    body = response.content.decode()
    assert [item.mentee.program for item in response.context["items"]] == [personas.program]
    assert theirs.user.full_name not in body
    assert their_match.mentee.user.full_name not in body
    home = client.get(reverse("mentoring:home_coordinator"))
    assert home.context["attention_count"] == 1
    assert client.get(reverse("mentoring:attention"), {"program": personas.other_program.pk}).status_code == 404

    # Their own coordinator sees them.
    response = client_for(personas.other_coordinator).get(reverse("mentoring:attention"))
    assert {item.mentee for item in response.context["items"]} == {theirs, their_match.mentee}


def test_attention_for_one_of_the_coordinators_programs(personas, client_for, now):
    program_c = ProgramFactory(name="Program C", coordinators=[personas.coordinator])
    SafetyAlertFactory(mentee=personas.match.mentee)
    in_c = active_match(program_c, now, started=20)
    client = client_for(personas.coordinator)
    url = reverse("mentoring:attention")

    both = client.get(url).context["items"]
    only_c = client.get(url, {"program": program_c.pk}).context["items"]

    assert [item.kind for item in both] == ["alert", "first_contact"]
    assert [(item.kind, item.match) for item in only_c] == [("first_contact", in_c)]


def test_the_coordinator_home_previews_the_top_five(personas, client_for, now):
    started = [active_match(personas.program, now, started=days) for days in (40, 35, 30, 25, 20, 15)]
    SafetyAlertFactory(mentee=personas.match.mentee)
    url = reverse("mentoring:home_coordinator")

    response = client_for(personas.coordinator).get(url)

    assert response.context["attention_count"] == 7
    assert [item.kind for item in response.context["attention"]] == ["alert"] + ["first_contact"] * 4
    assert [item.match for item in response.context["attention"][1:]] == started[:4]
    # A coordinator of one program gets that program's page, and its link.
    link = f'href="{reverse("mentoring:attention")}?program={personas.program.pk}">All 7</a>'
    assert link in response.content.decode()
    chosen = client_for(personas.coordinator).get(url, {"program": personas.program.pk})
    assert link in chosen.content.decode()


# --- queries ------------------------------------------------------------------------------------------


def test_load_takes_two_queries_whatever_the_number_of_rows(personas, one_of_each, now, django_assert_num_queries):
    rows = list(signals([personas.program], now=now))
    assert len(rows) == len(KINDS)

    with django_assert_num_queries(2):
        items = load(rows)
    with django_assert_num_queries(0):
        shown = [
            (
                str(item.mentee.user),
                str(item.mentee.program),
                item.match and str(item.match.mentor.user),
                item.action_url,
            )
            for item in items
        ]
    assert len(shown) == len(KINDS)
    with django_assert_num_queries(2):
        assert load(rows[:1])[0].kind == "alert"


def test_the_attention_page_does_not_query_more_with_more_rows(personas, client_for, now):
    client = client_for(personas.coordinator)
    url = reverse("mentoring:attention")
    for days in (10, 11):
        active_match(personas.program, now, started=days)
    snapshots_refresh()
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["items"]) == 2
    for days in range(12, 30):
        active_match(personas.program, now, started=days)
        SafetyAlertFactory(mentee=MenteeProfileFactory(program=personas.program))
    snapshots_refresh()
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["items"]) == PAGE_SIZE
    assert len(many) == len(few)
