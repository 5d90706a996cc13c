"""Seed N due reminders on three channels, write them to the outbox, drain
it; count what each channel's backend actually accepted.

    python manage.py bench_reminders [--count N] [--json] [--timeout S]
    python manage.py bench_reminders --nine-am [--json] [--timeout S]

Each reminder goes in the app, by email and by text message (3·N outbox
rows). ``send_cpu_seconds`` is this process's CPU time while draining (on
a busy machine the wall-clock figure mostly measures the wait). Email goes to Django's locmem backend and texts to
LocmemSMSBackend for the run, so the figures count what the backends
accepted: in-app notifications, emails grouped by Message-ID, texts grouped
by idempotency key. ``duplicates`` = messages accepted more than once for one
row, ``lost`` = rows whose message no backend accepted.

With a Redis broker the sends go through a real Celery worker (started in
this process, 4 threads); otherwise the batches run in-process. Only the
rows the command created are claimed and sent; they are removed afterwards,
so it can run on a database with real data. ``dispatch_scan_seconds`` is one
incremental dispatch's read of the real data (what became due in the last
30 s), without writing or sending anything.

``--nine-am`` measures the busiest moment of the day on the data already in
the database (``seed_scale``): the next 9:00 in the zone where most mentees
live, when every check-in reminder of that zone falls due at once. It runs
the one incremental dispatch of that minute (``collect_due`` + ``write_due``
for the 30 s before 9:00:10 local), drains what it wrote through the same
worker and backends, counts per channel, then deletes what it wrote (the
outbox rows and their in-app notifications). ``accepted_within_seconds`` is
from the start of that dispatch to the last message accepted; a beat tick
comes at most 60 s after 9:00, so a reminder reaches its channel within
60 s + that figure of 9:00. For a scale database: it writes in-app
notifications for the seeded people while it runs."""

import json
import os
import time
from collections import Counter
from datetime import timedelta

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from config.celery_app import app
from mentoring.models import Channel, ChannelPreference, Delivery, MenteeProfile, Notification, ReminderKind, zone_named
from mentoring.notifications import outbox
from mentoring.notifications.sms import LocmemSMSBackend

BENCH_KIND = ReminderKind.CHECKIN_DUE
SUBJECT_PREFIX = "bench:"
BENCH_EMAIL = "bench-reminders@example.invalid"
CHANNELS = (Channel.IN_APP, Channel.EMAIL, Channel.SMS)


class Command(BaseCommand):
    help = "Benchmark the outbox: write and drain N due reminders on three channels; count what each channel accepted."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object.")
        parser.add_argument("--timeout", type=int, default=600, help="Seconds to wait for the worker.")
        parser.add_argument(
            "--nine-am",
            action="store_true",
            help="Dispatch and drain the next 9:00 check-in reminders of the busiest zone on this database's data.",
        )

    def handle(self, *args, count, as_json, timeout, nine_am=False, **options):
        if nine_am:
            figures = self._nine_am(timeout)
            self.stdout.write(json.dumps(figures) if as_json else json.dumps(figures, indent=2))
            return
        self._cleanup()
        user = self._bench_user()
        real_worker = settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SMS_BACKEND="mentoring.notifications.sms.LocmemSMSBackend",
        ):
            mail.outbox = []
            LocmemSMSBackend.outbox.clear()
            scan_seconds = self._scan()
            now = timezone.now()
            started = time.perf_counter()
            dues = [
                outbox.Due(BENCH_KIND, f"{SUBJECT_PREFIX}{i}", user, now - timedelta(minutes=1)) for i in range(count)
            ]
            outbox.write_due(dues, now)
            dispatch_seconds = time.perf_counter() - started
            ids = list(Delivery.objects.filter(subject__startswith=SUBJECT_PREFIX).values_list("pk", flat=True))
            started, cpu = time.perf_counter(), time.process_time()
            if real_worker:
                self._drain_with_worker(ids, timeout)
            else:
                self._drain_in_process(ids)
            send_seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            figures = self._figures(count, ids, dispatch_seconds, send_seconds, scan_seconds, real_worker)
            figures["send_cpu_seconds"] = round(cpu, 3)
            mail.outbox = []
            LocmemSMSBackend.outbox.clear()
        self._cleanup()
        self.stdout.write(json.dumps(figures) if as_json else self._text(figures))

    def _scan(self):
        """One beat tick's read: what became due in the last 30 s (nothing written)."""
        now = timezone.now()
        started = time.perf_counter()
        outbox.outbox_rows(list(outbox.collect_due(now, since=now - timedelta(seconds=30))), now)
        return time.perf_counter() - started

    def _nine_am(self, timeout):
        """Dispatch and drain the 9:00 reminders of the busiest zone (see the module docstring)."""
        zones = Counter(MenteeProfile.objects.values_list("user__time_zone", flat=True))
        if not zones:
            raise CommandError("No mentees here: run seed_scale first.")
        zone, in_zone = zones.most_common(1)[0]
        local = timezone.now().astimezone(zone_named(zone))
        nine = (local + timedelta(days=1)).replace(hour=9, minute=0, second=10, microsecond=0)
        real_worker = settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
        before = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SMS_BACKEND="mentoring.notifications.sms.LocmemSMSBackend",
        ):
            mail.outbox = []
            LocmemSMSBackend.outbox.clear()
            try:
                started, cpu = time.perf_counter(), time.process_time()
                dues = list(outbox.collect_due(nine, since=nine - timedelta(seconds=30)))
                collected = time.perf_counter()
                outbox.write_due(dues, nine)
                written, dispatch_cpu = time.perf_counter(), time.process_time() - cpu
                rows = Delivery.objects.filter(pk__gt=before, created_at=nine)
                ids = list(rows.filter(next_attempt_at__lte=nine).values_list("pk", flat=True))
                quiet = rows.filter(next_attempt_at__gt=nine).count()
                if real_worker:
                    self._drain_with_worker(ids, timeout, now=nine)
                else:
                    self._drain_in_process(ids, now=nine)
                finished = time.perf_counter()
                figures = self._figures(len(dues), ids, written - started, finished - written, 0, real_worker)
            finally:
                created = Delivery.objects.filter(pk__gt=before, created_at=nine)
                Notification.objects.filter(delivery__in=created).delete()
                created.delete()
                mail.outbox = []
                LocmemSMSBackend.outbox.clear()
        for key in ("reminders", "dispatch_scan_seconds"):
            figures.pop(key)
        return {
            "mentees": MenteeProfile.objects.count(),
            "zone": zone,
            "mentees_in_zone": in_zone,
            "due": len(dues),
            "collect_seconds": round(collected - started, 3),
            "write_seconds": round(written - collected, 3),
            "dispatch_cpu_seconds": round(dispatch_cpu, 3),
            **figures,
            "held_by_quiet_hours": quiet,
            "accepted_within_seconds": round(finished - started, 3),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }

    def _drain_in_process(self, ids, now=None):
        for start in range(0, len(ids), outbox.BATCH):  # a batch's ids at a time, as the worker path does
            part = ids[start : start + outbox.BATCH]
            while batch := outbox.claim(now or timezone.now(), ids=part):
                outbox.send_batch(batch, batch.token)

    def _drain_with_worker(self, ids, timeout, now=None):
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False
        try:
            with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30):
                for start in range(0, len(ids), outbox.BATCH):
                    # follow=False: the worker must not go on to claim rows that are not the bench's.
                    batch = outbox.claim(now or timezone.now(), ids=ids[start : start + outbox.BATCH])
                    outbox.enqueue_batch(batch, batch.token, follow=False)
                deadline = time.monotonic() + timeout
                rows = Delivery.objects.filter(pk__in=ids)
                while time.monotonic() < deadline and rows.filter(status=Delivery.Status.SENDING).exists():
                    time.sleep(0.05)
        finally:
            app.conf.task_always_eager = eager

    def _figures(self, count, ids, dispatch_seconds, send_seconds, scan_seconds, real_worker):
        rows = Delivery.objects.filter(pk__in=ids)
        expected = {channel: set() for channel in CHANNELS}
        for pk, channel in rows.values_list("pk", "channel"):
            expected[channel].add(pk)
        probe = Delivery(pk=0)
        email_ids = {Delivery(pk=pk).message_id: pk for pk in expected[Channel.EMAIL]}
        sms_keys = {Delivery(pk=pk).idempotency_key: pk for pk in expected[Channel.SMS]}
        accepted = {
            Channel.IN_APP: Counter(
                Notification.objects.filter(delivery_id__in=ids).values_list("delivery_id", flat=True)
            ),
            Channel.EMAIL: Counter(email_ids.get(m.extra_headers.get("Message-ID"), probe.pk) for m in mail.outbox),
            Channel.SMS: Counter(sms_keys.get(key, probe.pk) for _, _, key in LocmemSMSBackend.outbox),
        }
        per_channel = {str(channel): sum(accepted[channel].values()) for channel in CHANNELS}
        duplicates = sum(n - 1 for counts in accepted.values() for n in counts.values() if n > 1)
        lost = sum(len(expected[channel] - set(accepted[channel])) for channel in CHANNELS)
        sent = rows.filter(status=Delivery.Status.SENT).count()
        return {
            "reminders": count,
            "deliveries": len(ids),
            "dispatch_seconds": round(dispatch_seconds, 3),
            "dispatch_scan_seconds": round(scan_seconds, 3),
            "send_seconds": round(send_seconds, 3),
            "drain_per_second": round(len(ids) / send_seconds) if send_seconds else None,
            "sent": sent,
            "per_channel": per_channel,
            "duplicates": duplicates,
            "lost": lost,
            "worker": "celery" if real_worker else "in-process",
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        }

    def _text(self, f):
        channels = "   ".join(f"{name} {n}" for name, n in f["per_channel"].items())
        return (
            f"reminders {f['reminders']} ({f['deliveries']} deliveries, {f['worker']}, {f['database']})\n"
            f"dispatch: {f['dispatch_seconds']:.3f} s   one tick's scan: {f['dispatch_scan_seconds']:.3f} s\n"
            f"send: {f['send_seconds']:.3f} s ({f['drain_per_second']}/s)\n"
            f"accepted: {channels}\n"
            f"sent {f['sent']}   duplicates {f['duplicates']}   lost {f['lost']}"
        )

    def _bench_user(self):
        user, _ = get_user_model().objects.get_or_create(
            email=BENCH_EMAIL,
            defaults={
                "full_name": "Bench",
                "is_active": True,
                "ok_to_text": True,
                "text_confirmed_at": timezone.now(),
                "phone": "+15550100000",
            },
        )
        ChannelPreference.objects.update_or_create(
            user=user, kind=BENCH_KIND, defaults={"in_app": True, "email": True, "sms": True}
        )
        return user

    def _cleanup(self):
        Notification.objects.filter(user__email=BENCH_EMAIL).delete()
        Delivery.objects.filter(subject__startswith=SUBJECT_PREFIX).delete()
        get_user_model().objects.filter(email=BENCH_EMAIL).delete()
