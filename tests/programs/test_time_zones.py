"""Issue 17.4: time is the person's and the program's, not New York's. A
newcomer takes their program's zone (and confirms it on the invitation page),
so their first check-in reminder comes at 9 am where they live."""

from datetime import datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from goals.reminders import REMIND_AT, checkin_due_since
from mentoring.models import Invitation
from mentoring.services import invitation_create
from programs.services import application_decide, application_submit, program_create, source_fingerprint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
PASSWORD = "a-long-and-unusual-passphrase-42"


def _la_program():
    program = program_create(created_by=UserFactory(), name="Pacific", slug="pacific")
    program.time_zone = "America/Los_Angeles"
    program.save(update_fields=["time_zone"])
    return program


def test_an_accepted_applicant_of_a_los_angeles_program_lives_in_los_angeles():
    program = _la_program()
    application = application_submit(
        program=program,
        kind="mentee",
        contact={"full_name": "Nia Newcomer", "email": "nia@test.example", "consent_to_contact": True},
        details={"languages": ["en"]},
        experience_areas=[],
        source_hash=source_fingerprint("198.51.100.7"),
    )
    application_decide(
        application=application, decision="accepted", reason="Fit.", decided_by=program.coordinators.get()
    )
    user = get_user_model().objects.get(email="nia@test.example")
    assert user.time_zone == "America/Los_Angeles"  # was America/New_York
    # Their first check-in reminder: 9 am Pacific (it was 06:00 Pacific = 9 am New York).
    today = timezone.now().astimezone(LA).date()
    goal = SimpleNamespace(pk=1, cadence="daily", started_on=today, status="active")
    current, _ = checkin_due_since([goal], {}, user.zone, timezone.now())
    assert current == datetime.combine(today, REMIND_AT, tzinfo=LA)
    assert current.astimezone(LA).time() == time(9, 0)


def test_the_invitation_page_offers_the_programs_zone_and_the_new_account_takes_the_choice(client):
    program = _la_program()
    invitation, link = invitation_create(
        program=program, email="sam@test.example", full_name="Sam", role="mentor", invited_by=program.coordinators.get()
    )
    url = reverse("mentoring:invitation_accept", args=[link.rstrip("/").rsplit("/", 1)[-1]])
    page = client.get(url)
    assert page.context["form"]["time_zone"].value() == "America/Los_Angeles"
    assert '<option value="America/Los_Angeles" selected>' in page.content.decode()
    response = client.post(url, {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "America/Denver"})
    assert response.status_code == 302
    assert get_user_model().objects.get(email="sam@test.example").time_zone == "America/Denver"
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_an_invited_newcomer_who_keeps_the_default_lives_in_the_programs_zone(client):
    program = _la_program()
    _, link = invitation_create(
        program=program, email="kim@test.example", full_name="Kim", role="mentee", invited_by=program.coordinators.get()
    )
    url = reverse("mentoring:invitation_accept", args=[link.rstrip("/").rsplit("/", 1)[-1]])
    assert client.post(url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
    assert get_user_model().objects.get(email="kim@test.example").time_zone == "America/Los_Angeles"


def test_a_meeting_shows_both_times_with_zone_labels_when_the_zones_differ(personas, client_for):
    from tests.factories import SessionFactory

    personas.mentor.time_zone = "America/Los_Angeles"
    personas.mentor.save(update_fields=["time_zone"])
    starts = datetime(2030, 1, 15, 17, 30, tzinfo=ZoneInfo("UTC"))  # 9:30 Pacific, 12:30 Eastern
    session = SessionFactory(match=personas.match, starts_at=starts)
    url = reverse("peer_sessions:session_detail", args=[session.pk])
    mentor_page = client_for(personas.mentor).get(url).content.decode()
    assert "9:30 a.m. your time · 12:30 p.m. your mentee’s time" in mentor_page
    mentee_page = client_for(personas.mentee).get(url).content.decode()
    assert "12:30 p.m. your time · 9:30 a.m. your mentor’s time" in mentee_page
    # Same zone: no labels.
    personas.mentor.time_zone = personas.mentee.time_zone
    personas.mentor.save(update_fields=["time_zone"])
    assert "your time" not in client_for(personas.mentor).get(url).content.decode()
