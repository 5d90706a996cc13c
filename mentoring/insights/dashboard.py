"""The coordinator's key figures, per program and across programs.

Each figure is one grouped query over all the coordinator's programs (so the
number of queries does not depend on how many programs, people or rows there
are); Python only adds the per-program rows up for the "all programs" line.
Months and weeks are the viewer's own (the active time zone)."""

from dataclasses import dataclass, fields
from datetime import datetime, time, timedelta

from django.db.models import CharField, Count, F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from goals.models import CheckIn, Goal, SafetyAlert
from programs.readiness import readiness_values
from sessions.models import Session

from ..matching.loading import without_open_match
from ..models import Delivery, Match, MenteeProfile, MentorProfile

ADHERENCE_WEEKS = 4


@dataclass
class Figures:
    """One program's figures (or the sum over several)."""

    waiting: int = 0
    waiting_since: datetime | None = None
    mentors_ready: int = 0
    mentors_not_ready: int = 0
    capacity: int = 0
    active_matches: int = 0
    paused_matches: int = 0
    proposed_matches: int = 0
    sessions_this_month: int = 0
    sessions_last_month: int = 0
    minutes_this_month: int = 0
    minutes_last_month: int = 0
    checkin_weeks_made: int = 0
    checkin_weeks_due: int = 0
    goals_achieved_this_month: int = 0
    goals_achieved_last_month: int = 0
    goals_achieved: int = 0
    open_alerts: int = 0
    dead_reminders: int = 0

    @property
    def longest_wait_days(self):
        return (timezone.now() - self.waiting_since).days if self.waiting_since else None

    @property
    def caseload(self):
        return self.active_matches + self.paused_matches

    @property
    def utilization(self):
        """Caseload ÷ capacity of ready mentors, in percent."""
        return round(100 * self.caseload / self.capacity) if self.capacity else None

    @property
    def hours_this_month(self):
        return round(self.minutes_this_month / 60, 1)

    @property
    def hours_last_month(self):
        return round(self.minutes_last_month / 60, 1)

    @property
    def adherence(self):
        """Share of due mentee-weeks with at least one check-in, in percent."""
        if not self.checkin_weeks_due:
            return None
        return round(100 * min(self.checkin_weeks_made, self.checkin_weeks_due) / self.checkin_weeks_due)

    def add(self, other):
        for field in fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if field.name == "waiting_since":
                setattr(self, field.name, min(filter(None, [mine, theirs]), default=None))
            else:
                setattr(self, field.name, mine + theirs)


@dataclass(frozen=True)
class Periods:
    """Month and week boundaries in the viewer's zone, as aware datetimes."""

    this_month: datetime
    last_month: datetime
    next_month: datetime
    weeks: list  # [(start, end)] of the last complete weeks, oldest first

    @classmethod
    def around(cls, now=None):
        zone = timezone.get_current_timezone()
        today = timezone.localtime(now or timezone.now(), zone).date()
        first = today.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        monday = today - timedelta(days=today.weekday())
        starts = [monday - timedelta(weeks=n) for n in range(ADHERENCE_WEEKS, 0, -1)]

        def at(day):
            return datetime.combine(day, time.min, tzinfo=zone)

        return cls(
            this_month=at(first),
            last_month=at(previous),
            next_month=at(following),
            weeks=[(at(start), at(start + timedelta(weeks=1))) for start in starts],
        )


def program_figures(programs, *, now=None, shared=None):
    """{program id: Figures} for ``programs`` (programs or a queryset of them), in a fixed number of queries.

    ``shared``: a dict the caller keeps across calls for the same programs at
    the same ``now`` in several time zones (the beat pass): the figures that do
    not depend on the zone (ZONE_FREE) are read once, those that depend only on
    the local date (the mentors' readiness) once per date."""
    periods = Periods.around(now)
    today = timezone.localdate(now)
    shared = {} if shared is None else shared
    ids = [program.pk for program in programs]
    figures = {pk: Figures() for pk in ids}
    for collect in COLLECTORS:
        if collect in ZONE_FREE:
            key = (collect.__name__,)
        elif collect in DAY_ONLY:
            key = (collect.__name__, today)
        else:
            key = (collect.__name__, periods.this_month, periods.last_month, periods.next_month, *periods.weeks)
        if key not in shared:
            shared[key] = list(collect(ids, periods))
        for program_id, values in shared[key]:
            for name, value in values.items():
                # Sums over no rows come back as None.
                setattr(figures[program_id], name, value if name == "waiting_since" else value or 0)
    return figures


def total(figures):
    """The figures of several programs added up."""
    result = Figures()
    for one in figures:
        result.add(one)
    return result


def _grouped(rows, key):
    for row in rows:
        program_id = row.pop(key)
        yield program_id, row


def _waiting(ids, periods):
    """Mentees with no open match; waiting since they joined or their last match ended."""
    # Only ended matches: PostgreSQL sorts a missing end date first in "-ended_at".
    ended = Match.objects.filter(mentee=OuterRef("pk"), ended_at__isnull=False)
    last_end = ended.order_by("-ended_at").values("ended_at")[:1]
    rows = (
        without_open_match(MenteeProfile.objects.filter(program__in=ids))
        .annotate(since=Greatest("joined_at", Coalesce(Subquery(last_end), "joined_at")))
        .values("program")
        .annotate(waiting=Count("pk"), waiting_since=Min("since"))
        .order_by()
    )
    return _grouped(rows, "program")


def _mentors(ids, periods):
    """Ready and not-ready mentors and the capacity of the ready ones. The
    readiness rule is applied in Python to each mentor's four figures
    (programs.readiness.readiness_values): grouping on it in SQL ran every
    readiness subquery twice per mentor (7 s at 100,000 mentees)."""
    found = {}
    for program_id, capacity, ready in readiness_values(
        MentorProfile.objects.filter(program__in=ids), "program", "capacity"
    ):
        values = found.setdefault(program_id, {"mentors_ready": 0, "mentors_not_ready": 0, "capacity": 0})
        if ready:
            values["mentors_ready"] += 1
            values["capacity"] += capacity or 0
        else:
            values["mentors_not_ready"] += 1
    return found.items()


def _matches(ids, periods):
    rows = (
        Match.objects.open()
        .filter(program__in=ids)
        .values("program")
        .annotate(
            active_matches=Count("pk", filter=Q(status=Match.Status.ACTIVE)),
            paused_matches=Count("pk", filter=Q(status=Match.Status.PAUSED)),
            proposed_matches=Count("pk", filter=Q(status=Match.Status.PROPOSED)),
        )
        .order_by()
    )
    return _grouped(rows, "program")


def _sessions(ids, periods):
    this = Q(starts_at__gte=periods.this_month)
    last = Q(starts_at__lt=periods.this_month)
    rows = (
        Session.objects.filter(
            match__program__in=ids,
            status=Session.Status.COMPLETED,
            starts_at__gte=periods.last_month,
            starts_at__lt=periods.next_month,
        )
        .values("match__program")
        .annotate(
            sessions_this_month=Count("pk", filter=this),
            sessions_last_month=Count("pk", filter=last),
            minutes_this_month=Sum("duration_minutes", filter=this),
            minutes_last_month=Sum("duration_minutes", filter=last),
        )
        .order_by()
    )
    return _grouped(rows, "match__program")


def _checkin_weeks(ids, periods):
    """Of the last complete weeks, how many (mentee, week) had a check-in, out of
    those in which the mentee's current match was active: a week is due when
    the active match had started before it ended."""
    start, end = periods.weeks[0][0], periods.weeks[-1][1]
    # Distinct mentees per week, one plain range condition per week (no date
    # functions per row: they are slow on SQLite with 500,000 check-ins).
    per_week = {
        f"made_{n}": Count("mentee", distinct=True, filter=Q(created_at__gte=week_start, created_at__lt=week_end))
        for n, (week_start, week_end) in enumerate(periods.weeks)
    }
    made = (
        CheckIn.objects.filter(created_at__lt=end)
        # One filter() call: the match in both conditions is the same row.
        .filter(
            mentee__program__in=ids,
            mentee__matches__status=Match.Status.ACTIVE,
            created_at__gte=Greatest(F("mentee__matches__started_at"), Value(start)),
        )
        .values("mentee__program")
        .annotate(**per_week)
        .order_by()
    )
    due_per_week = {
        f"due_{n}": Count("pk", filter=Q(started_at__lt=week_end)) for n, (_, week_end) in enumerate(periods.weeks)
    }
    due = (
        Match.objects.filter(program__in=ids, status=Match.Status.ACTIVE)
        .values("program")
        .annotate(**due_per_week)
        .order_by()
    )
    for program_id, row in _grouped(made, "mentee__program"):
        yield program_id, {"checkin_weeks_made": sum(row.values())}
    for program_id, row in _grouped(due, "program"):
        yield program_id, {"checkin_weeks_due": sum(row.values())}


def _goals(ids, periods):
    rows = (
        Goal.objects.filter(mentee__program__in=ids, status=Goal.Status.ACHIEVED)
        .values("mentee__program")
        .annotate(
            goals_achieved=Count("pk"),
            goals_achieved_this_month=Count("pk", filter=Q(closed_at__gte=periods.this_month)),
            goals_achieved_last_month=Count(
                "pk", filter=Q(closed_at__gte=periods.last_month, closed_at__lt=periods.this_month)
            ),
        )
        .order_by()
    )
    return _grouped(rows, "mentee__program")


def _alerts(ids, periods):
    rows = (
        SafetyAlert.objects.filter(program__in=ids, acknowledged_at__isnull=True)
        .values("program")
        .annotate(open_alerts=Count("pk"))
        .order_by()
    )
    return _grouped(rows, "program")


def _dead_reminders(ids, periods):
    rows = (
        Delivery.objects.filter(program__in=ids, status=Delivery.Status.DEAD)
        .values("program")
        .annotate(dead_reminders=Count("pk"))
        .order_by()
    )
    return _grouped(rows, "program")


def live_figures(ids):
    """[(program id, figure name, value)] of the figures read live on every
    request (open safety alerts, undelivered reminders: ``_alerts`` and
    ``_dead_reminders``) for the programs ``ids``, in one query: the two grouped
    counts as a UNION ALL. A program with neither has no row (its figures are 0)."""
    name = CharField()
    alerts = (
        SafetyAlert.objects.filter(program__in=ids, acknowledged_at__isnull=True)  # the alert's own program
        .values_list("program")
        .annotate(what=Value("open_alerts", output_field=name), n=Count("pk"))
        .order_by()
    )
    reminders = (
        Delivery.objects.filter(program__in=ids, status=Delivery.Status.DEAD)
        .values_list("program")
        .annotate(what=Value("dead_reminders", output_field=name), n=Count("pk"))
        .order_by()
    )
    return list(alerts.union(reminders, all=True))


COLLECTORS = (_waiting, _mentors, _matches, _sessions, _checkin_weeks, _goals, _alerts, _dead_reminders)
ZONE_FREE = (_waiting, _matches, _alerts, _dead_reminders)  # the same in every time zone
DAY_ONLY = (_mentors,)  # readiness depends on the local date only

ALERT_CANDIDATES = 50  # alert ids read at a time by recent_alerts
ALERT_RELATED = ("mentee__user", "acknowledged_by")
# What the home's alert list shows (names: User.__str__); building and reading every column of the
# four joined tables was a millisecond of the coordinator home (issue 18).
ALERT_SHOWN = (
    "kind",
    "created_at",
    "acknowledged_at",
    "mentee__program_id",
    *(f"{person}__{name}" for person in ("mentee__user", "acknowledged_by") for name in ("full_name", "email")),
)


def recent_alerts(alerts, *, programs=None, days=14, limit=10):
    """A list of at most ``limit`` of ``alerts`` (a SafetyAlert queryset: the
    viewer's) of the last ``days``: unacknowledged first, then the latest
    acknowledged, with mentee (and user) and acknowledger selected.

    ``programs`` (programs or ids; optional): ``alerts`` holds alerts of
    these programs only, so the candidates are read among theirs (the
    alert's own program column: no join). Without it the candidates are
    every program's, and a coordinator who chose one program of forty read
    batch after batch of the others' alerts (26 queries at 100,000 mentees).

    The candidates (open or recent alerts, in that order) are read from the
    alerts table alone, ALERT_CANDIDATES ids at a time, and ``alerts`` is
    asked only about those ids: filtering ``alerts`` by the viewer's
    programs first joined every mentee profile of the programs (100,000 at
    100,000 mentees: 150–250 ms of the coordinator home) to find ten rows.
    Usually two queries; one more per further batch when the viewer may see
    few of the open and recent alerts. Only the columns of ALERT_SHOWN are
    read (with the keys): the mentee's and acknowledger's names, kind and
    times (each join and column costs planning and building: 1.8 ms of
    planning with the program joined too, at 100,000 mentees)."""
    since = timezone.now() - timedelta(days=days)
    order = (F("acknowledged_at").asc(nulls_first=True), F("created_at").desc(), "pk")
    candidates = SafetyAlert.objects.filter(Q(acknowledged_at__isnull=True) | Q(created_at__gte=since))
    if programs is not None:
        candidates = candidates.filter(program__in=[getattr(program, "pk", program) for program in programs])
    candidates = candidates.order_by(*order).values_list("pk", flat=True)
    found, start = [], 0
    while len(found) < limit:
        ids = list(candidates[start : start + ALERT_CANDIDATES])
        if not ids:
            break
        batch = alerts.filter(pk__in=ids).select_related(*ALERT_RELATED).only(*ALERT_SHOWN)
        found += batch.order_by(*order)[: limit - len(found)]
        start += ALERT_CANDIDATES
    return found
