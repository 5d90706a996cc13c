"""A text-message backend that hangs and never sends, for a worker that is
killed mid-send (tests/reminders/test_delivery_proofs.py). A real worker
subprocess loads it through the SMS_BACKEND environment variable.

It leaves a marker outside var/sms/ (which holds only messages sent) so the
test knows the worker is inside the channel call when it kills it."""

import os
import time
from pathlib import Path

from django.conf import settings

from mentoring.notifications.sms import BaseSMSBackend

HANG_SECONDS = 60
MARKER = "slow-sms-started"


def marker_path():
    return Path(settings.VAR_DIR) / MARKER


class SlowSMSBackend(BaseSMSBackend):
    def send(self, to, text, *, idempotency_key):
        marker_path().write_text(f"{os.getpid()}\n", encoding="utf-8")
        time.sleep(HANG_SECONDS)
        # Only reached when the test failed to kill the worker: fail loudly
        # rather than pretend the message went out.
        raise RuntimeError("SlowSMSBackend never sends; its worker should have been killed")
