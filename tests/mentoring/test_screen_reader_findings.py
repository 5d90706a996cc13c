"""What a screen-reader user met in the review of the accessibility tree (issue 19,
"checked by hand"; findings in the closing note): the sign-in error was never
announced, "Get help now" sat behind the autofocused email field, and the check-in's
error summary linked to the top of the page instead of the mood choices."""

import re

import pytest
from django.urls import reverse

from mentoring.models import MenteeProfile
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db


def test_a_wrong_password_is_announced_and_focus_starts_at_the_top(client, personas):
    response = client.post(reverse("login"), {"username": personas.mentee.email, "password": "not it"})
    body = response.content.decode()
    alert = re.search(r'<div class="alert[^"]*" role="alert">(.*?)</div>', body, re.S)
    assert alert and "That email and password do not match" in alert.group(1)
    assert "autofocus" not in body  # "Get help now" comes before the form in the Tab order


def test_the_check_in_error_summary_links_to_the_first_mood_choice(personas, client_for):
    goal = GoalFactory(mentee=MenteeProfile.objects.get(user=personas.mentee))
    body = client_for(personas.mentee).post(reverse("goals:checkin"), {f"progress_{goal.pk}": 40}).content.decode()
    assert 'href="#id_mood_0"' in body and 'id="id_mood_0"' in body
    assert 'href="#"' not in body


def test_the_mentor_homes_row_links_say_whose_they_are(personas, client_for):
    """A screen reader's links list read "profile", "check-ins", "progress"
    once per mentee with nothing to tell them apart: each now carries the
    mentee's name, visually hidden (the row shows it already)."""
    html = client_for(personas.mentor).get(reverse("mentoring:home_mentor")).content.decode()
    name = str(personas.match.mentee.user)
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    for path in (
        reverse("mentoring:person_detail", args=[personas.mentee.pk]),
        reverse("goals:checkins", args=[personas.match.mentee.pk]),
        reverse("goals:progress", args=[personas.match.mentee.pk]),
    ):
        texts = [text for href, text in links if href == path]
        assert texts and all(name in text for text in texts), (path, texts)
