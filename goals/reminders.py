"""What is due in the goals app: check-ins (with the overdue ladder) and
safety alerts (at once, whatever the hour)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentoring.delivery import Due, coordinators_by_program
from mentoring.models import Match, MenteeProfile, ReminderKind

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


def due(now):
    yield from _checkins(now)
    yield from _safety_alerts(now)


def _checkins(now):
    goals = list(
        # Mentees who left the program, withdrew consent or whose program is
        # archived are not asked to check in (MenteeProfile.objects.taking_part()).
        Goal.objects.filter(
            status=Goal.Status.ACTIVE, mentee__in=MenteeProfile.objects.taking_part().values("pk")
        ).select_related(
            "mentee__user", "mentee__program"
        )
    )
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
        if current <= now:
            yield Due(
                ReminderKind.CHECKIN_DUE, f"mentee:{mentee.pk}", mentee.user, current, "/checkin/", mentee.program_id
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


def _safety_alerts(now):
    alerts = SafetyAlert.objects.filter(
        acknowledged_at__isnull=True, created_at__gte=now - MAX_LATENESS
    ).select_related("mentee__program")
    for alert in alerts:
        program = alert.mentee.program
        mentors = Match.objects.current().filter(mentee=alert.mentee).select_related("mentor__user")
        people = [m.mentor.user for m in mentors] + coordinators_by_program([program.pk]).get(program.pk, [])
        for person in people:
            yield Due(ReminderKind.SAFETY_ALERT, f"alert:{alert.pk}", person, alert.created_at, "/alerts/", program.pk)
