"""Load benchmark: signed-in coordinators, mentors and mentees over the scale data.

Run through ``make bench-load`` (``python manage.py bench_load``), which
starts gunicorn on 127.0.0.1, picks the people and passes them here in the
environment, runs locust headless at 10 and 50 users for a fixed time and
prints requests/s, p50/p95/p99 and errors per page with the ratio to the
floor page. By hand (after ``seed_scale``, with the server already running):

    LOAD_MENTORS=scale-mentor-1@example.org LOAD_MENTEES=scale-mentee-1@example.org \\
        locust -f locustfile.py --headless -u 10 -r 10 --run-time 30s --host http://127.0.0.1:8000

Environment (all optional but the host):
- LOAD_COORDINATOR: the coordinator's email (default scale-coordinator@example.org).
- LOAD_TOTP_SECRET: their authenticator key, base32 (default: the demo key
  seed_scale gives them, WAYPOINTDEMOWAYPOINTDEMOWAYPOINT).
- LOAD_MENTORS, LOAD_MENTEES: comma-separated emails, one taken per simulated user in
  turn; each person signs in once and their simulated users share the session.
- LOAD_PASSWORD: every scale person's password (default waypoint-demo).
- LOAD_MAX_REQUESTS: the run stops after this many requests (default 20000).

The coordinator passes two-factor once per locust process: django-otp takes
each 30-second code once, so all simulated coordinators share that signed-in
session (as several tabs would). Codes come from django_otp.oath.totp (plain
Python; Django is not imported here). Loopback only: any other host is refused."""

import itertools
import os
import re
from base64 import b32decode
from urllib.parse import urlparse

import gevent.lock
from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "waypoint-demo")
COORDINATOR = os.environ.get("LOAD_COORDINATOR", "scale-coordinator@example.org")
TOTP_SECRET = os.environ.get("LOAD_TOTP_SECRET", "WAYPOINTDEMOWAYPOINTDEMOWAYPOINT")
MENTORS = itertools.cycle([e for e in os.environ.get("LOAD_MENTORS", "").split(",") if e] or [None])
MENTEES = itertools.cycle([e for e in os.environ.get("LOAD_MENTEES", "").split(",") if e] or [None])
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "20000"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# The floor: a page that costs one query and base.html (bench_pages' floor;
# bench_load serves it). Names are the report's rows.
FLOOR = "/bench-floor/"
COORDINATOR_PAGES = {
    "coordinator home": "/home/coordinator/",
    "needs attention": "/attention/",
    "report: sessions": "/reports/sessions/",
    "report: checkins": "/reports/checkins/",
}
MENTOR_PAGES = {"mentor home": "/home/mentor/"}
MENTEE_PAGES = {"mentee home": "/home/mentee/"}

_sent = itertools.count(1)
_SESSIONS = {}  # email -> cookies of its signed-in session
_LOCK = gevent.lock.Semaphore()


@events.init.add_listener
def _loopback_only(environment, **kwargs):
    host = urlparse(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"locustfile.py runs against 127.0.0.1 only, not {host!r}.")


_environment = []


@events.init.add_listener
def _remember_environment(environment, **kwargs):
    _environment.append(environment)


@events.request.add_listener
def _bounded(**kwargs):
    """Stop the whole run after LOAD_MAX_REQUESTS requests."""
    if next(_sent) == MAX_REQUESTS and _environment and _environment[0].runner:
        _environment[0].runner.quit()


def code(secret=TOTP_SECRET, *, ahead=0):
    """The 6 digits an authenticator app shows for ``secret`` (base32) now, or
    ``ahead`` 30-second steps later (django-otp takes each step's code once).
    Imported here: django_otp must load after locust's gevent patching."""
    from django_otp.oath import totp

    return f"{totp(b32decode(secret), step=30, t0=-30 * ahead, digits=6, drift=0):06d}"


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)

    def sign_in(self, email):
        page = self.client.get("/accounts/login/", name="sign in")
        token = CSRF.search(page.text)
        response = self.client.post(
            "/accounts/login/",
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
        )
        return response

    def sign_in_once(self, email):
        """Sign in as ``email`` once per locust process; simulated users with the same
        person share the session (password hashing would otherwise be the load)."""
        if not email:
            return
        with _LOCK:
            if email not in _SESSIONS:
                self.sign_in(email)
                _SESSIONS[email] = self.client.cookies.get_dict()
        self.client.cookies.update(_SESSIONS[email])

    def visit(self, name, url):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} (not 200)")

    @task(1)
    def floor(self):
        self.visit("floor", FLOOR)


class Coordinator(SignedIn):
    weight = 1
    _cookies = None
    _lock = gevent.lock.Semaphore()

    def on_start(self):
        with Coordinator._lock:
            if Coordinator._cookies is None:
                Coordinator._cookies = self._pass_both_steps()
        self.client.cookies.update(Coordinator._cookies)

    def _pass_both_steps(self):
        response = self.sign_in(COORDINATOR)
        if "/two-factor/verify/" in response.url:
            page = self.client.get("/accounts/two-factor/verify/", name="sign in")
            token = CSRF.search(page.text)
            # A code is taken once per 30-second step: use the next step's if this one was spent.
            for ahead in (0, 1):
                answer = self.client.post(
                    "/accounts/two-factor/verify/",
                    {"code": code(ahead=ahead), "csrfmiddlewaretoken": token.group(1)},
                    headers={"Referer": f"{self.host}/accounts/two-factor/verify/"},
                    name="sign in",
                )
                if "/two-factor/verify/" not in answer.url:
                    break
        return self.client.cookies.get_dict()

    @task(3)
    def home(self):
        self.visit("coordinator home", COORDINATOR_PAGES["coordinator home"])

    @task(2)
    def attention(self):
        self.visit("needs attention", COORDINATOR_PAGES["needs attention"])

    @task(1)
    def reports(self):
        self.visit("report: sessions", COORDINATOR_PAGES["report: sessions"])
        self.visit("report: checkins", COORDINATOR_PAGES["report: checkins"])


class Mentor(SignedIn):
    weight = 2

    def on_start(self):
        self.sign_in_once(next(MENTORS))

    @task(4)
    def home(self):
        self.visit("mentor home", MENTOR_PAGES["mentor home"])


class Mentee(SignedIn):
    weight = 3

    def on_start(self):
        self.sign_in_once(next(MENTEES))

    @task(4)
    def home(self):
        self.visit("mentee home", MENTEE_PAGES["mentee home"])
