"""Delivering one outbox row: in the app, by email, by text message.

Every word a reminder says outside the app is content-neutral: no
substances, recovery, treatment or cravings in subjects, texts or sender
names — the details wait behind sign-in (tests scan these templates)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Channel, Notification
from .sms import send_sms

# Short, neutral lines: the in-app notification, the email subject and the text message.
LINES = {
    "checkin_due": "You have a check-in due on Waypoint",
    "checkin_overdue": "A check-in is waiting on Waypoint",
    "session_upcoming": "You have a meeting coming up on Waypoint",
    "session_not_logged": "A meeting is waiting for its notes on Waypoint",
    "match_inactive": "It has been a while: time to get in touch on Waypoint",
    "proposal_unanswered": "Something is waiting for your answer on Waypoint",
    "first_contact": "Time to plan a first meeting on Waypoint",
    "referral_followup": "A quick question is waiting for you on Waypoint",
    "readiness_expiring": "Something in your profile needs renewing on Waypoint",
    "safety_alert": "Someone needs attention now on Waypoint",
    "weekly_digest": "Your week on Waypoint",
}
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


def deliver(delivery):
    """Send one row on its channel. False when there is nothing to send to."""
    user = delivery.recipient
    line = LINES[delivery.kind]
    link = settings.SITE_URL + (delivery.url or reverse("mentoring:home"))
    if delivery.channel == Channel.IN_APP:
        Notification.objects.get_or_create(
            delivery=delivery, defaults={"user": user, "kind": delivery.kind, "text": line, "url": delivery.url}
        )
        return True
    if delivery.channel == Channel.EMAIL:
        return _email(delivery, user, line, link)
    if delivery.channel == Channel.SMS:
        if not (user.ok_to_text and user.phone):
            return False
        send_sms(user.phone, f"{line}. Sign in to see it: {settings.SITE_URL}/")
        return True
    return False


def _email(delivery, user, line, link):
    if not user.email:
        return False
    unsubscribe = settings.SITE_URL + reverse("mentoring:unsubscribe", args=[unsubscribe_token(user.pk, delivery.kind)])
    context = {"person": user, "line": line, "link": link, "unsubscribe": unsubscribe}
    message = EmailMultiAlternatives(
        subject=line,
        body=render_to_string("emails/reminder.txt", context),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("emails/reminder.html", context), "text/html")
    message.send()
    return True
