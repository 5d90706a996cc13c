"""The notification centre, mark-as-read (with and without htmx), the unread
badge, reminder settings with quiet hours, and one-click unsubscribe."""

import re
from datetime import time
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Channel, ChannelPreference, Notification, ReminderKind
from mentoring.notifications.channels import unsubscribe_token
from mentoring.notifications.outbox import Due, claim, outbox_rows, send
from tests.factories import DeliveryFactory, NotificationFactory

from .helpers import utc

pytestmark = pytest.mark.django_db

NOW = utc(2027, 3, 3, 15, 0)
CENTRE = reverse("mentoring:notifications")
PREFERENCES = reverse("mentoring:preferences")


def read_url(pk):
    return reverse("mentoring:notification_read", args=[pk])


def badge(response):
    """The unread count in the navigation, or None when there is no badge."""
    found = re.search(r'data-testid="unread-count">(\d+)<', response.content.decode())
    return int(found.group(1)) if found else None


# --- the notification centre -------------------------------------------------------------------------


def test_the_centre_lists_the_users_own_notifications_only(personas, client_for):
    NotificationFactory(user=personas.mentee, text="Your own reminder")
    NotificationFactory(user=personas.other_mentee, text="Somebody else's reminder")
    response = client_for(personas.mentee).get(CENTRE)
    assert response.status_code == 200
    assert "Your own reminder" in response.content.decode()
    assert "Somebody else&#x27;s reminder" not in response.content.decode()
    assert [n.text for n in response.context["page"]] == ["Your own reminder"]


def test_the_centre_needs_sign_in(client_for):
    response = client_for(None).get(CENTRE)
    assert response.status_code == 302 and "login" in response.url


def test_mark_read_by_post(personas, client_for):
    mine = NotificationFactory(user=personas.mentee)
    other = NotificationFactory(user=personas.mentee)
    client = client_for(personas.mentee)
    assert client.get(read_url(mine.pk)).status_code == 405
    response = client.post(read_url(mine.pk))
    assert response.status_code == 302 and response.url == CENTRE
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None


def test_mark_read_with_htmx_returns_the_row(personas, client_for):
    note = NotificationFactory(user=personas.mentee, text="Time for a check-in")
    response = client_for(personas.mentee).post(read_url(note.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li") and f'id="notification-{note.pk}"' in html
    assert "Time for a check-in" in html and "Mark read" not in html
    assert "<html" not in html
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_marks_anothers_notification_read(personas, client_for):
    theirs = NotificationFactory(user=personas.other_mentee)
    client = client_for(personas.mentee)
    client.post(read_url(theirs.pk))
    assert client.post(read_url(theirs.pk), HTTP_HX_REQUEST="true").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(personas, client_for):
    NotificationFactory.create_batch(3, user=personas.mentee)
    theirs = NotificationFactory(user=personas.other_mentee)
    client_for(personas.mentee).post(read_url(0))
    assert not Notification.objects.filter(user=personas.mentee, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_unread_count_is_in_the_navigation(personas, client_for):
    first, *_ = NotificationFactory.create_batch(2, user=personas.mentee)
    NotificationFactory(user=personas.other_mentee)
    client = client_for(personas.mentee)
    assert badge(client.get(CENTRE)) == 2
    assert badge(client.get(reverse("mentoring:home"), follow=True)) == 2
    client.post(read_url(first.pk))
    assert badge(client.get(CENTRE)) == 1
    client.post(read_url(0))
    assert badge(client.get(CENTRE)) is None


# --- reminder settings -------------------------------------------------------------------------------


def test_the_settings_page_shows_the_defaults(personas, client_for):
    response = client_for(personas.mentee).get(PREFERENCES)
    assert response.status_code == 200
    rows = {row["kind"]: row for row in response.context["rows"]}
    # Every kind a person can choose for (the kinds table; an invitation goes to an address only,
    # the okay-to-text confirmation by text only).
    assert set(rows) == set(ReminderKind.values) - {ReminderKind.INVITATION, ReminderKind.TEXT_CONSENT_CONFIRM}
    assert all(row["email"] for row in rows.values())
    assert [kind for kind, row in rows.items() if row["always"]] == [ReminderKind.SAFETY_ALERT]
    assert [kind for kind, row in rows.items() if row["sms"]] == [ReminderKind.SAFETY_ALERT]


def test_the_settings_save_email_and_texts_per_kind_and_quiet_hours(personas, client_for):
    user = personas.mentee
    # Texting is okay and confirmed with YES (mentoring.contact).
    user.ok_to_text, user.phone, user.text_confirmed_at = True, "+1 555 0100", timezone.now()
    user.save()
    data = {f"{kind}-email": "on" for kind in ReminderKind.values if kind != ReminderKind.WEEKLY_DIGEST}
    data |= {"checkin_due-sms": "on", "quiet_from": "22:00", "quiet_until": "07:00"}
    response = client_for(user).post(PREFERENCES, data)
    assert response.status_code == 302 and response.url == PREFERENCES
    stored = {p.kind: (p.in_app, p.email, p.sms) for p in ChannelPreference.objects.filter(user=user)}
    assert stored[ReminderKind.WEEKLY_DIGEST] == (True, False, False)
    assert stored[ReminderKind.CHECKIN_DUE] == (True, True, True)
    assert stored[ReminderKind.SAFETY_ALERT] == (True, True, False)
    user.refresh_from_db()
    assert (user.quiet_from, user.quiet_until) == (time(22, 0), time(7, 0))
    # The page shows what was saved, and the outbox follows it.
    rows = {row["kind"]: row for row in client_for(user).get(PREFERENCES).context["rows"]}
    assert not rows[ReminderKind.WEEKLY_DIGEST]["email"] and rows[ReminderKind.CHECKIN_DUE]["sms"]
    due = [Due(ReminderKind.CHECKIN_DUE, "test:1", user, NOW), Due(ReminderKind.WEEKLY_DIGEST, "test:2", user, NOW)]
    assert {(r.kind, r.channel) for r in outbox_rows(due, NOW)} == {
        (ReminderKind.CHECKIN_DUE, Channel.IN_APP),
        (ReminderKind.CHECKIN_DUE, Channel.EMAIL),
        (ReminderKind.CHECKIN_DUE, Channel.SMS),
        (ReminderKind.WEEKLY_DIGEST, Channel.IN_APP),
    }


@pytest.mark.parametrize("given", [{"quiet_from": "22:00"}, {"quiet_until": "07:00"}])
def test_quiet_hours_need_both_times_or_neither(personas, client_for, given):
    response = client_for(personas.mentee).post(PREFERENCES, given)
    assert response.status_code == 200
    assert "Give both times, or neither." in response.content.decode()
    personas.mentee.refresh_from_db()
    assert (personas.mentee.quiet_from, personas.mentee.quiet_until) == (None, None)
    assert not ChannelPreference.objects.exists()


def test_quiet_hours_can_be_cleared(personas, client_for):
    user = personas.mentee
    user.quiet_from, user.quiet_until = time(22, 0), time(7, 0)
    user.save()
    client_for(user).post(PREFERENCES, {"quiet_from": "", "quiet_until": "", "safety_alert-email": "on"})
    user.refresh_from_db()
    assert (user.quiet_from, user.quiet_until) == (None, None)


# --- unsubscribe -------------------------------------------------------------------------------------


def emailed_unsubscribe_path(user, kind=ReminderKind.CHECKIN_DUE):
    """Send one reminder email to ``user`` and return its List-Unsubscribe path."""
    row = DeliveryFactory(recipient=user, kind=kind, channel=Channel.EMAIL, due_at=NOW)
    claim(NOW)
    send(row.pk, NOW)
    header = mail.outbox[-1].message()["List-Unsubscribe"]
    return urlsplit(header.strip("<>")).path


def email_on(user, kind):
    pref = ChannelPreference.objects.filter(user=user, kind=kind).first()
    return True if pref is None else pref.email


def test_the_unsubscribe_link_asks_first_then_turns_email_off_for_that_kind(personas):
    user = personas.mentee
    path = emailed_unsubscribe_path(user)
    client = Client()  # a mail reader: no session
    page = client.get(path)
    assert page.status_code == 200
    assert "Check-in due" in page.content.decode() and "<form" in page.content.decode()
    assert email_on(user, ReminderKind.CHECKIN_DUE)

    done = client.post(path, {"confirm": "1"})
    assert done.status_code == 200
    assert "You will no longer get emails" in done.content.decode()
    assert not email_on(user, ReminderKind.CHECKIN_DUE)
    assert email_on(user, ReminderKind.CHECKIN_OVERDUE)
    rows = outbox_rows([Due(ReminderKind.CHECKIN_DUE, "test:1", user, NOW)], NOW)
    assert {row.channel for row in rows} == {Channel.IN_APP}


def test_one_click_unsubscribe_needs_no_session_or_csrf_token(personas):
    user = personas.mentee
    path = emailed_unsubscribe_path(user, ReminderKind.WEEKLY_DIGEST)
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert response.content == b"Unsubscribed."
    assert not email_on(user, ReminderKind.WEEKLY_DIGEST)
    assert email_on(user, ReminderKind.CHECKIN_DUE)


def _path(token):
    return reverse("mentoring:unsubscribe", args=[token])


def test_a_forged_token_is_not_found(personas):
    user = personas.mentee
    genuine = unsubscribe_token(user.pk, ReminderKind.CHECKIN_DUE)
    forged = [
        signing.dumps([user.pk, ReminderKind.CHECKIN_DUE], salt="something.else", compress=True),
        signing.dumps([user.pk, ReminderKind.CHECKIN_DUE], key="not-the-secret", salt="waypoint.unsubscribe"),
        genuine[:-3] + ("abc" if not genuine.endswith("abc") else "xyz"),
        "nonsense",
        unsubscribe_token(user.pk, "not_a_kind"),
        unsubscribe_token(999_999, ReminderKind.CHECKIN_DUE),
    ]
    client = Client(enforce_csrf_checks=True)
    for token in forged:
        assert client.get(_path(token)).status_code == 404, token
        response = client.post(
            _path(token), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 404, token
    assert not ChannelPreference.objects.exists()
