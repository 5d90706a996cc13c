"""The coordinator's on-call page: add a shift, set the fallback and the
escalation delay, remove a shift after confirming; bad input is explained
next to its field and what was typed is kept."""

from datetime import time

import pytest
from django.urls import reverse

from programs.models import OnCallShift
from tests.factories import UserFactory


@pytest.fixture
def page(personas, client):
    client.force_login(personas.coordinator)
    personas.url = reverse("programs:on_call", args=[personas.program.pk])
    return personas


def add(client, url, **fields):
    data = {"form": "shift", "shift-weekday": "4", "shift-starts_at": "18:00", "shift-ends_at": "08:00"}
    data.update({f"shift-{k}": v for k, v in fields.items()})
    return client.post(url, data)


def test_a_coordinator_adds_a_night_shift_and_sees_it(page, client):
    response = add(client, page.url, person=str(page.coordinator.pk))
    assert response.status_code == 302
    shift = OnCallShift.objects.get(program=page.program)
    assert (shift.person, shift.weekday, shift.starts_at, shift.ends_at) == (
        page.coordinator,
        4,
        time(18),
        time(8),
    )
    assert shift.crosses_midnight
    body = client.get(page.url).content.decode()
    assert "Friday 18:00–08:00" in body and "(next day)" in body


def test_designated_staff_may_be_on_call(page, client):
    staff = UserFactory(full_name="Sam Staff")
    page.program.safety_staff.add(staff)
    assert add(client, page.url, person=str(staff.pk)).status_code == 302


@pytest.mark.parametrize("who", ["mentor", "other_coordinator"])
def test_someone_not_coordinator_or_staff_is_refused_next_to_the_field(page, client, who):
    response = add(client, page.url, person=str(getattr(page, who).pk), starts_at="19:30")
    assert response.status_code == 200
    form = response.context["shift_form"]
    assert form.errors["person"] == ["Choose a coordinator or designated staff member of this program."]
    assert 'value="19:30"' in response.content.decode()  # what was typed is kept
    assert not OnCallShift.objects.exists()


def test_a_shift_that_ends_when_it_starts_is_refused(page, client):
    response = add(client, page.url, person=str(page.coordinator.pk), starts_at="09:00", ends_at="09:00")
    assert response.status_code == 200
    assert response.context["shift_form"].errors["ends_at"] == ["The shift must end at another time than it starts."]
    assert not OnCallShift.objects.exists()


def test_a_bad_time_is_explained(page, client):
    response = add(client, page.url, person=str(page.coordinator.pk), starts_at="quarter past")
    assert response.context["shift_form"].errors["starts_at"] == ["Enter a time like 18:00."]


def test_fallback_and_delay_are_saved_and_checked(page, client):
    staff = UserFactory(full_name="Fay Fallback")
    page.program.safety_staff.add(staff)
    data = {"form": "settings", "on_call_fallback": str(staff.pk), "escalate_after_minutes": "5"}
    assert client.post(page.url, data).status_code == 302
    page.program.refresh_from_db()
    assert (page.program.on_call_fallback, page.program.escalate_after_minutes) == (staff, 5)

    data = {"form": "settings", "on_call_fallback": str(page.mentor.pk), "escalate_after_minutes": "0"}
    response = client.post(page.url, data)
    assert response.status_code == 200
    errors = response.context["settings_form"].errors
    assert errors["on_call_fallback"] == ["Choose a coordinator or designated staff member of this program."]
    assert errors["escalate_after_minutes"] == ["At least 1 minute."]
    page.program.refresh_from_db()
    assert page.program.on_call_fallback == staff


def test_removing_a_shift_asks_first(page, client):
    shift = OnCallShift.objects.create(
        program=page.program, person=page.coordinator, weekday=0, starts_at=time(9), ends_at=time(17)
    )
    url = reverse("programs:on_call_remove", args=[page.program.pk, shift.pk])
    response = client.get(url)
    assert response.status_code == 200 and "Remove this shift?" in response.content.decode()
    assert OnCallShift.objects.filter(pk=shift.pk).exists()  # nothing removed on GET
    assert client.post(url).status_code == 302
    assert not OnCallShift.objects.filter(pk=shift.pk).exists()


def test_another_programs_shift_is_not_found(page, client):
    shift = OnCallShift.objects.create(
        program=page.other_program, person=page.other_coordinator, weekday=0, starts_at=time(9), ends_at=time(17)
    )
    url = reverse("programs:on_call_remove", args=[page.program.pk, shift.pk])
    assert client.post(url).status_code == 404
    assert OnCallShift.objects.filter(pk=shift.pk).exists()
