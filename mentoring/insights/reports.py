"""Program reports: each one a table aggregated in the database, a chart of
some of its columns and a CSV export.

A report is built for a Scope (the programs, a date range in the viewer's
time zone, optionally one mentor) with a fixed number of grouped queries,
whatever the volume of data. Definitions are stated in each report's
``about`` so the numbers can be checked by hand.

Tables are built in English (``Report.table``; the stored default views are
built by beat, for every reader) and put into the reader's language when
shown or exported (``localize_table``, ``Report.export``): column headers and
notes are msgids, row labels are filled-in msgids (``ROW_LABELS``), months
read "Jan 2026"."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby
from operator import itemgetter

from django.db.models import (
    Avg,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from goals.models import Assessment, Category, CheckIn, Goal
from resources.models import Share
from sessions.models import GroupSession, Registration, Session, Skill

from ..models import CheckinWeek, Match, MenteeProfile, MentorProfile
from . import rollups

RETENTION_DAYS = (30, 90, 180)
MAX_WEEKS = 160
WEEK = timedelta(weeks=1)  # the check-in report's weekly columns; ranges are at most three years


@dataclass(frozen=True)
class Scope:
    programs: list  # program ids
    start: date
    end: date  # inclusive
    mentor: MentorProfile | None = None
    # Fixed when the scope is made: a streamed export runs after the request's zone is gone.
    zone: object = field(default_factory=timezone.get_current_timezone)
    # [when the oldest stored figure of a period not over yet was computed (aware) or None]:
    # set while a report is built from the rollups (mentoring.insights.rollups).
    updated: list = field(default_factory=lambda: [None], compare=False, hash=False)

    @property
    def start_at(self):
        return datetime.combine(self.start, time.min, tzinfo=self.zone)

    @property
    def end_at(self):
        """The first moment after the range."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.zone)

    def in_range(self, field_name):
        return Q(**{f"{field_name}__gte": self.start_at, f"{field_name}__lt": self.end_at})


@dataclass
class Table:
    columns: list
    rows: list
    # Which columns the chart shows: (label column, [value columns]), and of which rows.
    chart: tuple = (0, [1])
    chart_rows: slice = field(default_factory=lambda: slice(None))
    notes: list = field(default_factory=list)

    def chart_data(self):
        label_at, value_at = self.chart
        rows = self.rows[self.chart_rows]
        labels = [row[label_at] for row in rows]
        series = [(self.columns[i], [row[i] for row in rows]) for i in value_at]
        return labels, series


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    about: str
    build: Callable[[Scope], Table]
    # A longer export than the table (streamed): (header, rows iterator). None: the table.
    detail: Callable | None = None
    # Whether the first column holds labels of ours (months, measures, categories)
    # rather than names typed by people (skills, resource areas).
    label_column: bool = True

    def table(self, scope):
        """The table of ``scope``, in English whatever the active language (see the module)."""
        with translation.override("en"):
            return self.build(scope)

    def export(self, scope):
        """(header, rows iterator) of the CSV, in the active language."""
        if self.detail:
            with translation.override("en"):
                header, rows = self.detail(scope)
            return [gettext(column) for column in header], rows
        table = localize_table(self.table(scope), labels=self.label_column)
        return table.columns, iter(table.rows)


# --- the reader's language ------------------------------------------------------------------------------

# Row labels with figures or choice labels in them, as built (English msgids).
ROW_LABELS = (
    gettext_noop("Closed: %(reason)s"),
    gettext_noop("Still together after %(days)s days (of %(eligible)s old enough)"),
    gettext_noop("Left: %(reason)s"),
    gettext_noop("Mentees still in the program %(days)s days after joining (of %(eligible)s)"),
)
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = re.compile(r"^(" + "|".join(ENGLISH_MONTHS) + r") (\d{4})$")


def _pattern(template):
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


_ROW_PATTERNS = [(_pattern(template), template) for template in ROW_LABELS]


def _choice_labels():
    """{English label: lazy label} of the choices whose labels appear in report rows."""
    found = {}
    with translation.override("en"):
        for choices in (Match.CloseReason.choices, MenteeProfile.ExitReason.choices, Category.choices):
            found.update({str(label): label for _, label in choices})
    return found


def localize_label(text, choices=None):
    """A row label as built (English) in the active language; anything else unchanged."""
    if not isinstance(text, str):
        return text
    month = _MONTH.match(text)
    if month:
        return date_format(date(int(month.group(2)), ENGLISH_MONTHS.index(month.group(1)) + 1, 1), "M Y")
    choices = _choice_labels() if choices is None else choices
    if text in choices:
        return str(choices[text])
    for pattern, template in _ROW_PATTERNS:
        found = pattern.match(text)
        if found:
            values = {name: str(choices.get(value, value)) for name, value in found.groupdict().items()}
            return gettext(template) % values
    return gettext(text) if text else text


def localize_table(table, *, labels=True):
    """A copy of ``table`` (built in English) in the active language: column
    headers, notes and, when ``labels``, the first column's labels."""
    rows = table.rows
    if labels:
        choices = _choice_labels()
        rows = [[localize_label(row[0], choices), *row[1:]] if row else row for row in rows]
    return Table(
        [gettext(column) for column in table.columns],
        rows,
        chart=table.chart,
        chart_rows=table.chart_rows,
        notes=[gettext(note) for note in table.notes],
    )


def last_months(count, today=None):
    """(first day of the month ``count - 1`` months ago, today): the last ``count`` months."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    for _ in range(count - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, today


def month_label(value):
    return date_format(value, "M Y")


def percent(part, whole):
    return round(100 * part / whole) if whole else None


def _mentee_ids_of(scope):
    """Mentees the scope's mentor has been matched with (None: no mentor filter);
    a proposal that was declined or is still open is not a match yet."""
    if scope.mentor is None:
        return None
    return Match.objects.started().filter(mentor=scope.mentor).values("mentee")


def _for_mentees(queryset, scope, path="mentee"):
    mentees = _mentee_ids_of(scope)
    return queryset if mentees is None else queryset.filter(**{f"{path}__in": mentees})


# --- sessions and hours -------------------------------------------------------------------------------

COMPLETED = Q(status=Session.Status.COMPLETED)


def _one_on_ones(scope, in_range=None):
    in_range = scope.in_range("starts_at") if in_range is None else in_range
    sessions = Session.objects.filter(in_range, match__program__in=scope.programs)
    sessions = sessions.exclude(status=Session.Status.SCHEDULED)
    return sessions.filter(match__mentor=scope.mentor) if scope.mentor else sessions


def _month_starts(scope):
    """The first day of every month the range touches, so a quiet month shows as zero."""
    month, months = scope.start.replace(day=1), []
    while month <= scope.end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _rolled_months(scope):
    """{month: {field: total}} of the months of the scope that the rollups
    hold as the report counts them (mentoring.insights.rollups.stored_months),
    or {} with a mentor filter or in a zone that is not built: those are
    counted live. Notes on the scope when a figure is not live."""
    if scope.mentor is not None:
        return {}
    stored = rollups.stored_months(scope.programs, scope.zone, scope.start, scope.end)
    _note_updated(scope, [at for month, (_, at) in stored.items() if month >= _this_month(scope)])
    return {month: totals for month, (totals, _) in stored.items()}


def _this_month(scope):
    return timezone.localdate(timezone.now(), scope.zone).replace(day=1)


def _note_updated(scope, moments):
    """Remember the oldest moment a stored figure of a period not over yet was computed."""
    if moments:
        oldest = min(moments)
        scope.updated[0] = oldest if scope.updated[0] is None else min(scope.updated[0], oldest)


def _live_range(scope, field_name, stored):
    """The scope's range of ``field_name`` without the stored months (a Q), or
    None when the stored months cover all of it."""
    live = scope.in_range(field_name)
    if not stored:
        return live
    covered = Q()
    for month in sorted(stored):
        until = (month + timedelta(days=32)).replace(day=1)
        covered |= Q(**{f"{field_name}__gte": rollups.local_midnight(month, scope.zone)}) & Q(
            **{f"{field_name}__lt": rollups.local_midnight(until, scope.zone)}
        )
    if len(stored) == len(_month_starts(scope)):  # stored months lie wholly inside the range
        return None
    return live & ~covered


def sessions_by_month(scope):
    """[[first day of the month (date), held, minutes, missed, cancelled, mentors, mentees]]
    for every month the range touches (zeros for a quiet month). Mentors and
    mentees are distinct per program (profiles belong to one program), so rows
    of several programs add up to the rows of all of them together. Whole past
    months come from the rollups where built (``_rolled_months``), the rest
    is counted live."""
    stored = _rolled_months(scope)
    live = _live_range(scope, "starts_at", stored)
    by_month = {}
    if live is not None:
        rows = (
            _one_on_ones(scope, in_range=live)
            .annotate(month=TruncMonth("starts_at", tzinfo=scope.zone))
            .values("month")
            .annotate(**rollups.meeting_figures())
            .order_by("month")
        )
        by_month = {r["month"].date(): r for r in rows}
    by_month.update(stored)
    empty = {"held": 0, "minutes": 0, "missed": 0, "cancelled": 0, "mentors": 0, "mentees": 0}
    result = []
    for month in _month_starts(scope):
        r = by_month.get(month, empty)
        result.append([month, r["held"], r["minutes"] or 0, r["missed"], r["cancelled"], r["mentors"], r["mentees"]])
    return result


def sessions_table(months):
    """The sessions report's table from ``sessions_by_month`` rows (minutes become hours)."""
    return Table(
        [
            gettext_noop("Month"),
            gettext_noop("Sessions held"),
            gettext_noop("Hours"),
            gettext_noop("Missed"),
            gettext_noop("Cancelled"),
            gettext_noop("Mentors meeting"),
            gettext_noop("Mentees met"),
        ],
        [[month_label(month), held, round(minutes / 60, 1), *rest] for month, held, minutes, *rest in months],
        chart=(0, [1, 2]),
    )


def sessions_report(scope):
    return sessions_table(sessions_by_month(scope))


def sessions_by_mentor(scope):
    """Per mentor per month: the long export, as (header, lines iterator).

    Streamed: the header goes out before any query; then one query grouped by
    (month, mentor id) (narrow rows: the database never sorts meetings with
    names, which spilled to disk for a year at 10,000 mentees), ordered by
    month and read EXPORT_CHUNK rows at a time (a server-side cursor on
    PostgreSQL). Names of the programs' mentors come from one more query; each
    month's lines are ordered in Python by (name, mentor id) and yielded before
    the next month is read, so at most one month of lines (25,000 at 100,000
    mentees) is held. Two queries, whatever the range or the data."""
    header = [
        gettext_noop("Month"),
        gettext_noop("Mentor"),
        gettext_noop("Sessions held"),
        gettext_noop("Hours"),
        gettext_noop("Missed"),
    ]  # translated when exported (Report.export)
    return header, _sessions_by_mentor_lines(scope)


def _sessions_by_mentor_lines(scope):
    rows = (
        _one_on_ones(scope)
        # The month as a plain date from the database: no time-zone conversion per line in Python.
        .annotate(month=Cast(TruncMonth("starts_at", tzinfo=scope.zone), DateField()))
        .values("month", "match__mentor")
        .annotate(
            completed=Count("pk", filter=COMPLETED),
            minutes=Sum("duration_minutes", filter=COMPLETED),
            missed=Count("pk", filter=Q(status=Session.Status.MISSED)),
        )
        .values_list("month", "match__mentor", "completed", "minutes", "missed")
        .order_by("month", "match__mentor")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    names = None
    for month, of_month in groupby(rows, key=itemgetter(0)):
        if names is None:
            names = dict(MentorProfile.objects.filter(program__in=scope.programs).values_list("pk", "user__full_name"))
        label = month.strftime("%Y-%m")
        for _, mentor, completed, minutes, missed in sorted(of_month, key=lambda row: (names.get(row[1], ""), row[1])):
            yield [label, names.get(mentor, ""), completed, round((minutes or 0) / 60, 1), missed]


EXPORT_CHUNK = 5000  # rows fetched at a time by the streamed exports


# --- match outcomes -----------------------------------------------------------------------------------


def matches_report(scope):
    now = timezone.now()
    matches = Match.objects.filter(
        scope.in_range("started_at"), program__in=scope.programs, started_at__isnull=False
    ).order_by()
    if scope.mentor:
        matches = matches.filter(mentor=scope.mentor)
    length = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    retention = {}
    for days in RETENTION_DAYS:
        eligible = Q(started_at__lte=now - timedelta(days=days))
        stayed = Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at") + timedelta(days=days))
        retention[f"eligible_{days}"] = Count("pk", filter=eligible)
        retention[f"stayed_{days}"] = Count("pk", filter=eligible & stayed)
    totals = matches.aggregate(
        started=Count("pk"),
        active=Count("pk", filter=Q(status=Match.Status.ACTIVE)),
        paused=Count("pk", filter=Q(status=Match.Status.PAUSED)),
        closed=Count("pk", filter=Q(status=Match.Status.CLOSED)),
        average_length=Avg(length, filter=Q(status=Match.Status.CLOSED, ended_at__isnull=False)),
        **retention,
    )
    reasons = dict(
        matches.filter(status=Match.Status.CLOSED).values_list("close_reason").annotate(n=Count("pk")).order_by()
    )
    started, closed = totals["started"], totals["closed"]
    average = totals["average_length"]
    rows = [
        [gettext_noop("Matches started"), started, None],
        [gettext_noop("Still active"), totals["active"], percent(totals["active"], started)],
        [gettext_noop("Paused"), totals["paused"], percent(totals["paused"], started)],
        [gettext_noop("Closed"), closed, percent(closed, started)],
    ]
    rows += [
        [
            gettext_noop("Closed: %(reason)s") % {"reason": label},
            reasons.get(value, 0),
            percent(reasons.get(value, 0), closed),
        ]
        for value, label in Match.CloseReason.choices
    ]
    rows.append(
        [
            gettext_noop("Average length of closed matches (days)"),
            round(average.total_seconds() / 86400) if average else None,
            None,
        ]
    )
    for days in RETENTION_DAYS:
        eligible, stayed = totals[f"eligible_{days}"], totals[f"stayed_{days}"]
        label = gettext_noop("Still together after %(days)s days (of %(eligible)s old enough)") % {
            "days": days,
            "eligible": eligible,
        }
        rows.append([label, stayed, percent(stayed, eligible)])
    rows += _exit_rows(scope)
    reason_rows = slice(4, 4 + len(Match.CloseReason.choices))
    return Table(
        [gettext_noop("Measure"), gettext_noop("Matches"), gettext_noop("Percent")],
        rows,
        chart_rows=reason_rows,
        notes=[gettext_noop("The chart shows why matches closed.")],
    )


def _exit_rows(scope):
    """Mentees who left the program on a day in the range, by reason (one
    grouped query; re-entered mentees no longer count). The percent is of
    all who left."""
    exits = MenteeProfile.objects.filter(
        program__in=scope.programs, exited_on__gte=scope.start, exited_on__lte=scope.end
    )
    exits = _for_mentees(exits, scope, path="pk")
    by_reason = dict(exits.values_list("exit_reason").annotate(n=Count("pk")).order_by())
    total = sum(by_reason.values())
    rows = [[gettext_noop("Mentees who left the program"), total, None]]
    rows += [
        [
            gettext_noop("Left: %(reason)s") % {"reason": label},
            by_reason.get(value, 0),
            percent(by_reason.get(value, 0), total),
        ]
        for value, label in MenteeProfile.ExitReason.choices
    ]
    return rows + _program_retention_rows(scope)


def _program_retention_rows(scope):
    """Mentees who joined in the range and were still in the program N days
    later (not exited by then; a re-entered mentee counts as staying), of those
    who joined at least N days ago — one grouped query. Exits are days
    (``exited_on``); joining is a moment, compared by its UTC date."""
    now = timezone.now()
    joined = _for_mentees(
        MenteeProfile.objects.filter(scope.in_range("joined_at"), program__in=scope.programs), scope, path="pk"
    )
    figures = {}
    for days in RETENTION_DAYS:
        eligible = Q(joined_at__lte=now - timedelta(days=days))
        mark = Cast(ExpressionWrapper(F("joined_at") + timedelta(days=days), output_field=DateTimeField()), DateField())
        stayed = Q(exited_on__isnull=True) | Q(exited_on__gte=mark)
        figures[f"eligible_{days}"] = Count("pk", filter=eligible)
        figures[f"stayed_{days}"] = Count("pk", filter=eligible & stayed)
    totals = joined.order_by().aggregate(**figures)
    rows = []
    for days in RETENTION_DAYS:
        eligible, stayed = totals[f"eligible_{days}"], totals[f"stayed_{days}"]
        label = gettext_noop("Mentees still in the program %(days)s days after joining (of %(eligible)s)") % {
            "days": days,
            "eligible": eligible,
        }
        rows.append([label, stayed, percent(stayed, eligible)])
    return rows


# --- goals --------------------------------------------------------------------------------------------


def goals_report(scope):
    goals = _for_mentees(Goal.objects.filter(scope.in_range("created_at"), mentee__program__in=scope.programs), scope)
    by_status = {status: Count("pk", filter=Q(status=status)) for status in Goal.Status.values}
    rows = goals.values("category").annotate(total=Count("pk"), **by_status).order_by("category")
    labels = dict(Category.choices)
    return Table(
        [
            gettext_noop("Category"),
            gettext_noop("Goals set"),
            gettext_noop("Achieved"),
            gettext_noop("Active"),
            gettext_noop("Paused"),
            gettext_noop("Dropped"),
            gettext_noop("Suggested"),
            gettext_noop("Achieved %"),
        ],
        [
            [
                labels.get(r["category"], r["category"]),
                r["total"],
                r["achieved"],
                r["active"],
                r["paused"],
                r["dropped"],
                r["suggested"],
                percent(r["achieved"], r["total"]),
            ]
            for r in rows
        ],
        chart=(0, [1, 2]),
    )


# --- check-in adherence -------------------------------------------------------------------------------


def _weeks(scope):
    monday = scope.start - timedelta(days=scope.start.weekday())
    weeks = []
    while monday <= scope.end and len(weeks) < MAX_WEEKS:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    return weeks


def checkins_report(scope):
    """Weekly slots, shown per month: a mentee is due a check-in in every week their
    match (active, or since closed) ran; a slot counts once there is a check-in in it."""
    zone, weeks = scope.zone, _weeks(scope)
    matches = rollups.matches_due_checkins(scope.programs)
    if scope.mentor:
        matches = matches.filter(mentor=scope.mentor)

    def at(day):
        return datetime.combine(day, time.min, tzinfo=zone)

    checkins = CheckIn.objects.filter(
        mentee__program__in=scope.programs, created_at__gte=at(weeks[0]), created_at__lt=scope.end_at
    )
    in_match = checkins.filter(
        Q(mentee__matches__in=matches),
        Q(mentee__matches__started_at__lte=F("created_at")),
        Q(mentee__matches__ended_at__isnull=True) | Q(mentee__matches__ended_at__gte=F("created_at")),
    )

    def made_live(of_weeks):
        # One plain range condition per week and per month rather than a date function
        # on every row (SQLite runs those in Python: seconds on 250,000 check-ins).
        if not of_weeks:
            return {}
        figures = in_match.filter(created_at__gte=at(weeks[of_weeks[0]])).aggregate(
            **{
                f"w{i}": Count(
                    "mentee",
                    distinct=True,
                    filter=Q(created_at__gte=at(weeks[i]), created_at__lt=at(weeks[i] + WEEK)),
                )
                for i in of_weeks
            }
        )
        return {i: figures[f"w{i}"] for i in of_weeks}

    made, due = {}, {}
    if scope.mentor is None:
        # Weeks from the rollups: mentees who checked in during the span of a
        # started match that is not paused (ReportWeek, kept by match_move too).
        stored = rollups.stored_weeks(scope.programs, zone, weeks, scope.end)
        _note_updated(
            scope,
            [
                at
                for week, (_, at) in stored.items()
                if week + timedelta(days=6) >= timezone.localdate(timezone.now(), zone)
            ],
        )
        if stored:
            made = {i: stored[monday][0][0] for i, monday in enumerate(weeks) if monday in stored}
            due = {i: stored[monday][0][1] for i, monday in enumerate(weeks) if monday in stored}
    elif rollups.is_built(zone):
        # One mentor's matches: whole weeks from their person-week rows; a last
        # week that runs past the range's end is counted live.
        whole = [i for i, monday in enumerate(weeks) if monday + timedelta(days=6) <= scope.end]
        per_week = dict(
            CheckinWeek.objects.filter(
                zone=rollups.zone_key(zone), week__in=[weeks[i] for i in whole], match__in=matches.values("pk")
            )
            .values_list("week")
            .annotate(n=Count("mentee", distinct=True))
            .order_by()
        )
        made = {i: per_week.get(weeks[i], 0) for i in whole}
    made.update(made_live([i for i in range(len(weeks)) if i not in made]))
    due_live = [i for i in range(len(weeks)) if i not in due]
    if due_live:
        counted = matches.aggregate(**rollups.checkins_due([weeks[i] for i in due_live], zone))
        due.update({i: counted[f"due{n}"] for n, i in enumerate(due_live)})
    month_starts = _month_starts(scope)
    stored = _rolled_months(scope)
    live_months = [month for month in month_starts if month not in stored]
    in_month = {
        month: Q(created_at__gte=at(month), created_at__lt=at((month + timedelta(days=32)).replace(day=1)))
        for month in live_months
    }
    stats = {
        month: {"n": r["checkins"], "mood": r["mood_sum"] / r["checkins"] if r["checkins"] else None}
        for month, r in stored.items()
    }
    live = _live_range(scope, "created_at", stored)
    if live is not None:
        totals = _for_mentees(checkins.filter(live), scope).aggregate(
            **{f"n{i}": Count("pk", filter=in_month[month]) for i, month in enumerate(live_months)},
            **{f"mood{i}": Avg("mood", filter=in_month[month]) for i, month in enumerate(live_months)},
        )
        stats.update({month: {"n": totals[f"n{i}"], "mood": totals[f"mood{i}"]} for i, month in enumerate(live_months)})
    months = {}
    for i, monday in enumerate(weeks):
        slot = months.setdefault(max(monday, scope.start).replace(day=1), [0, 0])
        slot[0] += due[i]
        slot[1] += min(made[i], due[i])
    rows = []
    for month, (due_weeks, made_weeks) in months.items():
        stat = stats[month]
        mood = stat.get("mood")
        rows.append(
            [
                month_label(month),
                due_weeks,
                made_weeks,
                percent(made_weeks, due_weeks),
                stat.get("n", 0),
                round(mood, 1) if mood else None,
            ]
        )
    return Table(
        [
            gettext_noop("Month"),
            gettext_noop("Mentee-weeks due"),
            gettext_noop("Weeks with a check-in"),
            gettext_noop("Adherence %"),
            gettext_noop("Check-ins"),
            gettext_noop("Average mood (1–5)"),
        ],
        rows,
        chart=(0, [3]),
    )


# --- recovery capital ---------------------------------------------------------------------------------


def capital_report(scope):
    """Mentees with at least two assessments whose latest falls in the range:
    their first (intake) score against their latest, per program."""
    taken = Assessment.objects.filter(mentee=OuterRef("pk"))

    mentees = (
        _for_mentees(MenteeProfile.objects.filter(program__in=scope.programs), scope, path="pk")
        .annotate(
            first_score=Subquery(taken.order_by("taken_at").values("score")[:1]),
            latest_score=Subquery(taken.order_by("-taken_at").values("score")[:1]),
            latest_at=Subquery(taken.order_by("-taken_at").values("taken_at")[:1]),
            assessment_count=Subquery(taken.order_by().values("mentee").annotate(n=Count("pk")).values("n")[:1]),
        )
        .filter(assessment_count__gte=2, latest_at__gte=scope.start_at, latest_at__lt=scope.end_at)
    )
    figures = {
        "paired": Count("pk"),
        "intake": Avg("first_score"),
        "latest": Avg("latest_score"),
        "improved": Count("pk", filter=Q(latest_score__gt=F("first_score"))),
        "same": Count("pk", filter=Q(latest_score=F("first_score"))),
        "declined": Count("pk", filter=Q(latest_score__lt=F("first_score"))),
    }
    rows = mentees.values("program__name").annotate(**figures).order_by("program__name")

    def line(name, r):
        intake, latest = r["intake"], r["latest"]
        change = round(latest - intake, 1) if r["paired"] else None
        return [
            name,
            r["paired"],
            round(intake, 1) if intake is not None else None,
            round(latest, 1) if latest is not None else None,
            change,
            r["improved"],
            r["same"],
            r["declined"],
        ]

    table_rows = [line(r["program__name"], r) for r in rows]
    if len(table_rows) > 1:
        table_rows.append(line(gettext_noop("All programs"), mentees.order_by().aggregate(**figures)))
    return Table(
        [
            gettext_noop("Program"),
            gettext_noop("Mentees (paired)"),
            gettext_noop("Average at intake"),
            gettext_noop("Average latest"),
            gettext_noop("Change"),
            gettext_noop("Improved"),
            gettext_noop("Same"),
            gettext_noop("Declined"),
        ],
        table_rows,
        chart=(0, [2, 3]),
        notes=[gettext_noop("Scores run from 0 to 100.")],
    )


# --- skills practised ---------------------------------------------------------------------------------


def skills_report(scope):
    """Two grouped queries (skills logged in meetings, group sessions on a skill)
    joined in Python by skill: one query joining both multiplied the rows."""
    logged = Session.skills.through.objects.filter(
        scope.in_range("session__starts_at"),
        session__status=Session.Status.COMPLETED,
        skill__program__in=scope.programs,
    )
    groups = GroupSession.objects.filter(
        scope.in_range("starts_at"),
        program__in=scope.programs,
        status=GroupSession.Status.SCHEDULED,
        skill__isnull=False,
    )
    if scope.mentor:
        logged = logged.filter(session__match__mentor=scope.mentor)
        groups = groups.filter(facilitators=scope.mentor.user)
    practised = {
        row["skill"]: row
        for row in logged.values("skill").annotate(
            times=Count("pk"), mentees=Count("session__match__mentee", distinct=True)
        )
    }
    taught = dict(groups.values_list("skill").annotate(n=Count("pk", distinct=True)).order_by())
    skills = Skill.objects.filter(pk__in=set(practised) | set(taught)).values_list("pk", "name", "program__name")
    rows = [
        [
            name,
            program,
            practised.get(pk, {}).get("times", 0),
            practised.get(pk, {}).get("mentees", 0),
            taught.get(pk, 0),
        ]
        for pk, name, program in skills
    ]
    rows.sort(key=lambda row: (-row[2], row[0], row[1]))
    return Table(
        [
            gettext_noop("Skill"),
            gettext_noop("Program"),
            gettext_noop("Times practised one-on-one"),
            gettext_noop("Mentees"),
            gettext_noop("Group sessions on it"),
        ],
        rows,
        chart=(0, [2]),
    )


# --- group attendance ---------------------------------------------------------------------------------


def groups_report(scope):
    groups = GroupSession.objects.filter(
        scope.in_range("starts_at"), program__in=scope.programs, status=GroupSession.Status.SCHEDULED
    )
    if scope.mentor:
        groups = groups.filter(facilitators=scope.mentor.user)
    held = dict(
        groups.annotate(month=TruncMonth("starts_at", tzinfo=scope.zone))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    marked = {mark: Count("pk", filter=Q(attendance=mark)) for mark in Registration.Attendance.values}
    rows = {
        r["month"]: r
        for r in Registration.objects.filter(group_session__in=groups, status=Registration.Status.REGISTERED)
        .annotate(month=TruncMonth("group_session__starts_at", tzinfo=scope.zone))
        .values("month")
        .annotate(registered=Count("pk"), **marked)
        .order_by()
    }
    table = []
    for month in sorted(held):
        r = rows.get(month, {})
        attended, no_show, excused = (r.get(mark, 0) for mark in ("attended", "no_show", "excused"))
        table.append(
            [
                month_label(month),
                held[month],
                r.get("registered", 0),
                attended,
                no_show,
                excused,
                percent(attended, attended + no_show + excused),
            ]
        )
    return Table(
        [
            gettext_noop("Month"),
            gettext_noop("Group sessions"),
            gettext_noop("Registered"),
            gettext_noop("Attended"),
            gettext_noop("No-shows"),
            gettext_noop("Excused"),
            gettext_noop("Attendance % (of marked)"),
        ],
        table,
        chart=(0, [2, 3]),
    )


# --- referral outcomes --------------------------------------------------------------------------------


def referrals_report(scope):
    shares = Share.objects.filter(scope.in_range("created_at"), is_referral=True, mentee__program__in=scope.programs)
    if scope.mentor:
        shares = shares.filter(shared_by=scope.mentor.user)
    answers = Share.FollowUp
    rows = (
        shares.annotate(area=Coalesce("resource__category__parent__name", "resource__category__name"))
        .values("area")
        .annotate(
            referrals=Count("pk"),
            connected=Count("pk", filter=Q(followup=answers.YES)),
            not_yet=Count("pk", filter=Q(followup=answers.NOT_YET)),
            didnt_help=Count("pk", filter=Q(followup=answers.DIDNT_HELP)),
            unanswered=Count("pk", filter=Q(followup="")),
        )
        .order_by("-referrals", "area")
    )
    return Table(
        [
            gettext_noop("Area"),
            gettext_noop("Referrals"),
            gettext_noop("Connected"),
            gettext_noop("Not yet"),
            gettext_noop("Didn't help"),
            gettext_noop("No answer yet"),
            gettext_noop("Connected %"),
        ],
        [
            [
                r["area"],
                r["referrals"],
                r["connected"],
                r["not_yet"],
                r["didnt_help"],
                r["unanswered"],
                percent(r["connected"], r["referrals"]),
            ]
            for r in rows
        ],
        chart=(0, [1, 2]),
    )


REPORTS = {
    report.slug: report
    for report in (
        Report(
            "sessions",
            gettext_lazy("Sessions and hours per month"),
            gettext_lazy(
                "One-on-one meetings by month of their start: held (logged as completed), hours held, missed and "
                "cancelled. The CSV has one line per mentor per month."
            ),
            sessions_report,
            detail=sessions_by_mentor,
        ),
        Report(
            "matches",
            gettext_lazy("Match outcomes"),
            gettext_lazy(
                "Matches that started in the range: where they stand, why closed ones ended, how long closed ones "
                "lasted, and how many were still together 30, 90 and 180 days after they started (counting only "
                "matches old enough to tell); then the mentees who left the program in the range, by reason "
                "(graduated, moved, withdrew, lost contact; a mentee who came back is not counted)."
            ),
            matches_report,
        ),
        Report(
            "goals",
            gettext_lazy("Goals by category and outcome"),
            gettext_lazy("Goals set in the range, by category and where they stand now."),
            goals_report,
        ),
        Report(
            "checkins",
            gettext_lazy("Check-in adherence"),
            gettext_lazy(
                "Each week a mentee's match ran (active, or since closed) is one check-in slot; adherence is the "
                "share of slots with at least one check-in. Weeks start on Monday."
            ),
            checkins_report,
        ),
        Report(
            "recovery-capital",
            gettext_lazy("Recovery capital: intake to latest"),
            gettext_lazy(
                "Mentees with at least two assessments whose latest is in the range: the average of their first "
                "(intake) score against the average of their latest, the same people in both columns."
            ),
            capital_report,
        ),
        Report(
            "skills",
            gettext_lazy("Skills practised"),
            gettext_lazy("Skills logged in meetings held in the range, and group sessions built around each skill."),
            skills_report,
            label_column=False,
        ),
        Report(
            "groups",
            gettext_lazy("Group attendance"),
            gettext_lazy(
                "Group sessions, workshops and events held in the range (not cancelled), registrations and the "
                "attendance marked by facilitators."
            ),
            groups_report,
        ),
        Report(
            "referrals",
            gettext_lazy("Referral outcomes"),
            gettext_lazy(
                'Resources shared as referrals in the range, by area, and what mentees answered to "Did you connect?".'
            ),
            referrals_report,
            label_column=False,
        ),
    )
}
