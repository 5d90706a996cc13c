"""/healthz/: does the app reach its database and its broker?"""

import contextlib
import logging
import threading

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

from config.celery_app import ensure_broker_folders

from .models import WorkerHeartbeat

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
    return JsonResponse(body, status=200 if healthy else 503)
