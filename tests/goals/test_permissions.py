"""Permission matrix of the goals app (machinery in tests/permissions.py).

A mentee's goals, check-ins and progress: the mentee, their mentor and the
program's coordinators; a private goal is hidden from the mentor. Safety
alerts: the current mentor and coordinators, never another mentor. A mentor
whose match is only proposed, and a former mentor, see none of it."""

import pytest

from goals.models import CheckIn, Goal, Milestone, SafetyAlert
from tests.permissions import SIGNED_IN, STAGES, Row, cases, check, expect

PAIR = ["coordinator", "mentor", "mentee"]
MENTEE = lambda p: [p.match.mentee.pk]  # noqa: E731
MENTEES = ["mentee", "other_mentee"]


def _goal(p, private=False):
    return Goal.objects.create(mentee=p.match.mentee, title="Walk every day", is_private=private)


def _checkin(p):
    return CheckIn.objects.create(mentee=p.match.mentee, mood=3)


def _alert(p):
    return SafetyAlert.objects.create(mentee=p.match.mentee, kind=SafetyAlert.Kind.CRAVING)


def _milestone(p):
    return Milestone.objects.create(goal=_goal(p), title="First walk")


MATRIX = [
    Row("goals:checkin", expect(ok=MENTEES, stages=True)),
    Row("goals:assessment", expect(ok=MENTEES, stages=True)),
    # Everyone sees their own (possibly empty) list; test_access checks what is in it.
    Row("goals:alerts", expect(ok=SIGNED_IN + STAGES)),
    Row("goals:alert_acknowledge", expect(ok=["coordinator", "mentor"], stages=True), args=lambda p: [_alert(p).pk]),
    # The live banner answers every signed-in person (blank unless they may see
    # an open alert; test_help_now checks what is in it).
    Row("goals:alert_live", expect(ok=SIGNED_IN + STAGES)),
    # One tap for help: mentees only (everyone else has no mentee profile: 404).
    Row("goals:help_now", expect(redirect=MENTEES, stages=True), method="post"),
    Row("goals:mentee_goals", expect(ok=PAIR, stages=True), args=MENTEE),
    Row("goals:new", expect(ok=PAIR, stages=True), args=MENTEE),
    Row("goals:checkins", expect(ok=PAIR, stages=True), args=MENTEE),
    Row("goals:progress", expect(ok=PAIR, stages=True), args=MENTEE),
    Row("goals:detail", expect(ok=PAIR, stages=True), args=lambda p: [_goal(p).pk]),
    # A private goal: the mentee and coordinators only, not the mentor.
    Row("goals:detail", expect(ok=["coordinator", "mentee"], stages=True), args=lambda p: [_goal(p, private=True).pk]),
    Row(
        "goals:action",
        expect(redirect=PAIR, stages=True),
        args=lambda p: [_goal(p).pk],
        method="post",
        data=lambda p: {"action": "paused"},
    ),
    Row("goals:milestone_toggle", expect(redirect=PAIR, stages=True), args=lambda p: [_milestone(p).pk], method="post"),
    Row(
        "goals:checkin_comment",
        expect(redirect=PAIR, stages=True),
        args=lambda p: [_checkin(p).pk],
        method="post",
        data=lambda p: {"body": "Well done"},
    ),
]


@pytest.mark.parametrize("row, persona, expected", cases(MATRIX))
def test_permission_matrix(row, persona, expected, personas, client_for):
    check(MATRIX[row], persona, expected, personas, client_for(personas.user(persona)))
