"""Dates, times and numbers in the reader's language (issue 19): the ``when``
and ``date`` filters put the day first in Spanish with Spanish names; numbers
keep a decimal point (chart coordinates stay valid) and group with commas."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import timezone, translation

from mentoring.dates import FUTURE, check_date, localized_format, times_for_both
from tests.factories import UserFactory

MONDAY = dt.datetime(2026, 11, 30, 14, 30, tzinfo=dt.UTC)


def render(source, language, **context):
    with translation.override(language), timezone.override(dt.UTC):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(
    "source, english, spanish",
    [
        ('{{ d|date:"M j, Y" }}', "Nov 30, 2026", "30 nov 2026"),
        ('{{ d|when:"l, F j, g:i a" }}', "Monday, November 30, 2:30 p.m.", "lunes 30 de noviembre, 2:30 p.m."),
        ('{{ d|when:"D M j, g:i a" }}', "Mon Nov 30, 2:30 p.m.", "lun 30 nov, 2:30 p.m."),
        ('{{ d|date:"M Y" }}', "Nov 2026", "nov 2026"),
        ("{{ d|date }}", "Nov. 30, 2026", "30 de noviembre de 2026"),
        ("{{ d|time }}", "2:30 p.m.", "2:30 p.m."),
    ],
)
def test_dates_in_english_and_spanish(source, english, spanish, time_machine):
    time_machine.move_to(MONDAY)
    assert render(source, "en", d=MONDAY) == english
    assert render(source, "es", d=MONDAY) == spanish


def test_a_far_date_shows_its_year_in_the_readers_order(time_machine):
    time_machine.move_to(MONDAY)
    far = MONDAY + dt.timedelta(days=800)
    assert render('{{ d|when:"M j" }}', "en", d=far) == "Feb 7, 2029"
    assert render('{{ d|when:"M j" }}', "es", d=far) == "7 feb 2029"


def test_escaped_letters_are_left_alone():
    assert localized_format(r"j \d\e F", "es") == r"j \d\e F"
    assert localized_format("M j, Y", "en") == "M j, Y"


def test_numbers_keep_a_decimal_point_and_group_with_commas():
    source = "{% load humanize %}{{ n|floatformat:1 }} {{ big|intcomma }} {{ x }}"
    assert render(source, "es", n=3.45, big=12345, x=0.5) == "3.5 12,345 0.5"
    assert render(source, "en", n=3.45, big=12345, x=0.5) == "3.5 12,345 0.5"


def test_the_date_window_message_is_in_the_readers_language(time_machine):
    time_machine.move_to(MONDAY)
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        check_date(dt.date(2040, 1, 1), FUTURE)
    assert caught.value.messages == ["Elija una fecha entre el 30 nov 2026 y el 30 nov 2028."]
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        check_date(dt.date(2020, 1, 1), FUTURE)
    assert caught.value.messages == ["Esta fecha ya pasó: elija hoy o una fecha posterior."]


def test_both_times_in_spanish(db):
    viewer = UserFactory(time_zone="America/New_York")
    other = UserFactory(time_zone="America/Los_Angeles")
    with translation.override("es"), timezone.override(ZoneInfo("America/New_York")):
        said = times_for_both(MONDAY, viewer=viewer, other=other, label="su mentor")
    assert said == "9:30 a.m. su hora · 6:30 a.m. hora de su mentor"


def test_a_named_format_is_left_to_the_locale():
    """``|date:"DATE_FORMAT"`` in Spanish used to become "DATE_FORbAT" (a 500 on /accessibility/)."""
    from datetime import date

    from django.utils import translation

    from mentoring.dates import localized_date, localized_format

    with translation.override("es"):
        assert localized_format("DATE_FORMAT") == "DATE_FORMAT"
        assert localized_format("SHORT_DATETIME_FORMAT") == "SHORT_DATETIME_FORMAT"
        assert "2026" in localized_date(date(2026, 11, 30), "DATE_FORMAT")
