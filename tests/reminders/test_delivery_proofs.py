"""The reminder outbox's guarantees, proven end to end with real workers
(issue 8): never twice, never lost.

(a) two dispatchers at once, with a real worker consuming: each due reminder
    gives exactly one notification and one email;
(b) a worker killed with SIGKILL in the middle of a send: after the lease
    the sweeper returns the row, a new worker delivers it, exactly once;
(c) the broker down when a reminder becomes due: dispatch does not fail, the
    row waits in the outbox and is sent once the broker is back;
(d) 10,000 due reminders through `bench_reminders`: none duplicated, none lost.

They run on the default setup (SQLite, filesystem broker) and in CI
(PostgreSQL, Redis). Workers are real: an in-thread worker
(celery.contrib.testing.worker.start_worker), and for (b) `celery worker`
subprocesses on the test database, killed in `finally` blocks."""

import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from kombu import Exchange, Queue

from config.celery_app import app
from goals.models import SafetyAlert
from mentoring.models import Channel, ChannelPreference, Delivery, Notification, ReminderKind
from mentoring.notifications.outbox import collect_due, dispatch, sweep
from tests.factories import MatchFactory, ProgramFactory, SessionFactory, UserFactory
from tests.reminders.slow_sms import marker_path

WAIT_SECONDS = 60
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
SLOW_SMS = "tests.reminders.slow_sms.SlowSMSBackend"
FILE_SMS = "mentoring.notifications.sms.FileSMSBackend"

pytestmark = pytest.mark.django_db(transaction=True)


# --- helpers -------------------------------------------------------------------------------------


def wait_for(condition, seconds=WAIT_SECONDS, process=None):
    """Poll until condition() holds; False on timeout or when process has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            return condition()
        time.sleep(0.1)
    return False


def status_of(pk):
    return Delivery.objects.values_list("status", "attempts").get(pk=pk)


def all_sent():
    return not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()


@pytest.fixture
def proof_queue():
    """A queue of this test's own, so that a worker never takes another run's
    task (or leaves one behind): the producer routes the send tasks to it and
    the workers consume it. Celery is not eager for the test's duration."""
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-proof-{uuid.uuid4().hex[:10]}"
    saved_queue, saved_eager = app.conf.task_default_queue, app.conf.task_always_eager
    with celery_queues_restored():
        app.conf.task_default_queue = queue
        app.conf.task_always_eager = False
        try:
            yield queue
        finally:
            app.conf.task_default_queue = saved_queue
            app.conf.task_always_eager = saved_eager
            delete_queue(queue)


@contextmanager
def celery_queues_restored():
    """The app has one Queues mapping (celery.app.amqp): routing adds missing
    queues to it and a starting worker selects in it what it consumes. Put it
    back as it was, or a later in-thread worker of this process (another
    test's, bench_reminders') would consume this test's queue instead of the
    default one."""
    queues = app.amqp.queues
    saved = dict(queues), queues._consume_from, dict(queues._default_consume_from)
    consume_from = None if saved[1] is None else dict(saved[1])
    try:
        yield
    finally:
        queues.clear()
        queues.update(saved[0])
        queues._consume_from = consume_from
        queues._default_consume_from = saved[2]


def delete_queue(name):
    """Remove the test's queue and its binding from the broker (tidying only)."""
    try:
        with app.connection_for_write() as conn:
            bound = Queue(name, Exchange(name, type="direct"), routing_key=name)(conn.default_channel)
            bound.declare()
            bound.delete()
    except Exception:
        pass


@contextmanager
def in_thread_worker(queue):
    # No results backend: no ping check; the tests watch the database.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]):
        yield


def this_database_url():
    """DATABASE_URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), "a worker process cannot share an in-memory SQLite database"
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        user = quote(db["USER"] or "", safe="")
        password = quote(db["PASSWORD"] or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{auth}{db['HOST'] or 'localhost'}{port}/{quote(db['NAME'], safe='')}"
    pytest.fail(f"no DATABASE_URL for a {connection.vendor} test database")


def worker_environment(sms_backend, email_backend="django.core.mail.backends.locmem.EmailBackend"):
    """The production settings module, pointed at this test's database, broker
    and var folder. (tests.settings cannot be used here: it gives every process
    a var folder of its own, so a worker would watch another filesystem broker
    folder and write its text messages elsewhere.)"""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=this_database_url(),
        DATABASE_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        WAYPOINT_VAR_DIR=str(settings.VAR_DIR),
        SMS_BACKEND=sms_backend,
        EMAIL_BACKEND=email_backend,
        LOG_LEVEL="WARNING",
        CELERY_SKIP_CHECKS="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])),
    )
    return env


@contextmanager
def worker_process(queue, sms_backend, log_path, email_backend="django.core.mail.backends.locmem.EmailBackend"):
    """A real `celery worker` process consuming queue; always killed on exit."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "WARNING",
        "--hostname",
        f"proof-{uuid.uuid4().hex[:8]}@%h",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=worker_environment(sms_backend, email_backend),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def log_tail(path, lines=40):
    text = Path(path).read_text(encoding="utf-8", errors="replace") if Path(path).exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def sms_files(phone):
    """Text messages FileSMSBackend wrote to phone (var/sms/, one file each)."""
    folder = Path(settings.VAR_DIR) / "sms"
    if not folder.exists():
        return []
    return [p for p in sorted(folder.glob("*.txt")) if p.read_text(encoding="utf-8").splitlines()[:1] == [phone]]


def safety_alert_for(person, now):
    """A safety alert whose only recipient is ``person``: the mentee's mentor in
    a program with no coordinators, rota or fallback (a mentor's channels follow
    their preferences; staff get safety alerts on every channel, issue 15)."""
    program = ProgramFactory()
    mentee = MatchFactory(program=program, mentor__user=person).mentee
    return SafetyAlert.objects.create(
        mentee=mentee, kind=SafetyAlert.Kind.HELP_NOW, created_at=now - timedelta(minutes=1)
    )


# --- (a) never twice: two dispatchers at once ------------------------------------------------


def test_two_dispatchers_at_once_with_a_real_worker_send_each_reminder_once(proof_queue):
    now = timezone.now()
    coordinator = UserFactory()
    program = ProgramFactory(coordinators=[coordinator])
    for _ in range(10):
        match = MatchFactory(program=program)
        # The alert goes to the mentor and the coordinator; the meeting in 30 minutes to both people.
        SafetyAlert.objects.create(
            mentee=match.mentee, kind=SafetyAlert.Kind.HELP_NOW, created_at=now - timedelta(minutes=2)
        )
        SessionFactory(match=match, starts_at=now + timedelta(minutes=30))
    due = Counter((d.kind, d.subject, d.recipient.pk, d.due_at) for d in collect_due(now))
    assert len(due) >= 40 and set(due.values()) == {1}
    emails = dict(get_user_model().objects.values_list("pk", "email"))
    emails_due = Counter(emails[key[2]] for key in due)

    barrier = threading.Barrier(2)
    claimed, errors = [], []

    def dispatcher():
        try:
            barrier.wait(timeout=10)
            claimed.append(dispatch(now))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    with in_thread_worker(proof_queue):
        threads = [threading.Thread(target=dispatcher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=WAIT_SECONDS)
        assert not errors, errors
        assert len(claimed) == 2
        # Each row was claimed by exactly one of the two dispatchers.
        first, second = map(set, claimed)
        assert not first & second
        assert first | second == set(Delivery.objects.values_list("pk", flat=True))
        assert wait_for(all_sent), Counter(Delivery.objects.values_list("status", flat=True))
        # The next tick (dispatch run again) finds nothing new to create or send.
        assert dispatch(now) == []
        time.sleep(1)  # a stray second send would land now

    # One row per reminder and channel (in the app, email), all sent once.
    assert Delivery.objects.count() == 2 * len(due)
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Delivery.Status.SENT, 1)}
    # Every due reminder produced exactly one notification, and nothing else did.
    notified = Counter(
        Notification.objects.values_list(
            "delivery__kind", "delivery__subject", "delivery__recipient_id", "delivery__due_at"
        )
    )
    assert notified == due
    # And exactly one email.
    assert Counter(message.to[0] for message in mail.outbox) == emails_due


# --- (b) never lost: a worker killed mid-send ---------------------------------------------------


def test_worker_killed_mid_send_the_reminder_is_delivered_after_the_lease(proof_queue, tmp_path):
    now = timezone.now()
    phone = f"+1555{uuid.uuid4().int % 10**7:07d}"
    coordinator = UserFactory(phone=phone, ok_to_text=True)
    ChannelPreference.objects.create(
        user=coordinator, kind=ReminderKind.SAFETY_ALERT, in_app=False, email=False, sms=True
    )
    safety_alert_for(coordinator, now)
    marker_path().unlink(missing_ok=True)
    assert sms_files(phone) == []

    first_log = tmp_path / "worker-1.log"
    with worker_process(proof_queue, SLOW_SMS, first_log) as first:
        claimed = dispatch(now)
        row = Delivery.objects.get()
        assert claimed == [row.pk] and row.channel == Channel.SMS
        # The worker took the claim (attempts 1) and is inside the text-message call.
        in_send = wait_for(
            lambda: (
                status_of(row.pk) == (Delivery.Status.SENDING, 1)
                and marker_path().exists()
                and marker_path().read_text().strip() == str(first.pid)
            ),
            process=first,
        )
        assert in_send, f"worker never got inside the send; its log:\n{log_tail(first_log)}"
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL

    # Killed mid-send: nothing went out, the row still holds its claim, its send had started.
    assert status_of(row.pk) == (Delivery.Status.SENDING, 1)
    assert Delivery.objects.get(pk=row.pk).attempt_started_at is not None
    assert sms_files(phone) == []
    # The lease protects the claim until it expires; then the sweeper returns
    # it: a safety alert whose send started and never finished is sent again.
    lease = Delivery.objects.get(pk=row.pk).lease_expires_at
    assert sweep(lease - timedelta(seconds=1)) == (0, 0)
    later = lease + timedelta(seconds=1)
    assert sweep(later) == (1, 0)
    assert status_of(row.pk) == (Delivery.Status.PENDING, 1)

    second_log = tmp_path / "worker-2.log"
    with worker_process(proof_queue, FILE_SMS, second_log) as second:
        assert dispatch(later) == [row.pk]
        sent = wait_for(lambda: status_of(row.pk)[0] == Delivery.Status.SENT, process=second)
        assert sent, f"{status_of(row.pk)}; the worker's log:\n{log_tail(second_log)}"
        time.sleep(1)  # a stray second send would land now

    assert status_of(row.pk) == (Delivery.Status.SENT, 2)
    assert len(sms_files(phone)) == 1
    assert Delivery.objects.count() == 1


# --- (c) never lost: the broker down --------------------------------------------------------------


@contextmanager
def broker_unreachable():
    """Point the producer at a port where nothing listens. broker_write_url,
    not broker_url: a CELERY_BROKER_URL environment variable (CI sets one)
    takes precedence over app.conf.broker_url."""
    saved_url, saved_timeout = app.conf.get("broker_write_url"), app.conf.broker_connection_timeout
    saved_pools = app._pool, app.amqp._producer_pool
    app._pool = app.amqp._producer_pool = None  # the pools are per broker address
    app.conf.broker_write_url = UNREACHABLE_BROKER
    app.conf.broker_connection_timeout = 1  # give up sooner than the default 4 s (and its retries)
    try:
        target = app.connection_for_write()
        assert (target.transport_cls, target.hostname, target.port) == ("redis", "127.0.0.1", 1)
        yield
    finally:
        unreachable_pool = app._pool
        app.conf.broker_write_url = saved_url
        app.conf.broker_connection_timeout = saved_timeout
        app._pool, app.amqp._producer_pool = saved_pools
        if unreachable_pool is not None:
            unreachable_pool.force_close_all()


def test_broker_down_the_reminder_waits_in_the_outbox_and_is_sent_later(proof_queue, caplog):
    now = timezone.now()
    coordinator = UserFactory()
    ChannelPreference.objects.create(
        user=coordinator, kind=ReminderKind.SAFETY_ALERT, in_app=True, email=False, sms=False
    )
    safety_alert_for(coordinator, now)

    with broker_unreachable(), caplog.at_level(logging.WARNING, logger="mentoring.notifications.outbox"):
        claimed = dispatch(now)  # must not raise
    assert "Broker unavailable" in caplog.text
    row = Delivery.objects.get()
    assert claimed == [row.pk]
    # The claim was given back at once: nothing waits for a lease.
    assert status_of(row.pk) == (Delivery.Status.PENDING, 0)
    assert Delivery.objects.get(pk=row.pk).claim_token is None
    assert not Notification.objects.exists()

    # The broker is back: the next dispatch queues it again.
    assert sweep(now) == (0, 0)
    later = now + timedelta(seconds=30)
    with in_thread_worker(proof_queue):
        assert dispatch(later) == [row.pk]
        assert wait_for(lambda: status_of(row.pk)[0] == Delivery.Status.SENT), status_of(row.pk)
        time.sleep(0.5)  # a stray second send would land now

    assert status_of(row.pk) == (Delivery.Status.SENT, 1)
    assert Notification.objects.filter(delivery=row, user=coordinator).count() == 1
    assert Notification.objects.count() == 1


# --- (d) 10,000 reminders -----------------------------------------------------------------------


def test_ten_thousand_due_reminders_none_duplicated_none_lost():
    out = io.StringIO()
    call_command("bench_reminders", "--count", "10000", "--json", "--timeout", "300", stdout=out)
    figures = json.loads(out.getvalue())
    redis = settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    assert figures["worker"] == ("celery" if redis else "in-process")
    assert figures["per_channel"] == {"in_app": 10_000, "email": 10_000, "sms": 10_000}
    assert (figures["reminders"], figures["sent"], figures["duplicates"], figures["lost"]) == (10_000, 30_000, 0, 0)
