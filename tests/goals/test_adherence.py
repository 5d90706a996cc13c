"""Check-in adherence and streaks: pure arithmetic on local dates, and the
mentee's own time zone deciding which day a check-in belongs to."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goals.adherence import REQUIRED, Adherence, adherence, current_period_done, period_of
from goals.selectors import adherence_for
from tests.factories import GoalFactory, GoalProgressFactory, MenteeProfileFactory, UserFactory

# November 2026: the 2nd is a Monday.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 11, d) for d in range(2, 9))


def days(start, *offsets):
    return [start + timedelta(days=n) for n in offsets]


# --- daily ----------------------------------------------------------------------------------------


def test_daily_missed_days_count_against_and_today_is_not_due_yet():
    result = adherence("daily", MON, [MON, TUE, THU], today=FRI)
    # Mon–Thu are finished days (4 due, 3 made); Friday is still running.
    assert result == Adherence(made=3, due=4, streak=1)
    assert result.percent == 75


def test_daily_two_check_ins_on_one_day_count_once():
    assert adherence("daily", MON, [MON, MON, TUE], today=WED) == Adherence(made=2, due=2, streak=2)


def test_daily_streak_runs_back_from_yesterday_while_today_is_open():
    result = adherence("daily", MON, [MON, WED, THU], today=FRI)
    assert result.streak == 2  # Wed, Thu; Tuesday broke it


def test_daily_with_nothing_made_is_zero_percent_not_none():
    result = adherence("daily", MON, [], today=THU)
    assert result == Adherence(made=0, due=3, streak=0)
    assert (result.rate, result.percent) == (0, 0)


# --- the current period ---------------------------------------------------------------------------


def test_a_complete_current_period_counts_towards_made_and_due():
    result = adherence("daily", MON, [MON, TUE, WED], today=WED)
    assert result == Adherence(made=3, due=3, streak=3)
    assert result.percent == 100


def test_a_half_done_current_week_is_not_counted_at_all():
    # Twice a week, one check-in so far this week: neither made nor due yet.
    result = adherence("twice_weekly", MON, [TUE], today=THU)
    assert result == Adherence(made=0, due=0, streak=0)
    assert result.rate is None and result.percent is None


def test_current_period_done():
    assert current_period_done("daily", MON, [MON, WED], WED)
    assert not current_period_done("daily", MON, [MON, TUE], WED)
    # A check-in last week does not cover this week.
    assert not current_period_done("weekly", MON, [SUN], MON + timedelta(days=7))
    assert current_period_done("weekly", MON, [SUN, MON + timedelta(days=9)], MON + timedelta(days=10))
    assert not current_period_done("twice_weekly", MON, [TUE], FRI)
    assert current_period_done("twice_weekly", MON, [TUE, THU], FRI)
    # Check-ins before the goal started do not count.
    assert not current_period_done("weekly", WED, [MON, TUE], FRI)


# --- twice a week ---------------------------------------------------------------------------------


def test_twice_weekly_one_check_in_in_a_finished_week_is_one_of_two():
    result = adherence("twice_weekly", MON, [WED], today=MON + timedelta(days=8))
    assert result == Adherence(made=1, due=2, streak=0)


def test_twice_weekly_a_short_week_breaks_the_streak():
    week = timedelta(days=7)
    checkins = [MON, THU, TUE + week]  # week 1: two, week 2: one
    result = adherence("twice_weekly", MON, checkins, today=WED + 2 * week)
    assert result == Adherence(made=3, due=4, streak=0)


def test_twice_weekly_streak_counts_full_weeks():
    week = timedelta(days=7)
    checkins = [MON, THU, TUE + week, SUN + week]
    result = adherence("twice_weekly", MON, checkins, today=WED + 2 * week)
    assert result == Adherence(made=4, due=4, streak=2)


# --- weekly and ISO weeks -------------------------------------------------------------------------


def test_weekly_uses_iso_weeks_across_the_new_year():
    # ISO week 53 of 2026 runs from Monday Dec 28 to Sunday Jan 3, 2027.
    start = date(2026, 12, 28)
    assert period_of("weekly", date(2027, 1, 3), start) == period_of("weekly", start, start)
    assert period_of("weekly", date(2027, 1, 4), start) != period_of("weekly", start, start)
    # A check-in on New Year's Day completes the week that began in December.
    result = adherence("weekly", start, [date(2027, 1, 1)], today=date(2027, 1, 4))
    assert result == Adherence(made=1, due=1, streak=1)


def test_weekly_two_check_ins_in_one_iso_week_count_once():
    checkins = [date(2026, 12, 22), date(2026, 12, 31), date(2027, 1, 2), date(2027, 1, 5)]
    result = adherence("weekly", date(2026, 12, 21), checkins, today=date(2027, 1, 6))
    # Weeks 52 and 53 of 2026 are done, and so is week 1 of 2027 (today's week).
    assert result == Adherence(made=3, due=3, streak=3)


def test_weekly_goal_started_mid_week_owes_that_week():
    result = adherence("weekly", THU, [], today=MON + timedelta(days=7))
    assert result == Adherence(made=0, due=1, streak=0)


# --- every two weeks ------------------------------------------------------------------------------


def test_biweekly_blocks_are_counted_from_the_start_date():
    start = WED  # blocks: Nov 4–17, Nov 18–Dec 1, Dec 2–15
    assert period_of("biweekly", date(2026, 11, 17), start) == 0
    assert period_of("biweekly", date(2026, 11, 18), start) == 1
    # The last day of the first block, then the first day of the second.
    checkins = [date(2026, 11, 17), date(2026, 11, 18)]
    assert adherence("biweekly", start, checkins, today=date(2026, 12, 2)) == Adherence(made=2, due=2, streak=2)


def test_biweekly_two_check_ins_in_one_block_count_once():
    checkins = [date(2026, 11, 5), date(2026, 11, 16)]
    assert adherence("biweekly", WED, checkins, today=date(2026, 11, 30)) == Adherence(made=1, due=1, streak=1)
    # The second block ends with nothing: one of two, streak broken.
    assert adherence("biweekly", WED, checkins, today=date(2026, 12, 2)) == Adherence(made=1, due=2, streak=0)


# --- edges ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cadence", sorted(REQUIRED))
def test_today_before_the_start_is_nothing_due(cadence):
    result = adherence(cadence, FRI, [MON, TUE], today=THU)
    assert result == Adherence(made=0, due=0, streak=0)
    assert result.percent is None


def test_check_ins_before_the_start_are_ignored():
    result = adherence("daily", WED, [MON, TUE, WED], today=THU)
    assert result == Adherence(made=1, due=1, streak=1)


def test_check_ins_after_today_are_ignored():
    assert adherence("daily", MON, [MON, FRI], today=TUE) == Adherence(made=1, due=1, streak=1)


# --- the mentee's time zone, through the database -------------------------------------------------


def _mentee_in(zone):
    return MenteeProfileFactory(user=UserFactory(time_zone=zone))


def _checkin_at(goal, when):
    report = GoalProgressFactory(goal=goal)
    report.checkin.created_at = when
    report.checkin.save(update_fields=["created_at"])


LATE_EVENING_IN_LA = datetime(2026, 11, 3, 6, 30, tzinfo=UTC)  # Nov 2, 22:30 in LA; Nov 3, 15:30 in Tokyo


@pytest.mark.django_db
def test_a_late_evening_check_in_counts_for_that_local_day():
    la, tokyo = _mentee_in("America/Los_Angeles"), _mentee_in("Asia/Tokyo")
    goals = {}
    for mentee in (la, tokyo):
        from_nov_2 = GoalFactory(mentee=mentee, cadence="daily", started_on=date(2026, 11, 2))
        from_nov_3 = GoalFactory(mentee=mentee, cadence="daily", started_on=date(2026, 11, 3))
        for goal in (from_nov_2, from_nov_3):
            _checkin_at(goal, LATE_EVENING_IN_LA)
        goals[mentee.pk] = (from_nov_2, from_nov_3)

    la_rates = adherence_for(list(goals[la.pk]), la)
    tokyo_rates = adherence_for(list(goals[tokyo.pk]), tokyo)
    # In Los Angeles it was still November 2: it counts from the 2nd, not for a goal from the 3rd.
    assert la_rates[goals[la.pk][0].pk].made == 1
    assert la_rates[goals[la.pk][1].pk].made == 0
    # In Tokyo it was already November 3: it counts for both.
    assert tokyo_rates[goals[tokyo.pk][0].pk].made == 1
    assert tokyo_rates[goals[tokyo.pk][1].pk].made == 1


@pytest.mark.django_db
def test_adherence_for_only_counts_each_goals_own_reports():
    mentee = _mentee_in("America/Los_Angeles")
    walked, unrelated = (GoalFactory(mentee=mentee, cadence="daily", started_on=date(2026, 11, 2)) for _ in "ab")
    _checkin_at(walked, LATE_EVENING_IN_LA)
    rates = adherence_for([walked, unrelated], mentee)
    assert (rates[walked.pk].made, rates[unrelated.pk].made) == (1, 0)
    assert rates[walked.pk].due >= 1


# --- properties -----------------------------------------------------------------------------------


CADENCES = st.sampled_from(sorted(REQUIRED))
START = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
OFFSETS = st.lists(st.integers(min_value=-20, max_value=140), max_size=40)


def _periods(cadence, start, today):
    if today < start:
        return 0
    return period_of(cadence, today, start) - period_of(cadence, start, start) + 1


@given(cadence=CADENCES, start=START, offsets=OFFSETS, today_offset=st.integers(min_value=-10, max_value=120))
def test_made_never_exceeds_due_and_the_streak_fits(cadence, start, offsets, today_offset):
    today = start + timedelta(days=today_offset)
    result = adherence(cadence, start, days(start, *offsets), today)
    assert 0 <= result.made <= result.due
    assert 0 <= result.streak <= _periods(cadence, start, today)
    # Every period in the streak is complete and counted as made.
    assert result.streak * REQUIRED[cadence] <= result.made
    assert result.due <= _periods(cadence, start, today) * REQUIRED[cadence]


@given(
    cadence=CADENCES,
    start=START,
    offsets=OFFSETS,
    extra=st.integers(min_value=-20, max_value=140),
    today_offset=st.integers(min_value=-10, max_value=120),
)
def test_another_check_in_never_lowers_made(cadence, start, offsets, extra, today_offset):
    today = start + timedelta(days=today_offset)
    before = adherence(cadence, start, days(start, *offsets), today)
    after = adherence(cadence, start, days(start, *offsets, extra), today)
    assert after.made >= before.made
    assert after.due >= before.due


def test_twice_a_week_means_two_different_days():
    monday = date(2026, 11, 2)
    one_day_twice = adherence("twice_weekly", monday, [monday, monday], monday + timedelta(days=7))
    assert (one_day_twice.made, one_day_twice.due) == (1, 2)
    two_days = adherence("twice_weekly", monday, [monday, monday + timedelta(days=2)], monday + timedelta(days=7))
    assert (two_days.made, two_days.due) == (2, 2)


def test_nothing_is_due_before_a_goal_starts():
    start = date(2026, 12, 1)
    assert current_period_done("daily", start, [], start - timedelta(days=1))
    assert not current_period_done("daily", start, [], start)
