"""Who answers a safety alert: the program's on-call rota, in its time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from .models import OnCallShift


def rota_people(program):
    """The people who may be on a program's rota (coordinators and designated
    safety staff), active accounts only, as a queryset of users."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            pk__in=[
                *program.coordinators.values_list("pk", flat=True),
                *program.safety_staff.values_list("pk", flat=True),
            ]
        )
        .order_by("full_name", "pk")
    )


def shift_window(shift, day, zone):
    """(start, end) as aware datetimes of ``shift`` when it starts on the local
    date ``day`` in ``zone``; a shift crossing midnight ends the next day.
    Wall-clock times: across a daylight-saving change the shift lasts an hour
    more or less, and a start inside the skipped hour counts from the same
    wall-clock reading before the change (zoneinfo's fold=0)."""
    start = datetime.combine(day, shift.starts_at, tzinfo=zone)
    end_day = day + timedelta(days=1) if shift.ends_at < shift.starts_at else day
    return start, datetime.combine(end_day, shift.ends_at, tzinfo=zone)


def who_is_on_call(program, at=None):
    """The people on call for ``program`` at ``at`` (an aware datetime, default
    now; compared in UTC), by the weekly rota read in the program's time zone
    (``Program.time_zone``). Returns a list of users, each once, in shift order;
    people whose account is inactive or who are no longer a coordinator or
    designated staff of the program are left out. Empty: nobody is on call
    (the caller falls back to ``Program.on_call_fallback``)."""
    at = at or timezone.now()
    try:
        zone = ZoneInfo(program.time_zone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    today = at.astimezone(zone).date()
    yesterday = today - timedelta(days=1)
    eligible = set(rota_people(program).values_list("pk", flat=True))
    people = []
    shifts = OnCallShift.objects.filter(program=program, weekday__in=[today.weekday(), yesterday.weekday()])
    for shift in shifts.select_related("person"):
        for day in (yesterday, today):
            if day.weekday() != shift.weekday:
                continue
            start, end = shift_window(shift, day, zone)
            if start <= at < end and shift.person_id in eligible and shift.person not in people:
                people.append(shift.person)
    return people
