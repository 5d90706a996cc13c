"""Rollups the reports read instead of the raw rows (issue 18).

Three tables, per time zone (a report counts months and weeks in the
viewer's zone, so a rollup is only good for the zone it was built in):

- ``CheckinWeek`` (zone, week, match, mentee): the match's mentee checked in
  at least once that week (Monday, local) while the match ran: one row per
  person-week instead of every check-in. Written by ``checkin_recorded``
  (from goals.services.checkin_submit, for the mentee's running matches),
  ``match_checkin_weeks_rebuild`` (from match_reopen: check-ins made while
  the match was closed count again) and ``rollups_rebuild``. A match's span
  only changes by being started (later check-ins only), closed (ended_at =
  now, after every earlier check-in) or reopened (rebuilt), so the rows stay
  exact. A mentor-filtered check-in report counts its weeks here.
- ``ReportWeek`` (zone, program, week): distinct mentees with a CheckinWeek
  row that week from a match that is not paused now (the unfiltered
  report's "weeks with a check-in") and the matches due a check-in that
  week (``due``: ``checkins_due``, the one definition the live report uses
  too). Recounted for every week of a match's span when it is paused,
  resumed, closed while paused or reopened (``match_status_changed``, from
  ``services._set_status``); beat recomputes the current and the last week.
- ``ReportMonth`` (zone, program, month): one-on-one meeting figures (held,
  minutes, missed, cancelled, distinct mentors and mentees meeting) and
  check-in count and mood sum, counted up to ``until`` (the month's last
  day, or for the current month the day it was computed). A meeting logged,
  recorded or cancelled in a month that is over recomputes that month
  (``session_changed``); beat recomputes the current and the last month.

A row of a month or week that is not over yet is read with its age (the
report says how old); one older than settings.FIGURES_MAX_AGE_SECONDS asks
for one background refresh (leases.refresh_request), never a recount in the
request. Past periods are final. Partial months at the edges of a range, the months of a
mentor-filtered report and anything without a row are counted live.

``RollupZone`` says which zones are built (rows exist only for those). A
report in a zone without one (a coordinator who just moved to a new zone, a
database never built, or one seed_scale loaded in bulk) is counted live, as
before, until beat (``rollups_refresh``: builds missing zones first) or
``manage.py rollups_rebuild`` builds it. The zones built:
settings.DEFAULT_USER_TIME_ZONE and TIME_ZONE, every program's zone and every
coordinator's zone."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Count, DateField, DateTimeField, F, Q, Sum, Value
from django.db.models.constants import OnConflict
from django.db.models.functions import Cast, Trunc
from django.utils import timezone

from goals.models import CheckIn
from programs.models import Program
from sessions.models import Session

from ..models import CheckinWeek, Match, ReportMonth, ReportWeek, RollupZone, User
from . import leases

BATCH = 5000
MENTEE_BATCH = 10000  # mentee ids per INSERT … SELECT of check-in weeks
DUE_WEEKS_PER_QUERY = 50  # COUNT … FILTER columns per query of the matches due (zone_build: every week)


def zone_key(zone):
    """The IANA name of a tzinfo (or the name itself)."""
    return zone if isinstance(zone, str) else getattr(zone, "key", str(zone))


def wanted_zones():
    """Sorted zone names the rollups are built in (unknown names left out)."""
    names = {settings.DEFAULT_USER_TIME_ZONE, settings.TIME_ZONE}
    names |= set(Program.objects.values_list("time_zone", flat=True))
    names |= set(
        User.objects.filter(coordinated_programs__isnull=False)
        .exclude(time_zone="")
        .values_list("time_zone", flat=True)
    )
    valid = set()
    for name in names:
        try:
            zoneinfo.ZoneInfo(name)
        except (ValueError, KeyError, zoneinfo.ZoneInfoNotFoundError):
            continue
        valid.add(name)
    return sorted(valid)


def built_zones():
    return set(RollupZone.objects.values_list("zone", flat=True))


def is_built(zone):
    return RollupZone.objects.filter(zone=zone_key(zone)).exists()


def week_of(moment, zone):
    """The Monday (date) of the week ``moment`` (aware) falls in, in ``zone`` (tzinfo)."""
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def month_after(month):
    return (month + timedelta(days=32)).replace(day=1)


def local_midnight(day, zone):
    return datetime.combine(day, time.min, tzinfo=zone)


# --- the weeks a mentee is due a check-in ------------------------------------------------------------------


def matches_due_checkins(programs):
    """The matches of ``programs`` (ids or a queryset) whose mentee is due a
    weekly check-in while they run: started (active, or since closed) and
    not paused now, with a start time. The check-in report's denominator."""
    return (
        Match.objects.started()
        .exclude(status=Match.Status.PAUSED)
        .filter(program__in=programs, started_at__isnull=False)
        .order_by()
    )


def checkins_due(weeks, zone):
    """{"due<i>": Count} aggregate expressions over ``matches_due_checkins``:
    for each Monday ``weeks[i]`` (dates, in ``zone``: tzinfo), the matches
    that ran during that week (started before the next local Monday 00:00,
    not ended before this one). Plain range conditions, one per week."""
    return {
        f"due{i}": Count(
            "pk",
            filter=Q(started_at__lt=local_midnight(monday + timedelta(weeks=1), zone))
            & (Q(ended_at__isnull=True) | Q(ended_at__gt=local_midnight(monday, zone))),
        )
        for i, monday in enumerate(weeks)
    }


# --- check-in weeks --------------------------------------------------------------------------------------


def _week_rows(spans, checkins, zones):
    """CheckinWeek rows (unsaved, deduplicated) of ``checkins`` [(mentee id,
    created_at)] against ``spans`` {mentee id: [(match id, started_at, ended_at)]}."""
    seen, rows = set(), []
    tzinfos = [(name, zoneinfo.ZoneInfo(name)) for name in zones]
    for mentee_id, created_at in checkins:
        for match_id, started_at, ended_at in spans.get(mentee_id, ()):
            if started_at <= created_at and (ended_at is None or ended_at >= created_at):
                for name, zone in tzinfos:
                    key = (name, week_of(created_at, zone), match_id)
                    if key not in seen:
                        seen.add(key)
                        rows.append(CheckinWeek(zone=name, week=key[1], match_id=match_id, mentee_id=mentee_id))
    return rows


def _spans(matches):
    spans = {}
    for match_id, mentee_id, started_at, ended_at in matches.filter(started_at__isnull=False).values_list(
        "pk", "mentee_id", "started_at", "ended_at"
    ):
        spans.setdefault(mentee_id, []).append((match_id, started_at, ended_at))
    return spans


def checkin_weeks_build(*, zones, matches=None):
    """Write the CheckinWeek rows of ``matches`` (a queryset; default every
    match) in ``zones`` (names). Returns the number of rows written.

    Set-based: per zone and per slice of MENTEE_BATCH mentee ids, one
    ``INSERT INTO … SELECT DISTINCT week, match, mentee FROM check-ins JOIN
    matches`` (the week truncated in the zone by the database; conflicts
    ignored), so no check-in crosses into Python. At 100,000 mentees that is
    6 zones × 10 statements over 5 million check-ins instead of 30 million
    Python row tests (mentoring.insights.rollups docstring)."""
    matches = Match.objects.all() if matches is None else matches
    started = matches.filter(started_at__isnull=False).order_by()
    mentee_ids = sorted(set(started.values_list("mentee_id", flat=True)))
    slices = [
        (mentee_ids[i], mentee_ids[min(i + MENTEE_BATCH, len(mentee_ids)) - 1])
        for i in range(0, len(mentee_ids), MENTEE_BATCH)
    ]
    written = 0
    for zone in zones:
        for low, high in slices:
            written += _insert_weeks(zone, started.values("pk"), low, high)
    return written


def _insert_weeks(zone, match_ids, low, high):
    """INSERT … SELECT the CheckinWeek rows of ``zone`` for the mentees with
    ids in [low, high] and the matches ``match_ids`` (a pk queryset). Returns
    the rows inserted."""
    tz = zoneinfo.ZoneInfo(zone)
    rows = (
        CheckIn.objects.filter(
            Q(mentee__matches__in=match_ids),
            Q(mentee__matches__started_at__lte=F("created_at")),
            Q(mentee__matches__ended_at__isnull=True) | Q(mentee__matches__ended_at__gte=F("created_at")),
            mentee_id__gte=low,
            mentee_id__lte=high,
        )
        .annotate(
            zone_name=Value(zone, output_field=CharField()),
            week_day=Cast(Trunc("created_at", "week", output_field=DateTimeField(), tzinfo=tz), DateField()),
        )
        .values_list("zone_name", "week_day", "mentee__matches", "mentee_id")
        .distinct()
        .order_by("mentee__matches", "week_day")
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(CheckinWeek._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in ("zone", "week", "match_id", "mentee_id"))
    insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = connection.ops.on_conflict_suffix_sql(None, OnConflict.IGNORE, None, None)
    with connection.cursor() as cursor:
        cursor.execute(f"{insert} {table} ({columns}) {select} {suffix}", params)
        return max(cursor.rowcount, 0)


def _write_weeks(checkins, spans, zones):
    rows = _week_rows(spans, checkins, zones)
    CheckinWeek.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
    return len(rows)


def checkin_recorded(*, checkin):
    """After a check-in is saved (goals.services.checkin_submit): the week of
    every running match of the mentee, in every built zone. At most one
    INSERT (conflicts ignored)."""
    zones = sorted(built_zones())
    if not zones:
        return
    matches = Match.objects.filter(mentee=checkin.mentee_id, started_at__lte=checkin.created_at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=checkin.created_at)
    )
    _write_weeks([(checkin.mentee_id, checkin.created_at)], _spans(matches), zones)


def match_checkin_weeks_rebuild(*, match):
    """A match whose span changed other than by starting or closing (reopened):
    its CheckinWeek rows again, in every built zone."""
    zones = sorted(built_zones())
    if not zones:
        return
    weeks = set(CheckinWeek.objects.filter(match=match).values_list("zone", "week"))
    CheckinWeek.objects.filter(match=match).delete()
    checkin_weeks_build(zones=zones, matches=Match.objects.filter(pk=match.pk))
    _recount_weeks(match, zones, weeks)


def match_status_changed(*, match):
    """A match started, paused, resumed, or closed while paused (services._set_status, match_propose):
    the check-in report leaves paused matches out of every week, mentees and
    matches due alike, so the program's weeks of this match's whole span are
    counted again in every built zone."""
    zones = sorted(built_zones())
    if zones:
        _recount_weeks(match, zones, set())


def _recount_weeks(match, zones, weeks):
    """Count again, for ``match``'s program, the weeks of its span (start to
    end, or to now) in each of ``zones`` (names) and ``weeks`` ((zone,
    Monday) pairs it had CheckinWeek rows in before a rebuild)."""
    weeks = weeks | set(CheckinWeek.objects.filter(match=match).values_list("zone", "week"))
    for zone in zones:
        of_zone = {week for name, week in weeks if name == zone}
        if match.started_at is not None:
            tz = zoneinfo.ZoneInfo(zone)
            last = (match.ended_at or timezone.now()).astimezone(tz).date()
            of_zone.update(_weeks_since(match.started_at.astimezone(tz).date(), last))
        if of_zone:
            report_weeks_build(zone=zone, programs=[match.program_id], weeks=of_zone)


# --- report months and weeks ------------------------------------------------------------------------------


def meeting_figures():
    """The one definition of a month's one-on-one meeting figures, as
    aggregate expressions over Session rows: ``held`` (completed), ``minutes``
    (of completed meetings), ``missed``, ``cancelled`` and the distinct
    ``mentors`` and ``mentees`` of completed meetings. The live sessions report
    (insights.reports.sessions_by_month) and the ReportMonth rollup both use
    it, so the two can never count differently."""
    completed = Q(status=Session.Status.COMPLETED)
    return {
        "held": Count("pk", filter=completed),
        "minutes": Sum("duration_minutes", filter=completed),
        "missed": Count("pk", filter=Q(status=Session.Status.MISSED)),
        "cancelled": Count("pk", filter=Q(status=Session.Status.CANCELLED)),
        "mentors": Count("match__mentor", distinct=True, filter=completed),
        "mentees": Count("match__mentee", distinct=True, filter=completed),
    }


MONTH_FIELDS = ("held", "minutes", "missed", "cancelled", "mentors", "mentees", "checkins", "mood_sum")


def _month_figures(program_ids, months, zone):
    """{(program id, month): {field: value}} for ``months`` [(first day, last
    day counted)] in ``zone`` (tzinfo): two grouped queries per month, with a
    plain range condition (SQLite runs date functions in Python)."""
    figures = {(pk, month): dict.fromkeys(MONTH_FIELDS, 0) for pk in program_ids for month, _ in months}
    for month, until in months:
        begin, end = local_midnight(month, zone), local_midnight(until + timedelta(days=1), zone)
        sessions = Session.objects.filter(match__program__in=program_ids, starts_at__gte=begin, starts_at__lt=end)
        for row in (
            sessions.exclude(status=Session.Status.SCHEDULED)
            .values("match__program")
            .annotate(**meeting_figures())
            .order_by()
        ):
            figures[(row["match__program"], month)].update({name: row[name] or 0 for name in MONTH_FIELDS[:6]})
        checkins = CheckIn.objects.filter(mentee__program__in=program_ids, created_at__gte=begin, created_at__lt=end)
        for row in checkins.values("mentee__program").annotate(checkins=Count("pk"), mood_sum=Sum("mood")).order_by():
            figures[(row["mentee__program"], month)].update(checkins=row["checkins"], mood_sum=row["mood_sum"] or 0)
    return figures


def _span_of_month(month, today):
    """(month, last day counted): the month's last day, or today for the current month."""
    return month, min(month_after(month) - timedelta(days=1), today)


def report_months_build(*, zone, programs=None, months, now=None):
    """Compute and store the ReportMonth rows of ``months`` (first days, up
    to the current month: counted up to today) for ``programs`` (ids; default
    every program) in ``zone`` (a name). Returns the rows written."""
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(zone)
    today = now.astimezone(tz).date()
    program_ids = list(Program.objects.values_list("pk", flat=True)) if programs is None else list(programs)
    spans = [_span_of_month(month, today) for month in sorted(months) if month <= today]
    figures = _month_figures(program_ids, spans, tz)
    until = dict(spans)
    rows = [
        ReportMonth(zone=zone, program_id=pk, month=month, until=until[month], computed_at=now, **values)
        for (pk, month), values in figures.items()
    ]
    ReportMonth.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["zone", "program", "month"],
        update_fields=[*MONTH_FIELDS, "until", "computed_at"],
        batch_size=BATCH,
    )
    return len(rows)


def report_weeks_build(*, zone, programs=None, weeks, now=None):
    """Compute and store the ReportWeek rows of ``weeks`` (Mondays, up to the
    current week) for ``programs`` (ids; default every program) in ``zone``
    (a name): the mentees from CheckinWeek (one grouped query) and the
    matches due (``checkins_due``, one grouped query per 50 weeks). Returns
    the rows written."""
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(zone)
    today = now.astimezone(tz).date()
    program_ids = list(Program.objects.values_list("pk", flat=True)) if programs is None else list(programs)
    weeks = sorted(week for week in set(weeks) if week <= today)
    due = {}
    for first in range(0, len(weeks), DUE_WEEKS_PER_QUERY):
        chunk = weeks[first : first + DUE_WEEKS_PER_QUERY]
        for row in matches_due_checkins(program_ids).values("program").annotate(**checkins_due(chunk, tz)).order_by():
            due.update({(row["program"], week): row[f"due{i}"] for i, week in enumerate(chunk)})
    counts = {
        (row["match__program"], row["week"]): row["n"]
        for row in CheckinWeek.objects.filter(zone=zone, week__in=weeks, match__program__in=program_ids)
        .exclude(match__status=Match.Status.PAUSED)
        .values("match__program", "week")
        .annotate(n=Count("mentee", distinct=True))
        .order_by()
    }
    rows = [
        ReportWeek(
            zone=zone,
            program_id=pk,
            week=week,
            mentees=counts.get((pk, week), 0),
            due=due.get((pk, week), 0),
            until=min(week + timedelta(days=6), today),
            computed_at=now,
        )
        for pk in program_ids
        for week in weeks
    ]
    ReportWeek.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["zone", "program", "week"],
        update_fields=["mentees", "due", "until", "computed_at"],
        batch_size=BATCH,
    )
    return len(rows)


def _first_day(zone):
    """The first day with a meeting or a check-in, in ``zone`` (tzinfo), or None."""
    firsts = [
        Session.objects.order_by("starts_at").values_list("starts_at", flat=True).first(),
        CheckIn.objects.order_by("created_at").values_list("created_at", flat=True).first(),
    ]
    firsts = [moment for moment in firsts if moment is not None]
    return min(firsts).astimezone(zone).date() if firsts else None


def _months_since(first, today):
    month, found = first.replace(day=1), []
    while month <= today:
        found.append(month)
        month = month_after(month)
    return found


def _weeks_since(first, today):
    week, found = first - timedelta(days=first.weekday()), []
    while week <= today:
        found.append(week)
        week += timedelta(weeks=1)
    return found


def session_changed(*, session, now=None):
    """After a meeting was logged, recorded or cancelled: if its month (in a
    built zone) is a stored past month, compute that month again for its
    program (the current month is beat's, every minute)."""
    now = now or timezone.now()
    for name in built_zones():
        zone = zoneinfo.ZoneInfo(name)
        month = session.starts_at.astimezone(zone).date().replace(day=1)
        if month < now.astimezone(zone).date().replace(day=1):
            report_months_build(zone=name, programs=[session.match.program_id], months=[month], now=now)


# --- building ------------------------------------------------------------------------------------------------


def zone_build(*, zone, now=None):
    """Build every rollup of ``zone`` (a name) from the data: its CheckinWeek
    rows, then a ReportMonth and a ReportWeek row per program for every month
    and week since the first meeting or check-in. Marks the zone built.
    Returns (check-in week rows, month rows, week rows)."""
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(zone)
    today = now.astimezone(tz).date()
    with transaction.atomic():
        CheckinWeek.objects.filter(zone=zone).delete()
        ReportMonth.objects.filter(zone=zone).delete()
        ReportWeek.objects.filter(zone=zone).delete()
        checkin_weeks = checkin_weeks_build(zones=[zone])
        first = _first_day(tz)
        months = weeks = 0
        if first is not None:
            months = report_months_build(zone=zone, months=_months_since(first, today), now=now)
            weeks = report_weeks_build(zone=zone, weeks=_weeks_since(first, today), now=now)
        RollupZone.objects.update_or_create(zone=zone, defaults={"built_at": now})
    return checkin_weeks, months, weeks


def rollups_rebuild(*, now=None):
    """Rebuild every wanted zone from scratch and forget zones no longer wanted.
    Returns {zone: (check-in week rows, month rows, week rows)}."""
    now = now or timezone.now()
    zones = wanted_zones()
    for model in (RollupZone, CheckinWeek, ReportMonth, ReportWeek):
        model.objects.exclude(zone__in=zones).delete()
    return {zone: zone_build(zone=zone, now=now) for zone in zones}


def rollups_forget():
    """Delete every rollup and mark no zone built (after rows were loaded in
    bulk past the services, e.g. seed_scale): the reports count live until
    beat or rollups_rebuild builds the zones again."""
    for model in (RollupZone, CheckinWeek, ReportMonth, ReportWeek):
        model.objects.all().delete()


def _final(model, zone, key, period, last_day):
    """True if every program has its ``model`` row of ``period`` (``key``:
    "month" or "week") in ``zone`` counted to ``last_day`` (the period is over
    and was counted whole: nothing left for beat to do)."""
    programs = Program.objects.count()
    done = model.objects.filter(zone=zone, **{key: period}, until=last_day).count()
    return done >= programs


def rollups_refresh(*, now=None):
    """Beat, every minute: build zones that are wanted and not built yet
    (the first run builds everything), then, in every zone built before,
    compute again the current month (counted up to today) and week, and the
    last month and week only until they have been counted whole once (the
    first pass after they end): a meeting logged or cancelled later in a past
    month recomputes it (``session_changed``), a match paused, resumed or
    reopened its weeks (``match_status_changed``, ``match_checkin_weeks_rebuild``),
    and a check-in is always of the current week. Returns the zones built now."""
    now = now or timezone.now()
    built = built_zones()
    new = [zone for zone in wanted_zones() if zone not in built]
    for zone in new:
        zone_build(zone=zone, now=now)
    for zone in sorted(built):
        today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
        this_month, monday = today.replace(day=1), today - timedelta(days=today.weekday())
        last_month, last_monday = (this_month - timedelta(days=1)).replace(day=1), monday - timedelta(weeks=1)
        months, weeks = [this_month], [monday]
        if not _final(ReportMonth, zone, "month", last_month, this_month - timedelta(days=1)):
            months.insert(0, last_month)
        if not _final(ReportWeek, zone, "week", last_monday, monday - timedelta(days=1)):
            weeks.insert(0, last_monday)
        with transaction.atomic():
            report_months_build(zone=zone, months=months, now=now)
            report_weeks_build(zone=zone, weeks=weeks, now=now)
    return new


# --- reading ---------------------------------------------------------------------------------------------------


def _usable(rows, program_ids, key, want):
    """{key: (totals, computed_at)} of the keys whose rows cover every program and
    whose ``until`` is ``want[key]`` (the last day the report counts there)."""
    found, seen = {}, {}
    for row in rows:
        at = row.pop(key)
        if want.get(at) != row.pop("until"):
            continue
        computed_at = row.pop("computed_at")
        seen[at] = seen.get(at, 0) + 1
        totals, oldest = found.get(at, (dict.fromkeys(row, 0), computed_at))
        for name, value in row.items():
            totals[name] += value
        found[at] = (totals, min(oldest, computed_at))
    return {at: value for at, value in found.items() if seen[at] == len(set(program_ids))}


def _ask_if_stale(rows, today, now):
    """A row of a period not over yet older than FIGURES_MAX_AGE_SECONDS is still
    used (the report says how old); one background refresh is asked for."""
    fresh = now - timedelta(seconds=settings.FIGURES_MAX_AGE_SECONDS)
    if any(row["until"] >= today and row["computed_at"] < fresh for row in rows):
        leases.refresh_request(task="refresh_rollups")


def stored_months(program_ids, zone, start, end, *, now=None):
    """{month: ({field: total over the programs}, computed_at)} of the months
    of [start, end] (dates) the rollups hold exactly as the report counts them:
    months wholly inside the range, counted to their last day, and a month
    the range ends in, counted up to the range's end; a month only where
    every program has its row. A row of a month not over yet that is older
    than FIGURES_MAX_AGE_SECONDS still counts (its computed_at is returned, the
    report shows the age) and asks for one background refresh."""
    now = now or timezone.now()
    today = timezone.localdate(now, zoneinfo.ZoneInfo(zone_key(zone)))
    want, month = {}, start if start.day == 1 else month_after(start)
    while month <= end:
        want[month] = min(month_after(month) - timedelta(days=1), end)
        month = month_after(month)
    if not want:
        return {}
    rows = ReportMonth.objects.filter(zone=zone_key(zone), program__in=program_ids, month__in=list(want)).values(
        "month", "until", "computed_at", *MONTH_FIELDS
    )
    _ask_if_stale(rows, today, now)
    return _usable(rows, program_ids, "month", want)


def stored_weeks(program_ids, zone, weeks, end, *, now=None):
    """{Monday: ((mentees, matches due) over the programs, computed_at)} of
    ``weeks`` the rollups hold exactly as the report counts them (up to
    ``end`` or the Sunday), as stored_months."""
    now = now or timezone.now()
    today = timezone.localdate(now, zoneinfo.ZoneInfo(zone_key(zone)))
    want = {week: min(week + timedelta(days=6), end) for week in weeks}
    rows = ReportWeek.objects.filter(zone=zone_key(zone), program__in=program_ids, week__in=weeks).values(
        "week", "until", "computed_at", "mentees", "due"
    )
    _ask_if_stale(rows, today, now)
    return {
        week: ((totals["mentees"], totals["due"]), at)
        for week, (totals, at) in _usable(rows, program_ids, "week", want).items()
    }
