"""Permission matrix of the conversations app (machinery in tests/permissions.py).

A match's conversation: the mentor and the mentee only — never a coordinator
(not even of the program), another mentor or mentee, a mentor whose match is
only proposed, or a former mentor of the mentee. A conversation with the
program team: the person and the program's coordinators. Risk phrases and
reported messages: the program's coordinators."""

import pytest

from conversations.models import Conversation, Message, RiskPhrase
from conversations.services import conversation_for_match, conversation_for_person
from goals.models import CheckIn, CheckInComment
from tests.permissions import SIGNED_IN, STAGES, Row, cases, check, expect

PAIR = ["mentor", "mentee"]
EVERYONE = SIGNED_IN + STAGES


def _match_conversation(p):
    return conversation_for_match(match=p.match)


def _team_conversation(p):
    return conversation_for_person(program=p.program, person=p.mentee)


def _message(p, conversation=None):
    conversation = conversation or _match_conversation(p)
    sender = p.mentor if conversation.kind == Conversation.Kind.MATCH else p.coordinator
    return Message.objects.create(conversation=conversation, sender=sender, body="Hello there")


def _reported(p):
    message = _message(p)
    Message.objects.filter(pk=message.pk).update(reported_at=message.created_at, reported_by=p.mentee)
    return message


def _commented_checkin(p):
    checkin = CheckIn.objects.create(mentee=p.match.mentee, mood=3)
    CheckInComment.objects.create(checkin=checkin, author=p.mentor, body="Well done")
    return checkin


def _phrase(p):
    return RiskPhrase.objects.create(program=p.program, phrase="matarme")


MATRIX = [
    # Everyone has a (possibly empty) list; test_messages checks what is in it.
    Row("conversations:list", expect(ok=EVERYONE)),
    Row("conversations:detail", expect(ok=PAIR, stages=True), args=lambda p: [_match_conversation(p).pk]),
    Row(
        "conversations:detail",
        expect(ok=["coordinator", "mentee"], stages=True),
        args=lambda p: [_team_conversation(p).pk],
    ),
    Row(
        "conversations:send",
        expect(redirect=PAIR, stages=True),
        args=lambda p: [_match_conversation(p).pk],
        method="post",
        data=lambda p: {"body": "See you Thursday"},
    ),
    Row(
        "conversations:send",
        expect(redirect=["coordinator", "mentee"], stages=True),
        args=lambda p: [_team_conversation(p).pk],
        method="post",
        data=lambda p: {"body": "A question"},
    ),
    Row(
        "conversations:read",
        expect(redirect=PAIR, stages=True),
        args=lambda p: [_match_conversation(p).pk],
        method="post",
    ),
    # Starting the pair's conversation: the two people of a current match.
    Row(
        "conversations:start",
        expect(redirect=PAIR, stages=True),
        method="post",
        data=lambda p: {"match": p.match.pk},
    ),
    # Writing to the program team: anyone in the program (coordinators and
    # program B's people are not members of program A: 404).
    Row(
        "conversations:start",
        expect(redirect=["mentor", "other_mentor", "mentee", "other_mentee", *STAGES]),
        method="post",
        data=lambda p: {"program": p.program.pk},
    ),
    # A coordinator writing to someone in their program.
    Row(
        "conversations:start",
        expect(redirect=["coordinator"], stages=True),
        method="post",
        data=lambda p: {"program": p.program.pk, "person": p.mentee.pk},
    ),
    # A message from the mentor: the mentee may report it (not the mentor: their own; nobody else sees it).
    Row(
        "conversations:report",
        expect(redirect=["mentee"], stages=True),
        args=lambda p: [_message(p).pk],
        method="post",
    ),
    Row(
        "conversations:checkin_reply",
        expect(redirect=["mentee"], stages=True),
        args=lambda p: [_commented_checkin(p).pk],
        method="post",
        data=lambda p: {"body": "Thank you!"},
    ),
    Row(
        "conversations:match_pause",
        expect(redirect=["coordinator"], stages=True),
        args=lambda p: [p.match.pk],
        method="post",
        data=lambda p: {"paused": "1"},
    ),
    Row("conversations:risk_phrases", expect(ok=["coordinator"]), args=lambda p: [p.program.pk]),
    Row(
        "conversations:risk_phrases",
        expect(redirect=["coordinator"]),
        args=lambda p: [p.program.pk],
        method="post",
        data=lambda p: {"phrase": "no puedo más"},
    ),
    Row(
        "conversations:risk_phrase_remove",
        expect(redirect=["coordinator"]),
        args=lambda p: [p.program.pk, _phrase(p).pk],
        method="post",
    ),
    Row("conversations:reported", expect(ok=["coordinator"], stages=True), args=lambda p: [p.program.pk]),
    Row("conversations:reported_detail", expect(ok=["coordinator"], stages=True), args=lambda p: [_reported(p).pk]),
]


@pytest.mark.parametrize("row, persona, expected", cases(MATRIX))
def test_permission_matrix(row, persona, expected, personas, client_for):
    check(MATRIX[row], persona, expected, personas, client_for(personas.user(persona)))
