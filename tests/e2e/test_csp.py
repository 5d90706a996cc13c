"""The Content-Security-Policy (no inline scripts or styles) breaks nothing:
every role's pages load without a refused script or style, the SVG charts and
progress bars still draw, htmx adds no inline style, and a confirm button
still asks first. Every other journey listens for violations too
(tests/e2e/conftest.py, csp_violations)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from goals.models import Goal
from mentoring.models import MenteeProfile
from programs.models import Program
from resources.models import Resource
from tests.e2e.conftest import is_csp_violation

pytestmark = pytest.mark.django_db(transaction=True)


def _pages(role):
    program = Program.objects.get(name="Riverbend Peer Mentoring")
    mentee = MenteeProfile.objects.get(user__email="mentee@example.org")
    goal = Goal.objects.filter(mentee=mentee, progress__gt=0).first()
    common = [reverse("mentoring:crisis"), reverse("peer_sessions:my_sessions"), reverse("resources:directory")]
    if role == "coordinator":
        return common + [
            reverse("mentoring:home_coordinator"),
            reverse("mentoring:attention"),
            reverse("mentoring:report", args=["sessions"]),
            reverse("goals:progress", args=[mentee.pk]),
            reverse("peer_sessions:group_list", args=[program.pk]),
            reverse("resources:detail", args=[Resource.objects.filter(program=program).first().pk]),
        ]
    if role == "mentor":
        return common + [reverse("mentoring:home_mentor"), reverse("goals:mentee_goals", args=[mentee.pk])]
    return common + [
        reverse("mentoring:home_mentee"),
        reverse("goals:checkin"),
        reverse("goals:progress", args=[mentee.pk]),
        reverse("goals:detail", args=[goal.pk]),
    ]


@pytest.mark.parametrize("role", ["coordinator", "mentor", "mentee"])
def test_each_role_loads_pages_without_a_csp_violation(page, live_server, demo_data, log_in, role, csp_violations):
    response = page.goto("/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    log_in(page, role)
    expect(page).to_have_url(re.compile(r"/home/"))
    for path in _pages(role):
        response = page.goto(path)
        assert response.status == 200, path
        assert response.headers["cache-control"] == "no-store", path
        page.wait_for_load_state("load")
        # htmx's own indicator style is off (base.html's htmx-config).
        assert page.locator("style").count() == 0, path
        if "/progress/" in path or "/home/coordinator/" in path or "/reports/" in path:
            expect(page.locator("svg.chart").first).to_be_visible()
        if "/goals/" in path and role == "mentee":
            bar = page.locator(".progress-bar").first
            expect(bar).to_be_visible()
            assert bar.bounding_box()["width"] > 0, path
    assert csp_violations == []


def test_the_listener_sees_a_violation(page, live_server, csp_violations):
    """The check above would notice: an inline script on our origin is refused
    and reported on the console."""
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.x = 1";
            document.head.appendChild(s);
        }"""
    )
    page.wait_for_timeout(200)
    assert any(is_csp_violation(text) for text in csp_violations), csp_violations
    assert page.evaluate("window.x") is None
    csp_violations.clear()  # expected here


def test_archive_asks_before_it_acts(page, live_server, demo_data, log_in):
    log_in(page, "coordinator")
    expect(page).to_have_url(re.compile(r"/home/"))
    resource = Resource.objects.filter(status=Resource.Status.APPROVED, program__isnull=False).first()
    page.goto(reverse("resources:detail", args=[resource.pk]))
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Archive").click()
    page.wait_for_timeout(300)
    assert questions and "Archive this listing?" in questions[0]
    resource.refresh_from_db()
    assert resource.status == Resource.Status.APPROVED
