"""Raise N help-now alerts through the real path and measure how fast each
channel's backend accepted the message; then check the escalation ladder.

    python manage.py bench_safety [--count N] [--json] [--timeout S]

Path: a Django test client signs in as one of N bench mentees and POSTs the
check-in form with "I need help now" → goals.services (checkin_submit →
the alert → notify(urgency="now")) → outbox rows → claimed and queued when
the transaction commits → sent by a real Celery worker (started in this
process, 4 threads) when the broker is Redis, in-process (eager) otherwise;
``--external-worker``: a running ``celery -A config worker`` does the sends
(for a broker restart: the in-process test worker does not reconnect).

"Accepted" is when the backend took the message: the in-app Notification
row's ``created_at``; for email and texts, the moment Django's locmem email
backend / the locmem text backend (both timed for the run) received it.
Latency = accepted − the moment just before the POST ("the tap"), seconds.

Then the clock is moved on (``now`` passed, nothing waits) by the program's
``escalate_after_minutes``: each open alert's step 1 (the fallback) must be
written and sent once (``escalations``); then every alert is acknowledged and
a later step must find nothing (``escalations_after_ack``, should be 0).

``duplicates``: messages a backend accepted more than once for one outbox row;
``lost``: rows no backend accepted. The command creates its own program,
people and alerts and removes them (and their outbox rows) afterwards."""

import json
import statistics
import time
from collections import defaultdict
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management.base import BaseCommand
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from config.celery_app import app
from goals.models import SafetyAlert
from goals.reminders import _safety_alerts
from goals.services import alert_acknowledge
from mentoring.models import Channel, Delivery, Match, MenteeProfile, MentorProfile, Notification, ReminderKind
from mentoring.notifications import outbox
from mentoring.notifications.sms import LocmemSMSBackend
from programs.models import OnCallShift, Program

SLUG = "bench-safety"
EMAIL = "bench-safety-{}@example.invalid"
CHANNELS = (Channel.IN_APP, Channel.EMAIL, Channel.SMS)
ACCEPTED = {}  # email Message-ID or text idempotency key -> [wall-clock seconds, ...]


def _accepted_log():
    return Path(settings.VAR_DIR) / "bench-safety-accepted.tsv"


def _note(key):
    """Note that a backend accepted the message ``key`` now: in this process's
    ``ACCEPTED`` and in a file (an external worker's backends write there too)."""
    now = time.time()
    ACCEPTED.setdefault(key, []).append(now)
    with _accepted_log().open("a") as log:
        log.write(f"{key}\t{now}\n")


def _read_accepted():
    ACCEPTED.clear()
    if _accepted_log().exists():
        for line in _accepted_log().read_text().splitlines():
            key, _, when = line.partition("\t")
            ACCEPTED.setdefault(key, []).append(float(when))


class TimedEmailBackend(EmailBackend):
    """Django's locmem backend that notes when each message was accepted (for
    an external worker: EMAIL_BACKEND=goals.management.commands.bench_safety.TimedEmailBackend)."""

    def send_messages(self, messages):
        for message in messages:
            _note(message.extra_headers.get("Message-ID"))
        return super().send_messages(messages)


class TimedSMSBackend(LocmemSMSBackend):
    """(SMS_BACKEND=goals.management.commands.bench_safety.TimedSMSBackend for an external worker.)"""

    def send(self, to, text, *, idempotency_key):
        _note(idempotency_key)
        super().send(to, text, idempotency_key=idempotency_key)


class Command(BaseCommand):
    help = "Benchmark help-now alerts: tap to accepted per channel, escalations, duplicates, lost."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100)
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object.")
        parser.add_argument("--timeout", type=int, default=120, help="Seconds to wait for the sends.")
        parser.add_argument(
            "--external-worker",
            action="store_true",
            help="Do not start a worker: a running `celery -A config worker` (Redis broker) sends.",
        )

    def handle(self, *args, count, as_json, timeout, external_worker=False, **options):
        self._cleanup()
        ACCEPTED.clear()
        _accepted_log().unlink(missing_ok=True)
        real_worker = settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
        eager = app.conf.task_always_eager
        try:
            with override_settings(
                EMAIL_BACKEND=f"{__name__}.TimedEmailBackend",
                SMS_BACKEND=f"{__name__}.TimedSMSBackend",
                ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            ):
                mail.outbox = []
                program, mentees = self._setup(count)
                app.conf.task_always_eager = not real_worker
                if real_worker and external_worker:
                    figures = self._run(program, mentees, timeout)
                elif real_worker:
                    with start_worker(
                        app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30
                    ):
                        figures = self._run(program, mentees, timeout)
                else:
                    figures = self._run(program, mentees, timeout)
        finally:
            app.conf.task_always_eager = eager
            mail.outbox = []
            LocmemSMSBackend.outbox.clear()
            _accepted_log().unlink(missing_ok=True)
            self._cleanup()
        figures["worker"] = ("external celery" if external_worker else "celery") if real_worker else "in-process"
        self.stdout.write(json.dumps(figures) if as_json else self._text(figures))

    # --- the run ---------------------------------------------------------------------------------------

    def _run(self, program, mentees, timeout):
        taps = {}
        client = Client()
        for mentee in mentees:
            client.force_login(mentee.user)
            taps[mentee.pk] = time.time()
            response = client.post(reverse("goals:checkin"), {"mood": "2", "needs_help": "on"})
            if response.status_code != 302:
                raise RuntimeError(f"the check-in answered {response.status_code}")
        alerts = list(SafetyAlert.objects.filter(mentee__program=program, kind=SafetyAlert.Kind.HELP_NOW))
        first = self._wait(alerts, timeout)
        _read_accepted()
        per_channel = self._latency(first, {a.pk: taps[a.mentee_id] for a in alerts})

        later = timezone.now() + timedelta(minutes=program.escalate_after_minutes)
        steps = self._escalate(alerts, later)
        escalated = self._wait(alerts, timeout)
        _read_accepted()
        for alert in alerts:
            alert_acknowledge(alert=alert, by=program.coordinators.first(), note="Bench: answered.")
        after_ack = self._escalation_dues(alerts, later + timedelta(minutes=program.escalate_after_minutes))
        duplicates, lost = self._integrity(escalated)
        return {
            "alerts": len(alerts),
            "per_channel": per_channel,
            "escalations": steps,
            "escalations_after_ack": len(after_ack),
            "duplicates": duplicates,
            "lost": lost,
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        }

    def _subjects(self, alerts):
        return [f"alert:{a.pk}:" for a in alerts]

    def _rows(self, alerts):
        ids = {a.pk for a in alerts}
        rows = Delivery.objects.filter(kind=ReminderKind.SAFETY_ALERT, subject__startswith="alert:")
        return [r for r in rows if int(r.subject.split(":")[1]) in ids]

    def _wait(self, alerts, timeout):
        """Wait until no row of these alerts is pending or sending; return the rows."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self._rows(alerts)
            busy = [r for r in rows if r.status in (Delivery.Status.PENDING, Delivery.Status.SENDING)]
            if not busy or time.monotonic() > deadline:
                return rows
            time.sleep(0.05)

    def _escalation_dues(self, alerts, at):
        ids = {a.pk for a in alerts}
        return [
            d
            for d in _safety_alerts(at, None)
            if int(d.subject.split(":")[1]) in ids and not d.subject.endswith(":step:0")
        ]

    def _escalate(self, alerts, at):
        """Write the escalation step due at ``at`` (the frozen clock) and send it
        now; returns how many alerts escalated."""
        dues = self._escalation_dues(alerts, at)
        outbox.write_due(dues, timezone.now())
        ids = [r.pk for r in self._rows(alerts) if r.status == Delivery.Status.PENDING]
        while ids:
            batch = outbox.claim(timezone.now(), ids=ids)
            if not batch:
                break
            outbox.enqueue_batch(batch, batch.token, follow=False)
            ids = [pk for pk in ids if pk not in set(batch)]
        return len({d.subject for d in dues})

    def _accepted_at(self, row):
        if row.channel == Channel.IN_APP:
            notes = Notification.objects.filter(delivery_id=row.pk).values_list("created_at", flat=True)
            return [n.timestamp() for n in notes]
        return ACCEPTED.get(row.message_id if row.channel == Channel.EMAIL else row.idempotency_key, [])

    def _latency(self, rows, tap_by_alert):
        seconds = defaultdict(list)
        for row in rows:
            accepted = self._accepted_at(row)
            if accepted:
                tap = tap_by_alert[int(row.subject.split(":")[1])]
                seconds[str(row.channel)].append(max(min(accepted) - tap, 0.0))
        result = {}
        for channel in CHANNELS:
            values = sorted(seconds.get(str(channel), []))
            result[str(channel)] = {
                "accepted": len(values),
                "median_s": round(statistics.median(values), 3) if values else None,
                "p95_s": round(values[max(int(len(values) * 0.95 + 0.5) - 1, 0)], 3) if values else None,
                "max_s": round(values[-1], 3) if values else None,
            }
        return result

    def _integrity(self, rows):
        duplicates = lost = 0
        for row in rows:
            n = len(self._accepted_at(row))
            duplicates += max(n - 1, 0)
            lost += n == 0
        return duplicates, lost

    def _text(self, f):
        lines = [f"alerts {f['alerts']} ({f['worker']}, {f['database']})"]
        for channel, c in f["per_channel"].items():
            lines.append(
                f"{channel:7} accepted {c['accepted']:5}   median {c['median_s']} s   "
                f"p95 {c['p95_s']} s   max {c['max_s']} s"
            )
        lines.append(
            f"escalations {f['escalations']}   after acknowledge {f['escalations_after_ack']}   "
            f"duplicates {f['duplicates']}   lost {f['lost']}"
        )
        return "\n".join(lines)

    # --- data --------------------------------------------------------------------------------------------

    def _setup(self, count):
        users = get_user_model().objects
        make = lambda name, **extra: users.create(  # noqa: E731
            email=EMAIL.format(name), full_name=f"Bench {name}", is_active=True, **extra
        )
        coordinator = make("coordinator", phone="+15550100000")
        on_call = make("oncall", phone="+15550100001")
        fallback = make("fallback", phone="+15550100002")
        program = Program.objects.create(
            name="Bench safety", slug=SLUG, time_zone="UTC", on_call_fallback=fallback, escalate_after_minutes=10
        )
        program.coordinators.add(coordinator)
        program.safety_staff.add(on_call, fallback)
        # On call around the clock: 00:00–12:00 and 12:00–00:00 (crossing midnight) every day.
        OnCallShift.objects.bulk_create(
            OnCallShift(program=program, person=on_call, weekday=day, starts_at=start, ends_at=end)
            for day in range(7)
            for start, end in ((clock(0), clock(12)), (clock(12), clock(0)))
        )
        mentor_user = make("mentor", phone="+15550100003", ok_to_text=True, text_confirmed_at=timezone.now())
        mentor = MentorProfile.objects.create(user=mentor_user, program=program)
        mentees = []
        for i in range(count):
            mentee = MenteeProfile.objects.create(user=make(f"mentee{i}"), program=program)
            Match.objects.create(program=program, mentor=mentor, mentee=mentee, status=Match.Status.ACTIVE)
            mentees.append(mentee)
        return program, mentees

    def _cleanup(self):
        program = Program.objects.filter(slug=SLUG).first()
        if program is not None:
            alert_ids = list(SafetyAlert.objects.filter(mentee__program=program).values_list("pk", flat=True))
            for start in range(0, len(alert_ids), 200):
                chunk = alert_ids[start : start + 200]
                subjects = [f"alert:{pk}:step:" for pk in chunk]
                for prefix in subjects:
                    Delivery.objects.filter(subject__startswith=prefix).delete()
            Match.objects.filter(program=program).delete()
            program.delete()
        people = get_user_model().objects.filter(email__startswith="bench-safety-", email__endswith="@example.invalid")
        Notification.objects.filter(user__in=people).delete()
        Delivery.objects.filter(recipient__in=people).delete()
        people.delete()
