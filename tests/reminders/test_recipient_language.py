"""Messages in the recipient's language (issue 19): the outbox renders every
email, text message and in-app notification with the recipient's
``User.language`` (mentoring.notifications.channels.in_language_of), whatever
language the request or worker that causes it runs in."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from goals.services import safety_alert_raise
from mentoring.models import Channel, ChannelPreference, Delivery, Notification, ReminderKind
from mentoring.notifications.kinds import KINDS
from mentoring.notifications.outbox import claim, dispatch, send
from mentoring.notifications.sms import LocmemSMSBackend
from mentoring.services import invitation_create
from tests.factories import DeliveryFactory, GoalFactory, MenteeProfileFactory, UserFactory

from .helpers import utc
from .test_outbox import MONDAY, NOW

PHONE = "+12015550123"
SPANISH_CHECKIN = "Tiene un registro pendiente en Waypoint"
ENGLISH_CHECKIN = "You have a check-in due on Waypoint"


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "mentoring.notifications.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    yield LocmemSMSBackend.outbox
    LocmemSMSBackend.outbox.clear()


def _mentee_with_weekly_goal(program, *, language, email):
    user = UserFactory(
        email=email, language=language, phone=PHONE, ok_to_text=True, text_confirmed_at=utc(2027, 1, 1, 12, 0)
    )
    # Check-in reminders on every channel, texts included.
    ChannelPreference.objects.create(user=user, kind=ReminderKind.CHECKIN_DUE, in_app=True, email=True, sms=True)
    GoalFactory(mentee=MenteeProfileFactory(program=program, user=user), cadence="weekly", started_on=MONDAY)
    return user


def _send_everything_due():
    for pk in dispatch(NOW, enqueue=False):
        assert send(pk, NOW) == Delivery.Status.SENT


def test_a_spanish_speaking_mentee_gets_the_check_in_reminder_in_spanish_and_an_english_one_in_english(personas, texts):
    spanish = _mentee_with_weekly_goal(personas.program, language="es", email="es.mentee@test.example")
    english = _mentee_with_weekly_goal(personas.program, language="", email="en.mentee@test.example")
    with translation.override("es"):  # the worker's own language must not matter
        _send_everything_due()

    emails = {m.to[0]: m for m in mail.outbox if m.subject in (SPANISH_CHECKIN, ENGLISH_CHECKIN)}
    es_mail, en_mail = emails[spanish.email], emails[english.email]
    assert es_mail.subject == SPANISH_CHECKIN
    assert "Inicie sesión para verlo" in es_mail.body and "Sign in to see it" not in es_mail.body
    assert "Dejar de recibir estos correos" in es_mail.alternatives[0][0]
    assert en_mail.subject == ENGLISH_CHECKIN
    assert "Sign in to see it" in en_mail.body and "Inicie" not in en_mail.body

    sms = {to: text for to, text, _key in texts}
    assert len(texts) >= 2
    by_text = [text for _to, text, _key in texts]
    assert any(t.startswith(SPANISH_CHECKIN + ". Inicie sesión para verlo:") for t in by_text), sms
    assert any(t.startswith(ENGLISH_CHECKIN + ". Sign in to see it:") for t in by_text), sms

    in_app = dict(
        Notification.objects.filter(kind=ReminderKind.CHECKIN_DUE).values_list("user__email", "text").distinct()
    )
    assert in_app == {spanish.email: SPANISH_CHECKIN, english.email: ENGLISH_CHECKIN}


def test_a_safety_alert_reaches_a_spanish_speaking_coordinator_in_spanish(
    personas, texts, django_capture_on_commit_callbacks
):
    coordinator = personas.coordinator
    coordinator.language, coordinator.phone = "es", PHONE
    coordinator.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        safety_alert_raise(mentee=personas.match.mentee, reasons=["help_now"], source="tap")

    line_es = "Alguien requiere atención ahora en Waypoint"
    line_en = "Someone needs attention now on Waypoint"
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[coordinator.email] == line_es
    assert subjects[personas.mentor.email] == line_en  # the mentor chose no language: English
    coordinator_mail = next(m for m in mail.outbox if m.to[0] == coordinator.email)
    assert "Inicie sesión para verlo" in coordinator_mail.body
    assert [text for to, text, _key in texts if to == PHONE] == [
        f"{line_es}. Inicie sesión para verlo: {settings.SITE_URL}/"
    ]
    notes = dict(Notification.objects.values_list("user_id", "text"))
    assert notes[coordinator.pk] == line_es and notes[personas.mentor.pk] == line_en


# Words a Spanish message must not say either (the English list is tests/reminders/test_wording.py).
SPANISH_FORBIDDEN = re.compile(
    r"\b(?:recuperaci[oó]n|adicci[oó]n|drogas?|alcohol|sobriedad|sobri[oa]s?|reca[ií]da|tratamiento|terapia|"
    r"crisis|sustancias?|abstinencia|desintoxicaci[oó]n|rehabilitaci[oó]n|sobredosis|opioides?|antojos?|ansias?)\b",
    re.IGNORECASE,
)


def test_every_message_in_spanish_is_translated_and_neutral(db, texts):
    user = UserFactory(language="es", phone=PHONE, ok_to_text=True, text_confirmed_at=utc(2027, 1, 1, 12, 0))
    personal = [name for name, kind in KINDS.items() if not kind.channels_fixed]
    for kind in personal:
        for channel in (Channel.EMAIL, Channel.SMS, Channel.IN_APP):
            DeliveryFactory(recipient=user, kind=kind, channel=channel, due_at=NOW)
    claim(NOW)
    for pk in Delivery.objects.values_list("pk", flat=True):
        assert send(pk, NOW) == Delivery.Status.SENT
    with translation.override("en"):
        english = {str(KINDS[kind].line) for kind in personal}
    said = [m.subject for m in mail.outbox] + [m.body for m in mail.outbox]
    said += [text for _to, text, _key in texts] + list(Notification.objects.values_list("text", flat=True))
    assert len(said) == 4 * len(personal)
    for text in said:
        assert not SPANISH_FORBIDDEN.search(text), text
        assert not any(line in text for line in english), text
        assert "Waypoint" in text


def test_the_text_consent_confirmation_goes_in_spanish_and_a_spanish_yes_confirms(db, texts):
    from mentoring.contact import sms_inbound_handle

    user = UserFactory(language="es", phone=PHONE, ok_to_text=True, text_confirmed_at=None)
    row = DeliveryFactory(recipient=user, kind=ReminderKind.TEXT_CONSENT_CONFIRM, channel=Channel.SMS, due_at=NOW)
    claim(NOW)
    assert send(row.pk, NOW) == Delivery.Status.SENT
    assert texts[0][1].startswith("Waypoint: responda YES (o SÍ)")
    assert sms_inbound_handle(from_number=PHONE, body="Sí") == ("confirm", 1)


def test_an_invitation_goes_in_the_language_of_the_account_it_is_for(personas, django_capture_on_commit_callbacks):
    UserFactory(email="returning@test.example", language="es")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            program=personas.program,
            email="returning@test.example",
            full_name="Rita Returning",
            role="mentee",
            invited_by=personas.coordinator,
        )
        invitation_create(
            program=personas.program,
            email="newcomer@test.example",
            full_name="Nico Newcomer",
            role="mentee",
            invited_by=personas.coordinator,
        )
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["returning@test.example"].subject == "Tiene una invitación a Waypoint"
    assert "Hola, Rita Returning:" in by_address["returning@test.example"].body
    assert by_address["newcomer@test.example"].subject == "You're invited to Waypoint"
    assert "Hello Nico Newcomer," in by_address["newcomer@test.example"].body


def test_the_password_reset_email_goes_in_the_account_language(client, db):
    UserFactory(email="es.person@test.example", language="es")
    UserFactory(email="en.person@test.example", language="en")
    client.post(reverse("password_reset"), {"email": "es.person@test.example"}, HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("password_reset"), {"email": "en.person@test.example"}, HTTP_ACCEPT_LANGUAGE="es")
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["es.person@test.example"].subject == "Restablezca su contraseña de Waypoint"
    assert "Alguien pidió restablecer la contraseña" in by_address["es.person@test.example"].body
    assert by_address["en.person@test.example"].subject == "Reset your Waypoint password"


def test_an_in_app_notification_keeps_the_language_it_was_sent_in(db):
    user = UserFactory(language="es")
    row = DeliveryFactory(recipient=user, kind=ReminderKind.MESSAGE_NEW, channel=Channel.IN_APP, due_at=timezone.now())
    claim(timezone.now())
    with translation.override("en"):
        send(row.pk)
    assert Notification.objects.get().text == "Tiene un mensaje nuevo en Waypoint"
