"""The TOTP step (verify) and enrolment (setup) pages. Thin: the rules are in accounts/otp.py."""

import base64

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.redirects import safe_next
from organizations.permissions import is_staff_anywhere

from . import otp
from .forms import TokenForm


def _next(request, default="/admin/") -> str:
    return safe_next(request, default)


@never_cache
@login_required
def verify(request):
    """Second login step: a code from the user's authenticator app marks the session verified."""
    if not otp.has_device(request.user):
        return redirect(f"{otp.SETUP_URL}?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code is not valid (or has expired). Try the current one."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)},
                  status=200 if not form.errors else 400)


@never_cache
@login_required
def setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), then confirm with one code."""
    user = request.user
    # otp_required: a provincial administrator not yet verified holds no staff role (is_staff_anywhere).
    if not (user.is_staff or otp.otp_required(user) or is_staff_anywhere(user)):
        raise PermissionDenied
    if otp.has_device(user) and not user.is_verified():
        return redirect(f"{otp.VERIFY_URL}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    enrolled = otp.has_device(user)
    if device is None and not enrolled:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code is not valid (or has expired). Try the current one."))
    context = {"form": form, "next": _next(request), "enrolled": enrolled, "required": otp.otp_required(user)}
    if device is not None and not enrolled:
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#222", title=_("QR code"))
    return render(request, "accounts/otp_setup.html", context, status=200 if not form.errors else 400)
