"""GoalProgress.reported_at repeats its check-in's time (issue 14): the 9 am
check-in reminders read "which days reported on these goals lately" from the
(goal, reported_at) index alone, so every way a report is written must fill
it with exactly the check-in's created_at."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goals.models import CheckIn, GoalProgress
from goals.reminders import _checkins
from goals.services import checkin_submit
from mentoring.choices import CheckInCadence
from mentoring.models import ReminderKind
from tests.factories import CheckInFactory, GoalFactory, GoalProgressFactory, MenteeProfileFactory

pytestmark = pytest.mark.django_db


def test_a_check_in_submitted_copies_its_time_into_each_report():
    goal = GoalFactory()
    checkin, _ = checkin_submit(mentee=goal.mentee, mood=4, progress={goal.pk: 40})
    report = GoalProgress.objects.get(checkin=checkin)
    assert report.reported_at == CheckIn.objects.get(pk=checkin.pk).created_at


def test_save_and_bulk_create_fill_it_from_the_check_in_when_not_given():
    goal = GoalFactory()
    when = timezone.now() - timedelta(days=3, hours=5)
    first, second = CheckInFactory(mentee=goal.mentee, created_at=when), CheckInFactory(mentee=goal.mentee)
    GoalProgress.objects.bulk_create([GoalProgress(checkin=first, goal=goal, progress=10)])
    saved = GoalProgress(checkin=second, goal=goal, progress=20)
    saved.save()
    assert dict(GoalProgress.objects.values_list("checkin_id", "reported_at")) == {
        first.pk: when,
        second.pk: second.created_at,
    }
    assert GoalProgressFactory(goal=goal).reported_at is not None


def test_the_nine_am_read_uses_the_copied_time_without_joining_check_ins():
    """A weekly goal reported on this week is not due; one reported on only
    last week is. The reports are read by reported_at, in one query that does
    not touch goals_checkin."""
    now = datetime(2027, 3, 3, 17, 0, tzinfo=UTC)  # a Wednesday afternoon in every zone of the Americas
    done, pending = MenteeProfileFactory(), MenteeProfileFactory()
    start = date(2020, 1, 6)
    for mentee, days_ago in ((done, 0), (pending, 8)):
        goal = GoalFactory(mentee=mentee, cadence=CheckInCadence.WEEKLY, started_on=start)
        checkin = CheckInFactory(mentee=mentee, created_at=now - timedelta(days=days_ago))
        GoalProgressFactory(goal=goal, checkin=checkin)
    with CaptureQueriesContext(connection) as queries:
        due = [d for d in _checkins(now) if d.kind == ReminderKind.CHECKIN_DUE]
    assert {d.recipient for d in due} == {pending.user}
    reads = [q["sql"] for q in queries if "goals_goalprogress" in q["sql"]]
    assert len(reads) == 1 and "goals_checkin" not in reads[0] and "reported_at" in reads[0]
