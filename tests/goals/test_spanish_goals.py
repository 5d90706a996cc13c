"""Goals pages in Spanish (issue 19): the mentee's check-in, goals, progress,
life check and check-ins, the goal form's errors, and the safety alert pages
of the team, rendered through the test client with Accept-Language: es. Spanish
wording present, the English gone (tests/spanish.py reads the page's main text)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.models import SafetyAlert
from goals.selectors import default_instrument
from goals.services import checkin_comment
from tests.factories import CheckInFactory, GoalFactory, GoalProgressFactory, MilestoneFactory
from tests.spanish import english_left, get_es, main_text

pytestmark = pytest.mark.django_db

NAMES = ("Morgan Mentor", "Mel Mentee", "Casey Coordinator", "Morgan", "Mel", "Casey", "Program A")


@pytest.fixture
def mentee_with_goals(personas):
    mentee = personas.match.mentee
    walk = GoalFactory(mentee=mentee, title="Caminar", progress=35, why="Por mi salud", target="3 veces")
    MilestoneFactory(goal=walk, title="Zapatos", due_date=timezone.localdate() + timedelta(days=5))
    GoalFactory(mentee=mentee, title="Leer", status="suggested", suggested_by=personas.mentor)
    for days in (9, 2):
        entry = CheckInFactory(mentee=mentee, mood=4, craving=2, reflection="bien")
        entry.created_at = timezone.now() - timedelta(days=days)
        entry.save(update_fields=["created_at"])
        GoalProgressFactory(goal=walk, checkin=entry, progress=30)
    checkin_comment(checkin=entry, author=personas.mentor, body="¡Muy bien!")
    return mentee


def test_the_checkin_page_is_in_spanish_and_short(personas, client_for, mentee_with_goals):
    html = get_es(client_for(personas.mentee), reverse("goals:checkin"))
    text = main_text(html)
    for spanish in (
        "Registro rápido",
        "Necesito ayuda ahora",
        "¿Cómo se siente?",
        "Registrarme",
        "Caminar: avance (%)",
    ):
        assert spanish in text, spanish
    for english in ("Quick check-in", "I need help now", "How are you feeling?", "Check in", "Cravings right now"):
        assert english not in text, english
    assert english_left(html, NAMES + ("Caminar", "Zapatos")) == []
    # The phone page keeps its words short: the buttons fit a 390 px screen on one or two lines.
    assert max(len(label) for label in ("Registrarme", "Necesito ayuda ahora")) <= 24


def test_the_checkin_form_error_is_in_spanish_and_keeps_what_was_typed(personas, client_for, mentee_with_goals):
    client = client_for(personas.mentee)
    response = client.post(reverse("goals:checkin"), {"reflection": "un día largo"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Elija cómo se siente." in html
    assert "Choose how you are feeling." not in html
    assert "un día largo" in html


def test_the_goals_list_and_a_goal_are_in_spanish(personas, client_for, mentee_with_goals):
    client = client_for(personas.mentee)
    html = get_es(client, reverse("goals:mentee_goals", args=[mentee_with_goals.pk]))
    text = main_text(html)
    assert "Sus metas" in text and "Poner una meta" in text and "Página de avance" in text
    assert "Your goals" not in text and "Set a goal" not in text and "Progress page" not in text
    assert "Sugerida por su mentor" in text and "Activa" in text
    assert english_left(html, NAMES + ("Caminar", "Leer")) == []

    goal = mentee_with_goals.goals.get(title="Caminar")
    html = get_es(client, reverse("goals:detail", args=[goal.pk]))
    text = main_text(html)
    assert "Por qué es importante:" in text and "Hitos" in text and "Marcar como lograda" in text
    assert "Why it matters" not in text and "Milestones" not in text and "Mark achieved" not in text
    assert english_left(html, NAMES + ("Caminar", "Zapatos", "Por mi salud", "3 veces")) == []


def test_the_goal_form_errors_are_in_spanish(personas, client_for):
    client = client_for(personas.mentee)
    url = reverse("goals:new", args=[personas.match.mentee.pk])
    html = get_es(client, url)
    text = main_text(html)
    assert "Su meta" in text and "Categoría" in text and "Hito 2 (opcional)" in text
    assert "Your goal" not in text and "Category" not in text and "Milestone 2" not in text
    response = client.post(
        url,
        {
            "title": "",
            "category": "health",
            "cadence": "weekly",
            "milestone_2_due": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Este campo es obligatorio." in html  # Django's own catalogue
    assert "Escriba el nombre del hito o borre su fecha." in html
    assert "Name the milestone, or clear its date." not in html


def test_the_progress_page_charts_and_table_are_in_spanish(personas, client_for, mentee_with_goals):
    html = get_es(client_for(personas.mentee), reverse("goals:progress", args=[mentee_with_goals.pk]))
    text = main_text(html)
    assert "Su avance" in text and "Ánimo y ganas de consumir" in text and "Capital de recuperación" in text
    # The chart's text alternative and legend, and the table's headings.
    assert 'aria-label="Ánimo y ganas de consumir en los últimos 90 días"' in html
    assert "Ánimo (1–5)" in html and "Cuándo" in text
    assert "Mood and cravings" not in html and "Recovery capital" not in html and "Mood (1–5)" not in html
    assert english_left(html, NAMES + ("Caminar", "Leer")) == []


def test_the_default_life_check_is_asked_in_spanish(personas, client_for):
    instrument = default_instrument()
    client = client_for(personas.mentee)
    html = get_es(client, reverse("goals:assessment"))
    text = main_text(html)
    assert "Mirada a mi vida de Waypoint" in text
    assert "Tengo un lugar seguro y estable donde vivir." in text and "Muy de acuerdo" in text
    assert "I have a safe and steady place to live." not in text and "Strongly agree" not in text
    first = instrument.items.order_by("position").first()
    response = client.post(reverse("goals:assessment"), {f"item_{first.pk}": "6"}, HTTP_ACCEPT_LANGUAGE="es")
    assert "Elija la respuesta que más se parezca a lo que vive." in response.content.decode()


def test_the_checkins_page_is_in_spanish_for_the_mentee_and_the_mentor(personas, client_for, mentee_with_goals):
    url = reverse("goals:checkins", args=[mentee_with_goals.pk])
    html = get_es(client_for(personas.mentee), url)
    text = main_text(html)
    assert "Registros" in text and "Responder a su mentor" in text and "Ánimo 4/5" in text
    assert "Reply to your mentor" not in text and "Mood 4/5" not in text
    assert english_left(html, NAMES + ("Caminar", "¡Muy bien!")) == []

    html = get_es(client_for(personas.mentor), url)
    assert "Registros de Mel Mentee" in main_text(html)
    assert "Responda con palabras de ánimo…" in html
    assert english_left(html, NAMES + ("Caminar", "¡Muy bien!")) == []


def test_the_safety_alert_pages_are_in_spanish(personas, client_for):
    entry = CheckInFactory(mentee=personas.match.mentee, mood=1, needs_help=True)
    alert = SafetyAlert.objects.create(
        mentee=personas.match.mentee, kind=SafetyAlert.Kind.HELP_NOW, reasons=["help_now"], checkin=entry
    )
    client = client_for(personas.coordinator)
    html = get_es(client, reverse("goals:alerts"))
    assert "Alertas de seguridad" in main_text(html) and "Pidió ayuda ahora" in main_text(html)
    assert "Safety alerts" not in main_text(html) and "Asked for help now" not in main_text(html)
    assert english_left(html, NAMES) == []

    html = get_es(client, reverse("goals:alert_acknowledge", args=[alert.pk]))
    text = main_text(html)
    assert "Comunicarse con Mel" in text and "Confirmar recepción" in text
    assert "Reach Mel" not in text and "Acknowledge" not in text
    assert english_left(html, NAMES + ("mentee@test.example",)) == []
    response = client.post(reverse("goals:alert_acknowledge", args=[alert.pk]), {"note": ""}, HTTP_ACCEPT_LANGUAGE="es")
    assert "Este campo es obligatorio." in response.content.decode()


def test_the_help_now_sentence_is_in_spanish(personas, client_for):
    client = client_for(personas.mentee)
    response = client.post(reverse("goals:help_now"), HTTP_ACCEPT_LANGUAGE="es", follow=True)
    html = response.content.decode()
    assert "Avisamos a Morgan (su mentor) y el equipo del programa a las" in html
    assert "We let" not in html
