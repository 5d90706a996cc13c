"""Issue 13, part 1: an invitation never hands someone else's account to the
inviter. Reproduced through real requests with two programs and their two
coordinators."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from mentoring.models import MenteeProfile
from programs.models import ConsentRecord
from tests.factories import ApplicationFactory

APPLICANT = "applicant@example.org"
PASSWORD = "a-long-and-unusual-passphrase-42"
INVITE_PATH = re.compile(r"/invite/[^/\s\"'<]+/")


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _invite_paths(text):
    return INVITE_PATH.findall(text)


def _accept_application_in_program_a(personas, django_capture_on_commit_callbacks):
    application = ApplicationFactory(
        program=personas.program, kind="mentee", full_name="Dana Applicant", email=APPLICANT, details={}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(personas.coordinator).post(
            reverse("programs:application_detail", args=[application.pk]),
            {"action": "decide", "decision": "accepted", "reason": "Good fit."},
        )
    assert response.status_code == 302
    applicant = get_user_model().objects.get(email=APPLICANT)
    assert not applicant.has_usable_password()
    assert MenteeProfile.objects.filter(user=applicant, program=personas.program).exists()
    assert ConsentRecord.objects.filter(person=applicant, program=personas.program).exists()
    return applicant


def test_another_programs_coordinator_cannot_take_over_an_accepted_applicant(
    personas, django_capture_on_commit_callbacks
):
    applicant = _accept_application_in_program_a(personas, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    # The coordinator of unrelated program B invites the applicant's email.
    coordinator_b = _signed_in(personas.other_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_b.post(
            reverse("mentoring:invitation_new"),
            {"full_name": "Dana", "email": APPLICANT, "role": "mentee", "program": personas.other_program.pk},
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    # The inviter never sees the link; only a masked address.
    assert _invite_paths(page) == []
    assert APPLICANT not in page
    assert "a…@example.org" in page
    list_page = coordinator_b.get(reverse("mentoring:invitation_list")).content.decode()
    assert _invite_paths(list_page) == []

    # Even whoever holds the emailed link cannot set the password or sign in.
    [message] = mail.outbox
    [path] = _invite_paths(message.body)
    holder = Client()
    form_page = holder.get(path).content.decode()
    assert 'type="password"' not in form_page
    holder.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    applicant.refresh_from_db()
    assert not applicant.has_usable_password()
    assert "_auth_user_id" not in holder.session
    assert holder.get(reverse("mentoring:home_mentee")).status_code == 302  # to sign-in
    # Program B holds no role for the applicant until they accept as themselves.
    assert not MenteeProfile.objects.filter(user=applicant, program=personas.other_program).exists()
