"""Dates within reason: one rule for every date a person types, and one way
to show a date far from today.

Every date field of every form is a ``DateField(window=...)`` from here (a
test walks all forms and refuses a plain ``django.forms.DateField``). A
window says which dates make sense for that kind of date, relative to today
in the current (the person's) time zone:

- ``PAST``: today or earlier, at most ``years`` back (a background check, an
  intake date already happened, a "from" date of a report);
- ``FUTURE``: today or later, at most ``years`` ahead (a goal's target date,
  a meeting, a weekly series' end);
- ``NEAR``: within ``years`` either side (a program's start and end, a
  milestone that may be overdue).

A date outside its window is refused with a message that names the range
("Choose a date between Jan 1, 2016 and Dec 31, 2027."); values so large that
date arithmetic would overflow (9999-12-31 23:30 in a zone west of UTC) never
reach the code that combines them, so a page never answers 500.

``show_year_if_far`` is the template filter ``when`` (registered as a
builtin): ``{{ value|when:"D M j, g:i a" }}`` formats like ``date`` and adds
the year when the value is more than a year from today (past or future).

Locale-aware: format strings are written in English order ("M j, Y");
``localized_format`` turns them into the active language's order ("j b Y" in
Spanish, "l j \\d\\e F" for "l, F j"), and Django's own names give the words
("nov", "lunes", "p.m."). The builtin template library
(mentoring.templatetags.waypoint_dates) replaces the ``date`` filter with
``localized_date``, so every ``{{ value|date:"M j, Y" }}`` follows the
language as well; numbers follow config/formats/<language>/formats.py.
"""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from django.utils.translation import gettext

PAST, FUTURE, NEAR = "past", "future", "near"
DEFAULT_YEARS = {PAST: 10, FUTURE: 2, NEAR: 5}
FAR = dt.timedelta(days=365)


def _today():
    return timezone.localdate()


def _shift_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def window_bounds(window, years=None, *, today=None):
    """(earliest, latest) dates allowed for ``window``; both inclusive."""
    today = today or _today()
    years = DEFAULT_YEARS[window] if years is None else years
    earliest = today if window == FUTURE else _shift_years(today, -years)
    latest = today if window == PAST else _shift_years(today, years)
    return earliest, latest


# English order -> day first (most languages other than English, Spanish among them).
# Applied in order; the escaped words (\\d\\e) are never matched again.
DAY_FIRST = [
    (re.compile(r"l, F j, Y"), r"l j \\d\\e F \\d\\e Y"),
    (re.compile(r"l, F j"), r"l j \\d\\e F"),
    (re.compile(r"F j, Y"), r"j \\d\\e F \\d\\e Y"),
    (re.compile(r"(?<!\\)F j"), r"j \\d\\e F"),
    (re.compile(r"(?<!\\)([MNbE]) ([jd]), ([Yy])"), r"\2 \1 \3"),
    (re.compile(r"(?<!\\)([MNbE]) ([jd])"), r"\2 \1"),
    # Short month names in lower case, as Spanish writes them ("30 nov 2026").
    (re.compile(r"(?<!\\)[MN]"), "b"),
]


NAMED_FORMAT = re.compile(r"[A-Z]+(?:_[A-Z]+)*_FORMAT")


def localized_format(fmt, language=None):
    """``fmt`` (a ``date`` filter format in English order, e.g. "D M j, g:i a")
    for ``language`` (default: the active one): unchanged for English, day
    before month otherwise ("D j M, g:i a"). A named format ("DATE_FORMAT",
    "SHORT_DATETIME_FORMAT") is the locale's own already and is left alone."""
    language = language or translation.get_language() or "en"
    if language.split("-")[0] == "en" or not fmt or NAMED_FORMAT.fullmatch(fmt):
        return fmt
    for pattern, replacement in DAY_FIRST:
        fmt = pattern.sub(replacement, fmt)
    return fmt


def localized_date(value, fmt=None):
    """Django's ``date`` filter with ``localized_format`` applied to ``fmt``."""
    return date_filter(value, localized_format(fmt) if fmt else fmt)


def spoken_date(day):
    """A day in a sentence, in the active language: "Jan 1, 2016", "1 nov 2016" (``localized_format``)."""
    return localized_date(day, "M j, Y")


_spoken = spoken_date


def check_date(value, window, years=None):
    """Raise ValidationError with a clear message when ``value`` (a date or an
    aware datetime) is outside ``window``; return it otherwise."""
    if value is None:
        return value
    day = timezone.localdate(value) if isinstance(value, dt.datetime) else value
    earliest, latest = window_bounds(window, years)
    if earliest <= day <= latest:
        return value
    if window == PAST and day > latest:
        message = gettext("This date is in the future: choose today or an earlier date.")
    elif window == FUTURE and day < earliest:
        message = gettext("This date has passed: choose today or a later date.")
    else:
        message = gettext("Choose a date between %(earliest)s and %(latest)s.") % {
            "earliest": _spoken(earliest),
            "latest": _spoken(latest),
        }
    raise ValidationError(message, code="date_out_of_range")


class DateValidator:
    """A form or model validator for one window (deconstructible for models)."""

    def __init__(self, window, years=None):
        self.window, self.years = window, years

    def __call__(self, value):
        check_date(value, self.window, self.years)

    def __eq__(self, other):
        return isinstance(other, DateValidator) and (self.window, self.years) == (other.window, other.years)

    def deconstruct(self):
        return ("mentoring.dates.DateValidator", (self.window, self.years), {})


class WindowDateInput(forms.DateInput):
    """``<input type="date">`` with min/max of its window, computed when the
    page is drawn (not when the form class is imported: today moves)."""

    input_type = "date"

    def __init__(self, attrs=None, *, window=NEAR, years=None):
        super().__init__(attrs, format="%Y-%m-%d")
        self.window, self.years = window, years

    def get_context(self, name, value, attrs):
        earliest, latest = window_bounds(self.window, self.years)
        attrs = {**(attrs or {}), "min": earliest.isoformat(), "max": latest.isoformat()}
        return super().get_context(name, value, attrs)


class DateField(forms.DateField):
    """A date typed by a person, refused outside its window. The HTML input
    carries min/max so phones offer only sensible dates, and the server checks
    the same range (the browser's check is a convenience)."""

    def __init__(self, *, window, years=None, **kwargs):
        self.window, self.years = window, years
        kwargs.setdefault("widget", WindowDateInput(window=window, years=years))
        super().__init__(**kwargs)
        self.validators.append(DateValidator(window, years))

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def is_far(value, *, now=None):
    """True when ``value`` (date or datetime) is more than a year from today."""
    if isinstance(value, dt.datetime):
        now = now or timezone.now()
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return abs(value - now) > FAR
    if isinstance(value, dt.date):
        today = (now.date() if now else None) or _today()
        return abs(value - today) > FAR
    return False


def show_year_if_far(value, fmt="M j"):
    """Format ``value`` like the ``date`` filter; when it is more than a year
    away and the format has no year, the year follows the day ("Dec 31, 2099")."""
    if value in (None, ""):
        return ""
    if "Y" not in fmt and "y" not in fmt and is_far(value):
        fmt = fmt.replace("j", "j, Y", 1) if "j" in fmt else fmt + " Y"
    return localized_date(value, fmt)


def _zone_of(user):
    return getattr(user, "zone", None)


def times_for_both(value, *, viewer, other, label):
    """ "9:30 a.m. your time · 12:30 p.m. your mentor's time" when ``viewer``
    and ``other`` (users) live in different zones; else the viewer's time
    alone ("9:30 a.m."). ``value`` is an aware datetime; ``label`` names the
    other person ("your mentor")."""
    if value is None:
        return ""
    mine, theirs = _zone_of(viewer), _zone_of(other) if other is not None else None
    mine = mine or timezone.get_current_timezone()
    here = localized_date(timezone.localtime(value, mine), "g:i a")
    if theirs is None or theirs.key == getattr(mine, "key", None):
        return here
    there = timezone.localtime(value, theirs)
    day = "" if there.date() == timezone.localtime(value, mine).date() else localized_date(there, "D ")
    return gettext("%(here)s your time · %(day)s%(there)s %(label)s’s time") % {
        "here": here,
        "day": day,
        "there": localized_date(there, "g:i a"),
        "label": label,
    }
