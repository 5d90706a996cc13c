"""Two-factor sign-in: who must use it, and the writes that set it up, check it and reset it.

Shapes (django-otp):
- A person *has two-factor* when they hold a confirmed ``TOTPDevice`` (an
  authenticator app; 6-digit codes, 30-second steps, one step of tolerance).
  At most one: confirming a new app removes the old one.
- Their backup codes are one confirmed ``StaticDevice`` named "Backup codes"
  holding ``BACKUP_CODE_COUNT`` single-use ``StaticToken`` rows (8 lower-case
  base32 characters each; django-otp deletes a token when it is used).
- A session is *verified* once ``django_otp.login`` stored the device that
  accepted a code; ``OTPMiddleware`` then answers ``request.user.is_verified()``.

Who: coordinators of any program and Django admin staff must use it
(``mentoring.middleware.TwoFactorMiddleware`` holds them at the second step or
its setup); mentors and mentees may turn it on, and then must pass it too.

Lockout: each device doubles its wait after every wrong code
(``OTP_TOTP_THROTTLE_FACTOR``/``OTP_STATIC_THROTTLE_FACTOR`` seconds ×
2^(failures−1), across sessions); on top of that a session that gets
``TWO_FACTOR_SESSION_ATTEMPTS`` wrong codes in a row is signed out.
"""

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import roles_of

BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "Backup codes"
APP_DEVICE_NAME = "Authenticator app"
# Session keys: wrong codes in a row, "signed in with a backup code", codes to show once.
FAILURES_KEY = "twofactor_failures"
BACKUP_USED_KEY = "twofactor_backup_used"
NEW_CODES_KEY = "twofactor_new_codes"


class Locked(Exception):
    """Too many wrong codes in this session: the caller signs the person out."""


# --- rules ---------------------------------------------------------------------------------------------


def twofactor_required(user):
    """Coordinators of any program and admin staff (``is_staff``) must use two-factor."""
    return bool(user.is_staff or "coordinator" in roles_of(user))


def app_device(user, *, confirmed=True):
    """The person's authenticator app (``TOTPDevice``) or None; ``confirmed=False``:
    the one being set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def has_twofactor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_device(user):
    return StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__name=BACKUP_DEVICE_NAME).count()


def pending_step(user):
    """What a signed-in but unverified person must do first: "verify" (they have
    an app), "setup" (they must have one and do not), or None (nothing)."""
    if has_twofactor(user):
        return "verify"
    if twofactor_required(user):
        return "setup"
    return None


def normalize_code(raw):
    """The code as typed, without spaces or dashes, lower-case (backup codes are base32)."""
    return "".join(raw.split()).replace("-", "").lower()


# --- services ------------------------------------------------------------------------------------------


@transaction.atomic
def twofactor_setup_start(*, user):
    """A fresh unconfirmed app device (new random 20-byte key) for ``user``, replacing
    any earlier unconfirmed one. A confirmed app stays until the new one is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def twofactor_setup_confirm(*, request, code):
    """Confirm the app being set up with a code it shows. On success the old app
    is removed, ten new backup codes replace the old ones, the session is verified
    and the codes are returned (a list of str, to show once).

    Raises ValidationError({"code": ...}) for a wrong or throttled code, or when
    nothing is being set up. A wrong code counts towards the device's throttle."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            raise ValidationError({"code": gettext("Start the set-up again: nothing is waiting to be confirmed.")})
        throttled = not device.verify_is_allowed()[0]
        accepted = not throttled and device.verify_token(normalize_code(code))
        if accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = backup_codes_regenerate(user=user)
    if throttled:
        raise ValidationError({"code": gettext("Too many wrong codes. Wait a minute, then try the newest code.")})
    if not accepted:
        raise ValidationError({"code": gettext("That code does not match. Type the 6-digit code your app shows now.")})
    request.session.cycle_key()
    otp_login(request, device)
    request.session.pop(BACKUP_USED_KEY, None)
    return codes


@transaction.atomic
def backup_codes_regenerate(*, user):
    """Replace the person's backup codes with ``BACKUP_CODE_COUNT`` new ones; returns them."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def twofactor_verify(*, request, code):
    """The second step: check ``code`` (a 6-digit app code or a backup code) for
    ``request.user``. On success the session is verified (and its key cycled) and
    the device that accepted it is returned; a used backup code is gone, and the
    session remembers it so the person is asked to set up a new app.

    Raises ValidationError({"code": ...}) for a wrong or throttled code, and
    Locked when this was the session's ``TWO_FACTOR_SESSION_ATTEMPTS``-th wrong
    code in a row."""
    user = request.user
    session = request.session
    failures = session.get(FAILURES_KEY, 0)
    if failures >= settings.TWO_FACTOR_SESSION_ATTEMPTS:
        raise Locked
    code = normalize_code(code)
    is_app_code = code.isdigit() and len(code) == 6
    with transaction.atomic():
        if is_app_code:
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        else:
            device = StaticDevice.objects.select_for_update().filter(user=user, name=BACKUP_DEVICE_NAME).first()
        throttled = device is not None and not device.verify_is_allowed()[0]
        accepted = device is not None and not throttled and device.verify_token(code)
    if accepted:
        session.pop(FAILURES_KEY, None)
        session.cycle_key()  # the session gains rights: a new key, as at sign-in
        otp_login(request, device)
        if not is_app_code:
            session[BACKUP_USED_KEY] = True
        return device
    session[FAILURES_KEY] = failures + 1
    if failures + 1 >= settings.TWO_FACTOR_SESSION_ATTEMPTS:
        raise Locked
    if throttled:
        raise ValidationError({"code": gettext("Too many wrong codes. Wait a minute, then try again.")})
    raise ValidationError({"code": gettext("That code does not work. Check it and try again.")})


@transaction.atomic
def twofactor_disable(*, user):
    """A mentor or mentee turns two-factor off: their app and backup codes are removed.

    Raises ValidationError when the person must use two-factor (coordinator or staff)."""
    if twofactor_required(user):
        raise ValidationError(gettext("Coordinators and staff cannot turn two-factor sign-in off."))
    _remove_devices(user)


@transaction.atomic
def twofactor_reset(*, user, actor):
    """Staff reset a person's two-factor (a lost phone and no backup codes): their
    app and backup codes are removed, so their next sign-in asks them to set up
    a new app (coordinators, staff) or has no second step (others). Recorded in
    the admin log as a change of ``user`` by ``actor`` (who, when)."""
    _remove_devices(user)
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=get_user_model().objects.filter(pk=user.pk),
        action_flag=CHANGE,
        change_message="Reset two-factor sign-in (authenticator app and backup codes removed).",
        single_object=True,
    )


def _remove_devices(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
