"""Issue 17.3: repeats are recognised (repeat applications, the applicant
who never used the invitation)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Invitation, MenteeProfile
from programs.models import Application
from tests.factories import ApplicationFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    coordinator = UserFactory()
    program = ProgramFactory(coordinators=[coordinator])
    first = ApplicationFactory(program=program, email="alex@example.org", kind="mentee", full_name="Alex")
    second = ApplicationFactory(program=program, email="Alex@Example.org", kind="mentee", full_name="Alex")
    other = ApplicationFactory(program=program, email="sam@example.org", kind="mentee")
    return program, coordinator, first, second, other


def _decide(client, application, decision="accepted"):
    return client.post(
        reverse("programs:application_detail", args=[application.pk]),
        {"action": "decide", "decision": decision, "reason": "Welcome."},
    )


def test_repeat_applications_are_flagged_on_the_review_queue(client, queue):
    program, coordinator, first, second, other = queue
    client.force_login(coordinator)
    page = client.get(reverse("programs:applications", args=[program.pk]))
    rows = {a.pk: a.repeat_count for a in page.context["page"]}
    assert rows == {first.pk: 1, second.pk: 1, other.pk: 0}
    assert "Repeat: 1 other from this email" in page.content.decode()
    detail = client.get(reverse("programs:application_detail", args=[second.pk]))
    assert list(detail.context["repeats"]) == [first]


def test_a_repeat_can_be_merged(client, queue):
    program, coordinator, first, second, _ = queue
    client.force_login(coordinator)
    response = client.post(
        reverse("programs:application_detail", args=[first.pk]), {"action": "merge", "repeat": str(second.pk)}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first and second.status == Application.Status.DECLINED
    assert first.notes.filter(body__contains=f"#{second.pk}").exists()
    page = client.get(reverse("programs:applications", args=[program.pk]))
    assert {a.pk: a.repeat_count for a in page.context["page"]}[first.pk] == 0
    assert mail.outbox == []
    # Another program's application cannot be merged through this page.
    stranger = ApplicationFactory(email="alex@example.org")
    client.post(reverse("programs:application_detail", args=[first.pk]), {"action": "merge", "repeat": stranger.pk})
    stranger.refresh_from_db()
    assert stranger.merged_into is None


def test_accepting_both_keeps_the_first_link_working(client, queue, django_capture_on_commit_callbacks):
    program, coordinator, first, second, _ = queue
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, first)
        _decide(client, second)
    invitations = Invitation.objects.filter(program=program, email__iexact="alex@example.org")
    assert invitations.count() == 1 and invitations.get().is_usable
    assert len(mail.outbox) == 1
    [path] = re.findall(r"/invite/[^/\s]+/", mail.outbox[0].body)
    response = Client().post(path, {"password1": "a-long-new-Passw0rd", "password2": "a-long-new-Passw0rd"})
    assert response.status_code == 302
    assert get_user_model().objects.get(email__iexact="alex@example.org").has_usable_password()


def test_accepted_applicant_who_never_used_the_invitation_gets_a_reset_link(
    client, queue, django_capture_on_commit_callbacks
):
    """The example of the issue, end to end: accepted, the invitation lapses
    after 14 days, "Forgot password" sends a link, and it works."""
    program, coordinator, first, _, _ = queue
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, first)
    Invitation.objects.filter(program=program).update(expires_at=timezone.now() - timedelta(days=1))
    mail.outbox.clear()
    applicant = Client()
    with django_capture_on_commit_callbacks(execute=True):
        applicant.post(reverse("password_reset"), {"email": "ALEX@example.org"})
    assert [m.to for m in mail.outbox] == [["alex@example.org"]]
    [link] = re.findall(r"/accounts/password/reset/[^\s]+/", mail.outbox[0].body)
    form_page = applicant.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    done = applicant.post(set_url, {"new_password1": "a-long-new-Passw0rd", "new_password2": "a-long-new-Passw0rd"})
    assert done.status_code == 302
    assert get_user_model().objects.get(email="alex@example.org").check_password("a-long-new-Passw0rd")
    assert MenteeProfile.objects.filter(user__email="alex@example.org", program=program).exists()
