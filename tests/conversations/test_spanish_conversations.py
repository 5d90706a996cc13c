"""Messages in Spanish (issue 19): the messages pages, the send form's
errors and the crisis options, the coordinator's risk phrases and reported
messages, rendered with Accept-Language: es; and Spanish risk phrases flag a
Spanish message exactly as the English ones flag an English message (the
starter list and the data migration that gives existing programs the new ones)."""

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from conversations.defaults import DEFAULT_RISK_PHRASES
from conversations.models import Message, RiskPhrase
from conversations.services import conversation_for_match, message_send, risk_phrases_seed
from goals.models import SafetyAlert
from tests.spanish import english_left, get_es, main_text

pytestmark = pytest.mark.django_db

NAMES = ("Morgan Mentor", "Mel Mentee", "Casey Coordinator", "Program A")


@pytest.fixture
def conversation(personas):
    risk_phrases_seed(program=personas.program)
    conversation = conversation_for_match(match=personas.match)
    message_send(conversation=conversation, sender=personas.mentor, body="Hola, ¿cómo va la semana?")
    return conversation


def test_the_messages_list_is_in_spanish(personas, client_for, conversation):
    html = get_es(client_for(personas.mentee), reverse("conversations:list"))
    text = main_text(html)
    assert "Mensajes" in text and "Mentor y participante" in text and "sin leer" in text
    assert "líneas de crisis" in text and "Escribir al equipo del programa · Program A" in text
    assert "Mentor and mentee" not in text and "crisis lines" not in text and "Write to the program team" not in text
    assert english_left(html, NAMES) == []


def test_a_conversation_is_in_spanish(personas, client_for, conversation):
    html = get_es(client_for(personas.mentee), reverse("conversations:detail", args=[conversation.pk]))
    text = main_text(html)
    assert "solo ustedes dos leen estos mensajes" in text and "Su mensaje" in text and "Enviar" in text
    assert "nuevo" in text and "Reportar" in text
    assert 'data-confirm="¿Reportar este mensaje al equipo del programa? Lo van a leer."' in html
    assert 'data-warn-unsaved="Su mensaje todavía no se envió. ¿Salir de todos modos?"' in html
    assert "only the two of you" not in text and "Your message" not in text and "Report this message" not in html
    assert english_left(html, NAMES + ("Hola, ¿cómo va la semana?",)) == []


def test_the_send_form_error_is_in_spanish_and_keeps_what_was_typed(personas, client_for, conversation):
    client = client_for(personas.mentee)
    long_text = "palabra " * 600
    response = client.post(
        reverse("conversations:send", args=[conversation.pk]), {"body": long_text}, HTTP_ACCEPT_LANGUAGE="es"
    )
    html = response.content.decode()
    assert response.status_code == 200
    # Numbers in the Spanish format (Django's: a no-break space between thousands).
    assert "Un mensaje puede tener hasta 4,000 caracteres (este tiene 4,799)." in html
    assert "Keep a message under" not in html
    assert "palabra palabra" in html


def test_a_spanish_message_with_a_risk_phrase_raises_the_same_flag_and_shows_the_crisis_options(
    personas, client_for, conversation
):
    client = client_for(personas.mentee)
    url = reverse("conversations:send", args=[conversation.pk])
    response = client.post(url, {"body": "Anoche recaí y ya no puedo más"}, HTTP_ACCEPT_LANGUAGE="es")
    assert "crisis=1" in response["Location"]
    spanish = Message.objects.get(body="Anoche recaí y ya no puedo más")
    assert spanish.flagged
    alert = SafetyAlert.objects.get(mentee=personas.match.mentee)
    assert alert.source == SafetyAlert.Source.MESSAGE and list(alert.flagged_messages.all()) == [spanish]

    html = get_es(client, response["Location"])
    text = main_text(html)
    assert "No tiene que pasar por esto solo" in text and "Llamar al 988" in text
    assert "You don't have to go through this alone" not in text and "Call 988" not in text

    # The English counterpart flags too: the same rule for both languages.
    client.post(url, {"body": "I relapsed last night"})
    assert Message.objects.get(body="I relapsed last night").flagged


@pytest.mark.parametrize(
    "body",
    [
        "Volví a consumir anoche",
        "me voy a matar",
        "Quiero lastimarme",
        "Siento que estarían mejor sin mí",
        "No tengo ninguna razón para vivir",
        "Recai otra vez",  # without the accent
        "quiero morir",
        "SOBREDOSIS",
    ],
)
def test_spanish_phrases_of_the_starter_list_flag(personas, client_for, conversation, body):
    client_for(personas.mentee).post(reverse("conversations:send", args=[conversation.pk]), {"body": body})
    assert Message.objects.get(body=body).flagged


def test_ordinary_spanish_messages_are_not_flagged(personas, client_for, conversation):
    for body in ("Recaída no es el tema de hoy", "Me corté el pelo", "¿Nos vemos el martes?"):
        client_for(personas.mentee).post(reverse("conversations:send", args=[conversation.pk]), {"body": body})
        assert not Message.objects.get(body=body).flagged
    assert not SafetyAlert.objects.exists()


def test_the_data_migration_gives_existing_programs_the_new_phrases(personas):
    RiskPhrase.objects.create(program=personas.program, phrase="recaí")  # already there: kept once
    migration = import_module("conversations.migrations.0003_i19e_more_risk_phrases")
    migration.seed(apps, None)
    phrases = set(personas.program.risk_phrases.values_list("phrase", flat=True))
    assert set(migration.PHRASES) <= phrases and set(migration.PHRASES) <= set(DEFAULT_RISK_PHRASES)
    assert personas.program.risk_phrases.filter(phrase="recaí").count() == 1
    assert set(migration.PHRASES) <= set(personas.other_program.risk_phrases.values_list("phrase", flat=True))


def test_the_coordinators_pages_are_in_spanish(personas, client_for, conversation):
    client = client_for(personas.coordinator)
    html = get_es(client, reverse("conversations:risk_phrases", args=[personas.program.pk]))
    text = main_text(html)
    assert "Frases de riesgo" in text and "Agregar" in text and "¿Quitar «recaí»?" in html
    assert "Risk phrases" not in text and "Remove “" not in html
    response = client.post(
        reverse("conversations:risk_phrases", args=[personas.program.pk]), {"phrase": "!!!"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Escriba una palabra o una frase." in response.content.decode()

    message = Message.objects.get()
    message.reported_at, message.reported_by = timezone.now(), personas.mentee
    message.save(update_fields=["reported_at", "reported_by"])
    html = get_es(client, reverse("conversations:reported", args=[personas.program.pk]))
    assert "Mensajes reportados" in main_text(html) and "Reported messages" not in main_text(html)
    assert english_left(html, NAMES) == []
    html = get_es(client, reverse("conversations:reported_detail", args=[message.pk]))
    text = main_text(html)
    assert "Escrito por Morgan Mentor el" in text and "Written by" not in text
    assert english_left(html, NAMES + ("Hola, ¿cómo va la semana?",)) == []
