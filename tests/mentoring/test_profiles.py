"""Profile editing: people edit their own; coordinators edit all in their
programs and alone may name people who must never be matched."""

from django.urls import reverse

from tests.factories import MenteeProfileFactory


def _edit_url(personas):
    return reverse("mentoring:profile_edit", args=["mentor", personas.match.mentor.pk])


def test_only_coordinators_get_the_never_match_field(personas, client_for):
    assert "excluded_people" in client_for(personas.coordinator).get(_edit_url(personas)).context["form"].fields
    assert "excluded_people" not in client_for(personas.mentor).get(_edit_url(personas)).context["form"].fields


def test_coordinator_excludes_a_mentee_of_the_same_program_only(personas, client_for):
    outsider = MenteeProfileFactory(program=personas.other_program).user
    form = client_for(personas.coordinator).get(_edit_url(personas)).context["form"]
    choices = set(form.fields["excluded_people"].queryset)
    assert {personas.mentee, personas.other_mentee} == choices
    assert outsider not in choices
    response = client_for(personas.coordinator).post(
        _edit_url(personas), {"capacity": 2, "excluded_people": [personas.other_mentee.pk]}
    )
    assert response.status_code == 302
    assert list(personas.match.mentor.excluded_people.all()) == [personas.other_mentee]


def test_a_mentor_saving_their_profile_keeps_the_coordinators_exclusions(personas, client_for):
    personas.match.mentor.excluded_people.add(personas.other_mentee)
    response = client_for(personas.mentor).post(
        _edit_url(personas), {"capacity": 3, "interests": "chess, Chess, running"}
    )
    assert response.status_code == 302
    mentor = personas.match.mentor
    mentor.refresh_from_db()
    assert mentor.capacity == 3
    assert mentor.interests == ["chess", "running"]
    assert list(mentor.excluded_people.all()) == [personas.other_mentee]


def test_bad_capacity_is_explained_and_nothing_changes(personas, client_for):
    response = client_for(personas.mentor).post(_edit_url(personas), {"capacity": 0, "city": "Typed City"})
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    assert 'value="Typed City"' in response.content.decode()
    personas.match.mentor.refresh_from_db()
    assert personas.match.mentor.city == ""
