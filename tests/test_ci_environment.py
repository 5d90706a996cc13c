"""In CI the suite must run on the real services, not the embedded defaults."""

import os

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="only CI promises PostgreSQL and Redis")
def test_ci_runs_on_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="only CI promises PostgreSQL and Redis")
def test_ci_runs_as_the_readmes_createdb_role_not_a_superuser(db):
    """README "PostgreSQL step by step": an ordinary role with CREATEDB runs
    migrations and the whole suite; CI proves it by using exactly that role."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, True)
