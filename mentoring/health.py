"""/healthz/: does the app reach its database and its broker, and is the
outbox keeping up?

The JSON body (200 when database and broker answer, else 503; the backlog
figures never change the status code, a monitor alerts on them itself):

- ``status``: "ok" or "error"; ``database``, ``broker``: "ok" or "error";
- ``worker_last_heartbeat``: ISO 8601 time (UTC) of the last worker heartbeat
  (beat queues one a minute), or null;
- ``outbox`` (null when the database does not answer): ``pending`` rows ready
  to send now (status pending, next attempt due), ``claimed`` rows a worker
  holds (status sending), ``dead`` rows given up (coordinators see them),
  ``oldest_pending_seconds``: whole seconds the oldest ready row has waited
  since it became due (0 when none);
- ``oldest_pending_safety_alert_seconds``: whole seconds since the oldest
  safety-alert message not yet sent was created (pending, claimed or failed;
  null when none): above a minute or two, alerts are not going out;
- ``oldest_open_safety_alert_seconds``: whole seconds since the oldest safety
  alert nobody has acknowledged was raised (null when none).
"""

import contextlib
import logging
import threading

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu import Connection

from config.celery_app import ensure_broker_folders

from .models import Delivery, ReminderKind, WorkerHeartbeat

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "not answering"
        logger.warning("Health check: database did not answer", exc_info=True)
        return False


class _BrokerProbe:
    """One broker connection per process, reused by every /healthz/ call.

    Opening a connection per call (a TCP handshake and a Redis client each
    time) halved the endpoint's throughput. The connection is kept while it
    answers; when a check fails it is closed and the next check opens a fresh
    one (right away, so a restarted Redis is not reported down). A lock
    serialises checks within the process (threads of one worker)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._conn = None
        self._key = None

    def _connection(self, url, options):
        key = (url, repr(sorted(options.items())))
        if self._conn is not None and self._key != key:
            self._discard()
        if self._conn is None:
            ensure_broker_folders(options)
            conn = Connection(url, transport_options=options, connect_timeout=BROKER_TIMEOUT_SECONDS)
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            self._conn, self._key = conn, key
        return self._conn

    def _discard(self):
        conn, self._conn, self._key = self._conn, None, None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to close cleanly
                conn.release()

    def _ping(self, url, options):
        conn = self._connection(url, options)
        # Opening/using a channel makes the transport do real I/O (Redis
        # SADD/PING, filesystem folder access), not just hold a client object.
        conn.default_channel.queue_declare("healthz", passive=False, auto_delete=True)

    def check(self):
        options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
        url = settings.CELERY_BROKER_URL
        with self._lock:
            if self._conn is not None:
                try:
                    self._ping(url, options)
                    return True
                except Exception:  # the kept connection went stale (broker restarted?): one fresh try
                    self._discard()
            try:
                self._ping(url, options)
                return True
            except Exception:
                self._discard()
                logger.warning("Health check: broker did not answer", exc_info=True)
                return False


_probe = _BrokerProbe()


def broker_ok():
    return _probe.check()


def _last_worker_heartbeat():
    try:
        beat = WorkerHeartbeat.objects.filter(pk=1).values_list("last_seen", flat=True).first()
    except Exception:
        return None
    return beat.isoformat() if beat else None


def _seconds_since(moment, now):
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def outbox_backlog(now=None):
    """The outbox and safety-alert figures of /healthz/ (see the module
    docstring for the keys). Four small queries on indexed columns
    (Delivery's (status, next_attempt_at) index; open alerts are few)."""
    from goals.models import SafetyAlert  # goals imports mentoring's models

    now = now or timezone.now()
    S = Delivery.Status
    counts = dict(
        Delivery.objects.filter(status__in=[S.SENDING, S.DEAD]).values_list("status").annotate(n=Count("pk"))
    )
    ready = Delivery.objects.filter(status=S.PENDING, next_attempt_at__lte=now).aggregate(
        n=Count("pk"), oldest=Min("next_attempt_at")
    )
    alert_sends = Delivery.objects.filter(
        status__in=[S.PENDING, S.SENDING, S.FAILED], kind=ReminderKind.SAFETY_ALERT
    ).aggregate(oldest=Min("created_at"))
    open_alerts = SafetyAlert.objects.open().aggregate(oldest=Min("created_at"))
    return {
        "outbox": {
            "pending": ready["n"],
            "claimed": counts.get(S.SENDING, 0),
            "dead": counts.get(S.DEAD, 0),
            "oldest_pending_seconds": _seconds_since(ready["oldest"], now) or 0,
        },
        "oldest_pending_safety_alert_seconds": _seconds_since(alert_sends["oldest"], now),
        "oldest_open_safety_alert_seconds": _seconds_since(open_alerts["oldest"], now),
    }


def _backlog_or_none():
    try:
        return outbox_backlog()
    except Exception:  # a database that failed after "SELECT 1": report, do not fail the probe
        logger.warning("Health check: outbox figures not available", exc_info=True)
        return {"outbox": None, "oldest_pending_safety_alert_seconds": None, "oldest_open_safety_alert_seconds": None}


@never_cache
def healthz(request):
    db, broker = database_ok(), broker_ok()
    healthy = db and broker
    body = {
        "status": "ok" if healthy else "error",
        "database": "ok" if db else "error",
        "broker": "ok" if broker else "error",
        "worker_last_heartbeat": _last_worker_heartbeat() if db else None,
    }
    if db:
        body.update(_backlog_or_none())
    else:
        body.update(outbox=None, oldest_pending_safety_alert_seconds=None, oldest_open_safety_alert_seconds=None)
    return JsonResponse(body, status=200 if healthy else 503)
