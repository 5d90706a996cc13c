"""Issue 17.4: a weekly series needs an end (a date or a count, at most a
year), shown before saving ("creates 52 dates")."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from sessions.models import GroupSeries, GroupSession

NEW_YORK = ZoneInfo("America/New_York")


def _data(first, **extra):
    return {
        "kind": "group",
        "title": "Tuesday circle",
        "day": first.isoformat(),
        "start": "18:00",
        "end": "19:30",
        "capacity": "12",
        **extra,
    }


def _first_day():
    return (timezone.localtime(timezone.now(), NEW_YORK) + timedelta(days=7)).date()


def test_a_count_of_52_creates_52_dates_and_says_so(personas, client_for):
    url = reverse("peer_sessions:group_new", args=[personas.program.pk])
    response = client_for(personas.coordinator).post(url, _data(_first_day(), weekly_count="52"), follow=True)
    assert response.status_code == 200
    assert GroupSession.objects.count() == 52
    assert "52 dates created." in response.content.decode()
    series = GroupSeries.objects.get()
    assert series.weekly_until == _first_day() + timedelta(weeks=51)


def test_a_series_longer_than_a_year_is_refused_with_its_count(personas, client_for):
    first = _first_day()
    url = reverse("peer_sessions:group_new", args=[personas.program.pk])
    response = client_for(personas.coordinator).post(url, _data(first, weekly_count="53"))
    assert response.status_code == 200 and "weekly_count" in response.context["form"].errors
    # The end date is checked against the first date, not only against today.
    until = (first + timedelta(weeks=60)).isoformat()
    response = client_for(personas.coordinator).post(url, _data(first, weekly_until=until))
    assert "weekly_until" in response.context["form"].errors
    assert not GroupSession.objects.exists()


def test_a_date_and_a_count_together_are_refused_and_the_rest_is_kept(personas, client_for):
    first = _first_day()
    url = reverse("peer_sessions:group_new", args=[personas.program.pk])
    data = _data(first, weekly_count="4", weekly_until=(first + timedelta(weeks=3)).isoformat())
    response = client_for(personas.coordinator).post(url, data)
    assert response.context["form"].errors["weekly_count"] == ["Choose an end date or a number of dates, not both."]
    assert 'value="Tuesday circle"' in response.content.decode()
    assert not GroupSession.objects.exists()


def test_the_form_shows_the_count_before_saving(personas, client_for):
    url = reverse("peer_sessions:group_new", args=[personas.program.pk])
    page = client_for(personas.coordinator).get(url).content.decode()
    assert "data-series-count" in page and "js/series-preview.js" in page
    # After an error elsewhere, the server says how many dates the series makes.
    first = _first_day()
    data = _data(first, weekly_until=(first + timedelta(weeks=51)).isoformat(), end="17:00")
    response = client_for(personas.coordinator).post(url, data)
    assert "Creates 52 dates." in response.content.decode()
