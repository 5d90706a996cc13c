"""Production settings are refused when they are only safe on a laptop, and
`check --deploy` is clean with a production environment."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from mentoring.checks import browser_hardening_check, production_settings_check, proxy_settings_check

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3J9-production-like-secret-value-with-plenty-of-entropy-0987654321"


def _ids(errors):
    return sorted(error.id for error in errors)


@override_settings(DEBUG=False, CELERY_BROKER_URL="filesystem://")
def test_filesystem_broker_refused_without_debug():
    with override_settings(SECRET_KEY=GOOD_SECRET):
        assert _ids(production_settings_check(None)) == ["waypoint.E001"]


@override_settings(DEBUG=False, CELERY_BROKER_URL="redis://cache:6379/0")
def test_development_secret_refused_without_debug():
    with override_settings(SECRET_KEY=settings.DEVELOPMENT_SECRET_KEY):
        assert _ids(production_settings_check(None)) == ["waypoint.E002"]
    with override_settings(SECRET_KEY=GOOD_SECRET):
        assert production_settings_check(None) == []


@override_settings(DEBUG=True, CELERY_BROKER_URL="filesystem://")
def test_development_defaults_are_fine_with_debug():
    assert production_settings_check(None) == []


def _manage(*args, **env):
    production = ("DEBUG", "SECRET_KEY", "CELERY_BROKER_URL", "HTTPS", "DATABASE_URL", "ALLOWED_HOSTS")
    clean = {k: v for k, v in os.environ.items() if k not in production}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_env():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=GOOD_SECRET,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DATABASE_URL="postgres://waypoint:secret@db.example.org:5432/waypoint",
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_browser_hardening_check_passes_with_the_project_settings():
    assert browser_hardening_check(None) == []


def test_csp_allowing_inline_scripts_is_refused():
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        assert _ids(browser_hardening_check(None)) == ["waypoint.E042"]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'self'", "'unsafe-eval'"]}}):
        assert _ids(browser_hardening_check(None)) == ["waypoint.E042"]


def test_missing_csp_or_permissions_policy_is_refused():
    middleware = [m for m in settings.MIDDLEWARE if "csp" not in m and "PermissionsPolicy" not in m]
    with override_settings(MIDDLEWARE=middleware):
        assert _ids(browser_hardening_check(None)) == ["waypoint.E041", "waypoint.E043"]


def test_check_fails_with_production_debug_off_and_development_defaults():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "waypoint.E001" in result.stderr and "waypoint.E002" in result.stderr


def test_behind_a_proxy_without_trusted_proxies_is_warned_about():
    behind = ("HTTP_X_FORWARDED_PROTO", "https")
    with override_settings(SECURE_PROXY_SSL_HEADER=behind, TRUSTED_PROXY_COUNT=0):
        assert _ids(proxy_settings_check(None)) == ["waypoint.W031"]
    with override_settings(SECURE_PROXY_SSL_HEADER=behind, TRUSTED_PROXY_COUNT=1):
        assert proxy_settings_check(None) == []
    with override_settings(SECURE_PROXY_SSL_HEADER=None, TRUSTED_PROXY_COUNT=0):
        assert proxy_settings_check(None) == []
    with override_settings(TRUSTED_PROXY_COUNT=-1):
        assert _ids(proxy_settings_check(None)) == ["waypoint.E031"]


def test_check_deploy_passes_behind_a_proxy_with_trusted_proxies():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=GOOD_SECRET,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="waypoint.example.org",
        BEHIND_PROXY="true",
        TRUSTED_PROXY_COUNT="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = _manage("check", BEHIND_PROXY="true", TRUSTED_PROXY_COUNT="0")
    assert "waypoint.W031" in result.stdout + result.stderr
