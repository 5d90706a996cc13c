"""Sign-in throttling (django-axes) that a spelling, a proxy or a spray
cannot sidestep.

Two rules, both counted over the cool-off (``AXES_COOLOFF_TIME``, env
``AXES_COOLOFF_MINUTES``, default 30 minutes, measured from each record's
latest failure as axes does):

1. Per account and address: ``AXES_FAILURE_LIMIT`` (env, default 5) failed
   sign-ins for one account from one client address lock that account for that
   address. This is axes' own rule (``AXES_LOCKOUT_PARAMETERS =
   [["username", "ip_address"]]``). It is per address on purpose: a stranger
   elsewhere cannot lock a mentor out of their own account.
2. Per address, across accounts: ``AXES_ADDRESS_FAILURE_LIMIT`` (env, default
   20) failed sign-ins from one client address, whatever the accounts, lock
   that address out of signing in to any account (password spraying: one
   guess at many accounts never reaches rule 1).

Why a handler and not axes' list of alternatives: with
``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]`` axes
compares the larger of the two counts to the *one* ``AXES_FAILURE_LIMIT``, so
the address would lock after 5 failures in total; and a successful sign-in
(``AXES_RESET_ON_SUCCESS``) would delete every failure from the address,
letting a sprayer reset the address count by signing in to their own account
now and then. ``SignInThrottleHandler`` keeps axes' records and rule 1 as
they are and adds rule 2 as its own count over the same records
(``AccessAttempt`` rows of the address); a successful sign-in still resets
only that account's failures from that address, so the failures spent on
other accounts keep counting toward rule 2.

Who counts as one account: ``sign_in_username`` (``AXES_USERNAME_CALLABLE``)
reduces the submitted email to ``mentoring.models.canonical_email``, the same
spelling the user model stores and the sign-in form looks up, so
``Mentor@example.org``, ``MENTOR@EXAMPLE.ORG`` and `` mentor@example.org ``
share one count. Who counts as one address: ``AXES_CLIENT_IP_CALLABLE`` is
``mentoring.client_address.client_network`` (proxy-aware, IPv6 by /64).

A locked-out request gets axes' lockout page (HTTP 429,
``registration/locked_out.html``), even with the right password. Lockouts
end by themselves after the cool-off; ``python manage.py axes_reset`` (or
``axes_reset_ip`` / ``axes_reset_username``) lifts them at once.
"""

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db.models import Sum

from .models import canonical_email


def sign_in_username(request, credentials):
    """``AXES_USERNAME_CALLABLE``: the account a sign-in attempt is for, as its
    canonical email (lower-case, no surrounding spaces), from the credentials
    given to ``authenticate()`` or else the posted ``username`` field. None when
    neither names one."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        value = credentials.get(field)
    else:
        value = getattr(request, "POST", {}).get(field)
    return canonical_email(value) or None


def address_failures(request):
    """Failed sign-ins recorded from the request's client address (axes'
    ``request.axes_ip_address``) within the cool-off, over all accounts. 0 when
    the request has no address."""
    address = getattr(request, "axes_ip_address", None)
    if address is None:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_locked(request):
    """True when the client address has reached ``AXES_ADDRESS_FAILURE_LIMIT``
    (rule 2 of the module docstring)."""
    return address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT


class SignInThrottleHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: axes' database handler (rule 1) plus the per-address
    limit across accounts (rule 2). See the module docstring."""

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        return bool(settings.AXES_LOCK_OUT_AT_FAILURE) and address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or not settings.AXES_LOCK_OUT_AT_FAILURE:
            return
        if self.is_whitelisted(request, credentials):
            return
        if address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
