"""Everything a reminder says outside the app is content-neutral: email
templates, the short lines (subjects, in-app text, text messages), what is
actually sent, and the sender's name."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from mentoring.models import Channel, Delivery, ReminderKind
from mentoring.notifications.channels import LINES
from mentoring.notifications.kinds import KINDS
from mentoring.notifications.outbox import claim, send
from tests.factories import DeliveryFactory, UserFactory

from .helpers import utc

FORBIDDEN = [
    "recovery",
    "substance",
    "drug",
    "alcohol",
    "addiction",
    "craving",
    "relapse",
    "sober",
    "treatment",
    "rehab",
    "overdose",
    "opioid",
    "detox",
    "therapy",
]
# Whole words, any case, singular or plural.
PATTERN = re.compile(r"\b(?:" + "|".join(FORBIDDEN) + r")s?\b", re.IGNORECASE)
EMAIL_TEMPLATES = sorted(p for p in (Path(settings.BASE_DIR) / "templates" / "emails").rglob("*") if p.is_file())
NOW = utc(2027, 3, 3, 15, 0)


def forbidden_in(text):
    return sorted({m.group(0).lower() for m in PATTERN.finditer(str(text))})  # labels may be lazy


def test_the_scan_finds_what_it_looks_for():
    assert forbidden_in("Your RECOVERY plan; drugs, Alcohol. Sober-living. Therapy.") == [
        "alcohol",
        "drugs",
        "recovery",
        "sober",
        "therapy",
    ]
    assert forbidden_in("Overdue check-in; a treat; recovered files; drugstore") == []
    assert len(EMAIL_TEMPLATES) >= 2


@pytest.mark.parametrize("path", EMAIL_TEMPLATES, ids=lambda p: p.name)
def test_email_templates_are_neutral(path):
    assert forbidden_in(path.read_text(encoding="utf-8")) == []


def test_the_short_lines_and_kind_names_are_neutral():
    assert set(LINES) == set(ReminderKind.values)
    for text in map(str, [*LINES.values(), *ReminderKind.labels]):
        assert forbidden_in(text) == [], text


def test_the_sender_name_is_neutral():
    assert forbidden_in(settings.DEFAULT_FROM_EMAIL) == []
    assert forbidden_in(settings.SERVER_EMAIL) == []


PERSONAL_KINDS = [name for name, kind in KINDS.items() if not kind.channels_fixed]


def _send_every_kind(channel, **user_fields):
    user = UserFactory(**user_fields)
    for kind in PERSONAL_KINDS:
        DeliveryFactory(recipient=user, kind=kind, channel=channel, due_at=NOW)
    claim(NOW)
    for pk in Delivery.objects.values_list("pk", flat=True):
        assert send(pk, NOW) == Delivery.Status.SENT


def test_every_email_sent_is_neutral(db):
    _send_every_kind(Channel.EMAIL, full_name="Rae Example")
    assert len(mail.outbox) == len(PERSONAL_KINDS)
    for message in mail.outbox:
        parts = [message.subject, message.from_email, message.body, *(body for body, _ in message.alternatives)]
        assert forbidden_in("\n".join(parts)) == [], message.subject


def test_every_text_message_sent_is_neutral(db, settings, tmp_path):
    settings.SMS_BACKEND = "mentoring.notifications.sms.FileSMSBackend"
    settings.VAR_DIR = tmp_path
    _send_every_kind(Channel.SMS, ok_to_text=True, phone="+1 555 0100")
    texts = sorted((tmp_path / "sms").glob("*.txt"))
    assert len(texts) == len(PERSONAL_KINDS)
    sent = set()
    for path in texts:
        to, text, _key = path.read_text(encoding="utf-8").splitlines()
        assert to == "+1 555 0100"
        assert forbidden_in(text) == [], text
        sent.add(text)
    assert sent == {f"{LINES[kind]}. Sign in to see it: {settings.SITE_URL}/" for kind in PERSONAL_KINDS}
