"""Bad input on the applications list's filters (a GET form typed into a URL):
the reason next to the filter and in a summary (the list itself unfiltered, as
before; before, nothing said the filter was not applied)."""

import pytest
from django.urls import reverse

from programs.models import Application

pytestmark = pytest.mark.django_db


def test_an_application_filter_the_form_refuses_says_why(personas, client_for):
    """The same kind on the applications list: a status that does not exist or
    a name longer than the field listed every application as if unfiltered,
    with no word why."""
    Application.objects.create(program=personas.program, full_name="Pat Applicant", email="pat@example.org")
    client = client_for(personas.coordinator)
    url = reverse("programs:applications", args=[personas.program.pk])
    assert "Pat Applicant" in client.get(url).content.decode()
    for query in ({"status": "nonsense"}, {"q": "p" * 101}):
        response = client.get(url, query)
        body = response.content.decode()
        assert response.status_code == 200, query
        assert 'class="invalid-feedback d-block"' in body and "data-error-summary" in body, query
