"""Issue 17.7: the undelivered-reminders link leads to a coordinator page (the
admin refused coordinators): what failed, for whom, why, "retry" and "mark
handled"."""

from django.urls import reverse

from mentoring.models import Delivery
from mentoring.notifications.outbox import claim
from tests.factories import DeliveryFactory


def _dead(personas, program=None, **extra):
    return DeliveryFactory(
        recipient=personas.mentee,
        program=program or personas.program,
        channel="email",
        status=Delivery.Status.DEAD,
        attempts=5,
        last_error="550 mailbox unavailable",
        **extra,
    )


def test_the_dashboard_link_leads_to_the_coordinators_page_not_the_admin(personas, client_for):
    _dead(personas)
    client = client_for(personas.coordinator)
    home = client.get(reverse("mentoring:home_coordinator")).content.decode()
    assert f'href="{reverse("mentoring:undelivered")}"' in home
    assert "admin/mentoring/delivery" not in home
    page = client.get(reverse("mentoring:undelivered"))
    assert page.status_code == 200
    html = page.content.decode()
    assert str(personas.mentee) in html and "550 mailbox unavailable" in html and "by email" in html


def test_other_programs_dead_letters_are_not_listed(personas, client_for):
    mine, theirs = _dead(personas), _dead(personas, program=personas.other_program)
    listed = list(client_for(personas.coordinator).get(reverse("mentoring:undelivered")).context["page"])
    assert listed == [mine] and theirs not in listed


def test_retry_puts_the_reminder_back_in_the_outbox_for_the_next_dispatch(personas, client_for):
    row = _dead(personas)
    response = client_for(personas.coordinator).post(reverse("mentoring:undelivered_retry", args=[row.pk]))
    assert response.status_code == 302 and response.url == reverse("mentoring:undelivered")
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.PENDING, 0)
    assert row.pk in claim(row.next_attempt_at)


def test_mark_handled_takes_it_off_the_list(personas, client_for):
    row = _dead(personas)
    client = client_for(personas.coordinator)
    client.post(reverse("mentoring:undelivered_handled", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == Delivery.Status.SKIPPED and row.last_error == "550 mailbox unavailable"
    assert list(client.get(reverse("mentoring:undelivered")).context["page"]) == []
    # A second click changes nothing and still answers.
    assert client.post(reverse("mentoring:undelivered_retry", args=[row.pk])).status_code == 404
