"""Time the reports' CSV downloads on the current database.

    python manage.py bench_exports [--months 12] [--runs 3] [--json] [--report sessions --report checkins]

Each export (default: sessions and check-ins) is downloaded as the coordinator
of the most programs, for the last ``--months`` whole months up to today (all
their programs, no mentor), once to warm up and then ``--runs`` times:
the time to the first byte (the response returned and its first chunk, the
header line, read), the total time (every line read), the lines and the SQL
queries of the last run. ``--json`` prints {"exports": [{"report", "start",
"end", "ttfb_ms", "total_ms", "lines", "queries"}]} (medians).

Run it on a database with volume, e.g. after ``seed_scale --mentees 10000``."""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from mentoring.insights.reports import REPORTS, last_months
from mentoring.management.commands.bench_pages import busiest_coordinator, signed_in


class Command(BaseCommand):
    help = "Time the reports' CSV downloads (time to first byte and total) for the last months."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12, help="Months up to today (default 12).")
        parser.add_argument("--runs", type=int, default=3, help="Timed runs per export, after one warm-up.")
        parser.add_argument("--report", action="append", dest="reports", help="A report slug (repeatable).")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object only.")

    def handle(self, *args, months, runs, reports, as_json, **options):
        reports = reports or ["sessions", "checkins"]
        unknown = [slug for slug in reports if slug not in REPORTS]
        if unknown or runs < 1 or not 1 <= months <= 36:
            raise CommandError(f"Reports are {', '.join(REPORTS)}; --runs ≥ 1; --months 1–36.")
        coordinator = busiest_coordinator()
        if coordinator is None:
            raise CommandError("No coordinator in this database: run seed_scale first.")
        with timezone.override(coordinator.zone):
            start, end = last_months(months)
        client = signed_in(coordinator)
        query = {"start": start.isoformat(), "end": end.isoformat()}
        results = []
        with override_settings(ALLOWED_HOSTS=["testserver", "localhost"], DEBUG=False):
            for slug in reports:
                url = reverse("mentoring:report_export", args=[slug])
                download(client, url, query)  # warm-up
                ttfb, total = [], []
                for _ in range(runs):
                    first, whole, lines = download(client, url, query)
                    ttfb.append(first)
                    total.append(whole)
                with CaptureQueriesContext(connection) as queries:
                    download(client, url, query)
                results.append(
                    {
                        "report": slug,
                        "start": query["start"],
                        "end": query["end"],
                        "ttfb_ms": round(statistics.median(ttfb), 1),
                        "total_ms": round(statistics.median(total), 1),
                        "lines": lines,
                        "queries": len(queries),
                    }
                )
        if as_json:
            self.stdout.write(json.dumps({"exports": results}))
            return
        for row in results:
            self.stdout.write(
                f"{row['report']:<10} {row['start']}–{row['end']}: first byte {row['ttfb_ms']:.0f} ms, "
                f"total {row['total_ms']:.0f} ms, {row['lines']:,} lines, {row['queries']} queries"
            )


def download(client, url, query):
    """(ms to the first chunk, ms to the last, lines) of one streamed download."""
    started = time.perf_counter()
    response = client.get(url, query, secure=True)
    if response.status_code != 200:
        raise CommandError(f"{url} answered {response.status_code}, not 200.")
    chunks = iter(response.streaming_content)
    first_chunk = next(chunks, b"")
    first = (time.perf_counter() - started) * 1000
    lines = first_chunk.count(b"\n") + sum(chunk.count(b"\n") for chunk in chunks)
    return first, (time.perf_counter() - started) * 1000, lines
