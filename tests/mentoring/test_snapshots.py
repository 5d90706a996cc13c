"""Stored figures and attention signals (mentoring.insights.snapshots) stay exact.

The coordinator home and the needs-attention list read what beat stored
(``snapshots_refresh``, every minute). After every kind of change (a meeting
logged, a check-in, a match closed, a safety alert) and a refresh, every
figure the page shows equals the live computation and a direct count on the
same data; open safety alerts show at once, without a refresh."""

from dataclasses import asdict
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.models import CheckIn, Goal, SafetyAlert
from mentoring.insights import attention
from mentoring.insights.dashboard import Periods, program_figures, total
from mentoring.insights.leases import PASS_LEASE, lease_release, lease_take
from mentoring.insights.snapshots import snapshots_refresh, snapshots_refresh_pass
from mentoring.models import AttentionSignal, AttentionSnapshot, FiguresSnapshot, Match, MenteeProfile
from mentoring.services import match_close
from mentoring.tasks import refresh_snapshots
from programs.models import Program
from sessions.models import Session
from sessions.services import session_log
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MatchFactory,
    SafetyAlertFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def refreshes(monkeypatch):
    """The background refreshes pages enqueue (mentoring.tasks.refresh_snapshots), recorded instead of sent."""
    from mentoring import tasks

    sent = []
    cache.clear()
    monkeypatch.setattr(tasks.refresh_snapshots, "apply_async", lambda *args, **kwargs: sent.append(kwargs))
    yield sent
    cache.clear()


def home(client, program=None):
    url = reverse("mentoring:home_coordinator") + (f"?program={program.pk}" if program else "")
    response = client.get(url)
    assert response.status_code == 200
    return response


def direct(programs):
    """Key figures counted straight from the rows, in the active zone."""
    periods = Periods.around()
    matches = Match.objects.filter(program__in=programs)
    completed = Session.objects.filter(match__program__in=programs, status=Session.Status.COMPLETED)
    this_month = completed.filter(starts_at__gte=periods.this_month, starts_at__lt=periods.next_month)
    mentees = MenteeProfile.objects.filter(program__in=programs)
    return {
        "active_matches": matches.filter(status=Match.Status.ACTIVE).count(),
        "paused_matches": matches.filter(status=Match.Status.PAUSED).count(),
        "proposed_matches": matches.filter(status=Match.Status.PROPOSED).count(),
        "sessions_this_month": this_month.count(),
        "minutes_this_month": sum(this_month.values_list("duration_minutes", flat=True)),
        "goals_achieved": Goal.objects.filter(mentee__in=mentees, status=Goal.Status.ACHIEVED).count(),
        "open_alerts": SafetyAlert.objects.filter(mentee__in=mentees, acknowledged_at__isnull=True).count(),
        "waiting": mentees.exclude(matches__status__in=Match.OPEN).count(),
    }


def assert_exact(client, personas):
    """The page's figures = the live computation = direct counts; its attention
    rows = the live signals."""
    programs = [personas.program]
    response = home(client, personas.program)
    shown = response.context["overall"]
    # The page's weeks and months are the coordinator's (their zone is active in the request):
    # the live figures are computed in that zone too, not in the test's UTC (they differ on
    # Sunday evenings in New York, when the UTC week has already turned).
    with timezone.override(personas.coordinator.zone):
        live = total(program_figures(programs).values())
    assert asdict(shown) == asdict(live)
    for name, count in direct(programs).items():
        assert getattr(shown, name) == count, name
    stored = client.get(reverse("mentoring:attention") + f"?program={personas.program.pk}").context["page"]
    expected = list(attention.signals(programs))
    assert sorted(stored.paginator.object_list, key=repr) == sorted(expected, key=repr)
    assert response.context["attention_count"] == len(expected)


def test_figures_and_signals_equal_direct_counts_after_every_kind_of_change(personas, client_for):
    client = client_for(personas.coordinator)
    now = timezone.now()
    match = personas.match
    MatchFactory(program=personas.program, started_at=now - timedelta(days=40))  # quiet: no meeting yet
    snapshots_refresh()
    assert_exact(client, personas)

    # A meeting logged.
    meeting = SessionFactory(match=match, status="scheduled", starts_at=now - timedelta(hours=1))
    session_log(session=meeting, by=personas.mentor, outcome=Session.Status.COMPLETED, duration_minutes=75)
    snapshots_refresh()
    assert_exact(client, personas)
    assert home(client, personas.program).context["overall"].sessions_this_month >= 1

    # Check-ins, a goal achieved.
    for days in (1, 2, 3):
        CheckInFactory(mentee=match.mentee, created_at=now - timedelta(days=days), mood=2)
    GoalFactory(mentee=match.mentee, status=Goal.Status.ACHIEVED, closed_at=now)
    snapshots_refresh()
    assert_exact(client, personas)
    assert CheckIn.objects.filter(mentee=match.mentee).count() == 3

    # A match closed: the mentee waits again.
    waiting_before = home(client, personas.program).context["overall"].waiting
    match_close(match=match, reason="completed", note="", closed_by=personas.coordinator)
    snapshots_refresh()
    assert_exact(client, personas)
    assert home(client, personas.program).context["overall"].waiting == waiting_before + 1


def test_a_safety_alert_shows_at_once_without_waiting_for_the_refresh(personas, client_for):
    client = client_for(personas.coordinator)
    snapshots_refresh()
    assert home(client, personas.program).context["overall"].open_alerts == 0
    alert = SafetyAlertFactory(mentee=personas.match.mentee)
    response = home(client, personas.program)  # no refresh in between
    assert response.context["overall"].open_alerts == 1
    assert [item.kind for item in response.context["attention"]][:1] == ["alert"]
    assert response.context["attention_count"] >= 1
    page = client.get(reverse("mentoring:attention") + "?kind=alert")
    assert [item.ref_id for item in page.context["items"]] == [alert.pk]


def test_other_figures_wait_for_the_refresh_and_say_how_old_they_are(personas, client_for):
    client = client_for(personas.coordinator)
    snapshots_refresh()
    before = home(client, personas.program).context["overall"].proposed_matches
    MatchFactory(program=personas.program, status=Match.Status.PROPOSED, started_at=None)
    response = home(client, personas.program)
    assert response.context["overall"].proposed_matches == before  # stored a moment ago
    assert "Figures updated" in response.content.decode()
    assert "second" in response.content.decode()
    snapshots_refresh()
    assert home(client, personas.program).context["overall"].proposed_matches == before + 1


def test_missing_snapshots_are_computed_by_the_page(personas, client_for, refreshes):
    """With no stored figures at all (a fresh install before beat's first pass) the page computes and stores them."""
    client = client_for(personas.coordinator)
    assert not FiguresSnapshot.objects.exists()
    MatchFactory(program=personas.program, started_at=timezone.now() - timedelta(days=40))
    response = home(client, personas.program)
    assert FiguresSnapshot.objects.filter(program=personas.program).exists()
    assert AttentionSnapshot.objects.filter(program=personas.program).exists()
    assert response.context["overall"].active_matches == direct([personas.program])["active_matches"]
    first_contact = AttentionSignal.objects.filter(program=personas.program, kind="first_contact").count()
    assert first_contact == len(list(attention.signals([personas.program], kind="first_contact"))) == 1
    assert refreshes == []  # just computed: nothing to ask for


def test_stale_snapshots_are_shown_with_their_age_and_one_refresh_is_enqueued(personas, client_for, refreshes):
    """Stored figures older than the maximum age are never recomputed in the request:
    the page shows them with their age and asks ONCE for a background refresh,
    however many coordinators open it; the refresh then makes them exact."""
    client = client_for(personas.coordinator)
    snapshots_refresh()
    before = home(client, personas.program).context["overall"].active_matches
    MatchFactory(program=personas.program, started_at=timezone.now() - timedelta(days=40))
    FiguresSnapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=16))
    AttentionSnapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=16))
    with override_settings(FIGURES_MAX_AGE_SECONDS=300), CaptureQueriesContext(connection) as queries:
        response = home(client, personas.program)
        for _ in range(4):  # more coordinators, and the needs-attention page
            home(client, personas.program)
            assert client.get(reverse("mentoring:attention")).status_code == 200
    assert response.context["overall"].active_matches == before  # the stored figure, not recomputed
    assert response.context["figures_age"] >= 16 * 60 and response.context["attention_age"] >= 16 * 60
    page = response.content.decode()
    assert "Figures updated 16 minutes ago" in page
    assert not [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(refreshes) == 1  # one refresh for five home pages and four attention pages
    spanish = client.get(
        reverse("mentoring:home_coordinator") + f"?program={personas.program.pk}", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Cifras actualizadas hace 16 minutos" in spanish and "Figures updated" not in spanish
    assert "Actualizado hace 16 minutos" in spanish and "minutes ago" not in spanish
    refresh_snapshots()  # what the enqueued task runs
    response = home(client, personas.program)
    assert response.context["overall"].active_matches == before + 1 == direct([personas.program])["active_matches"]
    assert response.context["figures_age"] < 60
    first_contact = AttentionSignal.objects.filter(program=personas.program, kind="first_contact").count()
    assert first_contact == len(list(attention.signals([personas.program], kind="first_contact")))


def test_a_pass_is_never_run_twice_at_once(personas):
    """The beat pass holds a lease: a pass started while another runs (beat's next
    tick, or a refresh a page asked for) does nothing; once the first ends, a pass runs."""
    assert lease_take(name=PASS_LEASE, seconds=600)
    assert snapshots_refresh_pass() is None
    assert not FiguresSnapshot.objects.exists()
    lease_release(name=PASS_LEASE)
    assert snapshots_refresh_pass() is not None
    assert FiguresSnapshot.objects.filter(program=personas.program).exists()
    assert lease_take(name=PASS_LEASE, seconds=600)  # released by the pass


def test_figures_follow_the_viewers_zone(personas, client_for):
    """A snapshot per zone: months and weeks are the viewer's."""
    personas.coordinator.time_zone = "Pacific/Auckland"
    personas.coordinator.save()
    client = client_for(personas.coordinator)
    home(client, personas.program)
    assert set(FiguresSnapshot.objects.values_list("zone", flat=True)) == {"Pacific/Auckland"}
    snapshots_refresh()
    assert "Pacific/Auckland" in set(FiguresSnapshot.objects.values_list("zone", flat=True))


def test_a_pass_with_a_spent_budget_does_the_oldest_work_and_leaves_the_rest_for_the_next(personas):
    """With its time budget spent, a pass starts no further unit (one zone's
    figures, or every program's signals): the oldest first, the next pass the rest."""
    snapshots_refresh()
    FiguresSnapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=3))
    AttentionSnapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=5))
    assert snapshots_refresh(budget=0) == (0, Program.objects.count())  # the attention signals were the oldest
    assert AttentionSnapshot.objects.filter(computed_at__gte=timezone.now() - timedelta(minutes=1)).exists()
    assert not FiguresSnapshot.objects.filter(computed_at__gte=timezone.now() - timedelta(minutes=1)).exists()
    zones = FiguresSnapshot.objects.values("zone").distinct().count()
    for _ in range(zones):
        snapshots_refresh(budget=0)
    assert not FiguresSnapshot.objects.filter(computed_at__lt=timezone.now() - timedelta(minutes=1)).exists()


def test_a_rollups_pass_is_never_run_twice_at_once(personas):
    """The reports' beat pass (rollups and stored report tables) holds its own lease."""
    from mentoring.models import RollupZone
    from mentoring.tasks import ROLLUPS_LEASE, refresh_rollups

    assert lease_take(name=ROLLUPS_LEASE, seconds=600)
    refresh_rollups()
    assert not RollupZone.objects.exists()
    lease_release(name=ROLLUPS_LEASE)
    refresh_rollups()
    assert RollupZone.objects.exists()


def test_the_homes_first_rows_are_the_first_rows_of_the_whole_list(personas, client_for):
    """The home reads open alerts and stored rows separately (each only five):
    the same five rows, in the same order, as the first of the whole ranked list."""
    from mentoring.insights.snapshots import attention_of

    now = timezone.now()
    for days in (50, 45, 41):  # first meetings not held: stored rows
        MatchFactory(program=personas.program, started_at=now - timedelta(days=days))
    alerts = [SafetyAlertFactory(mentee=MatchFactory(program=personas.program).mentee) for _ in range(3)]
    snapshots_refresh()
    client = client_for(personas.coordinator)
    shown = home(client, personas.program).context["attention"]
    rows, _ = attention_of([personas.program])
    first = list(rows[:5])
    assert [(item.kind, item.ref_id) for item in shown] == [(row[2], row[5]) for row in first]
    assert [row[2] for row in first[:3]] == ["alert"] * 3 and {row[5] for row in first[:3]} == {a.pk for a in alerts}
    assert {row[2] for row in first[3:]} == {"first_contact"}
    # Every slice of the two-part sequence is the same slice of the ranked union.
    from mentoring.insights.snapshots import _attention

    union = list(_attention([personas.program])[0])
    assert rows.count() == len(union) >= 6 and list(rows) == union
    for start, stop in ((0, 2), (2, 4), (3, 5), (4, 6), (5, 50), (0, 1)):
        assert rows[start:stop] == union[start:stop], (start, stop)
    assert rows[3] == union[3]


def test_needs_attention_pages_by_the_stored_columns_and_counts_from_the_snapshots(personas, client_for):
    """Issue 18 (s6b): the stored rows are ordered by their own columns (rank,
    since, id: the attention_signal_rank index), not by the union's casts
    (PostgreSQL sorted every stored row of the programs for each page), and
    their number is the snapshots' signals_count (no COUNT of every stored
    row); with ?kind= the kind's rank is in the filter too. The counts stay
    the direct ones."""
    now = timezone.now()
    for days in (50, 45, 41):  # first meetings not held
        MatchFactory(program=personas.program, started_at=now - timedelta(days=days))
    SafetyAlertFactory(mentee=MatchFactory(program=personas.program).mentee)
    snapshots_refresh()
    client = client_for(personas.coordinator)
    stored = AttentionSignal.objects.filter(program=personas.program)
    open_alerts = SafetyAlert.objects.filter(mentee__program=personas.program, acknowledged_at__isnull=True)
    for kind, expected in (
        (None, stored.count() + open_alerts.count()),
        ("first_contact", stored.filter(kind="first_contact").count()),
        ("alert", open_alerts.count()),
    ):
        url = reverse("mentoring:attention") + (f"?kind={kind}" if kind else "")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.context["page"].paginator.count == expected >= 1
        signal_sql = [q["sql"] for q in queries.captured_queries if 'FROM "mentoring_attentionsignal"' in q["sql"]]
        assert signal_sql, kind
        counts = [sql for sql in signal_sql if sql.startswith("SELECT COUNT(")]
        assert len(counts) == (1 if kind else 0), counts  # a kind: its stored rows are counted (by index)
        for sql in signal_sql:
            if sql not in counts:
                assert 'ORDER BY "mentoring_attentionsignal"."rank" ASC' in sql, sql
            if kind:
                assert '"mentoring_attentionsignal"."rank" =' in sql, sql
