"""Sessions pages in Spanish (issue 19): my calendar, a one-on-one meeting,
its forms' errors, a group and its list, attendance, skills and figures,
rendered through the test client with Accept-Language: es; and the calendar
feed written in its owner's language (not the calendar app's)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sessions.calendar import build_feed, feed_language
from sessions.models import Registration
from sessions.services import calendar_feed_for
from tests.factories import GroupSessionFactory, RegistrationFactory, SessionFactory, SkillFactory
from tests.spanish import english_left, get_es, main_text

pytestmark = pytest.mark.django_db

NAMES = ("Morgan Mentor", "Mel Mentee", "Casey Coordinator", "Morgan", "Mel", "Program A")


@pytest.fixture
def meeting(personas):
    return SessionFactory(match=personas.match, location="Biblioteca")


@pytest.fixture
def group(personas):
    group = GroupSessionFactory(program=personas.program, title="Caminata", location="Parque", capacity=2)
    group.facilitators.add(personas.mentor)
    RegistrationFactory(group_session=group, user=personas.mentee)
    return group


def test_my_calendar_is_in_spanish(personas, client_for, meeting, group):
    html = get_es(client_for(personas.mentee), reverse("peer_sessions:my_sessions"))
    text = main_text(html)
    assert "Próximamente" in text and "Individuales" in text and "con Morgan Mentor" in text
    assert "Coming up" not in text and "One-on-one" not in text and "with Morgan Mentor" not in text
    assert english_left(html, NAMES + ("Caminata",)) == []


def test_a_session_page_is_in_spanish(personas, client_for, meeting):
    html = get_es(client_for(personas.mentor), reverse("peer_sessions:session_detail", args=[meeting.pk]))
    text = main_text(html)
    assert "Programada" in text and "60 minutos" in text and "Proponer una nueva hora" in text
    assert "Scheduled" not in text and "60 minutes" not in text and "Propose a new time" not in text
    assert english_left(html, NAMES + ("Biblioteca",)) == []


def test_a_logged_session_is_in_spanish_for_the_mentee(personas, client_for):
    done = SessionFactory(
        match=personas.match,
        starts_at=timezone.now() - timedelta(days=1),
        status="completed",
        shared_summary="Hablamos del trabajo",
    )
    html = get_es(client_for(personas.mentee), reverse("peer_sessions:session_detail", args=[done.pk]))
    text = main_text(html)
    assert "Realizada" in text and "Resumen" in text and "Hablamos del trabajo" in text
    assert "Completed" not in text and "Summary" not in text and "Private notes" not in text


def test_the_schedule_form_errors_are_in_spanish_and_keep_what_was_typed(personas, client_for):
    client = client_for(personas.mentor)
    url = reverse("peer_sessions:session_new", args=[personas.match.pk])
    html = get_es(client, url)
    text = main_text(html)
    assert "Programar una reunión" in text and "Hora de inicio" in text and "Enlace de la reunión en línea" in text
    assert "Schedule a meeting" not in text and "Start time" not in text
    assert english_left(html, NAMES) == []
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        url,
        {
            "day": yesterday.isoformat(),
            "time": "10:00",
            "duration_minutes": "60",
            "mode": "in_person",
            "location": "Mi casa",
            "online_url": "javascript:alert(1)",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Use un enlace seguro que empiece con https://" in html
    assert "Use a secure link" not in html
    assert "Mi casa" in html


def test_the_propose_and_cancel_pages_are_in_spanish(personas, client_for, meeting):
    client = client_for(personas.mentee)
    html = get_es(client, reverse("peer_sessions:session_propose", args=[meeting.pk]))
    assert "Proponer esta hora" in main_text(html) and "Propose this time" not in main_text(html)
    assert english_left(html, NAMES) == []
    html = get_es(client, reverse("peer_sessions:session_cancel", args=[meeting.pk]))
    assert "¿Cancelar esta reunión?" in main_text(html) and "Cancel this meeting?" not in main_text(html)
    assert english_left(html, NAMES) == []


def test_a_group_page_and_the_group_list_are_in_spanish(personas, client_for, group):
    client = client_for(personas.mentee)
    html = get_es(client, reverse("peer_sessions:group_detail", args=[group.pk]))
    text = main_text(html)
    assert "1 de 2 lugares ocupados" in text and "Tiene un lugar." in text and "Dejar mi lugar" in text
    assert "seats taken" not in text and "You have a seat." not in text and "Give up my seat" not in text
    assert "Sesión de grupo" in text and "Group session" not in text
    assert english_left(html, NAMES + ("Caminata", "Parque")) == []

    html = get_es(client, reverse("peer_sessions:group_list", args=[personas.program.pk]))
    text = main_text(html)
    assert "Grupos, talleres y eventos" in text and "Está inscrito" in text
    assert "Groups, workshops and events" not in text and "You're in" not in text
    assert english_left(html, NAMES + ("Caminata",)) == []


def test_the_facilitators_group_pages_are_in_spanish(personas, client_for, group):
    client = client_for(personas.coordinator)
    html = get_es(client, reverse("peer_sessions:group_detail", args=[group.pk]))
    text = main_text(html)
    assert "Inscritos (1)" in text and "Tomar asistencia" in text and "Mostrar en la página pública" in text
    assert "Booked (1)" not in text and "Take attendance" not in text
    assert english_left(html, NAMES + ("Caminata", "Parque")) == []

    html = get_es(client, reverse("peer_sessions:attendance", args=[group.pk]))
    text = main_text(html)
    assert "Asistencia" in text and "Asistió" in text and "No vino" in text
    assert "Attended" not in text and "No-show" not in text
    assert english_left(html, NAMES + ("Caminata",)) == []

    html = get_es(client, reverse("peer_sessions:group_edit", args=[group.pk]))
    assert "Cambiar solo esta fecha" in main_text(html) and "Change this date only" not in main_text(html)
    assert english_left(html, NAMES + ("Caminata", "Parque")) == []

    html = get_es(client, reverse("peer_sessions:group_new", args=[personas.program.pk]))
    text = main_text(html)
    assert "Nuevo grupo, taller o evento" in text and "Repetir cada semana hasta" in text
    assert 'data-many="Crea {n} fechas."' in html and "Creates {n} dates." not in html
    assert english_left(html, NAMES) == []


def test_the_group_form_error_is_in_spanish(personas, client_for):
    client = client_for(personas.coordinator)
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        reverse("peer_sessions:group_new", args=[personas.program.pk]),
        {
            "kind": "group",
            "title": "Charla",
            "day": day.isoformat(),
            "start": "18:00",
            "end": "17:00",
            "capacity": "10",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "El final debe ser después del inicio." in html and "The end must be after the start." not in html
    assert 'value="Charla"' in html


def test_a_registration_message_is_in_spanish(personas, client_for):
    group = GroupSessionFactory(program=personas.program, title="Taller", capacity=1)
    RegistrationFactory(group_session=group, user=personas.other_mentee)
    client = client_for(personas.mentee)
    response = client.post(
        reverse("peer_sessions:group_register", args=[group.pk]),
        {"action": "join"},
        HTTP_ACCEPT_LANGUAGE="es",
        follow=True,
    )
    html = response.content.decode()
    assert Registration.objects.get(group_session=group, user=personas.mentee).status == "waitlisted"
    assert "Está lleno: quedó en la lista de espera" in html and "It is full" not in html


def test_skills_and_figures_are_in_spanish(personas, client_for, group):
    SkillFactory(program=personas.program, name="Respiración")
    client = client_for(personas.coordinator)
    html = get_es(client, reverse("peer_sessions:skills", args=[personas.program.pk]))
    text = main_text(html)
    assert "Habilidades" in text and "practicada en 0 sesiones" in text and "Nueva habilidad" in html
    assert "practised in" not in text and "New skill" not in html
    assert english_left(html, NAMES + ("Respiración",)) == []

    html = get_es(client, reverse("peer_sessions:figures", args=[personas.program.pk]))
    text = main_text(html)
    assert "Horas de mentoría individual" in text and "Hours of one-on-one mentoring" not in text
    assert english_left(html, NAMES + ("America/New_York", "UTC")) == []


def test_calendar_settings_are_in_spanish(personas, client_for):
    calendar_feed_for(personas.mentee)
    html = get_es(client_for(personas.mentee), reverse("peer_sessions:calendar_settings"))
    text = main_text(html)
    assert "Sus reuniones en su aplicación de calendario" in text and "«Reunión de Waypoint»" in text
    assert "Your meetings in your calendar app" not in text
    assert english_left(html, NAMES) == []


def _summaries(ics):
    events = [c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT"]
    assert events
    return {str(e["SUMMARY"]) for e in events}, ics.replace(b"\r\n ", b"").decode()


def test_the_feed_of_a_spanish_speaking_owner_is_in_spanish(personas, meeting):
    owner = personas.mentee
    owner.language = "es"  # User.language (the person's own choice, issue 19)
    assert feed_language(owner) == "es"
    titles, text = _summaries(build_feed(owner))
    assert titles == {"Reunión de Waypoint"}
    assert "Detalles al iniciar sesión:" in text
    assert "Waypoint meeting" not in text and "Details after signing in" not in text


def test_the_feed_follows_its_owner_not_the_calendar_apps_language(personas, client, meeting):
    feed = calendar_feed_for(personas.mentor)  # no language chosen: the site's default, English
    response = client.get(reverse("peer_sessions:calendar_feed", args=[feed.token]), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    titles, text = _summaries(response.content)
    assert titles == {"Waypoint meeting"} and "Details after signing in:" in text
    personas.mentor.language = "fr"  # not one of settings.LANGUAGES: the default
    assert feed_language(personas.mentor) == "en"
