"""Realistic volume for performance work, written by ``manage.py seed_scale``.

Per mentee: a quarter of a mentor, ten one-on-one sessions, fifty check-ins and
two goals; matches in every state, readiness rows, assessments, groups,
resources, shares and dead reminders in proportion. Everything is planned in
Python and written with bulk_create (no per-row saves, no signals), drawn from
one random.Random(seed) and one seeded Faker: a seed always describes the same
people and the same history, placed relative to the moment it runs."""

from mentoring.management.scale.constants import (
    CHECKINS_PER_MENTEE,
    COORDINATOR_EMAIL,
    EMAIL_PREFIX,
    GOALS_PER_MENTEE,
    MENTORS_PER_MENTEE,
    MIN_MENTEES,
    SESSIONS_PER_MENTEE,
    SLUG_PREFIX,
)
from mentoring.management.scale.seeder import ScaleSeeder

__all__ = [
    "CHECKINS_PER_MENTEE",
    "COORDINATOR_EMAIL",
    "EMAIL_PREFIX",
    "GOALS_PER_MENTEE",
    "MENTORS_PER_MENTEE",
    "MIN_MENTEES",
    "SESSIONS_PER_MENTEE",
    "SLUG_PREFIX",
    "ScaleSeeder",
]
