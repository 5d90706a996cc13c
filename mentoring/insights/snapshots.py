"""Program-wide figures and needs-attention signals computed ahead of the request.

The coordinator home and the needs-attention list aggregate hundreds of
thousands of rows (sessions, check-ins, assessments). Recomputing them on
every request made those pages 50-100 times slower than a plain page at
10,000 mentees. Instead:

- ``FiguresSnapshot``: per (program, time zone), the fields of
  ``mentoring.insights.dashboard.Figures`` and the last six months of meetings.
- ``AttentionSnapshot`` + ``AttentionSignal``: per program, the rows of every
  needs-attention signal except open safety alerts.

``snapshots_refresh`` (Celery beat, every minute; ``make run`` runs beat) recomputes
every program and every zone already asked for, one pass at a time
(``snapshots_refresh_pass``: a lease, mentoring.insights.leases). A page
never recomputes program-wide figures in the request when stored ones exist:
one older than ``settings.FIGURES_MAX_AGE_SECONDS`` (beat behind or not
running) is shown with its age and ONE background pass is asked for
(``leases.refresh_request``, deduplicated). Only a program with no snapshot at
all (a fresh install before beat's first pass) is computed and stored on the
spot, so the embedded default works with no extra service. What stays LIVE on every request: open safety alerts (the
count, the list and their rows in needs attention) and undelivered reminders.
Pages show "updated N seconds ago" for the rest.

Tests refresh explicitly (``snapshots_refresh()``) after changing data."""

import time
from collections import Counter
from dataclasses import asdict, fields
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, CharField, Count, DateTimeField, F, FloatField, IntegerField, Min
from django.db.models.functions import Cast
from django.utils import timezone

from programs.models import Program

from ..models import (
    AttentionSignal,
    AttentionSnapshot,
    FiguresSnapshot,
    MenteeProfile,
    ReportSnapshot,
    User,
    zone_named,
)
from . import attention, dashboard, leases
from .reports import REPORTS, Scope, Table, last_months, sessions_by_month

CHART_MONTHS = 6
LIVE_FIGURES = ("open_alerts", "dead_reminders")


def seconds_ago(at, now=None):
    """Whole seconds since ``at`` (for "updated N seconds ago"), or None."""
    return None if at is None else max(0, int(((now or timezone.now()) - at).total_seconds()))


def max_age():
    return timedelta(seconds=settings.FIGURES_MAX_AGE_SECONDS)


# --- key figures ----------------------------------------------------------------------------------------


def _encode_figures(figures):
    data = asdict(figures)
    data["waiting_since"] = figures.waiting_since.isoformat() if figures.waiting_since else None
    return data


def _decode_figures(data):
    known = {field.name for field in fields(dashboard.Figures)}
    values = {name: value for name, value in data.items() if name in known}
    if values.get("waiting_since"):
        values["waiting_since"] = datetime.fromisoformat(values["waiting_since"])
    return dashboard.Figures(**values)


def figures_refresh(*, programs, zone_name=None, now=None, shared=None):
    """Compute and store the figures of ``programs`` (a list) in ``zone_name``
    (default: the active zone). ``shared``: as dashboard.program_figures (one
    dict across the zones of a pass). Returns {program id: FiguresSnapshot}."""
    now = now or timezone.now()
    zone_name = zone_name or timezone.get_current_timezone_name()
    if not programs:
        return {}
    with timezone.override(zone_name):
        figures = dashboard.program_figures(programs, now=now, shared=shared)
        start, end = last_months(CHART_MONTHS, today=timezone.localdate(now))
        months = {
            program.pk: [
                [month.isoformat(), *rest] for month, *rest in sessions_by_month(Scope([program.pk], start, end))
            ]
            for program in programs
        }
    rows = [
        FiguresSnapshot(
            program_id=program.pk,
            zone=zone_name,
            computed_at=now,
            figures=_encode_figures(figures[program.pk]),
            months=months[program.pk],
        )
        for program in programs
    ]
    FiguresSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["program", "zone"],
        update_fields=["computed_at", "figures", "months"],
    )
    return {row.program_id: row for row in rows}


def figures_of(programs, *, now=None):
    """({program id: Figures}, months, computed_at) for ``programs`` (a list) in
    the active zone: the stored snapshot (computed now if missing or stale)
    with the live figures (open alerts, dead reminders) read now.

    ``months``: [[first day (date), held, minutes, missed, cancelled, mentors,
    mentees]] summed over the programs; ``computed_at``: the oldest snapshot's
    time (aware, UTC) or None without programs."""
    now = now or timezone.now()
    zone_name = timezone.get_current_timezone_name()
    ids = [program.pk for program in programs]
    # The three columns as tuples (no model instances: 40 programs at 100,000 mentees).
    stored = {
        pk: (at, data, months)
        for pk, at, data, months in FiguresSnapshot.objects.filter(program__in=ids, zone=zone_name).values_list(
            "program", "computed_at", "figures", "months"
        )
    }
    missing = [program for program in programs if program.pk not in stored]
    if missing:
        refreshed = figures_refresh(programs=missing, zone_name=zone_name, now=now)
        stored.update({pk: (row.computed_at, row.figures, row.months) for pk, row in refreshed.items()})
    if any(stored[pk][0] < now - max_age() for pk in ids):
        leases.refresh_request()
    figures = {pk: _decode_figures(stored[pk][1]) for pk in ids}
    for pk in ids:
        for name in LIVE_FIGURES:
            setattr(figures[pk], name, 0)
    # Open alerts and undelivered reminders: live, both in one query.
    for program_id, name, value in dashboard.live_figures(ids):
        setattr(figures[program_id], name, value or 0)
    months = _sum_months([stored[pk][2] for pk in ids])
    computed_at = min((stored[pk][0] for pk in ids), default=None)
    return figures, months, computed_at


def _sum_months(per_program):
    by_month = {}
    for months in per_program:
        for month, *values in months:
            total = by_month.setdefault(month, [0] * len(values))
            by_month[month] = [a + b for a, b in zip(total, values, strict=True)]
    return [[date.fromisoformat(month), *values] for month, values in sorted(by_month.items())]


# --- needs attention --------------------------------------------------------------------------------------


def attention_refresh(*, programs, now=None):
    """Recompute and store the stored signals (every kind but open alerts) of
    ``programs`` (a list): one union query over all of them (set-based: at
    100,000 mentees 40 programs one at a time took 16 s, all at once 6 s), then
    each program's rows replaced in one transaction. Returns {program id: AttentionSnapshot}."""
    now = now or timezone.now()
    if not programs:
        return {}
    ids = sorted(program.pk for program in programs)
    rows = list(attention.signals(programs, now=now, of=attention.STORED_SIGNALS))
    program_of = dict(MenteeProfile.objects.filter(pk__in={row[3] for row in rows}).values_list("pk", "program"))
    with transaction.atomic():
        # Beat and a page may refresh the same programs at once: one at a time.
        list(Program.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        AttentionSignal.objects.filter(program__in=ids).delete()
        AttentionSnapshot.objects.filter(program__in=ids).delete()
        per_program = Counter(program_of[row[3]] for row in rows)
        snapshots = AttentionSnapshot.objects.bulk_create(
            AttentionSnapshot(program_id=pk, computed_at=now, signals_count=per_program[pk]) for pk in ids
        )
        by_program = {snapshot.program_id: snapshot for snapshot in snapshots}
        AttentionSignal.objects.bulk_create(
            (
                AttentionSignal(
                    snapshot=by_program[program_of[mentee_id]],
                    program_id=program_of[mentee_id],
                    rank=rank,
                    since=since,
                    kind=kind,
                    mentee_id=mentee_id,
                    match_id=match_id,
                    ref_id=ref_id,
                    amount=amount,
                )
                for rank, since, kind, mentee_id, match_id, ref_id, amount in rows
            ),
            batch_size=5000,
        )
    return by_program


def _attention(programs, *, kind=None, now=None):
    """(the ranked union, computed_at, [the live alerts' rows] or [], the stored
    rows, how many stored rows of every kind: the snapshots' signals_count)."""
    now = now or timezone.now()
    ids = [program.pk for program in programs]
    stored = {
        pk: (at, count)
        for pk, at, count in AttentionSnapshot.objects.filter(program__in=ids).values_list(
            "program", "computed_at", "signals_count"
        )
    }
    missing = [program for program in programs if program.pk not in stored]
    if missing:
        refreshed = attention_refresh(programs=missing, now=now)
        stored.update({pk: (row.computed_at, row.signals_count) for pk, row in refreshed.items()})
    computed_at = min((at for at, _ in stored.values()), default=None)
    if computed_at is not None and computed_at < now - max_age():
        leases.refresh_request()
    live = [rows for signal in attention.LIVE_SIGNALS for name, rows in signal(programs, now) if kind in (None, name)]
    signals = AttentionSignal.objects.filter(program__in=ids)
    if kind:
        # The kind's rank too: the (rank, since) index then reads that rank's rows only.
        signals = signals.filter(kind=kind, rank=attention.KINDS[kind].rank)
    names = ("a_rank", "a_since", "a_kind", "a_mentee", "a_match", "a_ref", "a_amount")
    types = (IntegerField(), DateTimeField(), CharField(), BigIntegerField(), BigIntegerField(), BigIntegerField())
    sources = ("rank", "since", "kind", "mentee_id", "match_id", "ref_id", "amount")
    stored_rows = (
        signals.order_by()
        .annotate(
            **{
                name: Cast(F(source), kind_of)
                for name, source, kind_of in zip(names, sources, (*types, FloatField()), strict=True)
            }
        )
        .values_list(*names)
    )
    rows = live[0].union(stored_rows, all=True) if live else stored_rows
    stored_count = sum(count for _, count in stored.values())
    return rows.order_by("a_rank", "a_since"), computed_at, live, stored_rows, stored_count


def attention_of(programs, *, kind=None, now=None):
    """(rows, computed_at): the needs-attention rows of ``programs`` (a list) as
    one queryset of tuples in attention.COLUMNS order, ranked like
    ``attention.signals``: open safety alerts read live, the other kinds from
    the stored snapshot (computed now only if missing; one older than
    FIGURES_MAX_AGE_SECONDS is used and one background refresh asked for).
    ``computed_at``: the oldest snapshot's time, or None without programs."""
    _, computed_at, live, stored_rows, stored_count = _attention(programs, kind=kind, now=now)
    # Every kind: the stored rows were counted when they were stored (no COUNT of 40,000 rows).
    return RankedRows(live[0] if live else None, stored_rows, None if kind else stored_count), computed_at


class RankedRows:
    """The needs-attention rows of attention_of, as a sequence a Paginator can
    page (``count()``, slices, iteration): the open safety alerts (rank 0,
    by ``since``) come before every stored row (rank >= 1, by rank and
    ``since``), so a slice reads each part only up to the slice's end, and the
    count is two counts, instead of sorting the union of every stored row of
    the programs (40,000 at 100,000 mentees) for each page. The same rows in
    the same order as the union (tested). Both parts are queried for every
    slice, so a page runs the same queries whatever the data.

    The stored part is ordered by its own columns (rank, since, then id for a
    stable page across ties), not by the union's cast ones: ordered by the
    casts, PostgreSQL sorted every stored row of the programs for each page
    (8.5 ms at 100,000 mentees); by the columns it reads the
    ``attention_signal_rank`` / ``attention_signal_order`` index up to the
    page's end. ``stored_count``: the stored rows' number when the caller
    knows it (AttentionSnapshot.signals_count), else they are counted."""

    def __init__(self, live, stored, stored_count=None):
        self.live = live.order_by("a_since") if live is not None else None
        self.stored = stored.order_by("rank", "since", "pk")
        self._live_count = self._count = None
        self._stored_count = stored_count

    def live_count(self):
        if self._live_count is None:
            self._live_count = self.live.count() if self.live is not None else 0
        return self._live_count

    def count(self):
        if self._count is None:
            stored = self.stored.count() if self._stored_count is None else self._stored_count
            self._count = self.live_count() + stored
        return self._count

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self[0 : self.count()])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, self.count() if index.stop is None else index.stop
        if stop <= start:
            return []
        in_live = self.live_count()
        rows = list(self.live[start:stop]) if self.live is not None else []
        first = max(start - in_live, 0)
        wanted = max(stop - in_live, 0) - first
        rows += list(self.stored[first : first + max(wanted, 1)])[:wanted]
        return rows


def attention_preview(programs, *, limit, now=None):
    """(a list of the first ``limit`` rows of ``attention_of(programs)``,
    computed_at, the number of stored rows), without its union: open safety
    alerts rank first (rank 0, every stored kind ranks after), so the open
    alerts in order, then the stored rows in (rank, since) order, each read
    only up to ``limit`` rows (the union read every stored row of the programs
    to sort them: 40,000 at 100,000 mentees). The number of stored rows is the
    snapshots' signals_count, read with their times (no COUNT of the stored rows):
    the list's length is it plus the open alerts."""
    _, computed_at, live, stored_rows, stored_count = _attention(programs, now=now)
    found = list(live[0].order_by("a_since")[:limit]) if live else []
    if len(found) < limit:
        found += list(stored_rows.order_by("rank", "since", "pk")[: limit - len(found)])
    return found, computed_at, stored_count


# --- the beat task ------------------------------------------------------------------------------------------


# Seconds after which a beat pass starts no further work: its period is 60 s, and a
# unit already under way took up to 20 s more at 100,000 mentees on a loaded machine.
PASS_BUDGET = 30
NEVER = datetime.min.replace(tzinfo=UTC)


def snapshots_refresh(*, now=None, budget=None):
    """Beat, every minute: recompute the figures of every program in every zone
    already asked for (and the site's zone), and every program's attention
    signals, the oldest first (units: the figures of one zone, the signals of
    every program). With ``budget`` (seconds; beat passes PASS_BUDGET) no
    further unit is started once it is spent: the others are the next pass's
    first, so a pass stays within its one-minute period at any size and a
    page shows how old the figures are. Returns (figure snapshots, attention
    snapshots) written."""
    now = now or timezone.now()
    started = time.monotonic()
    programs = list(Program.objects.order_by("pk"))
    # A zone where a program has no figures yet (a new program) counts as never computed.
    ages = {
        row["zone"]: row["oldest"] if row["n"] >= len(programs) else NEVER
        for row in FiguresSnapshot.objects.filter(program__in=programs)
        .values("zone")
        .annotate(oldest=Min("computed_at"), n=Count("pk"))
        .order_by()
    }
    for zone_name in (settings.TIME_ZONE, settings.DEFAULT_USER_TIME_ZONE):
        ages.setdefault(zone_name, NEVER)
    attention_age = AttentionSnapshot.objects.aggregate(oldest=Min("computed_at"))["oldest"] or NEVER
    if AttentionSnapshot.objects.count() < len(programs):
        attention_age = NEVER
    units = sorted([(at, zone_name) for zone_name, at in ages.items()] + [(attention_age, "")])
    written, signals, shared = 0, 0, {}
    for done, (_, zone_name) in enumerate(units):
        if done and budget is not None and time.monotonic() - started > budget:
            break
        if zone_name:
            written += len(figures_refresh(programs=programs, zone_name=zone_name, now=now, shared=shared))
        else:
            signals = len(attention_refresh(programs=programs, now=now))
    FiguresSnapshot.objects.exclude(program__in=programs).delete()
    return written, signals


def snapshots_refresh_pass(*, now=None):
    """What beat runs every minute (mentoring.tasks.refresh_snapshots), and what
    a page that found stale figures asks for: ``snapshots_refresh`` under the
    pass lease (mentoring.insights.leases), so two passes never run at once.
    Returns what snapshots_refresh returns, or None when another pass was
    running (this one did nothing)."""
    with leases.pass_held(leases.PASS_LEASE) as held:
        return snapshots_refresh(now=now, budget=PASS_BUDGET) if held else None


# --- report tables of the default view ------------------------------------------------------------------------

# The reports that count their rows on every request (the sessions and
# check-ins reports read rollups instead, mentoring.insights.rollups).
SNAPSHOT_REPORTS = ("matches", "goals", "recovery-capital", "skills", "groups", "referrals")
DEFAULT_MONTHS = 6  # the reports' default range: the last six months


def _programs_key(program_ids):
    return ",".join(str(pk) for pk in sorted(set(program_ids)))


def report_default_views():
    """{(zone name, programs key): program ids}: what each coordinator sees by default."""
    views = {}
    rows = User.objects.filter(coordinated_programs__isnull=False, is_active=True).values_list(
        "pk", "time_zone", "coordinated_programs"
    )
    by_user = {}
    for pk, zone, program in rows.order_by():
        by_user.setdefault((pk, zone_named(zone).key), set()).add(program)
    for (_, zone), programs in by_user.items():
        views[(zone, _programs_key(programs))] = sorted(programs)
    return views


REPORT_TABLES_BUDGET = 30  # seconds of one pass spent on stored report tables (the rest: next pass)


def report_tables_refresh(*, now=None, budget=None):
    """Beat, every minute: compute and store the SNAPSHOT_REPORTS tables of
    every coordinator's default view (their programs, the last six months in
    their zone, no mentor), the views with no table or the oldest ones first,
    for at most ``budget`` seconds (default REPORT_TABLES_BUDGET; None left
    for the next pass: the pass stays within its one-minute period at 100,000
    mentees, and a page shows a table's age); drop the rows of views nobody
    has any more and of past ranges. Returns the rows written."""
    now = now or timezone.now()
    budget = REPORT_TABLES_BUDGET if budget is None else budget
    started = time.monotonic()
    wanted = {}
    for (zone_name, key), programs in report_default_views().items():
        start, end = last_months(DEFAULT_MONTHS, today=timezone.localdate(now, zone_named(zone_name)))
        wanted[(zone_name, key, start, end)] = programs
    stored = {}
    for row in ReportSnapshot.objects.values("pk", "report", "zone", "programs", "start", "end", "computed_at"):
        view = (row["zone"], row["programs"], row["start"], row["end"])
        if view in wanted and row["report"] in SNAPSHOT_REPORTS:
            stored.setdefault(view, []).append(row)
        else:
            ReportSnapshot.objects.filter(pk=row["pk"]).delete()  # a view nobody has, or a past range

    def age(view):
        rows = stored.get(view, [])
        if len(rows) < len(SNAPSHOT_REPORTS):
            return (0, now)  # missing tables first
        return (1, min(row["computed_at"] for row in rows))

    written = 0
    for view in sorted(wanted, key=lambda view: (*age(view), view)):
        if written and time.monotonic() - started > budget:
            break
        zone_name, key, start, end = view
        scope = Scope(wanted[view], start, end, zone=zone_named(zone_name))
        for slug in SNAPSHOT_REPORTS:
            table = REPORTS[slug].build(scope)
            data = {
                "columns": table.columns,
                "rows": table.rows,
                "chart": [table.chart[0], list(table.chart[1])],
                "chart_rows": [table.chart_rows.start, table.chart_rows.stop],
                "notes": table.notes,
            }
            ReportSnapshot.objects.update_or_create(
                report=slug,
                zone=zone_name,
                programs=key,
                start=start,
                end=end,
                defaults={"computed_at": now, "table": data},
            )
            written += 1
    return written


def report_table_of(slug, scope, *, now=None):
    """(Table, computed_at) stored for ``scope`` (a coordinator's default view
    of report ``slug``), else None: the caller builds it live. A table older
    than FIGURES_MAX_AGE_SECONDS is still returned (the page shows its age) and
    one background refresh is asked for (leases.refresh_request)."""
    if slug not in SNAPSHOT_REPORTS or scope.mentor is not None:
        return None
    now = now or timezone.now()
    row = (
        ReportSnapshot.objects.filter(
            report=slug,
            zone=getattr(scope.zone, "key", str(scope.zone)),
            programs=_programs_key(scope.programs),
            start=scope.start,
            end=scope.end,
        )
        .only("table", "computed_at")
        .first()
    )
    if row is None:
        return None
    if row.computed_at < now - max_age():
        leases.refresh_request(task="refresh_rollups")
    data = row.table
    chart_rows = slice(*data["chart_rows"])
    table = Table(data["columns"], data["rows"], chart=(data["chart"][0], data["chart"][1]), notes=data["notes"])
    table.chart_rows = chart_rows
    return table, row.computed_at
