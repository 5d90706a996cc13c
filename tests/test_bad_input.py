"""Ids that arrive in query strings and form fields are typed by people (or
tampered with): garbage gets a 404 or the form again, never a 500."""

from django.urls import reverse

from programs.models import PolicyDocument


def test_garbage_ids_never_cause_a_server_error(personas, client_for):
    coordinator = client_for(personas.coordinator)
    assert (
        coordinator.post(reverse("mentoring:propose", args=[personas.match.mentee.pk]), {"mentor": "abc"}).status_code
        == 404
    )
    assert (
        coordinator.post(reverse("peer_sessions:skills", args=[personas.program.pk]), {"toggle": "x"}).status_code
        == 404
    )
    assert coordinator.get(reverse("resources:new") + "?program=abc").status_code == 200
    assert coordinator.get(reverse("mentoring:invitation_new") + "?program=abc&role=wizard").status_code == 200

    PolicyDocument.objects.create(program=personas.program, kind="boundaries", version=1, body="Keep boundaries.")
    mentor = client_for(personas.mentor)
    url = reverse("programs:agreement_sign", args=[personas.match.mentor.pk])
    assert mentor.post(url, {"document": "1; drop", "agree": "on", "typed_name": "x"}).status_code == 404
    # Not a number: the mentee's own (first) profile is used.
    assert client_for(personas.mentee).get(reverse("goals:checkin") + "?mentee=abc").status_code == 200
