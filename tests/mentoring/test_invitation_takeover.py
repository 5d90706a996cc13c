"""Issue 13, part 1: an invitation never hands someone else's account to the
inviter. Reproduced through real requests with two programs and their two
coordinators."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Invitation, Match, MenteeProfile, MentorProfile
from mentoring.services import invitation_accept, invitation_create, invitation_may_set_password
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


def test_the_applicants_own_invitation_still_sets_their_first_password(personas, django_capture_on_commit_callbacks):
    applicant = _accept_application_in_program_a(personas, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    [path] = _invite_paths(message.body)
    # Program B's invitation, sent meanwhile, does not take that right away.
    with django_capture_on_commit_callbacks(execute=True):
        _signed_in(personas.other_coordinator).post(
            reverse("mentoring:invitation_new"),
            {"full_name": "Dana", "email": APPLICANT, "role": "mentor", "program": personas.other_program.pk},
        )
    person = Client()
    assert 'type="password"' in person.get(path).content.decode()
    assert person.post(path, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)
    assert person.get(reverse("mentoring:home_mentee")).status_code == 200


def _coordinator_invites(personas, email, django_capture_on_commit_callbacks, program=None, role="mentee"):
    """Coordinator A invites ``email`` through the form; returns (client, response, emailed path)."""
    client = _signed_in(personas.coordinator)
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentoring:invitation_new"),
            {"full_name": "Nia Newcomer", "email": email, "role": role, "program": (program or personas.program).pk},
        )
    assert response.status_code == 200
    [message] = mail.outbox[before:]
    [path] = _invite_paths(message.body)
    return client, response, path


def test_neither_the_sent_page_nor_the_list_show_the_link(personas, django_capture_on_commit_callbacks):
    client, response, path = _coordinator_invites(personas, "nia@test.example", django_capture_on_commit_callbacks)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    sent_page = response.content.decode()
    assert "n…@test.example" in sent_page
    assert token not in sent_page and path not in sent_page
    list_page = client.get(reverse("mentoring:invitation_list")).content.decode()
    assert token not in list_page and _invite_paths(list_page) == []
    assert "Send again" in list_page


def test_the_same_answer_whether_or_not_the_address_has_an_account(personas, django_capture_on_commit_callbacks):
    _, new, _ = _coordinator_invites(personas, "nobody.yet@test.example", django_capture_on_commit_callbacks)
    _, existing, _ = _coordinator_invites(
        personas, personas.other_mentor.email, django_capture_on_commit_callbacks, program=personas.program
    )
    strip = re.compile(r"[A-Za-z0-9]{64}|/invitations/\d+/|[a-z.]+…@test\.example")  # csrf, ids, address
    assert strip.sub("", new.content.decode()) == strip.sub("", existing.content.decode())


def test_send_again_mails_a_fresh_link_and_the_old_one_stops_working(personas, django_capture_on_commit_callbacks):
    client, _, old_path = _coordinator_invites(personas, "nia@test.example", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mentoring:invitation_resend", args=[invitation.pk]), follow=True)
    page = response.content.decode()
    assert "A new link is on its way to n…@test.example" in page
    assert _invite_paths(page) == []
    [message] = mail.outbox[1:]
    assert message.to == ["nia@test.example"]
    [new_path] = _invite_paths(message.body)
    assert new_path != old_path
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    anonymous = Client()
    assert anonymous.get(old_path).status_code == 404
    assert anonymous.post(new_path, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
    assert MenteeProfile.objects.filter(user__email="nia@test.example", program=personas.program).exists()


def test_send_again_keeps_the_right_to_set_the_first_password(personas, django_capture_on_commit_callbacks):
    applicant = _accept_application_in_program_a(personas, django_capture_on_commit_callbacks)
    first = Invitation.objects.get()
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = _signed_in(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mentoring:invitation_resend", args=[first.pk]))
    [path] = _invite_paths(mail.outbox[-1].body)
    assert Client().post(path, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


def test_send_again_is_for_the_programs_coordinators_and_not_after_acceptance(personas, client_for):
    invitation, _ = invitation_create(
        program=personas.program, email="nia@test.example", full_name="Nia", role="mentee", invited_by=None
    )
    url = reverse("mentoring:invitation_resend", args=[invitation.pk])
    assert client_for(personas.other_coordinator).post(url).status_code == 404
    assert client_for(personas.coordinator).get(url).status_code == 405
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    response = client_for(personas.coordinator).post(url, follow=True)
    assert "already accepted" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_an_existing_account_must_sign_in_and_the_role_waits_for_acceptance(
    personas, django_capture_on_commit_callbacks
):
    mentor = personas.other_mentor  # program A's mentor, invited by program B as a mentee
    coordinator_b = _signed_in(personas.other_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_b.post(
            reverse("mentoring:invitation_new"),
            {"full_name": "Oscar", "email": mentor.email, "role": "mentee", "program": personas.other_program.pk},
        )
    [path] = _invite_paths(mail.outbox[-1].body)
    anonymous = Client()
    page = anonymous.get(path).content.decode()
    assert "Sign in to accept" in page and 'type="password"' not in page
    anonymous.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    mentor.refresh_from_db()
    assert mentor.check_password("correct horse battery")
    assert "_auth_user_id" not in anonymous.session
    # Nothing is attached yet: program B's coordinator cannot even open their page.
    assert not MenteeProfile.objects.filter(user=mentor, program=personas.other_program).exists()
    assert coordinator_b.get(reverse("mentoring:person_detail", args=[mentor.pk])).status_code == 404

    person = _signed_in(mentor)
    assert "Accept the invitation" in person.get(path).content.decode()
    assert not MenteeProfile.objects.filter(user=mentor, program=personas.other_program).exists()  # GET writes nothing
    assert person.post(path).status_code == 302
    assert MenteeProfile.objects.filter(user=mentor, program=personas.other_program).exists()
    assert coordinator_b.get(reverse("mentoring:person_detail", args=[mentor.pk])).status_code == 200


@pytest.mark.parametrize("invited", ["applicant", "newcomer", "program_a_mentor"])
def test_a_different_signed_in_account_is_refused_without_a_hint(
    invited, personas, django_capture_on_commit_callbacks
):
    if invited == "applicant":
        _accept_application_in_program_a(personas, django_capture_on_commit_callbacks)
        email = APPLICANT
    else:
        email = {"newcomer": "nobody.yet@test.example", "program_a_mentor": personas.mentor.email}[invited]
    invitation, link = invitation_create(
        program=personas.other_program, email=email, full_name="Someone", role="coordinator", invited_by=None
    )
    path = link.removeprefix(settings.SITE_URL)
    intruder = _signed_in(personas.other_mentee)
    for response in (intruder.get(path), intruder.post(path, {"password1": PASSWORD, "password2": PASSWORD})):
        assert response.status_code == 403
        page = response.content.decode()
        assert "This invitation is not for this account" in page
        assert email not in page and invitation.masked_email not in page
        assert 'type="password"' not in page and "already an account" not in page
    assert personas.other_mentee not in personas.other_program.coordinators.all()
    assert not get_user_model().objects.filter(email="nobody.yet@test.example").exists()
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert intruder.session["_auth_user_id"] == str(personas.other_mentee.pk)
    # "Sign out" comes back to the link, signed out.
    response = intruder.post(reverse("logout"), {"next": path})
    assert response.status_code == 302 and response["Location"] == path


def test_the_service_refuses_a_first_password_for_an_account_it_did_not_create(
    personas, django_capture_on_commit_callbacks
):
    applicant = _accept_application_in_program_a(personas, django_capture_on_commit_callbacks)
    invitation, _ = invitation_create(
        program=personas.other_program, email=APPLICANT, full_name="Dana", role="mentee", invited_by=None
    )
    assert not invitation_may_set_password(invitation)
    with pytest.raises(ValidationError):
        invitation_accept(invitation=invitation, password=PASSWORD)
    applicant.refresh_from_db()
    assert not applicant.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_another_programs_application_for_an_existing_account_waits_for_acceptance(
    personas, django_capture_on_commit_callbacks
):
    mentee = personas.mentee  # program A's mentee applies (or someone applies in their name) to program B
    application = ApplicationFactory(
        program=personas.other_program, kind="mentor", email=mentee.email, phone="555-0142", ok_to_text=True
    )
    coordinator_b = _signed_in(personas.other_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_b.post(
            reverse("programs:application_detail", args=[application.pk]),
            {"action": "decide", "decision": "accepted", "reason": "Good fit."},
            follow=True,
        )
    assert "An invitation is on its way to their email." in response.content.decode()
    assert not MentorProfile.objects.filter(user=mentee, program=personas.other_program).exists()
    assert not ConsentRecord.objects.filter(person=mentee, program=personas.other_program).exists()
    assert coordinator_b.get(reverse("mentoring:person_detail", args=[mentee.pk])).status_code == 404
    [path] = _invite_paths(mail.outbox[-1].body)
    assert 'type="password"' not in Client().get(path).content.decode()

    assert _signed_in(mentee).post(path).status_code == 302
    assert MentorProfile.objects.filter(user=mentee, program=personas.other_program).exists()
    assert ConsentRecord.objects.filter(person=mentee, program=personas.other_program).exists()
    mentee.refresh_from_db()
    assert (mentee.phone, mentee.ok_to_text) == ("", False)


def test_graduation_invite_asks_the_graduate_to_sign_in(personas, django_capture_on_commit_callbacks):
    from mentoring.services import graduation_invite

    match = personas.match
    Match.objects.filter(pk=match.pk).update(status=Match.Status.CLOSED, close_reason=Match.CloseReason.GRADUATED)
    match.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = graduation_invite(match=match, invited_by=personas.coordinator)
    [path] = _invite_paths(mail.outbox[-1].body)
    page = Client().get(path).content.decode()
    assert "Sign in to accept" in page and 'type="password"' not in page
    assert _signed_in(personas.mentee).post(path).status_code == 302
    assert MentorProfile.objects.filter(user=personas.mentee, program=personas.program).exists()


def test_password_reset_reaches_an_account_that_never_chose_a_password(
    personas, django_capture_on_commit_callbacks
):
    _accept_application_in_program_a(personas, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    Client().post(reverse("password_reset"), {"email": APPLICANT.upper()})
    assert [m.to for m in mail.outbox] == [[APPLICANT]]
    Client().post(reverse("password_reset"), {"email": "nobody.here@test.example"})
    assert len(mail.outbox) == 1
