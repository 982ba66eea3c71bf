"""Accounts API for apps: ask for an SMS code, sign up, reset the password (issue 20). The same
services as the pages; bad input is a 4xx with a Chinese (and English) message, nothing written.
Login by code and the session itself stay with the pages (/accounts/login/, /accounts/login/code/)."""

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from core.errors import Invalid
from organizations.models import Organization

from . import services
from .security import client_ip

router = Router()


class CodeIn(Schema):
    phone: str = Field(..., max_length=14, description="11-digit mainland mobile number")
    purpose: str = Field(..., pattern="^(signup|reset|guardian)$", description="signup, reset or guardian")


class MessageOut(Schema):
    detail: str


class AccountSignupIn(Schema):
    phone: str = Field(..., max_length=14)
    code: str = Field(..., max_length=6)
    password: str = Field(..., max_length=128)
    display_name: str = Field(..., max_length=20)
    organization_id: int = Field(..., description="District/county, city or university (GET /api/organizations/)")
    birth_year: int
    agree_privacy: bool
    guardian_phone: str = Field("", max_length=14)
    guardian_code: str = Field("", max_length=6)


class AccountSignupOut(Schema):
    id: int
    display_name: str
    organization_id: int


class ResetIn(Schema):
    phone: str = Field(..., max_length=14)
    code: str = Field(..., max_length=6)
    password: str = Field(..., max_length=128)


@router.post("/sms-code/", response=MessageOut, summary="Send a one-time SMS code")
def sms_code(request, payload: CodeIn):
    """Apps show the captcha page (/accounts/captcha.png) themselves; without a solved captcha a send
    that needs one is refused with 400 `captcha_required`."""
    message = services.request_code(phone=payload.phone, purpose=payload.purpose, ip=client_ip(request) or None,
                                    captcha_ok=False)
    return {"detail": message}


@router.post("/signup/", response={201: AccountSignupOut}, summary="Sign up with a verified mobile number")
def signup(request, payload: AccountSignupIn):
    organization = Organization.objects.filter(pk=payload.organization_id).first()
    if organization is None:
        raise Invalid(_("Choose your district/county or university"), fields={"organization_id": "unknown"})
    user = services.sign_up(phone=payload.phone, code=payload.code, password=payload.password,
                            display_name=payload.display_name, organization=organization, birth_year=payload.birth_year,
                            agree_privacy=payload.agree_privacy, guardian_phone=payload.guardian_phone,
                            guardian_code=payload.guardian_code, ip=client_ip(request) or None)
    return 201, {"id": user.pk, "display_name": user.display_name, "organization_id": user.organization_id}


@router.post("/password-reset/", response=MessageOut, summary="Set a new password with an SMS code")
def password_reset(request, payload: ResetIn):
    services.reset_password(phone=payload.phone, code=payload.code, password=payload.password)
    return {"detail": "密码已重置 / The password has been reset"}
