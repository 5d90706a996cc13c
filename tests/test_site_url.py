"""SITE_URL follows WEB_BIND when it is not set (config/site_url.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.run import DEFAULT_STOP_SECONDS, stop_seconds
from config.site_url import site_url_from_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"WEB_BIND": "127.0.0.1:8010"}, "http://127.0.0.1:8010"),
        ({"WEB_BIND": "0.0.0.0:9000"}, "http://127.0.0.1:9000"),
        ({"WEB_BIND": ":9001"}, "http://127.0.0.1:9001"),
        ({"WEB_BIND": "[::]:8080"}, "http://[::1]:8080"),
        ({"WEB_BIND": "localhost:8123"}, "http://localhost:8123"),
        ({"WEB_BIND": "unix:/run/waypoint.sock"}, "http://127.0.0.1:8000"),
        ({"WEB_BIND": "   "}, "http://127.0.0.1:8000"),
        ({"WEB_BIND": "127.0.0.1:8010", "SITE_URL": "https://peer.example.org/"}, "https://peer.example.org"),
        ({"WEB_BIND": "0.0.0.0:8010", "SITE_URL": ""}, "http://127.0.0.1:8010"),
    ],
)
def test_site_url_follows_web_bind_unless_set(environ, expected):
    assert site_url_from_env(environ) == expected


def test_settings_take_site_url_from_web_bind():
    """The real settings module, imported with WEB_BIND on another port and
    no SITE_URL: links in emails and calendar feeds use that port."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DJANGO_SETTINGS_MODULE")}
    env["WEB_BIND"] = "0.0.0.0:8765"
    env["WAYPOINT_VAR_DIR"] = "/tmp/waypoint-tests/site-url"
    code = "from config import settings; print(settings.SITE_URL)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    ("value", "expected"), [(None, DEFAULT_STOP_SECONDS), ("7", 7.0), ("0", DEFAULT_STOP_SECONDS), ("x", 20.0)]
)
def test_make_run_waits_for_a_clean_stop(value, expected):
    assert stop_seconds({} if value is None else {"WAYPOINT_STOP_SECONDS": value}) == expected
