"""What is due in programs: background checks about to expire."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from mentoring.models import ReminderKind
from mentoring.notifications.outbox import Due, coordinators_by_program

from .models import BackgroundCheck

WARN_BEFORE = timedelta(days=30)


def due(now, since=None):
    """Cleared checks expiring within 30 days (``since`` is the engine's
    window; a check cleared late is due at once: its ``updated_at``)."""
    today = timezone.localdate(now)
    checks = (
        BackgroundCheck.objects.filter(
            status=BackgroundCheck.Status.CLEARED,
            expires_on__gte=today,
            expires_on__lte=today + WARN_BEFORE,
            mentor__user__is_active=True,
        )
        .exclude(mentor__program__status="archived")
        .select_related("mentor__user")
    )
    coordinators = coordinators_by_program(checks.values("mentor__program_id"))
    for check in checks:
        due_at = datetime.combine(check.expires_on - WARN_BEFORE, time(9, 0), tzinfo=timezone.get_default_timezone())
        subject = f"check:{check.pk}:{check.expires_on.isoformat()}"
        url = f"/mentors/{check.mentor_id}/readiness/"
        for person in [check.mentor.user, *coordinators.get(check.mentor.program_id, [])]:
            yield Due(
                ReminderKind.READINESS_EXPIRING, subject, person, due_at, url, check.mentor.program_id, check.updated_at
            )
