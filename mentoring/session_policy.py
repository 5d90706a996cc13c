"""How long a sign-in lasts (README: "Browser and session hardening").

- By default the session cookie ends when the browser closes.
- "Keep me signed in" keeps it for SESSION_COOKIE_AGE (14 days).
- "This is a shared device" ends it when the browser closes and also after
  STAFF_SESSION_IDLE_HOURS without a request (phones seldom close browsers).
- Staff (coordinators and is_staff) are signed out after
  STAFF_SESSION_IDLE_HOURS without a request, whatever they chose (sliding:
  each request moves the deadline; mentoring.middleware.IdleTimeoutMiddleware).
"""

import time

from django.conf import settings

from . import access

# Session keys. IDLE_LIMIT: seconds of inactivity allowed (absent: no limit);
# LAST_SEEN: Unix time (UTC seconds) of the last request that moved the deadline.
IDLE_LIMIT = "waypoint_idle_limit"
LAST_SEEN = "waypoint_last_seen"
# Move the deadline at most once a minute, so that a page with several
# requests does not write the session each time.
TOUCH_EVERY_SECONDS = 60


def staff_idle_seconds():
    """STAFF_SESSION_IDLE_HOURS in seconds."""
    return int(settings.STAFF_SESSION_IDLE_HOURS * 3600)


def is_staff_session_user(user):
    """Coordinators and Django staff: their sessions expire when idle."""
    return user.is_staff or "coordinator" in access.roles_of(user)


def session_lifetime_apply(*, request, keep_signed_in=False, shared_device=False):
    """Set the lifetime of the session of the person who has just signed in.

    Call right after django.contrib.auth.login(). keep_signed_in and
    shared_device exclude each other (the sign-in form refuses both);
    shared_device wins if both arrive anyway.
    """
    session = request.session
    if keep_signed_in and not shared_device:
        session.set_expiry(settings.SESSION_COOKIE_AGE)
    else:
        session.set_expiry(0)  # the cookie ends when the browser closes
    if shared_device or is_staff_session_user(request.user):
        session[IDLE_LIMIT] = staff_idle_seconds()
        session[LAST_SEEN] = int(time.time())
