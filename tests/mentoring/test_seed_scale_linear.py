"""seed_scale stays linear in the mentees (issue 18: at 100,000 mentees the
run grew faster than the mentees). Two kinds of growth hid there:

- Python loops over every person once per program (programs grow with the
  mentees, one per 2,500, so those loops grow with the square). Counted here
  as lines the seeder's own code executes, step by step: deterministic (one
  seed, one plan), unlike a clock on a shared machine.
- On PostgreSQL, one deferred foreign-key check per row of the biggest
  tables, run at the end, which grew faster than the rows. Those tables now
  load without their foreign keys, which are added back (one join each) with
  the same definitions."""

import sys
from pathlib import Path

import pytest
from django.db import connection

from goals.models import CheckIn
from mentoring.management.commands.seed_scale import delete_scale_data
from mentoring.management.scale import ScaleSeeder

pytestmark = pytest.mark.django_db

SCALE_CODE = str(Path(ScaleSeeder.__module__.replace(".", "/")).parent)


def lines_per_step(mentees):
    """Lines of mentoring/management/scale/ executed in each step of one run
    (Django's and the database's work not counted)."""
    counted, per_step = [0], {}

    def in_scale_code(frame, event, arg):
        if SCALE_CODE in frame.f_code.co_filename:
            return count_lines
        return None

    def count_lines(frame, event, arg):
        if event == "line":
            counted[0] += 1
        return count_lines

    def step_done(step, seconds):
        per_step[step] = counted[0]
        counted[0] = 0

    seeder = ScaleSeeder(mentees=mentees, seed=11)
    before = sys.gettrace()
    sys.settrace(in_scale_code)
    try:
        seeder.run(on_step=step_done)
    finally:
        sys.settrace(before)
    return per_step


def test_every_step_grows_in_proportion_to_the_mentees(monkeypatch):
    """Four times the mentees (and, as at scale, four times the programs)
    cost each step at most about four times the work. Before, planning the
    mentors and sharing resources went over every mentor (or every listing)
    once per program: 6–7× here, and 40× the programs at 100,000 mentees."""
    # One program per 5 mentees instead of per 2,500: the programs grow with
    # the mentees as they do at 100,000, at a size a test can run.
    monkeypatch.setattr("mentoring.management.scale.people.MENTEES_PER_PROGRAM", 5)
    small = lines_per_step(20)
    delete_scale_data()
    large = lines_per_step(80)
    assert small.keys() == large.keys()
    grew = {step: round(large[step] / max(small[step], 1), 2) for step in small}
    # 4× the mentees; a quarter more for rounding and for the random draws.
    too_fast = {step: ratio for step, ratio in grew.items() if large[step] > 5 * small[step] + 200}
    assert not too_fast, f"steps that grew faster than the mentees (×4): {too_fast}; all: {grew}"


BIG_TABLES = ScaleSeeder.BIG_TABLES


def foreign_keys(tables):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), c.convalidated FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s) ORDER BY 1, 2
            """,
            [list(tables)],
        )
        return cursor.fetchall()


def schema():
    """Every constraint and index of the app's tables, by its definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), c.convalidated, c.condeferrable, c.condeferred
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relnamespace = current_schema()::regnamespace ORDER BY 1, 2
            """
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2"
        )
        return constraints, cursor.fetchall()


def test_the_biggest_tables_load_without_a_check_per_row_and_keep_their_schema():
    postgres = connection.vendor == "postgresql"
    before = schema() if postgres else None
    during = {}

    def step_done(step, seconds):
        if step == "checkins" and postgres:
            during["foreign keys"] = foreign_keys(BIG_TABLES)

    seeder = ScaleSeeder(mentees=30, seed=5)
    seeder.run(on_step=step_done)
    mentee = seeder.mentees[0].profile
    # The sequences were left past the rows written: the next row gets a new id.
    checkin = CheckIn.objects.create(mentee_id=mentee.pk, mood=3)
    assert checkin.pk > max(CheckIn.objects.exclude(pk=checkin.pk).values_list("pk", flat=True))
    if postgres:
        # While the big tables load, nothing queues a check per row ...
        assert during["foreign keys"] == []
        # ... and afterwards every constraint (checked: convalidated) and
        # index is back with the same definition, deferrable as before.
        assert schema() == before
        assert len(foreign_keys(BIG_TABLES)) >= 10
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
