from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread_messages(request):
    """The navigation's unread-message badge: one query, only if a template asks, once per request."""
    user = getattr(request, "user", None)
    return {"unread_messages": SimpleLazyObject(lambda: unread_count(user) if user is not None else 0)}
