"""In CI the suite must run on the real services, not the embedded defaults."""

import os

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="only CI promises PostgreSQL and Redis")
def test_ci_runs_on_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
