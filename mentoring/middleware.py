import contextlib
import zoneinfo

from django.utils import timezone


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
