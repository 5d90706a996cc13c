"""A real Celery worker against the configured broker (the filesystem
transport by default, Redis in CI): a task queued on commit is consumed and
its effect lands in the database."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery_app import app
from mentoring.models import WorkerHeartbeat
from mentoring.services import enqueue_on_commit
from mentoring.tasks import heartbeat

WAIT_SECONDS = 30


@pytest.fixture
def real_worker(transactional_db):
    app.conf.task_always_eager = False
    try:
        # A results backend is not configured, so the ping check is off; the
        # test observes the task's effect in the database instead.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def _wait_for(condition):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_task_queued_on_commit_runs_on_a_real_worker(real_worker):
    with transaction.atomic():
        enqueue_on_commit(heartbeat)
        # Nothing is sent before the commit.
        assert not WorkerHeartbeat.objects.exists()
    assert _wait_for(lambda: WorkerHeartbeat.objects.filter(beats__gte=1).exists())


def test_rolled_back_work_queues_nothing(real_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(heartbeat)
        raise RuntimeError("roll back")
    # Prove the worker is alive by a second task that does commit.
    enqueue_on_commit(heartbeat)
    assert _wait_for(lambda: WorkerHeartbeat.objects.filter(beats__gte=1).exists())
    time.sleep(0.5)
    assert WorkerHeartbeat.objects.get().beats == 1
