"""Formats for Spanish ("es") as Waypoint's people read it: Spanish speakers in
US programs. Django's Mexican Spanish (es_MX) with 12-hour clock times
("2:30 p.m."), as on their phones and in the English pages; numbers with a
decimal point ("3.5", not "3,5": also safe inside chart coordinates) and a
thousands comma when grouped ("1,250"). Dates day first ("30 de noviembre de
2026"). settings.FORMAT_MODULE_PATH points here; the ``date``/``when`` filters
turn English format strings ("M j, Y") into this order (mentoring.dates.localized_format)."""

from django.conf.locale.es_MX.formats import (  # noqa: F401
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    THOUSAND_SEPARATOR,
    YEAR_MONTH_FORMAT,
)

TIME_FORMAT = "g:i a"
DATETIME_FORMAT = r"j \d\e F \d\e Y, g:i a"
SHORT_DATETIME_FORMAT = "d/m/Y g:i a"
FIRST_DAY_OF_WEEK = 0  # Sunday, as on US calendars
