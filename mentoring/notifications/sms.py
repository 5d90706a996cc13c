"""Text messages through a pluggable backend (settings.SMS_BACKEND).

The interface is ``send(to, text, *, idempotency_key)``: the key is the same
on every attempt for one outbox row (``delivery-<id>``); a provider backend
passes it on where the provider de-duplicates (e.g. an ``Idempotency-Key``
HTTP header), so a re-send after a crash is collapsed by the provider.
The console, file and in-memory backends are for development, tests and
benchmarks. Only the outbox (channels.py) calls a backend."""

import logging
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Old dotted paths (before mentoring/notifications/) keep working in SMS_BACKEND.
OLD_PATHS = {"mentoring.sms.": "mentoring.notifications.sms."}


class BaseSMSBackend:
    def send(self, to, text, *, idempotency_key):
        raise NotImplementedError


def masked(number):
    """Never print a whole phone number."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"…{digits[-2:]}" if digits else "…"


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, to, text, *, idempotency_key):
        print(f"SMS to {masked(to)} [{idempotency_key}]: {text}")  # noqa: T201  (the development "outbox")


class FileSMSBackend(BaseSMSBackend):
    """One file per message under var/sms/: the number, the text, the
    idempotency key (tests read them back)."""

    def send(self, to, text, *, idempotency_key):
        folder = Path(settings.VAR_DIR) / "sms"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d%H%M%S%f}-{uuid.uuid4().hex[:8]}.txt"
        (folder / name).write_text(f"{to}\n{text}\n{idempotency_key}\n", encoding="utf-8")


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps (to, text, idempotency key) in ``LocmemSMSBackend.outbox`` (one
    process; bench_reminders counts what it accepted)."""

    outbox = []
    _lock = threading.Lock()

    def send(self, to, text, *, idempotency_key):
        with self._lock:
            self.outbox.append((to, text, idempotency_key))


def sms_backend():
    path = settings.SMS_BACKEND
    for old, new in OLD_PATHS.items():
        if path.startswith(old):
            path = new + path[len(old) :]
    return import_string(path)()
