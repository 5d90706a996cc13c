"""Reads for goals: adherence in the mentee's zone, chart series, what is due."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mentoring.models import Delivery, Match, MenteeProfile, ReminderKind

from .adherence import adherence, checkin_due_now, current_period_done, period_of, streak_back
from .defaults import DEFAULT_INSTRUMENT_NAME, ensure_default_instrument
from .models import Assessment, CheckIn, Goal, GoalProgress, Instrument, InstrumentItem, SafetyAlert
from .reminders import safety_alert_subject


def _zone(mentee):
    return mentee.user.zone


def _progress_days(goals, zone):
    """{goal id: [local dates of check-ins that reported on it]} in one query."""
    days = defaultdict(list)
    reports = GoalProgress.objects.filter(goal__in=[g.pk for g in goals]).values_list("goal_id", "checkin__created_at")
    for goal_id, created_at in reports:
        days[goal_id].append(timezone.localtime(created_at, zone).date())
    return days


def _today(zone):
    return timezone.localtime(timezone.now(), zone).date()


def in_list_order(goals):
    """Suggested and active goals first, then paused, achieved, dropped."""
    return sorted(goals, key=lambda goal: Goal.STATUS_ORDER.index(goal.status))


def adherence_for(goals, mentee):
    """{goal id: Adherence}, in the mentee's own time zone."""
    zone = _zone(mentee)
    days, today = _progress_days(goals, zone), _today(zone)
    return {g.pk: adherence(g.cadence, g.started_on, days[g.pk], today) for g in goals}


PERIOD_WORDS = {"daily": "day", "twice_weekly": "week", "weekly": "week", "biweekly": "fortnight"}


@dataclass(frozen=True)
class Streak:
    streak: int
    unit: str  # "day", "week" or "fortnight"


# The first look back for a streak, in days: covers the current period of
# every cadence (a fortnight at most) and the one before it.
STREAK_WINDOW_DAYS = 28


def _days_since(goals, mentee, zone, since_day):
    """{goal id: [local dates]} of check-ins made on or after ``since_day`` (local)."""
    since = timezone.make_aware(datetime.combine(since_day, time.min), zone)
    recent = CheckIn.objects.filter(mentee=mentee, created_at__gte=since).values("pk")
    reports = GoalProgress.objects.filter(goal__in=[g.pk for g in goals], checkin__in=recent).values_list(
        "goal_id", "checkin__created_at"
    )
    days = defaultdict(list)
    for goal_id, created_at in reports:
        days[goal_id].append(timezone.localtime(created_at, zone).date())
    return days


def recent_status(goals, mentee):
    """{goal id: (streak, current period done?)} without reading the whole history.

    Loads the progress rows of the last ``STREAK_WINDOW_DAYS`` days; a goal whose
    streak runs back to the edge of what was loaded is looked at again with a
    window twice as long, until its streak breaks inside the window or the
    window reaches the goal's start. So the rows read grow with the current
    streak (and the queries with its logarithm), never with older history; the
    figures equal ``adherence(...).streak`` and ``current_period_done`` on the
    full history (tests hold them equal). Dates in the mentee's time zone."""
    zone = _zone(mentee)
    return bounded_status(goals, _today(zone), lambda pending, since_day: _days_since(pending, mentee, zone, since_day))


def bounded_status(goals, today, load):
    """``recent_status`` on any source: ``load(goals, since_day)`` gives
    {goal id: [local dates on or after since_day]}."""
    result = {}
    for goal in goals:
        if goal.started_on > today:
            result[goal.pk] = (0, True)
    pending = [g for g in goals if g.started_on <= today]
    window, done = STREAK_WINDOW_DAYS, {}
    while pending:
        since_day = today - timedelta(days=window)
        days = load(pending, since_day)
        unresolved = []
        for goal in pending:
            if goal.pk not in done:  # the first window holds the whole current period
                done[goal.pk] = current_period_done(goal.cadence, goal.started_on, days[goal.pk], today)
            streak, broke_at = streak_back(goal.cadence, goal.started_on, days[goal.pk], today)
            edge = period_of(goal.cadence, since_day, goal.started_on)
            if goal.started_on >= since_day or (broke_at is not None and broke_at > edge):
                result[goal.pk] = (streak, done[goal.pk])
            else:
                unresolved.append(goal)
        pending, window = unresolved, window * 2
    return result


def checkin_status(profiles, goals):
    """(is a check-in due in any program?, {goal id: Streak}) for a mentee's home, from
    the goals already loaded: one query per profile (a person is a mentee in very
    few programs). Due as in checkin_due; a streak counts complete periods in a row.
    (The page keeps one query whatever the streak; the check-in POST uses the
    bounded ``recent_status`` instead.)"""
    due, streaks = False, {}
    for profile in profiles:
        own = [g for g in goals if g.mentee_id == profile.pk and g.status == Goal.Status.ACTIVE]
        if not own:
            continue  # no active goal: nothing to check in on (the page says how to set one)
        zone = _zone(profile)
        days, today = _progress_days(own, zone), _today(zone)
        due = due or checkin_due_now(own, days, today)
        for goal in own:
            figures = adherence(goal.cadence, goal.started_on, days[goal.pk], today)
            streaks[goal.pk] = Streak(figures.streak, PERIOD_WORDS[goal.cadence])
    return due, streaks


def checkin_due(mentee):
    """True when an active goal still needs a check-in in its current period, in
    the mentee's zone (goals.adherence.checkin_due_now, the rule the reminders
    follow too). No active goal: False."""
    goals = list(mentee.goals.filter(status=Goal.Status.ACTIVE))
    if not goals:
        return False
    zone = _zone(mentee)
    days, today = _progress_days(goals, zone), _today(zone)
    return checkin_due_now(goals, days, today)


def mood_series(mentee, *, days=90):
    """[(time, mood, craving)] of the mentee's check-ins, oldest first."""
    since = timezone.now() - timedelta(days=days)
    return list(
        CheckIn.objects.filter(mentee=mentee, created_at__gte=since)
        .order_by("created_at")
        .values_list("created_at", "mood", "craving")
    )


def progress_by_goal(goals):
    """{goal id: [(time, progress)]} for several goals in one query."""
    series = defaultdict(list)
    rows = GoalProgress.objects.filter(goal__in=[g.pk for g in goals]).order_by("checkin__created_at")
    for goal_id, created_at, value in rows.values_list("goal_id", "checkin__created_at", "progress"):
        series[goal_id].append((created_at, value))
    return series


def progress_series(goal):
    return list(goal.progress_reports.order_by("checkin__created_at").values_list("checkin__created_at", "progress"))


def instrument_for(program):
    """The program's own active instrument, else Waypoint's default one (made
    by a data migration), else None. Reads only: pages never create it."""
    return (
        Instrument.objects.filter(is_active=True, program=program).first()
        or Instrument.objects.filter(name=DEFAULT_INSTRUMENT_NAME, program=None).first()
    )


@transaction.atomic
def default_instrument():
    """Waypoint's default instrument, created with its items if missing (the
    seed commands, tests and ``program_create``; pages use ``instrument_for``)."""
    return ensure_default_instrument(Instrument, InstrumentItem)


def assessment_due(mentee, instrument):
    if instrument is None:
        return False
    last = Assessment.objects.filter(mentee=mentee, instrument=instrument).order_by("-taken_at").first()
    return last is None or last.taken_at <= timezone.now() - timedelta(days=instrument.interval_days)


def lowest_domains(assessment, count=2):
    """The goal categories whose answers were lowest, to suggest goals."""
    by_domain = defaultdict(list)
    for domain, value in assessment.answers.values_list("item__domain", "value"):
        by_domain[domain].append(value)
    averages = sorted(((sum(v) / len(v), d) for d, v in by_domain.items()))
    return [domain for _, domain in averages[:count]]


def open_alerts(alerts, limit=10):
    """Unacknowledged alerts first thing on mentors' and coordinators' homes;
    ``alerts`` is the viewer's visible_alerts."""
    return (
        alerts.filter(acknowledged_at__isnull=True)
        .select_related("mentee__user")
        # What includes/open_alerts.html shows: the person's name (User.__str__), the kind, when.
        .only("kind", "created_at", "mentee__user__full_name", "mentee__user__email")
        .order_by("-created_at")[:limit]
    )


# --- help now -------------------------------------------------------------------------------------


def safety_alert_told(alert):
    """Who the outbox was asked to tell of ``alert``, and how, from its rows:
    {"mentors": [user, ...], "team": [user, ...], "channels": {"in_app", "email", "sms"}}.
    "mentors" are the mentee's mentors (of any current match) among the
    recipients; "team" the other recipients (coordinators, on call)."""
    rows = list(
        Delivery.objects.filter(
            kind=ReminderKind.SAFETY_ALERT, subject=safety_alert_subject(alert, 0), recipient__isnull=False
        ).select_related("recipient")
    )
    mentor_ids = set(Match.objects.current().filter(mentee=alert.mentee_id).values_list("mentor__user_id", flat=True))
    people = {row.recipient_id: row.recipient for row in rows}
    return {
        "mentors": [u for pk, u in people.items() if pk in mentor_ids],
        "team": [u for pk, u in people.items() if pk not in mentor_ids],
        "channels": {row.channel for row in rows},
    }


def help_now_state(user, mentee_pk=None):
    """What the crisis page offers a signed-in person, or None (not a mentee).

    Returns {"mentee": MenteeProfile, "audience": "mentor"|"team", "mentor": User|None,
    "paused": bool, "alert": open SafetyAlert|None, "told": safety_alert_told(alert)|None}.
    "mentor" when the mentee has an active match; a paused match, a proposed
    one or none: "team" (the program team answers; a paused mentor may be told too,
    which the confirmation says when the outbox wrote to them)."""
    if not getattr(user, "is_authenticated", False):
        return None
    profiles = MenteeProfile.objects.filter(user=user).select_related("program")
    profile = (profiles.filter(pk=mentee_pk).first() if mentee_pk is not None else None) or profiles.first()
    if profile is None:
        return None
    match = Match.objects.current().filter(mentee=profile).select_related("mentor__user").order_by("-pk").first()
    active = match is not None and match.status == Match.Status.ACTIVE
    alert = SafetyAlert.objects.open().filter(mentee=profile).first()
    told = safety_alert_told(alert) if alert else None
    return {
        "mentee": profile,
        "audience": "mentor" if active else "team",
        "mentor": match.mentor.user if active else None,
        "paused": match is not None and not active,
        "alert": alert,
        "told": told,
        "said": help_now_said(alert, told) if alert else "",
    }


CHANNEL_WORDS = (
    ("in_app", gettext_lazy("in Waypoint")),
    ("email", gettext_lazy("by email")),
    ("sms", gettext_lazy("by text message")),
)


def _words_and(words):
    """ "a", "a and b", "a, b and c" in the active language."""
    words = [str(word) for word in words]
    if len(words) <= 1:
        return "".join(words)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def help_now_said(alert, told):
    """The sentence the mentee reads after asking for help, built only from the
    outbox rows written for ``alert`` (see safety_alert_told), e.g. "We let Morgan
    (your mentor) and the program team know at 7:42 pm. They will see it in
    Waypoint, by email and by text message." Empty string when nobody could be told."""
    from django.utils.formats import time_format

    names = [gettext("%(name)s (your mentor)") % {"name": user.get_short_name()} for user in told["mentors"]]
    if told["team"]:
        names.append(gettext("the program team"))
    if not names:
        return ""
    how = [words for channel, words in CHANNEL_WORDS if channel in told["channels"]]
    at = time_format(timezone.localtime(alert.created_at), "g:i A")
    return gettext("We let %(who)s know at %(at)s. They will see it %(ways)s.") % {
        "who": _words_and(names),
        "at": at,
        "ways": _words_and(how),
    }


# --- recovery capital and progress --------------------------------------------------------------------------
