"""Seed N due reminders, dispatch them and send them; count duplicates and losses.

    python manage.py bench_reminders [--count N] [--json]

With a Redis broker the sends go through a real Celery worker (started in
this process); otherwise they run in-process. The seeded rows are removed
afterwards, so it can run on a database with real data."""

import json
import time
from datetime import timedelta

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from config.celery_app import app
from mentoring.models import Channel, Delivery, Notification, ReminderKind
from mentoring.notifications.outbox import claim, enqueue_sends, send

BENCH_KIND = ReminderKind.CHECKIN_DUE
SUBJECT_PREFIX = "bench:"


class Command(BaseCommand):
    help = "Benchmark the reminder outbox: dispatch and send N due reminders."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object.")
        parser.add_argument("--timeout", type=int, default=600, help="Seconds to wait for the worker.")

    def handle(self, *args, count, as_json, timeout, **options):
        self._cleanup()
        user = self._bench_user()
        now = timezone.now()
        started = time.perf_counter()
        Delivery.objects.bulk_create(
            [
                Delivery(
                    kind=BENCH_KIND,
                    subject=f"{SUBJECT_PREFIX}{i}",
                    recipient=user,
                    channel=Channel.IN_APP,
                    due_at=now - timedelta(minutes=1),
                    next_attempt_at=now,
                )
                for i in range(count)
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
        claimed = []
        while True:
            with transaction.atomic():  # SKIP LOCKED needs a transaction on PostgreSQL
                batch = claim(timezone.now())
            if not batch:
                break
            claimed += batch
        dispatch_seconds = time.perf_counter() - started
        started = time.perf_counter()
        real_worker = settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
        if real_worker:
            self._send_with_worker(claimed, count, timeout)
        else:
            for pk in claimed:
                send(pk)
        send_seconds = time.perf_counter() - started
        figures = self._figures(count, dispatch_seconds, send_seconds, real_worker)
        self._cleanup()
        self.stdout.write(json.dumps(figures) if as_json else self._text(figures))

    def _send_with_worker(self, claimed, count, timeout):
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False
        try:
            with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30):
                enqueue_sends(claimed)
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    left = Delivery.objects.filter(subject__startswith=SUBJECT_PREFIX, status=Delivery.Status.SENDING)
                    if not left.exists():
                        break
                    time.sleep(0.2)
        finally:
            app.conf.task_always_eager = eager

    def _figures(self, count, dispatch_seconds, send_seconds, real_worker):
        rows = Delivery.objects.filter(subject__startswith=SUBJECT_PREFIX)
        sent = rows.filter(status=Delivery.Status.SENT).count()
        notes = Notification.objects.filter(delivery__subject__startswith=SUBJECT_PREFIX)
        duplicates = (
            notes.values("delivery_id").annotate(n=Count("pk")).filter(n__gt=1).count()
            + rows.values("subject").annotate(n=Count("pk")).filter(n__gt=1).count()
        )
        return {
            "reminders": count,
            "dispatch_seconds": round(dispatch_seconds, 3),
            "send_seconds": round(send_seconds, 3),
            "sent": sent,
            "duplicates": duplicates,
            "lost": count - notes.count(),
            "worker": "celery" if real_worker else "in-process",
        }

    def _text(self, f):
        return (
            f"reminders {f['reminders']} ({f['worker']})\n"
            f"dispatch: {f['dispatch_seconds']:.3f} s   send: {f['send_seconds']:.3f} s\n"
            f"sent {f['sent']}   duplicates {f['duplicates']}   lost {f['lost']}"
        )

    def _bench_user(self):
        user, _ = get_user_model().objects.get_or_create(
            email="bench-reminders@example.invalid", defaults={"full_name": "Bench", "is_active": True}
        )
        return user

    def _cleanup(self):
        Notification.objects.filter(user__email="bench-reminders@example.invalid").delete()
        Delivery.objects.filter(subject__startswith=SUBJECT_PREFIX).delete()
        get_user_model().objects.filter(email="bench-reminders@example.invalid").delete()
