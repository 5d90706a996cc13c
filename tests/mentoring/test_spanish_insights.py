"""Issue 19, part i19c: the coordinator's insights (needs attention, reports,
their charts and CSV exports), matching (suggestions, the whole pool) and the
account and two-factor pages in Spanish for a Spanish-speaking reader
(Accept-Language: es), through the test client: the Spanish text is there and
the English is not.

Report tables and pool results are computed in the background for every
reader (stored in English); they are put into the reader's language when
shown, which the stored-table and stored-reason tests pin down."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.insights import snapshots
from mentoring.insights.reports import REPORTS, Scope
from mentoring.models import Match, ReportSnapshot
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MatchableMenteeFactory,
    MatchableMentorFactory,
    MatchFactory,
    ProgramFactory,
    SafetyAlertFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def noon(year, month, day):
    return datetime(year, month, day, 12, tzinfo=UTC)


def spanish(client, url, data=None, status=200):
    response = client.get(url, data or {}, **ES)
    assert response.status_code == status, url
    return response


def body_of(response):
    """The page's own content (<main>): the site's menus belong to another part."""
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def assert_spanish(body, present, absent):
    for text in present:
        assert text in body, f"missing Spanish: {text!r}"
    for text in absent:
        assert text not in body, f"English left: {text!r}"


# --- needs attention --------------------------------------------------------------------------------


def test_needs_attention_in_spanish(personas, client_for):
    SafetyAlertFactory(mentee=personas.match.mentee)
    # Mood fell by 1.5 points: written as US Spanish writes it (config/formats/es: decimal point).
    now = timezone.now()
    for days, mood in [(40, 5), (35, 5), (5, 3), (3, 4)]:
        CheckInFactory(mentee=personas.other_match.mentee, created_at=now - timedelta(days=days), mood=mood)
    client = client_for(personas.coordinator)

    body = body_of(spanish(client, reverse("mentoring:attention")))

    assert_spanish(
        body,
        present=[
            "Requiere atención",
            "Alerta de seguridad sin confirmar",
            "Alerta de seguridad emitida hace 0 días y aún sin confirmar.",
            "Confirmar recepción",
            "Ánimo en baja en los últimos registros",
            "El ánimo promedio bajó 1.5 puntos en las últimas dos semanas.",
            "Todas las señales",
            "Actualizado hace",
        ],
        absent=[
            "Needs attention",
            "Safety alert not yet acknowledged",
            "not yet acknowledged",
            "Average mood fell",
            "Every signal",
            "Updated ",
            "safety alerts are live",
        ],
    )


def test_needs_attention_in_english_is_unchanged(personas, client_for):
    SafetyAlertFactory(mentee=personas.match.mentee)
    body = body_of(client_for(personas.coordinator).get(reverse("mentoring:attention")))
    assert "Needs attention" in body
    assert "Safety alert raised 0 days ago and not yet acknowledged." in body
    assert "Requiere atención" not in body


# --- reports: page, chart, CSV --------------------------------------------------------------------


@pytest.fixture
def closed_matches(personas):
    for reason in ("graduated", "moved"):
        MatchFactory(
            program=personas.program,
            status=Match.Status.CLOSED,
            started_at=noon(2024, 1, 5),
            ended_at=noon(2024, 2, 5),
            close_reason=reason,
        )


def test_a_report_page_in_spanish_title_headers_labels_and_chart(personas, client_for, closed_matches):
    client = client_for(personas.coordinator)
    response = spanish(
        client, reverse("mentoring:report", args=["matches"]), {"start": "2024-01-01", "end": "2024-03-31"}
    )
    body = body_of(response)

    assert_spanish(
        body,
        present=[
            '<h1 class="h3">Resultados de los emparejamientos</h1>',
            '<th scope="col">Medida</th>',
            ">Emparejamientos</th>",
            ">Porcentaje</th>",
            '<th scope="row">Emparejamientos iniciados</th>',
            '<th scope="row">Siguen juntos después de 30 días (de 2 con antigüedad suficiente)</th>',
            "El gráfico muestra por qué se cerraron los emparejamientos.",
            "Descargar CSV",
            "Otros informes:",
        ],
        absent=[
            "Match outcomes",
            "Measure",
            "Matches started",
            "Still together after",
            "The chart shows",
            "Download CSV",
        ],
    )
    # The chart's text alternative (its name and its <title>) and its bars' labels.
    chart = str(response.context["chart"])
    assert 'aria-label="Resultados de los emparejamientos"' in chart
    assert "<title>Resultados de los emparejamientos</title>" in chart
    assert "Closed:" not in chart
    assert "Cerrado: " in chart


def test_a_monthly_report_names_its_months_and_columns_in_spanish(personas, client_for):
    SessionFactory(match=personas.match, starts_at=noon(2024, 1, 10), duration_minutes=90, status="completed")
    client = client_for(personas.coordinator)
    response = spanish(
        client, reverse("mentoring:report", args=["sessions"]), {"start": "2024-01-01", "end": "2024-02-29"}
    )
    body = body_of(response)

    assert_spanish(
        body,
        present=["Sesiones y horas por mes", ">Mes</th>", ">Sesiones realizadas</th>", ">Horas</th>", ">Ene 2024</th>"],
        absent=["Sessions and hours per month", "Sessions held", ">Jan 2024<"],
    )
    assert "1.5" in body  # 90 minutes, with the decimal point of US Spanish (config/formats/es)
    chart = str(response.context["chart"])
    assert 'aria-label="Sesiones y horas por mes"' in chart
    assert "Sesiones realizadas" in chart and "Sessions held" not in chart


def test_a_stored_report_table_is_shown_in_the_readers_language(personas, client_for, closed_matches):
    """Beat stores the default view's table for every reader (in English);
    a Spanish reader still reads it in Spanish."""
    MatchFactory(
        program=personas.program,
        status=Match.Status.CLOSED,
        started_at=timezone.now() - timedelta(days=20),
        ended_at=timezone.now() - timedelta(days=2),
        close_reason="graduated",
    )
    assert snapshots.report_tables_refresh() > 0
    stored = ReportSnapshot.objects.filter(report="matches")
    assert stored.exists() and all("Measure" in row.table["columns"] for row in stored)
    client = client_for(personas.coordinator)

    response = spanish(client, reverse("mentoring:report", args=["matches"]))

    table = response.context["table"]
    assert table.columns == ["Medida", "Emparejamientos", "Porcentaje"]
    assert table.rows[0][0] == "Emparejamientos iniciados"
    assert "Matches started" not in body_of(response)


def read_csv(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_a_csv_export_has_its_header_row_in_spanish(personas, client_for):
    GoalFactory(mentee=personas.match.mentee, created_at=noon(2024, 1, 10), category="housing")
    client = client_for(personas.coordinator)
    query = {"start": "2024-01-01", "end": "2024-03-31"}

    lines = read_csv(client.get(reverse("mentoring:report_export", args=["goals"]), query, **ES))

    assert lines[0] == [
        "Categoría",
        "Metas fijadas",
        "Logradas",
        "Activas",
        "En pausa",
        "Dejadas",
        "Sugeridas",
        "% logradas",
    ]
    english = read_csv(client.get(reverse("mentoring:report_export", args=["goals"]), query))
    assert english[0][:2] == ["Category", "Goals set"]


def test_the_long_sessions_export_has_its_header_row_in_spanish(personas, client_for):
    SessionFactory(match=personas.match, starts_at=noon(2024, 1, 10), duration_minutes=60, status="completed")
    client = client_for(personas.coordinator)
    query = {"start": "2024-01-01", "end": "2024-01-31"}

    lines = read_csv(client.get(reverse("mentoring:report_export", args=["sessions"]), query, **ES))

    assert lines[0] == ["Mes", "Mentor", "Sesiones realizadas", "Horas", "Perdidas"]
    assert lines[1][:2] == ["2024-01", "Morgan Mentor"]


def test_report_list_in_spanish(personas, client_for):
    body = body_of(spanish(client_for(personas.coordinator), reverse("mentoring:reports")))
    assert_spanish(
        body,
        present=["Informes", "Sesiones y horas por mes", "Constancia en los registros", "Descargas recientes"],
        absent=["Sessions and hours per month", "Check-in adherence", "Recent downloads"],
    )


def test_tables_are_built_in_english_and_localized_on_the_way_out(personas):
    from datetime import date

    from mentoring.insights.reports import localize_table

    scope = Scope([personas.program.pk], date(2024, 1, 1), date(2024, 2, 29))
    with translation.override("es"):
        table = REPORTS["checkins"].table(scope)
        assert table.columns[0] == "Month" and table.rows[0][0] == "Jan 2024"
        shown = localize_table(table)
    assert shown.columns[:2] == ["Mes", "Semanas de participante previstas"]
    assert shown.rows[0][0] == "Ene 2024"


# --- matching -------------------------------------------------------------------------------------


@pytest.fixture
def harbor(personas):
    return ProgramFactory(name="Harbor Peers", coordinators=[personas.coordinator], background_check_required=False)


def named(factory, program, name, **fields):
    return factory(program=program, user=UserFactory(full_name=name), **fields)


def test_suggestions_explain_the_score_in_spanish(harbor, personas, client_for):
    wanted = named(MatchableMenteeFactory, harbor, "Wren Waiting", pathways=["twelve_step"])
    named(MatchableMentorFactory, harbor, "Bea Best", pathways=["twelve_step"])
    named(MatchableMentorFactory, harbor, "Sol Spanish", languages=["es"])
    client = client_for(personas.coordinator)

    body = body_of(spanish(client, reverse("mentoring:suggestions", args=[wanted.pk])))

    assert_spanish(
        body,
        present=["Mentores para", "Por qué este puntaje", "Proponer a Bea Best", "Descartados por filtros estrictos"],
        absent=[
            "Why this score",
            "Propose Bea Best",
            "Ruled out by hard filters",
            "Both follow a",
            "No shared language",
        ],
    )
    assert "Obligatorio: idioma en común: 1 mentor" in body
    # Each criterion's sentence, name and weight in the breakdown.
    assert "(idioma en común, obligatorio)" in body and "(shared language, must)" not in body
    assert "Ambos siguen el mismo camino de recuperación" in body


def test_the_pool_page_in_spanish_with_a_stored_reason(
    harbor, personas, client_for, django_capture_on_commit_callbacks
):
    named(MatchableMentorFactory, harbor, "Ada Alpha", capacity=1)
    named(MatchableMenteeFactory, harbor, "Cal Gamma")
    named(MatchableMenteeFactory, harbor, "Eli Espanol", languages=["es"])
    client = client_for(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mentoring:pool_solve", args=[harbor.pk]), **ES)

    response = spanish(client, reverse("mentoring:pool", args=[harbor.pk]))
    body = body_of(response)

    [left_out] = response.context["unassigned"]
    assert left_out["reason"].startswith("No mentor fits.")  # stored for every reader, in English
    assert_spanish(
        body,
        present=[
            "Emparejar a todos los que esperan",
            "Aprobar las parejas marcadas",
            "Sin emparejar esta vez",
            "Ningún mentor encaja. Lo que más los descarta: obligatorio: idioma en común",
            "esperando desde hace",
        ],
        absent=[
            "Match everyone waiting",
            "Approve ticked pairs",
            "Not matched this time",
            "No mentor fits",
            "waiting 0 day",
        ],
    )


def test_stored_pool_reasons_read_in_the_active_language():
    from mentoring.matching.pool import reason_text

    with translation.override("es"):
        assert reason_text("No mentor is available") == "No hay ningún mentor disponible"
        assert (
            reason_text("No mentor fits. Most often ruled out by: the mentor is not ready yet")
            == "Ningún mentor encaja. Lo que más los descarta: el mentor todavía no está listo"
        )
    with translation.override("en"):
        assert reason_text("No mentor fits. Most often ruled out by: must: shared language") == (
            "No mentor fits. Most often ruled out by: must: shared language"
        )


def test_matching_settings_and_waiting_list_in_spanish(harbor, personas, client_for):
    named(MatchableMenteeFactory, harbor, "Cal Gamma")
    client = client_for(personas.coordinator)
    body = body_of(spanish(client, reverse("mentoring:waiting", args=[harbor.pk])))
    assert_spanish(
        body, present=["Esperando un mentor", "Sugerencias"], absent=["Waiting for a mentor", "Suggestions<"]
    )
    body = body_of(spanish(client, reverse("mentoring:matching_settings", args=[harbor.pk])))
    assert_spanish(
        body,
        present=["Configuración de emparejamiento", "Guardar la configuración"],
        absent=["Save settings", "How much each"],
    )


# --- account pages and two-factor -------------------------------------------------------------------


def test_two_factor_setup_and_status_in_spanish(personas, client_for):
    client = client_for(personas.mentee)
    body = body_of(spanish(client, reverse("mentoring:twofactor_setup")))
    assert_spanish(
        body,
        present=["Configurar el inicio de sesión en dos pasos", "aplicación de autenticación", "Empezar"],
        absent=["Set up two-factor sign-in", "authenticator app", ">Start<"],
    )
    response = client.post(reverse("mentoring:twofactor_setup"), {"start": "1"}, follow=True, **ES)
    body = body_of(response)
    assert_spanish(
        body,
        present=["1. Escanee este código", 'aria-label="Código QR para su aplicación de autenticación"', "Confirmar"],
        absent=["Scan this code", "QR code for your authenticator app", ">Confirm<"],
    )
    body = body_of(spanish(client, reverse("mentoring:twofactor")))
    assert_spanish(
        body,
        present=["Inicio de sesión en dos pasos", "Activar el inicio de sesión en dos pasos"],
        absent=["Two-factor sign-in", "Turn on two-factor sign-in"],
    )


def test_a_two_factor_message_in_spanish(personas, client_for):
    client = client_for(personas.coordinator)
    response = client.get(reverse("mentoring:twofactor_disable"), follow=True, **ES)
    assert_spanish(
        body_of(response),
        present=["Los coordinadores y el personal mantienen activado el inicio de sesión en dos pasos."],
        absent=["Coordinators and staff keep two-factor sign-in on."],
    )


@pytest.mark.parametrize(
    ("url_name", "present", "absent"),
    [
        ("mentoring:profile", ["Su perfil", "Cambiar su contraseña"], ["Your profile", "Change your password"]),
        ("mentoring:my_data", ["Su información", "Descargar mi información"], ["Your information", "Download my"]),
        ("mentoring:who_viewed", ["Quién vio mi información"], ["Who viewed my information"]),
        ("mentoring:notifications", ["Notificaciones", "Configuración de recordatorios"], ["Reminder settings"]),
        ("mentoring:preferences", ["Horas de silencio", "Mensaje de texto"], ['"h5">Quiet hours<', "Text message<"]),
    ],
)
def test_account_pages_in_spanish(url_name, present, absent, personas, client_for):
    body = body_of(spanish(client_for(personas.mentee), reverse(url_name)))
    assert_spanish(body, present=present, absent=absent)


def test_people_and_a_person_in_spanish(personas, client_for):
    client = client_for(personas.coordinator)
    body = body_of(spanish(client, reverse("mentoring:people_search")))
    assert_spanish(body, present=["Personas", "Participante"], absent=["Everyone in your programs", ">Mentee<"])
    body = body_of(spanish(client, reverse("mentoring:person_detail", args=[personas.mentee.pk])))
    assert_spanish(body, present=["Emparejamientos", "Quién vio este expediente"], absent=["Who viewed this record"])
