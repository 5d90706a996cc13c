"""Risk phrases: matching, the alert a mentee's flagged message raises (the
help-now loop, marked "from a message"), the crisis options the sender sees at
once, the coordinator's view of the flagged message through its alert (audited),
the program's list, and retention."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.defaults import DEFAULT_RISK_PHRASES
from conversations.flagging import matching_phrases, normalise
from conversations.models import Conversation, Message, RiskPhrase
from conversations.services import conversation_for_match, message_send, messages_prune, risk_phrases_seed
from goals.models import SafetyAlert
from mentoring.models import AccessEvent, Delivery, ReminderKind
from programs.services import program_create
from tests.factories import UserFactory


@pytest.mark.parametrize(
    "body, phrase",
    [
        ("I want to KILL   myself tonight", "kill myself"),
        ("Quiero MATARME.", "matarme"),
        ("no quiero vivir así", "no quiero vivir"),
        ("voy a hacerme dano", "hacerme daño"),  # accents on either side do not matter
        ("Voy a hacerme daño", "hacerme dano"),
        ("I can’t go on", "can't go on"),  # a typographic apostrophe
        ("thinking about\nsuicide, again", "suicide"),
    ],
)
def test_phrases_match_without_case_accents_or_spacing(body, phrase):
    assert matching_phrases(body, [phrase]) == [phrase]


@pytest.mark.parametrize(
    "body, phrase",
    [
        ("suicideproof windows", "suicide"),
        ("I overdosed on coffee", "overdose"),
        ("skill myself up", "kill myself"),
        ("", "suicide"),
    ],
)
def test_phrases_match_whole_words_only(body, phrase):
    assert matching_phrases(body, [phrase]) == []


def test_normalise():
    assert normalise("  Él ESTÁ\tbien!! 🎉 ") == "el esta bien"


@pytest.fixture
def flagged(personas):
    risk_phrases_seed(program=personas.program)
    return conversation_for_match(match=personas.match)


def test_a_mentees_flagged_message_raises_a_help_now_alert_and_shows_the_crisis_options(personas, client, flagged):
    client.force_login(personas.mentee)
    response = client.post(reverse("conversations:send", args=[flagged.pk]), {"body": "Honestly I want to die"})
    assert response["Location"].endswith("?crisis=1#crisis")
    page = client.get(response["Location"])
    assert b'data-testid="crisis-options"' in page.content and b'href="tel:988"' in page.content
    message = Message.objects.get()
    assert message.flagged
    alert = SafetyAlert.objects.get()
    assert message.alert == alert
    assert alert.source == SafetyAlert.Source.MESSAGE and alert.is_help_now and alert.mentee == personas.match.mentee
    told = set(Delivery.objects.filter(kind=ReminderKind.SAFETY_ALERT).values_list("recipient", flat=True))
    assert personas.mentor.pk in told  # the mentor, and whoever is on call (here: the coordinators)
    assert personas.coordinator.pk in told
    # The message itself still reaches the mentor as an ordinary message.
    assert Delivery.objects.filter(kind=ReminderKind.MESSAGE_NEW, recipient=personas.mentor).exists()


def test_the_coordinator_sees_the_flagged_message_only_through_its_alert_audited(personas, client, flagged):
    message_send(conversation=flagged, sender=personas.mentee, body="An ordinary line")
    message = message_send(conversation=flagged, sender=personas.mentee, body="sometimes I think about suicide")
    client.force_login(personas.coordinator)
    assert client.get(reverse("conversations:detail", args=[flagged.pk])).status_code == 404
    page = client.get(reverse("goals:alert_acknowledge", args=[message.alert_id])).content.decode()
    assert "From a message" in page and "sometimes I think about suicide" in page
    assert "An ordinary line" not in page
    assert "from a message" in client.get(reverse("goals:alerts")).content.decode()
    assert "from a message" in client.get(reverse("goals:alert_live")).content.decode()
    assert AccessEvent.objects.filter(
        what="alert", viewer=personas.coordinator, subject=personas.mentee, object_id=message.alert_id
    ).exists()


def test_a_flagged_message_joins_the_open_alert(personas, flagged):
    first = message_send(conversation=flagged, sender=personas.mentee, body="suicide")
    second = message_send(conversation=flagged, sender=personas.mentee, body="overdose")
    assert SafetyAlert.objects.count() == 1 and first.alert == second.alert


def test_a_mentors_flagged_message_shows_them_the_crisis_options_without_an_alert(personas, client, flagged):
    client.force_login(personas.mentor)
    response = client.post(reverse("conversations:send", args=[flagged.pk]), {"body": "I feel suicidal today"})
    assert "crisis=1" in response["Location"]
    assert Message.objects.get().flagged
    assert not SafetyAlert.objects.exists()


def test_an_ordinary_message_is_not_flagged(personas, client, flagged):
    client.force_login(personas.mentee)
    response = client.post(reverse("conversations:send", args=[flagged.pk]), {"body": "The killer whale show was fun"})
    assert "crisis" not in response["Location"]
    assert not Message.objects.get().flagged and not SafetyAlert.objects.exists()


def test_a_new_program_gets_the_starter_list_and_coordinators_edit_it(personas, client):
    creator = UserFactory()
    program = program_create(created_by=creator, name="New one", slug="new-one")
    assert set(program.risk_phrases.values_list("phrase", flat=True)) == set(DEFAULT_RISK_PHRASES)

    client.force_login(personas.coordinator)
    url = reverse("conversations:risk_phrases", args=[personas.program.pk])
    assert client.post(url, {"phrase": "  no aguanto   más "}).status_code == 302
    assert RiskPhrase.objects.filter(program=personas.program, phrase="no aguanto más").exists()
    for bad, error in (
        ("", "Write a word or a phrase."),
        ("!!!", "Write a word or a phrase."),
        ("No Aguanto Mas", "on the list already"),
        ("x" * 150, "under 100 characters"),
    ):
        response = client.post(url, {"phrase": bad})
        assert response.status_code == 200 and error in response.content.decode(), bad
    phrase = RiskPhrase.objects.get(program=personas.program)
    client.post(reverse("conversations:risk_phrase_remove", args=[personas.program.pk, phrase.pk]))
    assert not RiskPhrase.objects.filter(program=personas.program).exists()


def test_the_data_migration_gave_existing_programs_the_list():
    from importlib import import_module

    seed = import_module("conversations.migrations.0002_seed_risk_phrases")
    added = import_module("conversations.migrations.0003_i19e_more_risk_phrases")
    assert set(seed.PHRASES) | set(added.PHRASES) == set(DEFAULT_RISK_PHRASES)


def test_retention_deletes_old_messages_of_programs_that_set_it(personas):
    risk_phrases_seed(program=personas.program)
    now = timezone.now()
    mine = conversation_for_match(match=personas.match)
    other = conversation_for_match(match=personas.other_match)
    old = now - timedelta(days=400)
    kept_alert = message_send(conversation=mine, sender=personas.mentee, body="suicide")
    Message.objects.filter(pk=kept_alert.pk).update(created_at=old)
    Message.objects.create(conversation=mine, sender=personas.mentor, body="old", created_at=old)
    Message.objects.create(
        conversation=mine, sender=personas.mentor, body="recent", created_at=now - timedelta(days=30)
    )
    assert messages_prune(now=now) == 0  # no retention set: everything kept
    personas.program.message_retention_months = 12
    personas.program.save()
    other_program_conversation = Conversation.objects.create(
        kind=Conversation.Kind.DIRECT, program=personas.other_program, person=UserFactory()
    )
    Message.objects.create(conversation=other_program_conversation, sender=None, body="elsewhere", created_at=old)
    assert messages_prune(now=now) == 1
    assert set(Message.objects.values_list("body", flat=True)) == {"suicide", "recent", "elsewhere"}
    SafetyAlert.objects.update(acknowledged_at=now)
    assert messages_prune(now=now) == 1  # the alert is answered: its message goes too
    assert not other.messages.exists()


def test_retention_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["prune-messages"]
    assert entry["task"] == "conversations.tasks.prune_messages"
    from conversations.tasks import prune_messages

    assert prune_messages.name == entry["task"]
