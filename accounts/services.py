"""Writes of the accounts app: the personal-data access log; sign-up, SMS-code login and reset, profile,
consents, closing an account (issue 20, docs/accounts.md)."""

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from core.domains import ServiceDomain
from core.errors import Conflict, Invalid

from . import hooks
from .models import (
    CLOSED_ACCOUNT_NAME,
    BlockedPhone,
    Consent,
    ConsentKind,
    PersonalDataAccess,
    RealNameStatus,
    SmsPurpose,
    phone_validator,
)
from .sms import codes


def _client_ip(request):
    if request is None:
        return None
    from .security import client_ip

    return client_ip(request) or None


def record_personal_data_access(*, viewer, subjects: Iterable, fields: Iterable[str], where: str,
                                request=None, label: str = "") -> int:
    """Log that `viewer` saw `fields` of each of `subjects` in the clear at `where` (a view name or
    path). `subjects` are users, or None for data of someone without an account (then `label` names
    the record, e.g. an appeal's reference). A user looking at their own data is not logged.
    Returns the number of rows written."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return 0
    field_list = ",".join(sorted(set(fields)))
    ip = _client_ip(request)
    seen = set()
    rows = []
    for subject in subjects:
        if subject is not None and (subject.pk == viewer.pk or subject.pk in seen):
            continue
        if subject is None and not label:
            continue
        seen.add(getattr(subject, "pk", None))
        rows.append(PersonalDataAccess(
            viewer=viewer, subject=subject, subject_label=(subject.get_username() if subject else label)[:150],
            fields=field_list[:120], where=where[:200], ip_address=ip))
    PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Sign-up by mobile number, login and password reset by SMS code, profile, personal-information
# rights (issue 20; docs/accounts.md). Wrong input raises a ServiceError before anything is written.
# ---------------------------------------------------------------------------------------------

GUARDIAN_AGE = 14  # PIPL art. 31: a child under 14 needs a guardian's consent
ALREADY_REGISTERED = _("This number is already registered: log in or reset the password")


def privacy_version() -> str:
    return getattr(settings, "YV_PRIVACY_VERSION", "2026-12-01")


def clean_phone(phone: str, field: str = "phone") -> str:
    phone = (phone or "").strip().replace(" ", "").removeprefix("+86")
    try:
        phone_validator(phone)
    except ValidationError:
        raise Invalid(_("Enter a valid 11-digit mainland mobile number"),
                      fields={field: "invalid"}) from None
    return phone


def _active_user_by_phone(phone):
    return get_user_model()._default_manager.filter(phone=phone, is_active=True, closed_at__isnull=True).first()


def is_blocked(phone: str) -> bool:
    return BlockedPhone.objects.filter(phone_hash=codes.phone_hash(phone)).exists()


def request_code(*, phone: str, purpose: str, ip: str | None = None, captcha_ok: bool = False, user=None) -> str:
    """Send a one-time code for `purpose`. Returns the message to show. Sign-up and a change of number
    must say when a number is taken; login and reset never reveal whether a number is registered (the
    code is counted but only sent to a registered number)."""
    phone = clean_phone(phone)
    deliver = True
    template = "code"
    if purpose in (SmsPurpose.SIGNUP, SmsPurpose.CHANGE_PHONE):
        if is_blocked(phone):
            raise Invalid(_("This number cannot be registered"), code="blocked", fields={"phone": "blocked"})
        if get_user_model()._default_manager.filter(phone=phone).exists():
            raise Conflict(ALREADY_REGISTERED, code="phone_taken", fields={"phone": "taken"})
    elif purpose in (SmsPurpose.LOGIN, SmsPurpose.RESET):
        found = _active_user_by_phone(phone)
        deliver = found is not None
        if found is not None:
            deliver = not hooks.is_banned(found)
    elif purpose == SmsPurpose.GUARDIAN:
        template = "guardian"
    else:
        raise Invalid(_("Unknown purpose"), fields={"purpose": "invalid"})
    codes.issue(phone=phone, purpose=purpose, ip=ip, captcha_ok=captcha_ok, deliver=deliver, template=template)
    if purpose in (SmsPurpose.SIGNUP, SmsPurpose.CHANGE_PHONE, SmsPurpose.GUARDIAN):
        return gettext("Code sent; it is valid for 5 minutes")
    # login and reset: the same words whether or not the number has an account (no enumeration)
    return gettext("If this number can be used, a code has been sent; it is valid for 5 minutes")


def _password_errors(password: str, user) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        # xgettext:no-python-format
        raise Invalid(_("The password is too weak"), params={"messages": '；'.join(exc.messages)}, code="weak_password",
                      fields={"password": "weak"}) from None


def _clean_location(organization):
    from organizations.models import OrganizationKind

    if organization is None or not organization.is_active or organization.kind not in (
            OrganizationKind.CITY, OrganizationKind.COUNTY, OrganizationKind.UNIVERSITY):
        raise Invalid(_("Choose your district/county or university"), fields={"organization": "invalid"})
    return organization


def _clean_display_name(name: str) -> str:
    from .domain.masking import mask_phones_in_text

    name = (name or "").strip()
    if not 2 <= len(name) <= 20:
        raise Invalid(_("The display name must have 2–20 characters"), fields={"display_name": "length"})
    if name == CLOSED_ACCOUNT_NAME or mask_phones_in_text(name) != name:
        raise Invalid(_("That display name is not allowed"), fields={"display_name": "invalid"})
    return name


def _consent(user, kind, ip, detail="", now=None):
    Consent.objects.create(user=user, kind=kind, version=privacy_version(), given_at=now or timezone.now(),
                           ip_address=ip or None, detail=detail[:200])


def sign_up(*, phone: str, code: str, password: str, display_name: str, organization, birth_year: int | None,
            agree_privacy: bool, guardian_phone: str = "", guardian_code: str = "", ip: str | None = None):
    """Create a youth's account from a verified mobile number. A child under 14 needs a guardian's
    verified number and consent. Everything is validated before the codes are spent and the user is written."""
    User = get_user_model()
    phone = clean_phone(phone)
    if is_blocked(phone):
        raise Invalid(_("This number cannot be registered"), code="blocked", fields={"phone": "blocked"})
    if User._default_manager.filter(phone=phone).exists():
        raise Conflict(ALREADY_REGISTERED, code="phone_taken", fields={"phone": "taken"})
    display_name = _clean_display_name(display_name)
    organization = _clean_location(organization)
    this_year = timezone.localdate().year
    if birth_year is None or not this_year - 100 <= int(birth_year) <= this_year - 6:
        raise Invalid(_("Enter a valid year of birth"), fields={"birth_year": "invalid"})
    minor = this_year - int(birth_year) < GUARDIAN_AGE
    if minor:
        if not guardian_phone:
            raise Invalid(_("Under 14: a guardian's mobile number and their code are required"),
                          code="guardian_required", fields={"guardian_phone": "required"})
        guardian_phone = clean_phone(guardian_phone, "guardian_phone")
        if guardian_phone == phone:
            raise Invalid(_("The guardian's number must differ from yours"),
                          fields={"guardian_phone": "same"})
    if not agree_privacy:
        raise Invalid(_("You must accept the privacy policy"), fields={"agree_privacy": "required"})
    candidate = User(username=f"yv{secrets.token_hex(5)}", phone=phone, display_name=display_name)
    _password_errors(password, candidate)
    codes.check(phone=phone, purpose=SmsPurpose.SIGNUP, code=code, consume=False)
    if minor:
        codes.check(phone=guardian_phone, purpose=SmsPurpose.GUARDIAN, code=guardian_code, consume=False)
    codes.check(phone=phone, purpose=SmsPurpose.SIGNUP, code=code)
    if minor:
        codes.check(phone=guardian_phone, purpose=SmsPurpose.GUARDIAN, code=guardian_code)
    now = timezone.now()
    candidate.set_password(password)
    candidate.organization = organization
    candidate.birth_year = int(birth_year)
    candidate.phone_verified_at = now
    if minor:
        candidate.guardian_phone = guardian_phone
        candidate.guardian_verified_at = now
    try:
        with transaction.atomic():
            candidate.save()
            _consent(candidate, ConsentKind.PRIVACY, ip, now=now)
            if minor:
                _consent(candidate, ConsentKind.GUARDIAN, ip, detail=f"guardian {guardian_phone[:3]}****{guardian_phone[-4:]}", now=now)
            log(instance=candidate, action="wagtail.create", user=candidate, data={"signup": "phone"})
    except IntegrityError:
        raise Conflict(ALREADY_REGISTERED, code="phone_taken", fields={"phone": "taken"}) from None
    return candidate


def _login_target(phone):
    user = _active_user_by_phone(phone)
    if user is None or hooks.is_banned(user):
        return None
    return user


def login_with_code(*, phone: str, code: str):
    """The user of `phone` if `code` is their live login code; one message for every failure."""
    phone = clean_phone(phone)
    user = _login_target(phone)
    if user is None:
        raise Invalid(codes.WRONG_CODE, code="wrong_code", fields={"code": "wrong"})
    codes.check(phone=phone, purpose=SmsPurpose.LOGIN, code=code)
    return user


def reset_password(*, phone: str, code: str, password: str):
    phone = clean_phone(phone)
    user = _login_target(phone)
    if user is None:
        raise Invalid(codes.WRONG_CODE, code="wrong_code", fields={"code": "wrong"})
    _password_errors(password, user)
    codes.check(phone=phone, purpose=SmsPurpose.RESET, code=code)
    user.set_password(password)
    user.save(update_fields=["password"])
    log(instance=user, action="wagtail.edit", user=user, data={"password": "reset by SMS"})
    return user


def change_phone(*, user, phone: str, code: str):
    """Move the account to a new, verified number (the code was sent to the new number)."""
    phone = clean_phone(phone)
    if phone == user.phone:
        raise Invalid(_("That is your current number"), fields={"phone": "same"})
    if get_user_model()._default_manager.filter(phone=phone).exclude(pk=user.pk).exists():
        raise Conflict(ALREADY_REGISTERED, code="phone_taken", fields={"phone": "taken"})
    codes.check(phone=phone, purpose=SmsPurpose.CHANGE_PHONE, code=code)
    user.phone = phone
    user.phone_verified_at = timezone.now()
    try:
        user.save(update_fields=["phone", "phone_verified_at"])
    except IntegrityError:
        raise Conflict(ALREADY_REGISTERED, code="phone_taken", fields={"phone": "taken"}) from None
    log(instance=user, action="wagtail.edit", user=user, data={"phone": "changed, verified by SMS"})
    return user


def update_profile(*, user, display_name: str, organization, service_domains: list[str], notify_site: bool,
                   notify_email: bool, notify_sms: bool, avatar=None, email: str | None = None):
    display_name = _clean_display_name(display_name)
    organization = _clean_location(organization)
    unknown = set(service_domains) - set(ServiceDomain.values)
    if unknown:
        raise Invalid(_("Unknown service domain"), fields={"service_domains": sorted(unknown)})
    with transaction.atomic():
        user.display_name = display_name
        user.organization = organization
        user.service_domains = [d for d in ServiceDomain.values if d in service_domains]
        user.notify_site, user.notify_email, user.notify_sms = bool(notify_site), bool(notify_email), bool(notify_sms)
        fields = ["display_name", "organization", "service_domains", "notify_site", "notify_email", "notify_sms"]
        if email is not None:
            email = email.strip()
            if email.lower() != (user.email or "").lower():  # a new address is unverified until confirmed
                user.email_verified_at = None
                fields.append("email_verified_at")
            user.email = email
            fields.append("email")
        if avatar is not None:
            from wagtail.images import get_image_model

            image = get_image_model().objects.create(title=f"avatar {user.pk}", file=avatar)
            user.avatar = image
            fields.append("avatar")
        user.save(update_fields=fields)
    return user


def record_sensitive_consent(*, user, purpose: str, ip: str | None = None):
    """The separate consent (PIPL art. 29) before sensitive data (ID numbers, real name with proof) is collected."""
    _consent(user, ConsentKind.SENSITIVE, ip, detail=purpose)


def close_account(*, user, password: str):
    """注销: erase or anonymise the personal data, keep public posts under "已注销用户". A banned
    account's number is kept as a hash so that it cannot sign up again."""
    if not user.has_usable_password() or not user.check_password(password or ""):
        raise Invalid(_("Wrong password"), fields={"password": "wrong"})
    from organizations.models import StaffMembership

    if StaffMembership.objects.active().filter(user=user).exists():
        raise Invalid(_("End your staff roles first"),
                      fields={"account": "staff"})
    with transaction.atomic():
        if user.phone and hooks.is_banned(user):
            BlockedPhone.objects.get_or_create(phone_hash=codes.phone_hash(user.phone),
                                               defaults={"reason": "banned account closed"})
        avatar = user.avatar
        user.username = f"closed-{user.pk}-{secrets.token_hex(3)}"
        user.display_name = CLOSED_ACCOUNT_NAME
        user.first_name = user.last_name = user.email = user.real_name = user.guardian_phone = ""
        user.phone = None
        user.phone_verified_at = user.guardian_verified_at = user.real_name_verified_at = None
        user.real_name_status = RealNameStatus.NONE
        user.birth_year = None
        user.avatar = None
        user.service_domains = []
        user.is_active = False
        user.closed_at = timezone.now()
        user.set_unusable_password()
        user.save()
        if avatar is not None:
            avatar.delete()
        user.cadre_applications.update(real_name="", position="", proof="")
        _anonymise_elsewhere(user)
        log(instance=user, action="wagtail.edit", user=user, data={"closed": True})
    transaction.on_commit(lambda: _invalidate_posts(user.pk))
    return user


def _anonymise_elsewhere(user):
    """Personal data the user typed into other apps' records (e.g. the notes of station bookings):
    each app's accounts.hooks.personal_data `erase`."""
    for provider in hooks.personal_data:
        if provider.erase is not None:
            provider.erase(user)


def _invalidate_posts(user_id):
    """After closing: the apps' `after_close` (community drops the cached pages of the user's posts)."""
    for provider in hooks.personal_data:
        if provider.after_close is not None:
            provider.after_close(user_id)


def age_in(year: int | None) -> int | None:
    return None if year is None else timezone.localdate().year - year


# --------------------------------------------------------------------------- e-mail verification
EMAIL_CONFIRM_SALT = "accounts.email-confirm"
EMAIL_CONFIRM_MAX_AGE = 3 * 24 * 3600


def send_email_confirmation(*, user, base_url: str) -> None:
    """Mail a signed link (3 days) that verifies `user.email`; sent after the transaction commits."""
    from django.core import signing
    from django.core.mail import send_mail

    if not user.email:
        return
    token = signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=EMAIL_CONFIRM_SALT)
    link = f"{base_url.rstrip('/')}/accounts/email/confirm/{token}/"
    body = (f"{user.display_name or user.username}，您好：\n\n请在 3 天内打开下面的链接，确认这是您的邮箱"
            f"（确认后可用它找回密码）：\n{link}\n\n如非本人操作，请忽略本邮件。\n青年之声")
    email = user.email
    transaction.on_commit(lambda: send_mail("青年之声：请确认您的邮箱", body, None, [email]))


def confirm_email(*, token: str):
    """Verify the address a link was sent to, if it is still the user's address."""
    from django.core import signing

    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=EMAIL_CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise Invalid(_("The link is invalid or has expired"),
                      code="bad_link") from None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or (user.email or "").lower() != data.get("e"):
        raise Invalid(_("The link is invalid or has expired"), code="bad_link")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        log(instance=user, action="wagtail.edit", user=user, data={"email": "verified by link"})
    return user
