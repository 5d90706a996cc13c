"""Issue 18: no <select> that lists every person (mentoring.people_pick).

A resource's "Share with", a group's "Book in" and a new group's facilitators
listed an option per person (100,000 at 100,000 mentees). Past SELECT_MAX
people they become a typed name, email or ID matched inside the same
access-policy queryset: the page stays the same size from 60 to 600 people,
a typed name shares or books the right person, someone of another program
typed exactly is "no match", several matches come back as at most ten radio
buttons with the typed text kept, and bad input never gives a 500."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.people_pick import MATCHES_MAX, SELECT_MAX
from resources.models import Share
from sessions.models import GroupSession, Registration
from tests.factories import (
    GroupSessionFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ResourceFactory,
    UserFactory,
)


def _crowd(program, count, *, start=0):
    """``count`` mentees of ``program`` named "Crowd Person <n>"."""
    return [
        MenteeProfileFactory(program=program, user__full_name=f"Crowd Person {n}", user__email=f"crowd{n}@example.org")
        for n in range(start, start + count)
    ]


def _radios(body, name):
    return len(re.findall(rf'<input type="radio"[^>]* name="{name}"', body))


def _group(personas):
    start = timezone.localtime(timezone.now() + timedelta(days=2)).replace(hour=12, minute=0, second=0, microsecond=0)
    group = GroupSessionFactory(
        program=personas.program, starts_at=start, ends_at=start + timedelta(hours=1), capacity=5
    )
    group.facilitators.add(personas.other_mentor)
    return group


def _flat(get, program):
    """(HTML bytes, <option> count) of the page with 60 and then 600 people in ``program``."""
    figures = []
    for count, start in ((60, 0), (540, 60)):
        _crowd(program, count, start=start)
        body = get().content
        figures.append((len(body), body.count(b"<option")))
    return figures


# --- the pages stay the same size -----------------------------------------------------------------


def test_the_share_form_keeps_its_select_while_small(personas, client_for):
    resource = ResourceFactory(program=None)
    body = client_for(personas.coordinator).get(reverse("resources:detail", args=[resource.pk])).content.decode()
    assert '<select name="mentee"' in body and "Mel Mentee" in body


@pytest.mark.parametrize(
    "page",
    ["resource", "group", "new group"],
)
def test_a_page_that_chooses_a_person_stays_flat_from_60_to_600_people(personas, client_for, page):
    client = client_for(personas.coordinator)
    if page == "resource":
        url = reverse("resources:detail", args=[ResourceFactory(program=None).pk])
    elif page == "group":
        url = reverse("peer_sessions:group_detail", args=[_group(personas).pk])
    else:
        url = reverse("peer_sessions:group_new", args=[personas.program.pk])
        # Facilitators are mentors, volunteers and coordinators: the crowd needs mentors too.
        MentorProfileFactory.create_batch(SELECT_MAX, program=personas.program)
    (small, small_options), (big, big_options) = _flat(lambda: client.get(url), personas.program)
    assert big_options == small_options < 40  # no option per person (the page's other lists only)
    assert abs(big - small) < 300, (small, big)
    assert b"Crowd Person" not in client.get(url).content


# --- share ---------------------------------------------------------------------------------------


def _share_url(resource):
    return reverse("resources:detail", args=[resource.pk])


def test_a_typed_name_shares_with_the_right_mentee(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    resource = ResourceFactory(program=None)
    wanted = MenteeProfileFactory(program=personas.program, user__full_name="Zelda Quintero")
    client = client_for(personas.coordinator)
    response = client.post(_share_url(resource), {"mentee_q": "zelda quin", "note": "Hi"})
    assert response.status_code == 302
    share = Share.objects.get()
    assert (share.mentee, share.shared_by, share.note) == (wanted, personas.coordinator, "Hi")


def test_an_email_or_id_shares_too(personas, client_for):
    crowd = _crowd(personas.program, SELECT_MAX + 5)
    resource = ResourceFactory(program=None)
    client = client_for(personas.coordinator)
    assert client.post(_share_url(resource), {"mentee_q": "CROWD7@example.org"}).status_code == 302
    assert client.post(_share_url(resource), {"mentee_q": str(crowd[9].user.pk)}).status_code == 302
    assert [s.mentee for s in Share.objects.order_by("pk")] == [crowd[7], crowd[9]]


def test_another_programs_mentee_typed_exactly_is_no_match(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    stranger = MenteeProfileFactory(
        program=personas.other_program, user__full_name="Xavier Elsewhere", user__email="xavier@example.org"
    )
    resource = ResourceFactory(program=None)
    client = client_for(personas.coordinator)
    for typed in ("Xavier Elsewhere", "xavier@example.org", str(stranger.user.pk)):
        response = client.post(_share_url(resource), {"mentee_q": typed})
        assert response.status_code == 200
        assert response.context["share_form"].errors["mentee_q"] == [f"No one you may choose here matches “{typed}”."]
        assert "Xavier" not in response.content.decode().replace(typed, "")
    assert not Share.objects.exists()


def test_several_matches_come_back_as_radio_buttons_and_one_is_chosen(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    first = MenteeProfileFactory(program=personas.program, user__full_name="Ana Diaz")
    second = MenteeProfileFactory(program=personas.program, user__full_name="Ana Diaz Lopez")
    third = MenteeProfileFactory(program=personas.program, user__full_name="Anabel Diaz")
    resource = ResourceFactory(program=None)
    client = client_for(personas.coordinator)
    response = client.post(_share_url(resource), {"mentee_q": "diaz", "note": "Kept"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Several people match “diaz”" in body
    assert _radios(body, "mentee") == 3
    assert 'value="diaz"' in body and "Kept" in body  # what was typed stays
    # The exact whole name wins over longer ones.
    assert client.post(_share_url(resource), {"mentee_q": "Ana Diaz"}).status_code == 302
    # A radio button of the matches.
    assert client.post(_share_url(resource), {"mentee_q": "diaz", "mentee": third.pk}).status_code == 302
    # A radio that does not match the text (or a made-up id) does not count.
    response = client.post(_share_url(resource), {"mentee_q": "diaz", "mentee": 10**20})
    assert response.status_code == 200
    assert [s.mentee for s in Share.objects.order_by("pk")] == [first, third]
    assert second not in [s.mentee for s in Share.objects.all()]


def test_at_most_ten_matches_are_shown(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    response = client_for(personas.coordinator).post(
        _share_url(ResourceFactory(program=None)), {"mentee_q": "crowd person"}
    )
    body = response.content.decode()
    assert _radios(body, "mentee") == MATCHES_MAX
    assert f"More than {MATCHES_MAX} people match" in body


@pytest.mark.parametrize(
    "typed",
    ["x" * 5000, "<script>alert(1)</script>", "🙂🙂 Ana", "Ana\x00Diaz", "%_%", "' OR 1=1 --", "9" * 40, ";;;"],
)
def test_bad_input_never_gives_a_500(personas, client_for, typed):
    _crowd(personas.program, SELECT_MAX + 5)
    client = client_for(personas.coordinator)
    response = client.post(_share_url(ResourceFactory(program=None)), {"mentee_q": typed, "mentee": typed})
    assert response.status_code == 200
    assert response.context["share_form"].errors["mentee_q"]
    assert "<script>alert(1)</script>" not in response.content.decode()
    group = _group(personas)
    response = client.post(reverse("peer_sessions:group_book", args=[group.pk]), {"person_q": typed, "person": typed})
    assert response.status_code == 200 and response.context["book_form"].errors["person_q"]
    assert not Share.objects.exists() and not Registration.objects.exists()


def test_a_share_from_a_session_starts_with_its_mentee_chosen(personas):
    from mentoring.models import MenteeProfile
    from resources.forms import ShareForm

    _crowd(personas.program, SELECT_MAX + 5)
    mentees = MenteeProfile.objects.filter(program=personas.program).select_related("user", "program")
    html = str(ShareForm(mentees=mentees, initial={"mentee": personas.match.mentee.pk}))
    assert 'value="Mel Mentee"' in html
    assert f'type="radio" name="mentee" value="{personas.match.mentee.pk}"' in html and "checked" in html
    assert "<option" not in html


# --- book in -------------------------------------------------------------------------------------


def test_a_typed_name_books_the_right_person(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    group = _group(personas)
    wanted = MenteeProfileFactory(program=personas.program, user__full_name="Zelda Quintero").user
    response = client_for(personas.other_mentor).post(
        reverse("peer_sessions:group_book", args=[group.pk]), {"person_q": "Zelda"}
    )
    assert response.status_code == 302
    assert list(Registration.objects.values_list("user", "status")) == [(wanted.pk, "registered")]


def test_booking_refuses_another_programs_person_and_a_facilitator_cannot_match_emails(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    group = _group(personas)
    MenteeProfileFactory(program=personas.other_program, user__full_name="Xavier Elsewhere")
    url = reverse("peer_sessions:group_book", args=[group.pk])
    response = client_for(personas.coordinator).post(url, {"person_q": "Xavier Elsewhere"})
    assert response.status_code == 200
    assert response.context["book_form"].errors["person_q"] == [
        "No one you may choose here matches “Xavier Elsewhere”."
    ]
    # A mentor who facilitates sees names, never contact details: an email matches nothing for them.
    response = client_for(personas.other_mentor).post(url, {"person_q": "crowd3@example.org"})
    assert response.status_code == 200 and "person_q" in response.context["book_form"].errors
    assert client_for(personas.coordinator).post(url, {"person_q": "crowd3@example.org"}).status_code == 302
    assert not Registration.objects.exclude(user__email="crowd3@example.org").exists()


def test_ambiguous_booking_shows_the_matches_and_books_the_one_chosen(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    group = _group(personas)
    one = UserFactory(full_name="Sam Rivera")
    MenteeProfileFactory(program=personas.program, user=one)
    MenteeProfileFactory(program=personas.program, user__full_name="Sam Rivers")
    url = reverse("peer_sessions:group_book", args=[group.pk])
    client = client_for(personas.coordinator)
    response = client.post(url, {"person_q": "sam riv", "walk_in": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert _radios(body, "person") == 2 and 'value="sam riv"' in body
    assert client.post(url, {"person_q": "sam riv", "person": one.pk}).status_code == 302
    assert list(Registration.objects.values_list("user", flat=True)) == [one.pk]


# --- facilitators --------------------------------------------------------------------------------


def test_typed_facilitators_lead_the_new_group(personas, client_for):
    MentorProfileFactory.create_batch(SELECT_MAX + 5, program=personas.program)
    day = timezone.localdate(timezone=personas.coordinator.zone) + timedelta(days=3)
    data = {
        "kind": GroupSession.Kind.GROUP,
        "title": "Walk",
        "day": day.isoformat(),
        "start": "10:00",
        "end": "11:00",
        "capacity": 10,
    }
    url = reverse("peer_sessions:group_new", args=[personas.program.pk])
    client = client_for(personas.coordinator)
    response = client.post(url, data | {"facilitators_q": "Morgan Mentor; Nobody Known"})
    assert response.status_code == 200
    assert response.context["form"].errors["facilitators_q"] == ["No one you may choose here matches “Nobody Known”."]
    assert 'value="Morgan Mentor; Nobody Known"' in response.content.decode()
    response = client.post(url, data | {"facilitators_q": "Morgan Mentor; oscar othermentor"})
    assert response.status_code == 302
    group = GroupSession.objects.get()
    assert set(group.facilitators.all()) == {personas.mentor, personas.other_mentor}


def test_the_typed_field_is_in_spanish(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    group = _group(personas)
    client = client_for(personas.coordinator)
    body = client.get(reverse("peer_sessions:group_detail", args=[group.pk]), HTTP_ACCEPT_LANGUAGE="es").content
    body = body.decode()
    assert "nombre, correo electrónico o ID" in body and "name, email or ID" not in body
    response = client.post(
        reverse("peer_sessions:group_book", args=[group.pk]), {"person_q": "crowd person"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    body = response.content.decode()
    assert "Elija a quién se refiere" in body and "Choose who you mean" not in body


# --- never match with (found of the same kind: a mentor's profile listed every mentee) -------------


def test_never_match_with_is_typed_past_fifty_and_keeps_who_was_named(personas, client_for):
    mentor = personas.match.mentor
    mentor.excluded_people.add(personas.other_mentee)
    url = reverse("mentoring:profile_edit", args=["mentor", mentor.pk])
    client = client_for(personas.coordinator)
    (small, small_options), (big, big_options) = _flat(lambda: client.get(url), personas.program)
    assert big_options == small_options and abs(big - small) < 300, (small, big)
    body = client.get(url).content.decode()
    # Who is already named stays named: their name typed, their box ticked.
    assert 'value="Opal Othermentee"' in body
    assert re.search(
        rf'type="checkbox"[^>]* name="excluded_people" value="{personas.other_mentee.pk}"[^>]*checked', body
    )
    data = {
        "capacity": 2,
        "excluded_people_q": "Opal Othermentee; crowd5@example.org",
        "excluded_people": [personas.other_mentee.pk],
    }
    assert client.post(url, data).status_code == 302
    assert set(mentor.excluded_people.values_list("email", flat=True)) == {
        "other.mentee@test.example",
        "crowd5@example.org",
    }
    # A mentee of another program typed exactly is no match, and nothing changes.
    MenteeProfileFactory(program=personas.other_program, user__full_name="Xavier Elsewhere")
    response = client.post(url, data | {"excluded_people_q": "Xavier Elsewhere"})
    assert response.status_code == 200 and response.context["form"].errors["excluded_people_q"]
    assert mentor.excluded_people.count() == 2


def test_the_whole_name_or_a_choice_counts_wherever_it_sorts(personas, client_for):
    _crowd(personas.program, SELECT_MAX + 5)
    for n in range(MATCHES_MAX + 2):
        MenteeProfileFactory(program=personas.program, user__full_name=f"Aaron Ana {n}")
    ana = MenteeProfileFactory(program=personas.program, user__full_name="Ana")
    late = MenteeProfileFactory(program=personas.program, user__full_name="Zoe Ana")
    resource = ResourceFactory(program=None)
    client = client_for(personas.coordinator)
    assert client.post(_share_url(resource), {"mentee_q": "ana"}).status_code == 302
    assert client.post(_share_url(resource), {"mentee_q": "ana", "mentee": late.pk}).status_code == 302
    assert [s.mentee for s in Share.objects.order_by("pk")] == [ana, late]
