"""Deployment checks: refuse settings that are only safe on a laptop."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning


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
def proxy_settings_check(app_configs, **kwargs):
    """Behind a proxy (``BEHIND_PROXY``) every request arrives from the proxy's
    address; without ``TRUSTED_PROXY_COUNT`` all visitors would share one
    sign-in lockout and one application limit (mentoring/client_address.py)."""
    messages = []
    if settings.TRUSTED_PROXY_COUNT < 0:
        messages.append(
            Error(
                "TRUSTED_PROXY_COUNT cannot be negative.",
                hint="Set it to the number of reverse proxies in front of the app (0 for none).",
                id="waypoint.E031",
            )
        )
    elif settings.SECURE_PROXY_SSL_HEADER and settings.TRUSTED_PROXY_COUNT == 0:
        messages.append(
            CheckWarning(
                "BEHIND_PROXY is on but TRUSTED_PROXY_COUNT is 0.",
                hint=(
                    "Every visitor then has the proxy's address: one person's failed sign-ins lock everyone out and "
                    "applicants share one rate limit. Set TRUSTED_PROXY_COUNT to the number of proxies that append "
                    "to X-Forwarded-For (usually 1)."
                ),
                id="waypoint.W031",
            )
        )
    return messages


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
                id="waypoint.E041",
            )
        )
    elif unsafe := sorted(set(scripts) & UNSAFE_SOURCES):
        errors.append(
            Error(
                f"The Content-Security-Policy's script-src allows {', '.join(unsafe)}.",
                hint="Move the script to static/js/ instead of loosening the policy.",
                id="waypoint.E042",
            )
        )
    if "mentoring.middleware.PermissionsPolicyMiddleware" not in settings.MIDDLEWARE or not getattr(
        settings, "PERMISSIONS_POLICY", None
    ):
        errors.append(
            Error(
                "No Permissions-Policy header is sent.",
                hint="Keep mentoring.middleware.PermissionsPolicyMiddleware and PERMISSIONS_POLICY in settings.",
                id="waypoint.E043",
            )
        )
    return errors
