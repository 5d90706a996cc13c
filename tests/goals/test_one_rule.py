"""Issue 14: one check-in-due rule for the home page, the progress page and the
reminders; one User.zone for every place that needs a person's time zone."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from goals.reminders import due
from goals.selectors import checkin_due
from mentoring.models import ReminderKind
from tests.factories import GoalFactory


def _checkin_reminders(mentee, now):
    kinds = (ReminderKind.CHECKIN_DUE, ReminderKind.CHECKIN_OVERDUE)
    return [d for d in due(now) if d.kind in kinds and d.subject == f"mentee:{mentee.pk}"]


def _tomorrow_noon(user):
    """Noon tomorrow in the person's zone: past the 9 am reminder time."""
    return datetime.combine(timezone.now().astimezone(user.zone).date() + timedelta(days=1), time(12), tzinfo=user.zone)


def test_a_mentee_with_no_active_goal_is_neither_shown_due_nor_reminded(personas, client_for):
    """The example from the issue: no goal, never checked in. The home page said
    "it's due" while the reminders never said a thing; now both say nothing is due,
    and the home page says how to start."""
    mentee = personas.match.mentee
    assert not mentee.goals.filter(status="active").exists()

    response = client_for(personas.mentee).get(reverse("mentoring:home_mentee"))

    assert response.status_code == 200
    assert response.context["checkin_due"] is False
    body = response.content.decode()
    assert "it's due" not in body
    assert 'data-testid="no-active-goal"' in body
    assert "Set a goal with your mentor" in body
    assert not checkin_due(mentee)
    later = _tomorrow_noon(mentee.user)
    assert _checkin_reminders(mentee, later) == []


def test_with_an_active_goal_the_home_page_and_the_reminders_agree_it_is_due(personas, client_for):
    mentee = personas.match.mentee
    GoalFactory(mentee=mentee, cadence="daily", started_on=timezone.localdate() - timedelta(days=3))

    response = client_for(personas.mentee).get(reverse("mentoring:home_mentee"))

    assert response.context["checkin_due"] is True
    assert 'data-testid="no-active-goal"' not in response.content.decode()
    assert checkin_due(mentee)
    later = _tomorrow_noon(mentee.user)
    assert _checkin_reminders(mentee, later)


@override_settings(DEFAULT_USER_TIME_ZONE="Europe/Lisbon")
def test_user_zone_falls_back_to_the_default_zone_on_a_bad_name(personas):
    user = personas.mentee
    user.time_zone = "America/Chicago"
    assert user.zone == ZoneInfo("America/Chicago")
    for bad in ("Not/AZone", "", "../../etc/passwd"):
        user.time_zone = bad
        assert user.zone == ZoneInfo("Europe/Lisbon"), bad


@override_settings(DEFAULT_USER_TIME_ZONE="Nowhere/Else")
def test_user_zone_is_utc_when_even_the_default_is_unknown(personas):
    user = personas.mentee
    user.time_zone = "Not/AZone"
    assert user.zone == ZoneInfo("UTC")
