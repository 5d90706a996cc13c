"""Tokens in links never reach the logs: the route is logged instead
(mentoring/log_privacy.py), in Django's logs and in gunicorn's access log."""

import io
import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import get_resolver
from django.urls.resolvers import RoutePattern, URLResolver
from gunicorn.config import Config
from gunicorn.util import load_class

from mentoring.log_privacy import SECRET_URL_PARAMETERS, GunicornLogger, loggable_path

TOKEN = "Zq8sEcReTtOkEn4x"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def console_log():
    """What the configured console handler (settings.LOGGING) writes, while the
    test runs."""
    handlers = {h for name in ("", "django", "django.server") for h in logging.getLogger(name).handlers}
    console = [h for h in handlers if h.name == "console"]
    assert console, "settings.LOGGING has no console handler"
    buffer = io.StringIO()
    previous = [h.setStream(buffer) for h in console]
    yield buffer
    for handler, stream in zip(console, previous, strict=True):
        handler.setStream(stream)


@pytest.mark.parametrize(
    ("path", "route"),
    [
        (f"/invite/{TOKEN}/", "/invite/<str:token>/"),
        (f"/calendar/{TOKEN}.ics", "/calendar/<str:token>.ics"),
        (f"/unsubscribe/{TOKEN}/", "/unsubscribe/<str:token>/"),
    ],
)
def test_a_link_with_an_unknown_token_is_logged_by_its_route(db, client, console_log, path, route):
    assert client.get(path).status_code == 404
    written = console_log.getvalue()
    assert f"Not Found: {route}" in written
    assert TOKEN not in written


def test_other_paths_are_logged_as_they_are(db, client, console_log):
    assert client.get("/no-such-page/here/").status_code == 404
    assert "Not Found: /no-such-page/here/" in console_log.getvalue()


def test_runserver_request_lines_name_the_route(console_log):
    # django.core.servers.basehttp.WSGIRequestHandler.log_message logs exactly this.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /accounts/password/reset/MQ/{TOKEN}/ HTTP/1.1", "302", "0"
    )
    written = console_log.getvalue()
    assert '"GET /accounts/password/reset/<uidb64>/<token>/ HTTP/1.1" 302 0' in written
    assert TOKEN not in written


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        (f"/invite/{TOKEN}/", "/invite/<str:token>/"),
        (f"/invite/{TOKEN}", "/invite/<str:token>/"),  # before APPEND_SLASH redirects
        (f"/accounts/password/reset/MQ/{TOKEN}/", "/accounts/password/reset/<uidb64>/<token>/"),
        ("/accounts/password/reset/MQ/set-password/", "/accounts/password/reset/<uidb64>/<token>/"),
        (f"/calendar/{TOKEN}.ics?x=1", "/calendar/<str:token>.ics?x=*"),
        (f"/accounts/login/?next=/invite/{TOKEN}/", "/accounts/login/?next=*"),
        ("/resources/?q=private+words&page=2", "/resources/?q=*&page=*"),
        ("/goals/12/", "/goals/12/"),
        ("/no-such-page/", "/no-such-page/"),
    ],
)
def test_loggable_path(db, text, logged):
    assert loggable_path(text) == logged


def _gunicorn_line(tmp_path, log_format=None):
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    if log_format:
        cfg.set("access_log_format", log_format)
    referer = f"https://waypoint.example/invite/{TOKEN}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/calendar/{TOKEN}.ics?download=1",
        "PATH_INFO": f"/calendar/{TOKEN}.ics",
        "QUERY_STRING": "download=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Calendar/1.0",
    }
    request = SimpleNamespace(headers=[("REFERER", referer), ("USER-AGENT", "Calendar/1.0")])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Content-Type", "text/calendar")])
    GunicornLogger(cfg).access(response, request, environ, timedelta(microseconds=1500))
    return (tmp_path / "access.log").read_text()


def test_gunicorn_access_log_names_the_route(db, tmp_path):
    line = _gunicorn_line(tmp_path)  # gunicorn's default format: request line, referer, agent
    assert '"GET /calendar/<str:token>.ics?download=* HTTP/1.1" 200 512' in line
    assert '"https://waypoint.example/invite/<str:token>/"' in line
    assert TOKEN not in line


def test_gunicorn_access_log_atoms_for_custom_formats_are_private_too(db, tmp_path):
    line = _gunicorn_line(tmp_path, "%(U)s %(q)s %({raw_uri}e)s %({path_info}e)s %({referer}i)s %({http_referer}e)s")
    assert TOKEN not in line
    assert line.startswith("/calendar/<str:token>.ics download=* /calendar/<str:token>.ics?download=*")


def test_the_procfile_runs_gunicorn_with_the_private_logger():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "--logger-class mentoring.log_privacy.GunicornLogger" in web
    assert load_class("mentoring.log_privacy.GunicornLogger") is GunicornLogger


def _routes(patterns, prefix="", converters=None):
    for pattern in patterns:
        found = dict(converters or {})
        if isinstance(pattern.pattern, RoutePattern):
            found.update(pattern.pattern.converters)
        else:
            found.update({name: None for name in pattern.pattern.regex.groupindex})
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), found)
        else:
            yield prefix + str(pattern.pattern), found


# URL parameters that are not secrets: ids and names of things, never a key.
PUBLIC_URL_PARAMETERS = {"slug", "kind", "object_id", "content_type_id", "id", "app_label", "url"}


def test_every_text_parameter_in_a_url_is_either_known_public_or_kept_out_of_logs():
    """A new route with a text parameter must be put in one list or the other:
    a token named e.g. ``code`` would otherwise reach the access log."""
    undecided = {
        (route, name)
        for route, converters in _routes(get_resolver().url_patterns)
        for name, converter in converters.items()
        if type(converter).__name__ != "IntConverter"
        and name not in PUBLIC_URL_PARAMETERS
        and name not in SECRET_URL_PARAMETERS
        and not name.endswith("token")
    }
    assert not undecided, sorted(undecided)


def test_json_log_lines_are_structured_and_as_private_as_plain_ones(db):
    """LOG_FORMAT=json: one JSON object a line, through the same filter, so a
    token in a path is logged as its route there too."""
    import json
    import subprocess
    import sys

    from mentoring.log_privacy import JsonFormatter, SecretPathFilter

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretPathFilter())
    logger = logging.getLogger("waypoint.test.json")
    logger.addHandler(handler)
    try:
        logger.warning("Not Found: %s", f"/invite/{TOKEN}/", extra={"email": "someone@example.org"})
        try:
            raise ValueError("broken")
        except ValueError:
            logger.exception("Task failed")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{"))
    assert first.keys() == {"time", "level", "logger", "message"}
    assert first["message"] == "Not Found: /invite/<str:token>/"
    assert (first["level"], first["logger"]) == ("WARNING", "waypoint.test.json")
    assert first["time"].endswith("+00:00")
    assert "ValueError: broken" in second["exception"]
    assert TOKEN not in buffer.getvalue() and "someone@example.org" not in buffer.getvalue()

    code = "from config import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    env = {"LOG_FORMAT": "json", "PATH": "/usr/bin:/bin", "WAYPOINT_VAR_DIR": "/tmp/waypoint-tests/log-format"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "json"
