"""Sessions services: scheduling with the double-booking warning, logging what
happened, groups and weekly series in the program's time zone, registrations
with the waiting list (and the race for the last seat), attendance, the ICS
feed, and the figures."""

import threading
import time
import traceback
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from mentoring.choices import MeetingMode, Topic
from mentoring.models import Match
from sessions.calendar import NEUTRAL_TITLE, build_feed, uid_domain
from sessions.models import CalendarFeed, GroupSeries, GroupSession, Registration, Session
from sessions.selectors import hours_per_mentor_per_month, toolkit, toolkit_of_user
from sessions.services import (
    DoubleBooking,
    attendance_mark,
    calendar_feed_for,
    calendar_feed_reset,
    group_cancel,
    group_create,
    group_move,
    register,
    session_cancel,
    session_log,
    session_record_past,
    session_schedule,
    unregister,
)
from tests.factories import (
    GroupSessionFactory,
    MatchFactory,
    RegistrationFactory,
    SessionFactory,
    SkillFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# Words an email about a meeting must never carry: a notification can be read
# over someone's shoulder or on a shared screen.
SENSITIVE_WORDS = ("recovery", "substance", "craving", "relapse", "sober", "addiction", "drug", "alcohol", "drink")


def in_days(days, hour=15):
    """A whole-hour UTC time ``days`` from today."""
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def schedule(personas, *, by=None, starts_at=None, minutes=60, **kwargs):
    return session_schedule(
        match=personas.match,
        by=by or personas.mentor,
        starts_at=starts_at or in_days(3),
        duration_minutes=minutes,
        mode=MeetingMode.IN_PERSON,
        **kwargs,
    )


def refresh(obj):
    obj.refresh_from_db()
    return obj


# --- scheduling -------------------------------------------------------------------------


def test_schedule_creates_a_scheduled_session_of_the_match(personas):
    starts_at = in_days(3)
    session = schedule(personas, starts_at=starts_at, minutes=45, location="Blue Door Cafe")
    session = refresh(session)
    assert (session.match, session.status, session.starts_at) == (personas.match, Session.Status.SCHEDULED, starts_at)
    assert (session.duration_minutes, session.location, session.scheduled_by) == (45, "Blue Door Cafe", personas.mentor)
    assert session.ends_at == starts_at + timedelta(minutes=45)


def test_schedule_in_the_past_is_refused_on_the_start_time(personas):
    with pytest.raises(ValidationError) as refused:
        schedule(personas, starts_at=timezone.now() - timedelta(hours=1))
    assert set(refused.value.message_dict) == {"starts_at"}
    assert not Session.objects.exists()


@pytest.mark.parametrize("status", [Match.Status.PROPOSED, Match.Status.PAUSED, Match.Status.CLOSED])
def test_schedule_for_a_match_that_is_not_active_is_refused(personas, status):
    Match.objects.filter(pk=personas.match.pk).update(status=status)
    personas.match.refresh_from_db()
    with pytest.raises(ValidationError):
        schedule(personas)
    assert not Session.objects.exists()


@pytest.mark.parametrize("outsider", ["other_mentor", "other_mentee", "other_coordinator"])
def test_schedule_by_an_outsider_is_refused(personas, outsider):
    with pytest.raises(ValidationError):
        schedule(personas, by=personas.user(outsider))
    assert not Session.objects.exists()


@pytest.mark.parametrize("who", ["mentor", "mentee", "coordinator"])
def test_schedule_by_the_pair_or_the_coordinator(personas, who):
    session = schedule(personas, by=personas.user(who))
    assert session.scheduled_by == personas.user(who)


def test_overlapping_the_mentors_scheduled_session_is_a_double_booking_that_can_be_overridden(personas):
    first = schedule(personas, starts_at=in_days(3, hour=15), minutes=60)
    with pytest.raises(DoubleBooking) as warned:
        schedule(personas, starts_at=first.starts_at + timedelta(minutes=30), minutes=60)
    assert warned.value.code == "double_booked"
    assert Session.objects.count() == 1
    second = schedule(
        personas, starts_at=first.starts_at + timedelta(minutes=30), minutes=60, allow_double_booking=True
    )
    assert set(Session.objects.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_double_booking_counts_the_mentors_other_matches(personas):
    """The mentor is one person: a meeting with another mentee at the same time conflicts."""
    second_match = MatchFactory(program=personas.program, mentor=personas.match.mentor)
    SessionFactory(match=second_match, starts_at=in_days(3, hour=15), duration_minutes=90)
    with pytest.raises(DoubleBooking):
        schedule(personas, starts_at=in_days(3, hour=16))


def test_adjacent_cancelled_and_other_peoples_sessions_are_not_double_bookings(personas):
    start = in_days(3, hour=15)
    SessionFactory(match=personas.match, starts_at=start - timedelta(hours=1), duration_minutes=60)  # ends at start
    SessionFactory(match=personas.match, starts_at=start, status=Session.Status.CANCELLED)
    SessionFactory(match=personas.other_match, starts_at=start)  # the other mentor's
    session = schedule(personas, starts_at=start, minutes=60)
    assert session.status == Session.Status.SCHEDULED


def test_overlapping_a_group_the_mentor_facilitates_is_a_double_booking(personas):
    start = in_days(4, hour=18)
    GroupSessionFactory(
        program=personas.program, starts_at=start, ends_at=start + timedelta(hours=2), facilitators=[personas.mentor]
    )
    with pytest.raises(DoubleBooking):
        schedule(personas, starts_at=start + timedelta(hours=1), minutes=30)
    assert schedule(personas, starts_at=start + timedelta(hours=1), minutes=30, allow_double_booking=True)


def test_a_group_the_mentor_only_attends_or_that_is_cancelled_is_no_conflict(personas):
    start = in_days(4, hour=18)
    attended = GroupSessionFactory(program=personas.program, starts_at=start, ends_at=start + timedelta(hours=2))
    RegistrationFactory(group_session=attended, user=personas.mentor)
    GroupSessionFactory(
        program=personas.program,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        facilitators=[personas.mentor],
        status=GroupSession.Status.CANCELLED,
    )
    assert schedule(personas, starts_at=start, minutes=60)


def test_scheduling_sends_the_other_person_one_neutral_email(personas, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(personas, by=personas.mentor, location="Blue Door Cafe")
    assert len(mailoutbox) == 1
    [message] = mailoutbox
    assert message.to == [personas.mentee.email]
    text = f"{message.subject}\n{message.body}".lower()
    for word in SENSITIVE_WORDS:
        assert word not in text, word
    # Nothing about the meeting itself: not where, not with whom.
    assert "blue door" not in text
    assert "morgan" not in text


def test_scheduling_by_the_coordinator_tells_both_people(personas, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(personas, by=personas.coordinator)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([personas.mentor.email, personas.mentee.email])


# --- logging ------------------------------------------------------------------------------


def past_session(personas, hours_ago=2, **kwargs):
    return SessionFactory(match=personas.match, starts_at=timezone.now() - timedelta(hours=hours_ago), **kwargs)


def test_log_a_completed_session_with_skills_topics_and_notes(personas):
    session = past_session(personas)
    skill = SkillFactory(program=personas.program, name="Urge surfing")
    session_log(
        session=session,
        by=personas.mentor,
        outcome=Session.Status.COMPLETED,
        duration_minutes=45,
        skills=[skill],
        topics=[Topic.WORK, Topic.HOUSING],
        shared_summary="We planned the job search.",
        private_notes="Seemed tired.",
        follow_up="Call the agency.",
        resources_shared="https://example.org/jobs",
    )
    session = refresh(session)
    assert (session.status, session.duration_minutes, session.missed_by) == (Session.Status.COMPLETED, 45, "")
    assert session.topics == [Topic.WORK, Topic.HOUSING]
    assert list(session.skills.all()) == [skill]
    assert (session.shared_summary, session.private_notes) == ("We planned the job search.", "Seemed tired.")
    assert (session.follow_up, session.resources_shared) == ("Call the agency.", "https://example.org/jobs")
    assert session.logged_by == personas.mentor
    assert session.logged_at is not None


def test_the_first_completed_session_sets_when_the_pair_first_met(personas):
    assert personas.match.first_met_at is None
    first = past_session(personas, hours_ago=48)
    session_log(session=first, by=personas.mentor, outcome=Session.Status.COMPLETED)
    assert refresh(personas.match).first_met_at == first.starts_at
    later = past_session(personas, hours_ago=2)
    session_log(session=later, by=personas.mentor, outcome=Session.Status.COMPLETED)
    assert refresh(personas.match).first_met_at == first.starts_at


def test_a_missed_session_does_not_count_as_meeting(personas):
    session = past_session(personas)
    session_log(session=session, by=personas.mentor, outcome=Session.Status.MISSED, missed_by="mentee")
    assert refresh(session).missed_by == Session.MissedBy.MENTEE
    assert refresh(personas.match).first_met_at is None


def test_an_earlier_meeting_logged_afterwards_becomes_the_first_meeting(personas):
    """Meetings are often logged after the fact (session_record_past): the pair
    first met at their earliest completed session, whatever the logging order."""
    recent = past_session(personas, hours_ago=2)
    session_log(session=recent, by=personas.mentor, outcome=Session.Status.COMPLETED)
    earlier = session_record_past(
        match=personas.match,
        by=personas.mentor,
        starts_at=timezone.now() - timedelta(days=10),
        duration_minutes=60,
        mode=MeetingMode.PHONE,
        outcome=Session.Status.COMPLETED,
    )
    assert refresh(personas.match).first_met_at == earlier.starts_at


def test_a_missed_session_needs_who_missed_it(personas):
    session = past_session(personas)
    with pytest.raises(ValidationError) as refused:
        session_log(session=session, by=personas.mentor, outcome=Session.Status.MISSED)
    assert set(refused.value.message_dict) == {"missed_by"}
    assert refresh(session).status == Session.Status.SCHEDULED


def test_a_future_session_cannot_be_logged(personas):
    session = SessionFactory(match=personas.match, starts_at=in_days(2))
    with pytest.raises(ValidationError):
        session_log(session=session, by=personas.mentor, outcome=Session.Status.COMPLETED)
    assert refresh(session).status == Session.Status.SCHEDULED


def test_a_cancelled_session_cannot_be_logged(personas):
    session = past_session(personas, status=Session.Status.CANCELLED)
    with pytest.raises(ValidationError):
        session_log(session=session, by=personas.mentor, outcome=Session.Status.COMPLETED)
    assert refresh(session).status == Session.Status.CANCELLED
    assert refresh(personas.match).first_met_at is None


@pytest.mark.parametrize("who", ["mentee", "other_mentor", "other_coordinator"])
def test_only_the_mentor_or_a_coordinator_logs(personas, who):
    session = past_session(personas)
    with pytest.raises(ValidationError):
        session_log(session=session, by=personas.user(who), outcome=Session.Status.COMPLETED, private_notes="x")
    assert (refresh(session).status, session.private_notes) == (Session.Status.SCHEDULED, "")


def test_the_coordinator_can_log(personas):
    session = past_session(personas)
    session_log(session=session, by=personas.coordinator, outcome=Session.Status.COMPLETED)
    assert refresh(session).logged_by == personas.coordinator


def test_record_past_logs_a_meeting_in_one_step(personas):
    skill = SkillFactory(program=personas.program)
    starts_at = timezone.now() - timedelta(days=1)
    session = session_record_past(
        match=personas.match,
        by=personas.mentor,
        starts_at=starts_at,
        duration_minutes=30,
        mode=MeetingMode.VIDEO,
        outcome=Session.Status.COMPLETED,
        skills=[skill],
        shared_summary="Talked it through.",
    )
    session = refresh(session)
    assert (session.status, session.starts_at, session.duration_minutes) == (Session.Status.COMPLETED, starts_at, 30)
    assert list(session.skills.all()) == [skill]
    assert refresh(personas.match).first_met_at == starts_at


def test_record_past_refuses_a_future_time(personas):
    with pytest.raises(ValidationError) as refused:
        session_record_past(
            match=personas.match,
            by=personas.mentor,
            starts_at=timezone.now() + timedelta(hours=1),
            duration_minutes=60,
            mode=MeetingMode.IN_PERSON,
            outcome=Session.Status.COMPLETED,
        )
    assert set(refused.value.message_dict) == {"starts_at"}
    assert not Session.objects.exists()


def test_record_past_by_the_mentee_leaves_no_session_behind(personas):
    with pytest.raises(ValidationError):
        session_record_past(
            match=personas.match,
            by=personas.mentee,
            starts_at=timezone.now() - timedelta(days=1),
            duration_minutes=60,
            mode=MeetingMode.IN_PERSON,
            outcome=Session.Status.COMPLETED,
        )
    assert not Session.objects.exists()


# --- groups -----------------------------------------------------------------------------------


def create_group(program, *, starts_at=None, hours=1, **fields):
    starts_at = starts_at or in_days(5, hour=22)
    fields.setdefault("title", "Thursday circle")
    return group_create(program=program, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **fields)


def test_group_create_a_single_session_with_its_facilitators(personas):
    [group] = create_group(personas.program, facilitators=[personas.mentor, personas.coordinator], capacity=8)
    group = refresh(group)
    assert (group.program, group.series, group.capacity, group.status) == (
        personas.program,
        None,
        8,
        GroupSession.Status.SCHEDULED,
    )
    assert set(group.facilitators.all()) == {personas.mentor, personas.coordinator}
    assert not GroupSeries.objects.exists()


def next_us_spring_forward():
    """The next second Sunday of March (US clocks go forward), at least three
    weeks away, so that a series starting before it is still in the future
    (March 14, 2027 when this was written)."""
    today = timezone.localdate()
    year = today.year
    while True:
        first = date(year, 3, 1)
        second_sunday = first + timedelta(days=(6 - first.weekday()) % 7 + 7)
        if second_sunday - timedelta(days=21) > today:
            return second_sunday
        year += 1


def test_weekly_series_keeps_the_local_time_across_daylight_saving(personas):
    """A 6 pm Tuesday group stays at 6 pm in New York when the clocks go forward."""
    program = personas.program
    program.time_zone = "America/New_York"
    program.save(update_fields=["time_zone"])
    change = next_us_spring_forward()
    first_day = change - timedelta(days=12)  # the Tuesday two weeks before
    until = first_day + timedelta(weeks=4)
    start = datetime(first_day.year, first_day.month, first_day.day, 18, 0, tzinfo=NEW_YORK)
    created = group_create(
        program=program,
        title="Tuesday group",
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        weekly_until=until,
        facilitators=[personas.mentor],
    )
    groups = list(GroupSession.objects.order_by("starts_at"))
    assert [g.pk for g in groups] == [g.pk for g in created]
    local = [timezone.localtime(g.starts_at, NEW_YORK) for g in groups]
    assert [d.date() for d in local] == [first_day + timedelta(weeks=week) for week in range(5)]
    assert {(d.weekday(), d.hour, d.minute) for d in local} == {(1, 18, 0)}
    # Standard time for the first two, daylight time after the change: in UTC
    # the group moves by an hour.
    assert [d.utcoffset() for d in local] == [timedelta(hours=-5)] * 2 + [timedelta(hours=-4)] * 3
    assert [g.starts_at.astimezone(UTC).hour for g in groups] == [23, 23, 22, 22, 22]
    assert {g.ends_at - g.starts_at for g in groups} == {timedelta(minutes=90)}
    series = GroupSeries.objects.get()
    assert (series.program, series.title, series.weekly_until) == (program, "Tuesday group", until)
    assert {g.series_id for g in groups} == {series.pk}
    assert all(list(g.facilitators.all()) == [personas.mentor] for g in groups)


def test_weekly_series_ending_before_it_starts_is_refused(personas):
    start = in_days(10)
    with pytest.raises(ValidationError) as refused:
        create_group(personas.program, starts_at=start, weekly_until=start.date() - timedelta(days=3))
    assert set(refused.value.message_dict) == {"weekly_until"}
    assert not GroupSession.objects.exists()
    assert not GroupSeries.objects.exists()


def test_group_ending_before_it_starts_is_refused(personas):
    start = in_days(5)
    with pytest.raises(ValidationError) as refused:
        group_create(program=personas.program, title="Backwards", starts_at=start, ends_at=start - timedelta(hours=1))
    assert set(refused.value.message_dict) == {"ends_at"}
    with pytest.raises(ValidationError):
        group_create(program=personas.program, title="Instant", starts_at=start, ends_at=start)
    assert not GroupSession.objects.exists()


def test_group_in_the_past_is_refused(personas):
    with pytest.raises(ValidationError) as refused:
        create_group(personas.program, starts_at=timezone.now() - timedelta(days=1))
    assert set(refused.value.message_dict) == {"starts_at"}


def test_group_move_changes_one_occurrence_only(personas, django_capture_on_commit_callbacks, mailoutbox):
    first, second, third = create_group(
        personas.program, starts_at=in_days(3), weekly_until=(in_days(3) + timedelta(weeks=2)).date(), location="Hall"
    )
    RegistrationFactory(group_session=second, user=personas.mentee)
    RegistrationFactory(group_session=first, user=personas.other_mentee)
    new_start = second.starts_at + timedelta(days=1, hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        group_move(
            group_session=second, starts_at=new_start, ends_at=new_start + timedelta(hours=1), location="Library"
        )
    second = refresh(second)
    assert (second.starts_at, second.ends_at, second.location) == (new_start, new_start + timedelta(hours=1), "Library")
    for other, original in ((first, first.starts_at), (third, third.starts_at)):
        other = refresh(other)
        assert (other.starts_at, other.location) == (original, "Hall")
    assert [m.to for m in mailoutbox] == [[personas.mentee.email]]


def test_group_move_refuses_an_end_before_the_start(personas):
    [group] = create_group(personas.program)
    with pytest.raises(ValidationError):
        group_move(group_session=group, starts_at=group.starts_at, ends_at=group.starts_at, location="")
    assert refresh(group).ends_at > group.starts_at


def test_group_cancel_tells_everyone_registered_or_waiting(personas, django_capture_on_commit_callbacks, mailoutbox):
    group = GroupSessionFactory(program=personas.program, capacity=1)
    RegistrationFactory(group_session=group, user=personas.mentee, status=Registration.Status.REGISTERED)
    RegistrationFactory(group_session=group, user=personas.other_mentee, status=Registration.Status.WAITLISTED)
    RegistrationFactory(group_session=group, user=personas.other_mentor, status=Registration.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        group_cancel(group_session=group, reason="  The room is flooded.  ")
    group = refresh(group)
    assert (group.status, group.cancel_reason) == (GroupSession.Status.CANCELLED, "The room is flooded.")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([personas.mentee.email, personas.other_mentee.email])
    for message in mailoutbox:
        assert "flooded" not in message.body and group.title not in message.body
    with pytest.raises(ValidationError):
        group_cancel(group_session=group, reason="Again")


# --- registration and the waiting list ------------------------------------------------------------


def starting_soon():
    """Still open for registration, and attendance can already be taken."""
    return timezone.now() + timedelta(minutes=20)


@pytest.fixture
def full_group(personas):
    """Two seats, both taken; two people waiting (in this order). It starts in
    20 minutes: registration is still open and attendance already is."""
    group = GroupSessionFactory(program=personas.program, capacity=2, starts_at=starting_soon())
    people = UserFactory.create_batch(4)
    registrations = [register(group_session=group, user=person) for person in people]
    return group, people, registrations


def statuses(group):
    return list(
        Registration.objects.filter(group_session=group).order_by("created_at", "pk").values_list("user", "status")
    )


def test_seats_fill_then_the_waiting_list(full_group):
    group, people, registrations = full_group
    assert [r.status for r in registrations] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert statuses(group) == list(zip([p.pk for p in people], ["registered"] * 2 + ["waitlisted"] * 2, strict=True))


def test_giving_up_a_seat_promotes_the_earliest_waiting_and_tells_them(
    full_group, django_capture_on_commit_callbacks, mailoutbox
):
    group, (first, second, third, fourth), _ = full_group
    with django_capture_on_commit_callbacks(execute=True):
        promoted = unregister(group_session=group, user=first)
    assert promoted.user == third
    assert dict(statuses(group)) == {
        first.pk: "cancelled",
        second.pk: "registered",
        third.pk: "registered",
        fourth.pk: "waitlisted",
    }
    assert [m.to for m in mailoutbox] == [[third.email]]


def test_leaving_the_waiting_list_promotes_nobody(full_group, django_capture_on_commit_callbacks, mailoutbox):
    group, (first, second, third, fourth), _ = full_group
    with django_capture_on_commit_callbacks(execute=True):
        assert unregister(group_session=group, user=third) is None
    assert dict(statuses(group)) == {
        first.pk: "registered",
        second.pk: "registered",
        third.pk: "cancelled",
        fourth.pk: "waitlisted",
    }
    assert mailoutbox == []


def test_unregister_twice_or_without_registering_is_refused(full_group):
    group, (first, *_), _ = full_group
    unregister(group_session=group, user=first)
    with pytest.raises(ValidationError):
        unregister(group_session=group, user=first)
    with pytest.raises(ValidationError):
        unregister(group_session=group, user=UserFactory())


def test_registering_twice_returns_the_same_registration(personas):
    group = GroupSessionFactory(program=personas.program, capacity=1)
    first = register(group_session=group, user=personas.mentee)
    again = register(group_session=group, user=personas.mentee)
    assert again.pk == first.pk
    assert again.status == Registration.Status.REGISTERED
    assert Registration.objects.filter(group_session=group).count() == 1


def test_registering_again_while_waiting_keeps_the_place_in_the_queue(full_group):
    group, (_, _, third, _), registrations = full_group
    again = register(group_session=group, user=third)
    assert (again.pk, again.status, again.created_at) == (
        registrations[2].pk,
        Registration.Status.WAITLISTED,
        registrations[2].created_at,
    )


def test_re_registering_after_leaving_goes_to_the_back_of_the_queue(full_group):
    group, (first, second, third, fourth), _ = full_group
    unregister(group_session=group, user=third)
    back = register(group_session=group, user=third)
    assert back.status == Registration.Status.WAITLISTED
    # The seat that frees goes to the person who waited without leaving.
    promoted = unregister(group_session=group, user=first)
    assert promoted.user == fourth
    promoted = unregister(group_session=group, user=second)
    assert promoted.user == third


def test_re_registering_with_a_free_seat_takes_it_and_clears_the_old_mark(personas):
    group = GroupSessionFactory(program=personas.program, capacity=2, starts_at=starting_soon())
    registration = register(group_session=group, user=personas.mentee)
    attendance_mark(registration=registration, attendance=Registration.Attendance.EXCUSED)
    unregister(group_session=group, user=personas.mentee)
    back = register(group_session=group, user=personas.mentee)
    assert (back.pk, back.status, back.attendance) == (registration.pk, Registration.Status.REGISTERED, "")


@pytest.mark.parametrize(
    "closed",
    [
        {"status": GroupSession.Status.CANCELLED},
        {"starts_at": timezone.now() - timedelta(hours=1), "ends_at": timezone.now() + timedelta(hours=1)},
        {"starts_at": timezone.now() - timedelta(days=7), "ends_at": timezone.now() - timedelta(days=7, hours=-1)},
    ],
    ids=["cancelled", "started", "past"],
)
def test_closed_sessions_refuse_registration(personas, closed):
    group = GroupSessionFactory(program=personas.program, **closed)
    with pytest.raises(ValidationError):
        register(group_session=group, user=personas.mentee)
    assert not Registration.objects.exists()


def test_attendance_for_seated_people_only(full_group):
    group, _, (seated, _, waiting, _) = full_group
    attendance_mark(registration=seated, attendance=Registration.Attendance.ATTENDED)
    assert refresh(seated).attendance == Registration.Attendance.ATTENDED
    with pytest.raises(ValidationError):
        attendance_mark(registration=waiting, attendance=Registration.Attendance.ATTENDED)
    assert refresh(waiting).attendance == ""


def test_attendance_opens_shortly_before_the_start(personas):
    group = GroupSessionFactory(program=personas.program, starts_at=timezone.now() + timedelta(hours=2))
    registration = RegistrationFactory(group_session=group, user=personas.mentee)
    with pytest.raises(ValidationError):
        attendance_mark(registration=registration, attendance=Registration.Attendance.ATTENDED)
    assert refresh(registration).attendance == ""
    # Once it has started (and afterwards) the facilitator can mark.
    GroupSession.objects.filter(pk=group.pk).update(
        starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() - timedelta(days=1, hours=-1)
    )
    registration = Registration.objects.get(pk=registration.pk)
    attendance_mark(registration=registration, attendance=Registration.Attendance.NO_SHOW)
    assert refresh(registration).attendance == Registration.Attendance.NO_SHOW


@pytest.mark.parametrize("value", ["", "present", "ATTENDED", "registered"])
def test_attendance_accepts_only_known_values(full_group, value):
    _, _, (seated, *_) = full_group
    with pytest.raises(ValidationError):
        attendance_mark(registration=seated, attendance=value)
    assert refresh(seated).attendance == ""


@pytest.mark.parametrize("value", Registration.Attendance.values)
def test_attendance_values_are_saved(full_group, value):
    _, _, (seated, *_) = full_group
    attendance_mark(registration=seated, attendance=value)
    assert refresh(seated).attendance == value


# --- the race for the last seat ---------------------------------------------------------------------

RACE_ROUNDS = 5


def _race(group, users):
    """Both users register at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(users))
    results, errors = {}, []

    def run(user):
        try:
            barrier.wait(timeout=10)
            results[user.pk] = register(group_session=group, user=user).status
        except Exception:  # reported by the main thread, with where it happened
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_two_people_racing_for_the_last_seat_get_one_seat_and_one_waiting_place(transactional_db):
    """Several rounds: two threads released together do not always overlap (the
    next test forces the overlap)."""
    for _ in range(RACE_ROUNDS):
        group = GroupSessionFactory(capacity=2)
        RegistrationFactory(group_session=group)
        racers = UserFactory.create_batch(2)
        results, errors = _race(group, racers)
        assert not errors, "\n".join(errors)
        assert sorted(results.values()) == [Registration.Status.REGISTERED, Registration.Status.WAITLISTED]
        seated = Registration.objects.filter(group_session=group, status=Registration.Status.REGISTERED)
        assert seated.count() == group.capacity


def _wait_until_someone_waits_for_a_lock():
    """On PostgreSQL, until another connection is blocked on a lock; elsewhere
    a pause long enough for the second registration to reach its first write."""
    if connection.vendor != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("The second registration never waited for the first one.")


def test_a_registration_for_the_last_seat_waits_for_the_one_in_progress(transactional_db):
    """The deterministic form of the race: the first registration holds its
    transaction open while the second starts; the second must wait for it and
    then see the seat taken (without _claim_seats it would take a seat too)."""
    group = GroupSessionFactory(capacity=1)
    first_user, second_user = UserFactory.create_batch(2)
    holding, release = threading.Event(), threading.Event()
    results, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                results["first"] = register(group_session=group, user=first_user).status
                holding.set()
                release.wait(timeout=10)
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            holding.set()
            connection.close()

    def second():
        try:
            holding.wait(timeout=10)
            results["second"] = register(group_session=group, user=second_user).status
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert holding.wait(timeout=10)
        _wait_until_someone_waits_for_a_lock()
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, "\n".join(errors)
    assert results == {"first": Registration.Status.REGISTERED, "second": Registration.Status.WAITLISTED}


# --- the calendar feed -----------------------------------------------------------------------------


def _events(ics):
    calendar = Calendar.from_ical(ics)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_feed_has_the_users_meetings_under_a_neutral_title(personas):
    program = personas.program
    skill = SkillFactory(program=program, name="Urge surfing")
    one_on_one = SessionFactory(match=personas.match, starts_at=in_days(2), duration_minutes=45, location="Blue Door")
    facilitated = GroupSessionFactory(
        program=program,
        title="Craving circle",
        skill=skill,
        location="Room 4B",
        starts_at=in_days(3),
        facilitators=[personas.mentor],
    )
    attended = GroupSessionFactory(
        program=program, title="Family night", location="Gym", starts_at=in_days(6), ends_at=in_days(6, hour=17)
    )
    RegistrationFactory(group_session=attended, user=personas.mentor)
    # Not in the mentor's calendar:
    SessionFactory(match=personas.match, starts_at=in_days(4), status=Session.Status.CANCELLED, location="Pier 9")
    SessionFactory(match=personas.other_match, starts_at=in_days(2), location="Oak Hall")
    GroupSessionFactory(program=program, title="Cancelled walk", status=GroupSession.Status.CANCELLED).facilitators.add(
        personas.mentor
    )
    waiting = GroupSessionFactory(program=program, title="Waiting room talk", capacity=1)
    RegistrationFactory(group_session=waiting, user=personas.mentor, status=Registration.Status.WAITLISTED)
    left = GroupSessionFactory(program=program, title="Left early")
    RegistrationFactory(group_session=left, user=personas.mentor, status=Registration.Status.CANCELLED)
    GroupSessionFactory(program=program, title="Someone else's group").facilitators.add(personas.other_mentor)

    ics = build_feed(personas.mentor)
    events = _events(ics)
    assert set(events) == {
        f"session-{one_on_one.pk}@{uid_domain()}",
        f"group-{facilitated.pk}@{uid_domain()}",
        f"group-{attended.pk}@{uid_domain()}",
    }
    expected = {
        f"session-{one_on_one.pk}@{uid_domain()}": (one_on_one.starts_at, one_on_one.ends_at),
        f"group-{facilitated.pk}@{uid_domain()}": (facilitated.starts_at, facilitated.ends_at),
        f"group-{attended.pk}@{uid_domain()}": (attended.starts_at, attended.ends_at),
    }
    for uid, event in events.items():
        assert str(event["SUMMARY"]) == NEUTRAL_TITLE == "Waypoint meeting"
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.tzinfo is not None and end.tzinfo is not None
        assert (start, end) == expected[uid]
    unfolded = ics.replace(b"\r\n ", b"").decode()
    for secret in (
        "Craving circle",
        "Family night",
        "Urge surfing",
        "Blue Door",
        "Room 4B",
        "Gym",
        "Mel Mentee",
        "Mel",
        "Pier 9",
        "Oak Hall",
        "Waiting room",
        "Opal",
    ):
        assert secret.lower() not in unfolded.lower(), secret


def test_feed_of_the_mentee_has_the_one_on_one_without_the_mentors_name(personas):
    session = SessionFactory(match=personas.match, starts_at=in_days(2))
    ics = build_feed(personas.mentee)
    assert list(_events(ics)) == [f"session-{session.pk}@{uid_domain()}"]
    assert b"Morgan" not in ics.replace(b"\r\n ", b"")


def test_feed_reset_changes_the_address_and_the_old_one_stops_working(personas, client):
    SessionFactory(match=personas.match, starts_at=in_days(2))
    old = calendar_feed_for(personas.mentee).token
    assert calendar_feed_for(personas.mentee).token == old  # the same address until reset
    new = calendar_feed_reset(user=personas.mentee).token
    assert new != old
    assert CalendarFeed.objects.get(user=personas.mentee).token == new
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    response = client.get(f"/calendar/{new}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert reverse("peer_sessions:calendar_feed", args=[new]) == f"/calendar/{new}.ics"
    assert len(_events(response.content)) == 1


# --- figures ----------------------------------------------------------------------------------------

SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def completed(match, starts_at, minutes, status=Session.Status.COMPLETED, skills=()):
    return SessionFactory(match=match, starts_at=starts_at, duration_minutes=minutes, status=status, skills=skills)


@pytest.fixture
def logged_sessions(personas):
    program = personas.program
    program.time_zone = "America/New_York"
    program.save(update_fields=["time_zone"])
    # 02:00 UTC on November 1st is still October 31st in New York.
    completed(personas.match, datetime(2026, 11, 1, 2, 0, tzinfo=UTC), 60)
    completed(personas.match, datetime(2026, 10, 15, 15, 0, tzinfo=UTC), 30)
    completed(personas.match, datetime(2026, 11, 10, 15, 0, tzinfo=UTC), 90)
    completed(personas.match, datetime(2026, 11, 12, 15, 0, tzinfo=UTC), 60, status=Session.Status.MISSED)
    completed(personas.match, datetime(2026, 11, 14, 15, 0, tzinfo=UTC), 60, status=Session.Status.CANCELLED)
    completed(personas.other_match, datetime(2026, 11, 5, 15, 0, tzinfo=UTC), 30)
    # Another program's sessions stay out.
    completed(MatchFactory(program=personas.other_program), datetime(2026, 11, 5, 15, 0, tzinfo=UTC), 120)
    return program


def _month(row, zone):
    return timezone.localtime(row["month"], ZoneInfo(zone)).date()


def test_hours_per_mentor_per_month_in_the_programs_zone(personas, logged_sessions):
    rows = hours_per_mentor_per_month(logged_sessions, since=SINCE)
    assert [(r["mentor"], _month(r, "America/New_York"), r["hours"], r["sessions"]) for r in rows] == [
        ("Morgan Mentor", date(2026, 10, 1), 1.5, 2),
        ("Morgan Mentor", date(2026, 11, 1), 1.5, 1),
        ("Oscar Othermentor", date(2026, 11, 1), 0.5, 1),
    ]
    assert {r["mentor_id"] for r in rows} == {personas.match.mentor_id, personas.other_match.mentor_id}


def test_hours_per_month_move_with_the_programs_zone(personas, logged_sessions):
    program = logged_sessions
    program.time_zone = "UTC"
    program.save(update_fields=["time_zone"])
    rows = hours_per_mentor_per_month(program, since=SINCE)
    assert [(r["mentor"], _month(r, "UTC"), r["hours"], r["sessions"]) for r in rows] == [
        ("Morgan Mentor", date(2026, 10, 1), 0.5, 1),
        ("Morgan Mentor", date(2026, 11, 1), 2.5, 2),
        ("Oscar Othermentor", date(2026, 11, 1), 0.5, 1),
    ]


def test_hours_per_month_start_at_since(logged_sessions):
    rows = hours_per_mentor_per_month(logged_sessions, since=datetime(2026, 11, 2, tzinfo=UTC))
    assert [(r["mentor"], r["hours"]) for r in rows] == [("Morgan Mentor", 1.5), ("Oscar Othermentor", 0.5)]


def test_toolkit_counts_skills_of_completed_sessions_only(personas):
    program = personas.program
    breathing, boundaries, journaling, planning = (
        SkillFactory(program=program, name=name) for name in ("Breathing", "Boundaries", "Journaling", "Planning")
    )
    past = timezone.now() - timedelta(days=3)
    completed(personas.match, past, 60, skills=[breathing, boundaries])
    completed(personas.match, past - timedelta(days=7), 60, skills=[breathing])
    completed(personas.match, past - timedelta(days=14), 60, status=Session.Status.MISSED, skills=[journaling])
    SessionFactory(match=personas.match, starts_at=in_days(2), skills=[journaling])  # scheduled
    completed(personas.other_match, past, 60, skills=[planning, breathing])  # another mentee's
    expected = [("Breathing", 2), ("Boundaries", 1)]
    assert [(s.name, s.times) for s in toolkit(personas.match.mentee)] == expected
    assert [(s.name, s.times) for s in toolkit_of_user(personas.mentee)] == expected
    assert [(s.name, s.times) for s in toolkit_of_user(personas.other_mentee)] == [("Breathing", 1), ("Planning", 1)]


# --- calendar feed: moved meetings replace the subscribed copy (issue 17.4) ---------------


def test_moving_a_group_raises_its_sequence_and_last_modified_in_the_feed(personas):
    group = GroupSessionFactory(program=personas.program, starts_at=in_days(3), facilitators=[personas.mentor])
    before = _events(build_feed(personas.mentor))[f"group-{group.pk}@{uid_domain()}"]
    assert int(before["SEQUENCE"]) == 0
    first_stamp = before.decoded("LAST-MODIFIED")
    group_move(group_session=group, starts_at=in_days(4), ends_at=in_days(4, hour=17), location="Room 5")
    after = _events(build_feed(personas.mentor))[f"group-{group.pk}@{uid_domain()}"]
    assert int(after["SEQUENCE"]) == 1
    assert after.decoded("LAST-MODIFIED") >= first_stamp
    assert after.decoded("DTSTAMP") == after.decoded("LAST-MODIFIED")
    assert after.decoded("DTSTART") == in_days(4)


def test_cancelling_a_session_raises_its_sequence(personas):
    session = SessionFactory(match=personas.match, starts_at=in_days(2))
    session_cancel(session=session, by=personas.mentor, reason="Sick")
    session.refresh_from_db()
    assert session.sequence == 1


def test_event_uids_carry_the_sites_host(personas, settings):
    settings.SITE_URL = "https://peer.example.org"
    session = SessionFactory(match=personas.match, starts_at=in_days(2))
    assert list(_events(build_feed(personas.mentee))) == [f"session-{session.pk}@peer.example.org"]
