"""What a screen-reader user met in the review of the accessibility tree (issue 19,
"checked by hand"; findings in the closing note): the sign-in error was never
announced, "Get help now" sat behind the autofocused email field, and the check-in's
error summary linked to the top of the page instead of the mood choices."""

import itertools
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


def test_goal_titles_are_headings_one_level_under_the_page_and_private_is_not_in_them(personas, client_for):
    """The goals page went from its h1 straight to h3 goal titles, and a
    screen reader's headings list read "Walk daily private": the titles are h2
    there now (h3 under the progress page's "Goals" h2), the badge outside."""
    GoalFactory(mentee=personas.match.mentee, title="Walk daily", is_private=True)
    client = client_for(personas.mentee)
    html = client.get(reverse("goals:mentee_goals", args=[personas.match.mentee.pk])).content.decode()
    headings = re.findall(r"<(h[1-6])[^>]*>(.*?)</\1>", html, re.S)
    levels = [int(level[1]) for level, _ in headings]
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels)), headings
    title = [re.sub(r"<[^>]+>", "", text) for level, text in headings if "Walk daily" in text]
    assert title == ["Walk daily"], headings
    assert "private" in html  # still shown, beside the heading


def test_the_check_in_has_one_control_named_i_need_help_now(personas, client_for):
    """The immediate "I need help now" button and the check-in's switch had
    the same name, so a screen reader could not tell the one that sends at
    once from the one that goes with the check-in."""
    GoalFactory(mentee=personas.match.mentee)
    html = client_for(personas.mentee).get(reverse("goals:checkin")).content.decode()
    labels = re.findall(r"<(?:button|label)[^>]*>\s*([^<]+?)\s*<", html)
    assert labels.count("I need help now") == 1, labels
    assert "Also ask for help when I send this check-in" in labels
