"""What each app's reminders.py says is due, for whom and since when: check-ins
(local 9:00, time zones, DST, the overdue ladder), safety alerts, meetings,
match proposals, first meetings, the weekly summary, referrals and
background checks."""

from datetime import date, timedelta

import pytest
from django.urls import resolve

from mentoring.models import Match, ReminderKind
from mentoring.notifications.outbox import collect_due
from tests.factories import (
    BackgroundCheckFactory,
    GoalFactory,
    GoalProgressFactory,
    GroupSessionFactory,
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    RegistrationFactory,
    SafetyAlertFactory,
    SessionFactory,
    ShareFactory,
    UserFactory,
)

from .helpers import due, local, recipients, utc

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"
MONDAY = date(2027, 3, 1)
# Monday 1 March 2027, 9:00 in New York (UTC-5).
SINCE = utc(2027, 3, 1, 14, 0)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


def weekly_goal(mentee, **fields):
    return GoalFactory(mentee=mentee, **{"cadence": "weekly", "started_on": MONDAY, **fields})


# --- check-in due ------------------------------------------------------------------------------------


def test_a_weekly_check_in_is_due_from_nine_on_monday_local_time(personas):
    weekly_goal(personas.match.mentee)
    assert due(local(NEW_YORK, 2027, 3, 1, 8, 59), ReminderKind.CHECKIN_DUE) == set()
    expected = {(personas.mentee, SINCE)}
    assert due(local(NEW_YORK, 2027, 3, 1, 9, 0), ReminderKind.CHECKIN_DUE) == expected
    assert due(local(NEW_YORK, 2027, 3, 1, 9, 1), ReminderKind.CHECKIN_DUE) == expected
    # Later in the week it is the same reminder (same due time, so the same outbox key).
    assert due(local(NEW_YORK, 2027, 3, 4, 18, 0), ReminderKind.CHECKIN_DUE) == expected


def test_nothing_is_due_before_the_goal_starts(personas):
    weekly_goal(personas.match.mentee, started_on=MONDAY + timedelta(days=7))
    assert due(local(NEW_YORK, 2027, 3, 3, 12, 0), ReminderKind.CHECKIN_DUE) == set()


def test_a_check_in_reported_on_the_goal_that_week_means_nothing_is_due(personas):
    goal = weekly_goal(personas.match.mentee)
    GoalProgressFactory(goal=goal, checkin__created_at=local(NEW_YORK, 2027, 3, 2, 20, 0))
    wednesday = local(NEW_YORK, 2027, 3, 3, 10, 0)
    assert due(wednesday, ReminderKind.CHECKIN_DUE) == set()
    assert due(wednesday, ReminderKind.CHECKIN_OVERDUE) == set()
    # Next week a new check-in is due, from next Monday 9:00.
    assert due(local(NEW_YORK, 2027, 3, 8, 9, 30), ReminderKind.CHECKIN_DUE) == {(personas.mentee, SINCE + 7 * DAY)}


def test_a_check_in_about_other_things_does_not_count_for_the_goal(personas):
    goal = weekly_goal(personas.match.mentee)
    GoalProgressFactory(
        goal=weekly_goal(personas.match.mentee),
        checkin__created_at=local(NEW_YORK, 2027, 3, 2, 20, 0),
    )
    assert goal.pk  # the first goal has no report this week
    assert due(local(NEW_YORK, 2027, 3, 3, 10, 0), ReminderKind.CHECKIN_DUE) == {(personas.mentee, SINCE)}


def test_check_ins_are_due_at_nine_in_the_mentees_own_zone(personas):
    los_angeles, tokyo = personas.mentee, personas.other_mentee
    for user, zone in ((los_angeles, "America/Los_Angeles"), (tokyo, "Asia/Tokyo")):
        user.time_zone = zone
        user.save()
        weekly_goal(user.mentee_profiles.get())
    # 1 March, 01:00 UTC: Monday 10:00 in Tokyo, still Sunday 17:00 in Los Angeles.
    assert due(utc(2027, 3, 1, 1, 0), ReminderKind.CHECKIN_DUE) == {(tokyo, local("Asia/Tokyo", 2027, 3, 1, 9, 0))}
    # 1 March, 17:30 UTC: Monday 9:30 in Los Angeles (UTC-8).
    assert due(utc(2027, 3, 1, 17, 30), ReminderKind.CHECKIN_DUE) == {
        (tokyo, utc(2027, 3, 1, 0, 0)),
        (los_angeles, utc(2027, 3, 1, 17, 0)),
    }


@pytest.mark.parametrize(
    ("day", "nine_am_utc_hour"),
    [
        (date(2027, 3, 13), 14),  # the day before clocks go forward: EST, UTC-5
        (date(2027, 3, 14), 13),  # clocks went forward at 2:00: EDT, UTC-4
        (date(2026, 10, 31), 13),  # the day before clocks go back: EDT
        (date(2026, 11, 1), 14),  # clocks went back at 2:00: EST
        (date(2027, 11, 7), 14),
    ],
)
def test_a_daily_check_in_is_due_at_nine_local_across_daylight_saving_changes(personas, day, nine_am_utc_hour):
    GoalFactory(mentee=personas.match.mentee, cadence="daily", started_on=day - timedelta(days=30))
    nine = utc(day.year, day.month, day.day, nine_am_utc_hour, 0)
    assert nine == local(NEW_YORK, day.year, day.month, day.day, 9, 0)
    assert due(nine - MINUTE, ReminderKind.CHECKIN_DUE) == set()
    assert due(nine + 30 * MINUTE, ReminderKind.CHECKIN_DUE) == {(personas.mentee, nine)}


# --- the overdue ladder ------------------------------------------------------------------------------


def overdue(now):
    return due(now, ReminderKind.CHECKIN_OVERDUE)


def test_the_mentee_hears_the_check_in_is_overdue_after_one_day(personas):
    weekly_goal(personas.match.mentee)
    assert overdue(SINCE + DAY - MINUTE) == set()
    assert overdue(SINCE + DAY) == {(personas.mentee, SINCE + DAY)}


def test_the_mentor_hears_after_three_days(personas):
    weekly_goal(personas.match.mentee)
    assert overdue(SINCE + 3 * DAY - MINUTE) == {(personas.mentee, SINCE + DAY)}
    assert overdue(SINCE + 3 * DAY) == {(personas.mentee, SINCE + DAY), (personas.mentor, SINCE + 3 * DAY)}
    assert personas.other_mentor not in recipients(SINCE + 3 * DAY, ReminderKind.CHECKIN_OVERDUE)


@pytest.mark.parametrize("cadence", ["weekly", "biweekly"])
def test_the_coordinators_hear_after_seven_days(personas, cadence):
    """A check-in missed for a week: on the seventh day the program's
    coordinators hear of it (not the other program's). With the default
    settings and the default weekly cadence this is next Monday, 9:00."""
    weekly_goal(personas.match.mentee, cadence=cadence)
    assert personas.coordinator not in recipients(SINCE + 7 * DAY - MINUTE, ReminderKind.CHECKIN_OVERDUE)
    assert overdue(SINCE + 7 * DAY) >= {
        (personas.mentee, SINCE + DAY),
        (personas.mentor, SINCE + 3 * DAY),
        (personas.coordinator, SINCE + 7 * DAY),
    }
    assert personas.other_coordinator not in recipients(SINCE + 7 * DAY, ReminderKind.CHECKIN_OVERDUE)


def test_a_step_set_to_zero_is_off(personas):
    weekly_goal(personas.match.mentee)
    program = personas.program
    program.tell_mentor_after_days = 0
    program.save()
    assert overdue(SINCE + 3 * DAY) == {(personas.mentee, SINCE + DAY)}
    program.remind_mentee_after_days, program.tell_mentor_after_days = 0, 3
    program.save()
    assert overdue(SINCE + DAY) == set()
    assert overdue(SINCE + 3 * DAY) == {(personas.mentor, SINCE + 3 * DAY)}


def test_the_ladder_follows_the_program_settings(personas):
    weekly_goal(personas.match.mentee)
    program = personas.program
    program.remind_mentee_after_days, program.tell_mentor_after_days, program.tell_coordinator_after_days = 2, 4, 5
    program.save()
    assert overdue(SINCE + 2 * DAY - MINUTE) == set()
    assert overdue(SINCE + 5 * DAY) == {
        (personas.mentee, SINCE + 2 * DAY),
        (personas.mentor, SINCE + 4 * DAY),
        (personas.coordinator, SINCE + 5 * DAY),
    }


# --- safety alerts -----------------------------------------------------------------------------------


def test_a_safety_alert_goes_at_once_to_the_current_mentor_and_the_coordinators(personas):
    # The other mentor was this mentee's mentor once: a closed match does not count.
    MatchFactory(
        program=personas.program,
        mentor=personas.other_match.mentor,
        mentee=personas.match.mentee,
        status=Match.Status.CLOSED,
    )
    raised = local(NEW_YORK, 2027, 3, 2, 3, 12)
    SafetyAlertFactory(mentee=personas.match.mentee, created_at=raised)
    assert due(raised, ReminderKind.SAFETY_ALERT) == {(personas.mentor, raised), (personas.coordinator, raised)}


def test_an_acknowledged_alert_is_not_sent(personas):
    raised = local(NEW_YORK, 2027, 3, 2, 3, 12)
    SafetyAlertFactory(mentee=personas.match.mentee, created_at=raised, acknowledged_at=raised + MINUTE)
    assert due(raised + MINUTE, ReminderKind.SAFETY_ALERT) == set()


# --- meetings ----------------------------------------------------------------------------------------

STARTS = utc(2027, 3, 3, 18, 0)


def test_a_meeting_is_announced_24_hours_and_1_hour_ahead_to_both_people(personas):
    session = SessionFactory(match=personas.match, starts_at=STARTS)
    both = {personas.mentor, personas.mentee}
    assert due(STARTS - 24 * 60 * MINUTE - MINUTE, ReminderKind.SESSION_UPCOMING) == set()
    day_ahead = STARTS - 24 * 60 * MINUTE
    assert due(day_ahead + MINUTE, ReminderKind.SESSION_UPCOMING) == {(p, day_ahead) for p in both}
    hour_ahead = STARTS - 60 * MINUTE
    assert due(hour_ahead + MINUTE, ReminderKind.SESSION_UPCOMING) >= {(p, hour_ahead) for p in both}
    subjects = {d.subject for d in collect_due(hour_ahead) if d.kind == ReminderKind.SESSION_UPCOMING}
    assert f"session:{session.pk}:1h" in subjects


def test_a_cancelled_meeting_is_not_announced(personas):
    SessionFactory(match=personas.match, starts_at=STARTS, status="cancelled")
    assert due(STARTS - 30 * MINUTE, ReminderKind.SESSION_UPCOMING) == set()


def test_a_group_session_is_announced_to_registrants_and_facilitators(personas):
    group = GroupSessionFactory(program=personas.program, starts_at=STARTS, facilitators=[personas.mentor])
    RegistrationFactory(group_session=group, user=personas.mentee)
    RegistrationFactory(group_session=group, user=personas.other_mentee, status="waitlisted")
    volunteer = UserFactory()
    RegistrationFactory(group_session=group, user=volunteer, status="cancelled")
    day_ahead = STARTS - 24 * 60 * MINUTE
    assert due(day_ahead, ReminderKind.SESSION_UPCOMING) == {(personas.mentor, day_ahead), (personas.mentee, day_ahead)}
    hour_ahead = STARTS - 60 * MINUTE
    assert due(hour_ahead + MINUTE, ReminderKind.SESSION_UPCOMING) >= {
        (personas.mentor, hour_ahead),
        (personas.mentee, hour_ahead),
    }
    assert recipients(hour_ahead + MINUTE, ReminderKind.SESSION_UPCOMING) == {personas.mentor, personas.mentee}


def test_a_meeting_not_logged_an_hour_after_it_ends_reminds_the_mentor_only(personas):
    session = SessionFactory(match=personas.match, starts_at=STARTS, duration_minutes=45)
    reminder_at = STARTS + 45 * MINUTE + 60 * MINUTE
    assert due(reminder_at - MINUTE, ReminderKind.SESSION_NOT_LOGGED) == set()
    assert due(reminder_at, ReminderKind.SESSION_NOT_LOGGED) == {(personas.mentor, reminder_at)}
    session.status = "completed"
    session.save()
    assert due(reminder_at + MINUTE, ReminderKind.SESSION_NOT_LOGGED) == set()


# --- matches -----------------------------------------------------------------------------------------

NOW = utc(2027, 3, 3, 15, 0)


def proposal(personas, created_at, **responses):
    return MatchFactory(
        program=personas.program,
        mentor=personas.other_match.mentor,
        mentee=MenteeProfileFactory(program=personas.program),
        status=Match.Status.PROPOSED,
        created_at=created_at,
        **responses,
    )


def test_a_proposal_unanswered_after_three_days_reminds_only_the_side_that_has_not_answered(personas):
    created = NOW - 3 * DAY
    match = proposal(personas, created, mentor_response=Match.Response.ACCEPTED)
    assert due(NOW - MINUTE, ReminderKind.PROPOSAL_UNANSWERED) == set()
    assert due(NOW, ReminderKind.PROPOSAL_UNANSWERED) == {(match.mentee.user, NOW)}


def test_a_proposal_nobody_answered_reminds_both(personas):
    match = proposal(personas, NOW - 3 * DAY)
    assert due(NOW, ReminderKind.PROPOSAL_UNANSWERED) == {(match.mentee.user, NOW), (match.mentor.user, NOW)}


def test_a_match_without_a_first_meeting_reminds_both_after_the_programs_days(personas):
    match = personas.match
    match.started_at = NOW - 7 * DAY
    match.save()
    assert due(NOW - MINUTE, ReminderKind.FIRST_CONTACT) == set()
    assert due(NOW, ReminderKind.FIRST_CONTACT) == {(personas.mentor, NOW), (personas.mentee, NOW)}
    match.first_met_at = NOW - DAY
    match.save()
    assert due(NOW, ReminderKind.FIRST_CONTACT) == set()


def test_the_weekly_summary_is_due_on_monday_at_eight_in_the_mentors_zone(personas):
    eight = local(NEW_YORK, 2027, 3, 1, 8, 0)
    assert due(eight - MINUTE, ReminderKind.WEEKLY_DIGEST) == set()
    assert due(eight, ReminderKind.WEEKLY_DIGEST) == {(personas.mentor, eight), (personas.other_mentor, eight)}
    assert due(eight + DAY, ReminderKind.WEEKLY_DIGEST) == set()


# --- referrals and background checks ----------------------------------------------------------------


def test_a_referral_unanswered_after_seven_days_asks_the_mentee(personas):
    mentee = personas.match.mentee
    share = ShareFactory(mentee=mentee, is_referral=True, created_at=NOW - 7 * DAY)
    ShareFactory(mentee=mentee, is_referral=False, created_at=NOW - 7 * DAY)
    ShareFactory(mentee=mentee, is_referral=True, followup="yes", created_at=NOW - 7 * DAY)
    assert due(NOW - MINUTE, ReminderKind.REFERRAL_FOLLOWUP) == set()
    assert due(NOW, ReminderKind.REFERRAL_FOLLOWUP) == {(personas.mentee, NOW)}
    assert {d.subject for d in collect_due(NOW) if d.kind == ReminderKind.REFERRAL_FOLLOWUP} == {f"share:{share.pk}"}


def test_a_background_check_expiring_within_thirty_days_tells_the_mentor_and_coordinators(personas):
    BackgroundCheckFactory(mentor=personas.match.mentor, expires_on=date(2027, 3, 20))
    BackgroundCheckFactory(mentor=personas.other_match.mentor, expires_on=date(2027, 4, 10))  # 38 days away
    BackgroundCheckFactory(mentor=MentorProfileFactory(program=personas.other_program), status="pending")
    assert recipients(NOW, ReminderKind.READINESS_EXPIRING) == {personas.mentor, personas.coordinator}


# --- every reminder links to a page ------------------------------------------------------------------


def test_every_reminder_links_to_a_page_that_exists(personas):
    weekly_goal(personas.match.mentee)
    SafetyAlertFactory(mentee=personas.match.mentee, created_at=NOW)
    SessionFactory(match=personas.match, starts_at=NOW + 30 * MINUTE)
    SessionFactory(match=personas.other_match, starts_at=NOW - 3 * 60 * MINUTE)
    group = GroupSessionFactory(program=personas.program, starts_at=NOW + 30 * MINUTE, facilitators=[personas.mentor])
    RegistrationFactory(group_session=group, user=personas.mentee)
    proposal(personas, NOW - 3 * DAY)
    ShareFactory(mentee=personas.match.mentee, is_referral=True, created_at=NOW - 7 * DAY)
    BackgroundCheckFactory(mentor=personas.match.mentor, expires_on=date(2027, 3, 20))
    dues = list(collect_due(NOW))
    assert {d.kind for d in dues} >= {
        ReminderKind.CHECKIN_DUE,
        ReminderKind.CHECKIN_OVERDUE,
        ReminderKind.SAFETY_ALERT,
        ReminderKind.SESSION_UPCOMING,
        ReminderKind.SESSION_NOT_LOGGED,
        ReminderKind.PROPOSAL_UNANSWERED,
        ReminderKind.REFERRAL_FOLLOWUP,
        ReminderKind.READINESS_EXPIRING,
    }
    for item in dues:
        assert resolve(item.url), item
