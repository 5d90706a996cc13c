"""Two-factor sign-in pages under /accounts/two-factor/: status, set-up, the second
step after the password, backup codes, turning it off (mentors and mentees only).

Each page is the signed-in person's own; nobody else's two-factor is reachable
here (staff reset it from the admin: mentoring.admin.UserAdmin)."""

from base64 import b32encode
from binascii import unhexlify

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from .. import twofactor
from ..forms import TwoFactorCodeForm, add_service_error


def _safe_next(request):
    """``next`` (form, then query string) when it is a path of this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _next_url(request):
    """Where to go after the second step: a safe ``next``, else home."""
    return _safe_next(request) or "mentoring:home"


def _grouped(key_hex):
    """The secret as base32 in groups of four, for typing into an app by hand."""
    secret = b32encode(unhexlify(key_hex)).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_svg(device):
    """The otpauth:// link as an inline SVG QR code, drawn here (no outside service)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4)
    return mark_safe(svg)  # noqa: S308 - segno's own markup from our own link


@login_required
def status(request):
    user = request.user
    return render(
        request,
        "mentoring/twofactor_status.html",
        {
            "enabled": twofactor.has_twofactor(user),
            "required": twofactor.twofactor_required(user),
            "codes_left": twofactor.backup_codes_left(user),
            "backup_used": request.session.get(twofactor.BACKUP_USED_KEY, False),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """GET: what to do (or, once started, the QR code, the secret as text and a code
    field). POST ``start``: a new key; POST ``code``: confirm it, then see the codes."""
    user = request.user
    if twofactor.has_twofactor(user) and not user.is_verified():
        return redirect("mentoring:twofactor_verify")  # a password alone never replaces an app
    form = TwoFactorCodeForm(allow_backup=False)
    if request.method == "POST":
        if "start" in request.POST:
            twofactor.twofactor_setup_start(user=user)
            return redirect("mentoring:twofactor_setup")
        form = TwoFactorCodeForm(request.POST, allow_backup=False)
        if form.is_valid():
            try:
                codes = twofactor.twofactor_setup_confirm(request=request, code=form.cleaned_data["code"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                request.session[twofactor.NEW_CODES_KEY] = codes
                messages.success(request, gettext("Two-factor sign-in is on."))
                return redirect("mentoring:twofactor_backup_codes")
    device = twofactor.app_device(user, confirmed=False)
    context = {"form": form, "device": device, "replacing": twofactor.has_twofactor(user)}
    if device is not None:
        # otpauth_url: the same address as the QR code, as a link for setting up on this phone.
        context.update(qr_svg=_qr_svg(device), secret=_grouped(device.key), otpauth_url=device.config_url)
    return render(request, "mentoring/twofactor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step after the password: a code from the app, or a backup code."""
    user = request.user
    if user.is_verified() or not twofactor.has_twofactor(user):
        return redirect(_next_url(request))
    form = TwoFactorCodeForm()
    if request.method == "POST":
        form = TwoFactorCodeForm(request.POST)
        if form.is_valid():
            try:
                device = twofactor.twofactor_verify(request=request, code=form.cleaned_data["code"])
            except twofactor.Locked:
                logout(request)
                messages.error(request, gettext("Too many wrong codes. Sign in again to try once more."))
                return redirect("login")
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if device.name == twofactor.BACKUP_DEVICE_NAME:
                    messages.warning(
                        request,
                        gettext(
                            "You used a backup code; it will not work again. Set up your authenticator app "
                            "again and get new backup codes."
                        ),
                    )
                    return redirect("mentoring:twofactor")
                return redirect(_next_url(request))
    return render(request, "mentoring/twofactor_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def backup_codes(request):
    """The new backup codes, shown once (they were put in the session by set-up or
    regenerate, and are taken out of it here)."""
    codes = request.session.pop(twofactor.NEW_CODES_KEY, None)
    if not codes:
        return redirect("mentoring:twofactor")
    return render(request, "mentoring/twofactor_backup_codes.html", {"codes": codes})


@login_required
@require_http_methods(["GET", "POST"])
def regenerate(request):
    """GET: are you sure (the old codes stop working)? POST: new codes, shown once."""
    user = request.user
    if not twofactor.has_twofactor(user):
        return redirect("mentoring:twofactor")
    if request.method == "POST":
        request.session[twofactor.NEW_CODES_KEY] = twofactor.backup_codes_regenerate(user=user)
        request.session.pop(twofactor.BACKUP_USED_KEY, None)
        return redirect("mentoring:twofactor_backup_codes")
    return render(request, "mentoring/twofactor_confirm_regenerate.html")


@login_required
@require_http_methods(["GET", "POST"])
def disable(request):
    """GET: are you sure? POST: two-factor off (mentors and mentees only)."""
    user = request.user
    if twofactor.twofactor_required(user):
        messages.error(request, gettext("Coordinators and staff keep two-factor sign-in on."))
        return redirect("mentoring:twofactor")
    if not twofactor.has_twofactor(user):
        return redirect("mentoring:twofactor")
    if request.method == "POST":
        twofactor.twofactor_disable(user=user)
        messages.success(request, gettext("Two-factor sign-in is off. Signing in takes your password only."))
        return redirect("mentoring:twofactor")
    return render(request, "mentoring/twofactor_confirm_disable.html")
