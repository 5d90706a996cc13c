"""/healthz/ answers 200 only when both the database and the broker answer."""

from unittest import mock

from django.db import connection
from django.test import override_settings
from django.urls import reverse

from mentoring.services import heartbeat_record

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
    }


def test_503_when_the_database_does_not_answer(db, client):
    # A real failure of the driver: the cursor raises as a lost server would.
    broken = mock.patch.object(connection, "cursor", side_effect=connection.Database.OperationalError("gone"))
    with broken:
        response = client.get(reverse("mentoring:healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert response.json()["broker"] == "ok"


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
