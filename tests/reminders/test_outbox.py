"""The outbox: dispatch writes each reminder once and claims it once, a send
re-checks its claim, failures back off and end as dead letters that
coordinators see, the sweeper returns lost claims; channels, quiet hours and
the reminder email itself."""

import io
import json
import re
import threading
import traceback
import uuid
from datetime import UTC, date, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from config.celery_app import app as celery_app
from mentoring.models import Channel, ChannelPreference, Delivery, DispatchState, Notification, ReminderKind
from mentoring.notifications.channels import LINES
from mentoring.notifications.kinds import KINDS
from mentoring.notifications.outbox import (
    INTERRUPTED,
    LEASE,
    MAX_ATTEMPTS,
    Due,
    claim,
    dead_letters,
    dispatch,
    in_quiet_hours,
    outbox_rows,
    send,
    send_batch,
    sweep,
)
from mentoring.notifications.sms import BaseSMSBackend
from tests.factories import (
    DeliveryFactory,
    GoalFactory,
    MenteeProfileFactory,
    ProgramFactory,
    SafetyAlertFactory,
    UserFactory,
)

from .helpers import local, utc

# Wednesday 3 March 2027, 10:00 in New York (UTC-5): a weekly goal started on
# Monday 1 March has been due since Monday 9:00 (14:00 UTC) and one day
# overdue for the mentee since Tuesday 9:00.
NOW = utc(2027, 3, 3, 15, 0)
MONDAY = date(2027, 3, 1)
DUE_SINCE = utc(2027, 3, 1, 14, 0)
OVERDUE_SINCE = utc(2027, 3, 2, 14, 0)

PHONE = "+1 555 0100"


def keys():
    return set(Delivery.objects.values_list("kind", "subject", "recipient_id", "channel", "due_at"))


@pytest.fixture
def weekly_goal(personas):
    """The persona mentee's weekly goal, started on Monday."""
    return GoalFactory(mentee=personas.match.mentee, cadence="weekly", started_on=MONDAY)


# --- dispatch: idempotent rows, one claim ------------------------------------------------------------


def test_dispatch_writes_the_due_reminders_on_each_channel_and_claims_them(personas, weekly_goal):
    mentee = personas.mentee
    subject = f"mentee:{weekly_goal.mentee.pk}"
    claimed = dispatch(NOW, enqueue=False)
    assert keys() == {
        (kind, subject, mentee.pk, channel, due_at)
        for kind, due_at in ((ReminderKind.CHECKIN_DUE, DUE_SINCE), (ReminderKind.CHECKIN_OVERDUE, OVERDUE_SINCE))
        for channel in (Channel.IN_APP, Channel.EMAIL)
    }
    assert sorted(claimed) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert set(Delivery.objects.values_list("status", "lease_expires_at")) == {(Delivery.Status.SENDING, NOW + LEASE)}
    assert set(Delivery.objects.values_list("program_id", flat=True)) == {personas.program.pk}


def test_dispatching_twice_at_the_same_minute_creates_no_duplicates_and_claims_nothing(weekly_goal):
    first = dispatch(NOW, enqueue=False)
    before = keys()
    assert len(first) == Delivery.objects.count() == 4

    assert dispatch(NOW, enqueue=False) == []
    assert Delivery.objects.count() == 4
    assert keys() == before


def test_a_later_minute_finds_the_same_reminders_under_the_same_key(weekly_goal):
    dispatch(NOW, enqueue=False)
    before = set(Delivery.objects.values_list("pk", "kind", "subject", "recipient_id", "channel", "due_at"))
    for minutes in (1, 2, 60):
        assert dispatch(NOW + timedelta(minutes=minutes), enqueue=False) == []
    after = set(Delivery.objects.values_list("pk", "kind", "subject", "recipient_id", "channel", "due_at"))
    assert after == before


def test_dispatch_queues_the_sends_after_commit_and_each_goes_out_once(personas, django_capture_on_commit_callbacks):
    """Eager Celery here (the real worker is tests/mentoring/test_celery_worker.py);
    the send task runs on the real clock, so this test dispatches at the real time."""
    now = timezone.now()
    SafetyAlertFactory(mentee=personas.match.mentee, created_at=now)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claimed = dispatch(now)
    alerts = Delivery.objects.filter(kind=ReminderKind.SAFETY_ALERT)
    assert set(alerts.values_list("recipient_id", "channel")) == {
        (person.pk, channel)
        for person in (personas.mentor, personas.coordinator)
        for channel in (Channel.IN_APP, Channel.EMAIL)
    }
    assert set(alerts.values_list("pk", flat=True)) <= set(claimed)
    assert not Notification.objects.exists() and not mail.outbox  # nothing before the commit
    for callback in callbacks:
        callback()
    assert set(Delivery.objects.filter(pk__in=claimed).values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert set(Notification.objects.filter(kind=ReminderKind.SAFETY_ALERT).values_list("user_id", flat=True)) == {
        personas.mentor.pk,
        personas.coordinator.pk,
    }
    emailed = sorted(m.to[0] for m in mail.outbox if m.subject == LINES["safety_alert"])
    assert emailed == sorted([personas.mentor.email, personas.coordinator.email])


# --- two dispatchers at once -------------------------------------------------------------------------

RACE_ROUNDS = 3
RACING_MENTEES = 15


def _race(dispatchers):
    """Each dispatcher on its own thread and connection, released together."""
    barrier = threading.Barrier(dispatchers)
    results, errors = {}, []

    def run(number):
        try:
            barrier.wait(timeout=10)
            results[number] = dispatch(NOW, enqueue=False)
        except Exception:  # reported by the main thread, with where it happened
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_two_dispatchers_at_once_claim_disjoint_sets_and_create_no_duplicates(transactional_db):
    program = ProgramFactory()
    for _ in range(RACING_MENTEES):
        GoalFactory(mentee=MenteeProfileFactory(program=program), cadence="weekly", started_on=MONDAY)
    expected = RACING_MENTEES * 2 * 2  # due and overdue, in the app and by email
    for _ in range(RACE_ROUNDS):
        Delivery.objects.all().delete()
        DispatchState.objects.all().delete()  # each round dispatches NOW afresh
        results, errors = _race(2)
        assert not errors, "\n".join(errors)
        first, second = (set(results[n]) for n in range(2))
        assert len(results[0]) == len(first) and len(results[1]) == len(second)
        assert not first & second
        ids = set(Delivery.objects.values_list("pk", flat=True))
        assert len(ids) == len(keys()) == expected
        assert first | second == ids
        assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENDING}


# --- send re-checks its claim ------------------------------------------------------------------------


@pytest.fixture
def claimed_row(db):
    row = DeliveryFactory(due_at=NOW, next_attempt_at=NOW)
    assert claim(NOW) == [row.pk]
    return row


@pytest.mark.parametrize(
    "status",
    [
        Delivery.Status.PENDING,
        Delivery.Status.SENT,
        Delivery.Status.FAILED,
        Delivery.Status.DEAD,
        Delivery.Status.SKIPPED,
    ],
)
def test_send_leaves_a_row_that_is_not_claimed_alone(db, status):
    row = DeliveryFactory(status=status, due_at=NOW, lease_expires_at=NOW + LEASE)
    assert send(row.pk, NOW) is None
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (status, 0, None)
    assert not Notification.objects.exists()


def test_a_late_task_whose_claim_was_swept_and_taken_again_sends_nothing(claimed_row):
    """Fencing: the token of a claim the sweeper returned no longer holds the row."""
    stale = Delivery.objects.get(pk=claimed_row.pk).claim_token
    later = NOW + LEASE + timedelta(seconds=1)
    assert sweep(later) == (1, 0)
    fresh = claim(later)
    assert fresh == [claimed_row.pk] and fresh.token != stale
    assert send_batch([claimed_row.pk], stale, later) == {}
    assert not Notification.objects.exists()
    assert send_batch([claimed_row.pk], fresh.token, later) == {claimed_row.pk: Delivery.Status.SENT}
    assert Notification.objects.count() == 1


def test_sending_twice_creates_one_notification(claimed_row):
    assert send(claimed_row.pk, NOW) == Delivery.Status.SENT
    assert send(claimed_row.pk, NOW) is None
    claimed_row.refresh_from_db()
    assert (claimed_row.status, claimed_row.attempts, claimed_row.sent_at) == (Delivery.Status.SENT, 1, NOW)
    assert claimed_row.lease_expires_at is None
    notification = Notification.objects.get()
    assert (notification.user, notification.kind, notification.text, notification.url) == (
        claimed_row.recipient,
        ReminderKind.CHECKIN_DUE,
        LINES["checkin_due"],
        "/checkin/",
    )


def test_sending_an_email_twice_sends_one_email(db):
    row = DeliveryFactory(channel=Channel.EMAIL, due_at=NOW)
    claim(NOW)
    assert send(row.pk, NOW) == Delivery.Status.SENT
    assert send(row.pk, NOW) is None
    assert len(mail.outbox) == 1


def test_a_claim_whose_worker_died_is_sent_once_after_the_sweep(claimed_row):
    later = NOW + LEASE + timedelta(seconds=1)
    assert sweep(later) == (1, 0)
    assert claim(later) == [claimed_row.pk]
    assert send(claimed_row.pk, later) == Delivery.Status.SENT
    assert Notification.objects.count() == 1


# --- failures, backoff, dead letters, the sweeper -------------------------------------------------------


class BrokenSMSBackend(BaseSMSBackend):
    """A text-message provider that cannot be reached."""

    def send(self, to, text, *, idempotency_key):
        raise OSError("provider unreachable")


@pytest.fixture
def sms_row(db, settings):
    settings.SMS_BACKEND = f"{__name__}.BrokenSMSBackend"
    program = ProgramFactory()
    user = UserFactory(ok_to_text=True, phone=PHONE)
    return DeliveryFactory(recipient=user, channel=Channel.SMS, program=program, due_at=NOW)


def test_a_channel_failure_returns_the_row_to_pending_with_backoff(sms_row):
    assert claim(NOW) == [sms_row.pk]
    assert send(sms_row.pk, NOW) == Delivery.Status.PENDING
    sms_row.refresh_from_db()
    assert (sms_row.status, sms_row.attempts, sms_row.last_error) == (Delivery.Status.PENDING, 1, "OSError")
    assert sms_row.lease_expires_at is None and sms_row.sent_at is None
    assert NOW + timedelta(seconds=60) <= sms_row.next_attempt_at <= NOW + timedelta(seconds=90)
    # Not claimed again before its time; claimed again then.
    assert claim(NOW + timedelta(seconds=59)) == []
    assert claim(sms_row.next_attempt_at) == [sms_row.pk]


def test_after_max_attempts_the_row_is_dead_and_coordinators_see_it(sms_row):
    when, statuses, waits = NOW, [], []
    for _ in range(MAX_ATTEMPTS):
        assert claim(when) == [sms_row.pk]
        statuses.append(send(sms_row.pk, when))
        sms_row.refresh_from_db()
        if sms_row.status == Delivery.Status.PENDING:
            waits.append(sms_row.next_attempt_at - when)
            when = sms_row.next_attempt_at
    assert statuses == [Delivery.Status.PENDING] * (MAX_ATTEMPTS - 1) + [Delivery.Status.DEAD]
    assert waits == sorted(waits) and len(set(waits)) == len(waits)  # each wait longer than the last
    assert (sms_row.status, sms_row.attempts, sms_row.last_error) == (Delivery.Status.DEAD, MAX_ATTEMPTS, "OSError")
    assert claim(when + timedelta(days=1)) == []
    assert list(dead_letters([sms_row.program])) == [sms_row]
    assert not dead_letters([ProgramFactory()]).exists()


def test_sweep_returns_expired_claims_and_decides_started_sends_per_kind(db):
    expired = DeliveryFactory(status=Delivery.Status.SENDING, lease_expires_at=NOW - timedelta(seconds=1), attempts=1)
    live = DeliveryFactory(status=Delivery.Status.SENDING, lease_expires_at=NOW + timedelta(minutes=1))
    started = {"status": Delivery.Status.SENDING, "lease_expires_at": NOW - timedelta(seconds=1)}
    started |= {"attempt_started_at": NOW - LEASE, "claim_token": uuid.uuid4(), "channel": Channel.EMAIL}
    routine = DeliveryFactory(**started, attempts=1)
    alert = DeliveryFactory(**started, kind=ReminderKind.SAFETY_ALERT, attempts=1)
    worn_out = DeliveryFactory(**started, kind=ReminderKind.SAFETY_ALERT, attempts=MAX_ATTEMPTS)
    assert sweep(NOW) == (2, 2)
    for row in (expired, live, routine, alert, worn_out):
        row.refresh_from_db()
    assert (expired.status, expired.lease_expires_at, expired.next_attempt_at) == (Delivery.Status.PENDING, None, NOW)
    assert expired.claim_token is None
    assert live.status == Delivery.Status.SENDING
    # A routine send that started and never finished is not sent again (at most once): dead, coordinators see it.
    assert (routine.status, routine.last_error) == (Delivery.Status.DEAD, INTERRUPTED)
    # A safety alert is sent again (at least once), unless it is out of attempts.
    assert (alert.status, alert.attempt_started_at, alert.claim_token) == (Delivery.Status.PENDING, None, None)
    assert worn_out.status == Delivery.Status.DEAD
    assert sorted(claim(NOW)) == sorted([expired.pk, alert.pk])


# --- channels ----------------------------------------------------------------------------------------


def channels(user, kind=ReminderKind.CHECKIN_DUE, now=NOW):
    return {row.channel for row in outbox_rows([Due(kind, "test:1", user, now)], now)}


def ready_at(user, kind=ReminderKind.CHECKIN_DUE, now=NOW):
    return {row.next_attempt_at for row in outbox_rows([Due(kind, "test:1", user, now)], now)}


def test_by_default_a_reminder_goes_to_the_app_and_by_email(db):
    assert channels(UserFactory()) == {Channel.IN_APP, Channel.EMAIL}
    # Saying okay to text is not asking for texts about everything.
    assert channels(UserFactory(ok_to_text=True, phone=PHONE)) == {Channel.IN_APP, Channel.EMAIL}


@pytest.mark.parametrize(
    ("ok_to_text", "phone", "texted"), [(True, PHONE, True), (False, PHONE, False), (True, "", False)]
)
def test_text_messages_only_for_people_who_said_okay_and_have_a_phone(db, ok_to_text, phone, texted):
    user = UserFactory(ok_to_text=ok_to_text, phone=phone)
    ChannelPreference.objects.create(user=user, kind=ReminderKind.CHECKIN_DUE, sms=True)
    assert (Channel.SMS in channels(user)) is texted
    # Safety alerts are texted by default to those who said okay.
    assert channels(user, ReminderKind.SAFETY_ALERT) == {Channel.IN_APP, Channel.EMAIL} | (
        {Channel.SMS} if texted else set()
    )


def test_a_preference_turns_email_off_for_its_kind_only(db):
    user = UserFactory()
    ChannelPreference.objects.create(user=user, kind=ReminderKind.CHECKIN_DUE, email=False)
    assert channels(user) == {Channel.IN_APP}
    assert channels(user, ReminderKind.SESSION_UPCOMING) == {Channel.IN_APP, Channel.EMAIL}


def test_people_who_cannot_sign_in_get_no_reminders(db):
    assert channels(UserFactory(is_active=False)) == set()


NEW_YORK = "America/New_York"


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(21, 59, False), (22, 0, True), (23, 30, True), (0, 30, True), (6, 59, True), (7, 0, False), (12, 0, False)],
)
def test_quiet_hours_cross_midnight_in_the_persons_zone(db, hour, minute, quiet):
    user = UserFactory(time_zone=NEW_YORK, quiet_from=time(22, 0), quiet_until=time(7, 0))
    now = local(NEW_YORK, 2027, 3, 2, hour, minute).astimezone(UTC)
    assert in_quiet_hours(user, now) is quiet


def test_quiet_hours_are_read_in_each_persons_own_zone(db):
    hours = {"quiet_from": time(22, 0), "quiet_until": time(7, 0)}
    tokyo = UserFactory(time_zone="Asia/Tokyo", **hours)
    new_york = UserFactory(time_zone=NEW_YORK, **hours)
    now = utc(2027, 3, 2, 14, 0)  # 23:00 in Tokyo, 9:00 in New York
    assert in_quiet_hours(tokyo, now) and not in_quiet_hours(new_york, now)
    assert ready_at(tokyo, now=now) == {local("Asia/Tokyo", 2027, 3, 3, 7, 0)}  # waits for 7:00 in Tokyo
    assert ready_at(new_york, now=now) == {now}
    assert ready_at(tokyo, ReminderKind.SAFETY_ALERT, now=now) == {now}


def test_quiet_hours_hold_reminders_until_they_end_but_never_safety_alerts(personas, weekly_goal):
    for person in (personas.mentee, personas.mentor):
        person.quiet_from, person.quiet_until = time(22, 0), time(7, 0)
        person.save()
    late_monday = local(NEW_YORK, 2027, 3, 1, 23, 30)
    SafetyAlertFactory(mentee=personas.match.mentee, created_at=late_monday)

    first = dispatch(late_monday, enqueue=False)
    second = dispatch(local(NEW_YORK, 2027, 3, 2, 0, 30), enqueue=False)  # after midnight, still quiet
    people = [personas.mentee, personas.mentor, personas.coordinator]
    claimed = Delivery.objects.filter(pk__in=first + second, recipient__in=people)
    assert set(claimed.values_list("kind", "recipient_id")) == {
        (ReminderKind.SAFETY_ALERT, personas.mentor.pk),
        (ReminderKind.SAFETY_ALERT, personas.coordinator.pk),
    }
    # The check-in reminders are written, waiting for the end of the quiet hours.
    checkins = Delivery.objects.filter(kind=ReminderKind.CHECKIN_DUE)
    assert set(checkins.values_list("recipient_id", "channel", "due_at", "status", "next_attempt_at")) == {
        (personas.mentee.pk, channel, DUE_SINCE, Delivery.Status.PENDING, local(NEW_YORK, 2027, 3, 2, 7, 0))
        for channel in (Channel.IN_APP, Channel.EMAIL)
    }

    third = dispatch(local(NEW_YORK, 2027, 3, 2, 7, 0), enqueue=False)  # quiet hours are over
    assert set(checkins.values_list("pk", flat=True)) <= set(third)


# --- the email ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [name for name, kind in KINDS.items() if kind.opt_out])
def test_the_email_subject_is_the_neutral_line_with_one_click_unsubscribe(db, kind):
    user = UserFactory()
    row = DeliveryFactory(recipient=user, kind=kind, channel=Channel.EMAIL, due_at=NOW, url="/sessions/7/")
    claim(NOW)
    assert send(row.pk, NOW) == Delivery.Status.SENT
    [message] = mail.outbox
    assert message.subject == LINES[kind]
    assert message.to == [user.email]
    headers = message.message()
    link = re.fullmatch(r"<(\S+)>", headers["List-Unsubscribe"]).group(1)
    assert link.startswith(f"{settings.SITE_URL}/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert link in message.body and link in html
    assert f"{settings.SITE_URL}/sessions/7/" in message.body


# --- the benchmark command ---------------------------------------------------------------------------


def test_bench_reminders_sends_every_reminder_once(transactional_db):
    """Committed data (a real Celery worker with Redis in CI must see the rows);
    the figures are the command's to time, the test checks only the counts."""
    out = io.StringIO()
    try:
        call_command("bench_reminders", "--count", "200", "--json", stdout=out)
    finally:
        celery_app.conf.task_always_eager = True  # the command switches it off for a real worker
    figures = json.loads(out.getvalue())
    assert {"reminders", "dispatch_seconds", "send_seconds", "sent", "duplicates", "lost"} <= set(figures)
    assert {"per_channel", "drain_per_second"} <= set(figures)
    # 200 reminders, each in the app, by email and by text message: what each backend accepted.
    assert figures["per_channel"] == {"in_app": 200, "email": 200, "sms": 200}
    assert (figures["reminders"], figures["sent"], figures["duplicates"], figures["lost"]) == (200, 600, 0, 0)
    assert not Delivery.objects.exists() and not Notification.objects.exists()  # it cleans up after itself


def test_bench_reminders_counts_what_the_backends_accepted_twice(transactional_db, monkeypatch):
    """The duplicate count is not true by construction: an email backend that
    accepts each message twice is reported."""
    from contextlib import contextmanager

    from mentoring.notifications import channels as channel_module

    original = channel_module.email_sender

    @contextmanager
    def twice():
        with original() as send_one:
            yield lambda row: (send_one(row), send_one(row))

    monkeypatch.setattr(channel_module, "email_sender", twice)
    out = io.StringIO()
    try:
        call_command("bench_reminders", "--count", "20", "--json", stdout=out)
    finally:
        celery_app.conf.task_always_eager = True
    figures = json.loads(out.getvalue())
    assert figures["per_channel"] == {"in_app": 20, "email": 40, "sms": 20}
    assert (figures["duplicates"], figures["lost"]) == (20, 0)


def test_bench_reminders_nine_am_dispatches_and_drains_the_busiest_zone_then_cleans_up(transactional_db):
    """``--nine-am``: the next 9:00 in the zone where most mentees live, on the
    database's own data; every row it wrote is accepted once, and removed."""
    started = timezone.localdate() - timedelta(days=7)
    for _ in range(3):
        user = UserFactory(time_zone="America/Chicago")
        GoalFactory(mentee=MenteeProfileFactory(user=user), cadence="daily", started_on=started)
    GoalFactory(mentee=MenteeProfileFactory(user=UserFactory(time_zone="Europe/Madrid")), started_on=started)
    out = io.StringIO()
    try:
        call_command("bench_reminders", "--nine-am", "--json", stdout=out)
    finally:
        celery_app.conf.task_always_eager = True
    figures = json.loads(out.getvalue())
    assert (figures["zone"], figures["mentees"], figures["mentees_in_zone"]) == ("America/Chicago", 4, 3)
    # Three check-ins due (the Madrid mentee's 9:00 is another moment), each in the app and by email.
    assert figures["due"] >= 3 and figures["per_channel"]["in_app"] >= 3
    assert figures["sent"] == figures["deliveries"] == sum(figures["per_channel"].values())
    assert (figures["duplicates"], figures["lost"]) == (0, 0)
    assert {"collect_seconds", "write_seconds", "dispatch_seconds", "accepted_within_seconds"} <= set(figures)
    assert not Delivery.objects.exists() and not Notification.objects.exists()


def test_insert_new_writes_only_keys_not_in_the_outbox_and_returns_their_ids(db):
    from mentoring.notifications.outbox import FILLED, insert_new, outbox_values

    user = UserFactory()
    existing = DeliveryFactory(recipient=user, kind=ReminderKind.CHECKIN_DUE, subject="t:1", due_at=NOW)
    values = outbox_values(
        [Due(ReminderKind.CHECKIN_DUE, "t:1", user, NOW), Due(ReminderKind.CHECKIN_DUE, "t:2", user, NOW)], NOW
    )
    rows = [Delivery(**dict(zip(FILLED, v, strict=True))) for v in values]
    ids = insert_new(values)
    new = Delivery.objects.exclude(pk=existing.pk)
    key = lambda d: (d.kind, d.subject, d.recipient_id, d.channel, d.due_at)  # noqa: E731
    assert len(rows) >= 3 and key(existing) in {key(r) for r in rows}
    assert {key(d) for d in new} == {key(r) for r in rows} - {key(existing)}
    assert set(ids) == set(new.values_list("pk", flat=True))
    assert {(d.status, d.attempts, d.claim_token, d.sent_at) for d in new} == {("pending", 0, None, None)}
    assert insert_new(values) == []  # a second time: nothing new
