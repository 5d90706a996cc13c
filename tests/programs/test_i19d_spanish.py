"""Issue 19 (part i19d): programs and resources pages in Spanish, and
program-defined text (agreements, privacy notices, training modules, skills,
resource listings and categories, the public page texts) in Spanish with
fallback to English. Requests go through the test client with
Accept-Language: es, as a Spanish-speaking visitor's phone sends it."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from mentoring.localized import localized, localized_language
from mentoring.models import MentorProfile
from programs.models import AgreementSignature, Application, ConsentRecord, PolicyDocument, TrainingModule
from programs.services import application_decide, document_publish, program_create
from resources.models import Category, Resource
from resources.services import export_rows, import_rows, parse_csv
from sessions.models import Skill
from tests.factories import (
    CategoryFactory,
    ExperienceAreaFactory,
    ResourceFactory,
    TrainingModuleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def _es(client):
    """Spanish for every request of ``client`` (cookie and header)."""
    client.cookies["django_language"] = "es"
    return client


@pytest.fixture
def public_program(db):
    creator = UserFactory(full_name="Casey Coordinator")
    program = program_create(created_by=creator, name="Harbor Peers", slug="harbor-peers")
    program.public_page_enabled = True
    program.public_intro = "Peers walking with peers."
    program.save()
    return program


# --- the helper ---------------------------------------------------------------------------------


def test_localized_picks_the_spanish_version_and_falls_back_to_english():
    module = TrainingModule(title="Boundaries", title_es="Límites", description="Why they matter", description_es=" ")
    with translation.override("es"):
        assert localized(module, "title") == "Límites"
        # A blank Spanish version is no version: the English text shows.
        assert localized(module, "description") == "Why they matter"
        assert localized_language(module, "description") == "en"
        assert str(module) == "Límites"
    with translation.override("en"):
        assert localized(module, "title") == "Boundaries"
        assert localized_language(module, "title") == "en"
        assert str(module) == "Boundaries"
    assert localized(module, "title", "es") == "Límites"
    assert localized(None, "title") == ""


# --- public pages without sign-in -------------------------------------------------------------------


def test_the_public_program_page_is_in_spanish_for_an_anonymous_visitor(public_program, client):
    public_program.public_intro_es = "Pares que caminan con pares."
    public_program.save()
    html = client.get(reverse("programs:public_page", args=[public_program.slug]), **ES).content.decode()
    assert "Lo que ofrecemos" in html and "Encontrar un mentor" in html and "¿Necesita ayuda ahora mismo?" in html
    assert "What we offer" not in html and "Find a mentor" not in html and "Need help right now?" not in html
    assert "Pares que caminan con pares." in html
    assert "Peers walking with peers." not in html


def test_the_public_page_falls_back_to_the_english_introduction(public_program, client):
    html = client.get(reverse("programs:public_page", args=[public_program.slug]), **ES).content.decode()
    assert "Lo que ofrecemos" in html
    assert "Peers walking with peers." in html


def test_the_public_page_stays_english_for_an_english_visitor(public_program, client):
    public_program.public_intro_es = "Pares que caminan con pares."
    public_program.save()
    html = client.get(reverse("programs:public_page", args=[public_program.slug])).content.decode()
    assert "What we offer" in html and "Peers walking with peers." in html
    assert "Lo que ofrecemos" not in html and "Pares que caminan" not in html


def _apply_url(program, kind="mentee"):
    return f"{reverse('programs:apply', args=[kind])}?program={program.slug}"


def _application_post(program, **changes):
    data = {
        "program": program.slug,
        "full_name": "Nia Newcomer",
        "email": "nia@test.example",
        "phone": "",
        "preferred_contact": "email",
        "consent_to_contact": "on",
        "agree_privacy": "on",
        "website": "",
    }
    data.update(changes)
    return data


def test_the_apply_page_is_in_spanish_with_the_spanish_privacy_notice(public_program, client):
    html = client.get(_apply_url(public_program), **ES).content.decode()
    assert "Enviar solicitud" in html and "Su nombre" in html and "Privacidad y consentimiento" in html
    assert "Send application" not in html and "Your name" not in html and "Privacy and consent" not in html
    # A new program's starter privacy notice has a Spanish version.
    assert "Lo que guardamos" in html
    assert "What we keep" not in html


def test_a_spanish_application_records_the_spanish_privacy_notice_and_its_consent(public_program, client):
    response = client.post(_apply_url(public_program), _application_post(public_program), **ES)
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.privacy_notice_language == "es"
    application_decide(
        application=application, decision=Application.Status.ACCEPTED, reason="Fits", decided_by=UserFactory()
    )
    consent = ConsentRecord.objects.get(kind=ConsentRecord.Kind.PRIVACY)
    assert consent.language == "es"
    assert consent.statement == application.privacy_notice.body_es
    assert consent.statement.startswith("Lo que guardamos")


def test_a_privacy_notice_without_spanish_is_shown_and_recorded_in_english(public_program, client):
    notice = document_publish(
        program=public_program, kind=PolicyDocument.Kind.PRIVACY, body="Harbor keeps your answers private.", by=None
    )
    html = client.get(_apply_url(public_program), **ES).content.decode()
    assert "Harbor keeps your answers private." in html
    assert "Enviar solicitud" in html
    client.post(_apply_url(public_program), _application_post(public_program), **ES)
    application = Application.objects.get()
    assert (application.privacy_notice, application.privacy_notice_language) == (notice, "en")


def test_apply_errors_are_in_spanish_and_keep_what_was_typed(public_program, client):
    response = client.post(
        _apply_url(public_program), _application_post(public_program, consent_to_contact="", agree_privacy=""), **ES
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Necesitamos su autorización para comunicarnos con usted sobre su solicitud." in html
    assert "We need your agreement" not in html
    assert 'value="Nia Newcomer"' in html
    assert not Application.objects.exists()


def test_experience_areas_on_the_apply_form_show_their_spanish_names(public_program, client):
    html = client.get(_apply_url(public_program), **ES).content.decode()
    assert "Familiar en recuperación" in html  # a starter area with a Spanish name
    ExperienceAreaFactory(program=public_program, name="Peer grief")
    html = client.get(_apply_url(public_program), **ES).content.decode()
    assert "Peer grief" in html  # no Spanish name: the English one


# --- training modules and the boundaries agreement -----------------------------------------------


def _mentor(personas):
    return MentorProfile.objects.get(user=personas.mentor, program=personas.program)


def test_a_training_module_shows_in_spanish_when_it_has_a_spanish_version(personas, client_for):
    TrainingModuleFactory(
        program=personas.program,
        title="Safe conversations",
        title_es="Conversaciones seguras",
        description="How to listen.",
        description_es="Cómo escuchar.",
    )
    TrainingModuleFactory(program=personas.program, title="Program tour")
    client = _es(client_for(personas.mentor))
    html = client.get(reverse("programs:mentor_readiness", args=[_mentor(personas).pk]), **ES).content.decode()
    assert "Conversaciones seguras" in html and "Cómo escuchar." in html
    assert "Safe conversations" not in html and "How to listen." not in html
    assert "Program tour" in html  # no Spanish version: English
    assert "Su lista de preparación" in html and "Your readiness checklist" not in html


def test_a_training_module_shows_in_english_to_an_english_reader(personas, client_for):
    TrainingModuleFactory(program=personas.program, title="Safe conversations", title_es="Conversaciones seguras")
    html = client_for(personas.mentor).get(reverse("programs:mentor_readiness", args=[_mentor(personas).pk]))
    html = html.content.decode()
    assert "Safe conversations" in html and "Conversaciones seguras" not in html


def _agreement(program, body_es=""):
    return document_publish(
        program=program,
        kind=PolicyDocument.Kind.BOUNDARIES,
        body="Keep it in the program.",
        body_es=body_es,
        by=None,
    )


def test_a_mentor_signing_in_spanish_signs_the_spanish_version_and_it_is_recorded(personas, client_for):
    document = _agreement(personas.program, body_es="Mantenerlo dentro del programa.")
    profile = _mentor(personas)
    client = _es(client_for(personas.mentor))
    page = client.get(reverse("programs:mentor_readiness", args=[profile.pk]), **ES).content.decode()
    assert "Mantenerlo dentro del programa." in page and "Keep it in the program." not in page
    assert 'name="language" value="es"' in page
    response = client.post(
        reverse("programs:agreement_sign", args=[profile.pk]),
        {"document": document.pk, "agree": "on", "typed_name": personas.mentor.full_name, "language": "es"},
        **ES,
    )
    assert response.status_code == 302
    signature = AgreementSignature.objects.get(mentor=profile)
    assert (signature.document, signature.language) == (document, "es")


def test_a_signature_of_a_document_without_spanish_records_english(personas, client_for):
    document = _agreement(personas.program)
    profile = _mentor(personas)
    client = _es(client_for(personas.mentor))
    page = client.get(reverse("programs:mentor_readiness", args=[profile.pk]), **ES).content.decode()
    assert "Keep it in the program." in page
    client.post(
        reverse("programs:agreement_sign", args=[profile.pk]),
        {"document": document.pk, "agree": "on", "typed_name": personas.mentor.full_name, "language": "es"},
        **ES,
    )
    assert AgreementSignature.objects.get(mentor=profile).language == "en"


def test_an_english_signature_records_english(personas, client_for):
    document = _agreement(personas.program, body_es="Mantenerlo dentro del programa.")
    profile = _mentor(personas)
    client_for(personas.mentor).post(
        reverse("programs:agreement_sign", args=[profile.pk]),
        {"document": document.pk, "agree": "on", "typed_name": personas.mentor.full_name, "language": "en"},
    )
    assert AgreementSignature.objects.get(mentor=profile).language == "en"


# --- coordinators edit both versions --------------------------------------------------------------


def test_the_coordinator_publishes_a_document_with_its_spanish_version(personas, client_for):
    _agreement(personas.program)
    client = client_for(personas.coordinator)
    url = reverse("programs:documents", args=[personas.program.pk, "boundaries"])
    page = client.get(url).content.decode()
    assert "Text of the new version: Spanish version (optional)" in page
    response = client.post(
        url, {"body": "Keep it in the program.", "body_es": "Mantenerlo dentro del programa.", "resign": "minor"}
    )
    assert response.status_code == 302
    current = personas.program.documents.filter(kind="boundaries").order_by("-version").first()
    assert (current.body, current.body_es) == ("Keep it in the program.", "Mantenerlo dentro del programa.")
    assert "Mantenerlo dentro del programa." in client.get(url).content.decode()


def test_the_coordinator_saves_both_versions_of_a_training_module(personas, client_for):
    client = client_for(personas.coordinator)
    response = client.post(
        reverse("programs:training", args=[personas.program.pk]),
        {
            "title": "Listening",
            "title_es": "Escuchar",
            "description": "Hear first.",
            "description_es": "Primero escuchar.",
            "required": "on",
            "link": "",
            "position": "1",
        },
    )
    assert response.status_code == 302
    module = personas.program.training_modules.get(title="Listening")
    assert (module.title_es, module.description_es) == ("Escuchar", "Primero escuchar.")
    edit = client.get(reverse("programs:training_edit", args=[personas.program.pk, module.pk])).content.decode()
    assert 'value="Escuchar"' in edit and "Title: Spanish version (optional)" in edit


def test_the_coordinator_saves_the_spanish_public_introduction(personas, client_for):
    client = client_for(personas.coordinator)
    response = client.post(
        reverse("programs:public_page_settings", args=[personas.program.pk]),
        {"public_page_enabled": "on", "public_intro": "Welcome.", "public_intro_es": "Bienvenida."},
    )
    assert response.status_code == 302
    personas.program.refresh_from_db()
    assert (personas.program.public_intro, personas.program.public_intro_es) == ("Welcome.", "Bienvenida.")


def test_the_coordinator_adds_an_area_with_its_spanish_name(personas, client_for):
    response = client_for(personas.coordinator).post(
        reverse("programs:areas", args=[personas.program.pk]), {"name": "Grief", "name_es": "Duelo"}
    )
    assert response.status_code == 302
    assert personas.program.experience_areas.get(name="Grief").name_es == "Duelo"


def test_the_coordinator_saves_both_versions_of_a_listing(personas, client_for):
    category = CategoryFactory(name="Food pantries", name_es="Bancos de alimentos")
    response = client_for(personas.coordinator).post(
        reverse("resources:new"),
        {
            "program": personas.program.pk,
            "name": "Harbor Pantry",
            "name_es": "Despensa Harbor",
            "category": category.pk,
            "description": "Free groceries.",
            "description_es": "Alimentos gratis.",
            "hours": "Mon–Fri 9–5",
            "hours_es": "Lun–Vie 9–5",
            "cost": "Free",
            "cost_es": "Gratis",
            "eligibility": "Anyone",
            "eligibility_es": "Cualquier persona",
            "tags": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    resource = Resource.objects.get(name="Harbor Pantry")
    spanish = (resource.name_es, resource.description_es, resource.hours_es, resource.cost_es, resource.eligibility_es)
    assert spanish == (
        "Despensa Harbor",
        "Alimentos gratis.",
        "Lun–Vie 9–5",
        "Gratis",
        "Cualquier persona",
    )


# --- resources in Spanish -----------------------------------------------------------------------


def test_a_resource_shows_in_spanish_when_it_has_a_spanish_version(personas, client_for):
    category = CategoryFactory(name="Food pantries", name_es="Bancos de alimentos")
    resource = ResourceFactory(
        program=personas.program,
        category=category,
        name="Harbor Pantry",
        name_es="Despensa Harbor",
        description="Free groceries every week.",
        description_es="Alimentos gratis cada semana.",
        hours="Weekdays",
        hours_es="Entre semana",
    )
    client = _es(client_for(personas.mentee))
    html = client.get(reverse("resources:detail", args=[resource.pk]), **ES).content.decode()
    assert "Despensa Harbor" in html and "Alimentos gratis cada semana." in html and "Entre semana" in html
    assert "Bancos de alimentos" in html
    assert "Harbor Pantry" not in html and "Free groceries" not in html and "Weekdays" not in html
    assert "Horario" in html and "Recursos" in html
    listing = client.get(reverse("resources:directory"), **ES).content.decode()
    assert "Despensa Harbor" in listing and "Harbor Pantry" not in listing
    assert "Buscar" in listing and "Cualquier categoría" in listing


def test_a_resource_names_its_languages_rather_than_their_codes(personas, client_for):
    resource = ResourceFactory(program=personas.program, languages=["en", "es"])
    html = client_for(personas.mentee).get(reverse("resources:detail", args=[resource.pk])).content.decode()
    assert "English, Spanish" in html
    assert "en, es" not in html


def test_a_resource_without_a_spanish_version_shows_in_english(personas, client_for):
    resource = ResourceFactory(program=personas.program, name="Harbor Pantry", description="Free groceries every week.")
    html = _es(client_for(personas.mentee)).get(reverse("resources:detail", args=[resource.pk]), **ES)
    html = html.content.decode()
    assert "Harbor Pantry" in html and "Free groceries every week." in html
    assert "Última verificación" in html  # the page itself is Spanish


def test_an_english_reader_sees_the_english_listing(personas, client_for):
    resource = ResourceFactory(program=personas.program, name="Harbor Pantry", name_es="Despensa Harbor")
    html = client_for(personas.mentee).get(reverse("resources:detail", args=[resource.pk])).content.decode()
    assert "Harbor Pantry" in html and "Despensa Harbor" not in html


def test_spanish_words_find_a_listing(personas, client_for):
    ResourceFactory(program=personas.program, name="Harbor Pantry", description_es="Alimentos gratis.")
    html = client_for(personas.mentee).get(reverse("resources:directory"), {"q": "alimentos"}).content.decode()
    assert "Harbor Pantry" in html


def test_the_default_categories_have_spanish_names():
    from resources.services import ensure_taxonomy

    ensure_taxonomy()
    crisis = Category.objects.get(name="Crisis lines")
    assert crisis.name_es == "Líneas de crisis"
    with translation.override("es"):
        assert str(crisis) == "Crisis y emergencias › Líneas de crisis"
    with translation.override("en"):
        assert str(crisis) == "Crisis and emergency › Crisis lines"


def test_the_csv_round_trip_keeps_the_spanish_columns_and_english_categories(personas):
    category = CategoryFactory(name="Food pantries", name_es="Bancos de alimentos")
    ResourceFactory(program=personas.program, category=category, name="Harbor Pantry", name_es="Despensa Harbor")
    with translation.override("es"):
        text = "".join(export_rows(Resource.objects.filter(program=personas.program)))
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["name_es"] == "Despensa Harbor"
    assert rows[0]["category"] == f"{category.parent.name} › Food pantries"  # English, whatever the language
    Resource.objects.all().delete()
    valid, errors = parse_csv(text, program=personas.program)
    assert errors == []
    import_rows(program=personas.program, rows=valid, by=None)
    assert Resource.objects.get().name_es == "Despensa Harbor"


def test_an_import_without_spanish_columns_keeps_the_spanish_text(personas):
    resource = ResourceFactory(program=personas.program, name="Harbor Pantry", name_es="Despensa Harbor", city="")
    text = f"name,category\nHarbor Pantry,{resource.category.parent.name} › {resource.category.name}\n"
    valid, errors = parse_csv(text, program=personas.program)
    assert errors == []
    import_rows(program=personas.program, rows=valid, by=None)
    resource.refresh_from_db()
    assert resource.name_es == "Despensa Harbor"


# --- skills and starter content -------------------------------------------------------------------


def test_a_skill_shows_its_spanish_name_with_fallback(personas):
    named = Skill.objects.create(program=personas.program, name="Listening", name_es="Escuchar")
    plain = Skill.objects.create(program=personas.program, name="Journaling")
    with translation.override("es"):
        assert (str(named), str(plain)) == ("Escuchar", "Journaling")
    with translation.override("en"):
        assert str(named) == "Listening"


def test_the_coordinator_adds_a_skill_with_its_spanish_name(personas, client_for):
    client_for(personas.coordinator).post(
        reverse("peer_sessions:skills", args=[personas.program.pk]), {"name": "Listening", "name_es": "Escuchar"}
    )
    assert personas.program.skills.get(name="Listening").name_es == "Escuchar"


def test_a_new_program_starts_with_spanish_starter_content(public_program):
    assert public_program.skills.get(name="Setting boundaries").name_es == "Poner límites"
    agreement = public_program.documents.get(kind=PolicyDocument.Kind.BOUNDARIES)
    assert agreement.body_es.startswith("Como mentor de pares")


# --- coordinator pages in Spanish ---------------------------------------------------------------


def test_coordinator_pages_are_in_spanish(personas, client_for):
    client = _es(client_for(personas.coordinator))
    pages = {
        reverse("programs:detail", args=[personas.program.pk]): ("Configuración", "Settings"),
        reverse("programs:applications", args=[personas.program.pk]): ("Solicitudes", "Applicant"),
        reverse("programs:training", args=[personas.program.pk]): ("Agregar un módulo", "Add a module"),
        reverse("programs:on_call", args=[personas.program.pk]): ("Turnos semanales", "Weekly rota"),
        reverse("programs:story_list", args=[personas.program.pk]): ("Historias", "Public page settings"),
        reverse("resources:review"): ("Revisar recursos", "Review listings"),
    }
    for url, (spanish, english) in pages.items():
        html = client.get(url, **ES).content.decode()
        assert spanish in html, url
        assert english not in html, url


def test_the_document_page_in_spanish_names_the_missing_spanish_version(personas, client_for):
    _agreement(personas.program)
    html = (
        _es(client_for(personas.coordinator))
        .get(reverse("programs:documents", args=[personas.program.pk, "boundaries"]), **ES)
        .content.decode()
    )
    assert "No hay versión en español" in html and "Publicar nueva versión" in html
    assert "Publish new version" not in html


def test_the_confirmation_after_adding_a_module_is_in_the_coordinators_language(personas, client_for):
    """The flash message after a setup or listing action was an English
    f-string whatever the reader's language; it is translated now, and names
    the module by its Spanish title for a Spanish reader."""
    personas.coordinator.language = "es"
    personas.coordinator.save(update_fields=["language"])
    client = client_for(personas.coordinator)
    response = client.post(
        reverse("programs:training", args=[personas.program.pk]),
        {"title": "Listening", "title_es": "Escuchar", "description": "Hear first.", "position": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert "«Escuchar» se agregó a la capacitación." in page
    assert "is added to the training" not in page
