import contextlib
import zoneinfo
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .twofactor import pending_step


class UserTimezoneMiddleware:
    """Show times in the signed-in person's own time zone (stored times are UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        zone_name = request.user.time_zone if request.user.is_authenticated else ""
        # An unknown zone falls back to UTC rather than failing the page.
        with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
            if zone_name:
                timezone.activate(zoneinfo.ZoneInfo(zone_name))
        try:
            return self.get_response(request)
        finally:
            # The thread serves someone else next (and code after a test request runs in UTC).
            timezone.deactivate()


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
