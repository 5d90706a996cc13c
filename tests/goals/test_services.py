"""Goal services: goals and suggestions, status moves, milestones, check-ins
with progress, safety alerts and their escalation rules, comments, and the
recovery-capital self-assessment."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from goals.defaults import DEFAULT_ITEMS
from goals.models import Answer, Assessment, CheckIn, Goal, GoalProgress, Instrument, InstrumentItem, SafetyAlert
from goals.selectors import checkin_due, default_instrument, instrument_for, lowest_domains, open_alerts
from goals.services import (
    alert_acknowledge,
    assessment_submit,
    checkin_comment,
    checkin_submit,
    goal_answer_suggestion,
    goal_create,
    goal_set_status,
    milestone_set_done,
    score_of,
)
from mentoring import access
from mentoring.models import Match
from tests.factories import CheckInFactory, GoalFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

Status = Goal.Status
Kind = SafetyAlert.Kind


def _mentee(personas):
    return personas.match.mentee


def _other_mentee(personas):
    return personas.other_match.mentee


# --- goals ----------------------------------------------------------------------------------------


def test_mentee_sets_an_active_goal_with_milestones_in_order(personas):
    first_due = date(2026, 12, 1)
    goal = goal_create(
        mentee=_mentee(personas),
        by=personas.mentee,
        title="Walk 20 minutes",
        cadence="daily",
        is_private=True,
        milestones=[("Buy shoes", first_due), ("First walk", None), ("A week of walks", None)],
    )
    assert (goal.status, goal.suggested_by, goal.is_private, goal.cadence) == (Status.ACTIVE, None, True, "daily")
    milestones = list(goal.milestones.all())
    assert [(m.title, m.due_date, m.position) for m in milestones] == [
        ("Buy shoes", first_due, 0),
        ("First walk", None, 1),
        ("A week of walks", None, 2),
    ]
    assert all(m.done_at is None for m in milestones)


def test_mentor_suggests_a_goal_that_is_never_private(personas):
    goal = goal_create(mentee=_mentee(personas), by=personas.mentor, title="Call your sponsor", is_private=True)
    goal.refresh_from_db()
    assert (goal.status, goal.suggested_by, goal.is_private) == (Status.SUGGESTED, personas.mentor, False)
    # The suggestion is there for the mentor to see.
    assert access.visible_goals(personas.mentor).filter(pk=goal.pk).exists()


@pytest.mark.parametrize("persona", ["other_mentor", "other_mentee", "coordinator"])
def test_only_the_mentee_and_their_mentor_set_goals(persona, personas):
    with pytest.raises(ValidationError, match="Only the mentee or their mentor"):
        goal_create(mentee=_mentee(personas), by=personas.user(persona), title="Sneaky", milestones=[("x", None)])
    assert not Goal.objects.exists()


def test_a_closed_match_mentor_can_no_longer_suggest(personas):
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED)
    with pytest.raises(ValidationError):
        goal_create(mentee=_mentee(personas), by=personas.mentor, title="Too late")


def _suggestion(personas):
    return goal_create(mentee=_mentee(personas), by=personas.mentor, title="Go to a meeting")


def test_mentee_accepts_a_suggestion(personas):
    goal = _suggestion(personas)
    Goal.objects.filter(pk=goal.pk).update(started_on=date(2026, 1, 1))
    goal.refresh_from_db()
    goal_answer_suggestion(goal=goal, by=personas.mentee, accept=True)
    goal.refresh_from_db()
    assert (goal.status, goal.closed_at) == (Status.ACTIVE, None)
    assert goal.started_on == timezone.localdate()  # check-ins are due from the day it is taken on


def test_mentee_declines_a_suggestion(personas):
    goal = _suggestion(personas)
    goal_answer_suggestion(goal=goal, by=personas.mentee, accept=False)
    goal.refresh_from_db()
    assert goal.status == Status.DROPPED
    assert goal.closed_at is not None


@pytest.mark.parametrize("persona", ["mentor", "coordinator", "other_mentee"])
def test_only_the_mentee_answers_a_suggestion(persona, personas):
    goal = _suggestion(personas)
    with pytest.raises(ValidationError, match="Only the mentee can answer"):
        goal_answer_suggestion(goal=goal, by=personas.user(persona), accept=True)
    goal.refresh_from_db()
    assert goal.status == Status.SUGGESTED


def test_an_active_goal_is_not_waiting_for_an_answer(personas):
    goal = GoalFactory(mentee=_mentee(personas))
    with pytest.raises(ValidationError, match="not waiting for an answer"):
        goal_answer_suggestion(goal=goal, by=personas.mentee, accept=False)
    goal.refresh_from_db()
    assert goal.status == Status.ACTIVE


# --- status moves ---------------------------------------------------------------------------------


def test_status_moves_through_pause_achieve_and_reopen(personas):
    goal = GoalFactory(mentee=_mentee(personas), progress=40)
    goal_set_status(goal=goal, by=personas.mentee, status=Status.PAUSED)
    goal.refresh_from_db()
    assert (goal.status, goal.closed_at, goal.progress) == (Status.PAUSED, None, 40)

    goal_set_status(goal=goal, by=personas.mentee, status=Status.ACHIEVED)
    goal.refresh_from_db()
    assert (goal.status, goal.progress) == (Status.ACHIEVED, 100)
    assert goal.closed_at is not None

    goal_set_status(goal=goal, by=personas.mentee, status=Status.ACTIVE)
    goal.refresh_from_db()
    assert (goal.status, goal.closed_at) == (Status.ACTIVE, None)


def test_achieving_an_active_goal_sets_progress_to_100(personas):
    goal = GoalFactory(mentee=_mentee(personas), progress=65)
    goal_set_status(goal=goal, by=personas.mentee, status=Status.ACHIEVED)
    goal.refresh_from_db()
    assert goal.progress == 100


def test_a_dropped_goal_can_be_taken_up_again(personas):
    goal = GoalFactory(mentee=_mentee(personas))
    goal_set_status(goal=goal, by=personas.mentee, status=Status.DROPPED)
    goal.refresh_from_db()
    assert goal.status == Status.DROPPED and goal.closed_at is not None
    goal_set_status(goal=goal, by=personas.mentee, status=Status.ACTIVE)
    goal.refresh_from_db()
    assert (goal.status, goal.closed_at) == (Status.ACTIVE, None)


@pytest.mark.parametrize(
    "start, target, message",
    [
        (Status.ACHIEVED, Status.PAUSED, "A goal that is achieved cannot become paused."),
        (Status.DROPPED, Status.ACHIEVED, "A goal that is dropped cannot become achieved."),
        (Status.ACTIVE, Status.ACTIVE, "A goal that is active cannot become active."),
        (Status.SUGGESTED, Status.ACTIVE, "A goal that is suggested by your mentor cannot become active."),
    ],
)
def test_invalid_status_moves_are_refused_with_a_clear_message(start, target, message, personas):
    goal = GoalFactory(mentee=_mentee(personas), status=start)
    with pytest.raises(ValidationError) as caught:
        goal_set_status(goal=goal, by=personas.mentee, status=target)
    assert caught.value.messages == [message]
    goal.refresh_from_db()
    assert goal.status == start


def test_the_coordinator_may_change_a_goal_but_the_mentor_may_not(personas):
    goal = GoalFactory(mentee=_mentee(personas))
    with pytest.raises(ValidationError, match="Only the mentee or a coordinator can change this goal"):
        goal_set_status(goal=goal, by=personas.mentor, status=Status.PAUSED)
    goal_set_status(goal=goal, by=personas.coordinator, status=Status.PAUSED)
    goal.refresh_from_db()
    assert goal.status == Status.PAUSED


# --- milestones -----------------------------------------------------------------------------------


def test_mentee_ticks_and_unticks_a_milestone(personas):
    milestone = MilestoneFactory(goal=GoalFactory(mentee=_mentee(personas)))
    milestone_set_done(milestone=milestone, by=personas.mentee, done=True)
    milestone.refresh_from_db()
    assert milestone.done_at is not None
    milestone_set_done(milestone=milestone, by=personas.mentee, done=False)
    milestone.refresh_from_db()
    assert milestone.done_at is None


@pytest.mark.parametrize("persona", ["mentor", "coordinator", "other_mentee"])
def test_only_the_mentee_ticks_milestones(persona, personas):
    milestone = MilestoneFactory(goal=GoalFactory(mentee=_mentee(personas)))
    with pytest.raises(ValidationError, match="Only the mentee ticks"):
        milestone_set_done(milestone=milestone, by=personas.user(persona), done=True)
    milestone.refresh_from_db()
    assert milestone.done_at is None


# --- check-ins ------------------------------------------------------------------------------------


def test_checkin_stores_progress_only_for_the_mentees_active_goals(personas):
    mentee = _mentee(personas)
    active = GoalFactory(mentee=mentee, progress=10)
    skipped = GoalFactory(mentee=mentee, progress=20)
    dropped = GoalFactory(mentee=mentee, status=Status.DROPPED, progress=30)
    paused = GoalFactory(mentee=mentee, status=Status.PAUSED, progress=35)
    someone_elses = GoalFactory(mentee=_other_mentee(personas), progress=40)

    checkin, alerts = checkin_submit(
        mentee=mentee,
        mood=4,
        reflection="  A good week.  ",
        progress={active.pk: 55, skipped.pk: None, dropped.pk: 90, paused.pk: 90, someone_elses.pk: 90},
    )

    assert alerts == []
    assert (checkin.mentee, checkin.mood, checkin.reflection) == (mentee, 4, "A good week.")
    assert list(GoalProgress.objects.values_list("checkin", "goal", "progress")) == [(checkin.pk, active.pk, 55)]
    progress = dict(Goal.objects.values_list("pk", "progress"))
    assert progress == {active.pk: 55, skipped.pk: 20, dropped.pk: 30, paused.pk: 35, someone_elses.pk: 40}


def test_checkin_ticks_milestones_of_active_goals_only(personas):
    mentee = _mentee(personas)
    mine = MilestoneFactory(goal=GoalFactory(mentee=mentee))
    already = MilestoneFactory(goal=mine.goal, done_at=timezone.now() - timedelta(days=3))
    of_dropped = MilestoneFactory(goal=GoalFactory(mentee=mentee, status=Status.DROPPED))
    someone_elses = MilestoneFactory(goal=GoalFactory(mentee=_other_mentee(personas)))
    earlier = already.done_at

    checkin, _ = checkin_submit(
        mentee=mentee, mood=3, milestones_done=[mine.pk, already.pk, of_dropped.pk, someone_elses.pk]
    )

    for milestone in (mine, already, of_dropped, someone_elses):
        milestone.refresh_from_db()
    assert mine.done_at == checkin.created_at
    assert already.done_at == earlier  # not moved to the new check-in
    assert of_dropped.done_at is None
    assert someone_elses.done_at is None


# --- escalation -----------------------------------------------------------------------------------


def _kinds(alerts):
    return sorted(alert.kind for alert in alerts)


def _moods(mentee, *moods):
    """Submit check-ins with these moods, oldest first; the last one's alerts."""
    alerts = []
    for mood in moods:
        _, alerts = checkin_submit(mentee=mentee, mood=mood)
    return alerts


def test_needs_help_raises_a_help_now_alert(personas):
    checkin, alerts = checkin_submit(mentee=_mentee(personas), mood=3, needs_help=True)
    assert _kinds(alerts) == [Kind.HELP_NOW]
    [alert] = SafetyAlert.objects.all()
    assert (alert.mentee, alert.checkin, alert.kind, alert.is_open) == (_mentee(personas), checkin, Kind.HELP_NOW, True)


def test_craving_exactly_at_the_threshold_raises_an_alert(personas):
    threshold = personas.program.craving_alert_threshold
    assert threshold == 8  # the default
    _, alerts = checkin_submit(mentee=_mentee(personas), mood=3, craving=threshold)
    assert _kinds(alerts) == [Kind.CRAVING]


def test_craving_one_below_the_threshold_raises_nothing(personas):
    _, alerts = checkin_submit(mentee=_mentee(personas), mood=3, craving=personas.program.craving_alert_threshold - 1)
    assert alerts == []
    assert not SafetyAlert.objects.exists()


def test_the_craving_threshold_is_the_programs(personas):
    personas.program.craving_alert_threshold = 5
    personas.program.save()
    mentee = _mentee(personas)
    mentee.refresh_from_db()
    _, alerts = checkin_submit(mentee=mentee, mood=3, craving=5)
    assert _kinds(alerts) == [Kind.CRAVING]


def test_help_and_craving_together_raise_one_alert_with_both_reasons(personas):
    _, alerts = checkin_submit(mentee=_mentee(personas), mood=3, craving=10, needs_help=True)
    assert _kinds(alerts) == [Kind.HELP_NOW]
    assert alerts[0].reasons == [Kind.HELP_NOW, Kind.CRAVING]
    assert SafetyAlert.objects.count() == 1


def test_mood_falling_by_two_over_three_check_ins_raises_a_mood_drop(personas):
    assert personas.program.mood_drop_alert == 2  # the default
    assert _kinds(_moods(_mentee(personas), 4, 3, 2)) == [Kind.MOOD_DROP]


@pytest.mark.parametrize(
    "moods",
    [
        (4, 3, 3),  # stops falling
        (5, 4, 4, 3),  # the last three, 4, 4, 3, do not fall each time
        (3, 2),  # too few check-ins
        (2, 4, 3),  # falls by one only
        (4, 2, 3),  # rises at the end
    ],
)
def test_no_mood_drop_unless_the_last_three_fall_each_time_by_enough(moods, personas):
    assert _moods(_mentee(personas), *moods) == []
    assert not SafetyAlert.objects.exists()


def test_no_second_mood_drop_alert_while_one_is_open(personas):
    mentee = _mentee(personas)
    assert _kinds(_moods(mentee, 5, 4, 3)) == [Kind.MOOD_DROP]
    _, alerts = checkin_submit(mentee=mentee, mood=2)  # 4, 3, 2: still falling
    [open_alert] = SafetyAlert.objects.all()
    assert alerts == [open_alert]  # the same, still open alert
    assert open_alert.reasons == [Kind.MOOD_DROP]


def test_a_new_mood_drop_alert_after_the_open_one_is_acknowledged(personas):
    mentee = _mentee(personas)
    [first] = _moods(mentee, 5, 4, 3)
    alert_acknowledge(alert=first, by=personas.mentor, note="Called, we talk tomorrow.")
    _, alerts = checkin_submit(mentee=mentee, mood=2)
    assert _kinds(alerts) == [Kind.MOOD_DROP]


def test_mood_drop_points_are_the_programs(personas):
    personas.program.mood_drop_alert = 3
    personas.program.save()
    mentee = _mentee(personas)
    mentee.refresh_from_db()
    assert _moods(mentee, 4, 3, 2) == []
    assert _kinds(_moods(mentee, 5, 3, 2)) == [Kind.MOOD_DROP]


def test_another_mentees_falling_mood_does_not_count(personas):
    mentee, other = _mentee(personas), _other_mentee(personas)
    _moods(other, 5, 4)
    assert _moods(mentee, 3) == []
    assert not SafetyAlert.objects.exists()


# --- who sees alerts ------------------------------------------------------------------------------


def test_alerts_reach_the_coordinator_and_the_current_mentor_only(personas):
    _, [alert] = checkin_submit(mentee=_mentee(personas), mood=2, needs_help=True)
    for persona in ("coordinator", "mentor"):
        assert list(access.visible_alerts(personas.user(persona))) == [alert], persona
        assert list(open_alerts(access.visible_alerts(personas.user(persona)))) == [alert], persona
    for persona in ("other_mentor", "other_coordinator", "other_mentee"):
        assert not access.visible_alerts(personas.user(persona)).exists(), persona
    assert not access.visible_alerts(None).exists()


def test_a_former_mentor_no_longer_sees_alerts(personas):
    checkin_submit(mentee=_mentee(personas), mood=2, needs_help=True)
    Match.objects.filter(pk=personas.match.pk).update(status=Match.Status.CLOSED)
    assert not access.visible_alerts(personas.mentor).exists()
    assert access.visible_alerts(personas.coordinator).count() == 1


def test_acknowledged_alerts_leave_the_open_list(personas):
    _, [alert] = checkin_submit(mentee=_mentee(personas), mood=2, needs_help=True)
    alert_acknowledge(alert=alert, by=personas.coordinator, note="Spoke on the phone.")
    assert list(open_alerts(access.visible_alerts(personas.mentor))) == []
    assert access.visible_alerts(personas.mentor).count() == 1  # still in the history


# --- comments and acknowledgements ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["mentor", "coordinator"])
def test_mentor_or_coordinator_answers_a_check_in(persona, personas):
    checkin = CheckInFactory(mentee=_mentee(personas))
    comment = checkin_comment(checkin=checkin, author=personas.user(persona), body="  Proud of you.  ")
    assert (comment.checkin, comment.author, comment.body) == (checkin, personas.user(persona), "Proud of you.")


@pytest.mark.parametrize("persona", ["other_mentor", "other_coordinator", "mentee"])
def test_others_cannot_answer_a_check_in(persona, personas):
    checkin = CheckInFactory(mentee=_mentee(personas))
    with pytest.raises(ValidationError, match="Only the mentee's mentor or a coordinator"):
        checkin_comment(checkin=checkin, author=personas.user(persona), body="Hello")
    assert not checkin.comments.exists()


def test_an_empty_comment_is_refused(personas):
    checkin = CheckInFactory(mentee=_mentee(personas))
    with pytest.raises(ValidationError) as caught:
        checkin_comment(checkin=checkin, author=personas.mentor, body="   ")
    assert caught.value.message_dict == {"body": ["Write a few words."]}
    assert not checkin.comments.exists()


def test_acknowledging_an_alert_needs_a_note_and_happens_once(personas):
    _, [alert] = checkin_submit(mentee=_mentee(personas), mood=3, needs_help=True)
    with pytest.raises(ValidationError) as caught:
        alert_acknowledge(alert=alert, by=personas.mentor, note="  ")
    assert "note" in caught.value.message_dict
    alert.refresh_from_db()
    assert alert.is_open

    alert_acknowledge(alert=alert, by=personas.mentor, note="  Called her, she is safe.  ")
    alert.refresh_from_db()
    assert (alert.is_open, alert.acknowledged_by, alert.note) == (False, personas.mentor, "Called her, she is safe.")

    first = alert.acknowledged_at
    with pytest.raises(ValidationError, match="already acknowledged"):
        alert_acknowledge(alert=alert, by=personas.coordinator, note="Me too.")
    alert.refresh_from_db()
    assert (alert.acknowledged_at, alert.acknowledged_by) == (first, personas.mentor)


# --- what is due ----------------------------------------------------------------------------------


def test_no_check_in_is_due_without_an_active_goal(personas):
    """Nothing to check in on: not due, whether the last check-in is old or there is none."""
    mentee = _mentee(personas)
    assert not checkin_due(mentee)
    old = CheckInFactory(mentee=mentee)
    CheckIn.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert not checkin_due(mentee)
    three_days_ago = timezone.localdate() - timedelta(days=3)
    GoalFactory(mentee=mentee, cadence="daily", started_on=three_days_ago, status=Status.PAUSED)
    assert not checkin_due(mentee)


def test_checkin_due_until_every_active_goal_has_its_check_in(personas):
    mentee = _mentee(personas)
    week_ago = timezone.localdate() - timedelta(days=7)
    walk = GoalFactory(mentee=mentee, cadence="daily", started_on=week_ago)
    read = GoalFactory(mentee=mentee, cadence="daily", started_on=week_ago)
    GoalFactory(mentee=mentee, cadence="daily", started_on=week_ago, status=Status.PAUSED)
    assert checkin_due(mentee)
    checkin_submit(mentee=mentee, mood=4, progress={walk.pk: 10})
    assert checkin_due(mentee)
    checkin_submit(mentee=mentee, mood=4, progress={walk.pk: 20, read.pk: 10})
    assert not checkin_due(mentee)


# --- recovery capital -----------------------------------------------------------------------------


def test_default_instrument_is_created_once_and_reused(db):
    instrument = default_instrument()
    assert (instrument.scale_min, instrument.scale_max, instrument.program) == (1, 6, None)
    assert len(instrument.scale_labels) == 6
    assert list(instrument.items.values_list("domain", "text")) == [tuple(item) for item in DEFAULT_ITEMS]
    assert instrument.items.count() == 10
    again = default_instrument()
    assert again.pk == instrument.pk
    assert (Instrument.objects.count(), InstrumentItem.objects.count()) == (1, 10)


def test_instrument_for_prefers_the_programs_own_active_instrument(personas):
    program = personas.program
    assert instrument_for(program) == default_instrument()
    Instrument.objects.create(name="Retired check", program=program, is_active=False)
    assert instrument_for(program) == default_instrument()
    own = Instrument.objects.create(name="Harbor check", program=program)
    assert instrument_for(program) == own
    assert instrument_for(personas.other_program) == default_instrument()


@pytest.mark.parametrize(
    "values, score",
    [
        ([1] * 10, 0),
        ([6] * 10, 100),
        ([1, 6], 50),
        ([2, 3], 30),  # (1 + 2) of (5 + 5) points above the lowest
        ([4, 4, 5], 67),  # (3 + 3 + 4) ÷ 15
        ([], 0),
    ],
)
def test_score_of_places_the_answers_between_lowest_and_highest(values, score, db):
    assert score_of(default_instrument(), values) == score


def test_score_of_a_one_point_scale_is_zero(db):
    assert score_of(Instrument(name="Flat", scale_min=3, scale_max=3), [3, 3]) == 0


def _answers(instrument, value=5, **by_domain):
    return {item.pk: by_domain.get(item.domain, value) for item in instrument.items.all()}


def test_assessment_submit_saves_the_score_and_every_answer(personas):
    instrument = default_instrument()
    answers = _answers(instrument, value=4, housing=1, finances=2)
    assessment = assessment_submit(mentee=_mentee(personas), instrument=instrument, answers=answers)
    assert assessment.score == score_of(instrument, list(answers.values()))
    assert assessment.score == round(100 * (8 * 3 + 0 + 1) / 50)
    assert dict(assessment.answers.values_list("item", "value")) == answers
    assert lowest_domains(assessment) == ["housing", "finances"]
    assert lowest_domains(assessment, count=1) == ["housing"]


def test_lowest_domains_averages_the_items_of_a_domain(personas):
    instrument = Instrument.objects.create(name="Short check", program=personas.program, scale_min=1, scale_max=5)
    family_1, family_2, housing, work = (
        InstrumentItem.objects.create(instrument=instrument, domain=domain, text=domain, position=i)
        for i, domain in enumerate(["family", "family", "housing", "employment"])
    )
    answers = {family_1.pk: 1, family_2.pk: 5, housing.pk: 2, work.pk: 4}
    assessment = assessment_submit(mentee=_mentee(personas), instrument=instrument, answers=answers)
    # Family's two answers average 3: above housing's 2, below work's 4.
    assert lowest_domains(assessment) == ["housing", "family"]
    assert assessment.score == 50


def test_assessment_with_a_missing_answer_is_refused(personas):
    instrument = default_instrument()
    answers = _answers(instrument)
    answers.pop(instrument.items.first().pk)
    with pytest.raises(ValidationError, match="answer every statement"):
        assessment_submit(mentee=_mentee(personas), instrument=instrument, answers=answers)
    assert not Assessment.objects.exists() and not Answer.objects.exists()


@pytest.mark.parametrize("value", [0, 7])
def test_an_answer_outside_the_scale_is_refused(value, personas):
    instrument = default_instrument()
    answers = _answers(instrument)
    answers[instrument.items.last().pk] = value
    with pytest.raises(ValidationError, match="outside the scale"):
        assessment_submit(mentee=_mentee(personas), instrument=instrument, answers=answers)
    assert not Assessment.objects.exists()
