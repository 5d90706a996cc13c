"""notify(): every message of every app goes through the outbox, by the
kinds table (issue 14). Eager Celery here; the guarantees are proven with
real workers in test_delivery_proofs.py and test_fencing_proofs.py."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from goals.services import checkin_submit
from mentoring.models import Channel, Delivery, Match, Notification, ReminderKind
from mentoring.notifications.channels import LINES
from mentoring.notifications.kinds import KINDS
from mentoring.notifications.notify import notify
from mentoring.services import invitation_create, match_close, match_move, match_propose
from sessions.services import group_cancel, session_schedule, unregister
from tests.factories import (
    GroupSessionFactory,
    MatchableMenteeFactory,
    MatchableMentorFactory,
    RegistrationFactory,
    UserFactory,
)

S = Delivery.Status


def rows(kind):
    return Delivery.objects.filter(kind=kind)


def test_the_kinds_table_declares_every_kind_once_and_safety_alerts_cannot_be_turned_off():
    assert set(KINDS) == set(ReminderKind.values) == set(LINES)
    assert [name for name, kind in KINDS.items() if not kind.opt_out] == [
        "safety_alert",
        "invitation",
        "text_consent_confirm",  # the one text asking for YES: nothing to opt out of yet
    ]
    assert [name for name, kind in KINDS.items() if not kind.quiet_hours] == ["safety_alert", "invitation"]
    assert [name for name, kind in KINDS.items() if kind.resend_unfinished] == ["safety_alert"]
    assert Channel.SMS in KINDS["safety_alert"].channels


def test_an_invitation_is_emailed_through_the_outbox_and_its_link_is_blanked_once_sent(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, link = invitation_create(
            program=personas.program,
            email="nia@test.example",
            full_name="Nia Newcomer",
            role="mentee",
            invited_by=personas.coordinator,
        )
    [row] = rows(ReminderKind.INVITATION)
    # Until it is sent the row keeps the link (nothing is sent before the commit) ...
    assert (row.address, row.channel, row.recipient, row.status, row.url) == (
        "nia@test.example",
        Channel.EMAIL,
        None,
        S.PENDING,
        link,
    )
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    # ... then it is sent once, with its Message-ID, and the credential is gone from the database.
    [message] = mail.outbox
    assert message.to == ["nia@test.example"] and link in message.body
    assert message.extra_headers["Message-ID"] == f"<delivery-{row.pk}@127.0.0.1>"
    assert "List-Unsubscribe" not in message.extra_headers
    row.refresh_from_db()
    assert (row.status, row.url) == (S.SENT, "")
    assert invitation.email == "nia@test.example"


def test_match_changes_reach_both_people_in_the_app_and_by_email(personas, django_capture_on_commit_callbacks):
    program = personas.program
    program.match_requires_acceptance, program.background_check_required = True, False
    program.save()
    mentor, mentee = MatchableMentorFactory(program=program), MatchableMenteeFactory(program=program)
    with django_capture_on_commit_callbacks(execute=True):
        match = match_propose(mentor=mentor, mentee=mentee, proposed_by=personas.coordinator)
    people = {mentor.user.pk, mentee.user.pk}
    assert set(rows(ReminderKind.MATCH_PROPOSED).values_list("recipient_id", "channel", "status")) == {
        (pk, channel, S.SENT) for pk in people for channel in (Channel.IN_APP, Channel.EMAIL)
    }
    with django_capture_on_commit_callbacks(execute=True):
        match_move(match=match, action="activate")
    with django_capture_on_commit_callbacks(execute=True):
        match_move(match=match, action="pause")
    with django_capture_on_commit_callbacks(execute=True):
        match_close(match=Match.objects.get(pk=match.pk), reason="completed", note="", closed_by=personas.coordinator)
    for kind in (ReminderKind.MATCH_ACCEPTED, ReminderKind.MATCH_PAUSED, ReminderKind.MATCH_CLOSED):
        assert set(rows(kind).values_list("recipient_id", flat=True)) == people, kind
    assert Notification.objects.filter(user=mentee.user).count() == 4
    assert {m.subject for m in mail.outbox} == {"You have an update on Waypoint"}


def test_session_and_group_changes_go_through_the_outbox(personas, django_capture_on_commit_callbacks):
    match = personas.match
    with django_capture_on_commit_callbacks(execute=True):
        session_schedule(
            match=match,
            by=personas.mentor,
            starts_at=timezone.now() + timedelta(days=2),
            duration_minutes=60,
            mode="in_person",
        )
    # The person who scheduled it is not told.
    assert set(rows(ReminderKind.SESSION_SCHEDULED).values_list("recipient_id", flat=True)) == {personas.mentee.pk}

    group = GroupSessionFactory(program=personas.program, capacity=1)
    RegistrationFactory(group_session=group, user=personas.mentor, status="registered")
    waiting = UserFactory()
    RegistrationFactory(group_session=group, user=waiting, status="waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        unregister(group_session=group, user=personas.mentor)
    assert set(rows(ReminderKind.GROUP_PROMOTED).values_list("recipient_id", "status")) == {(waiting.pk, S.SENT)}
    with django_capture_on_commit_callbacks(execute=True):
        group_cancel(group_session=group, reason="Room unavailable")
    assert set(rows(ReminderKind.SESSION_CANCELLED).values_list("recipient_id", flat=True)) == {waiting.pk}


def test_a_safety_alert_is_written_to_the_outbox_at_once_and_dispatch_adds_nothing(
    personas, django_capture_on_commit_callbacks
):
    from mentoring.notifications.outbox import dispatch

    with django_capture_on_commit_callbacks(execute=True):
        _, [alert] = checkin_submit(mentee=personas.match.mentee, mood=2, needs_help=True)
    alert_rows = rows(ReminderKind.SAFETY_ALERT)
    assert {r.subject for r in alert_rows} == {f"alert:{alert.pk}:step:0"}
    assert set(alert_rows.values_list("recipient_id", "status")) == {
        (personas.mentor.pk, S.SENT),
        (personas.coordinator.pk, S.SENT),
    }
    before = alert_rows.count()
    dispatch(enqueue=False)
    assert alert_rows.count() == before


def test_notify_waits_for_quiet_hours_but_never_for_a_safety_alert(db):
    now = timezone.now()
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time()
    user = UserFactory(time_zone="UTC", quiet_from=start, quiet_until=end)
    notify(kind=ReminderKind.SESSION_MOVED, recipients=[user], subject="test:1", urgency="routine")
    notify(kind=ReminderKind.SAFETY_ALERT, recipients=[user], subject="test:2", urgency="routine")
    moved = set(rows(ReminderKind.SESSION_MOVED).values_list("next_attempt_at", flat=True))
    assert moved and all(when > now + timedelta(seconds=1) for when in moved)
    assert all(
        when <= timezone.now() for when in rows(ReminderKind.SAFETY_ALERT).values_list("next_attempt_at", flat=True)
    )


def test_notify_twice_for_the_same_moment_writes_nothing_new_and_rejects_unknown_input(db):
    user, due = UserFactory(), timezone.now()
    first = notify(kind=ReminderKind.SESSION_MOVED, recipients=[user, None], subject="test:1", due_at=due)
    again = notify(kind=ReminderKind.SESSION_MOVED, recipients=[user], subject="test:1", due_at=due)
    assert sorted(first) == sorted(again) and Delivery.objects.count() == 2
    with pytest.raises(KeyError):
        notify(kind="nope", recipients=[user], subject="test:1")
    with pytest.raises(ValueError, match="urgency"):
        notify(kind=ReminderKind.SESSION_MOVED, recipients=[user], subject="test:1", urgency="soon")


def test_every_email_carries_its_deterministic_message_id(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ids = notify(kind=ReminderKind.SESSION_MOVED, recipients=[personas.mentee], subject="test:1")
    [row] = Delivery.objects.filter(pk__in=ids, channel=Channel.EMAIL)
    [message] = mail.outbox
    host = settings.SITE_URL.split("//", 1)[1].split(":")[0]
    assert message.extra_headers["Message-ID"] == f"<delivery-{row.pk}@{host}>" == row.message_id
    assert message.message()["Message-ID"] == row.message_id


def test_the_readme_kinds_table_is_the_kinds_table():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = readme.split("**The kinds table**", 1)[1].split("\n\n**Delivery**", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| `")]
    short = {"in_app": "app", "email": "email", "sms": "text"}
    yes = {True: "yes", False: "no"}
    assert [[cell.strip() for cell in row] for row in rows] == [
        [
            f"`{kind.name}`",
            kind.label,
            ", ".join(short[c] for c in kind.channels),
            yes[kind.quiet_hours],
            yes[kind.opt_out],
            "again (at least once)" if kind.resend_unfinished else "not again (at most once)",
        ]
        for kind in KINDS.values()
    ]


def test_the_old_sms_backend_path_still_works(settings):
    from mentoring.notifications.sms import FileSMSBackend, sms_backend

    settings.SMS_BACKEND = "mentoring.sms.FileSMSBackend"
    assert isinstance(sms_backend(), FileSMSBackend)


def test_beat_finds_its_schedule_folder_on_a_fresh_machine_with_redis(tmp_path):
    """CELERY_BEAT_SCHEDULE_FILENAME lives under WAYPOINT_VAR_DIR, which settings create whatever the broker."""
    import os
    import subprocess
    import sys

    var = tmp_path / "fresh" / "var"
    env = dict(os.environ, WAYPOINT_VAR_DIR=str(var), CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = "from django.conf import settings; print(settings.CELERY_BEAT_SCHEDULE_FILENAME)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str(var / "celerybeat-schedule")
    assert var.is_dir()


def test_a_safety_alert_email_offers_no_unsubscribe(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=ReminderKind.SAFETY_ALERT, recipients=[personas.coordinator], subject="alert:1", link="/alerts/")
    [message] = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "/unsubscribe/" not in message.body and "/unsubscribe/" not in message.alternatives[0][0]
