"""Test settings: the real settings with a fast hasher and eager Celery.

Eager Celery is an emulation used for speed; tests/mentoring/test_celery_worker.py
runs a real worker against the configured broker."""

import os
from pathlib import Path

# Each test process gets its own folder (filesystem broker, SQLite test
# database), so parallel workers and concurrent runs never share files.
_TEST_VAR = Path(os.environ.get("WAYPOINT_TEST_ROOT", "/tmp/waypoint-tests")) / f"run-{os.getpid()}"
_TEST_VAR.mkdir(parents=True, exist_ok=True)
os.environ["WAYPOINT_VAR_DIR"] = str(_TEST_VAR)

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Connections opened by a real worker thread close after each task, so the
# test database can be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Parallel test processes (pytest-xdist) share one broker: each gets its own
# queue so a real worker in one process never takes another process's task.
CELERY_TASK_DEFAULT_QUEUE = f"waypoint-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the in-memory default: SQLite's shared-cache memory database
    # fails at once on a locked table instead of waiting, which would make the
    # concurrency tests (two people racing for the last seat) meaningless.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
