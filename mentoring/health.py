"""/healthz/: does the app reach its database and its broker?"""

import logging

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


def broker_ok():
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    try:
        ensure_broker_folders(options)
        with Connection(
            settings.CELERY_BROKER_URL, transport_options=options, connect_timeout=BROKER_TIMEOUT_SECONDS
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            # Opening a channel makes the transport do real I/O (Redis PING,
            # filesystem folder access), not just build a client object.
            conn.default_channel.queue_declare("healthz", passive=False, auto_delete=True)
        return True
    except Exception:
        logger.warning("Health check: broker did not answer", exc_info=True)
        return False


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
