"""Issue 17.1: an ending releases every future commitment.

Each ending (match closed, mentee exit, participation consent withdrawn,
person deactivated/erased, program archived) × each commitment (future
meetings cancelled and both told, group seats freed with the waiting list
promoted, pending reminders skipped / no longer due, calendar feed, waiting
list and matching, open proposals)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentoring import endings
from mentoring.matching.loading import load_pool, waiting_mentees
from mentoring.models import Delivery, Match, MenteeProfile, ReminderKind, zone_named
from mentoring.notifications.outbox import collect_due
from mentoring.personal_data import person_erase
from mentoring.services import match_close, match_propose
from programs.models import ConsentRecord, Program
from programs.services import consent_record, consent_revoke, program_archive
from sessions.models import Registration, Session
from sessions.services import upcoming_for
from tests.factories import (
    DeliveryFactory,
    GoalFactory,
    GroupSessionFactory,
    MatchableMenteeFactory,
    MatchableMentorFactory,
    MatchFactory,
    ProgramFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class World:
    """An active match with a meeting tomorrow (its 24-hour reminder already
    in the outbox), and the mentee holding the last seat of a group session
    that has someone on its waiting list."""

    def __init__(self):
        self.coordinator = UserFactory()
        self.program = ProgramFactory(coordinators=[self.coordinator], match_requires_acceptance=False)
        self.match = MatchFactory(program=self.program, started_at=timezone.now() - timedelta(days=30))
        self.mentor, self.mentee = self.match.mentor, self.match.mentee
        self.session = SessionFactory(match=self.match, starts_at=timezone.now() + timedelta(hours=20))
        self.past = SessionFactory(match=self.match, starts_at=timezone.now() - timedelta(hours=3))
        self.reminder = DeliveryFactory(
            kind=ReminderKind.SESSION_UPCOMING,
            subject=f"session:{self.session.pk}:24h",
            recipient=self.mentee.user,
            program=self.program,
        )
        self.group = GroupSessionFactory(program=self.program, capacity=1)
        self.seat = RegistrationFactory(group_session=self.group, user=self.mentee.user, status="registered")
        self.waiting = RegistrationFactory(group_session=self.group, status="waitlisted")

    def refresh(self):
        for row in (self.match, self.mentee, self.session, self.reminder, self.seat, self.waiting):
            row.refresh_from_db()


def _due_subjects(now=None):
    return {(d.kind, d.subject, d.recipient.pk) for d in collect_due(now or timezone.now())}


def assert_released(world, *, told_match=True):
    world.refresh()
    # future one-on-one meetings cancelled, past ones left for the record
    assert world.session.status == Session.Status.CANCELLED
    world.past.refresh_from_db()
    assert world.past.status == Session.Status.SCHEDULED
    # calendar feeds: the meeting is gone from both calendars
    for user in (world.mentor.user, world.mentee.user):
        sessions, _ = upcoming_for(user)
        assert world.session not in sessions
    # pending reminder skipped; nothing about the match's meetings is due any more
    assert world.reminder.status == Delivery.Status.SKIPPED
    due = _due_subjects(world.session.starts_at - timedelta(hours=23))
    assert not any(subject.startswith(f"session:{world.session.pk}") for _, subject, _ in due)
    due_log = _due_subjects(world.past.ends_at + timedelta(hours=2))
    assert not any(subject == f"session:{world.past.pk}:log" for _, subject, _ in due_log)
    # the match itself ended
    assert world.match.status == Match.Status.CLOSED
    # both people were told — a deactivated account receives nothing (notify()
    # leaves inactive people out), so only the one who is still active then
    if told_match:
        recipients = {address for message in mail.outbox for address in message.to}
        people = [world.mentor.user, world.mentee.user]
        for person in people:
            person.refresh_from_db()
        assert {p.email for p in people if p.is_active} <= recipients
        assert not {p.email for p in people if not p.is_active} & recipients


def assert_seat_released(world):
    world.refresh()
    assert world.seat.status == Registration.Status.CANCELLED
    assert world.waiting.status == Registration.Status.REGISTERED
    assert world.waiting.user.email in {a for m in mail.outbox for a in m.to}


def assert_not_waiting(world):
    assert world.mentee not in waiting_mentees(world.program)
    _, mentees, _ = load_pool(world.program)
    assert world.mentee.pk not in {person.pk for person in mentees}


# --- match closed ------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [Match.CloseReason.CONFLICT, Match.CloseReason.DISENGAGED])
def test_closing_a_match_through_the_page_releases_its_meetings(client, django_capture_on_commit_callbacks, reason):
    world = World()
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mentoring:match_close", args=[world.match.pk]), {"reason": reason})
    assert response.status_code == 302
    assert_released(world)
    # a closed (not graduated) mentee waits for a new mentor
    assert world.mentee in waiting_mentees(world.program)


def test_graduating_closes_and_exits_the_mentee(django_capture_on_commit_callbacks):
    world = World()
    with django_capture_on_commit_callbacks(execute=True):
        match_close(match=world.match, reason=Match.CloseReason.GRADUATED, note="", closed_by=world.coordinator)
    assert_released(world)
    assert world.mentee.exit_reason == MenteeProfile.ExitReason.GRADUATED
    assert world.mentee.exited_on == program_today(world.program)
    assert_not_waiting(world)
    assert_seat_released(world)


# --- mentee exit and re-entry -------------------------------------------------------------


@pytest.mark.parametrize("reason", MenteeProfile.ExitReason.values)
def test_mentee_exit_releases_everything(django_capture_on_commit_callbacks, reason):
    world = World()
    with django_capture_on_commit_callbacks(execute=True):
        endings.mentee_exit(mentee=world.mentee, reason=reason, by=world.coordinator)
    assert_released(world)
    assert_seat_released(world)
    assert_not_waiting(world)
    assert world.mentee.exit_reason == reason


def test_mentee_exit_withdraws_an_open_proposal():
    world = World()
    mentee = MatchableMenteeFactory(program=world.program)
    proposal = MatchFactory(program=world.program, mentee=mentee, status=Match.Status.PROPOSED)
    endings.mentee_exit(mentee=mentee, reason=MenteeProfile.ExitReason.MOVED, by=world.coordinator)
    proposal.refresh_from_db()
    assert proposal.status == Match.Status.DECLINED
    assert proposal.close_reason == Match.CloseReason.MOVED


def test_exited_mentee_cannot_be_proposed_and_reentry_puts_them_back():
    program = ProgramFactory(match_requires_acceptance=False, min_recovery_months=0, background_check_required=False)
    mentor = MatchableMentorFactory(program=program)
    mentee = MatchableMenteeFactory(program=program)
    coordinator = UserFactory()
    endings.mentee_exit(mentee=mentee, reason=MenteeProfile.ExitReason.LOST_CONTACT, by=coordinator)
    with pytest.raises(Exception, match="not taking part"):
        match_propose(mentor=mentor, mentee=mentee, proposed_by=coordinator)
    endings.mentee_reenter(mentee=mentee, by=coordinator)
    mentee.refresh_from_db()
    assert mentee.exited_on is None and mentee.exit_reason == ""
    assert mentee in waiting_mentees(program)


def test_suggestions_page_suggests_nobody_for_an_exited_mentee(client):
    world = World()
    MatchableMentorFactory(program=world.program)
    client.force_login(world.coordinator)
    url = reverse("mentoring:suggestions", args=[world.mentee.pk])
    endings.mentee_exit(mentee=world.mentee, reason=MenteeProfile.ExitReason.WITHDREW, by=world.coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context.get("suggestions")
    assert "not taking part" in page.content.decode()


def test_exited_mentee_is_not_asked_to_check_in():
    world = World()
    GoalFactory(mentee=world.mentee, created_at=timezone.now() - timedelta(days=30))
    later = timezone.now() + timedelta(days=10)
    assert any(k == ReminderKind.CHECKIN_DUE and r == world.mentee.user.pk for k, _, r in _due_subjects(later))
    endings.mentee_exit(mentee=world.mentee, reason=MenteeProfile.ExitReason.WITHDREW, by=world.coordinator)
    assert not any(k == ReminderKind.CHECKIN_DUE and r == world.mentee.user.pk for k, _, r in _due_subjects(later))


def test_exit_and_reentry_pages(client, django_capture_on_commit_callbacks):
    world = World()
    client.force_login(world.coordinator)
    url = reverse("mentoring:mentee_exit", args=[world.mentee.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"data-confirm" in page.content
    bad = client.post(url, {"reason": "nonsense", "on": "2999-01-01"})
    assert bad.status_code == 200
    world.mentee.refresh_from_db()
    assert world.mentee.exited_on is None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "moved", "on": program_today(world.program).isoformat()})
    assert response.status_code == 302
    assert_released(world)
    response = client.post(reverse("mentoring:mentee_reenter", args=[world.mentee.pk]))
    assert response.status_code == 302
    world.mentee.refresh_from_db()
    assert world.mentee.exited_on is None
    assert world.mentee in waiting_mentees(world.program)


# --- consent withdrawn ----------------------------------------------------------------------


def test_withdrawing_participation_consent_releases_the_mentee(django_capture_on_commit_callbacks):
    world = World()
    consent = consent_record(
        program=world.program,
        person=world.mentee.user,
        kind=ConsentRecord.Kind.PARTICIPATION,
        statement="I take part.",
        recorded_by=world.coordinator,
    )
    assert world.mentee in MenteeProfile.objects.taking_part()
    with django_capture_on_commit_callbacks(execute=True):
        consent_revoke(consent=consent, revoked_by=world.coordinator)
    assert_released(world)
    assert_seat_released(world)
    assert_not_waiting(world)
    # a new participation consent brings the mentee back
    consent_record(
        program=world.program,
        person=world.mentee.user,
        kind=ConsentRecord.Kind.PARTICIPATION,
        statement="I take part again.",
        recorded_by=world.coordinator,
    )
    assert world.mentee in waiting_mentees(world.program)


def test_withdrawing_contact_consent_releases_nothing():
    world = World()
    consent = consent_record(
        program=world.program,
        person=world.mentee.user,
        kind=ConsentRecord.Kind.CONTACT,
        statement="Contact me.",
        recorded_by=world.coordinator,
    )
    consent_revoke(consent=consent, revoked_by=world.coordinator)
    world.refresh()
    assert world.match.status == Match.Status.ACTIVE
    assert world.session.status == Session.Status.SCHEDULED


# --- person deactivated / erased ----------------------------------------------------------------


def test_deactivating_a_mentor_releases_their_matches(django_capture_on_commit_callbacks):
    world = World()
    RegistrationFactory(group_session=GroupSessionFactory(program=world.program), user=world.mentor.user)
    with django_capture_on_commit_callbacks(execute=True):
        endings.person_deactivate(person=world.mentor.user, by=world.coordinator)
    assert_released(world)
    world.mentor.user.refresh_from_db()
    assert not world.mentor.user.is_active
    assert not Registration.objects.filter(user=world.mentor.user, status="registered").exists()
    # the mentee waits for a new mentor; the deactivated mentor is not offered
    assert world.mentee in waiting_mentees(world.program)
    mentors, _, _ = load_pool(world.program)
    assert world.mentor.pk not in {person.pk for person in mentors}


def test_deactivating_a_mentee_releases_seat_and_waiting_list(django_capture_on_commit_callbacks):
    world = World()
    with django_capture_on_commit_callbacks(execute=True):
        endings.person_deactivate(person=world.mentee.user, by=world.coordinator)
    assert_released(world)
    assert_seat_released(world)
    assert_not_waiting(world)


def test_erasure_frees_the_group_seat(django_capture_on_commit_callbacks):
    world = World()
    match_close(match=world.match, reason=Match.CloseReason.DISENGAGED, note="", closed_by=world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=world.mentee.user, by=world.coordinator)
    assert_seat_released(world)
    assert_not_waiting(world)


# --- program archived --------------------------------------------------------------------------------


def test_archiving_a_program_releases_everything(client, django_capture_on_commit_callbacks):
    world = World()
    proposal = MatchFactory(program=world.program, status=Match.Status.PROPOSED)
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("programs:archive", args=[world.program.pk]))
    assert response.status_code == 302
    world.program.refresh_from_db()
    assert world.program.status == Program.Status.ARCHIVED
    assert_released(world)
    world.group.refresh_from_db()
    assert world.group.status == "cancelled"
    assert world.mentee.user.email in {a for m in mail.outbox for a in m.to}
    proposal.refresh_from_db()
    assert proposal.status == Match.Status.DECLINED
    assert not waiting_mentees(world.program).exists()
    # no pending reminder of the program is left
    assert not Delivery.objects.filter(program=world.program, status=Delivery.Status.PENDING).exists()
    program_unused = ProgramFactory()
    program_archive(program=program_unused)
    with pytest.raises(Exception, match="already archived"):
        program_archive(program=program_unused)


def program_today(program):
    """Today where the program is (exits are dated in the program's zone, mentoring.endings):
    between midnight UTC and midnight there, not the server's date."""
    return timezone.localdate(timezone=zone_named(program.time_zone))
