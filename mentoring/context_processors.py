from django.utils.functional import SimpleLazyObject

from .access import roles_of
from .models import Notification


def navigation(request):
    """Roles for the navigation, computed only if a template asks."""
    user = getattr(request, "user", None)
    return {
        "user_roles": SimpleLazyObject(lambda: roles_of(user)),
        "unread_notifications": SimpleLazyObject(lambda: _unread(user)),
    }


def _unread(user):
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
