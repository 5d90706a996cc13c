"""Seed N due reminders on three channels, write them to the outbox, drain
it; count what each channel's backend actually accepted.

    python manage.py bench_reminders [--count N] [--json] [--timeout S]

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
30 s), without writing or sending anything."""

import json
import time
from collections import Counter
from datetime import timedelta

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils import timezone

from config.celery_app import app
from mentoring.models import Channel, ChannelPreference, Delivery, Notification, ReminderKind
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

    def handle(self, *args, count, as_json, timeout, **options):
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

    def _drain_in_process(self, ids):
        while True:
            batch = outbox.claim(timezone.now(), ids=ids)
            if not batch:
                return
            outbox.send_batch(batch, batch.token)

    def _drain_with_worker(self, ids, timeout):
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False
        try:
            with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30):
                for start in range(0, len(ids), outbox.BATCH):
                    # follow=False: the worker must not go on to claim rows that are not the bench's.
                    batch = outbox.claim(timezone.now(), ids=ids[start : start + outbox.BATCH])
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
