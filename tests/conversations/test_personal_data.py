"""Messages in a person's data export and in their erasure."""

from conversations.models import Message, ReadMarker
from conversations.services import conversation_for_match, conversation_for_person, conversation_read, message_send
from mentoring.models import Match
from mentoring.personal_data import person_erase, personal_data_tables, uncovered_links, unplanned_models


def test_the_new_tables_are_covered():
    assert not [link for link in uncovered_links() if link[0].startswith("conversations.")]
    assert not [label for label in unplanned_models() if label.startswith("conversations.")]


def test_the_export_has_the_persons_conversations_and_messages_not_others(personas):
    pair = conversation_for_match(match=personas.match)
    message_send(conversation=pair, sender=personas.mentor, body="To you")
    message_send(conversation=pair, sender=personas.mentee, body="From you")
    other = conversation_for_match(match=personas.other_match)
    message_send(conversation=other, sender=personas.other_mentor, body="Not yours")
    tables = personal_data_tables(person=personas.mentee)
    assert [c["id"] for c in tables["conversations"]] == [pair.pk]
    assert [(m["message"], m["written_by_you"]) for m in tables["messages"]] == [("To you", False), ("From you", True)]


def test_erasing_a_mentee_blanks_their_conversations_and_removes_their_read_markers(personas):
    pair = conversation_for_match(match=personas.match)
    message_send(conversation=pair, sender=personas.mentor, body="How are you?")
    message_send(conversation=pair, sender=personas.mentee, body="Fine")
    conversation_read(conversation=pair, user=personas.mentee)
    team = conversation_for_person(program=personas.program, person=personas.mentee)
    message_send(conversation=team, sender=personas.coordinator, body="About your intake")
    other = conversation_for_match(match=personas.other_match)
    message_send(conversation=other, sender=personas.other_mentee, body="Kept")
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED)  # erasure needs it closed
    person_erase(person=personas.mentee, by=personas.coordinator)
    assert set(Message.objects.values_list("body", flat=True)) == {"", "Kept"}
    assert not ReadMarker.objects.filter(user=personas.mentee).exists()
