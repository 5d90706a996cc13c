"""The coordinator home's safety-alert list (mentoring.insights.dashboard.recent_alerts)
reads candidate alert ids from the alerts table and asks the viewer's alerts
only about those (i18d: filtering by the viewer's programs first joined every
mentee profile, 150–250 ms at 100,000 mentees). The list is the same: open
first (newest first), then the acknowledged ones of the last 14 days, only
alerts the viewer may see, at most ten."""

from datetime import timedelta

import pytest
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from goals.models import SafetyAlert
from mentoring import access
from mentoring.insights import dashboard
from tests.factories import MenteeProfileFactory, SafetyAlertFactory

pytestmark = pytest.mark.django_db


def alert(program, *, hours_ago, acknowledged_days_ago=None, created_days_ago=None):
    made = SafetyAlertFactory(mentee=MenteeProfileFactory(program=program))
    now = timezone.now()
    created = now - (timedelta(days=created_days_ago) if created_days_ago else timedelta(hours=hours_ago))
    acknowledged = now - timedelta(days=acknowledged_days_ago) if acknowledged_days_ago is not None else None
    SafetyAlert.objects.filter(pk=made.pk).update(created_at=created, acknowledged_at=acknowledged)
    return made.pk


def expected(user, programs):
    """The list as the one query before i18d computed it."""
    since = timezone.now() - timedelta(days=14)
    alerts = access.visible_alerts(user).filter(mentee__program__in=programs)
    alerts = alerts.filter(Q(acknowledged_at__isnull=True) | Q(created_at__gte=since))
    return list(
        alerts.order_by(F("acknowledged_at").asc(nulls_first=True), "-created_at").values_list("pk", flat=True)[:10]
    )


@pytest.mark.parametrize("batch", [2, 3, 50])
def test_the_list_is_the_same_whatever_the_batch(personas, client_for, monkeypatch, batch):
    monkeypatch.setattr(dashboard, "ALERT_CANDIDATES", batch)
    mine, theirs = personas.program, personas.other_program
    for hours in range(1, 8):  # newer alerts the coordinator may not see come first among the candidates
        alert(theirs, hours_ago=hours)
    own = [alert(mine, hours_ago=10 + hours) for hours in range(6)]
    acknowledged = [alert(mine, hours_ago=0, created_days_ago=days, acknowledged_days_ago=1) for days in (2, 3, 5, 9)]
    alert(mine, hours_ago=0, created_days_ago=30, acknowledged_days_ago=29)  # too old to show
    alert(theirs, hours_ago=0, created_days_ago=1, acknowledged_days_ago=0)

    response = client_for(personas.coordinator).get(reverse("mentoring:home_coordinator"))

    shown = [item.pk for item in response.context["alerts"]]
    assert shown == own + acknowledged
    assert shown == expected(personas.coordinator, [mine.pk])


def test_at_most_ten_and_none_of_another_program(personas, monkeypatch):
    monkeypatch.setattr(dashboard, "ALERT_CANDIDATES", 4)
    for hours in range(12):
        alert(personas.program, hours_ago=hours + 1)
        alert(personas.other_program, hours_ago=hours + 1)
    alerts = access.visible_alerts(personas.coordinator).filter(mentee__program__in=[personas.program.pk])
    shown = dashboard.recent_alerts(alerts)
    assert [item.pk for item in shown] == expected(personas.coordinator, [personas.program.pk])
    assert len(shown) == 10
    assert {item.mentee.program_id for item in shown} == {personas.program.pk}


def test_coordinated_alerts_are_the_visible_alerts_of_the_programs_coordinated(personas):
    """access.coordinated_alerts (the home's list, issue 18 s6b): the rows of
    visible_alerts filtered by the programs, for programs the coordinator runs;
    nothing of a program they do not run, even when asked for it."""
    for hours in range(3):
        alert(personas.program, hours_ago=hours + 1)
        alert(personas.other_program, hours_ago=hours + 1)
    alert(personas.program, hours_ago=0, created_days_ago=2, acknowledged_days_ago=1)
    coordinator = personas.coordinator
    for programs in ([personas.program], [personas.program.pk, personas.other_program.pk], [personas.other_program]):
        ids = [getattr(program, "pk", program) for program in programs]
        direct = access.visible_alerts(coordinator).filter(mentee__program__in=ids)
        assert set(access.coordinated_alerts(coordinator, programs)) == set(direct)
    assert not access.coordinated_alerts(coordinator, [personas.other_program]).exists()
    assert access.coordinated_alerts(coordinator, [personas.program]).count() == 4
    assert not access.coordinated_alerts(personas.mentor, [personas.program]).exists()


def test_an_alert_keeps_its_mentees_program_and_the_counts_stay_exact(personas):
    """SafetyAlert.program is the mentee's program whoever raises the alert (the
    service, a plain create); the live figures count by it and equal a count
    through the mentee (issue 18 s6b)."""
    from goals.models import SafetyAlert
    from goals.services import safety_alert_raise
    from mentoring.insights.dashboard import live_figures
    from tests.factories import MenteeProfileFactory

    raised, _ = safety_alert_raise(mentee=personas.match.mentee, reasons=["help_now"], source="tap")
    elsewhere = MenteeProfileFactory(program=personas.other_program)
    created = SafetyAlert.objects.create(mentee=elsewhere, kind="craving")
    assert raised.program_id == personas.program.pk and created.program_id == personas.other_program.pk
    ids = [personas.program.pk, personas.other_program.pk]
    counted = {(program, name): n for program, name, n in live_figures(ids)}
    for program in ids:
        direct = SafetyAlert.objects.filter(mentee__program=program, acknowledged_at__isnull=True).count()
        assert counted[(program, "open_alerts")] == direct == 1


def test_one_program_of_many_reads_its_own_candidates(personas, client_for, monkeypatch):
    """Choosing one program (?program=) reads that program's candidates only,
    whatever the other programs' alerts (it read batch
    after batch of them: 26 queries with one program of forty at 100,000
    mentees). The list is still the direct query's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(dashboard, "ALERT_CANDIDATES", 2)
    for hours in range(8):  # newer alerts of a program the coordinator did not choose
        alert(personas.other_program, hours_ago=hours + 1)
    own = [alert(personas.program, hours_ago=20 + hours) for hours in range(3)]
    client = client_for(personas.coordinator)
    url = reverse("mentoring:home_coordinator") + f"?program={personas.program.pk}"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    shown = [item.pk for item in response.context["alerts"]]
    assert shown == own == expected(personas.coordinator, [personas.program.pk])
    alert_queries = [q["sql"] for q in queries.captured_queries if 'FROM "goals_safetyalert"' in q["sql"]]
    candidates = [sql for sql in alert_queries if sql.startswith('SELECT "goals_safetyalert"."id" AS "pk"')]
    # Batches of two: the program's three alerts, then an empty batch (the other program's eight: none).
    assert len(candidates) == 3
    assert all('"goals_safetyalert"."program_id" IN' in sql for sql in candidates)
