"""Issue 19 (part i19h): a person invited who has no account yet gets the
invitation in the language the coordinator chose (or the one their
application was filled in), and their new account starts in it."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from mentoring.models import Invitation
from mentoring.services import invitation_create, invitation_resend
from programs.models import PolicyDocument
from programs.services import document_publish, program_create
from tests.factories import UserFactory

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"
SPANISH_SUBJECT = "Tiene una invitación a Waypoint"
ENGLISH_SUBJECT = "You're invited to Waypoint"


def _link(message):
    return re.search(r"https?://\S+/invite/\S+?/", message.body).group(0)


def _accept_path(message):
    return "/" + _link(message).split("/", 3)[3]


def test_the_coordinator_chooses_spanish_and_the_new_account_starts_in_it(
    personas, client_for, client, django_capture_on_commit_callbacks
):
    coordinator = client_for(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(
            reverse("mentoring:invitation_new"),
            {
                "full_name": "Nora Nueva",
                "email": "nora@test.example",
                "role": "mentee",
                "program": personas.program.pk,
                "language": "es",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert Invitation.objects.get().language == "es"
    [message] = mail.outbox
    assert message.subject == SPANISH_SUBJECT
    assert "Hola, Nora Nueva:" in message.body
    client.logout()
    # Opening the link with an English browser: the page speaks the email's language.
    page = client.get(_accept_path(message), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and '<html lang="es">' in page.content.decode()
    assert "Elija una contraseña" in page.content.decode()
    # Unless this browser chose English with the switch.
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(_accept_path(message)).content.decode()
    del client.cookies["django_language"]
    # Choosing a password there: the account is Spanish.
    response = client.post(
        _accept_path(message),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="nora@test.example")
    assert user.language == "es"
    home = client.get(reverse("mentoring:home_mentee"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="es"' in home
    # They can change it later.
    client.post(reverse("mentoring:language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_the_form_offers_the_language_and_defaults_to_the_coordinators(personas, client_for):
    client = client_for(personas.coordinator)
    english = client.get(reverse("mentoring:invitation_new"), HTTP_ACCEPT_LANGUAGE="en")
    assert english.context["form"]["language"].initial == "en"
    assert "Language of the email" in english.content.decode()
    personas.coordinator.language = "es"
    personas.coordinator.save(update_fields=["language"])
    spanish = client.get(reverse("mentoring:invitation_new"))
    assert spanish.context["form"]["language"].initial == "es"
    assert "Idioma del correo" in spanish.content.decode()


def test_an_unknown_language_is_explained_next_to_the_field(personas, client_for):
    client = client_for(personas.coordinator)
    response = client.post(
        reverse("mentoring:invitation_new"),
        {
            "full_name": "Nora Nueva",
            "email": "nora@test.example",
            "role": "mentee",
            "program": personas.program.pk,
            "language": "xx",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"language"}
    assert 'value="Nora Nueva"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_sending_again_keeps_the_language(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = invitation_create(
            program=personas.program,
            email="nora@test.example",
            full_name="Nora Nueva",
            role="mentee",
            invited_by=personas.coordinator,
            language="es",
        )
        fresh = invitation_resend(invitation=invitation, sent_by=personas.coordinator)
    assert fresh.language == "es"
    assert [m.subject for m in mail.outbox] == [SPANISH_SUBJECT, SPANISH_SUBJECT]


def test_an_account_that_chose_a_language_keeps_it(personas, django_capture_on_commit_callbacks):
    UserFactory(email="ed@test.example", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            program=personas.program,
            email="ed@test.example",
            full_name="Ed English",
            role="mentee",
            invited_by=personas.coordinator,
            language="es",
        )
    assert [m.subject for m in mail.outbox] == [ENGLISH_SUBJECT]


def test_someone_who_applied_in_spanish_gets_the_invitation_in_spanish(db, client, django_capture_on_commit_callbacks):
    creator = UserFactory(full_name="Casey Coordinator", language="en")
    program = program_create(created_by=creator, name="Harbor Peers", slug="harbor-peers")
    document_publish(program=program, kind=PolicyDocument.Kind.PRIVACY, body="Private.", by=creator)
    response = client.post(
        reverse("programs:apply", args=["mentor"]),
        {
            "program": program.slug,
            "full_name": "Sol Solicitante",
            "email": "sol@test.example",
            "phone": "",
            "preferred_contact": "email",
            "capacity": "2",
            "pathways": ["smart"],
            "experience_areas": [program.experience_areas.first().pk],
            "consent_to_contact": "on",
            "agree_privacy": "on",
            "website": "",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 302
    application = program.applications.get()
    assert application.language == "es"
    client.force_login(creator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programs:application_detail", args=[application.pk]),
            {"action": "decide", "decision": "accepted", "reason": "Buenas referencias."},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    client.logout()
    [message] = mail.outbox
    assert message.to == ["sol@test.example"]
    assert message.subject == SPANISH_SUBJECT
    assert Invitation.objects.get().language == "es"
    person = get_user_model().objects.get(email="sol@test.example")
    assert person.language == "es"
    client.post(
        _accept_path(message), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    person.refresh_from_db()
    assert person.has_usable_password() and person.language == "es"
