import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from mentoring.models import Match
from tests.conftest import _unverified_force_login


@pytest.fixture
def scale_data(db):
    call_command("seed_scale", mentees=20, stdout=io.StringIO())


def bench(*args):
    out = io.StringIO()
    call_command("bench_pages", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_output_is_one_object_with_every_main_page(scale_data):
    figures = json.loads(bench("--json", "--runs", "1"))  # fails if anything else is on stdout

    assert set(figures) == {"floor_ms", "floor_p95_ms", "floor_cpu_ms", "pages"}
    assert isinstance(figures["floor_ms"], float) and figures["floor_ms"] > 0
    assert figures["floor_cpu_ms"] > 0  # the process's CPU time per request (i18g)
    for page in figures["pages"]:
        assert set(page) == {"name", "median_ms", "p95_ms", "queries", "ratio", "cpu_ms", "cpu_ratio"}
        assert page["cpu_ms"] > 0 and page["cpu_ratio"] > 0
        assert page["p95_ms"] >= page["median_ms"]
        assert isinstance(page["name"], str)
        assert isinstance(page["median_ms"], float) and isinstance(page["queries"], int)
        assert page["queries"] >= 1 and page["ratio"] > 0
    names = [page["name"] for page in figures["pages"]]
    assert {"coordinator home", "needs attention", "mentor home", "mentee home", "resource search"} <= set(names)
    assert any(name.startswith("report: ") for name in names)
    assert len(names) == len(set(names))


def test_the_coordinator_pages_pass_two_factor_as_a_real_sign_in_would(scale_data, monkeypatch):
    """Outside the tests force_login leaves the second step to do: the bench
    signs the coordinator in with the authenticator app seed_scale gives them."""
    monkeypatch.setattr(Client, "force_login", _unverified_force_login)
    names = {page["name"] for page in json.loads(bench("--json", "--runs", "1"))["pages"]}
    assert {"coordinator home", "needs attention"} <= names


def test_the_floor_is_not_a_url_of_the_app(scale_data):
    bench("--json", "--runs", "1")
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")


def test_readable_table_names_each_page(scale_data):
    table = bench("--runs", "1")
    for name in ("floor", "coordinator home", "mentee home", "resource search"):
        assert name in table


def test_a_role_nobody_holds_is_skipped_with_a_note(scale_data):
    Match.objects.filter(status=Match.Status.ACTIVE).update(status=Match.Status.PAUSED)
    out, err = io.StringIO(), io.StringIO()
    call_command("bench_pages", "--json", "--runs", "1", stdout=out, stderr=err)
    names = {page["name"] for page in json.loads(out.getvalue())["pages"]}
    assert "mentor home" not in names and "mentee home" not in names
    assert "No mentor" in err.getvalue() and "No mentee" in err.getvalue()


def test_an_empty_database_is_an_error(db):
    with pytest.raises(CommandError, match="seed_scale"):
        bench("--json")
