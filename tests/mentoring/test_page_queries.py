"""Every list, dashboard and report page runs a bounded number of SQL queries
that does not grow with the data.

The report rollups (mentoring.insights.rollups, rebuilt after seed_scale) and the
stored default report views are refreshed as beat does, so the reports are
measured on the paths they take at scale: the sessions and check-in reports
read rollups, the others their stored default view.

The scale data is built once with ``seed_scale`` at 1× (20 mentees) and each
page requested, then grown to 10× (200 mentees) and each page requested again,
all inside one transaction that is rolled back. seed_scale writes the same ten
listings per program at any size, so the directory gets N/2 more housing
listings here to grow as well. Each page is requested as the person it is for,
picked by a fixed rule, once to warm up and once with its queries captured;
the count must be exactly the same at both sizes. A page whose count grows
fails with the queries that differ."""

import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring import tasks
from mentoring.insights.reports import REPORTS
from mentoring.insights.rollups import rollups_rebuild
from mentoring.insights.snapshots import report_tables_refresh, snapshots_refresh
from mentoring.management.scale import COORDINATOR_EMAIL, SLUG_PREFIX
from mentoring.models import (
    AttentionSnapshot,
    FiguresSnapshot,
    Match,
    ReportMonth,
    ReportSnapshot,
    ReportWeek,
)
from resources.models import Resource

# The test database is set up only for a session with a django_db test in it: without
# this mark, this module run on its own measured the development database ("no such table").
pytestmark = pytest.mark.django_db

SMALL, LARGE = 20, 200  # mentees at 1× and 10×


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # whose page: coordinator, mentor or mentee
    url: object  # a path, or a function of the people (a page about one of them)
    # How many rows it shows (from the response, or a download's body): proof
    # that the bound is not merely that of an empty page.
    shown: Callable
    stream: bool = False  # a streamed download (the CSV exports)
    audited: bool = False  # writes one read-audit row (mentoring.audit.audit_read)
    # Requested with no stored figures or signals (mentoring.insights.snapshots): the
    # page computes and stores them, as when beat has not run yet.
    cold: bool = False
    # Requested with every stored figure, signal, rollup and report table older than
    # FIGURES_MAX_AGE_SECONDS: shown as stored with its age, one background
    # refresh asked for (recorded here, not sent), nothing recomputed.
    stale: bool = False


def listed(key):
    """Rows of a paginated list in the context."""
    return lambda response: len(response.context[key].object_list)


def counted(key):
    return lambda response: len(response.context[key])


def table_rows(response):
    return len(response.context["table"].rows)


def csv_rows(body):
    return body.decode().count("\n") - 1  # the header is not a row


def pages():
    found = [
        Page("coordinator home", "coordinator", reverse("mentoring:home_coordinator"), counted("attention")),
        Page("needs attention", "coordinator", reverse("mentoring:attention"), counted("items")),
        Page(
            "coordinator home, cold",
            "coordinator",
            reverse("mentoring:home_coordinator"),
            counted("attention"),
            cold=True,
        ),
        Page("needs attention, cold", "coordinator", reverse("mentoring:attention"), counted("items"), cold=True),
        Page(
            "needs attention, one kind",
            "coordinator",
            reverse("mentoring:attention") + "?kind=missed_checkins",
            counted("items"),
        ),
    ]
    for slug in REPORTS:
        found.append(Page(f"report {slug}", "coordinator", reverse("mentoring:report", args=[slug]), table_rows))
        export = reverse("mentoring:report_export", args=[slug])
        found.append(Page(f"report {slug} CSV", "coordinator", export, csv_rows, stream=True, audited=True))
    # The reports' mentor filter: at most ten suggestions as the coordinator types.
    suggestions = reverse("mentoring:report_mentors", args=["sessions"]) + "?mentor_q=e"
    found.append(Page("report mentor suggestions", "coordinator", suggestions, lambda r: r.content.count(b"<li>")))
    found += [
        Page("mentor home", "mentor", reverse("mentoring:home_mentor"), listed("page")),
        Page("mentee home", "mentee", reverse("mentoring:home_mentee"), counted("goals")),
        Page("resource search", "coordinator", reverse("resources:directory") + "?q=housing", listed("page")),
    ]
    # A person's sensitive pages, as the coordinator, about the busiest mentee:
    # each writes one read-audit row.
    about_mentee = [
        ("person page", lambda people: reverse("mentoring:person_detail", args=[people["mentee"].pk]), "sections"),
        ("mentee goals", _mentee_url("goals:mentee_goals"), "goals"),
        ("mentee check-ins", _mentee_url("goals:checkins"), None),
        ("mentee progress", _mentee_url("goals:progress"), "recent"),
    ]
    for name, url, key in about_mentee:
        found.append(Page(name, "coordinator", url, counted(key) if key else listed("page"), audited=True))
    # seed_scale records no consents: the intake form itself is what is shown.
    intake_form = lambda response: int(response.context["intake_form"] is not None)  # noqa: E731
    found.append(Page("mentee intake", "coordinator", _mentee_url("programs:mentee_intake"), intake_form, audited=True))
    # Last: they age every stored figure.
    found += [
        Page(
            "coordinator home, stale",
            "coordinator",
            reverse("mentoring:home_coordinator"),
            counted("attention"),
            stale=True,
        ),
        Page("needs attention, stale", "coordinator", reverse("mentoring:attention"), counted("items"), stale=True),
        Page(
            "report sessions, stale",
            "coordinator",
            reverse("mentoring:report", args=["sessions"]),
            table_rows,
            stale=True,
        ),
        Page("report goals, stale", "coordinator", reverse("mentoring:report", args=["goals"]), table_rows, stale=True),
    ]
    return found


def _mentee_url(name):
    """A URL of the busiest mentee's profile (in an active match)."""

    def url(people):
        profile = people["mentee"].mentee_profiles.filter(matches__status=Match.Status.ACTIVE).get()
        return reverse(name, args=[profile.pk])

    return url


@dataclass
class Measured:
    status: int
    queries: list  # the SQL of each query, in order
    shown: int


# --- who requests each page ------------------------------------------------------------------------


def busiest_mentor():
    """The mentor with the most active matches; ties by pk."""
    users = get_user_model().objects.annotate(
        active=Count("mentor_profiles__matches", filter=Q(mentor_profiles__matches__status=Match.Status.ACTIVE))
    )
    return users.filter(active__gt=0).order_by("-active", "pk").first()


def busiest_mentee():
    """The mentee in an active match with the most check-ins; ties by pk."""
    users = get_user_model().objects.filter(mentee_profiles__matches__status=Match.Status.ACTIVE)
    users = users.annotate(checkins=Count("mentee_profiles__checkins", distinct=True)).filter(checkins__gt=0)
    return users.order_by("-checkins", "pk").first()


def people():
    found = {
        "coordinator": get_user_model().objects.get(email=COORDINATOR_EMAIL),
        "mentor": busiest_mentor(),
        "mentee": busiest_mentee(),
    }
    missing = [role for role, user in found.items() if user is None]
    assert not missing, f"seed_scale made no {missing}"
    return found


# --- measuring ---------------------------------------------------------------------------------------


def measure(found):
    clients = {role: signed_in(user) for role, user in found.items()}
    measured = {}
    snapshots_refresh()  # what beat does every minute
    rollups_rebuild()  # after seed_scale's bulk rows (beat would build them at its next run)
    report_tables_refresh()  # the coordinator's default report views
    for page in pages():
        client = clients[page.role]
        url = page.url(found) if callable(page.url) else page.url
        client.get(url)  # warm-up: caches and first-use rows
        if page.cold:
            FiguresSnapshot.objects.all().delete()
            AttentionSnapshot.objects.all().delete()
        if page.stale:
            an_hour_ago = timezone.now() - timedelta(hours=1)
            for model in (FiguresSnapshot, AttentionSnapshot, ReportSnapshot, ReportMonth, ReportWeek):
                model.objects.update(computed_at=an_hour_ago)
            cache.clear()
        sent = mock.Mock()
        with (
            CaptureQueriesContext(connection) as captured,
            mock.patch.object(tasks.refresh_snapshots, "apply_async", new=sent.snapshots),
            mock.patch.object(tasks.refresh_rollups, "apply_async", new=sent.rollups),
        ):
            response = client.get(url)
            if page.stream:  # a streamed response runs its queries while it is read
                body = b"".join(response.streaming_content)
        if page.stale:
            assert len(sent.mock_calls) == 1, f"{page.name}: {sent.mock_calls}"  # one refresh asked for
        queries = [query["sql"] for query in captured.captured_queries]
        shown = page.shown(body if page.stream else response)
        measured[page.name] = Measured(response.status_code, queries, shown)
    return measured


def more_housing_listings(count):
    """seed_scale writes ten listings per program whatever the size: so that
    the directory search grows too, add copies of its housing help desks."""
    desks = list(Resource.objects.filter(program__slug__startswith=SLUG_PREFIX, name__endswith="Help Desk"))
    fields = [f.attname for f in Resource._meta.concrete_fields if not f.primary_key]
    copies = []
    for i in range(count):
        desk = desks[i % len(desks)]
        values = {name: getattr(desk, name) for name in fields}
        copies.append(Resource(**{**values, "name": f"{desk.name} {i + 2}"}))
    Resource.objects.bulk_create(copies)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def measured(django_db_setup, django_db_blocker):
    """{mentees: {page name: Measured}} at 1× and 10×, once per test process
    (xdist may hand this module's tests to a process in several turns).
    Everything written here is rolled back before any test runs, so no other
    test sees the scale data."""
    results = {}
    with django_db_blocker.unblock(), transaction.atomic():
        for mentees in (SMALL, LARGE):
            # --replace: the 10× run deletes the 1× data and generates it again.
            call_command("seed_scale", mentees=mentees, replace=True, stdout=io.StringIO())
            more_housing_listings(mentees // 2)
            results[mentees] = measure(people())
        transaction.set_rollback(True)
    return results


# --- the test ----------------------------------------------------------------------------------------

SAVEPOINT_NAME = re.compile(r'"s\d+_x\d+"')
LITERALS = re.compile(r"'[^']*'|\b\d+(\.\d+)?\b")


def shape(sql):
    """The SQL with its literal values (and savepoint names) taken out, so
    that two runs compare by shape."""
    return LITERALS.sub("?", SAVEPOINT_NAME.sub('"savepoint"', sql))


def differing(small, large):
    """The queries of one size and not the other, as a unified diff of their shapes."""
    diff = difflib.unified_diff(
        [shape(sql) for sql in small],
        [shape(sql) for sql in large],
        fromfile=f"{SMALL} mentees",
        tofile=f"{LARGE} mentees",
        lineterm="",
        n=0,
    )
    return "\n".join(diff)


@pytest.mark.parametrize("name", [page.name for page in pages()])
def test_the_page_runs_the_same_number_of_queries_at_ten_times_the_data(measured, name):
    small, large = measured[SMALL][name], measured[LARGE][name]
    assert (small.status, large.status) == (200, 200)
    assert small.shown > 0 and large.shown > 0, f"{name} shows nothing ({small.shown} and {large.shown} rows)"
    at_small, at_large = len(small.queries), len(large.queries)
    grew = f"{name}: {at_small} queries at {SMALL} mentees, {at_large} at {LARGE}\n"
    assert at_small == at_large, grew + differing(small.queries, large.queries)


AUDIT_INSERT = 'INSERT INTO "mentoring_accessevent"'


@pytest.mark.parametrize("name", [page.name for page in pages() if page.audited])
def test_a_sensitive_page_adds_exactly_one_audit_insert_at_both_sizes(measured, name):
    """The read audit is one INSERT per page view, reading nothing (the
    counts above are equal at both sizes, the insert included)."""
    for mentees in (SMALL, LARGE):
        inserts = [sql for sql in measured[mentees][name].queries if sql.startswith(AUDIT_INSERT)]
        assert len(inserts) == 1, f"{name} at {mentees} mentees: {len(inserts)} audit inserts"
