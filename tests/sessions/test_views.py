"""Sessions pages through the test client: scheduling (errors beside the
field, the double-booking warning), private notes, logging, groups and their
waiting list, attendance (plain form and htmx), my calendar, and query counts
that do not grow with the number of rows."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.choices import MeetingMode
from sessions.models import Registration, Session
from tests.factories import (
    GroupSessionFactory,
    MatchFactory,
    MentorProfileFactory,
    RegistrationFactory,
    SessionFactory,
    SkillFactory,
    UserFactory,
)

NEW_YORK = ZoneInfo("America/New_York")  # the personas' own time zone (UserFactory)
SUMMARY = "We planned the week and the job fair together."
PRIVATE = "Mentioned a hard weekend; check in with the coordinator."


def local_day(days):
    """A date ``days`` from today in New York, where the personas live."""
    return (timezone.localtime(timezone.now(), NEW_YORK) + timedelta(days=days)).date()


def schedule_data(day, *, at="10:00", **extra):
    return {
        "day": day.isoformat(),
        "time": at,
        "duration_minutes": "60",
        "mode": MeetingMode.IN_PERSON,
        "location": "Community room, 2nd floor",
        **extra,
    }


# --- scheduling -------------------------------------------------------------------------------


def test_schedule_in_the_past_shows_the_error_next_to_the_date_and_keeps_the_location(personas, client_for):
    url = reverse("peer_sessions:session_new", args=[personas.match.pk])
    response = client_for(personas.mentor).post(url, schedule_data(local_day(-1)))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"day"}
    html = response.content.decode()
    assert 'id="error_1_id_day"' in html
    assert "Choose a date and time in the future" in html
    assert 'value="Community room, 2nd floor"' in html
    assert not Session.objects.exists()


def test_schedule_a_meeting_in_the_users_own_time_zone(personas, client_for):
    day = local_day(7)
    url = reverse("peer_sessions:session_new", args=[personas.match.pk])
    response = client_for(personas.mentee).post(url, schedule_data(day, at="18:30"))
    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("peer_sessions:session_detail", args=[session.pk])
    assert session.starts_at == datetime.combine(day, time(18, 30), tzinfo=NEW_YORK)
    assert (session.location, session.scheduled_by) == ("Community room, 2nd floor", personas.mentee)


def test_double_booking_warns_and_a_second_submit_schedules(personas, client_for):
    day = local_day(7)
    existing = SessionFactory(match=personas.match, starts_at=datetime.combine(day, time(10), tzinfo=NEW_YORK))
    client = client_for(personas.mentor)
    url = reverse("peer_sessions:session_new", args=[personas.match.pk])

    warned = client.post(url, schedule_data(day, at="10:30"))
    assert warned.status_code == 200
    html = warned.content.decode()
    assert "already has something booked at that time" in html
    assert "Press “Schedule” again to keep this time." in html
    assert 'name="double_booking_ok"' in html
    assert warned.context["form"]["double_booking_ok"].value() == "True"
    assert 'value="Community room, 2nd floor"' in html
    assert list(Session.objects.all()) == [existing]

    confirmed = client.post(url, schedule_data(day, at="10:30", double_booking_ok="True"))
    assert confirmed.status_code == 302
    new = Session.objects.exclude(pk=existing.pk).get()
    assert new.starts_at == datetime.combine(day, time(10, 30), tzinfo=NEW_YORK)
    assert confirmed["Location"] == reverse("peer_sessions:session_detail", args=[new.pk])


# --- the session page and its private notes ----------------------------------------------------


@pytest.fixture
def logged_session(personas):
    return SessionFactory(
        match=personas.match,
        starts_at=timezone.now() - timedelta(days=1),
        status=Session.Status.COMPLETED,
        shared_summary=SUMMARY,
        private_notes=PRIVATE,
        skills=[SkillFactory(program=personas.program, name="Box breathing")],
    )


def test_the_mentee_sees_the_summary_but_never_the_private_notes(personas, client_for, logged_session):
    response = client_for(personas.mentee).get(reverse("peer_sessions:session_detail", args=[logged_session.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert SUMMARY in html
    assert "Box breathing" in html
    assert PRIVATE not in html
    assert "hard weekend" not in html
    assert 'data-testid="private-notes"' not in html
    assert reverse("peer_sessions:session_log", args=[logged_session.pk]) not in html


@pytest.mark.parametrize("who", ["mentor", "coordinator"])
def test_the_mentor_and_the_coordinator_see_summary_and_private_notes(personas, client_for, logged_session, who):
    response = client_for(personas.user(who)).get(reverse("peer_sessions:session_detail", args=[logged_session.pk]))
    html = response.content.decode()
    assert SUMMARY in html
    assert PRIVATE in html
    assert reverse("peer_sessions:session_log", args=[logged_session.pk]) in html


# --- logging ---------------------------------------------------------------------------------------


def test_log_form_for_a_missed_meeting_needs_who_missed_it(personas, client_for):
    session = SessionFactory(match=personas.match, starts_at=timezone.now() - timedelta(hours=3))
    url = reverse("peer_sessions:session_log", args=[session.pk])
    response = client_for(personas.mentor).post(url, {"outcome": "missed", "missed_by": "", "duration_minutes": "60"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"missed_by"}
    html = response.content.decode()
    assert 'id="error_1_id_missed_by"' in html
    assert "Say who could not come." in html
    session.refresh_from_db()
    assert (session.status, session.logged_at) == (Session.Status.SCHEDULED, None)


def test_log_form_saves_a_completed_meeting(personas, client_for):
    session = SessionFactory(match=personas.match, starts_at=timezone.now() - timedelta(hours=3))
    skill = SkillFactory(program=personas.program)
    url = reverse("peer_sessions:session_log", args=[session.pk])
    data = {
        "outcome": "completed",
        "duration_minutes": "45",
        "skills": [skill.pk],
        "topics": ["work"],
        "shared_summary": SUMMARY,
        "private_notes": PRIVATE,
    }
    response = client_for(personas.mentor).post(url, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.duration_minutes, session.topics) == (Session.Status.COMPLETED, 45, ["work"])
    assert (session.shared_summary, session.private_notes) == (SUMMARY, PRIVATE)
    assert list(session.skills.all()) == [skill]


# --- groups ---------------------------------------------------------------------------------------------


def test_a_full_group_offers_the_waiting_list(personas, client_for):
    group = GroupSessionFactory(program=personas.program, capacity=1)
    RegistrationFactory(group_session=group, user=personas.other_mentee)
    client = client_for(personas.mentee)
    html = client.get(reverse("peer_sessions:group_detail", args=[group.pk])).content.decode()
    assert "Join the waiting list" in html
    assert "1 of 1 seats taken" in html

    response = client.post(reverse("peer_sessions:group_register", args=[group.pk]), {"action": "join"}, follow=True)
    assert Registration.objects.get(user=personas.mentee).status == Registration.Status.WAITLISTED
    html = response.content.decode()
    assert "You are on the waiting list." in html
    assert "Leave the waiting list" in html


def test_a_group_with_free_seats_offers_to_register(personas, client_for):
    group = GroupSessionFactory(program=personas.program, capacity=2)
    RegistrationFactory(group_session=group, user=personas.other_mentee)
    html = client_for(personas.mentee).get(reverse("peer_sessions:group_detail", args=[group.pk])).content.decode()
    assert "Join the waiting list" not in html
    assert ">Register</button>" in html


# --- attendance -------------------------------------------------------------------------------------------


@pytest.fixture
def seated(personas):
    """A group the other mentor facilitates, under way for ten minutes: two
    seats taken, one person waiting."""
    group = GroupSessionFactory(
        program=personas.program,
        capacity=2,
        facilitators=[personas.other_mentor],
        starts_at=timezone.now() - timedelta(minutes=10),
    )
    first = RegistrationFactory(group_session=group, user=personas.mentee)
    second = RegistrationFactory(group_session=group, user=personas.other_mentee)
    waiting = RegistrationFactory(group_session=group, user=UserFactory(), status=Registration.Status.WAITLISTED)
    return group, first, second, waiting


def test_attendance_page_lists_the_seats_and_saves_as_a_plain_form(personas, client_for, seated):
    group, first, second, waiting = seated
    client = client_for(personas.other_mentor)
    url = reverse("peer_sessions:attendance", args=[group.pk])
    html = client.get(url).content.decode()
    assert f'id="attendance-{first.pk}"' in html and f'id="attendance-{second.pk}"' in html
    assert f'id="attendance-{waiting.pk}"' not in html

    response = client.post(url, {f"attendance-{first.pk}": "attended", f"attendance-{second.pk}": "no_show"})
    assert response.status_code == 302
    assert response["Location"] == url
    marks = dict(Registration.objects.filter(group_session=group).values_list("pk", "attendance"))
    assert marks == {first.pk: "attended", second.pk: "no_show", waiting.pk: ""}


def test_attendance_page_refuses_an_unknown_value_without_a_server_error(personas, client_for, seated):
    """A tampered or outdated form must not end on an error page."""
    group, first, _, _ = seated
    url = reverse("peer_sessions:attendance", args=[group.pk])
    response = client_for(personas.other_mentor).post(url, {f"attendance-{first.pk}": "present"})
    assert response.status_code in (200, 302, 400)
    first.refresh_from_db()
    assert first.attendance == ""


def test_attendance_waits_until_shortly_before_the_start(personas, client_for):
    group = GroupSessionFactory(program=personas.program, facilitators=[personas.other_mentor])
    registration = RegistrationFactory(group_session=group, user=personas.mentee)
    client = client_for(personas.other_mentor)
    url = reverse("peer_sessions:attendance", args=[group.pk])
    html = client.get(url).content.decode()
    assert "Attendance opens 30 minutes before the start." in html
    assert "Save attendance" not in html
    client.post(url, {f"attendance-{registration.pk}": "attended"})
    registration.refresh_from_db()
    assert registration.attendance == ""


def test_attendance_row_for_htmx_returns_the_row_marked_saved(personas, client_for, seated):
    group, first, _, _ = seated
    url = reverse("peer_sessions:attendance_row", args=[group.pk, first.pk])
    response = client_for(personas.coordinator).post(url, {f"attendance-{first.pk}": "excused"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith(f'<li class="list-group-item" id="attendance-{first.pk}"')
    assert "<html" not in html
    assert "Saved" in html
    assert 'value="excused" autocomplete="off" checked' in html
    assert 'data-testid="row-error"' not in html
    first.refresh_from_db()
    assert first.attendance == "excused"


def test_attendance_row_refuses_a_bad_value_and_someone_without_a_seat(personas, client_for, seated):
    group, first, _, waiting = seated
    client = client_for(personas.other_mentor)
    bad = client.post(reverse("peer_sessions:attendance_row", args=[group.pk, first.pk]), {"x": "y"})
    html = bad.content.decode()
    assert 'data-testid="row-error"' in html
    assert 'data-testid="saved"' not in html
    not_seated = client.post(
        reverse("peer_sessions:attendance_row", args=[group.pk, waiting.pk]), {f"attendance-{waiting.pk}": "attended"}
    )
    assert not_seated.status_code == 404
    assert set(Registration.objects.values_list("attendance", flat=True)) == {""}


# --- my calendar ------------------------------------------------------------------------------------------------


def test_my_sessions_lists_what_is_coming_up(personas, client_for):
    upcoming = SessionFactory(match=personas.match, starts_at=timezone.now() + timedelta(days=2))
    cancelled = SessionFactory(
        match=personas.match, starts_at=timezone.now() + timedelta(days=3), status=Session.Status.CANCELLED
    )
    past = SessionFactory(match=personas.match, starts_at=timezone.now() - timedelta(days=3))
    other = SessionFactory(match=personas.other_match, starts_at=timezone.now() + timedelta(days=2))
    group = GroupSessionFactory(program=personas.program, title="Thursday circle")
    RegistrationFactory(group_session=group, user=personas.mentee)
    waiting = GroupSessionFactory(program=personas.program, title="Overflow walk", capacity=1)
    RegistrationFactory(group_session=waiting, user=personas.mentee, status=Registration.Status.WAITLISTED)
    GroupSessionFactory(program=personas.program, title="Not mine")

    html = client_for(personas.mentee).get(reverse("peer_sessions:my_sessions")).content.decode()
    assert reverse("peer_sessions:session_detail", args=[upcoming.pk]) in html
    assert "with Morgan Mentor" in html
    assert reverse("peer_sessions:group_detail", args=[group.pk]) in html
    assert "Thursday circle" in html
    for absent in (cancelled, past, other):
        assert f'href="{reverse("peer_sessions:session_detail", args=[absent.pk])}"' not in html
    assert "Overflow walk" not in html
    assert "Not mine" not in html


# --- query counts ------------------------------------------------------------------------------------------------


def _grow_groups(personas, n):
    for _ in range(n):
        group = GroupSessionFactory(
            program=personas.program,
            skill=SkillFactory(program=personas.program),
            facilitators=[personas.other_mentor],
        )
        RegistrationFactory(group_session=group, user=personas.mentee)
        RegistrationFactory(group_session=group)


def _grow_calendar(personas, n):
    for _ in range(n):
        match = MatchFactory(program=personas.program, mentor=personas.match.mentor)
        SessionFactory(match=match, starts_at=timezone.now() + timedelta(days=2))
        registered = GroupSessionFactory(program=personas.program)
        RegistrationFactory(group_session=registered, user=personas.mentor)
        GroupSessionFactory(program=personas.program, facilitators=[personas.mentor])


def _grow_figures(personas, n):
    for i in range(n):
        mentor = MentorProfileFactory(program=personas.program)
        match = MatchFactory(program=personas.program, mentor=mentor)
        for days in (5, 40):
            SessionFactory(
                match=match,
                starts_at=timezone.now() - timedelta(days=days + i),
                status=Session.Status.COMPLETED,
                duration_minutes=60,
            )


@pytest.mark.parametrize(
    "persona, url_name, args, grow",
    [
        ("mentee", "peer_sessions:group_list", "program", _grow_groups),
        ("coordinator", "peer_sessions:group_list", "program", _grow_groups),
        ("mentor", "peer_sessions:my_sessions", None, _grow_calendar),
        ("coordinator", "peer_sessions:figures", "program", _grow_figures),
    ],
)
def test_query_count_does_not_grow_from_3_to_15_rows(
    persona, url_name, args, grow, personas, client_for, django_assert_max_num_queries
):
    client = client_for(personas.user(persona))
    url = reverse(url_name, args=[personas.program.pk] if args == "program" else None)
    grow(personas, 3)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    grow(personas, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_person_page_shows_the_mentees_attendance_history(personas, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from sessions.models import GroupSession, Registration, Session

    past = timezone.now() - timedelta(days=3)
    Session.objects.create(match=personas.match, starts_at=past, status=Session.Status.COMPLETED)
    Session.objects.create(match=personas.match, starts_at=past, status=Session.Status.MISSED, missed_by="mentee")
    group = GroupSession.objects.create(
        program=personas.program, title="Thursday circle", starts_at=past, ends_at=past + timedelta(hours=1)
    )
    Registration.objects.create(group_session=group, user=personas.mentee, status="registered", attendance="no_show")
    body = client_for(personas.coordinator).get(f"/people/{personas.mentee.pk}/").content.decode()
    assert "1 held · 1 missed · 0 cancelled" in body
    assert "Thursday circle · No-show" in body
