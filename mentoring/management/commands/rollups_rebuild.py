"""Rebuild the report rollups from the data (mentoring.insights.rollups).

    python manage.py rollups_rebuild

Deletes and recomputes every CheckinWeek and ReportMonth row in every zone
the rollups are kept in (the default user zone, the site zone, every
program's and every coordinator's zone), in one transaction per zone, and
marks those zones built. Run it after loading data past the services (an
import, a restore, rows edited in the admin); seed_demo and seed_scale run it
themselves, and beat builds a zone that is missing. Prints the rows per zone."""

import time

from django.core.management.base import BaseCommand

from mentoring.insights.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the report rollups (check-in weeks, whole past months) from the data."

    def handle(self, *args, **options):
        started = time.perf_counter()
        for zone, (person_weeks, months, weeks) in rollups_rebuild().items():
            self.stdout.write(f"{zone}: {person_weeks} person-weeks, {months} program months, {weeks} program weeks")
        self.stdout.write(self.style.SUCCESS(f"Rollups rebuilt in {time.perf_counter() - started:.1f} s."))
