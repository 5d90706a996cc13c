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


CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"
UNSAFE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:", "data:"}


@register(deploy=True)
def browser_hardening_check(app_configs, **kwargs):
    """`check --deploy`: the Content-Security-Policy is sent and allows scripts
    from our own origin only (no inline scripts, no eval, no other hosts), and
    the Permissions-Policy header is sent. README: "Browser and session hardening"."""
    errors = []
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives = directives.get("DIRECTIVES", {})
    scripts = directives.get("script-src", directives.get("default-src"))
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE or not scripts:
        errors.append(
            Error(
                "No Content-Security-Policy with a script-src (or default-src) is sent.",
                hint=f"Keep {CSP_MIDDLEWARE} in MIDDLEWARE and CONTENT_SECURITY_POLICY in settings.",
                id="waypoint.E031",
            )
        )
    elif unsafe := sorted(set(scripts) & UNSAFE_SOURCES):
        errors.append(
            Error(
                f"The Content-Security-Policy's script-src allows {', '.join(unsafe)}.",
                hint="Move the script to static/js/ instead of loosening the policy.",
                id="waypoint.E032",
            )
        )
    if "mentoring.middleware.PermissionsPolicyMiddleware" not in settings.MIDDLEWARE or not getattr(
        settings, "PERMISSIONS_POLICY", None
    ):
        errors.append(
            Error(
                "No Permissions-Policy header is sent.",
                hint="Keep mentoring.middleware.PermissionsPolicyMiddleware and PERMISSIONS_POLICY in settings.",
                id="waypoint.E033",
            )
        )
    return errors
