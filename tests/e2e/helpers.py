"""Small helpers the browser journeys share."""

import re
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

PROGRAM_NAME = "Riverbend Peer Mentoring"
MENTOR_NAME = "Marcus Lee"
MENTEE_NAME = "Jordan Rivera"


def path_is(live_server, path):
    return re.compile("^" + re.escape(live_server.url + path) + "$")


def flash(page, text):
    """A Django message shown at the top of the page."""
    return page.locator(".messages").get_by_role("alert").filter(has_text=text)


def field(page, label):
    """A form field by its whole label. Crispy adds an asterisk to required
    ones, and label text is matched with its surrounding whitespace."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def local_today(email):
    """Today in the person's own time zone: the forms read dates in it."""
    zone = ZoneInfo(get_user_model().objects.get(email=email).time_zone)
    return timezone.localtime(timezone.now(), zone).date()
