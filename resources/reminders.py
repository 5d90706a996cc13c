"""What is due in resources: referrals nobody answered after a week."""

from datetime import timedelta

from mentoring.models import ReminderKind
from mentoring.notifications.outbox import Due

from .models import Share

ASK_AFTER = timedelta(days=7)
MAX_LATENESS = timedelta(days=14)


def due(now, since=None):
    """Referrals a week old and unanswered; ``since`` (UTC): only those that turned a week old after it."""
    waiting = Share.objects.filter(
        is_referral=True, followup="", created_at__lte=now - ASK_AFTER, created_at__gte=now - ASK_AFTER - MAX_LATENESS
    ).select_related("mentee__user")
    if since is not None:
        waiting = waiting.filter(created_at__gt=since - ASK_AFTER)
    for share in waiting:
        yield Due(
            ReminderKind.REFERRAL_FOLLOWUP,
            f"share:{share.pk}",
            share.mentee.user,
            share.created_at + ASK_AFTER,
            "/my-resources/",
            share.mentee.program_id,
        )
