from django.utils.functional import SimpleLazyObject

from .access import roles_of


def navigation(request):
    """Roles for the navigation, computed only if a template asks."""
    user = getattr(request, "user", None)
    return {"user_roles": SimpleLazyObject(lambda: roles_of(user))}
