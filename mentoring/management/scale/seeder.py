"""ScaleSeeder: the order of the steps, and the helpers every step uses."""

import random
import time
from collections import Counter
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from faker import Faker

from mentoring.management.scale.activity import ActivityMixin
from mentoring.management.scale.community import CommunityMixin
from mentoring.management.scale.constants import BATCH, MIN_MENTEES, PASSWORD
from mentoring.management.scale.people import PeopleMixin
from mentoring.management.scale.plan import PlanningMixin
from mentoring.management.scale.rows import Unsaved, fast_insert


class ScaleSeeder(PlanningMixin, PeopleMixin, ActivityMixin, CommunityMixin):
    """Plans and writes ``mentees`` mentees and everything around them. The
    steps live in the mixins; run() calls them in a fixed order, because every
    step draws from the same random source."""

    def __init__(self, *, mentees, seed):
        if mentees < MIN_MENTEES:
            raise ValueError(f"At least {MIN_MENTEES} mentees, so that every state fits.")
        self.n = mentees
        self.random = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        # Hashed once for every person, with a salt from the seed: the same seed
        # gives the same rows, password hashes included.
        self.password = make_password(PASSWORD, salt=f"waypointscale{seed}")
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.rows = Counter()

    STEPS = (
        "_programs",
        "_plan_people",
        "_people",
        "_readiness",
        "_plan_sessions",
        "_matches",
        "_sessions",
        "_goals",
        "_checkins",
        "_assessments",
        "_groups",
        "_resources",
        "_dead_deliveries",
    )

    # The biggest tables (about 90 of the 108 rows per mentee). On PostgreSQL
    # their plain indexes (not primary keys or unique constraints) are dropped
    # for the load and created again from their own definitions afterwards, in
    # the same transaction: one sorted build per index instead of millions of
    # scattered insertions (peer_sessions_session alone has eight). Their
    # foreign keys are dropped too and added again at the end: PostgreSQL then
    # checks each with one join over the table, not one locking look-up per
    # row queued until COMMIT, which grew faster than the rows (5,000 → 20,000
    # mentees: 4× the rows, 11× the time).
    BIG_TABLES = (
        "goals_checkin",
        "goals_goalprogress",
        "goals_answer",
        "goals_assessment",
        "goals_goal",
        "peer_sessions_session",
        "peer_sessions_session_skills",
    )

    def run(self, *, on_step=None):
        """Write everything; returns rows written per model label. The wall
        time of each step (seconds, in order) is left in ``self.timings``,
        with "indexes" for building the dropped indexes and foreign keys again
        (and the deferred foreign-key checks of the other tables), and this process's CPU time of each
        step (seconds, user + system) in ``self.cpu``: the difference is the
        database's work and waiting for a core. ``on_step(name, seconds)`` is
        called after each."""
        self.timings, self.cpu = {}, {}
        indexes = drop_plain_indexes(self.BIG_TABLES)
        foreign_keys = drop_foreign_keys(self.BIG_TABLES)
        for step in (*self.STEPS, "indexes"):
            name = step.lstrip("_")
            started, cpu = time.perf_counter(), time.process_time()
            create_indexes(indexes, foreign_keys) if step == "indexes" else getattr(self, step)()
            self.timings[name] = time.perf_counter() - started
            self.cpu[name] = time.process_time() - cpu
            if on_step is not None:
                on_step(name, self.timings[name])
        return self.rows

    def _insert(self, model, objects):
        """Write ``objects`` (unsaved instances) and set their primary keys, as
        ``bulk_create`` does. On PostgreSQL the rows go through one multi-row
        INSERT … RETURNING id per BATCH with the values read straight off the
        instances (``fast_insert``): Django's per-value compiler was half of
        the seeder's time."""
        if connection.vendor == "postgresql" and objects:
            fast_insert(model, objects)
        elif objects and isinstance(objects[0], Unsaved):
            instances = [model(**vars(row)) for row in objects]
            model.objects.bulk_create(instances, batch_size=BATCH)
            for row, instance in zip(objects, instances, strict=True):
                row.id = instance.pk
        else:
            model.objects.bulk_create(objects, batch_size=BATCH)
        self.rows[model._meta.label] += len(objects)
        return objects

    def _ago(self, low_days, high_days):
        return self.now - timedelta(days=self.random.uniform(low_days, high_days))

    def _between(self, start, end):
        return start + (end - start) * self.random.random() if end > start else start

    def _weighted(self, weights):
        return self.random.choices(list(weights), weights=list(weights.values()))[0]

    def _taking_part(self):
        """Mentees whose match has started: they set goals and check in."""
        return [m for m in self.mentees if m.started]


def drop_plain_indexes(tables):
    """On PostgreSQL, drop the indexes of ``tables`` that back no constraint
    (primary keys and unique constraints stay) and return their definitions
    (CREATE INDEX statements, from pg_indexes) for create_indexes. Elsewhere
    nothing: []. Call inside the transaction that loads the rows, so that a
    failure leaves every index in place."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class c ON c.relname = i.indexname AND c.relkind = 'i'
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
            ORDER BY i.tablename, i.indexname
            """,
            [list(tables)],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _, definition in found]


def drop_foreign_keys(tables):
    """On PostgreSQL, drop the foreign-key constraints of ``tables`` (the
    references from their rows; references into them stay) and return
    ``(table, name, definition)`` for each (from pg_constraint, e.g.
    "FOREIGN KEY (mentee_id) REFERENCES mentoring_menteeprofile(id)
    DEFERRABLE INITIALLY DEFERRED") for create_indexes to add again.
    Elsewhere nothing: []. Pending deferred checks (from the deletes of
    ``--replace``) run first: PostgreSQL will not alter a table that has some.
    Call inside the transaction that loads the rows, so that a failure leaves
    every constraint in place."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
            WHERE c.contype = 'f' AND t.relname = ANY(%s)
            ORDER BY t.relname, c.conname
            """,
            [list(tables)],
        )
        found = cursor.fetchall()
        quote = connection.ops.quote_name
        for table, name, _ in found:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    return found


def create_indexes(definitions, foreign_keys=()):
    """Run the CREATE INDEX statements drop_plain_indexes returned, then add
    the foreign keys drop_foreign_keys returned, by their own definitions
    (each checked at once over the whole table, with one join). PostgreSQL
    will not build an index on a table with foreign-key checks pending (they
    are deferred to COMMIT), so those run first; they would at COMMIT
    anyway."""
    if not definitions and not foreign_keys:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for definition in definitions:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
