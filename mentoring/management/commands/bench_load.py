"""Load benchmark: gunicorn on 127.0.0.1 and locust headless over the scale data.

    python manage.py bench_load [--users 10,50] [--run-time 30] [--workers 3] [--json]
    make bench-load

Starts gunicorn (``--workers`` processes, the configured DATABASE_URL:
PostgreSQL or SQLite) on 127.0.0.1 only, serving the app plus bench_pages'
floor page; refreshes the stored figures once (what beat keeps fresh); then
for each user count runs ``locustfile.py`` headless for ``--run-time``
seconds (at most ``--max-requests`` requests) and prints, per page:
requests/s, p50/p95/p99 in ms, errors, and the ratio of its p50 to the
floor's p50 in the same run. Stops gunicorn at the end (or on error).

Needs ``seed_scale`` data: its coordinator (with the documented TOTP key),
the mentors with the most active matches and the mentees in active matches
with the most check-ins sign in as the simulated users."""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from mentoring.insights.snapshots import snapshots_refresh
from mentoring.management.scale import COORDINATOR_EMAIL
from mentoring.models import Match
from mentoring.twofactor import app_device

HOST = "127.0.0.1"
# Distinct mentors and mentees signed in (simulated users share their sessions):
# each sign-in hashes a password, which would otherwise be the load measured.
PEOPLE_PER_ROLE = 5
FLOOR = "floor"


class Command(BaseCommand):
    help = "Run gunicorn on 127.0.0.1 and locust headless at several user counts; print per-page figures."

    def add_arguments(self, parser):
        parser.add_argument("--users", default="10,50", help="Comma-separated simulated user counts (default 10,50).")
        parser.add_argument("--run-time", type=int, default=30, help="Seconds per user count (default 30).")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3).")
        parser.add_argument("--port", type=int, default=8765, help="Port on 127.0.0.1 (default 8765).")
        parser.add_argument("--max-requests", type=int, default=20000, help="Stop a run after this many requests.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object only.")

    def handle(self, *args, users, run_time, workers, port, max_requests, as_json, **options):
        counts = [int(n) for n in users.split(",") if n.strip()]
        if not counts or min(counts) < 1 or run_time < 1 or run_time > 600:
            raise CommandError("--users needs counts of at least 1 and --run-time 1 to 600 seconds.")
        people = load_people(PEOPLE_PER_ROLE)
        snapshots_refresh()
        results = {}
        with gunicorn(port, workers) as base_url, tempfile.TemporaryDirectory() as folder:
            for n, count in enumerate(counts):
                if n:
                    # django-otp takes each 30-second code once (and throttles a wrong
                    # one): the next run's coordinator signs in with a fresh step.
                    time.sleep(31 - time.time() % 30)
                self.stderr.write(f"locust: {count} users for {run_time} s against {base_url} ...")
                prefix = Path(folder) / f"u{count}"
                run_locust(base_url, count, run_time, max_requests, prefix, people)
                results[count] = read_stats(prefix)
        if as_json:
            self.stdout.write(json.dumps({str(count): rows for count, rows in results.items()}))
            return
        for count, rows in results.items():
            self.print_table(count, run_time, rows)

    def print_table(self, count, run_time, rows):
        if not rows:
            self.stdout.write(f"\n{count} users, {run_time} s: no page answered (see locust's errors above).")
            return
        width = max(len(row["name"]) for row in rows)
        self.stdout.write(f"\n{count} users, {run_time} s; ratio = page p50 / floor p50")
        self.stdout.write(
            f"{'page':<{width}}  {'req/s':>6}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  {'errors':>6}  {'ratio':>6}"
        )
        for row in rows:
            ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
            self.stdout.write(
                f"{row['name']:<{width}}  {row['rps']:>6.1f}  {row['p50_ms']:>7.0f}  {row['p95_ms']:>7.0f}"
                f"  {row['p99_ms']:>7.0f}  {row['errors']:>6}  {ratio:>6}"
            )


def load_people(count):
    """{"coordinator", "mentors", "mentees"} emails for ``count`` simulated users."""
    users = get_user_model().objects
    coordinator = users.filter(email=COORDINATOR_EMAIL).first()
    if coordinator is None or app_device(coordinator) is None:
        raise CommandError(f"No {COORDINATOR_EMAIL} with an authenticator app: run seed_scale first.")
    active = Q(mentor_profiles__matches__status=Match.Status.ACTIVE)
    mentors = users.annotate(active=Count("mentor_profiles__matches", filter=active)).filter(active__gt=0)
    mentees = users.filter(mentee_profiles__matches__status=Match.Status.ACTIVE).annotate(
        checkins=Count("mentee_profiles__checkins", distinct=True)
    )
    return {
        "coordinator": coordinator.email,
        "mentors": list(mentors.order_by("-active", "pk").values_list("email", flat=True)[:count]),
        "mentees": list(mentees.order_by("-checkins", "pk").values_list("email", flat=True)[:count]),
    }


class gunicorn:
    """Context manager: gunicorn serving mentoring.management.load.wsgi on 127.0.0.1:port; yields its URL."""

    def __init__(self, port, workers):
        self.port, self.workers, self.process = port, workers, None

    def __enter__(self):
        if _listening(self.port):
            raise CommandError(f"Something already listens on {HOST}:{self.port}: pass another --port.")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "mentoring.management.load.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            # No control socket: gunicorn's default one (~/.gunicorn/gunicorn.ctl) is shared by
            # every gunicorn of the user, e.g. `make run` beside this benchmark.
            "--no-control-socket",
        ]
        # Fixed arguments (no user input): this interpreter, gunicorn, a port number.
        self.process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy())  # noqa: S603
        for _ in range(300):
            if self.process.poll() is not None:
                raise CommandError("gunicorn stopped while starting; see its output above.")
            if _listening(self.port):
                return f"http://{HOST}:{self.port}"
            time.sleep(0.1)
        self.__exit__(None, None, None)
        raise CommandError("gunicorn did not start listening within 30 s.")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return False


def _listening(port):
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((HOST, port)) == 0


def run_locust(base_url, count, run_time, max_requests, prefix, people):
    locust = Path(sys.executable).with_name("locust")
    env = {
        **os.environ,
        "LOAD_COORDINATOR": people["coordinator"],
        "LOAD_MENTORS": ",".join(people["mentors"]),
        "LOAD_MENTEES": ",".join(people["mentees"]),
        "LOAD_MAX_REQUESTS": str(max_requests),
    }
    command = [
        str(locust) if locust.exists() else "locust",
        "-f",
        str(Path(settings.BASE_DIR) / "locustfile.py"),
        "--headless",
        "--users",
        str(count),
        "--spawn-rate",
        str(count),
        "--run-time",
        f"{run_time}s",
        "--host",
        base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    finished = subprocess.run(  # noqa: S603 (fixed arguments)
        command, env=env, timeout=run_time + 120, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if finished.returncode != 0:
        raise CommandError(f"locust exited with {finished.returncode}: {finished.stderr[-2000:]}")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        for row in list(csv.DictReader(failures.open(newline="")))[:10]:
            sys.stderr.write(f"  {row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}\n")


def read_stats(prefix):
    """[{name, requests, rps, p50_ms, p95_ms, p99_ms, errors, ratio}] from locust's CSV, the floor first."""
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            if row["Name"] in ("Aggregated", "sign in"):
                continue
            rows.append(
                {
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50_ms": float(row["50%"] if row["50%"] != "N/A" else 0),
                    "p95_ms": float(row["95%"] if row["95%"] != "N/A" else 0),
                    "p99_ms": float(row["99%"] if row["99%"] != "N/A" else 0),
                    "errors": int(row["Failure Count"]),
                }
            )
    floor = next((row for row in rows if row["name"] == FLOOR), None)
    for row in rows:
        row["ratio"] = round(row["p50_ms"] / floor["p50_ms"], 2) if floor and floor["p50_ms"] else None
    return sorted(rows, key=lambda row: (row["name"] != FLOOR, row["name"]))
