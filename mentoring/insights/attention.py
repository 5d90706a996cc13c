"""Needs attention: one ranked list of the early-warning signals of a
coordinator's programs.

Every signal is a query producing rows of the same shape (rank, since, kind,
mentee, match, ref, amount); the rows of all signals are one UNION ALL that
the database orders and pages, so the list costs the same few queries with
ten mentees or ten thousand. Rank says how urgent a kind of signal is
(safety first); within a rank, the longest-standing comes first.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Avg,
    BigIntegerField,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from goals.models import Assessment, CheckIn, Goal, SafetyAlert
from sessions.models import Session

from ..models import Match, MatchSurvey, MenteeProfile

# Windows and thresholds of the signals that have no program setting.
TREND_RECENT = timedelta(days=14)
TREND_BEFORE = timedelta(days=56)
TREND_MIN_CHECKINS = 2
MOOD_FALL = 1.0  # points on the 1–5 scale, recent average below the earlier one
CRAVING_RISE = 2.0  # points on the 0–10 scale
CAPITAL_FALL = 10  # points on the 0–100 score, latest below the one before
CAPITAL_RECENT = timedelta(days=90)
CHECKIN_GAP = timedelta(days=14)
MISSED_WINDOW = timedelta(days=30)
MISSED_SESSIONS = 2
LOW_RATING = 2
RATING_RECENT = timedelta(days=90)
PROPOSAL_WAIT = timedelta(days=3)


@dataclass(frozen=True)
class Kind:
    rank: int
    label: str  # lazy: in the reader's language when shown
    action: str


KINDS = {
    "alert": Kind(0, gettext_lazy("Safety alert not yet acknowledged"), gettext_lazy("Acknowledge")),
    "mood_falling": Kind(1, gettext_lazy("Mood falling over recent check-ins"), gettext_lazy("See check-ins")),
    "craving_rising": Kind(1, gettext_lazy("Cravings rising over recent check-ins"), gettext_lazy("See check-ins")),
    "capital_falling": Kind(2, gettext_lazy("Recovery-capital score fell"), gettext_lazy("See progress")),
    "no_contact": Kind(3, gettext_lazy("No meeting for a while"), gettext_lazy("Schedule a meeting")),
    "first_contact": Kind(3, gettext_lazy("First meeting not held yet"), gettext_lazy("Schedule a meeting")),
    "missed_checkins": Kind(4, gettext_lazy("Check-ins stopped"), gettext_lazy("Contact")),
    "missed_sessions": Kind(4, gettext_lazy("Meetings missed"), gettext_lazy("Reassign")),
    "low_rating": Kind(5, gettext_lazy("Low rating in a closing survey"), gettext_lazy("Review the match")),
    "proposal_unanswered": Kind(5, gettext_lazy("Proposal not answered"), gettext_lazy("Open the proposal")),
}
COLUMNS = ("rank", "since", "kind", "mentee_id", "match_id", "ref_id", "amount")


def _typed(expression, output_field):
    """A column every member of the UNION types alike (PostgreSQL will not match an
    untyped NULL with a number)."""
    return Cast(Value(None) if expression is None else expression, output_field)


def _row(queryset, kind, *, since, mentee, match, ref, amount=None):
    """(kind, ``queryset`` reduced to the shared row shape: same column order and types)."""
    return kind, queryset.order_by().annotate(
        a_rank=Value(KINDS[kind].rank, IntegerField()),
        a_since=_typed(since, DateTimeField()),
        a_kind=Value(kind, CharField()),
        a_mentee=_typed(mentee, BigIntegerField()),
        a_match=_typed(match, BigIntegerField()),
        a_ref=_typed(ref, BigIntegerField()),
        a_amount=_typed(amount, FloatField()),
    ).values_list("a_rank", "a_since", "a_kind", "a_mentee", "a_match", "a_ref", "a_amount")


def _per_program(programs, field, days_of, now):
    """``field`` older than each program's own number of days (one OR'd condition)."""
    condition = Q(pk__in=[])
    for program in programs:
        condition |= Q(program=program, **{f"{field}__lt": now - timedelta(days=days_of(program))})
    return condition


def _alerts(programs, now):
    # The alert's own program (its mentee's): one partial index, no look-up of each open alert's mentee.
    alerts = SafetyAlert.objects.filter(program__in=programs, acknowledged_at__isnull=True)
    return [
        _row(
            alerts,
            "alert",
            since=F("created_at"),
            mentee=F("mentee_id"),
            match=None,
            ref=F("pk"),
        )
    ]


def _trends(programs, now):
    recent, before = (
        Q(checkins__created_at__gte=now - TREND_RECENT),
        Q(checkins__created_at__lt=now - TREND_RECENT, checkins__created_at__gte=now - TREND_BEFORE),
    )
    mentees = (
        MenteeProfile.objects.filter(program__in=programs, checkins__created_at__gte=now - TREND_BEFORE)
        .annotate(
            recent_n=Count("checkins", filter=recent),
            before_n=Count("checkins", filter=before),
            recent_mood=Avg("checkins__mood", filter=recent),
            before_mood=Avg("checkins__mood", filter=before),
            recent_craving=Avg("checkins__craving", filter=recent),
            before_craving=Avg("checkins__craving", filter=before),
        )
        .filter(recent_n__gte=TREND_MIN_CHECKINS, before_n__gte=TREND_MIN_CHECKINS)
    )
    # No correlated subqueries here: in a grouped query they ran once per check-in.
    mentees = mentees.annotate(latest=Max("checkins__created_at"))
    common = {"since": F("latest"), "mentee": F("pk"), "match": None, "ref": None}
    mood = _row(
        mentees.filter(recent_mood__lte=F("before_mood") - MOOD_FALL),
        "mood_falling",
        amount=F("before_mood") - F("recent_mood"),
        **common,
    )
    craving = _row(
        mentees.filter(recent_craving__gte=F("before_craving") + CRAVING_RISE),
        "craving_rising",
        amount=F("recent_craving") - F("before_craving"),
        **common,
    )
    return [mood, craving]


def _capital(programs, now):
    taken = Assessment.objects.filter(mentee=OuterRef("pk")).order_by("-taken_at")
    mentees = MenteeProfile.objects.filter(program__in=programs).annotate(
        latest_score=Subquery(taken.values("score")[:1]),
        previous_score=Subquery(taken.values("score")[1:2]),
        latest_at=Subquery(taken.values("taken_at")[:1]),
    )
    falling = mentees.filter(latest_at__gte=now - CAPITAL_RECENT, latest_score__lte=F("previous_score") - CAPITAL_FALL)
    return [
        _row(
            falling,
            "capital_falling",
            since=F("latest_at"),
            mentee=F("pk"),
            match=None,
            ref=None,
            amount=F("previous_score") - F("latest_score"),
        )
    ]


def _last_meeting(match_ref):
    completed = Session.objects.filter(match=match_ref, status=Session.Status.COMPLETED)
    return Subquery(completed.order_by("-starts_at").values("starts_at")[:1])


def _contact(programs, now):
    active = Match.objects.filter(program__in=programs, status=Match.Status.ACTIVE, started_at__isnull=False)
    quiet = active.filter(first_met_at__isnull=False).annotate(last_meeting=_last_meeting(OuterRef("pk")))
    quiet = quiet.filter(_per_program(programs, "last_meeting", lambda p: p.inactivity_days, now))
    never = active.filter(first_met_at__isnull=True).filter(
        _per_program(programs, "started_at", lambda p: p.first_contact_days, now)
    )
    common = {"mentee": F("mentee_id"), "match": F("pk"), "ref": F("pk")}
    return [
        _row(quiet, "no_contact", since=F("last_meeting"), **common),
        _row(never, "first_contact", since=F("started_at"), **common),
    ]


def _missed_checkins(programs, now):
    latest = CheckIn.objects.filter(mentee=OuterRef("mentee")).order_by("-created_at").values("created_at")[:1]
    has_goal = Goal.objects.filter(mentee=OuterRef("mentee"), status=Goal.Status.ACTIVE)
    matches = Match.objects.filter(program__in=programs, status=Match.Status.ACTIVE, started_at__lt=now - CHECKIN_GAP)
    stopped = (
        matches.filter(Exists(has_goal))
        .annotate(last_checkin=Coalesce(Subquery(latest), F("started_at")))
        .filter(last_checkin__lt=now - CHECKIN_GAP)
    )
    return [
        _row(
            stopped,
            "missed_checkins",
            since=F("last_checkin"),
            mentee=F("mentee_id"),
            match=F("pk"),
            ref=F("mentee_id"),
        )
    ]


def _missed_sessions(programs, now):
    """Active matches with several meetings the mentee missed lately, grouped from the
    sessions side (a correlated count per match was slow on SQLite at scale)."""
    missed = (
        Session.objects.filter(
            match__program__in=programs,
            match__status=Match.Status.ACTIVE,
            status=Session.Status.MISSED,
            starts_at__gte=now - MISSED_WINDOW,
        )
        .exclude(missed_by=Session.MissedBy.MENTOR)
        .values("match")
        .annotate(missed=Count("pk"), last_missed=Max("starts_at"))
        .filter(missed__gte=MISSED_SESSIONS)
    )
    return [
        _row(
            missed,
            "missed_sessions",
            since=F("last_missed"),
            mentee=F("match__mentee_id"),
            match=F("match"),
            ref=F("match"),
            amount=F("missed"),
        )
    ]


def _low_ratings(programs, now):
    surveys = MatchSurvey.objects.filter(
        match__program__in=programs, rating__lte=LOW_RATING, created_at__gte=now - RATING_RECENT
    )
    return [
        _row(
            surveys,
            "low_rating",
            since=F("created_at"),
            mentee=F("match__mentee_id"),
            match=F("match_id"),
            ref=F("match_id"),
            amount=F("rating"),
        )
    ]


def _proposals(programs, now):
    waiting = Match.objects.filter(
        program__in=programs, status=Match.Status.PROPOSED, created_at__lt=now - PROPOSAL_WAIT
    ).filter(Q(mentor_response=Match.Response.PENDING) | Q(mentee_response=Match.Response.PENDING))
    return [
        _row(waiting, "proposal_unanswered", since=F("created_at"), mentee=F("mentee_id"), match=F("pk"), ref=F("pk"))
    ]


SIGNALS = (_alerts, _trends, _capital, _contact, _missed_checkins, _missed_sessions, _low_ratings, _proposals)
# Computed ahead (mentoring.insights.snapshots): every signal but the open safety alerts, which are always live.
STORED_SIGNALS = SIGNALS[1:]
LIVE_SIGNALS = SIGNALS[:1]


def signals(programs, *, kind=None, now=None, of=SIGNALS):
    """The ranked rows (tuples in COLUMNS order) of ``programs`` (a list), as one
    queryset, computed from the source tables (``of``: which signal functions)."""
    now = now or timezone.now()
    parts = [rows for signal in of for name, rows in signal(programs, now) if kind in (None, name)]
    if not parts:
        return MenteeProfile.objects.none().values_list("pk")
    first, *rest = parts
    return first.union(*rest, all=True).order_by("a_rank", "a_since")


@dataclass
class Attention:
    kind: str
    since: object
    mentee: object
    match: object
    ref_id: int
    amount: float | None

    @property
    def about(self):
        return KINDS[self.kind]

    @property
    def days(self):
        return (timezone.now() - self.since).days if self.since else None

    @property
    def reason(self):
        """Why this row is here, in one sentence (no health details beyond the signal)."""
        days, amount = self.days or 0, self.amount
        match self.kind:
            case "alert":
                text = ngettext(
                    "Safety alert raised %(days)d day ago and not yet acknowledged.",
                    "Safety alert raised %(days)d days ago and not yet acknowledged.",
                    days,
                )
            case "mood_falling":
                text = _("Average mood fell by %(amount)s points over the last two weeks.")
            case "craving_rising":
                text = _("Average craving rose by %(amount)s points over the last two weeks.")
            case "capital_falling":
                text = _("Recovery-capital score fell by %(whole)s points at the last assessment.")
            case "no_contact":
                text = ngettext("No meeting logged for %(days)d day.", "No meeting logged for %(days)d days.", days)
            case "first_contact":
                text = ngettext(
                    "Matched %(days)d day ago; the first meeting has not been logged.",
                    "Matched %(days)d days ago; the first meeting has not been logged.",
                    days,
                )
            case "missed_checkins":
                text = ngettext(
                    "No check-in for %(days)d day, with an active goal.",
                    "No check-in for %(days)d days, with an active goal.",
                    days,
                )
            case "missed_sessions":
                text = ngettext(
                    "%(whole)s meeting missed in the last 30 days.",
                    "%(whole)s meetings missed in the last 30 days.",
                    round(amount or 0),
                )
            case "low_rating":
                text = _("Closing survey rated the match %(whole)s out of 5.")
            case _:
                text = ngettext(
                    "Proposed %(days)d day ago and still waiting for an answer.",
                    "Proposed %(days)d days ago and still waiting for an answer.",
                    days,
                )
        return text % {
            "days": days,
            "amount": number_format(amount, 1) if amount is not None else "",
            "whole": number_format(amount, 0) if amount is not None else "",
        }

    @property
    def action_url(self):
        match self.kind:
            case "alert":
                return reverse("goals:alert_acknowledge", args=[self.ref_id])
            case "mood_falling" | "craving_rising":
                return reverse("goals:checkins", args=[self.mentee.pk])
            case "capital_falling":
                return reverse("goals:progress", args=[self.mentee.pk])
            case "no_contact" | "first_contact":
                return reverse("peer_sessions:session_new", args=[self.ref_id])
            case "missed_checkins":
                return reverse("mentoring:person_detail", args=[self.mentee.user_id])
            case "missed_sessions":
                return reverse("mentoring:match_close", args=[self.ref_id])
            case _:
                return reverse("mentoring:match_detail", args=[self.ref_id])


def load(rows):
    """Turn a page of signal rows into Attention items, loading the people in two
    queries. Rows about a mentee rather than a match get the mentee's open match."""
    rows = list(rows)
    # Only what a row shows (includes/attention_rows.html): names (User.__str__) and the program's name.
    names = ("full_name", "email")
    mentees = (
        MenteeProfile.objects.select_related("user", "program")
        .only("program__name", *(f"user__{name}" for name in names))
        .in_bulk({row[3] for row in rows})
    )
    wanted = Q(pk__in={row[4] for row in rows if row[4]}) | Q(
        mentee__in={row[3] for row in rows if not row[4]}, status__in=Match.OPEN
    )
    matches = list(
        Match.objects.filter(wanted)
        .select_related("mentor__user")
        .only("mentee_id", "status", *(f"mentor__user__{name}" for name in names))
    )
    by_id = {match.pk: match for match in matches}
    open_by_mentee = {match.mentee_id: match for match in matches if match.is_open}
    return [
        Attention(
            kind=kind,
            since=since,
            mentee=mentees.get(mentee_id),
            match=by_id.get(match_id) or open_by_mentee.get(mentee_id),
            ref_id=ref_id,
            amount=amount,
        )
        for _rank, since, kind, mentee_id, match_id, ref_id, amount in rows
    ]
