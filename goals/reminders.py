"""What is due in the goals app: check-ins (with the overdue ladder) and
safety alerts (at once, whatever the hour)."""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from mentoring.models import Match, MenteeProfile, ReminderKind, zone_named
from mentoring.notifications.outbox import Due, coordinators_by_program, recipients_by_id, zones_passing
from programs.models import Program

from .adherence import REQUIRED, goal_checkin_due, period_of
from .models import Goal, GoalProgress, SafetyAlert

REMIND_AT = time(9, 0)  # local time a check-in reminder goes out
MAX_LATENESS = timedelta(days=14)


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

        if not goal_checkin_due(goal, days, today):  # the one rule (goals.adherence)
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


class GoalFacts(NamedTuple):
    """What the check-in rule reads of a goal (goals.adherence), loaded as plain values."""

    pk: int
    status: str
    cadence: str
    started_on: date
    created_at: datetime


def _checkins(now, since=None):
    """Every check-in reminder and overdue step falls due at 9:00 local time.
    With ``since``, only mentees in a zone where 9:00 passed since then, or
    with a goal created since (its first reminder may be due at once).

    At 9:00 in a busy zone this reads tens of thousands of goals, so it reads
    plain values (no model instances: 5.8 s of the 9 am dispatch at 100,000
    mentees were spent building goals, profiles and programs) and loads people
    only for the reminders that are due, in one query."""
    # Mentees who left the program, withdrew consent or whose program is
    # archived are not asked to check in (MenteeProfile.objects.taking_part()).
    taking_part = MenteeProfile.objects.taking_part()
    if since is None:
        chosen = [taking_part]
    else:
        # The mentees of the zones where 9:00 passed (from the time-zone index)
        # and those with a goal created since (goal_created_at): two narrow
        # reads instead of one OR that the planner can only answer by scanning.
        fresh = Goal.objects.filter(status=Goal.Status.ACTIVE, created_at__gt=since).values("mentee_id")
        chosen = [taking_part.filter(pk__in=fresh)]
        passing = zones_passing(REMIND_AT, since, now)
        if passing:
            chosen.append(taking_part.filter(user__time_zone__in=passing))
    mentee_facts = {}
    for mentees in chosen:
        for mentee_id, *facts in mentees.order_by().values_list("pk", "user_id", "program_id", "user__time_zone"):
            mentee_facts[mentee_id] = tuple(facts)
    goals_by_mentee = {}
    # By the (mentee, status) index; plain values, no joins.
    for *goal, mentee_id in (
        Goal.objects.filter(status=Goal.Status.ACTIVE, mentee_id__in=list(mentee_facts))
        .order_by()
        .values_list("pk", "status", "cadence", "started_on", "created_at", "mentee_id")
    ):
        goals_by_mentee.setdefault(mentee_id, []).append(GoalFacts(*goal))
    days = {}
    zone_of_goal = {goal.pk: mentee_facts[m][2] for m, goals in goals_by_mentee.items() for goal in goals}
    # Reports of the last 20 days (the longest look-back: a biweekly period
    # plus the 14-day lateness limit's edge), by their copied check-in time.
    reports = GoalProgress.objects.filter(goal__in=list(zone_of_goal), reported_at__gte=now - timedelta(days=20))
    zones = {}
    for goal_id, reported_at in reports.order_by().values_list("goal_id", "reported_at"):
        zone = zones.setdefault(zone_of_goal[goal_id], _zone_name(zone_of_goal[goal_id]))
        days.setdefault(goal_id, set()).add(reported_at.astimezone(zone).date())
    due_now, overdue = [], []
    for mentee_id, goals in goals_by_mentee.items():
        user_id, program_id, tz = mentee_facts[mentee_id]
        zone = zones.setdefault(tz, _zone_name(tz))
        current, run = checkin_due_since(goals, days, zone, now)
        if current is None:
            continue
        if current <= now:
            due_now.append((mentee_id, current, max(goal.created_at for goal in goals)))
        if run <= now and now - run <= MAX_LATENESS:
            overdue.append((mentee_id, run))
    programs = Program.objects.only(*LADDER_FIELDS).in_bulk({mentee_facts[m][1] for m, _ in overdue})
    mentors = dict(
        Match.objects.filter(status=Match.Status.ACTIVE, mentee__in=[m for m, _ in overdue]).values_list(
            "mentee_id", "mentor__user_id"
        )
    )
    people = recipients_by_id({mentee_facts[m][0] for m, *_ in due_now + overdue} | set(mentors.values()))
    coordinators = coordinators_by_program(set(programs))
    for mentee_id, current, changed in due_now:
        user_id, program_id, _ = mentee_facts[mentee_id]
        subject = f"mentee:{mentee_id}"
        yield Due(ReminderKind.CHECKIN_DUE, subject, people[user_id], current, "/checkin/", program_id, changed)
    for mentee_id, run in overdue:
        user_id, program_id, _ = mentee_facts[mentee_id]
        yield from _ladder(
            mentee_id,
            people[user_id],
            programs[program_id],
            run,
            now,
            people.get(mentors.get(mentee_id)),
            coordinators.get(program_id, []),
        )


# The program's settings the overdue ladder reads.
LADDER_FIELDS = ("remind_mentee_after_days", "tell_mentor_after_days", "tell_coordinator_after_days")


def _zone_name(name):
    return zone_named(name)


def _ladder(mentee_id, mentee_user, program, since, now, mentor, coordinators):
    """Overdue: the mentee, later the mentor, later the coordinators."""
    subject = f"mentee:{mentee_id}"
    steps = [
        (program.remind_mentee_after_days, [mentee_user]),
        (program.tell_mentor_after_days, [mentor] if mentor else []),
        (program.tell_coordinator_after_days, coordinators),
    ]
    for days, people in steps:
        if days and now >= since + timedelta(days=days):
            for person in people:
                link = "/checkin/" if person == mentee_user else f"/mentees/{mentee_id}/checkins/"
                yield Due(ReminderKind.CHECKIN_OVERDUE, subject, person, since + timedelta(days=days), link, program.pk)


def safety_alert_subject(alert, step):
    """The outbox subject of one ladder step: "alert:<id>:step:<n>" (each step is sent once)."""
    return f"alert:{getattr(alert, 'pk', alert)}:step:{step}"


def _ladder_rungs(program, at):
    """The escalation ladder of a help-now alert at ``at``: [on call, fallback,
    all coordinators], leaving out an empty rung and one that repeats the rung
    before it. Never empty unless the program has no coordinator at all."""
    from programs.oncall import who_is_on_call

    coordinators = coordinators_by_program([program.pk]).get(program.pk, [])
    fallback = program.on_call_fallback
    candidates = [who_is_on_call(program, at), [fallback] if fallback and fallback.is_active else [], coordinators]
    rungs = []
    for people in candidates:
        if people and (not rungs or {p.pk for p in people} != {p.pk for p in rungs[-1]}):
            rungs.append(people)
    return rungs


def safety_alert_recipients(alert, *, step=0, at=None):
    """Who is told of a safety alert at ladder ``step`` (0 = when it is raised).

    A help-now alert, step 0: the mentee's current mentors and whoever is on
    call at ``at`` (default: when the alert was raised) by the program's rota;
    nobody on call: the program's fallback person; no fallback: all the
    program's coordinators. Step n (after n × ``Program.escalate_after_minutes``
    unanswered): the next rung of on call → fallback → all coordinators; once
    the ladder is exhausted, all coordinators again at each later step.

    Other alerts (a strong craving, a falling mood), step 0: the current
    mentors and all coordinators, as before; they do not escalate (step > 0
    returns []). Returns a list of users, each once."""
    program = alert.mentee.program
    at = at or alert.created_at
    if not alert.is_help_now:
        if step:
            return []
        people = _mentors(alert) + coordinators_by_program([program.pk]).get(program.pk, [])
    else:
        rungs = _ladder_rungs(program, at) or [[]]
        people = (_mentors(alert) if step == 0 else []) + rungs[min(step, len(rungs) - 1)]
    unique = []
    for person in people:
        if person not in unique:
            unique.append(person)
    return unique


def _mentors(alert):
    matches = Match.objects.current().filter(mentee=alert.mentee_id).select_related("mentor__user")
    return [m.mentor.user for m in matches]


def escalation_due_at(alert, step, dead_at=None):
    """When ladder ``step`` of an unanswered help-now alert falls due (UTC):
    ``step`` × ``escalate_after_minutes`` after the alert was raised, or at
    once (``dead_at``, when a delivery of the step before became dead, but
    not before that step) if that is earlier."""
    every = timedelta(minutes=max(alert.mentee.program.escalate_after_minutes, 1))
    regular = alert.created_at + step * every
    if dead_at is not None:
        return max(min(regular, dead_at), alert.created_at + (step - 1) * every)
    return regular


def _dead_steps(alert_ids):
    """{(alert id, step): earliest time a delivery of that step became dead}.
    The old subject "alert:<id>" (before steps) counts as step 0."""
    from mentoring.models import Delivery

    dead = Delivery.objects.filter(
        kind=ReminderKind.SAFETY_ALERT, status=Delivery.Status.DEAD, subject__startswith="alert:"
    ).values_list("subject", "next_attempt_at")
    result = {}
    wanted = set(alert_ids)
    for subject, when in dead:
        parts = subject.split(":")
        try:
            alert_id, step = int(parts[1]), int(parts[3]) if len(parts) == 4 else 0
        except (ValueError, IndexError):
            continue
        if alert_id in wanted:
            key = (alert_id, step)
            result[key] = when if key not in result else min(result[key], when)
    return result


def _safety_alerts(now, since):
    """Open alerts: step 0 (the notify() at raise time already wrote it; the
    same key adds nothing) and, for help-now alerts, the latest escalation
    step that is due — a dead delivery of a step brings the next one forward
    to now. Acknowledged alerts yield nothing, so acknowledging stops the
    ladder for everyone. Alerts older than ``MAX_LATENESS`` stop repeating."""
    alerts = list(
        SafetyAlert.objects.filter(
            acknowledged_at__isnull=True, created_at__gte=now - MAX_LATENESS, created_at__lte=now
        ).select_related("mentee__program__on_call_fallback")
    )
    dead = _dead_steps([a.pk for a in alerts if a.is_help_now])
    for alert in alerts:
        program_id = alert.mentee.program_id
        if since is None or alert.created_at > since:
            for person in safety_alert_recipients(alert):
                yield Due(
                    ReminderKind.SAFETY_ALERT,
                    safety_alert_subject(alert, 0),
                    person,
                    alert.created_at,
                    "/alerts/",
                    program_id,
                )
        if not alert.is_help_now:
            continue
        step, when = _latest_step(alert, now, dead)
        if step == 0:
            continue
        for person in safety_alert_recipients(alert, step=step, at=when):
            yield Due(
                ReminderKind.SAFETY_ALERT,
                safety_alert_subject(alert, step),
                person,
                when,
                "/alerts/",
                program_id,
                changed_at=now if (alert.pk, step - 1) in dead else None,
            )


def _latest_step(alert, now, dead):
    """(step, due at) of the latest ladder step due at ``now`` (0 = none yet)."""
    every = timedelta(minutes=max(alert.mentee.program.escalate_after_minutes, 1))
    step = max(int((now - alert.created_at) / every), 0)  # dead deliveries only bring steps forward
    when = escalation_due_at(alert, step, dead.get((alert.pk, step - 1))) if step else alert.created_at
    while True:
        nxt = escalation_due_at(alert, step + 1, dead.get((alert.pk, step)))
        if nxt > now:
            return step, when
        step, when = step + 1, nxt
