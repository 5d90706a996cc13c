"""Issue 19 (part i19h): texts Waypoint writes into the database (erasure's
"Erased person #12", close notes, cancel reasons) stay stored in English and
are shown in the reader's language; in-app notifications follow the reader's
language of today, not the one they were sent in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.models import Match, Notification
from mentoring.notifications.kinds import KINDS
from mentoring.personal_data import person_erase
from mentoring.services import match_close
from sessions.models import Session
from tests.factories import GoalFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_an_erased_person_and_their_goals_are_named_in_the_readers_language(personas, client_for):
    mentee = personas.mentee
    goal = GoalFactory(mentee=personas.match.mentee, title="Walk every day")
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED, ended_at=timezone.now())
    person_erase(person=mentee, by=personas.coordinator)
    mentee.refresh_from_db()
    goal.refresh_from_db()
    # Stored in English, whatever the language of the page that erased them.
    assert mentee.full_name == f"Erased person #{mentee.pk}" and goal.title == "Erased goal"
    client = client_for(personas.coordinator)
    match_page = reverse("mentoring:match_detail", args=[personas.match.pk])
    goal_page = reverse("goals:detail", args=[goal.pk])
    english = client.get(match_page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Erased person #{mentee.pk}" in english
    _speaks(personas.coordinator, "es")
    spanish = client.get(match_page).content.decode()
    assert f"Persona borrada #{mentee.pk}" in spanish
    assert "Erased person" not in spanish
    response = client.get(goal_page)
    if response.status_code == 200:
        assert "Meta borrada" in response.content.decode() and "Erased goal" not in response.content.decode()
    with translation.override("es"):
        assert str(mentee) == mentee.get_full_name() == mentee.get_short_name() == f"Persona borrada #{mentee.pk}"
    with translation.override("en"):
        assert str(mentee) == f"Erased person #{mentee.pk}"


def test_a_meeting_cancelled_by_a_closing_is_explained_in_the_readers_language(personas, client_for):
    session = SessionFactory(match=personas.match, starts_at=timezone.now() + timedelta(days=3))
    with translation.override("es"):  # the coordinator closes it from a Spanish page
        match_close(match=personas.match, reason=Match.CloseReason.MOVED, note="", closed_by=personas.coordinator)
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert session.cancel_reason == "Match closed: Moved away"
    _speaks(personas.mentee, "es")
    page = client_for(personas.mentee).get(reverse("peer_sessions:session_detail", args=[session.pk]))
    html = page.content.decode()
    assert "Emparejamiento cerrado: Se mudó" in html
    assert "Match closed" not in html and "Moved away" not in html
    _speaks(personas.mentee, "en")
    assert "Match closed: Moved away" in client_for(personas.mentee).get(page.request["PATH_INFO"]).content.decode()


def test_a_close_note_written_by_waypoint_is_shown_translated_to_the_coordinator(personas, client_for):
    from mentoring.endings import person_deactivate

    person_deactivate(person=personas.mentee, by=personas.coordinator)
    match = Match.objects.get(pk=personas.match.pk)
    assert match.close_note == "Account deactivated"
    _speaks(personas.coordinator, "es")
    html = client_for(personas.coordinator).get(reverse("mentoring:match_detail", args=[match.pk])).content.decode()
    assert "Cuenta desactivada" in html and "Account deactivated" not in html


def test_old_notifications_follow_the_readers_new_language(personas, client_for):
    line = KINDS["checkin_due"].line
    with translation.override("en"):
        Notification.objects.create(user=personas.mentee, kind="checkin_due", text=str(line), url="/checkin/")
    _speaks(personas.mentee, "es")
    html = client_for(personas.mentee).get(reverse("mentoring:notifications")).content.decode()
    with translation.override("es"):
        spanish = str(line)
    assert spanish in html
    with translation.override("en"):
        assert str(line) not in html
    # And back: a notification sent in Spanish reads in English for someone who switched to English.
    Notification.objects.create(user=personas.mentee, kind="checkin_due", text=spanish, url="/checkin/")
    _speaks(personas.mentee, "en")
    html = client_for(personas.mentee).get(reverse("mentoring:notifications")).content.decode()
    assert spanish not in html


def test_a_text_typed_by_a_person_is_never_translated():
    from mentoring.stored_text import shown

    with translation.override("es"):
        assert shown("Walk every day") == "Walk every day"
        assert shown("Erased person #12 said hi") == "Erased person #12 said hi"
        assert shown("Account deactivated") == "Cuenta desactivada"
