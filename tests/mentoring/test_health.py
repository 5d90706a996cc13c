"""/healthz/ answers 200 only when both the database and the broker answer."""

from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Delivery
from mentoring.services import heartbeat_record
from tests.factories import DeliveryFactory, SafetyAlertFactory

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthy_with_the_configured_database_and_broker(db, client):
    response = client.get(reverse("mentoring:healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@override_settings(CELERY_BROKER_URL=UNREACHABLE_REDIS, CELERY_BROKER_TRANSPORT_OPTIONS={})
def test_503_when_the_broker_does_not_answer(db, client):
    response = client.get(reverse("mentoring:healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "broker": "error",
        "worker_last_heartbeat": None,
        "outbox": {"pending": 0, "claimed": 0, "dead": 0, "oldest_pending_seconds": 0},
        "oldest_pending_safety_alert_seconds": None,
        "oldest_open_safety_alert_seconds": None,
    }


def test_503_when_the_database_does_not_answer(db, client):
    # A real failure of the driver: the cursor raises as a lost server would.
    broken = mock.patch.object(connection, "cursor", side_effect=connection.Database.OperationalError("gone"))
    with broken:
        response = client.get(reverse("mentoring:healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert response.json()["broker"] == "ok"
    assert response.json()["outbox"] is None


def test_reports_the_last_worker_heartbeat(db, client):
    beat = heartbeat_record()
    heartbeat_record()
    body = client.get(reverse("mentoring:healthz")).json()
    assert body["worker_last_heartbeat"] >= beat.isoformat()


def test_heartbeat_counts_beats(db):
    from mentoring.models import WorkerHeartbeat

    heartbeat_record()
    heartbeat_record()
    assert WorkerHeartbeat.objects.get(pk=1).beats == 2


# --- one broker connection per process (issue 18) -------------------------------------

import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from mentoring import health  # noqa: E402


@pytest.fixture
def fresh_probe(monkeypatch):
    """A probe with no connection kept yet (the process-wide one is replaced for the test)."""
    probe = health._BrokerProbe()
    monkeypatch.setattr(health, "_probe", probe, raising=False)
    yield probe
    probe._discard()


@pytest.fixture
def redis_url():
    """A Redis server of this test's own, on a free port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", client
    client.close()
    server.terminate()
    server.wait(timeout=10)


def _connections_received(client):
    return client.info("stats")["total_connections_received"]


def test_two_health_checks_open_one_broker_connection(db, client, fresh_probe, redis_url):
    """/healthz/ opened a new Redis connection per call (590 requests/s against
    1,085 for a static page); one connection per process is reused."""
    url, redis_client = redis_url
    with override_settings(CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        built = mock.patch.object(health, "Connection", wraps=health.Connection)
        with built as connection_class:
            received = []
            for _ in range(3):
                response = client.get(reverse("mentoring:healthz"))
                assert response.status_code == 200
                assert response.json()["broker"] == "ok"
                received.append(_connections_received(redis_client))
        # One kombu connection for every call; the second and third calls open no socket to Redis.
        assert connection_class.call_count == 1
        assert received[0] == received[1] == received[2]


def test_a_stale_broker_connection_is_replaced_not_reported_down(db, fresh_probe, redis_url):
    url, redis_client = redis_url
    with override_settings(CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        assert health.broker_ok()
        # The server drops every other client (as a Redis restart would).
        redis_client.client_kill_filter(_type="normal", skip_me=True)
        assert health.broker_ok()
        assert health.broker_ok()


@override_settings(CELERY_BROKER_URL=UNREACHABLE_REDIS, CELERY_BROKER_TRANSPORT_OPTIONS={})
def test_no_connection_is_kept_when_the_broker_does_not_answer(db, fresh_probe):
    assert not health.broker_ok()
    assert fresh_probe._conn is None


def test_reports_the_outbox_backlog_and_the_oldest_safety_alert(db, client, django_assert_max_num_queries):
    """The backlog a monitor watches: rows ready to send and how long the
    oldest has waited, rows claimed, rows given up; the oldest safety-alert
    message not yet sent and the oldest alert nobody acknowledged."""
    now = timezone.now()
    S = Delivery.Status
    DeliveryFactory(due_at=now - timedelta(minutes=10))  # ready for 600 s
    DeliveryFactory(due_at=now - timedelta(minutes=1))
    DeliveryFactory(due_at=now + timedelta(hours=3))  # quiet hours: not yet ready, not backlog
    DeliveryFactory(status=S.SENDING, lease_expires_at=now + timedelta(seconds=45))
    DeliveryFactory(status=S.DEAD)
    DeliveryFactory(status=S.DEAD)
    DeliveryFactory(status=S.SENT)
    alert_send = DeliveryFactory(kind="safety_alert", channel="email", status=S.SENDING)
    Delivery.objects.filter(pk=alert_send.pk).update(created_at=now - timedelta(seconds=95))
    SafetyAlertFactory(created_at=now - timedelta(minutes=30))
    SafetyAlertFactory(created_at=now - timedelta(days=2), acknowledged_at=now - timedelta(days=1))

    with django_assert_max_num_queries(8):
        body = client.get(reverse("mentoring:healthz")).json()
    assert body["status"] == "ok" and body["worker_last_heartbeat"] is None
    outbox = body["outbox"]
    assert (outbox["pending"], outbox["claimed"], outbox["dead"]) == (2, 2, 2)
    assert 600 <= outbox["oldest_pending_seconds"] < 660
    assert 95 <= body["oldest_pending_safety_alert_seconds"] < 155
    assert 1800 <= body["oldest_open_safety_alert_seconds"] < 1860


def test_an_empty_outbox_reports_zero_and_no_alerts(db, client):
    body = client.get(reverse("mentoring:healthz")).json()
    assert body["outbox"] == {"pending": 0, "claimed": 0, "dead": 0, "oldest_pending_seconds": 0}
    assert body["oldest_pending_safety_alert_seconds"] is None
    assert body["oldest_open_safety_alert_seconds"] is None
