import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from goals.models import CheckIn, Goal
from mentoring.management.scale import (
    CHECKINS_PER_MENTEE,
    COORDINATOR_EMAIL,
    GOALS_PER_MENTEE,
    MENTORS_PER_MENTEE,
    SESSIONS_PER_MENTEE,
)
from mentoring.models import Match, MenteeProfile, MentorProfile
from programs.models import Program
from programs.readiness import with_readiness
from sessions.models import Session

N = 40


def seed(**options):
    call_command("seed_scale", mentees=N, stdout=io.StringIO(), **options)


def counts():
    return {
        "mentees": MenteeProfile.objects.count(),
        "mentors": MentorProfile.objects.count(),
        "matches": Match.objects.count(),
        "sessions": Session.objects.count(),
        "checkins": CheckIn.objects.count(),
        "goals": Goal.objects.count(),
        "programs": Program.objects.count(),
        "users": get_user_model().objects.count(),
    }


def snapshot():
    """The data by natural keys (ids and timestamps differ from run to run)."""
    User = get_user_model()
    return {
        "users": rows_of(User.objects, "email", "full_name", "time_zone"),
        "matches": rows_of(
            Match.objects, "mentor__user__email", "mentee__user__email", "status", "close_reason", "score"
        ),
        "sessions": rows_of(Session.objects, "match__mentee__user__email", "status", "duration_minutes"),
        "checkins": rows_of(CheckIn.objects, "mentee__user__email", "mood", "craving"),
        "goals": rows_of(Goal.objects, "mentee__user__email", "title", "status", "category", "cadence"),
    }


def rows_of(manager, *fields):
    # Sorted by the database: craving may be NULL, which Python cannot compare with numbers.
    return list(manager.order_by(*fields).values_list(*fields))


def near(actual, expected, share):
    """Within ``share`` of the expected figure (at least one row either way)."""
    return abs(actual - expected) <= max(1, share * expected)


def test_volume_is_in_proportion_to_the_mentees(db):
    seed()
    rows = counts()
    assert rows["mentees"] == N
    # Whole people and rows: a rounding step of one per figure is all we allow.
    assert near(rows["mentors"], N * MENTORS_PER_MENTEE, share=0.1)
    assert near(rows["sessions"], N * SESSIONS_PER_MENTEE, share=0.05)
    assert near(rows["checkins"], N * CHECKINS_PER_MENTEE, share=0.05)
    assert near(rows["goals"], N * GOALS_PER_MENTEE, share=0.05)
    assert rows["programs"] == 2  # one per 2,500 mentees, at least two
    coordinator = get_user_model().objects.get(email=COORDINATOR_EMAIL)
    assert coordinator.coordinated_programs.count() == rows["programs"]
    # About a tenth of the mentees wait without any match.
    waiting = MenteeProfile.objects.filter(matches__isnull=True).count()
    assert near(waiting, N * 0.10, share=0.5)


def test_every_match_state_and_close_reason_appears(db):
    seed()
    assert set(Match.objects.values_list("status", flat=True)) == set(Match.Status.values)
    closed = Match.objects.filter(status=Match.Status.CLOSED)
    assert set(closed.values_list("close_reason", flat=True)) == set(Match.CloseReason.values)
    for match in closed:
        assert match.ended_at > match.started_at
    assert set(Goal.objects.values_list("status", flat=True)) == set(Goal.Status.values)
    assert set(Session.objects.values_list("status", flat=True)) == set(Session.Status.values)


def test_every_mentor_with_an_active_match_is_ready(db):
    seed()
    busy = MentorProfile.objects.filter(matches__status=Match.Status.ACTIVE).distinct()
    assert busy.exists()
    assert not with_readiness(busy).filter(is_ready=False).exists()
    # Some mentors are still on their way.
    assert with_readiness(MentorProfile.objects.all()).filter(is_ready=False).exists()


def test_a_second_run_needs_replace_which_gives_the_same_volume(db):
    seed()
    before = counts()
    with pytest.raises(CommandError, match="--replace"):
        seed()
    assert counts() == before
    seed(replace=True)
    assert counts() == before


def test_the_same_seed_gives_the_same_data(db):
    seed(seed=7)
    first = snapshot()
    seed(seed=7, replace=True)
    assert snapshot() == first
    seed(seed=8, replace=True)
    assert snapshot() != first


def test_every_alert_keeps_its_mentees_program(db):
    """SafetyAlert.program (issue 18 s6b: the live open-alert counts read it) is
    the mentee's program for the seeded alerts too (bulk inserts skip save())."""
    from django.db.models import F

    from goals.models import SafetyAlert

    seed()
    assert SafetyAlert.objects.exists()
    assert not SafetyAlert.objects.exclude(program=F("mentee__program")).exists()
