"""Time the whole-pool matching page and its background solve on a pool of
the given size in the database.

    python manage.py bench_pool_page [--mentees N] [--mentors M] [--seed S] [--json]

Writes a program with N waiting mentees and M ready mentors (the seeded
random pool of ``bench_matching``, ``mentoring.matching.synthetic``) inside a
transaction that is rolled back at the end: nothing is left behind. Then, as
its coordinator (a session that passed the second step):

The tables it wrote to are ANALYZEd on PostgreSQL first (a database in use
has planner statistics; fresh rows in one transaction have none).

- ``first_get_ms``: the page before any solve ("Work out pairs"; no solve in
  the request);
- ``request_ms``: the "Work out pairs" POST (loads the pool, writes the
  queued row);
- ``solve_s``, ``solve_peak_mb``: the background job's body
  (``pool_solve_run``, as the Celery worker runs it), and the Python memory it
  allocated at its peak (tracemalloc, numpy and scipy included; a second run);
- ``page_ms``: the median of R GETs of the page with the kept result (the
  first page of pairs), ``page_cpu_ms`` the CPU time of this process in
  them (the part a busy machine does not inflate; database time excluded),
  ``last_page_ms`` the last page of pairs.

``--json`` prints one JSON object."""

import json
import random
import statistics
import time
import tracemalloc
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring.management.commands.bench_pages import signed_in
from mentoring.matching.solutions import pool_solve_run
from mentoring.matching.synthetic import random_pool
from mentoring.models import MenteeProfile, MentorProfile, PoolSolve
from mentoring.twofactor import APP_DEVICE_NAME
from programs.models import ExperienceArea, Program


class Rollback(Exception):
    pass


def _profile_fields(person, areas):
    return {
        "pathways": sorted(person.pathways),
        "excluded_pathways": sorted(person.excluded_pathways),
        "languages": sorted(person.languages),
        "gender": person.gender,
        "age_range": person.age_range,
        "availability": sorted(person.availability),
        "meeting_modes": sorted(person.modes),
        "city": person.city,
        "postal_code": person.postal_code,
        "interests": sorted(person.interests),
        "topics": sorted(person.topics),
    }


class Command(BaseCommand):
    help = "Time the whole-pool matching page and its background solve on an N × M pool (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--mentees", type=int, default=2000)
        parser.add_argument("--mentors", type=int, default=600)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, mentees, mentors, seed, runs, as_json, **options):
        figures = {}
        try:
            hosts = ["testserver", "localhost"]
            with override_settings(ALLOWED_HOSTS=hosts, DEBUG=False), transaction.atomic():
                figures = self._run(mentees, mentors, seed, runs)
                raise Rollback
        except Rollback:
            pass
        if as_json:
            self.stdout.write(json.dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key:>16}  {value}")

    def _run(self, n, m, seed, runs):
        started = time.perf_counter()
        program, coordinator = self._write_pool(n, m, seed)
        written = time.perf_counter() - started
        client = signed_in(coordinator)
        url = reverse("mentoring:pool", args=[program.pk])

        cpu = []

        def get(query=""):
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(url + query, secure=True)
            if response.status_code != 200:
                raise CommandError(f"{url}{query} answered {response.status_code}")
            cpu.append((time.process_time() - began_cpu) * 1000)
            return (time.perf_counter() - began) * 1000, response

        first_get, response = get()
        if b"Work out pairs" not in response.content:
            raise CommandError("The page did not offer to work out the pairs.")
        began = time.perf_counter()
        answer = client.post(reverse("mentoring:pool_solve", args=[program.pk]), secure=True)
        request_ms = (time.perf_counter() - began) * 1000
        if answer.status_code != 302:
            raise CommandError(f"Work out pairs answered {answer.status_code}")
        solve = PoolSolve.objects.get(program=program)
        began = time.perf_counter()
        pool_solve_run(solve_id=solve.pk)
        solve_s = time.perf_counter() - began
        PoolSolve.objects.filter(pk=solve.pk).update(status=PoolSolve.Status.QUEUED)
        tracemalloc.start()
        pool_solve_run(solve_id=solve.pk)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        solve.refresh_from_db()
        get()  # warm
        cpu.clear()
        page_times = [get()[0] for _ in range(runs)]
        page_cpu = statistics.median(cpu)
        pages = max(1, -(-len(solve.pairs) // 50))
        last_page = statistics.median(get(f"?page={pages}")[0] for _ in range(runs))
        return {
            "mentees": n,
            "mentors": m,
            "write_pool_s": round(written, 1),
            "first_get_ms": round(first_get, 1),
            "request_ms": round(request_ms, 1),
            "solve_s": round(solve_s, 2),
            "solve_peak_mb": round(peak / 2**20, 1),
            "page_ms": round(statistics.median(page_times), 1),
            "page_p95_ms": round(sorted(page_times)[max(0, round(0.95 * len(page_times)) - 1)], 1),
            "page_cpu_ms": round(page_cpu, 1),
            "last_page_ms": round(last_page, 1),
            "matched": len(solve.pairs),
            "objective": round(solve.objective, 1),
        }

    def _write_pool(self, n, m, seed):
        """A program with m ready mentors and n waiting mentees, bulk-written."""
        User = get_user_model()
        mentor_people, mentee_people, _ = random_pool(n, m, seed=seed)
        tag = f"{random.randrange(16**8):08x}"  # noqa: S311  (a name, not a secret)
        program = Program.objects.create(
            name=f"Pool bench {tag}", slug=f"pool-bench-{tag}", background_check_required=False
        )
        areas = ExperienceArea.objects.bulk_create(
            [ExperienceArea(program=program, name=f"Area {a}") for a in range(9)]
        )
        coordinator = User.objects.create_user(email=f"pool-bench-{tag}@example.org", full_name="Pool Bench")
        program.coordinators.add(coordinator)
        TOTPDevice.objects.create(user=coordinator, name=APP_DEVICE_NAME, confirmed=True)
        now = timezone.now()
        users = User.objects.bulk_create(
            [
                User(email=f"pool-bench-{tag}-{side}{i}@example.org", full_name=f"{side.title()} {i}", password="!")
                for side, people in (("mentor", mentor_people), ("mentee", mentee_people))
                for i in range(len(people))
            ],
            batch_size=5000,
        )
        mentor_users, mentee_users = users[: len(mentor_people)], users[len(mentor_people) :]
        mentor_rows = MentorProfile.objects.bulk_create(
            [
                MentorProfile(
                    user=user,
                    program=program,
                    joined_at=now - timedelta(days=400),
                    capacity=person.capacity_left,
                    recovery_months=person.recovery_months,
                    **_profile_fields(person, areas),
                )
                for user, person in zip(mentor_users, mentor_people, strict=True)
            ],
            batch_size=5000,
        )
        mentee_rows = MenteeProfile.objects.bulk_create(
            [
                MenteeProfile(
                    user=user,
                    program=program,
                    joined_at=now - timedelta(days=person.waiting_days),
                    preferred_mentor_gender=person.preferred_gender,
                    **_profile_fields(person, areas),
                )
                for user, person in zip(mentee_users, mentee_people, strict=True)
            ],
            batch_size=5000,
        )
        for model, rows, people in (
            (MentorProfile, mentor_rows, mentor_people),
            (MenteeProfile, mentee_rows, mentee_people),
        ):
            through = model.experience_areas.through
            owner = f"{model._meta.model_name}_id"
            through.objects.bulk_create(
                [
                    through(**{owner: row.pk, "experiencearea_id": areas[area].pk})
                    for row, person in zip(rows, people, strict=True)
                    for area in sorted(person.areas)
                ],
                batch_size=5000,
            )
        if connection.vendor == "postgresql":
            # As a database in use would have: planner statistics that count
            # these rows (ANALYZE sees this transaction's own rows).
            tables = [User, MentorProfile, MenteeProfile, MentorProfile.experience_areas.through]
            tables.append(MenteeProfile.experience_areas.through)
            with connection.cursor() as cursor:
                for model in tables:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        return program, coordinator
