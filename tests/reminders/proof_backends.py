"""Email and text-message backends for the delivery proofs' worker processes
(tests/reminders/test_fencing_proofs.py), loaded through EMAIL_BACKEND and
SMS_BACKEND. Each accepted message is one file under var/accepted/ named by
channel and its Message-ID or idempotency key, written first thing in the
call (the provider "accepted" it).

To kill a worker right after the provider accepted a message, a test puts a
file var/hang-<channel>; the next send on that channel takes it (an atomic
rename to var/hanging-<pid>, so one worker only) and then hangs."""

import os
import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from mentoring.notifications.sms import BaseSMSBackend

HANG_SECONDS = 120


def accepted_folder():
    return Path(settings.VAR_DIR) / "accepted"


def accept(channel, key):
    folder = accepted_folder()
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9.@-]", "_", key)
    (folder / f"{channel}~{safe}~{uuid.uuid4().hex}").write_text(key, encoding="utf-8")
    hang_if_asked(channel)


def hang_if_asked(channel):
    flag = Path(settings.VAR_DIR) / f"hang-{channel}"
    try:
        os.rename(flag, Path(settings.VAR_DIR) / f"hanging-{os.getpid()}")
    except FileNotFoundError:
        return
    time.sleep(HANG_SECONDS)
    raise RuntimeError("this worker should have been killed while it hung")


def accepted(channel):
    """{key: how many times the provider accepted it} for one channel."""
    counts = {}
    folder = accepted_folder()
    if folder.exists():
        for path in folder.glob(f"{channel}~*"):
            key = path.read_text(encoding="utf-8")
            counts[key] = counts.get(key, 0) + 1
    return counts


class AcceptingEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        for message in messages:
            accept("email", message.extra_headers["Message-ID"])
        return len(messages)


class AcceptingSMSBackend(BaseSMSBackend):
    def send(self, to, text, *, idempotency_key):
        accept("sms", idempotency_key)
