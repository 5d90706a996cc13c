"""Text messages through a pluggable backend (settings.SMS_BACKEND).

The console and file backends are for development and tests; a provider's
HTTP backend implements the same `send(to, text)`."""

import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseSMSBackend:
    def send(self, to, text):
        raise NotImplementedError


def masked(number):
    """Never print a whole phone number."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"…{digits[-2:]}" if digits else "…"


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, to, text):
        print(f"SMS to {masked(to)}: {text}")  # noqa: T201  (the development "outbox")


class FileSMSBackend(BaseSMSBackend):
    """One file per message under var/sms/ (tests read them back)."""

    def send(self, to, text):
        folder = Path(settings.VAR_DIR) / "sms"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d%H%M%S%f}.txt"
        (folder / name).write_text(f"{to}\n{text}\n", encoding="utf-8")


def send_sms(to, text):
    import_string(settings.SMS_BACKEND)().send(to, text)
