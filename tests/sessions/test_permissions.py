"""Permission matrix of the sessions app (machinery in tests/permissions.py).

A one-on-one session is seen by its mentor, its mentee and the program's
coordinators; only the mentor and coordinators log it. A mentor whose match
is only proposed has no sessions; a former mentor keeps the sessions of their
closed match (and their notes), not the next mentor's. Groups are seen by the
program's members; attendance is taken by facilitators and coordinators. The
ICS feed needs no sign-in: its secret token is the key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import CalendarFeed, GroupSession, Registration, Session, TimeProposal
from tests.permissions import SIGNED_IN, Row, cases, check, expect

ONLY_A = ["coordinator"]
PAIR = ["coordinator", "mentor", "mentee"]
PROGRAM_A = lambda p: [p.program.pk]  # noqa: E731
MATCH = lambda p: [p.match.pk]  # noqa: E731
# Every persona except the other program's coordinator belongs to program A.
MEMBERS_OF_A = ["coordinator", "mentor", "other_mentor", "mentee", "other_mentee"]


def _session(p, hours=-2, match=None):
    match = match or p.match
    return Session.objects.create(
        match=match, starts_at=timezone.now() + timedelta(hours=hours), scheduled_by=match.mentor.user
    )


def _proposal(p):
    """A new time the mentor proposed for a meeting in three days (made directly:
    the proposed-mentor column moves the match back to a proposal first)."""
    session = _session(p, hours=72)
    return TimeProposal.objects.create(
        session=session,
        proposed_by=p.mentor,
        starts_at=session.starts_at + timedelta(days=1),
        previous_starts_at=session.starts_at,
    )


def _former_session(p):
    """A meeting of the mentee with their former mentor, before that match closed."""
    return _session(p, hours=-24 * 60, match=p.former_match)


def _mentors_create_groups(p):
    p.program.mentors_create_groups = True
    p.program.save(update_fields=["mentors_create_groups"])
    return [p.program.pk]


def _group(p):
    start = timezone.now() + timedelta(days=2)
    group = GroupSession.objects.create(
        program=p.program, title="Tuesday group", starts_at=start, ends_at=start + timedelta(hours=1), capacity=5
    )
    group.facilitators.add(p.other_mentor)
    return group


def _registration(p):
    group = _group(p)
    return group, Registration.objects.create(group_session=group, user=p.mentee, status=Registration.Status.REGISTERED)


def _feed(p):
    return CalendarFeed.objects.create(user=p.mentee).token


MATRIX = [
    Row("peer_sessions:my_sessions", expect(ok=SIGNED_IN)),
    Row("peer_sessions:calendar_settings", expect(ok=SIGNED_IN)),
    Row("peer_sessions:calendar_feed", expect(ok=SIGNED_IN, anonymous=200), args=lambda p: [_feed(p)]),
    Row("peer_sessions:calendar_feed", expect(anonymous=404), args=lambda p: ["not-a-token"]),
    # One-on-one sessions: the pair and the program's coordinators.
    Row("peer_sessions:session_new", expect(ok=PAIR, stages=True), args=MATCH),
    Row("peer_sessions:session_record", expect(ok=PAIR, stages=True), args=MATCH),
    Row("peer_sessions:session_detail", expect(ok=PAIR, stages=True), args=lambda p: [_session(p).pk]),
    Row(
        "peer_sessions:session_log", expect(ok=["coordinator", "mentor"], stages=True), args=lambda p: [_session(p).pk]
    ),
    Row("peer_sessions:session_cancel", expect(ok=PAIR, stages=True), args=lambda p: [_session(p, hours=24).pk]),
    # Moving a meeting: the pair proposes and answers; coordinators see it on the meeting page.
    Row(
        "peer_sessions:session_propose",
        expect(ok=["mentor", "mentee"], stages=True),
        args=lambda p: [_session(p, hours=24).pk],
    ),
    Row(
        "peer_sessions:session_propose",
        expect(redirect=["mentor", "mentee"], stages=True),
        args=lambda p: [_session(p, hours=24).pk],
        method="post",
        data=lambda p: {"day": (timezone.localdate() + timedelta(days=5)).isoformat(), "time": "11:00"},
    ),
    # The proposer (mentor) gets "the other person answers" back on the meeting page; the mentee declines.
    Row(
        "peer_sessions:time_proposal_answer",
        expect(redirect=["mentor", "mentee"], stages=True),
        args=lambda p: [_proposal(p).pk],
        method="post",
        data=lambda p: {"action": "decline"},
    ),
    # The online meeting's "Join" box (htmx): whoever sees the meeting; the link inside follows the policy.
    Row("peer_sessions:session_join", expect(ok=PAIR, stages=True), args=lambda p: [_session(p, hours=24).pk]),
    Row(
        "peer_sessions:session_join",
        expect(ok=["coordinator", "mentee", "former_mentor"]),
        args=lambda p: [_former_session(p).pk],
    ),
    # The closed match of the mentee with their former mentor: its sessions stay with
    # the two of them (and the notes with the former mentor); the next mentor does not see them.
    Row(
        "peer_sessions:session_detail",
        expect(ok=["coordinator", "mentee", "former_mentor"]),
        args=lambda p: [_former_session(p).pk],
    ),
    Row(
        "peer_sessions:session_log",
        expect(ok=["coordinator", "former_mentor"]),
        args=lambda p: [_former_session(p).pk],
    ),
    # A last meeting may still be logged after the close.
    Row(
        "peer_sessions:session_record",
        expect(ok=["coordinator", "mentee", "former_mentor"]),
        args=lambda p: [p.former_match.pk],
    ),
    # Groups: members of the program see them; coordinators manage them.
    Row("peer_sessions:group_list", expect(ok=MEMBERS_OF_A), args=PROGRAM_A),
    Row("peer_sessions:group_new", expect(ok=ONLY_A), args=PROGRAM_A),
    # A program that lets its mentors create groups: its mentors too.
    Row(
        "peer_sessions:group_new",
        expect(ok=["coordinator", "mentor", "other_mentor"]),
        args=lambda p: _mentors_create_groups(p),
    ),
    Row("peer_sessions:group_detail", expect(ok=MEMBERS_OF_A), args=lambda p: [_group(p).pk]),
    Row(
        "peer_sessions:group_register",
        expect(redirect=MEMBERS_OF_A),
        args=lambda p: [_group(p).pk],
        method="post",
        data=lambda p: {"action": "join"},
    ),
    # Showing a date on the public program page: the program's coordinators.
    Row(
        "peer_sessions:group_public",
        expect(redirect=["coordinator"]),
        args=lambda p: [_group(p).pk],
        method="post",
        data=lambda p: {"is_public": "yes"},
    ),
    # Changing a date: coordinators and its facilitators (other_mentor here).
    Row("peer_sessions:group_edit", expect(ok=["coordinator", "other_mentor"]), args=lambda p: [_group(p).pk]),
    # Attendance: the facilitator (other_mentor here) and coordinators.
    Row("peer_sessions:attendance", expect(ok=["coordinator", "other_mentor"]), args=lambda p: [_group(p).pk]),
    Row(
        "peer_sessions:attendance_row",
        expect(ok=["coordinator", "other_mentor"]),
        args=lambda p: [reg.group_session_id, reg.pk] if (reg := _registration(p)[1]) else None,
        method="post",
        data=lambda p: {f"attendance-{Registration.objects.get().pk}": "attended"},
    ),
    # Booking a person in: those who take attendance (facilitator, coordinators).
    Row(
        "peer_sessions:group_book",
        expect(redirect=["coordinator", "other_mentor"]),
        args=lambda p: [_group(p).pk],
        method="post",
        data=lambda p: {"person": p.mentee.pk},
    ),
    Row("peer_sessions:skills", expect(ok=ONLY_A), args=PROGRAM_A),
    Row("peer_sessions:figures", expect(ok=ONLY_A), args=PROGRAM_A),
]


@pytest.mark.parametrize("row, persona, expected", cases(MATRIX))
def test_permission_matrix(row, persona, expected, personas, client_for):
    check(MATRIX[row], persona, expected, personas, client_for(personas.user(persona)))
