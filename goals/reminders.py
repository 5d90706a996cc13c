"""What is due in the goals app: check-ins (with the overdue ladder) and
safety alerts (at once, whatever the hour)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from mentoring.models import Match, MenteeProfile, ReminderKind
from mentoring.notifications.outbox import Due, coordinators_by_program, zones_passing

from .adherence import REQUIRED, period_of
from .models import Goal, GoalProgress, SafetyAlert

REMIND_AT = time(9, 0)  # local time a check-in reminder goes out
MAX_LATENESS = timedelta(days=14)


def _zone(user):
    try:
        return ZoneInfo(user.time_zone)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def period_start(cadence, day, start):
    """The first local date of the period ``day`` falls in."""
    if cadence == "daily":
        return day
    if cadence == "biweekly":
        return start + timedelta(days=14 * ((day - start).days // 14))
    return day - timedelta(days=day.weekday())


def checkin_due_since(goals, days_by_goal, zone, now):
    """(current, run) for the goals whose current period still needs a
    check-in: when the current period began and when the run of unmet
    periods reaching today began (9 am local each), or (None, None)."""
    today = now.astimezone(zone).date()
    current = run = None
    for goal in goals:
        if today < goal.started_on:
            continue
        days = days_by_goal.get(goal.pk, ())

        def met(day, goal=goal, days=days):
            period = period_of(goal.cadence, day, goal.started_on)
            made = {d for d in days if period_of(goal.cadence, d, goal.started_on) == period}
            return len(made) >= REQUIRED[goal.cadence]

        if met(today):
            continue
        first_day = max(period_start(goal.cadence, today, goal.started_on), goal.started_on)
        current = _earlier(current, datetime.combine(first_day, REMIND_AT, tzinfo=zone))
        while first_day > goal.started_on and today - first_day < MAX_LATENESS:
            previous = first_day - timedelta(days=1)
            if met(previous):
                break
            first_day = max(period_start(goal.cadence, previous, goal.started_on), goal.started_on)
        run = _earlier(run, datetime.combine(first_day, REMIND_AT, tzinfo=zone))
    return current, run


def _earlier(a, b):
    return b if a is None or b < a else a


def due(now, since=None):
    """What is due at ``now``; ``since`` (UTC) narrows to what may have become due after it."""
    yield from _checkins(now, since)
    yield from _safety_alerts(now, since)


def _checkins(now, since=None):
    """Every check-in reminder and overdue step falls due at 9:00 local time.
    With ``since``, only mentees in a zone where 9:00 passed since then, or
    with a goal created since (its first reminder may be due at once)."""
    # Mentees who left the program, withdrew consent or whose program is
    # archived are not asked to check in (MenteeProfile.objects.taking_part()).
    active = Goal.objects.filter(
        status=Goal.Status.ACTIVE, mentee__in=MenteeProfile.objects.taking_part().values("pk")
    )
    if since is not None:
        zones = zones_passing(REMIND_AT, since, now)
        fresh = active.filter(created_at__gt=since).values("mentee_id")
        active = active.filter(Q(mentee__user__time_zone__in=zones) | Q(mentee_id__in=fresh))
    goals = list(active.select_related("mentee__user", "mentee__program"))
    by_mentee = {}
    for goal in goals:
        by_mentee.setdefault(goal.mentee, []).append(goal)
    days = {}
    reports = GoalProgress.objects.filter(goal__in=goals, checkin__created_at__gte=now - timedelta(days=20))
    zones = {}
    for goal_id, created_at, tz in reports.values_list(
        "goal_id", "checkin__created_at", "goal__mentee__user__time_zone"
    ):
        zone = zones.setdefault(tz, _zone_name(tz))
        days.setdefault(goal_id, set()).add(created_at.astimezone(zone).date())
    mentors = {
        m.mentee_id: m.mentor.user
        for m in Match.objects.filter(status=Match.Status.ACTIVE, mentee__in=by_mentee).select_related("mentor__user")
    }
    coordinators = coordinators_by_program({mentee.program_id for mentee in by_mentee})
    for mentee, mentee_goals in by_mentee.items():
        current, run = checkin_due_since(mentee_goals, days, _zone(mentee.user), now)
        if current is None:
            continue
        changed = max(goal.created_at for goal in mentee_goals)
        if current <= now:
            yield Due(
                ReminderKind.CHECKIN_DUE,
                f"mentee:{mentee.pk}",
                mentee.user,
                current,
                "/checkin/",
                mentee.program_id,
                changed,
            )
        if run <= now and now - run <= MAX_LATENESS:
            yield from _ladder(mentee, run, now, mentors.get(mentee.pk), coordinators.get(mentee.program_id, []))


def _zone_name(name):
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _ladder(mentee, since, now, mentor, coordinators):
    """Overdue: the mentee, later the mentor, later the coordinators."""
    program, url = mentee.program, "/checkin/"
    subject = f"mentee:{mentee.pk}"
    steps = [
        (program.remind_mentee_after_days, [mentee.user]),
        (program.tell_mentor_after_days, [mentor] if mentor else []),
        (program.tell_coordinator_after_days, coordinators),
    ]
    for days, people in steps:
        if days and now >= since + timedelta(days=days):
            for person in people:
                link = url if person == mentee.user else f"/mentees/{mentee.pk}/checkins/"
                yield Due(ReminderKind.CHECKIN_OVERDUE, subject, person, since + timedelta(days=days), link, program.pk)


def safety_alert_recipients(alert):
    """Who hears of a safety alert: the mentee's active or paused mentors and
    the program's coordinators."""
    mentors = Match.objects.filter(
        mentee=alert.mentee_id, status__in=[Match.Status.ACTIVE, Match.Status.PAUSED]
    ).select_related("mentor__user")
    program_id = alert.mentee.program_id
    return [m.mentor.user for m in mentors] + coordinators_by_program([program_id]).get(program_id, [])


def _safety_alerts(now, since):
    alerts = SafetyAlert.objects.filter(
        acknowledged_at__isnull=True, created_at__gte=now - MAX_LATENESS, created_at__lte=now
    ).select_related("mentee")
    if since is not None:
        alerts = alerts.filter(created_at__gt=since)
    for alert in alerts:
        for person in safety_alert_recipients(alert):
            yield Due(
                ReminderKind.SAFETY_ALERT,
                f"alert:{alert.pk}",
                person,
                alert.created_at,
                "/alerts/",
                alert.mentee.program_id,
            )
