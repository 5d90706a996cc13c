"""The read audit (mentoring/audit.py): every view of a person's sensitive
pages and every export writes exactly one AccessEvent, through real requests;
self-views are not written; coordinators read their programs' trail only; a
person reads who viewed their record; the retention prunes old rows only."""

import io
import logging
import os
import subprocess
import sys
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import goals.views
import mentoring.views.pages
import mentoring.views.reports
import programs.views.applications
import programs.views.intake
import resources.views
import sessions.views
from mentoring.audit import access_events_prune, audit_read, client_address
from mentoring.checks import audit_retention_check
from mentoring.models import AccessEvent, ReportExport
from tests.factories import (
    ApplicationFactory,
    CheckInFactory,
    GoalFactory,
    ResourceFactory,
    SafetyAlertFactory,
    SessionFactory,
    UserFactory,
)

INSERT = 'INSERT INTO "mentoring_accessevent"'
VIEW_MODULES = [
    mentoring.views.pages,
    mentoring.views.reports,
    programs.views.applications,
    programs.views.intake,
    goals.views,
    sessions.views,
    resources.views,
]


@dataclass(frozen=True)
class Sensitive:
    """A sensitive page: who opens it, its URL, and the row it must write
    (subject, what, object id, program id) — each a function of the personas
    and the rows made for the case."""

    name: str
    viewer: str
    url: object
    subject: object
    what: str
    obj: object
    program: object


def _rows(p):
    """The rows the sensitive pages are about, all of the mentee of p.match."""
    mentee = p.match.mentee
    CheckInFactory(mentee=mentee, mood=2)
    return {
        "goal": GoalFactory(mentee=mentee),
        "alert": SafetyAlertFactory(mentee=mentee),
        "session": SessionFactory(match=p.match, private_notes="Spoke about the hard week."),
        "application": ApplicationFactory(program=p.program, kind="mentee", person=p.mentee),
    }


MENTEE_PROFILE = lambda p, r: p.match.mentee.pk  # noqa: E731
PROGRAM_A = lambda p, r: p.program.pk  # noqa: E731
MENTEE = lambda p, r: p.mentee.pk  # noqa: E731

SENSITIVE = [
    Sensitive(
        "person page (coordinator)",
        "coordinator",
        lambda p, r: reverse("mentoring:person_detail", args=[p.mentee.pk]),
        MENTEE,
        "profile",
        lambda p, r: None,
        PROGRAM_A,
    ),
    Sensitive(
        "person page (mentor)",
        "mentor",
        lambda p, r: reverse("mentoring:person_detail", args=[p.mentee.pk]),
        MENTEE,
        "profile",
        lambda p, r: None,
        PROGRAM_A,
    ),
    Sensitive(
        "profile edit form",
        "coordinator",
        lambda p, r: reverse("mentoring:profile_edit", args=["mentee", p.match.mentee.pk]),
        MENTEE,
        "profile",
        MENTEE_PROFILE,
        PROGRAM_A,
    ),
    Sensitive(
        "intake and consents",
        "coordinator",
        lambda p, r: reverse("programs:mentee_intake", args=[p.match.mentee.pk]),
        MENTEE,
        "intake",
        MENTEE_PROFILE,
        PROGRAM_A,
    ),
    Sensitive(
        "application",
        "coordinator",
        lambda p, r: reverse("programs:application_detail", args=[r["application"].pk]),
        MENTEE,
        "application",
        lambda p, r: r["application"].pk,
        PROGRAM_A,
    ),
    Sensitive(
        "goals",
        "mentor",
        lambda p, r: reverse("goals:mentee_goals", args=[p.match.mentee.pk]),
        MENTEE,
        "goals",
        MENTEE_PROFILE,
        PROGRAM_A,
    ),
    Sensitive(
        "one goal",
        "mentor",
        lambda p, r: reverse("goals:detail", args=[r["goal"].pk]),
        MENTEE,
        "goal",
        lambda p, r: r["goal"].pk,
        PROGRAM_A,
    ),
    Sensitive(
        "check-ins",
        "coordinator",
        lambda p, r: reverse("goals:checkins", args=[p.match.mentee.pk]),
        MENTEE,
        "checkins",
        MENTEE_PROFILE,
        PROGRAM_A,
    ),
    Sensitive(
        "progress and assessments",
        "mentor",
        lambda p, r: reverse("goals:progress", args=[p.match.mentee.pk]),
        MENTEE,
        "progress",
        MENTEE_PROFILE,
        PROGRAM_A,
    ),
    Sensitive(
        "safety alert",
        "coordinator",
        lambda p, r: reverse("goals:alert_acknowledge", args=[r["alert"].pk]),
        MENTEE,
        "alert",
        lambda p, r: r["alert"].pk,
        PROGRAM_A,
    ),
    Sensitive(
        "session notes (mentor)",
        "mentor",
        lambda p, r: reverse("peer_sessions:session_detail", args=[r["session"].pk]),
        MENTEE,
        "session_notes",
        lambda p, r: r["session"].pk,
        PROGRAM_A,
    ),
    Sensitive(
        "session notes (coordinator)",
        "coordinator",
        lambda p, r: reverse("peer_sessions:session_detail", args=[r["session"].pk]),
        MENTEE,
        "session_notes",
        lambda p, r: r["session"].pk,
        PROGRAM_A,
    ),
    Sensitive(
        "report download filtered to a mentor",
        "coordinator",
        lambda p, r: reverse("mentoring:report_export", args=["sessions"]) + f"?mentor={p.match.mentor.pk}",
        lambda p, r: p.mentor.pk,
        "report_export",
        lambda p, r: ReportExport.objects.get().pk,
        PROGRAM_A,
    ),
    Sensitive(
        "report download",
        "coordinator",
        lambda p, r: reverse("mentoring:report_export", args=["goals"]),
        lambda p, r: None,
        "report_export",
        lambda p, r: ReportExport.objects.get().pk,
        PROGRAM_A,
    ),
    Sensitive(
        "resource list download",
        "coordinator",
        lambda p, r: reverse("resources:export", args=[p.program.pk]),
        lambda p, r: None,
        "resource_export",
        lambda p, r: None,
        PROGRAM_A,
    ),
]


def _get(client, url):
    response = client.get(url, REMOTE_ADDR="203.0.113.7")
    if response.streaming:
        b"".join(response.streaming_content)  # a download is made while it is read
    return response


@pytest.mark.parametrize("case", SENSITIVE, ids=lambda case: case.name)
def test_each_sensitive_page_writes_exactly_one_row_with_the_right_fields(case, personas, client_for):
    rows = _rows(personas)
    viewer = personas.user(case.viewer)
    client = client_for(viewer)
    before = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        response = _get(client, case.url(personas, rows))
    assert response.status_code == 200
    assert [q["sql"] for q in captured.captured_queries if q["sql"].startswith(INSERT)] != []
    assert len([q for q in captured.captured_queries if q["sql"].startswith(INSERT)]) == 1
    event = AccessEvent.objects.get()
    assert (event.viewer_id, event.viewer_ref) == (viewer.pk, viewer.pk)
    subject = case.subject(personas, rows)
    assert (event.subject_id, event.subject_ref) == (subject, subject)
    assert event.what == case.what
    assert event.object_id == case.obj(personas, rows)
    assert event.program_id == case.program(personas, rows)
    assert event.address == "203.0.113.7"
    assert before <= event.at <= timezone.now()
    assert event.at.utcoffset() == timedelta(0)  # stored and read back as UTC


@pytest.mark.parametrize("case", SENSITIVE, ids=lambda case: case.name)
def test_the_audit_adds_exactly_one_query_to_each_page(case, personas, client_for, monkeypatch):
    """The same request with audit_read switched off runs one query fewer:
    the insert reads nothing (the view has the viewer and the subject)."""
    rows = _rows(personas)
    client = client_for(personas.user(case.viewer))
    url = case.url(personas, rows)
    _get(client, url)  # warm-up (first-use rows, caches)
    ReportExport.objects.all().delete()
    with CaptureQueriesContext(connection) as audited:
        _get(client, url)
    for module in VIEW_MODULES:
        monkeypatch.setattr(module, "audit_read", lambda request, **kwargs: [])
    ReportExport.objects.all().delete()
    with CaptureQueriesContext(connection) as plain:
        _get(client, url)
    assert len(audited) == len(plain) + 1


SELF_VIEWS = [
    ("mentee", lambda p, r: reverse("mentoring:person_detail", args=[p.mentee.pk])),
    ("mentee", lambda p, r: reverse("mentoring:profile_edit", args=["mentee", p.match.mentee.pk])),
    ("mentee", lambda p, r: reverse("programs:mentee_intake", args=[p.match.mentee.pk])),
    ("mentee", lambda p, r: reverse("goals:mentee_goals", args=[p.match.mentee.pk])),
    ("mentee", lambda p, r: reverse("goals:detail", args=[r["goal"].pk])),
    ("mentee", lambda p, r: reverse("goals:checkins", args=[p.match.mentee.pk])),
    ("mentee", lambda p, r: reverse("goals:progress", args=[p.match.mentee.pk])),
    ("mentee", lambda p, r: reverse("peer_sessions:session_detail", args=[r["session"].pk])),
    ("mentor", lambda p, r: reverse("mentoring:person_detail", args=[p.mentor.pk])),
    ("coordinator", lambda p, r: reverse("mentoring:person_detail", args=[p.coordinator.pk])),
]


@pytest.mark.parametrize("viewer, url", SELF_VIEWS, ids=[f"{v}-{i}" for i, (v, _) in enumerate(SELF_VIEWS)])
def test_a_person_viewing_their_own_record_is_not_recorded(viewer, url, personas, client_for):
    """Opening one's own pages is not a disclosure to anyone."""
    rows = _rows(personas)
    response = _get(client_for(personas.user(viewer)), url(personas, rows))
    assert response.status_code == 200
    assert not AccessEvent.objects.exists()


def test_a_download_of_ones_own_data_is_recorded(personas, rf):
    """Exports leave the app: recorded even when the data is one's own (a
    stolen session downloading everything should show on the person's page)."""
    request = rf.get("/", REMOTE_ADDR="198.51.100.4")
    request.user = personas.mentee
    assert audit_read(request, subject=personas.mentee, what="profile") == []
    [event] = audit_read(request, subject=personas.mentee, what="export", program=personas.program)
    assert (event.viewer_id, event.subject_id, event.what, event.address) == (
        personas.mentee.pk,
        personas.mentee.pk,
        "export",
        "198.51.100.4",
    )


def test_audit_read_refuses_an_unknown_code_and_ignores_anonymous(personas, rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = personas.coordinator
    with pytest.raises(ValueError):
        audit_read(request, subject=personas.mentee, what="everything")
    request.user = AnonymousUser()
    assert audit_read(request, subject=personas.mentee, what="profile") == []
    assert not AccessEvent.objects.exists()


def test_a_page_showing_several_programs_writes_one_row_each_in_one_insert(personas, rf):
    request = rf.get("/")
    request.user = personas.coordinator
    with CaptureQueriesContext(connection) as captured:
        rows = audit_read(
            request, subject=personas.mentee, what="profile", program=[personas.program, personas.other_program.pk]
        )
    assert len(captured) == 1
    assert sorted(r.program_id for r in rows) == sorted([personas.program.pk, personas.other_program.pk])


@pytest.mark.parametrize(
    "remote, expected",
    [("192.0.2.1", "192.0.2.1"), ("2001:db8::1", "2001:db8::1"), ("", None), ("not-an-address", None)],
)
def test_client_address_is_remote_addr_or_nothing(remote, expected, rf):
    assert client_address(rf.get("/", REMOTE_ADDR=remote)) == expected


def test_the_trail_records_the_address_behind_a_trusted_proxy(personas, rf, settings):
    """The audit reads the client address from the one shared rule
    (mentoring/client_address.py): behind one trusted proxy, the address the
    proxy saw; a forged header without a trusted proxy is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    request.user = personas.coordinator
    (row,) = audit_read(request, subject=personas.mentee, what="profile", program=personas.program)
    assert row.address == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 0
    (row,) = audit_read(request, subject=personas.mentee, what="profile", program=personas.program)
    assert row.address == "10.0.0.2"


def test_the_trail_outlives_the_accounts(personas, rf):
    viewer, subject = UserFactory(), UserFactory()
    request = rf.get("/")
    request.user = viewer
    [event] = audit_read(request, subject=subject, what="profile", program=personas.program)
    viewer_id, subject_id = viewer.pk, subject.pk
    viewer.delete()
    subject.delete()
    event.refresh_from_db()
    assert (event.viewer_id, event.viewer_ref, event.subject_id, event.subject_ref) == (
        None,
        viewer_id,
        None,
        subject_id,
    )


# --- the coordinators' trail ----------------------------------------------------------------------


def _event(viewer, subject, program, what="profile", at=None):
    return AccessEvent.objects.create(
        viewer=viewer,
        viewer_ref=viewer.pk,
        subject=subject,
        subject_ref=subject.pk if subject else None,
        program=program,
        what=what,
        at=at or timezone.now(),
        address="192.0.2.9",
    )


def _trail(client, **query):
    response = client.get(reverse("mentoring:audit_trail"), query)
    return response, [(row.subject_id, row.what, row.program_id) for row in response.context["page"]]


def test_the_trail_shows_only_the_coordinators_programs(personas, client_for):
    p = personas
    _event(p.mentor, p.mentee, p.program, "progress")
    _event(p.coordinator, p.other_mentee, p.program, "checkins")
    other = _event(p.other_coordinator, p.mentee, p.other_program, "intake")  # a person in both programs

    response, rows = _trail(client_for(p.coordinator))
    assert response.status_code == 200
    assert sorted(rows) == sorted(
        [(p.mentee.pk, "progress", p.program.pk), (p.other_mentee.pk, "checkins", p.program.pk)]
    )
    assert "Olive Othercoord" not in response.content.decode()

    response, rows = _trail(client_for(p.other_coordinator))
    assert rows == [(p.mentee.pk, "intake", other.program_id)]
    # Another coordinator's program by ?program= is not found.
    assert (
        client_for(p.coordinator).get(reverse("mentoring:audit_trail"), {"program": p.other_program.pk}).status_code
        == 404
    )


def test_the_trail_filters_by_person_what_and_dates(personas, client_for):
    p = personas
    zone = zoneinfo.ZoneInfo("America/New_York")  # the days are the coordinator's
    p.coordinator.time_zone = "America/New_York"
    p.coordinator.save()
    now = timezone.now()
    _event(p.mentor, p.mentee, p.program, "progress", at=now)
    _event(p.mentor, p.mentee, p.program, "goals", at=now - timedelta(days=10))
    _event(p.other_mentor, p.other_mentee, p.program, "progress", at=now)
    client = client_for(p.coordinator)

    _, rows = _trail(client, person=p.mentee.pk)
    assert sorted(r[1] for r in rows) == ["goals", "progress"]
    _, rows = _trail(client, what="progress")
    assert sorted(r[0] for r in rows) == sorted([p.mentee.pk, p.other_mentee.pk])
    today = timezone.localtime(now, timezone=zone).date()
    _, rows = _trail(client, start=(today - timedelta(days=2)).isoformat(), end=today.isoformat())
    assert sorted(r[1] for r in rows) == ["progress", "progress"]
    _, rows = _trail(client, end=(today - timedelta(days=5)).isoformat(), person=p.mentee.pk)
    assert rows == [(p.mentee.pk, "goals", p.program.pk)]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"start": "not a date"}, "start", "Enter a valid date."),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "end", "on or after the start date"),
        ({"what": "everything"}, "what", "Select a valid choice."),
    ],
)
def test_bad_filters_say_what_is_wrong_and_keep_what_was_typed(query, field, message, personas, client_for):
    _event(personas.mentor, personas.mentee, personas.program)
    response = client_for(personas.coordinator).get(reverse("mentoring:audit_trail"), query)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert list(response.context["page"]) == []
    body = response.content.decode()
    for name in ("start", "end"):
        if name in query:
            assert f'name="{name}" value="{query[name]}"' in body


def test_the_trail_pages_with_a_fixed_number_of_queries(personas, client_for):
    p = personas
    client = client_for(p.coordinator)
    _event(p.mentor, p.mentee, p.program)
    client.get(reverse("mentoring:audit_trail"))  # warm-up
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mentoring:audit_trail"))
    for i in range(60):
        _event(p.mentor if i % 2 else p.coordinator, p.mentee if i % 3 else p.other_mentee, p.program)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("mentoring:audit_trail"))
    assert len(response.context["page"]) == 25 and response.context["page"].paginator.num_pages == 3
    assert len(many) == len(few)
    assert client.get(reverse("mentoring:audit_trail"), {"page": 3}).status_code == 200


# --- who viewed my information ------------------------------------------------------------------


def test_a_person_sees_who_viewed_their_record(personas, client_for):
    p = personas
    rows = _rows(p)
    _get(client_for(p.coordinator), reverse("goals:progress", args=[p.match.mentee.pk]))
    _get(client_for(p.mentor), reverse("goals:checkins", args=[p.match.mentee.pk]))
    _get(client_for(p.mentor), reverse("peer_sessions:session_detail", args=[rows["session"].pk]))
    _get(client_for(p.mentee), reverse("goals:progress", args=[p.match.mentee.pk]))  # own: not listed
    _get(client_for(p.coordinator), reverse("goals:checkins", args=[p.other_match.mentee.pk]))  # someone else

    response = client_for(p.mentee).get(reverse("mentoring:who_viewed"))
    assert response.status_code == 200
    listed = [(row.viewer_id, row.viewer_role, row.what) for row in response.context["rows"]]
    assert listed == [
        (p.mentor.pk, "Your mentor", "session_notes"),
        (p.mentor.pk, "Your mentor", "checkins"),
        (p.coordinator.pk, "Coordinator of Program A", "progress"),
    ]
    body = response.content.decode()
    for text in ("Casey Coordinator", "Morgan Mentor", "Coordinator of Program A", "Your mentor", "Meeting notes"):
        assert text in body
    assert "203.0.113.7" not in body  # the viewer's address is for the coordinators' trail

    other = client_for(p.other_mentee).get(reverse("mentoring:who_viewed"))
    assert [row.viewer_id for row in other.context["rows"]] == [p.coordinator.pk]


def test_every_role_has_the_page_and_it_is_linked_from_the_profile(personas, client_for):
    p = personas
    _get(client_for(p.mentee), reverse("mentoring:person_detail", args=[p.mentor.pk]))
    mentor_page = client_for(p.mentor).get(reverse("mentoring:who_viewed"))
    assert [(row.viewer_id, row.viewer_role) for row in mentor_page.context["rows"]] == [(p.mentee.pk, "Your mentee")]
    profile = client_for(p.coordinator).get(reverse("mentoring:profile"))
    assert reverse("mentoring:who_viewed") in profile.content.decode()


def test_a_removed_viewer_or_an_ended_role_is_said_plainly(personas, client_for):
    p = personas
    stepped_down = UserFactory(full_name="Sam Steppeddown")
    p.program.coordinators.add(stepped_down)
    _event(stepped_down, p.mentee, p.program)
    p.program.coordinators.remove(stepped_down)  # no current role towards the mentee
    former = UserFactory()
    gone = _event(former, p.mentee, p.program)
    former.delete()
    rows = client_for(p.mentee).get(reverse("mentoring:who_viewed")).context["rows"]
    roles = {row.pk: row.viewer_role for row in rows}
    assert roles[gone.pk] == "Former team member"
    assert "No current role" in roles.values()


def test_who_viewed_pages_with_a_fixed_number_of_queries(personas, client_for):
    p = personas
    client = client_for(p.mentee)
    _event(p.mentor, p.mentee, p.program)
    client.get(reverse("mentoring:who_viewed"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mentoring:who_viewed"))
    for i in range(60):
        _event([p.mentor, p.coordinator, p.other_coordinator][i % 3], p.mentee, [p.program, p.other_program][i % 2])
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("mentoring:who_viewed"))
    assert len(response.context["rows"]) == 25
    assert len(many) == len(few)


# --- retention --------------------------------------------------------------------------------------


def test_prune_deletes_only_rows_older_than_the_retention(personas):
    p = personas
    now = timezone.now()
    old = _event(p.mentor, p.mentee, p.program, at=now - timedelta(days=settings.AUDIT_RETENTION_DAYS, seconds=1))
    kept = _event(p.mentor, p.mentee, p.program, at=now - timedelta(days=settings.AUDIT_RETENTION_DAYS - 1))
    fresh = _event(p.coordinator, p.mentee, p.program, at=now)
    assert access_events_prune(now=now) == 1
    assert set(AccessEvent.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}
    assert not AccessEvent.objects.filter(pk=old.pk).exists()


def test_the_default_retention_is_six_years():
    assert settings.AUDIT_RETENTION_DAYS == 2190


def test_prune_command_and_daily_task(personas):
    from config.celery_app import app
    from mentoring.tasks import prune_audit

    p = personas
    now = timezone.now()
    _event(p.mentor, p.mentee, p.program, at=now - timedelta(days=40))
    _event(p.mentor, p.mentee, p.program, at=now - timedelta(days=3))
    out = io.StringIO()
    call_command("prune_audit", "--days", "30", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 audit rows older than 30 days."
    assert AccessEvent.objects.count() == 1
    with override_settings(AUDIT_RETENTION_DAYS=2):
        prune_audit.delay()
    assert AccessEvent.objects.count() == 0
    entry = settings.CELERY_BEAT_SCHEDULE["prune-audit"]
    assert entry["task"] == "mentoring.tasks.prune_audit" and entry["task"] in app.tasks
    assert entry["schedule"].remaining_estimate(now) <= timedelta(days=1)  # daily


def test_prune_refuses_a_retention_below_one_day():
    with pytest.raises(ValueError):
        access_events_prune(days=0)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("prune_audit", "--days", "0", stdout=io.StringIO())


@pytest.mark.parametrize("value, ok", [(2190, True), (1, True), (0, False), (None, False)])
def test_a_bad_retention_setting_is_refused_by_a_system_check(value, ok):
    with override_settings(AUDIT_RETENTION_DAYS=value):
        errors = audit_retention_check(None)
    assert [e.id for e in errors] == ([] if ok else ["waypoint.E010"])


def test_the_retention_comes_from_the_environment():
    root = Path(settings.BASE_DIR)
    code = "from django.conf import settings; print(settings.AUDIT_RETENTION_DAYS)"
    run = lambda value: subprocess.run(  # noqa: E731
        [sys.executable, "-c", f"import django, os; django.setup(); {code}"],
        cwd=root,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "AUDIT_RETENTION_DAYS": value},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert run("400") == "400"
    assert run("") == "2190"
    assert run("six years") == "None"  # refused by waypoint.E010, not guessed


# --- nothing personal in logs ----------------------------------------------------------------------


def test_nothing_personal_reaches_the_logs(personas, client_for, caplog):
    p = personas
    _rows(p)
    with caplog.at_level(logging.DEBUG):
        _get(client_for(p.coordinator), reverse("goals:progress", args=[p.match.mentee.pk]))
        _get(client_for(p.mentee), reverse("mentoring:who_viewed"))
        call_command("prune_audit", stdout=io.StringIO())
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (p.mentee.email, p.mentee.full_name, p.coordinator.email, "203.0.113.7"):
        assert secret not in text


def test_links_to_the_trail_from_the_person_page_and_reports(personas, client_for):
    p = personas
    page = client_for(p.coordinator).get(reverse("mentoring:person_detail", args=[p.mentee.pk])).content.decode()
    assert f"{reverse('mentoring:audit_trail')}?person={p.mentee.pk}" in page
    own = client_for(p.mentee).get(reverse("mentoring:person_detail", args=[p.mentee.pk])).content.decode()
    assert reverse("mentoring:who_viewed") in own and reverse("mentoring:audit_trail") not in own
    reports = client_for(p.coordinator).get(reverse("mentoring:reports")).content.decode()
    assert reverse("mentoring:audit_trail") in reports


def test_a_resource_listing_is_not_a_persons_record(personas, client_for):
    """The directory itself is not audited (only its download)."""
    resource = ResourceFactory(program=personas.program)
    assert client_for(personas.coordinator).get(reverse("resources:detail", args=[resource.pk])).status_code == 200
    assert not AccessEvent.objects.exists()


def test_own_download_reads_as_you_not_as_a_stranger(personas, client_for):
    """A person's own 'Download my information' is listed (a stolen session should
    show), but it used to read "<their own name> · No current role", as if someone
    else without a role had looked, while the page said one's own visits are not listed."""
    p = personas
    client = client_for(p.mentee)
    assert client.post(reverse("mentoring:my_data")).status_code == 200
    response = client.get(reverse("mentoring:who_viewed"))
    rows = response.context["rows"]
    assert [(row.viewer_id, row.viewer_role, row.what) for row in rows] == [(p.mentee.pk, "You", "export")]
    body = response.content.decode()
    assert "No current role" not in body
    assert "downloads you made yourself are" in body
