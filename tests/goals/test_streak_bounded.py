"""Issue 18: a check-in must not slow down as the history grows. The streak
is worked out from the recent check-ins only (goals.selectors.recent_status),
and equals the streak over the whole history."""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.adherence import REQUIRED, adherence, current_period_done
from goals.models import CheckIn, GoalProgress
from goals.selectors import STREAK_WINDOW_DAYS, bounded_status
from mentoring.models import MenteeProfile
from tests.factories import GoalFactory


@pytest.mark.parametrize("seed", range(40))
def test_the_bounded_streak_equals_the_streak_over_the_whole_history(seed):
    rng = random.Random(seed)
    today = date(2026, 11, 29) + timedelta(days=rng.randint(0, 13))
    goals, history = [], {}
    for pk in range(6):
        cadence = rng.choice(sorted(REQUIRED))
        start = today - timedelta(days=rng.choice([0, 3, 20, 60, 200, 700]))
        # Long unbroken runs (to make the window grow) and random gaps.
        density = rng.choice([1.0, 0.97, 0.7, 0.3])
        span = (today - start).days + 5
        days = [start - timedelta(days=2) + timedelta(days=d) for d in range(span) if rng.random() < density]
        goals.append(SimpleNamespace(pk=pk, cadence=cadence, started_on=start))
        history[pk] = days
    loads = []

    def load(pending, since_day):
        loads.append(since_day)
        result = defaultdict(list)
        for goal in pending:
            result[goal.pk] = [d for d in history[goal.pk] if d >= since_day]
        return result

    status = bounded_status(goals, today, load)
    for goal in goals:
        expected = adherence(goal.cadence, goal.started_on, history[goal.pk], today).streak
        done = current_period_done(goal.cadence, goal.started_on, history[goal.pk], today)
        assert status[goal.pk] == (expected, done), (goal, seed)
    assert loads[0] == today - timedelta(days=STREAK_WINDOW_DAYS)


def _grow_history(mentee, goal, days, *, now):
    """One check-in with progress a day for ``days`` days, ending five days ago
    (a gap of four days broke the streak), then a new run of three days."""
    moments = [now - timedelta(days=5 + d) for d in range(days)] + [now - timedelta(days=d) for d in (1, 2, 3)]
    checkins = CheckIn.objects.bulk_create([CheckIn(mentee=mentee, mood=3, created_at=when) for when in moments])
    GoalProgress.objects.bulk_create([GoalProgress(checkin=c, goal=goal, progress=10) for c in checkins])


def _rows_read(captured):
    """Rows the captured SELECTs returned, found by running each again."""
    total = 0
    with connection.cursor() as cursor:
        for query in captured:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute(query["sql"])
                total += len(cursor.fetchall())
    return total


def _post_checkin(client, goal):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("goals:checkin"), {"mood": 4, f"progress_{goal.pk}": 40})
    assert response.status_code == 302
    # Counted at once: running them again later would read a different history.
    return len(captured), _rows_read(captured)


def test_a_check_in_reads_the_same_rows_at_1x_and_10x_history(personas, client_for):
    """189 → 65 check-ins a second as the history grew: the thanks message's
    streak loaded every progress row of every goal. Now a POST runs the same
    queries and reads the same number of rows with 60 or 600 days behind it."""
    mentee = MenteeProfile.objects.get(user=personas.mentee)
    now = timezone.now()
    start = timezone.localdate() - timedelta(days=900)
    goal = GoalFactory(mentee=mentee, cadence="daily", started_on=start)
    client = client_for(personas.mentee)
    client.get(reverse("goals:checkin"))  # warm up the session

    _grow_history(mentee, goal, 60, now=now)
    small = _post_checkin(client, goal)
    CheckIn.objects.filter(mentee=mentee, created_at__gt=now - timedelta(hours=1)).delete()

    _grow_history(mentee, goal, 540, now=now - timedelta(days=60))
    assert GoalProgress.objects.filter(goal=goal).count() == 60 + 540 + 6
    large = _post_checkin(client, goal)

    assert large == small  # (queries, rows read)
    # And the streak in the thanks is right: the last three days and today.
    follow = client.get(reverse("mentoring:home_mentee"))
    assert "That&#x27;s 4 in a row" in follow.content.decode()


def test_a_long_unbroken_streak_is_counted_in_full(personas, client_for):
    mentee = MenteeProfile.objects.get(user=personas.mentee)
    # Noon on each of the 100 local days before today, in the mentee's zone:
    # "now minus n × 24 h" puts two check-ins on one local date when a DST
    # change lies in between and the clock is near local midnight (it failed
    # between 04:00 and 05:00 UTC).
    zone = personas.mentee.zone
    today = timezone.localdate(timezone=zone)
    goal = GoalFactory(mentee=mentee, cadence="daily", started_on=today - timedelta(days=150))
    moments = [datetime.combine(today - timedelta(days=d), time(12, 0), tzinfo=zone) for d in range(1, 101)]
    checkins = CheckIn.objects.bulk_create([CheckIn(mentee=mentee, mood=3, created_at=when) for when in moments])
    GoalProgress.objects.bulk_create([GoalProgress(checkin=c, goal=goal, progress=10) for c in checkins])
    response = client_for(personas.mentee).post(
        reverse("goals:checkin"), {"mood": 4, f"progress_{goal.pk}": 40}, follow=True
    )
    assert "101 in a row" in response.content.decode()
