"""The load benchmark's parts that run without a server: who signs in, how
locust's figures are read, the two-factor code the locust user computes, and
that it refuses any host but the loopback."""

import io
import subprocess
import sys
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP

from mentoring.management.commands.bench_load import load_people, read_stats
from mentoring.management.commands.seed_demo import DEMO_TOTP_SECRET
from mentoring.management.scale import COORDINATOR_EMAIL
from mentoring.twofactor import app_device

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
STATS = (
    HEADER
    + """
GET,coordinator home,40,1,70,75,50,300,9000,1.3,0.0,70,80,90,95,120,150,200,300,300,300,300
GET,floor,20,0,20,21,15,40,3000,0.7,0.0,20,21,22,23,30,35,40,40,40,40,40
POST,sign in,10,0,400,400,300,500,100,0.3,0.0,400,400,400,400,500,500,500,500,500,500,500
,Aggregated,70,1,60,60,15,500,6000,2.3,0.0,60,70,80,90,100,150,200,300,500,500,500
"""
)


def test_locust_figures_are_read_per_page_with_the_ratio_to_the_floor(tmp_path):
    (tmp_path / "run_stats.csv").write_text(STATS)
    rows = read_stats(tmp_path / "run")
    assert [row["name"] for row in rows] == ["floor", "coordinator home"]  # sign-ins and the total left out
    home = rows[1]
    assert home == {
        "name": "coordinator home",
        "requests": 40,
        "rps": 1.3,
        "p50_ms": 70.0,
        "p95_ms": 150.0,
        "p99_ms": 300.0,
        "errors": 1,
        "ratio": 3.5,
    }


@pytest.mark.django_db
def test_the_simulated_people_come_from_the_scale_data():
    with pytest.raises(CommandError, match="seed_scale"):
        load_people(10)
    call_command("seed_scale", mentees=20, stdout=io.StringIO())
    people = load_people(3)
    assert people["coordinator"] == COORDINATOR_EMAIL
    assert 1 <= len(people["mentors"]) <= 3 and 1 <= len(people["mentees"]) <= 3


@pytest.mark.django_db
def test_the_scale_coordinator_has_the_documented_key_and_the_locust_code_matches():
    """seed_scale's coordinator must pass two-factor; the code locustfile.py
    computes (django_otp.oath.totp) is the one their app would show."""
    call_command("seed_scale", mentees=20, stdout=io.StringIO())
    device = app_device(get_user_model().objects.get(email=COORDINATOR_EMAIL))
    assert device.bin_key == b32decode(DEMO_TOTP_SECRET)
    expected = TOTP(b32decode(DEMO_TOTP_SECRET), step=30, t0=0, digits=6)
    expected.time = time.time()
    locust_code = subprocess.run(
        [sys.executable, "-c", "import locustfile; print(locustfile.code())"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    assert locust_code in {f"{expected.token():06d}", f"{TOTP(device.bin_key).token():06d}"}


def test_the_locustfile_refuses_a_host_that_is_not_the_loopback():
    locust = Path(sys.executable).with_name("locust")
    finished = subprocess.run(
        [str(locust), "-f", "locustfile.py", "--headless", "-u", "1", "-t", "1s", "--host", "http://example.org"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode != 0
    assert "127.0.0.1 only" in finished.stdout + finished.stderr
