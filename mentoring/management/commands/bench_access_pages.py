"""Time the pages that load a person's matches through the access policy, against the floor.

    python manage.py bench_access_pages [--json] [--runs R]

The pages ``access.visible_matches`` / ``access.match_ids_of`` serve (issue
18, "Other slow paths"): a person page, a match page and the conversations
list, each as the scale coordinator (the person who coordinates the most
programs) and as the busiest mentor (most active matches); the person page
is the mentor's, the match page the mentor's active match with the most
sessions. Timed exactly as ``bench_pages`` times its pages (same floor view,
warm-up, R runs taking turns, then one run counting queries); ``--json``
prints the same shape: {"floor_ms", "floor_p95_ms", "pages": [{"name",
"median_ms", "p95_ms", "queries", "ratio"}]}. Run it on a database with
volume, e.g. after ``seed_scale --mentees 10000``."""

import json
import statistics

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.test.utils import override_settings
from django.urls import reverse

from mentoring.models import Match

from .bench_pages import FLOOR, busiest_coordinator, busiest_mentor, p95, signed_in, time_pages

URLCONF = "mentoring.management.commands.bench_pages"


class Command(BaseCommand):
    help = "Time the person page, a match page and the conversations list (median of R runs) against the floor."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="Timed runs per page, after one warm-up.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object only.")

    def handle(self, *args, runs, as_json, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        coordinator, mentor = busiest_coordinator(), busiest_mentor()
        if coordinator is None or mentor is None:
            raise CommandError("No coordinator or no mentor with an active match: run seed_scale first.")
        match = (
            Match.objects.filter(mentor__user=mentor, status=Match.Status.ACTIVE)
            .annotate(n=Count("sessions"))
            .order_by("-n", "pk")
            .first()
        )
        with override_settings(ROOT_URLCONF=URLCONF, ALLOWED_HOSTS=["testserver", "localhost"], DEBUG=False):
            as_coordinator, as_mentor = signed_in(coordinator), signed_in(mentor)
            person = reverse("mentoring:person_detail", args=[mentor.pk])
            match_page = reverse("mentoring:match_detail", args=[match.pk])
            messages = reverse("conversations:list")
            pages = [
                (FLOOR, reverse("bench_floor"), as_coordinator),
                ("person page (coordinator)", person, as_coordinator),
                ("match page (coordinator)", match_page, as_coordinator),
                ("match page (mentor)", match_page, as_mentor),
                ("conversations (coordinator)", messages, as_coordinator),
                ("conversations (mentor)", messages, as_mentor),
            ]
            timings = time_pages(pages, runs)
        floor_ms = statistics.median(timings[FLOOR]["ms"])
        results = [
            {
                "name": name,
                "median_ms": round(statistics.median(figures["ms"]), 2),
                "p95_ms": round(p95(figures["ms"]), 2),
                "queries": figures["queries"],
                "ratio": round(statistics.median(figures["ms"]) / floor_ms, 2),
            }
            for name, figures in timings.items()
            if name != FLOOR
        ]
        if as_json:
            floor_p95 = round(p95(timings[FLOOR]["ms"]), 2)
            self.stdout.write(json.dumps({"floor_ms": round(floor_ms, 2), "floor_p95_ms": floor_p95, "pages": results}))
            return
        self.stdout.write(f"Median of {runs} run(s) after one warm-up; ratio = page median / floor median.")
        self.stdout.write(f"{FLOOR:<28}  {floor_ms:>10.1f}  {timings[FLOOR]['queries']:>7}  {1:>6.2f}")
        for row in results:
            self.stdout.write(
                f"{row['name']:<28}  {row['median_ms']:>10.1f}  {row['queries']:>7}  {row['ratio']:>6.2f}"
            )
