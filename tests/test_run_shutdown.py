"""`make run` stopped with Ctrl-C: web, worker and beat end cleanly.

Runs what `make run` runs (``python -m config.run start -f Procfile``) on the
embedded defaults (a SQLite file, the filesystem broker) on a free port, waits
until /healthz/ answers and the worker and beat are up, sends SIGINT (what
Ctrl-C sends) and checks that every process of the tree is gone within
STOP_WITHIN seconds and that nothing was SIGKILLed.

Before: the prefork worker hung in its warm shutdown (honcho signals the whole
process group, so the pool children died of SIGTERM under the parent) until
honcho SIGKILLed it after 5 s. Slow (a migrate and three processes), one test.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
STOP_WITHIN = 12  # seconds; honcho's own grace is WAYPOINT_STOP_SECONDS (20)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _embedded_env(tmp_path, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_", "PYTEST_", "DJANGO_"))}
    bin_dir = str(Path(sys.executable).parent)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        WAYPOINT_VAR_DIR=str(tmp_path / "var"),
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        PATH=f"{bin_dir}:{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_for(predicate, seconds, what, output):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what} not within {seconds} s:\n{output()}")


def test_ctrl_c_on_make_run_stops_web_worker_and_beat_without_sigkill(tmp_path):
    port = _free_port()
    env = _embedded_env(tmp_path, port)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=600
    )
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "config.run", "start", "-f", "Procfile", "--no-colour"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # like a terminal: our own process group
        )
    output = log.read_text
    try:

        def healthy():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as response:
                    return json.load(response)["status"] == "ok"
            except OSError:
                return False

        _wait_for(healthy, 180, "/healthz/", output)
        _wait_for(lambda: " ready." in output() and "beat: Starting" in output(), 120, "worker and beat", output)
        time.sleep(2)  # beat's first tasks reach the worker
        tree = [run.pid] + [child.pid for child in psutil.Process(run.pid).children(recursive=True)]
        assert len(tree) >= 6, output()  # honcho, its helper, web (master + worker), worker, beat

        started = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C reaches the terminal's whole foreground group
        run.wait(timeout=STOP_WITHIN + 10)
        stopped_after = time.monotonic() - started
        _wait_for(lambda: not any(psutil.pid_exists(pid) for pid in tree[1:]), 5, "every process gone", output)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    text = output()
    assert "SIGKILL" not in text and "Killing" not in text, text
    for name in ("web.1", "worker.1", "beat.1"):
        assert f"{name} stopped" in text, text
    assert stopped_after < STOP_WITHIN, (stopped_after, text)
    assert "gunicorn.ctl" not in text  # no shared control socket
