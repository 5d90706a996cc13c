"""Time the main pages on the current database, against a floor.

    python manage.py bench_pages [--json] [--runs R]

``--json`` prints {"floor_ms", "floor_p95_ms", "floor_cpu_ms", "pages": [{"name",
"median_ms", "p95_ms", "queries", "ratio", "cpu_ms", "cpu_ratio"}]} (ratio: page
median / floor median; cpu_ms: the median CPU time of this process per request,
which leaves out the database and waiting for a core, and cpu_ratio the same
over the floor's: steadier than wall time on a busy machine).

Each page is requested as the person it is for (the coordinator of the most
programs, the mentor with the most active matches, the mentee in an active
match with the most check-ins): once to warm up, then R timed runs, then once
more to count its SQL queries. The floor is a view that runs one trivial
query and renders base.html, timed in the same runs: a page's ratio to it
says what the page costs beyond what every page costs, in a way that carries
from one machine to another better than milliseconds do.

Run it on a database with volume, e.g. after ``seed_scale --mentees 10000``."""

import json
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Q
from django.shortcuts import render
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path, reverse
from django_otp import DEVICE_ID_SESSION_KEY

from mentoring.insights.reports import REPORTS
from mentoring.models import Match
from mentoring.twofactor import app_device

FLOOR = "floor"


def floor_view(request):
    """What every page costs at least: one query and the base template."""
    get_user_model().objects.filter(pk=request.user.pk).exists()
    return render(request, "base.html")


# The URLconf while benchmarking: the app's URLs plus the floor, so that the
# floor never becomes a URL of the real app.
urlpatterns = [
    path("bench-floor/", floor_view, name="bench_floor"),
    path("", include("config.urls")),
]


class Command(BaseCommand):
    help = "Time the main pages (median of R runs), count their queries and compare them with a floor view."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="Timed runs per page, after one warm-up.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object only.")

    def handle(self, *args, runs, as_json, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver", "localhost"], DEBUG=False):
            pages = self.pages_to_time()
            if not pages:
                raise CommandError("No coordinator, mentor or mentee in this database: run seed_scale first.")
            timings = time_pages(pages, runs)
        floor_ms = statistics.median(timings[FLOOR]["ms"])
        floor_cpu = statistics.median(timings[FLOOR]["cpu"])
        results = [
            {
                "name": name,
                "median_ms": round(statistics.median(figures["ms"]), 2),
                "p95_ms": round(p95(figures["ms"]), 2),
                "queries": figures["queries"],
                "ratio": round(statistics.median(figures["ms"]) / floor_ms, 2),
                "cpu_ms": round(statistics.median(figures["cpu"]), 2),
                "cpu_ratio": round(statistics.median(figures["cpu"]) / floor_cpu, 2),
            }
            for name, figures in timings.items()
            if name != FLOOR
        ]
        if as_json:
            floor_p95 = round(p95(timings[FLOOR]["ms"]), 2)
            floor = {"floor_ms": round(floor_ms, 2), "floor_p95_ms": floor_p95, "floor_cpu_ms": round(floor_cpu, 2)}
            self.stdout.write(json.dumps({**floor, "pages": results}))
        else:
            self.print_table(floor_ms, timings[FLOOR]["queries"], results, runs)

    def pages_to_time(self):
        """[(name, url, signed-in client)], the floor first. A role nobody
        holds is skipped with a note on stderr."""
        people = {"coordinator": busiest_coordinator(), "mentor": busiest_mentor(), "mentee": busiest_mentee()}
        for role, user in people.items():
            if user is None:
                self.stderr.write(f"No {role} in this database: skipping the {role} pages.")
        clients = {role: signed_in(user) for role, user in people.items() if user is not None}
        if not clients:
            return []
        wanted = [(FLOOR, next(iter(clients)), reverse("bench_floor"))]
        wanted += [
            ("coordinator home", "coordinator", reverse("mentoring:home_coordinator")),
            ("needs attention", "coordinator", reverse("mentoring:attention")),
        ]
        wanted += [(f"report: {slug}", "coordinator", reverse("mentoring:report", args=[slug])) for slug in REPORTS]
        wanted += [
            ("mentor home", "mentor", reverse("mentoring:home_mentor")),
            ("mentee home", "mentee", reverse("mentoring:home_mentee")),
            ("resource search", "coordinator", reverse("resources:directory") + "?q=housing"),
        ]
        return [(name, url, clients[role]) for name, role, url in wanted if role in clients]

    def print_table(self, floor_ms, floor_queries, results, runs):
        width = max(len(row["name"]) for row in results + [{"name": FLOOR}])
        self.stdout.write(f"Median of {runs} run(s) after one warm-up; ratio = page median / floor median.\n")
        self.stdout.write(f"{'page':<{width}}  {'median ms':>10}  {'p95 ms':>8}  {'queries':>7}  {'ratio':>6}")
        self.stdout.write(f"{FLOOR:<{width}}  {floor_ms:>10.1f}  {'':>8}  {floor_queries:>7}  {1:>6.2f}")
        for row in results:
            self.stdout.write(
                f"{row['name']:<{width}}  {row['median_ms']:>10.1f}  {row['p95_ms']:>8.1f}  {row['queries']:>7}"
                f"  {row['ratio']:>6.2f}"
            )


def time_pages(pages, runs):
    """{name: {"ms": [one time per run], "cpu": [CPU ms per run], "queries": n}}. Pages take turns
    within each run, so that a slow moment of the machine falls on all of
    them rather than on one."""
    for name, url, client in pages:  # warm-up: caches, first-use rows, compiled templates
        get_ok(name, url, client)
    timings = {name: {"ms": [], "cpu": [], "queries": 0} for name, _, _ in pages}
    for _ in range(runs):
        for name, url, client in pages:
            started, cpu = time.perf_counter(), time.process_time()
            get_ok(name, url, client)
            timings[name]["ms"].append((time.perf_counter() - started) * 1000)
            timings[name]["cpu"].append((time.process_time() - cpu) * 1000)
    # Counted apart from the timed runs: capturing queries slows them down.
    for name, url, client in pages:
        with CaptureQueriesContext(connection) as queries:
            get_ok(name, url, client)
        timings[name]["queries"] = len(queries)
    return timings


def p95(values):
    """The 95th percentile (inclusive method: within the values measured; one value is its own)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def get_ok(name, url, client):
    # secure=True: with DEBUG off the settings may redirect plain HTTP to HTTPS.
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise CommandError(f"{name} ({url}) answered {response.status_code}, not 200.")
    return response


def signed_in(user):
    """A client signed in as ``user``. A person with an authenticator app (every
    coordinator must have one; seed_scale gives its coordinator one) gets the
    session the second step leaves: django-otp's verified device in it."""
    client = Client()
    client.force_login(user)
    device = app_device(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def busiest_coordinator():
    """The person who coordinates the most programs."""
    users = get_user_model().objects.annotate(programs=Count("coordinated_programs")).filter(programs__gt=0)
    return users.order_by("-programs", "pk").first()


def busiest_mentor():
    """The mentor with the most active matches (across their programs)."""
    active = Q(mentor_profiles__matches__status=Match.Status.ACTIVE)
    users = get_user_model().objects.annotate(active=Count("mentor_profiles__matches", filter=active))
    return users.filter(active__gt=0).order_by("-active", "pk").first()


def busiest_mentee():
    """The mentee in an active match with the most check-ins."""
    in_active = get_user_model().objects.filter(mentee_profiles__matches__status=Match.Status.ACTIVE)
    users = in_active.annotate(checkins=Count("mentee_profiles__checkins", distinct=True))
    return users.order_by("-checkins", "pk").first()
