import time
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from .twofactor import pending_step


class UserTimezoneMiddleware:
    """Show times in the signed-in person's own time zone (stored times are UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        if request.user.is_authenticated:
            # User.zone: an unknown zone falls back to DEFAULT_USER_TIME_ZONE rather than failing the page.
            timezone.activate(request.user.zone)
        try:
            return self.get_response(request)
        finally:
            # The thread serves someone else next (and code after a test request runs in UTC).
            timezone.deactivate()


# Downloads that carry someone's data whoever asks for them (a calendar feed
# is fetched with a token, not a session).
PERSONAL_DOWNLOAD_TYPES = ("text/csv", "text/calendar", "application/zip")


class NoStoreMiddleware:
    """Keep signed-in pages and personal downloads out of every cache.

    Any response to a signed-in request, and any CSV/ICS/ZIP download or
    attachment (signed in or not, e.g. a token calendar feed), gets
    ``Cache-Control: no-store`` and ``Pragma: no-cache``: on a shared phone the
    back button or the browser cache must not show someone's health data after
    they sign out. Static files are served by whitenoise before this runs and
    keep their long cache lifetime; anonymous public pages are unaffected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if (
            (user is not None and user.is_authenticated)
            or content_type in PERSONAL_DOWNLOAD_TYPES
            or response.has_header("Content-Disposition")
        ):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` from settings.PERMISSIONS_POLICY on every response.

    The setting maps a feature name to the origins allowed to use it (an empty
    list: nobody), e.g. ``{"camera": [], "geolocation": ["self"]}`` gives
    ``camera=(), geolocation=(self)``.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.setdefault("Permissions-Policy", self.header)
        return response


class IdleTimeoutMiddleware:
    """Sign out a session that has been idle too long (sliding expiry).

    Applies to sessions marked at sign-in (mentoring.session_policy: staff and
    shared devices) and to every is_staff user. After the limit the person is
    signed out and sent to sign in again, with a message that says why; any
    request before it moves the deadline (at most one session write a minute).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login

        from . import session_policy as policy

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            limit = session.get(policy.IDLE_LIMIT)
            if limit is None and user.is_staff:
                limit = policy.staff_idle_seconds()
            if limit is not None:
                now = int(time.time())
                last_seen = session.get(policy.LAST_SEEN)
                if last_seen is not None and now - last_seen > limit:
                    logout(request)
                    messages.info(
                        request, gettext("You were signed out after a while without activity. Please sign in again.")
                    )
                    return redirect_to_login(request.get_full_path())
                if last_seen is None or now - last_seen >= policy.TOUCH_EVERY_SECONDS:
                    session[policy.LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """Hold a signed-in person who has not passed the second step at that step.

    After the password, a person with an authenticator app is sent to
    /accounts/two-factor/verify/ and a coordinator or staff member without one to
    /accounts/two-factor/setup/ (``mentoring.twofactor.pending_step``), from every
    page including /admin/, until ``request.user.is_verified()`` (django-otp's
    OTPMiddleware, installed before this one). Signing out, the crisis page, the
    health check, the landing page and unsubscribe links stay open. A GET keeps
    where the person was going in ``?next=``."""

    ALWAYS_OPEN = frozenset(
        {"logout", "mentoring:crisis", "mentoring:healthz", "mentoring:landing", "mentoring:unsubscribe"}
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in self.ALWAYS_OPEN:
            return None
        step = pending_step(user)
        if step is None:
            return None
        target = f"mentoring:twofactor_{step}"
        if view_name == target:
            return None
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
