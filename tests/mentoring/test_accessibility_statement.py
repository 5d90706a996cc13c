"""The accessibility statement (issue 19): anyone can read it, in English or
Spanish, it says how to report a barrier, and every page links to it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/accessibility/"


def test_a_visitor_reads_the_statement_without_signing_in(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "access@program.example"
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "WCAG) 2.2, level AA" in body
    assert "Tell us about a barrier" in body
    assert 'href="mailto:access@program.example"' in body
    assert "Known limitations" in body
    assert "Last reviewed on" in body


def test_without_a_contact_address_a_visitor_is_sent_to_their_program(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = ""
    body = client.get(URL).content.decode()
    assert "mailto:" not in body
    assert "Please contact the program that invited you or gave you this link." in body


def test_a_signed_in_mentee_is_told_their_coordinators(personas, client_for, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = ""
    body = client_for(personas.mentee).get(URL).content.decode()
    assert "You can also tell your program's coordinators:" in body
    assert f"{personas.program.name}: {personas.coordinator.get_full_name()}" in body
    assert personas.other_coordinator.get_full_name() not in body  # not their program


def test_the_statement_in_spanish(client):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert '<html lang="es">' in body  # WCAG 3.1.1: the page says its language
    assert "Cuéntenos sobre una barrera" in body
    assert "Limitaciones conocidas" in body
    assert "Tell us about a barrier" not in body
    assert "Known limitations" not in body


def test_a_bad_review_date_setting_does_not_break_the_page(client, settings):
    settings.ACCESSIBILITY_REVIEWED = "not a date"
    response = client.get(URL)
    assert response.status_code == 200
    assert "Last reviewed on" not in response.content.decode()


def test_every_page_links_to_the_statement_in_its_footer(client):
    for url in (reverse("mentoring:landing"), reverse("mentoring:crisis"), reverse("login")):
        body = client.get(url).content.decode()
        footer = body[body.index("<footer") :]
        assert f'href="{URL}"' in footer, url
