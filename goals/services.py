"""Writes for goals, check-ins, safety alerts and assessments."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring import access
from mentoring.insights import rollups
from mentoring.models import ReminderKind
from mentoring.notifications.notify import notify

from .models import (
    Answer,
    Assessment,
    CheckIn,
    CheckInComment,
    Goal,
    GoalProgress,
    Milestone,
    SafetyAlert,
)

MOOD_DROP_WINDOW = 3  # check-ins


# --- goals -------------------------------------------------------------------------------------


@transaction.atomic
def goal_create(*, mentee, by, milestones=(), **fields):
    """The mentee sets a goal; their mentor may suggest one, which waits for
    the mentee to accept it (and is never private from that mentor)."""
    if by == mentee.user:
        status, suggested_by = Goal.Status.ACTIVE, None
    elif access.is_current_mentor_of(by, mentee):
        status, suggested_by = Goal.Status.SUGGESTED, by
        fields["is_private"] = False
    else:
        raise ValidationError(_("Only the mentee or their mentor can set a goal."))
    goal = Goal.objects.create(mentee=mentee, status=status, suggested_by=suggested_by, **fields)
    Milestone.objects.bulk_create(
        [Milestone(goal=goal, title=title, due_date=due, position=i) for i, (title, due) in enumerate(milestones)]
    )
    return goal


def goal_answer_suggestion(*, goal, by, accept):
    if by != goal.mentee.user:
        raise ValidationError(_("Only the mentee can answer a suggested goal."))
    if goal.status != Goal.Status.SUGGESTED:
        raise ValidationError(_("This goal is not waiting for an answer."))
    goal.status = Goal.Status.ACTIVE if accept else Goal.Status.DROPPED
    goal.started_on = timezone.localdate()
    goal.closed_at = None if accept else timezone.now()
    goal.save(update_fields=["status", "started_on", "closed_at"])
    return goal


STATUS_MOVES = {
    Goal.Status.ACTIVE: {Goal.Status.ACHIEVED, Goal.Status.PAUSED, Goal.Status.DROPPED},
    Goal.Status.PAUSED: {Goal.Status.ACTIVE, Goal.Status.DROPPED, Goal.Status.ACHIEVED},
    Goal.Status.ACHIEVED: {Goal.Status.ACTIVE},
    Goal.Status.DROPPED: {Goal.Status.ACTIVE},
    Goal.Status.SUGGESTED: set(),
}


def goal_set_status(*, goal, by, status):
    if by != goal.mentee.user and not access.can_manage_program(by, goal.mentee.program_id):
        raise ValidationError(_("Only the mentee or a coordinator can change this goal."))
    if status not in STATUS_MOVES[goal.status]:
        raise ValidationError(
            _("A goal that is %(now)s cannot become %(new)s.")
            % {"now": goal.get_status_display().lower(), "new": str(Goal.Status(status).label).lower()}
        )
    if status == Goal.Status.ACTIVE:
        # Check-ins are due again from today: paused weeks are not missed weeks.
        goal.started_on = timezone.localdate()
    goal.status = status
    goal.closed_at = timezone.now() if status in (Goal.Status.ACHIEVED, Goal.Status.DROPPED) else None
    if status == Goal.Status.ACHIEVED:
        goal.progress = 100
    goal.save(update_fields=["status", "closed_at", "progress", "started_on"])
    return goal


def milestone_set_done(*, milestone, by, done):
    if by != milestone.goal.mentee.user:
        raise ValidationError(_("Only the mentee ticks their milestones."))
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done_at"])
    return milestone


# --- check-ins and safety alerts ---------------------------------------------------------------


@transaction.atomic
def checkin_submit(
    *,
    mentee,
    mood,
    craving=None,
    reflection="",
    wants_to_talk=False,
    needs_help=False,
    progress=None,
    milestones_done=(),
):
    """Save a check-in with progress on goals, and raise safety alerts at once.

    Returns (check-in, alerts). An alert is created when the mentee asks for
    help now, when the craving reaches the program's threshold, or when mood
    falls check-in after check-in by the program's number of points."""
    checkin = CheckIn.objects.create(
        mentee=mentee,
        mood=mood,
        craving=craving,
        reflection=reflection.strip(),
        wants_to_talk=wants_to_talk,
        needs_help=needs_help,
    )
    active = {g.pk: g for g in mentee.goals.filter(status=Goal.Status.ACTIVE)}
    reports = []
    for goal_id, value in (progress or {}).items():
        goal = active.get(goal_id)
        if goal is None or value is None:
            continue
        reports.append(GoalProgress(checkin=checkin, goal=goal, progress=value))
        goal.progress = value
        goal.save(update_fields=["progress"])
    GoalProgress.objects.bulk_create(reports)
    Milestone.objects.filter(pk__in=milestones_done, goal__in=active.values(), done_at__isnull=True).update(
        done_at=checkin.created_at
    )
    rollups.checkin_recorded(checkin=checkin)
    return checkin, _raise_alerts(checkin)


def _raise_alerts(checkin):
    """The check-in's reasons for concern, raised as ONE alert (or added to
    the mentee's open one). Returns [alert] when there was a reason, else []."""
    mentee, program = checkin.mentee, checkin.mentee.program
    reasons = []
    if checkin.needs_help:
        reasons.append(SafetyAlert.Kind.HELP_NOW)
    if checkin.craving is not None and checkin.craving >= program.craving_alert_threshold:
        reasons.append(SafetyAlert.Kind.CRAVING)
    if _mood_dropping(mentee, program.mood_drop_alert):
        reasons.append(SafetyAlert.Kind.MOOD_DROP)
    if not reasons:
        return []
    alert, _created = safety_alert_raise(
        mentee=mentee, reasons=reasons, source=SafetyAlert.Source.CHECKIN, checkin=checkin
    )
    return [alert]


def safety_alert_raise(*, mentee, reasons, source, checkin=None):
    """Raise a safety alert for ``mentee`` (a MenteeProfile), or add
    ``reasons`` (SafetyAlert.Kind values) to the one already open.

    ``source`` is a SafetyAlert.Source value ("tap" for the help-now button,
    "checkin"). A mentee has at most one open alert (the partial unique index
    ``one_open_alert_per_mentee``): when two requests race, the loser's insert
    fails, its savepoint rolls back and it joins the winner's alert. The team is
    told once per alert (safety_alert_notify, keyed by the alert); a second
    reason tells nobody again. Returns (alert, created)."""
    reasons = list(dict.fromkeys(SafetyAlert.Kind(r) for r in reasons))
    if not reasons:
        raise ValueError("A safety alert needs at least one reason.")
    for _attempt in range(3):
        try:
            with transaction.atomic():
                alert = SafetyAlert.objects.select_for_update().open().filter(mentee=mentee).first()
                if alert is None:
                    alert = SafetyAlert.objects.create(
                        mentee=mentee,
                        checkin=checkin,
                        kind=reasons[0],
                        reasons=[str(r) for r in reasons],
                        source=source,
                    )
                    safety_alert_notify(alert)
                    return alert, True
                added = [str(r) for r in reasons if str(r) not in alert.reasons]
                fields = []
                if added:
                    alert.reasons = list(alert.reasons) + added
                    fields.append("reasons")
                if checkin is not None and alert.checkin_id is None:
                    alert.checkin = checkin
                    fields.append("checkin")
                if fields:
                    alert.save(update_fields=fields)
                if SafetyAlert.Kind.HELP_NOW in added:
                    # Help asked for while another alert was open (a craving, a falling
                    # mood): the rota's on-call person must hear of it too. Same step-0
                    # key, so whoever was told already gets nothing twice.
                    safety_alert_notify(alert)
                return alert, False
        except IntegrityError:
            continue  # another request opened the alert first: join it.
    raise RuntimeError("Could not raise the safety alert.")


def safety_alert_notify(alert):
    """Tell the people who must hear of ``alert`` at once, through the outbox:
    in the app, by email and by text message, whatever the hour (the
    safety_alert kind has no quiet hours and no opt-out).

    The ONE place alerts are sent from; who is told is
    reminders.safety_alert_recipients(alert) (the mentor and whoever is on call). The
    key (``safety_alert_subject(alert, 0)`` at the alert's creation time) is the
    reminder dispatch's step 0 too, so each person gets
    one message per channel per alert. Returns the outbox row ids."""
    from .reminders import safety_alert_recipients, safety_alert_subject

    return notify(
        kind=ReminderKind.SAFETY_ALERT,
        recipients=safety_alert_recipients(alert),
        subject=safety_alert_subject(alert, 0),
        link=reverse("goals:alert_acknowledge", args=[alert.pk]),
        urgency="now",
        due_at=alert.created_at,
        program=alert.mentee.program_id,
    )


def _mood_dropping(mentee, points):
    """True when the last check-ins' moods fall each time, by ``points`` or more in all."""
    moods = list(mentee.checkins.order_by("-created_at", "-pk").values_list("mood", flat=True)[:MOOD_DROP_WINDOW])
    if len(moods) < MOOD_DROP_WINDOW:
        return False
    # moods are newest first: falling means each is below the one before it.
    falling = all(newer < older for newer, older in zip(moods, moods[1:], strict=False))
    return falling and moods[-1] - moods[0] >= points


def checkin_comment(*, checkin, author, body):
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a few words.")})
    if not access.may_support_mentee(author, checkin.mentee):
        raise ValidationError(_("Only the mentee's mentor or a coordinator can answer a check-in."))
    return CheckInComment.objects.create(checkin=checkin, author=author, body=body)


def alert_acknowledge(*, alert, by, note):
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what you did or will do; it helps whoever looks next.")})
    with transaction.atomic():
        # Two people acknowledging at once: the second is told, not overwritten.
        done = SafetyAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by, note=note
        )
    if not done:
        raise ValidationError(_("This alert was already acknowledged."))
    alert.refresh_from_db()
    return alert


# --- recovery capital -----------------------------------------------------------------------------


def score_of(instrument, values):
    """0–100: where the answers sit between the lowest and highest point."""
    span = instrument.scale_max - instrument.scale_min
    if not values or span <= 0:
        return 0
    return round(100 * sum(v - instrument.scale_min for v in values) / (span * len(values)))


@transaction.atomic
def assessment_submit(*, mentee, instrument, answers):
    """Save a self-assessment; ``answers`` maps every item id to a value."""
    items = list(instrument.items.all())
    missing = [item for item in items if item.pk not in answers]
    if missing:
        raise ValidationError(_("Please answer every statement."))
    for item in items:
        if not instrument.scale_min <= answers[item.pk] <= instrument.scale_max:
            raise ValidationError(_("An answer is outside the scale."))
    assessment = Assessment.objects.create(
        mentee=mentee, instrument=instrument, score=score_of(instrument, [answers[i.pk] for i in items])
    )
    Answer.objects.bulk_create([Answer(assessment=assessment, item=i, value=answers[i.pk]) for i in items])
    return assessment
