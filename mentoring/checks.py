"""Deployment checks: refuse settings that are only safe on a laptop."""

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=False)
def production_settings_check(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    errors = []
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        errors.append(
            Error(
                "CELERY_BROKER_URL must be a Redis URL when DEBUG is off.",
                hint="The filesystem broker is for one machine in development. Set CELERY_BROKER_URL=redis://...",
                id="waypoint.E001",
            )
        )
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is the public development key while DEBUG is off.",
                hint="Set SECRET_KEY to a long random value from the environment.",
                id="waypoint.E002",
            )
        )
    return errors
