"""Ids outside the database's integer range match nothing, in every lookup a
typed or tampered id can reach (mentoring.lookups); on SQLite they used to
raise OverflowError, a 500."""

import pytest

from goals.models import Goal
from mentoring.models import MenteeProfile
from tests.factories import GoalFactory

HUGE = 99999999999999999999


@pytest.fixture
def goal(db):
    return GoalFactory()


@pytest.mark.parametrize("value", [HUGE, -HUGE])
@pytest.mark.parametrize(
    "lookup", ["pk", "pk__in", "mentee", "mentee_id", "mentee__in", "mentee_id__in", "mentee__user", "mentee__user__in"]
)
def test_out_of_range_id_matches_nothing(goal, lookup, value):
    arg = [value] if lookup.endswith("__in") else value
    assert list(Goal.objects.filter(**{lookup: arg})) == []
    assert list(Goal.objects.exclude(**{lookup: arg})) == [goal]


def test_in_list_keeps_the_ids_in_range(goal):
    assert list(Goal.objects.filter(pk__in=[HUGE, goal.pk, -HUGE])) == [goal]
    assert list(Goal.objects.filter(mentee__in=[HUGE, goal.mentee.pk])) == [goal]


def test_range_is_clamped(goal):
    assert list(Goal.objects.filter(pk__range=(-HUGE, HUGE))) == [goal]
    assert list(Goal.objects.filter(pk__range=(HUGE, HUGE + 1))) == []


def test_many_to_many(db):
    assert list(MenteeProfile.objects.filter(excluded_people__in=[HUGE])) == []
    assert list(MenteeProfile.objects.filter(excluded_people=HUGE)) == []
