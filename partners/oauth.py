"""django-oauth-toolkit hooks: which scopes a partner may ask, PKCE for public clients, the TOTP rule
for the `staff` scope, pairwise subjects and our claims. docs/partners.md."""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes


def partner_of(application):
    if application is None:
        return None
    try:
        return application.partner
    except ObjectDoesNotExist:  # an Application made outside the registry has no partner
        return None


def subject_for(application, user) -> str:
    """The `sub` a partner sees: the user id for trusted League systems, else a pairwise identifier
    HMAC-SHA256(secret, "<partner id>:<user id>"), stable per partner and unlinkable across partners."""
    partner = partner_of(application)
    if partner is None or partner.trusted:
        return str(user.pk)
    secret = (settings.YV_OIDC_PAIRWISE_SECRET or settings.SECRET_KEY).encode()
    return hmac.new(secret, f"{partner.pk}:{user.pk}".encode(), hashlib.sha256).hexdigest()[:40]


def needs_second_factor(user) -> bool:
    from organizations.permissions import second_factor_missing

    return second_factor_missing(user)


def may_hold_staff_scope(user) -> bool:
    from organizations.permissions import is_staff_anywhere

    return bool(user and user.is_authenticated and (user.is_superuser or is_staff_anywhere(user)))


class PartnerScopes(SettingsScopes):
    """A partner may ask only the scopes the registry allows it (an Application without a partner:
    none but openid)."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        all_scopes = super().get_available_scopes(application, request, *args, **kwargs)
        partner = partner_of(application)
        allowed = set(partner.scopes) if partner is not None and partner.is_active else {"openid"}
        return [s for s in all_scopes if s in allowed]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return [s for s in super().get_default_scopes(application, request, *args, **kwargs)
                if s in self.get_available_scopes(application, request)]


class Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "real_name": "real_name",
        "real_name_verified": "real_name",
        "organization": "organization",
        "roles": "roles",
    }

    def is_pkce_required(self, client_id, request):
        """Public clients (apps, mini-programs, single-page sites) must use PKCE; a confidential
        partner that sends a challenge is held to it as well (oauthlib checks any stored challenge)."""
        client = getattr(request, "client", None)
        if client is None or client.client_id != client_id:
            from oauth2_provider.models import get_application_model

            client = get_application_model().objects.filter(client_id=client_id).first()
        return client is None or client.client_type == AbstractApplication.CLIENT_PUBLIC

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        if grant_type == "client_credentials":
            partner = partner_of(client)
            return bool(partner and partner.is_active and partner.client_credentials
                        and client.client_type == AbstractApplication.CLIENT_CONFIDENTIAL)
        if grant_type in ("authorization_code", "refresh_token"):
            return client.authorization_grant_type == AbstractApplication.GRANT_AUTHORIZATION_CODE
        return False

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        partner = partner_of(client)
        if partner is not None and not partner.is_active:
            return False
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def _create_authorization_code(self, request, code, expires=None):
        """The grant records what the user's login proved: `staff` is granted only to a staff member
        whose session passed the TOTP step when the rule applies to them (the token inherits the
        grant's scopes, and bearer calls of staff operations need `staff`)."""
        user = request.user
        scopes = [s for s in request.scopes if s != "otp"]  # never requestable, only recorded
        if "staff" in scopes and (not may_hold_staff_scope(user) or needs_second_factor(user)):
            scopes.remove("staff")
        is_verified = getattr(user, "is_verified", None)
        if "staff" in scopes and callable(is_verified) and is_verified():
            scopes.append("otp")  # the login passed the TOTP step (django-otp): recorded on grant and tokens
        request.scopes = scopes
        return super()._create_authorization_code(request, code, expires)

    def get_claim_dict(self, request):
        claims = super().get_claim_dict(request)
        claims["sub"] = subject_for(request.client, request.user)
        return claims

    def get_additional_claims(self, request):
        user = request.user
        claims = {"name": getattr(user, "public_name", "") or user.get_username()}
        phone = getattr(user, "phone", None)
        if phone:
            claims["phone_number"] = f"+86{phone}" if len(phone) == 11 else phone
            verified = getattr(user, "phone_verified", None)
            claims["phone_number_verified"] = bool(verified) if verified is not None else True
        if getattr(user, "real_name", "") and getattr(user, "is_real_name_verified", False):
            claims["real_name"] = user.real_name
        claims["real_name_verified"] = bool(getattr(user, "is_real_name_verified", False))
        organization = getattr(user, "organization", None)
        if organization is not None:
            claims["organization"] = {"id": organization.pk, "name": organization.name,
                                      "adcode": getattr(organization, "adcode", "") or ""}
        claims["roles"] = staff_roles(user)
        return claims


def staff_roles(user) -> list[dict]:
    from organizations.models import StaffMembership

    return [{"organization_id": m.organization_id, "organization": m.organization.name, "role": m.role}
            for m in StaffMembership.objects.active().filter(user=user).select_related("organization")
            .order_by("organization__path", "role")]
