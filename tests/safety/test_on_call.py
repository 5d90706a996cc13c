"""Issue 15: who answers a help-now alert (the on-call rota in the program's
time zone, the fallback, all coordinators), on which channels, and the
escalation ladder until someone acknowledges (frozen clock: ``now`` passed)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from goals.models import Goal, SafetyAlert
from goals.reminders import _safety_alerts, safety_alert_recipients
from goals.services import alert_acknowledge
from mentoring.models import Channel, ChannelPreference, Delivery, ReminderKind
from mentoring.notifications.outbox import collect_due, write_due
from programs.models import OnCallShift
from programs.oncall import who_is_on_call
from tests.factories import GoalFactory, UserFactory

SAT, SUN, MON = 5, 6, 0
T0 = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)  # a Monday, 11:00 in New York


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def rota(personas):
    """Program A in New York: Olivia (designated staff) is on call Mondays
    09:00–17:00, Nora (a second coordinator) Saturday night 22:00–06:00;
    Fred (designated staff) is the fallback."""
    program = personas.program
    program.time_zone = "America/New_York"
    olivia = UserFactory(email="olivia@test.example", full_name="Olivia Oncall", phone="+15550100001")
    fred = UserFactory(email="fred@test.example", full_name="Fred Fallback", phone="+15550100002")
    nora = UserFactory(email="nora@test.example", full_name="Nora Night")
    program.safety_staff.add(olivia, fred)
    program.coordinators.add(nora)
    program.on_call_fallback = fred
    program.save()
    OnCallShift.objects.create(program=program, person=olivia, weekday=MON, starts_at=time(9), ends_at=time(17))
    OnCallShift.objects.create(program=program, person=nora, weekday=SAT, starts_at=time(22), ends_at=time(6))
    personas.olivia, personas.fred, personas.nora = olivia, fred, nora
    return personas


# --- who is on call -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "on_call"),
    [
        # Spring forward (2026-03-08, 02:00 EST -> 03:00 EDT): Saturday 22:00 EST is 03:00 UTC,
        # Sunday 06:00 EDT is 10:00 UTC (the night is an hour shorter).
        (utc(2026, 3, 8, 2, 59), False),
        (utc(2026, 3, 8, 3, 0), True),
        (utc(2026, 3, 8, 9, 59), True),
        (utc(2026, 3, 8, 10, 0), False),  # 06:00 EDT: a fixed 8-hour shift would still run
        # Fall back (2026-11-01, 02:00 EDT -> 01:00 EST): Saturday 22:00 EDT is 02:00 UTC,
        # Sunday 06:00 EST is 11:00 UTC (the night is an hour longer).
        (utc(2026, 11, 1, 1, 59), False),
        (utc(2026, 11, 1, 2, 0), True),
        (utc(2026, 11, 1, 10, 30), True),  # 05:30 EST: a fixed 8-hour shift would have ended
        (utc(2026, 11, 1, 11, 0), False),
    ],
)
def test_a_night_shift_follows_the_wall_clock_across_daylight_saving(rota, at, on_call):
    assert (rota.nora in who_is_on_call(rota.program, at)) is on_call


def test_a_day_shift_is_read_in_the_programs_zone_not_utc(rota):
    assert who_is_on_call(rota.program, utc(2026, 3, 9, 13, 0)) == [rota.olivia]  # Monday 09:00 EDT
    assert who_is_on_call(rota.program, utc(2026, 3, 9, 12, 59)) == []
    assert who_is_on_call(rota.program, utc(2026, 3, 9, 21, 0)) == []  # 17:00 EDT: the shift has ended
    assert who_is_on_call(rota.program, utc(2026, 3, 2, 14, 0)) == [rota.olivia]  # a week earlier, 09:00 EST


def test_someone_no_longer_coordinator_or_staff_is_not_on_call(rota):
    rota.program.safety_staff.remove(rota.olivia)
    assert who_is_on_call(rota.program, T0) == []


# --- who is told at once ---------------------------------------------------------------------------------


def help_now(personas, at=T0):
    return SafetyAlert.objects.create(mentee=personas.match.mentee, kind=SafetyAlert.Kind.HELP_NOW, created_at=at)


def test_help_now_goes_to_the_mentor_and_whoever_is_on_call(rota):
    alert = help_now(rota)
    assert safety_alert_recipients(alert) == [rota.mentor, rota.olivia]


def test_nobody_on_call_goes_to_the_fallback(rota):
    alert = help_now(rota, at=T0 + timedelta(hours=8))  # 19:00 in New York
    assert safety_alert_recipients(alert) == [rota.mentor, rota.fred]


def test_no_fallback_goes_to_all_coordinators(rota):
    rota.program.on_call_fallback = None
    rota.program.save()
    alert = help_now(rota, at=T0 + timedelta(hours=8))
    assert set(safety_alert_recipients(alert)) == {rota.mentor, rota.coordinator, rota.nora}


def test_a_help_now_check_in_tells_the_on_call_person_at_once_on_every_channel(rota, client):
    """Through the real check-in form: staff get the alert in the app, by email and
    by text (a phone on file is enough for staff; no preference turns it off)."""
    ChannelPreference.objects.create(
        user=rota.olivia, kind=ReminderKind.SAFETY_ALERT, in_app=True, email=False, sms=False
    )
    assert not rota.olivia.ok_to_text
    goal = GoalFactory(mentee=rota.match.mentee, status=Goal.Status.ACTIVE)
    # Olivia is on call right now (a shift from an hour ago to an hour from now, local time).
    local = timezone.now().astimezone(ZoneInfo("America/New_York"))
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    OnCallShift.objects.create(
        program=rota.program, person=rota.olivia, weekday=start.weekday(), starts_at=start.time(), ends_at=end.time()
    )
    client.force_login(rota.mentee)
    response = client.post(reverse("goals:checkin"), {"mood": "3", "needs_help": "on", f"progress_{goal.pk}": "10"})
    assert response.status_code == 302
    alert = SafetyAlert.objects.get(kind=SafetyAlert.Kind.HELP_NOW)
    rows = Delivery.objects.filter(kind=ReminderKind.SAFETY_ALERT, subject=f"alert:{alert.pk}:step:0")
    assert set(rows.filter(recipient=rota.olivia).values_list("channel", flat=True)) == {
        Channel.IN_APP,
        Channel.EMAIL,
        Channel.SMS,
    }
    # The mentor (not staff, no okay-to-text) is told in the app and by email only.
    assert set(rows.filter(recipient=rota.mentor).values_list("channel", flat=True)) == {Channel.IN_APP, Channel.EMAIL}
    assert not rows.filter(recipient__in=[rota.fred, rota.coordinator, rota.nora]).exists()


# --- escalation until acknowledged ---------------------------------------------------------------------


def steps(now):
    """{step: set of recipients} of the escalation steps due at ``now`` (step 0 left out)."""
    result = {}
    for due in _safety_alerts(now, None):
        step = int(due.subject.rsplit(":", 1)[1])
        if step:
            result.setdefault(step, set()).add(due.recipient)
    return result


def test_escalation_follows_the_ladder_every_n_minutes_until_acknowledged(rota):
    help_now(rota)
    assert steps(T0 + timedelta(minutes=9, seconds=59)) == {}
    assert steps(T0 + timedelta(minutes=10)) == {1: {rota.fred}}
    assert steps(T0 + timedelta(minutes=20)) == {2: {rota.coordinator, rota.nora}}
    assert steps(T0 + timedelta(minutes=30)) == {3: {rota.coordinator, rota.nora}}


def test_the_escalation_delay_is_the_programs_setting(rota):
    rota.program.escalate_after_minutes = 3
    rota.program.save()
    help_now(rota)
    assert steps(T0 + timedelta(minutes=2)) == {}
    assert steps(T0 + timedelta(minutes=3)) == {1: {rota.fred}}


def test_each_step_is_written_once(rota):
    help_now(rota)
    at = T0 + timedelta(minutes=10)
    write_due(list(collect_due(at)), at)
    first = Delivery.objects.filter(subject__endswith=":step:1").count()
    write_due(list(collect_due(at + timedelta(minutes=1), since=at)), at + timedelta(minutes=1))
    assert first == Delivery.objects.filter(subject__endswith=":step:1").count() == 3  # Fred: app, email, text


def test_acknowledging_stops_the_escalation_for_everyone(rota, client):
    alert = help_now(rota)
    client.force_login(rota.coordinator)
    response = client.post(reverse("goals:alert_acknowledge", args=[alert.pk]), {"note": "Called Mel, she is safe."})
    assert response.status_code == 302
    for minutes in (10, 20, 30, 60):
        assert steps(T0 + timedelta(minutes=minutes)) == {}


def test_acknowledging_by_service_also_stops_it(rota):
    alert = help_now(rota)
    alert_acknowledge(alert=alert, by=rota.olivia, note="On it.")
    assert steps(T0 + timedelta(minutes=20)) == {}


def test_a_dead_delivery_escalates_at_once(rota):
    alert = help_now(rota)
    write_due(list(collect_due(T0)), T0)
    died = T0 + timedelta(minutes=2)
    Delivery.objects.filter(subject=f"alert:{alert.pk}:step:0", recipient=rota.olivia, channel=Channel.SMS).update(
        status=Delivery.Status.DEAD, next_attempt_at=died
    )
    now = T0 + timedelta(minutes=3)
    assert steps(now) == {1: {rota.fred}}
    # The regular dispatch (a window of the last minute) writes it, once.
    write_due(list(collect_due(now, since=now - timedelta(minutes=1))), now)
    assert Delivery.objects.filter(subject=f"alert:{alert.pk}:step:1", recipient=rota.fred).count() == 3
    # The ladder keeps its schedule from there: still step 1 at ten minutes, all coordinators at twenty.
    assert steps(T0 + timedelta(minutes=10)) == {1: {rota.fred}}
    assert steps(T0 + timedelta(minutes=20)) == {2: {rota.coordinator, rota.nora}}


def test_craving_alerts_tell_all_coordinators_and_do_not_escalate(rota):
    alert = SafetyAlert.objects.create(mentee=rota.match.mentee, kind=SafetyAlert.Kind.CRAVING, created_at=T0)
    assert set(safety_alert_recipients(alert)) == {rota.mentor, rota.coordinator, rota.nora}
    assert steps(T0 + timedelta(minutes=30)) == {}


def test_help_asked_while_a_craving_alert_is_open_reaches_the_on_call_person_and_escalates(rota):
    """One event, one alert — but asking for help joins the open craving alert
    as a reason: the on-call person is told at once (the people told of the
    craving get nothing twice) and the ladder applies from the alert's start."""
    from goals.services import safety_alert_raise

    local = timezone.now().astimezone(ZoneInfo("America/New_York"))
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    OnCallShift.objects.create(
        program=rota.program, person=rota.olivia, weekday=start.weekday(), starts_at=start.time(), ends_at=end.time()
    )
    alert, created = safety_alert_raise(
        mentee=rota.match.mentee, reasons=[SafetyAlert.Kind.CRAVING], source=SafetyAlert.Source.CHECKIN
    )
    assert created
    step0 = Delivery.objects.filter(kind=ReminderKind.SAFETY_ALERT, subject=f"alert:{alert.pk}:step:0")
    before = set(step0.values_list("recipient", "channel"))
    assert not step0.filter(recipient=rota.olivia).exists()
    joined, created = safety_alert_raise(
        mentee=rota.match.mentee, reasons=[SafetyAlert.Kind.HELP_NOW], source=SafetyAlert.Source.TAP
    )
    assert (joined.pk, created) == (alert.pk, False)
    assert step0.filter(recipient=rota.olivia).exists()  # on call now
    after = list(step0.values_list("recipient", "channel"))
    assert len(after) == len(set(after)) and before <= set(after)  # nobody told twice
    assert 1 in steps(alert.created_at + timedelta(minutes=10))  # the ladder runs
