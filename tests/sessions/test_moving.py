"""Meetings that move (issue 16, part 5): the mentor or the mentee proposes a
new time; the other one accepts (the meeting moves, the calendar feed shows
the new time under the same UID with a higher SEQUENCE, reminders follow the
new time once) or declines (nothing moves); the proposer may withdraw. Bad
input gets a message beside the field, never a 500. Endings withdraw what
waits for an answer."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from mentoring.endings import mentee_exit
from mentoring.models import ChannelPreference, Delivery, Match, MenteeProfile, ReminderKind
from mentoring.notifications.outbox import collect_due, dispatch, kick, send, write_due
from mentoring.notifications.sms import LocmemSMSBackend
from mentoring.services import match_close
from sessions.calendar import uid_domain
from sessions.models import Session, TimeProposal
from sessions.services import (
    calendar_feed_for,
    session_cancel,
    session_time_accept,
    session_time_decline,
    session_time_propose,
    session_time_withdraw,
)
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")  # the personas' zone (UserFactory)


def local_day(days):
    return (timezone.localtime(timezone.now(), NEW_YORK) + timedelta(days=days)).date()


_TODAY = []


@pytest.fixture(autouse=True)
def _today():
    """Today in New York, fixed when the test starts (before any time travel)."""
    _TODAY[:] = [local_day(0)]


def at(days, hour, minute=0):
    """A wall-clock time in New York ``days`` from the day the test started, aware."""
    return datetime.combine(_TODAY[0] + timedelta(days=days), time(hour, minute), tzinfo=NEW_YORK)


@pytest.fixture
def meeting(personas):
    return SessionFactory(match=personas.match, starts_at=at(3, 10), duration_minutes=45)


def propose_url(session):
    return reverse("peer_sessions:session_propose", args=[session.pk])


def answer_url(proposal):
    return reverse("peer_sessions:time_proposal_answer", args=[proposal.pk])


def feed_event(client, user, session):
    """The meeting's VEVENT in ``user``'s feed, fetched like a calendar app does."""
    response = client.get(reverse("peer_sessions:calendar_feed", args=[calendar_feed_for(user).token]))
    assert response.status_code == 200
    events = {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    return events[f"session-{session.pk}@{uid_domain()}"]


def rows(kind):
    return Delivery.objects.filter(kind=kind)


# --- propose, accept, decline, withdraw through the pages ----------------------------------------


def test_mentee_proposes_and_mentor_accepts_the_meeting_moves_and_the_feed_follows(
    personas, client_for, meeting, django_capture_on_commit_callbacks, time_machine
):
    client = client_for(personas.mentor)
    before = feed_event(client, personas.mentor, meeting)
    assert before.decoded("DTSTART") == at(3, 10)

    client = client_for(personas.mentee)
    response = client.post(
        propose_url(meeting), {"day": local_day(4).isoformat(), "time": "18:30", "note": "Work moved my shift."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("peer_sessions:session_detail", args=[meeting.pk])
    proposal = TimeProposal.objects.get()
    assert (proposal.proposed_by, proposal.starts_at, proposal.previous_starts_at, proposal.status) == (
        personas.mentee,
        at(4, 18, 30),
        at(3, 10),
        TimeProposal.Status.PENDING,
    )
    # Nothing moves until the other one answers; the mentor is told (neutral, link to the meeting page).
    assert Session.objects.get(pk=meeting.pk).starts_at == at(3, 10)
    assert set(rows(ReminderKind.SESSION_TIME_PROPOSED).values_list("recipient", "url")) == {
        (personas.mentor.pk, f"/sessions/{meeting.pk}/")
    }
    page = client.get(reverse("peer_sessions:session_detail", args=[meeting.pk])).content.decode()
    assert "Withdraw my proposal" in page and "Accept the new time" not in page

    client = client_for(personas.mentor)
    page = client.get(reverse("peer_sessions:session_detail", args=[meeting.pk])).content.decode()
    assert "Accept the new time" in page and "Work moved my shift." in page
    # The mentor answers a little later: the feed's LAST-MODIFIED (whole seconds) moves on.
    time_machine.move_to(timezone.now() + timedelta(minutes=5), tick=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(answer_url(proposal), {"action": "accept"})
    assert response.status_code == 302
    moved = Session.objects.get(pk=meeting.pk)
    assert moved.starts_at == at(4, 18, 30)
    assert moved.duration_minutes == 45 and moved.moved_at is not None
    assert TimeProposal.objects.get().status == TimeProposal.Status.ACCEPTED
    assert TimeProposal.objects.get().decided_by == personas.mentor
    # The mentee (the proposer) is told it moved; the mentor, who accepted, is not.
    assert set(rows(ReminderKind.SESSION_MOVED).values_list("recipient", flat=True)) == {personas.mentee.pk}

    after = feed_event(client, personas.mentor, meeting)
    assert after.decoded("DTSTART") == at(4, 18, 30)
    assert after.decoded("DTEND") == at(4, 18, 30) + timedelta(minutes=45)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert feed_event(client, personas.mentee, meeting).decoded("DTSTART") == at(4, 18, 30)


def test_decline_leaves_the_meeting_as_it_was_and_tells_the_proposer(
    personas, client_for, meeting, django_capture_on_commit_callbacks
):
    proposal = session_time_propose(session=meeting, by=personas.mentor, starts_at=at(5, 9))
    sequence = Session.objects.get(pk=meeting.pk).sequence
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.mentee).post(answer_url(proposal), {"action": "decline"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence, meeting.moved_at) == (at(3, 10), sequence, None)
    assert TimeProposal.objects.get().status == TimeProposal.Status.DECLINED
    assert set(rows(ReminderKind.SESSION_TIME_DECLINED).values_list("recipient", flat=True)) == {personas.mentor.pk}
    assert not rows(ReminderKind.SESSION_MOVED).exists()


def test_only_the_other_one_decides_and_only_the_proposer_withdraws(personas, client_for, meeting):
    proposal = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    mentee = client_for(personas.mentee)
    for action in ("accept", "decline"):
        response = mentee.post(answer_url(proposal), {"action": action}, follow=True)
        assert response.status_code == 200
        assert "The other person answers your proposal" in response.content.decode()
    assert TimeProposal.objects.get().status == TimeProposal.Status.PENDING
    assert Session.objects.get(pk=meeting.pk).starts_at == at(3, 10)

    response = client_for(personas.mentor).post(answer_url(proposal), {"action": "withdraw"}, follow=True)
    assert "Only the person who proposed a time can withdraw it." in response.content.decode()
    assert TimeProposal.objects.get().status == TimeProposal.Status.PENDING

    response = client_for(personas.mentee).post(answer_url(proposal), {"action": "withdraw"})
    assert response.status_code == 302
    assert TimeProposal.objects.get().status == TimeProposal.Status.WITHDRAWN
    # A withdrawn proposal cannot be accepted any more.
    response = client_for(personas.mentor).post(answer_url(proposal), {"action": "accept"}, follow=True)
    assert "This proposal is already withdrawn." in response.content.decode()
    assert Session.objects.get(pk=meeting.pk).starts_at == at(3, 10)


@pytest.mark.parametrize("who", ["coordinator", "other_coordinator", "other_mentor", "other_mentee", "former_mentor"])
def test_outsiders_and_coordinators_cannot_answer_or_propose(personas, client_for, meeting, who):
    proposal = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    client = client_for(personas.user(who))
    assert client.post(answer_url(proposal), {"action": "accept"}).status_code == 404
    assert client.get(propose_url(meeting)).status_code == 404
    assert client.post(propose_url(meeting), {"day": local_day(6).isoformat(), "time": "09:00"}).status_code == 404
    assert TimeProposal.objects.get().status == TimeProposal.Status.PENDING
    assert Session.objects.get(pk=meeting.pk).starts_at == at(3, 10)


def test_the_coordinator_sees_the_proposal_but_no_buttons(personas, client_for, meeting):
    session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    page = client_for(personas.coordinator).get(reverse("peer_sessions:session_detail", args=[meeting.pk]))
    html = page.content.decode()
    assert 'data-testid="time-proposal"' in html and "Waiting for an answer from the pair." in html
    assert "Accept the new time" not in html and "Propose a new time" not in html


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"day": "", "time": "10:00"}, "day", "This field is required."),
        ({"day": "2027-02-31", "time": "10:00"}, "day", "Enter a valid date."),
        ({"day": "next tuesday", "time": "10:00"}, "day", "Enter a valid date."),
        ({"day": "9999-12-31", "time": "10:00"}, "day", "Choose a date between"),
        ({"day": "2099-01-01", "time": "10:00"}, "day", "Choose a date between"),
        ({"day": "PAST", "time": "10:00"}, "day", "This date has passed"),
        ({"day": "TODAY", "time": "00:00"}, "time", "Choose a time in the future."),
        ({"day": "NEXTWEEK", "time": "25:99"}, "time", "Enter a valid time."),
        ({"day": "NEXTWEEK", "time": "<script>"}, "time", "Enter a valid time."),
        ({"day": "SAME", "time": "10:00"}, "time", "That is the meeting's time now"),
        ({"day": "NEXTWEEK", "time": "10:00", "note": "x" * 201}, "note", "at most 200 characters"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_keeps_what_was_typed(
    personas, client_for, meeting, data, field, message
):
    days = {"PAST": local_day(-1), "TODAY": local_day(0), "NEXTWEEK": local_day(7), "SAME": local_day(3)}
    data = {**data, "day": days[data["day"]].isoformat() if data["day"] in days else data["day"]}
    data.setdefault("note", "Can we meet later?")
    response = client_for(personas.mentee).post(propose_url(meeting), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {field}, form.errors
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert f'id="error_1_id_{field}"' in html
    if len(data["note"]) <= 200:
        assert 'value="Can we meet later?"' in html
    assert not TimeProposal.objects.exists()


def test_the_time_is_read_in_the_proposers_own_zone(personas, client_for, meeting):
    personas.mentee.time_zone = "Europe/Berlin"
    personas.mentee.save(update_fields=["time_zone"])
    day = (timezone.localtime(timezone.now(), ZoneInfo("Europe/Berlin")) + timedelta(days=6)).date()
    response = client_for(personas.mentee).post(propose_url(meeting), {"day": day.isoformat(), "time": "19:00"})
    assert response.status_code == 302
    assert TimeProposal.objects.get().starts_at == datetime.combine(day, time(19), tzinfo=ZoneInfo("Europe/Berlin"))


def test_a_clash_with_the_mentors_bookings_asks_before_proposing_and_before_accepting(personas, client_for, meeting):
    SessionFactory(match=personas.match, starts_at=at(6, 10))
    client = client_for(personas.mentee)
    data = {"day": local_day(6).isoformat(), "time": "10:30"}
    warned = client.post(propose_url(meeting), data)
    assert warned.status_code == 200
    assert "already has something booked at that time" in warned.content.decode()
    assert not TimeProposal.objects.exists()
    assert client.post(propose_url(meeting), {**data, "double_booking_ok": "1"}).status_code == 302
    proposal = TimeProposal.objects.get()

    mentor = client_for(personas.mentor)
    asked = mentor.post(answer_url(proposal), {"action": "accept"})
    assert asked.status_code == 200 and "Accept anyway" in asked.content.decode()
    assert Session.objects.get(pk=meeting.pk).starts_at == at(3, 10)
    assert mentor.post(answer_url(proposal), {"action": "accept", "double_booking_ok": "1"}).status_code == 302
    assert Session.objects.get(pk=meeting.pk).starts_at == at(6, 10, 30)


def test_an_unknown_action_is_a_message_not_a_server_error(personas, client_for, meeting):
    proposal = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    response = client_for(personas.mentor).post(answer_url(proposal), {"action": "explode"}, follow=True)
    assert response.status_code == 200
    assert "Choose accept, decline or withdraw." in response.content.decode()
    assert client_for(personas.mentor).get(answer_url(proposal)).status_code == 405


# --- the rules, in the services ----------------------------------------------------------------------


def test_one_pending_proposal_per_meeting_is_a_database_rule(personas, meeting):
    session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeProposal.objects.create(
            session=meeting, proposed_by=personas.mentor, starts_at=at(5, 11), previous_starts_at=meeting.starts_at
        )


def test_a_new_proposal_replaces_ones_own_and_answers_the_other_ones(personas, meeting):
    first = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    second = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 11))
    first.refresh_from_db()
    assert first.status == TimeProposal.Status.WITHDRAWN
    counter = session_time_propose(session=meeting, by=personas.mentor, starts_at=at(5, 14))
    second.refresh_from_db()
    assert (second.status, second.decided_by) == (TimeProposal.Status.DECLINED, personas.mentor)
    assert list(TimeProposal.objects.filter(status=TimeProposal.Status.PENDING)) == [counter]
    session_time_accept(proposal=counter, by=personas.mentee)
    assert Session.objects.get(pk=meeting.pk).starts_at == at(5, 14)


def test_accept_checks_again_that_the_time_is_still_ahead(personas, meeting, time_machine):
    proposal = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(1, 9))
    time_machine.move_to(at(1, 9, 1), tick=False)
    with pytest.raises(ValidationError, match="The proposed time has passed"):
        session_time_accept(proposal=proposal, by=personas.mentor)
    assert Session.objects.get(pk=meeting.pk).starts_at == at(3, 10)
    # Shown as expired, and a new proposal is possible (the stale one is marked expired).
    proposal.refresh_from_db()
    assert proposal.shown_status() == TimeProposal.Status.EXPIRED
    session_time_propose(session=meeting, by=personas.mentor, starts_at=at(4, 9))
    proposal.refresh_from_db()
    assert proposal.status == TimeProposal.Status.EXPIRED


def test_a_meeting_that_started_or_was_cancelled_cannot_move(personas, meeting, time_machine):
    proposal = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    session_cancel(session=meeting, by=personas.mentor, reason="Ill")
    proposal.refresh_from_db()
    assert proposal.status == TimeProposal.Status.WITHDRAWN  # cancelling withdraws what waits
    with pytest.raises(ValidationError):
        session_time_accept(proposal=proposal, by=personas.mentor)
    other = SessionFactory(match=personas.match, starts_at=at(2, 10))
    time_machine.move_to(at(2, 10, 5), tick=False)
    with pytest.raises(ValidationError, match="already started"):
        session_time_propose(session=other, by=personas.mentee, starts_at=at(5, 9))


@pytest.mark.parametrize("ending", ["close", "exit"])
def test_an_ending_withdraws_the_proposals_of_the_matchs_meetings(personas, meeting, ending):
    proposal = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    if ending == "close":
        match_close(match=personas.match, reason=Match.CloseReason.MOVED, note="", closed_by=personas.coordinator)
    else:
        mentee_exit(mentee=personas.match.mentee, reason=MenteeProfile.ExitReason.MOVED, by=personas.coordinator)
    proposal.refresh_from_db()
    assert proposal.status == TimeProposal.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        session_time_accept(proposal=proposal, by=personas.mentor)
    assert Session.objects.get(pk=meeting.pk).status == Session.Status.CANCELLED


def test_a_paused_match_may_move_its_meetings_but_not_a_closed_one(personas, meeting):
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.PAUSED)
    meeting.refresh_from_db()
    session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="This match has ended"):
        session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 10))


def test_decline_and_withdraw_of_an_answered_proposal_are_refused(personas, meeting):
    proposal = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(5, 9))
    session_time_decline(proposal=proposal, by=personas.mentor)
    with pytest.raises(ValidationError, match="already declined"):
        session_time_withdraw(proposal=proposal, by=personas.mentee)
    with pytest.raises(ValidationError, match="already declined"):
        session_time_accept(proposal=proposal, by=personas.mentor)


# --- reminders follow the new time, once ------------------------------------------------------------


def upcoming(session_pk):
    return Delivery.objects.filter(kind=ReminderKind.SESSION_UPCOMING, subject__startswith=f"session:{session_pk}:")


def test_reminders_follow_the_moved_meeting_and_none_is_sent_twice(personas, time_machine):
    now = at(1, 8)
    time_machine.move_to(now, tick=False)
    meeting = SessionFactory(match=personas.match, starts_at=at(2, 7), created_at=now - timedelta(days=3))
    write_due(list(collect_due(now)), now)  # the 24-hour reminder of the old time is due, not yet sent
    old = set(upcoming(meeting.pk).values_list("recipient", "due_at", "status"))
    day_before = at(2, 7) - timedelta(hours=24)
    assert {(r, d) for r, d, _ in old} == {(u.pk, day_before) for u in (personas.mentor, personas.mentee)}

    # Moved to the day after, at 9:00: the old rows not yet sent are skipped.
    proposal = session_time_propose(session=meeting, by=personas.mentee, starts_at=at(3, 9))
    session_time_accept(proposal=proposal, by=personas.mentor)
    assert set(upcoming(meeting.pk).values_list("status", flat=True)) == {Delivery.Status.SKIPPED}

    # Every tick until the new start: one 24-hour and one 1-hour reminder per person and
    # channel, due at the new time's moments, and nothing for the old time.
    tick = now
    while tick < at(3, 9):
        tick += timedelta(minutes=20)
        time_machine.move_to(tick, tick=False)
        dispatch(tick, enqueue=False)
    fresh = upcoming(meeting.pk).exclude(status=Delivery.Status.SKIPPED)
    assert sorted(set(fresh.values_list("subject", "due_at"))) == [
        (f"session:{meeting.pk}:1h", at(3, 9) - timedelta(hours=1)),
        (f"session:{meeting.pk}:24h", at(3, 9) - timedelta(hours=24)),
    ]
    assert fresh.count() == 2 * 2 * 2  # two reminders × two people × app and email


def test_a_reminder_whose_moment_passed_before_the_move_is_not_sent(personas, time_machine):
    """Moved at 8:00 to 8:50 the same morning (from 7:00 tomorrow): the 1-hour
    reminder's moment (7:50) already passed, and the mentee was just told the
    meeting moved: no "coming up" on top of it."""
    now = at(1, 8)
    time_machine.move_to(now, tick=False)
    meeting = SessionFactory(match=personas.match, starts_at=at(2, 7), created_at=now - timedelta(days=3))
    write_due(list(collect_due(now)), now)
    proposal = session_time_propose(session=meeting, by=personas.mentor, starts_at=at(1, 8, 50))
    session_time_accept(proposal=proposal, by=personas.mentee)
    for minutes in (1, 20, 40):
        time_machine.move_to(now + timedelta(minutes=minutes), tick=False)
        dispatch(now + timedelta(minutes=minutes), enqueue=False)
    assert not upcoming(meeting.pk).exclude(status=Delivery.Status.SKIPPED).exists()


def test_a_meeting_moved_into_the_next_hour_later_on_gets_its_one_hour_reminder(personas, time_machine):
    """Moved (at 8:00) to 10:30: the 1-hour reminder (9:30) comes when due, once."""
    now = at(1, 8)
    time_machine.move_to(now, tick=False)
    meeting = SessionFactory(match=personas.match, starts_at=at(2, 12), created_at=now - timedelta(days=3))
    write_due(list(collect_due(now)), now)
    proposal = session_time_propose(session=meeting, by=personas.mentor, starts_at=at(1, 10, 30))
    session_time_accept(proposal=proposal, by=personas.mentee)
    tick = now
    while tick < at(1, 10, 30):
        tick += timedelta(minutes=10)
        time_machine.move_to(tick, tick=False)
        dispatch(tick, enqueue=False)
    fresh = upcoming(meeting.pk).exclude(status=Delivery.Status.SKIPPED)
    assert set(fresh.values_list("subject", "due_at")) == {(f"session:{meeting.pk}:1h", at(1, 9, 30))}
    assert fresh.count() == 4


# --- what the messages say -----------------------------------------------------------------------------


@override_settings(SMS_BACKEND="mentoring.notifications.sms.LocmemSMSBackend")
def test_messages_about_a_moved_online_meeting_never_carry_its_link(personas, django_capture_on_commit_callbacks):
    link = "https://video.example.org/room/8f3k-quiet"
    meeting = SessionFactory(match=personas.match, starts_at=at(3, 10), online_url=link)
    mentee = personas.mentee
    mentee.phone, mentee.ok_to_text, mentee.text_confirmed_at = "+12125550123", True, timezone.now()
    mentee.save(update_fields=["phone", "ok_to_text", "text_confirmed_at"])
    for kind in (ReminderKind.SESSION_MOVED, ReminderKind.SESSION_TIME_DECLINED, ReminderKind.SESSION_TIME_PROPOSED):
        ChannelPreference.objects.create(user=mentee, kind=kind, in_app=True, email=True, sms=True)
    LocmemSMSBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = session_time_propose(session=meeting, by=personas.mentor, starts_at=at(4, 10))
    with django_capture_on_commit_callbacks(execute=True):
        session_time_decline(proposal=proposal, by=mentee)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = session_time_propose(session=meeting, by=mentee, starts_at=at(4, 11))
    with django_capture_on_commit_callbacks(execute=True):
        session_time_accept(proposal=proposal, by=personas.mentor)
    for row in Delivery.objects.filter(status=Delivery.Status.PENDING):
        kick(ids=[row.pk], enqueue=False)
        send(row.pk)
    assert mail.outbox and LocmemSMSBackend.outbox
    for message in mail.outbox:
        text = message.subject + message.body + "".join(str(a[0]) for a in message.alternatives)
        assert link not in text and "video.example.org" not in text
        assert f"/sessions/{meeting.pk}/" in message.body  # the details wait behind sign-in
    for _, text, _ in LocmemSMSBackend.outbox:
        assert "video.example.org" not in text and "/sessions/" not in text
