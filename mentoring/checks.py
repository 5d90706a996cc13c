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


@register()
def audit_retention_check(app_configs, **kwargs):
    days = settings.AUDIT_RETENTION_DAYS
    if isinstance(days, int) and days >= 1:
        return []
    return [
        Error(
            "AUDIT_RETENTION_DAYS must be a whole number of days, at least 1.",
            hint="Leave it unset for six years (2190 days), or set e.g. AUDIT_RETENTION_DAYS=2190.",
            id="waypoint.E010",
        )
    ]
