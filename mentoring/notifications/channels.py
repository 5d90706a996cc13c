"""Delivering outbox rows: in the app, by email, by text message.

Every word a message says outside the app is content-neutral: no
substances, recovery, treatment or cravings in subjects, texts or sender
names — the details wait behind sign-in (tests scan these templates).

This module and sms.py are the only places that talk to an email or
text-message provider (tests/reminders/test_no_direct_sends.py)."""

from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings
from django.core import mail, signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ..models import Notification
from .kinds import KINDS
from .sms import sms_backend

# Short, neutral lines: the in-app notification, the email subject and the text message.
LINES = {name: kind.line for name, kind in KINDS.items()}
UNSUBSCRIBE_SALT = "waypoint.unsubscribe"


def unsubscribe_token(user_id, kind):
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(user id, kind) or None for a bad token."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return user_id, kind


def language_of(row):
    """The language a row is written in: its recipient's ``User.language``;
    for an address without an account yet (an invitation), the language of the
    account it will bind to or of an account with that address, else the
    invitation's ``language`` (chosen on the form, or the application's); else
    settings.LANGUAGE_CODE. Never the language of whoever caused the message
    (a coordinator's page in English sends a Spanish speaker Spanish)."""
    user = row.recipient
    if user is not None:
        return user.language or settings.LANGUAGE_CODE
    invitation = None
    if row.kind == "invitation" and row.subject.startswith("invitation:"):
        from ..models import Invitation

        invitation = Invitation.objects.filter(pk=int(row.subject.split(":")[1])).select_related("new_account").first()
        if invitation is not None and invitation.new_account is not None and invitation.new_account.language:
            return invitation.new_account.language
    if row.address:
        from django.contrib.auth import get_user_model

        found = get_user_model().objects.filter(email__iexact=row.address).values_list("language", flat=True).first()
        if found:
            return found
    if invitation is not None and invitation.language:
        # Nobody with this address chose a language: the one the coordinator picked (or the application's).
        return invitation.language
    return settings.LANGUAGE_CODE


def in_language_of(row):
    """``with in_language_of(row):`` everything rendered inside (the kind's
    line, email templates, the text message) is in the row's language
    (``language_of``). The one place the outbox chooses a language."""
    return translation.override(language_of(row))


def reachable(delivery):
    """False when the row has nowhere to go (no email, no phone, no okay-to-text).

    Text messages, checked again at send time (the person may have changed
    their mind since the row was written):
    - nobody who stopped texts (replied STOP, or "Stop texts") gets any text;
    - the confirmation text (text_consent_confirm) needs a number and okay-to-text;
    - every other text needs the person's YES as well (``User.texts_confirmed``),
      except a safety alert to staff: its row was written only for people who
      confirmed or who are staff (outbox.channels_for), so it needs a number."""
    user = delivery.recipient
    if delivery.channel == "email":
        return bool(delivery.address or (user and user.email))
    if delivery.channel == "sms":
        if user is None or not user.phone or user.texts_stopped_at:
            return False
        if delivery.kind == "safety_alert":
            return True
        if delivery.kind == "text_consent_confirm":
            return user.ok_to_text
        return user.texts_confirmed
    return user is not None


def notifications_for(rows):
    """Unsaved in-app notifications for rows (bulk-created by the outbox in
    the same transaction that marks the rows sent)."""
    notifications = []
    for row in rows:
        with in_language_of(row):
            text = str(LINES[row.kind])
        notifications.append(
            Notification(user_id=row.recipient_id, delivery_id=row.pk, kind=row.kind, text=text, url=row.url)
        )
    return notifications


@contextmanager
def email_sender():
    """``send(row)`` for email rows, over one connection for the whole batch.
    Each message carries the row's deterministic Message-ID."""
    with mail.get_connection() as connection:
        yield lambda row: connection.send_messages([_email(row)])


@contextmanager
def text_sender():
    """``send(row)`` for text-message rows. The backend gets the row's
    idempotency key (the same on every attempt)."""
    backend = sms_backend()

    def send(row):
        with in_language_of(row):
            text = str(KINDS[row.kind].text) or gettext("%(line)s. Sign in to see it: %(site)s/") % {
                "line": LINES[row.kind],
                "site": settings.SITE_URL,
            }
        backend.send(row.recipient.phone, text, idempotency_key=row.idempotency_key)

    yield send


def _email(row):
    with in_language_of(row):
        return _email_in_language(row)


def _email_in_language(row):
    line = str(LINES[row.kind])
    headers = {"Message-ID": row.message_id}
    if row.kind == "invitation":
        return _invitation_email(row, line, headers)
    user = row.recipient
    link = settings.SITE_URL + (row.url or _path("mentoring:home"))
    unsubscribe = ""  # kinds a person may not turn off (safety alerts) offer no unsubscribe link
    if KINDS[row.kind].opt_out:
        unsubscribe = _unsubscribe_url(settings.SITE_URL, user.pk, row.kind)
        headers.update({"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    context = {"person": user, "line": line, "link": link, "unsubscribe": unsubscribe}
    message = mail.EmailMultiAlternatives(
        subject=line, body=render_to_string("emails/reminder.txt", context), to=[user.email], headers=headers
    )
    message.attach_alternative(render_to_string("emails/reminder.html", context), "text/html")
    return message


@lru_cache(maxsize=16)
def _path(name):
    return reverse(name)


@lru_cache(maxsize=4096)
def _unsubscribe_url(site_url, user_id, kind):
    """Signed and reversed once per person and kind (a batch sends many)."""
    return site_url + reverse("mentoring:unsubscribe", args=[unsubscribe_token(user_id, kind)])


def _invitation_email(row, line, headers):
    from ..models import Invitation

    invitation = Invitation.objects.get(pk=int(row.subject.split(":")[1]))
    from ..services import invitation_may_set_password

    context = {
        "invitation": invitation,
        "link": row.url,
        "valid_days": settings.INVITATION_VALID_DAYS,
        # "Choose your password" or "sign in to accept" (mentoring.services).
        "sets_password": invitation_may_set_password(invitation),
    }
    message = mail.EmailMultiAlternatives(
        subject=line,
        body=render_to_string("emails/invitation.txt", context),
        to=[row.address or invitation.email],
        headers=headers,
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    return message
