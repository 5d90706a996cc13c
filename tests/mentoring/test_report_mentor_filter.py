"""The reports' mentor filter at scale (issue 18, part i18d): the report page no
longer lists every mentor of the coordinator's programs in a <select> (25,000
at 100,000 mentees); the coordinator types a name or an ID (htmx suggests at
most ten mentors as they type), and the URL keeps the chosen mentor as an id."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.factories import MentorProfileFactory, ProgramFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

DATES = {"start": "2024-01-01", "end": "2024-01-31"}


def report_url(slug="sessions"):
    return reverse("mentoring:report", args=[slug])


def mentors_url(slug="sessions"):
    return reverse("mentoring:report_mentors", args=[slug])


def named(program, name):
    return MentorProfileFactory(program=program, user=UserFactory(full_name=name))


def many_mentors(program, count, prefix="Mentor"):
    return [named(program, f"{prefix} {n:03d}") for n in range(count)]


def held(match, day, minutes=60):
    return SessionFactory(
        match=match, starts_at=datetime(2024, 1, day, 17, tzinfo=UTC), duration_minutes=minutes, status="completed"
    )


def test_the_report_page_does_not_list_every_mentor(personas, client_for):
    """Before: one <option> per mentor (2,500 at 10,000 mentees): the page grew with the program."""
    client = client_for(personas.coordinator)
    small = client.get(report_url(), DATES).content.decode()
    many_mentors(personas.program, 60)
    body = client.get(report_url(), DATES).content.decode()

    assert '<select name="mentor"' not in body
    assert "Mentor 042" not in body
    assert len(body) - len(small) < 200  # bounded: the page does not grow with the mentors
    assert 'name="mentor_q"' in body
    assert f'hx-get="{mentors_url()}"' in body


def test_a_typed_name_filters_the_report_and_the_url_keeps_the_id(personas, client_for):
    held(personas.match, 10, 60)
    held(personas.other_match, 11, 30)
    mentor = personas.match.mentor
    typed = mentor.user.full_name.upper()[:-1]  # part of the name, any case

    response = client_for(personas.coordinator).get(report_url(), {**DATES, "mentor_q": typed})

    assert response.status_code == 200
    assert response.context["table"].rows == [["Jan 2024", 1, 1.0, 0, 0, 1, 1]]
    body = response.content.decode()
    assert f'<input type="hidden" name="mentor" value="{mentor.pk}">' in body
    csv_href = re.search(r'href="([^"]*export\.csv[^"]*)"', body).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(csv_href).query)
    assert query["mentor"] == [str(mentor.pk)]
    assert "mentor_q" not in query  # the name typed never goes into the export's URL
    assert query["start"] == ["2024-01-01"]


def test_an_id_typed_or_in_the_url_chooses_that_mentor(personas, client_for):
    held(personas.match, 10, 60)
    mentor = personas.match.mentor
    client = client_for(personas.coordinator)
    by_id = client.get(report_url(), {**DATES, "mentor_q": str(mentor.pk)})
    in_url = client.get(report_url(), {**DATES, "mentor": mentor.pk})

    for response in (by_id, in_url):
        assert response.context["form"].cleaned_data["mentor"] == mentor
        assert response.context["table"].rows == [["Jan 2024", 1, 1.0, 0, 0, 1, 1]]
        assert mentor.user.full_name in response.content.decode()


def test_several_matches_are_offered_as_links_at_most_ten(personas, client_for):
    many_mentors(personas.program, 14, prefix="Rivera")
    response = client_for(personas.coordinator).get(report_url(), {**DATES, "mentor_q": "rivera"})

    form = response.context["form"]
    assert "Several mentors match" in form.errors["mentor_q"][0]
    links = re.findall(r'href="(/reports/sessions/\?[^"]*mentor=\d+[^"]*)"', response.content.decode())
    assert len(links) == 10
    query = parse_qs(urlsplit(links[0].replace("&amp;", "&")).query)
    assert query["start"] == ["2024-01-01"] and "mentor_q" not in query


def test_the_suggestions_are_bounded_and_only_the_coordinators_programs(personas, client_for):
    many_mentors(personas.program, 14, prefix="Okafor")
    stranger = named(personas.other_program, "Okafor Elsewhere")
    program_c = ProgramFactory(name="Program C", coordinators=[personas.coordinator])
    own_c = named(program_c, "Okafor In C")
    client = client_for(personas.coordinator)

    response = client.get(mentors_url(), {"mentor_q": "okafor", **DATES})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<li>") == 10
    assert "More mentors match" in body
    assert "Okafor Elsewhere" not in body and f"mentor={stranger.pk}" not in body

    in_c = client.get(mentors_url(), {"mentor_q": "okafor", "program": program_c.pk}).content.decode()
    assert f"mentor={own_c.pk}" in in_c and in_c.count("<li>") == 1
    assert client.get(mentors_url(), {"mentor_q": str(stranger.pk)}).content.decode().count("<li>") == 0
    assert "No mentor of your programs matches" in client.get(mentors_url(), {"mentor_q": "zzz"}).content.decode()
    assert client.get(mentors_url(), {"mentor_q": "9" * 40}).status_code == 200
    assert client.get(mentors_url(), {"mentor_q": "a", "program": "x"}).status_code == 404


def test_the_suggestions_answer_in_a_fixed_number_of_queries(personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.coordinator)
    many_mentors(personas.program, 5, prefix="Nguyen")
    client.get(mentors_url(), {"mentor_q": "nguyen"})
    with django_assert_max_num_queries(12) as few:
        client.get(mentors_url(), {"mentor_q": "nguyen"})
    many_mentors(personas.program, 40, prefix="Nguyen B")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(mentors_url(), {"mentor_q": "nguyen"})


def test_the_mentor_filter_in_spanish(personas, client_for):
    many_mentors(personas.program, 12, prefix="Rivera")
    client = client_for(personas.coordinator)
    page = client.get(report_url(), {**DATES, "mentor_q": "rivera"}, HTTP_ACCEPT_LANGUAGE="es")
    body = page.content.decode()
    assert "Mentor (nombre o ID)" in body and "Mentor (name or ID)" not in body
    assert "Varios mentores coinciden" in body and "Several mentors match" not in body
    suggestions = client.get(mentors_url(), {"mentor_q": "rivera"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Hay más mentores que coinciden" in suggestions and "More mentors match" not in suggestions
    none = client.get(mentors_url(), {"mentor_q": "zzz"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ningún mentor de sus programas coincide." in none
