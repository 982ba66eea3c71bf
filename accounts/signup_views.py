"""Public account pages: sign-up, login by SMS code, password reset, profile, change of number,
privacy policy, data copy, closing the account, cadre applications. Thin: the rules are in
accounts.services, accounts.sms.codes and organizations.services."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import ServiceError

from . import captcha, selectors, services
from .forms import (
    CadreApplicationForm,
    ChangePhoneForm,
    CloseAccountForm,
    PhoneCodeForm,
    ProfileForm,
    ResetForm,
    SignupForm,
)
from .models import SmsPurpose
from .security import client_ip
from .sms import codes

BACKEND = "accounts.backends.PhoneOrUsernameBackend"


def _ip(request):
    return client_ip(request) or None


def _next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return default
    return target


def _errors(form, exc: ServiceError):
    placed = False
    for field in exc.fields:
        if field in form.fields:
            form.add_error(field, exc.localized)
            placed = True
            break
    if not placed:
        form.add_error(None, exc.localized)
    return exc.status


def _submit(request, form, call, message: str = ""):
    """A valid form's submit: run the service `call()`. Done: say `message` and return (its result,
    200); refused (ServiceError): put the error on the form and return (None, the HTTP status)."""
    try:
        result = call()
    except ServiceError as exc:
        return None, _errors(form, exc)
    if message:
        messages.success(request, message)
    return result, 200


def _send(request, form, purpose, phone_field="phone"):
    """The "get a code" button of a form: returns the HTTP status to render with."""
    data = form.cleaned_data
    answer = data.get("captcha") or ""
    captcha_ok = bool(answer) and captcha.check(request, answer)
    try:
        message = services.request_code(phone=data.get(phone_field) or "", purpose=purpose, ip=_ip(request),
                                        captcha_ok=captcha_ok, user=request.user)
    except ServiceError as exc:
        if exc.code == "captcha_required":
            form.add_error("captcha", gettext("Enter the picture code before asking for an SMS code") if not answer
                           else gettext("The picture code is not right"))
            return 400
        field = next(iter(exc.fields), None)
        if field and field != phone_field and field not in form.fields:
            exc.fields = {phone_field: exc.fields[field]}
        return _errors(form, exc)
    messages.success(request, message)
    return 200


def _render(request, template, form, status=200, **context):
    ip = _ip(request)
    phone = form.data.get("phone", "") if form.is_bound else ""
    context.setdefault("captcha_needed", codes.captcha_needed(phone=phone if phone.isdigit() else "", ip=ip))
    return render(request, template, {"form": form, "next": _next(request, ""), **context}, status=status)


@never_cache
def signup(request):
    if request.user.is_authenticated:
        return redirect("/accounts/profile/")
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "signup")
        if action == "send":
            status = _send(request, form, SmsPurpose.SIGNUP)
        elif action == "send_guardian":
            status = _send(request, form, SmsPurpose.GUARDIAN, phone_field="guardian_phone")
        else:
            d = form.cleaned_data
            if d["password1"] != d["password2"]:
                form.add_error("password2", gettext("The two passwords do not match"))
                status = 400
            else:
                user, status = _submit(request, form, lambda: services.sign_up(
                    phone=d["phone"], code=d["code"], password=d["password1"], display_name=d["display_name"],
                    organization=d["organization"], birth_year=d["birth_year"], agree_privacy=d["agree_privacy"],
                    guardian_phone=d["guardian_phone"], guardian_code=d["guardian_code"], ip=_ip(request)),
                    gettext("You have signed up. Welcome to Youth Voice!"))
                if status == 200:
                    login(request, user, backend=BACKEND)
                    return redirect(_next(request, "/accounts/profile/"))
    elif request.method == "POST":
        status = 400
    return _render(request, "accounts/signup.html", form, status, privacy_version=services.privacy_version())


@never_cache
def login_by_code(request):
    form = PhoneCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send":
            status = _send(request, form, SmsPurpose.LOGIN)
        else:
            user, status = _submit(request, form, lambda: services.login_with_code(
                phone=form.cleaned_data["phone"], code=form.cleaned_data["code"]))
            if status == 200:
                login(request, user, backend=BACKEND)
                return redirect(_next(request))
    elif request.method == "POST":
        status = 400
    return _render(request, "accounts/login_code.html", form, status)


@never_cache
def password_reset(request):
    form = ResetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if request.POST.get("action") == "send":
            status = _send(request, form, SmsPurpose.RESET)
        elif d["password1"] != d["password2"]:
            form.add_error("password2", gettext("The two passwords do not match"))
            status = 400
        else:
            _, status = _submit(request, form, lambda: services.reset_password(
                phone=d["phone"], code=d["code"], password=d["password1"]), gettext("Your password has been reset: log in with the new password"))
            if status == 200:
                return redirect("/accounts/login/")
    elif request.method == "POST":
        status = 400
    return _render(request, "accounts/password_reset.html", form, status)


@never_cache
@login_required
def profile(request):
    user = request.user
    initial = {"display_name": user.display_name, "organization": user.organization_id, "email": user.email,
               "service_domains": user.service_domains, "notify_site": user.notify_site,
               "notify_email": user.notify_email, "notify_sms": user.notify_sms}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            old_email = (user.email or "").lower()
            _, status = _submit(request, form, lambda: services.update_profile(
                user=user, display_name=d["display_name"], organization=d["organization"],
                service_domains=d["service_domains"], notify_site=d["notify_site"], notify_email=d["notify_email"],
                notify_sms=d["notify_sms"], avatar=d.get("avatar"), email=d["email"]), gettext("Your profile has been saved"))
            if status == 200:
                if user.email and user.email.lower() != old_email:
                    services.send_email_confirmation(user=user, base_url=request.build_absolute_uri("/"))
                    messages.info(request, gettext("A confirmation e-mail has been sent to %(email)s: open the link in it to verify "
                                            "the address") % {"email": user.email})
                return redirect("/accounts/profile/")
        else:
            status = 400
    from organizations.models import ApplicationStatus

    context = {"form": form, "applications": user.cadre_applications.select_related("organization")[:10],
               "default_org": selectors.default_organization_for(user), "pending": ApplicationStatus.PENDING}
    return render(request, "accounts/profile.html", context, status=status)


@never_cache
@login_required
def change_phone(request):
    form = ChangePhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "send":
            status = _send(request, form, SmsPurpose.CHANGE_PHONE)
        else:
            _, status = _submit(request, form, lambda: services.change_phone(
                user=request.user, phone=form.cleaned_data["phone"], code=form.cleaned_data["code"]), gettext("Your mobile number has been changed and verified"))
            if status == 200:
                return redirect("/accounts/profile/")
    elif request.method == "POST":
        status = 400
    return _render(request, "accounts/change_phone.html", form, status)


def privacy(request):
    return render(request, "accounts/privacy.html", {"version": services.privacy_version()})


@never_cache
@login_required
def export_data(request):
    data = selectors.export_personal_data(request.user)
    data["exported_at"] = timezone.now().isoformat()
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="youthvoice-my-data.json"'
    return response


@never_cache
@login_required
def close_account(request):
    form = CloseAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _, status = _submit(request, form, lambda: services.close_account(
                user=request.user, password=form.cleaned_data["password"]), gettext("Your account has been closed. Thank you for using Youth Voice"))
            if status == 200:
                logout(request)
                return redirect("/")
        else:
            status = 400
    return render(request, "accounts/close.html", {"form": form}, status=status)


@never_cache
@login_required
def cadre_apply(request):
    from organizations import services as org_services

    form = CadreApplicationForm(request.POST or None, request.FILES or None,
                                initial={"organization": request.GET.get("org"), "real_name": request.user.real_name})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            _, status = _submit(request, form, lambda: org_services.apply_for_staff_role(
                user=request.user, organization=d["organization"], role=d["role"], real_name=d["real_name"],
                position=d["position"], proof=d.get("proof"), sensitive_consent=d["sensitive_consent"], ip=_ip(request)),
                gettext("Application submitted: an administrator of the organisation will review it"))
            if status == 200:
                return redirect("/accounts/profile/")
        else:
            status = 400
    return render(request, "accounts/cadre_apply.html", {"form": form}, status=status)


@never_cache
@login_required
def cadre_review(request):
    from organizations import services as org_services
    from organizations.models import ADMIN_ROLES, ApplicationStatus
    from organizations.permissions import is_staff_anywhere

    if not is_staff_anywhere(request.user, ADMIN_ROLES):
        raise PermissionDenied
    rows = org_services.cadre_applications_for(request.user)
    pending = list(rows.filter(status=ApplicationStatus.PENDING).order_by("created_at")[:100])
    decided = list(rows.exclude(status=ApplicationStatus.PENDING).order_by("-decided_at")[:30])
    if pending:
        services.record_personal_data_access(viewer=request.user, subjects=[a.user for a in pending],
                                             fields=["real_name"], where="cadre-review", request=request)
    return render(request, "accounts/cadre_review.html", {"pending": pending, "decided": decided})


@login_required
@require_POST
def cadre_decide(request, pk: int):
    from organizations import services as org_services
    from organizations.models import CadreApplication

    application = get_object_or_404(CadreApplication, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        org_services.decide_cadre_application(actor=request.user, application=application, approve=approve,
                                              reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.localized) from None
        messages.error(request, exc.localized)
        return redirect("/accounts/cadre/review/")
    messages.success(request, gettext("Approved: the real name is verified and the cadre permissions are granted") if approve
                     else gettext("Application rejected"))
    return redirect("/accounts/cadre/review/")


@login_required
def cadre_proof(request, pk: int):
    from organizations.models import ADMIN_ROLES, CadreApplication
    from organizations.permissions import can_act

    application = get_object_or_404(CadreApplication, pk=pk)
    if not (application.user_id == request.user.pk or can_act(request.user, application.organization, ADMIN_ROLES)):
        raise PermissionDenied
    if not application.proof:
        raise Http404
    services.record_personal_data_access(viewer=request.user, subjects=[application.user], fields=["proof"],
                                         where=f"cadre-proof {pk}", request=request)
    response = FileResponse(application.proof.open("rb"), as_attachment=True,
                            filename=application.proof.name.rsplit("/", 1)[-1])
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@never_cache
def confirm_email(request, token: str):
    try:
        services.confirm_email(token=token)
    except ServiceError as exc:
        messages.error(request, exc.localized)
    else:
        messages.success(request, gettext("Your e-mail address is verified: it can be used to recover your password"))
    return redirect("/accounts/profile/" if request.user.is_authenticated else "/accounts/login/")


# Password reset by a verified e-mail address: Django's views, our templates and form.
class VerifiedEmailResetForm(PasswordResetForm):
    email = forms.EmailField(label=gettext_lazy("Verified e-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        """Only addresses the user confirmed; the page says the same whether or not one matched."""
        return (u for u in super().get_users(email) if u.email_verified_at is not None and u.closed_at is None)


email_reset = never_cache(auth_views.PasswordResetView.as_view(
    form_class=VerifiedEmailResetForm, template_name="accounts/password_reset_email.html",
    email_template_name="accounts/password_reset_email.txt", subject_template_name="accounts/password_reset_subject.txt",
    success_url="/accounts/password/reset/email/sent/"))
email_reset_sent = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_email_sent.html")
email_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html", success_url="/accounts/password/reset/email/done/")
email_reset_done = auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
