"""Check-in adherence and streaks: pure arithmetic on local dates.

Check-ins count once per day. A goal's cadence splits time into periods in the mentee's own time zone:
days (daily), ISO weeks (weekly, twice a week: two check-ins each) or
two-week blocks counted from the goal's start (every two weeks). For each
period, the check-ins made count up to what is required. A period still
running counts only if it is already complete, so nobody is "behind" on the
morning of a new week.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

REQUIRED = {"daily": 1, "twice_weekly": 2, "weekly": 1, "biweekly": 1}


@dataclass(frozen=True)
class Adherence:
    made: int
    due: int
    streak: int  # consecutive complete periods up to now

    @property
    def rate(self):
        return self.made / self.due if self.due else None

    @property
    def percent(self):
        return None if self.rate is None else round(100 * self.rate)


def period_of(cadence, day, start):
    """An index for the period a local date falls in."""
    if cadence == "daily":
        return day.toordinal()
    if cadence == "biweekly":
        return (day - start).days // 14
    monday = day - timedelta(days=day.weekday())
    return monday.toordinal() // 7


def adherence(cadence, start: date, checkin_days, today: date):
    """Made ÷ due and the streak for check-ins on ``checkin_days`` (local dates)."""
    if today < start:
        return Adherence(0, 0, 0)
    required = REQUIRED[cadence]
    # Distinct days: twice a week means two different days, not two taps on one.
    counts = Counter(period_of(cadence, day, start) for day in set(checkin_days) if start <= day <= today)
    first, current = period_of(cadence, start, start), period_of(cadence, today, start)
    periods = range(first, current + 1)
    made = sum(min(counts[p], required) for p in periods)
    current_done = counts[current] >= required
    due = required * (len(periods) - 1) + (required if current_done else 0)
    made -= 0 if current_done else min(counts[current], required)
    streak = 0
    for period in reversed(periods):
        if counts[period] >= required:
            streak += 1
        elif period != current:
            break
    return Adherence(made=made, due=due, streak=streak)


def current_period_done(cadence, start, checkin_days, today):
    """Has the period ``today`` falls in had all the check-ins it needs?
    (Nothing is due before the goal starts.)"""
    if today < start:
        return True
    current = period_of(cadence, today, start)
    made = sum(1 for day in set(checkin_days) if start <= day <= today and period_of(cadence, day, start) == current)
    return made >= REQUIRED[cadence]


def goal_checkin_due(goal, checkin_days, today):
    """THE check-in-due rule, for one goal: it is active, it has started, and the
    period ``today`` (the mentee's local date) falls in has not had all its
    check-ins (``checkin_days``: local dates of check-ins that reported on it).
    The home page, the progress page and the reminders all decide through this."""
    if goal.status != "active":
        return False
    return not current_period_done(goal.cadence, goal.started_on, checkin_days, today)


def checkin_due_now(goals, days_by_goal, today):
    """Is a check-in due for a mentee with these ``goals`` (any status) on their
    local date ``today``? ``days_by_goal``: {goal id: [local dates]}. With no
    active goal nothing is due: there is nothing to check in on."""
    return any(goal_checkin_due(goal, days_by_goal.get(goal.pk, ()), today) for goal in goals)


def streak_back(cadence, start: date, checkin_days, today: date):
    """(streak, the period where it broke or None): the streak as ``adherence``
    counts it, and the index of the incomplete period it stopped at (None when
    it ran back to the goal's first period). Lets a caller that loaded only
    recent check-ins tell whether the break it saw is real or only the edge of
    what it loaded."""
    if today < start:
        return 0, None
    required = REQUIRED[cadence]
    counts = Counter(period_of(cadence, day, start) for day in set(checkin_days) if start <= day <= today)
    first, current = period_of(cadence, start, start), period_of(cadence, today, start)
    streak = 0
    for period in range(current, first - 1, -1):
        if counts[period] >= required:
            streak += 1
        elif period != current:
            return streak, period
    return streak, None
