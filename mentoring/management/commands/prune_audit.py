"""Delete read-audit rows older than the retention period.

    python manage.py prune_audit [--days N]

Beat runs the same service daily (mentoring.tasks.prune_audit); the command
is for a one-off run or a system without beat. Prints how many rows went."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mentoring.audit import access_events_prune


class Command(BaseCommand):
    help = "Delete read-audit rows (mentoring.AccessEvent) older than AUDIT_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days instead of AUDIT_RETENTION_DAYS."
        )

    def handle(self, *args, days=None, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if not isinstance(days, int) or days < 1:
            raise CommandError("The retention must be a whole number of days, at least 1.")
        deleted = access_events_prune(days=days)
        self.stdout.write(f"Deleted {deleted} audit rows older than {days} days.")
