"""The outbox's fencing and its recovery after a lost queue, proven with real
worker processes (issue 14). Counted at the provider: the test backends
(tests/reminders/proof_backends.py) write one file per accepted message,
named by its Message-ID or idempotency key.

(e) a worker SIGKILLed after the provider accepted and before the row was
    marked sent: routine kinds are accepted exactly once (the redelivered or
    late task does nothing, the sweeper does not send again); safety alerts
    at least once, again with the same Message-ID / idempotency key;
(f) the broker restarted (Redis: shutdown nosave and start again; the
    embedded filesystem broker: its queue folder wiped) with sends queued:
    every row is sent within two minutes of the broker being back, none twice;
(g) two dispatchers, three worker kills, one broker restart, 10,000
    reminders over three channels on PostgreSQL + Redis (300 on the embedded
    default): each channel accepted every row once: 0 duplicates, 0 lost.

They run on the default setup (SQLite, filesystem broker) and in CI
(PostgreSQL, Redis); nothing is skipped. (f) and (g) are marked
``broker_restart``: `make test-unit` runs them after the parallel run, alone,
because restarting Redis would disturb the other tests using it."""

import subprocess
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from mentoring.models import Channel, ChannelPreference, Delivery, Notification, ReminderKind
from mentoring.notifications.notify import notify
from mentoring.notifications.outbox import (
    INTERRUPTED,
    Due,
    claim,
    dispatch,
    enqueue_batch,
    kick,
    send_batch,
    sweep,
    write_due,
)
from mentoring.notifications.sms import LocmemSMSBackend
from tests.factories import UserFactory
from tests.reminders.proof_backends import accepted
from tests.reminders.test_delivery_proofs import in_thread_worker, log_tail, wait_for, worker_process

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "tests.reminders.proof_backends.AcceptingEmailBackend"
SMS = "tests.reminders.proof_backends.AcceptingSMSBackend"
REDIS = settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
ROUTINE, SAFETY = ReminderKind.SESSION_SCHEDULED, ReminderKind.SAFETY_ALERT
S = Delivery.Status


# --- helpers -------------------------------------------------------------------------------------------


def texting_user(kind, channels):
    """A person who gets ``kind`` on exactly ``channels``."""
    user = UserFactory(phone=f"+1555{uuid.uuid4().int % 10**7:07d}", ok_to_text=True)
    ChannelPreference.objects.create(
        user=user,
        kind=kind,
        in_app=Channel.IN_APP in channels,
        email=Channel.EMAIL in channels,
        sms=Channel.SMS in channels,
    )
    return user


def hang_next(channel):
    """The next send on channel (in any proof worker) hangs after the provider accepted it."""
    (Path(settings.VAR_DIR) / f"hang-{channel}").write_text("", encoding="utf-8")


def hanging_pids():
    return {int(p.name.split("-", 1)[1]) for p in Path(settings.VAR_DIR).glob("hanging-*")}


def kill(process):
    process.kill()
    process.wait(timeout=30)
    (Path(settings.VAR_DIR) / f"hanging-{process.pid}").unlink(missing_ok=True)


def key_of(row):
    return row.message_id if row.channel == Channel.EMAIL else row.idempotency_key


def restart_broker():
    """Lose every queued message: Redis restarted without saving and, unlike
    .ci/run, without AOF (so nothing queued comes back; on the broker's port,
    left running), or the filesystem broker's queue folder wiped."""
    if REDIS:
        port = str(urlsplit(settings.CELERY_BROKER_URL).port or 6379)
        subprocess.run(["redis-cli", "-p", port, "shutdown", "nosave"], check=False, capture_output=True)
        assert wait_for(lambda: subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True).returncode != 0)
        log = "/tmp/waypoint-ci-redis.log" if port == "6380" else f"/tmp/waypoint-redis-{port}.log"
        subprocess.run(
            ["redis-server", "--port", port, "--bind", "127.0.0.1", "--daemonize", "yes"]
            + ["--save", "", "--appendonly", "no", "--logfile", log],
            check=True,
        )
        ping = ["redis-cli", "-p", port, "ping"]
        assert wait_for(lambda: subprocess.run(ping, capture_output=True, text=True).stdout.strip() == "PONG")
        return
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    for path in folder.glob("*"):
        path.unlink(missing_ok=True)


# --- (e) killed after the provider accepted ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "channel"),
    [(ROUTINE, Channel.EMAIL), (ROUTINE, Channel.SMS), (SAFETY, Channel.EMAIL), (SAFETY, Channel.SMS)],
)
def test_worker_killed_after_the_provider_accepted(proof_queue, tmp_path, kind, channel):
    user = texting_user(kind, {channel})
    [pk] = notify(kind=kind, recipients=[user], subject="proof:1", urgency="routine")
    hang_next(channel)
    first_log = tmp_path / "worker-1.log"
    with worker_process(proof_queue, SMS, first_log, EMAIL) as first:
        assert kick() == [pk]
        hung = wait_for(lambda: first.pid in hanging_pids(), process=first)
        assert hung, f"the worker never reached the provider; its log:\n{log_tail(first_log)}"
        kill(first)

    row = Delivery.objects.get(pk=pk)
    key = key_of(row)
    assert accepted(channel) == {key: 1}
    # Killed between the provider's acceptance and "sent": the row shows the send started.
    assert (row.status, row.attempts) == (S.SENDING, 1) and row.attempt_started_at is not None
    # The task redelivered (same ids, same token) does nothing: the send had started.
    assert send_batch([pk], row.claim_token) == {}

    later = row.lease_expires_at + timedelta(seconds=1)
    second_log = tmp_path / "worker-2.log"
    with worker_process(proof_queue, SMS, second_log, EMAIL) as second:
        enqueue_batch([pk], row.claim_token, follow=False)  # a redelivered task, to a real worker
        if kind == ROUTINE:
            # At most once: not sent again; dead, so coordinators see it.
            assert sweep(later) == (0, 1)
            assert kick(later) == []
            time.sleep(3)  # a stray second send would land now
            row.refresh_from_db()
            assert (row.status, row.last_error) == (S.DEAD, INTERRUPTED)
            assert accepted(channel) == {key: 1}
        else:
            # At least once: sent again, with the same Message-ID / idempotency key.
            assert sweep(later) == (1, 0)
            assert kick(later) == [pk]
            sent = wait_for(lambda: Delivery.objects.get(pk=pk).status == S.SENT, process=second)
            assert sent, f"{Delivery.objects.get(pk=pk).status}; the worker's log:\n{log_tail(second_log)}"
            time.sleep(1)
            assert accepted(channel) == {key: 2}
    assert second.returncode is not None


# --- (f) the broker restarted with sends queued --------------------------------------------------------


@pytest.mark.broker_restart
def test_broker_restarted_with_sends_queued_every_row_is_sent_once_within_two_minutes(proof_queue, settings):
    settings.SMS_BACKEND = "mentoring.notifications.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    everything = {Channel.IN_APP, Channel.EMAIL, Channel.SMS}
    people = [texting_user(ROUTINE, everything) for _ in range(3)] + [texting_user(SAFETY, everything)]
    for number in range(10):
        notify(kind=ROUTINE, recipients=people[:3], subject=f"proof:{number}", urgency="routine")
    notify(kind=SAFETY, recipients=people[3:], subject="proof:alert", urgency="routine")
    rows = Delivery.objects.all()
    assert rows.count() == 10 * 3 * 3 + 3
    while batch := claim(limit=20):
        enqueue_batch(batch, batch.token)  # queued; no worker is running yet
    assert set(rows.values_list("status", flat=True)) == {S.SENDING}

    restart_broker()
    back = time.monotonic()
    with in_thread_worker(proof_queue):
        while rows.exclude(status=S.SENT).exists() and time.monotonic() - back < 120:
            sweep()  # what beat runs every 30 s
            dispatch()
            time.sleep(2)
        took = time.monotonic() - back
        time.sleep(1)  # a stray second send would land now
    assert not rows.exclude(status=S.SENT).exists(), Counter(rows.values_list("status", flat=True))
    assert took < 120
    # Each row accepted once by its channel.
    by_channel = {c: {key_of(r) for r in rows.filter(channel=c)} for c in everything}
    assert Counter(Notification.objects.values_list("delivery_id", flat=True)) == Counter(
        rows.filter(channel=Channel.IN_APP).values_list("pk", flat=True)
    )
    assert Counter(m.extra_headers["Message-ID"] for m in mail.outbox) == dict.fromkeys(by_channel[Channel.EMAIL], 1)
    assert Counter(key for _, _, key in LocmemSMSBackend.outbox) == dict.fromkeys(by_channel[Channel.SMS], 1)


# --- (g) everything at once ---------------------------------------------------------------------------


@pytest.mark.broker_restart
def test_two_dispatchers_three_worker_kills_one_broker_restart_nothing_lost_nothing_twice(proof_queue, tmp_path):
    big = REDIS and connection.vendor == "postgresql"
    count = 10_000 if big else 300
    user = texting_user(ReminderKind.CHECKIN_DUE, {Channel.IN_APP, Channel.EMAIL, Channel.SMS})
    now = timezone.now()
    dues = [Due(ReminderKind.CHECKIN_DUE, f"proof:{i}", user, now - timedelta(minutes=1)) for i in range(count)]
    # Three tranches, one per kill, so there is always work in flight when a worker dies.
    tranches = [dues[i::3] for i in range(3)]
    rows = Delivery.objects.all()

    stop, errors = threading.Event(), []

    def dispatcher():
        while not stop.is_set():
            try:
                sweep()
                dispatch()
            except Exception as error:  # reported below
                errors.append(repr(error))
            finally:
                connections.close_all()
            stop.wait(1)

    dispatchers = [threading.Thread(target=dispatcher) for _ in range(2)]
    numbers = iter(range(100))
    with ExitStack() as stack:

        def start_worker():
            return stack.enter_context(
                worker_process(proof_queue, SMS, tmp_path / f"worker-{next(numbers)}.log", EMAIL)
            )

        workers = [start_worker(), start_worker()]
        for thread in dispatchers:
            thread.start()
        try:
            for number, channel in enumerate([Channel.EMAIL, Channel.SMS, Channel.EMAIL]):
                hang_next(channel)
                write_due(tranches[number], timezone.now())  # the dispatchers claim it and the workers send it
                live = {w.pid for w in workers}
                assert wait_for(lambda live=live: hanging_pids() & live, seconds=240), Counter(
                    rows.values_list("status", flat=True)
                )
                [victim] = [w for w in workers if w.pid in hanging_pids()]
                kill(victim)
                workers = [w for w in workers if w is not victim] + [start_worker()]
                if number == 1:
                    restart_broker()
            assert rows.count() == 3 * count
            done = wait_for(
                lambda: not rows.filter(status__in=[S.PENDING, S.SENDING]).exists(), seconds=900 if big else 300
            )
            assert done, Counter(rows.values_list("status", flat=True))
            time.sleep(2)  # a stray second send would land now
        finally:
            stop.set()
            for thread in dispatchers:
                thread.join(timeout=60)
    assert not errors, errors[:5]

    # Per channel, what the provider accepted equals the due rows: nothing lost, nothing twice.
    expected = {c: Counter(key_of(r) for r in rows.filter(channel=c)) for c in (Channel.EMAIL, Channel.SMS)}
    for channel in (Channel.EMAIL, Channel.SMS):
        assert accepted(channel) == expected[channel]
        assert sum(expected[channel].values()) == count
    in_app = Counter(Notification.objects.values_list("delivery_id", flat=True))
    assert in_app == Counter(rows.filter(channel=Channel.IN_APP).values_list("pk", flat=True))
    assert len(in_app) == count
    # The three rows whose worker died after the provider accepted are not sent
    # again (routine: at most once) and show as dead; everything else is sent.
    assert Counter(rows.values_list("status", flat=True)) == {S.SENT: 3 * count - 3, S.DEAD: 3}
    assert set(rows.filter(status=S.DEAD).values_list("last_error", flat=True)) == {INTERRUPTED}
