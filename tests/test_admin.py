"""Every model is registered in the Django admin and its pages render."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import UserFactory

OUR_APPS = {"mentoring", "programs", "peer_sessions", "goals", "resources", "conversations"}


def test_every_model_of_our_apps_is_registered():
    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours, "no models found"
    assert ours <= set(admin.site._registry), sorted(m.__name__ for m in ours - set(admin.site._registry))


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m._meta.app_label in OUR_APPS], ids=lambda m: m.__name__
)
def test_admin_changelist_and_add_pages_render(model, personas, client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    # Records only a service may write (an erasure) refuse the add page.
    request = RequestFactory().get("/")
    request.user = superuser
    can_add = admin.site._registry[model].has_add_permission(request)
    assert client.get(reverse(f"{prefix}_add")).status_code == (200 if can_add else 403)


def test_the_read_audit_is_read_only_in_the_admin(personas, client):
    from mentoring.models import AccessEvent

    event = AccessEvent.objects.create(viewer=personas.coordinator, subject=personas.mentee, what="profile")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change = reverse("admin:mentoring_accessevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # viewable
    assert client.post(change, {"what": "goals"}).status_code == 403
    assert (
        client.post(reverse("admin:mentoring_accessevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    event.refresh_from_db()
    assert event.what == "profile"


@pytest.mark.parametrize("model_name", ["menteeprofile", "mentorprofile", "volunteerprofile"])
def test_a_profiles_program_cannot_be_changed_in_the_admin(model_name, personas, client):
    """Safety alerts keep the program they were raised in (SafetyAlert.program)
    and the reports count a profile in its program: a profile never moves. The
    admin's change form shows the program read-only and a posted one is ignored."""
    from mentoring.models import MenteeProfile, MentorProfile, VolunteerProfile

    model = {"menteeprofile": MenteeProfile, "mentorprofile": MentorProfile, "volunteerprofile": VolunteerProfile}
    model = model[model_name]
    profile = model.objects.filter(program=personas.program).first() or model.objects.create(
        user=UserFactory(), program=personas.program
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse(f"admin:mentoring_{model_name}_change", args=[profile.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="program"' not in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["program"] = personas.other_program.pk
    client.post(url, data)
    profile.refresh_from_db()
    assert profile.program_id == personas.program.pk
