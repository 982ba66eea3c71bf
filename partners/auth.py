"""Bearer access tokens on /api/ (issue 21). Every operation that takes the session also takes
`Authorization: Bearer <access token>` issued by our OIDC provider, with the scope the operation
declares (`operation_scope`). Bearer requests carry no cookie, so they need no CSRF token; session
requests keep CSRF (ninja's SessionAuth runs only when no bearer header was sent).

Staff operations need the `staff` scope. The grant records whether the user's login passed the TOTP
step when they authorised (the hidden scope `otp`, added by partners.oauth.Validator); a user under
the TOTP rule (organizations.permissions.second_factor_missing) acts as staff through a token only
if it carries `otp`. Subtree rules are the services' own, with the token's user."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject  # noqa: F401 (kept for callers typing request.user)
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from core.errors import ServiceError

STAFF = "staff"
OTP_SCOPE = "otp"

# Operations (by router prefix and view function name) that act as staff.
STAFF_OPERATIONS = {
    "organizations": {"update_organization"},
    "community": {"invite", "transfer", "decline", "suggestions", "invite_suggested", "refer", "feature", "queue"},
    "content": {"signup_list"},
    "stations": {"managed_bookings", "coverage_report", "confirm", "decline", "result", "create_referral"},
    "alliances": {"get_expert_staff", "suggestions", "demand", "list_memberships", "decide", "suspend",
                  "reinstate", "remove", "invite", "alliance_stats"},
    "appeals": {"list_appeals", "create_collective", "create_individual", "export", "get_appeal", "patch_appeal",
                "form_pdf", "take_step"},
    "insights": "*",
    "moderation": "*",
    "export": set(),
}
USER_OVERRIDES = {("moderation", "report"): "qa:write"}
PREFIX_SCOPES = {"stations": "bookings", "appeals": "appeals", "export": "export"}


def operation_scope(prefix: str, operation) -> str:
    prefix = prefix.strip("/")
    name = operation.view_func.__name__
    if (prefix, name) in USER_OVERRIDES:
        return USER_OVERRIDES[(prefix, name)]
    staff = STAFF_OPERATIONS.get(prefix, set())
    if staff == "*" or name in staff:
        return STAFF
    if prefix in PREFIX_SCOPES:
        return PREFIX_SCOPES[prefix]
    return "qa:read" if set(operation.methods) <= {"GET", "HEAD"} else "qa:write"


class BearerError(ServiceError):
    status = 401
    code = "invalid_token"

    def __init__(self, msg, *, params=None, status=401, code="invalid_token", scope=""):
        super().__init__(msg, params=params, code=code)
        self.status = status
        self.scope = scope

    @property
    def www_authenticate(self) -> str:
        value = f'Bearer error="{self.code}"'
        if self.scope:
            value += f', scope="{self.scope}"'
        return value


class OAuth2(HttpBearer):
    """Accepts an access token with `scope`. `clients` lets client-credentials tokens (no user) in."""

    def __init__(self, scope: str, *, clients: bool = False):
        self.scope = scope
        self.clients = clients
        super().__init__()

    def authenticate(self, request, token):
        from oauth2_provider.settings import oauth2_settings

        from organizations.permissions import second_factor_missing

        access = oauth2_settings.OAUTH2_VALIDATOR_CLASS()._load_access_token(token) if token else None
        if access is None:
            raise BearerError(_("The access token is invalid or was revoked"))
        if access.is_expired():
            raise BearerError(_("The access token has expired"))
        partner = getattr(access.application, "partner", None) if access.application_id else None
        if partner is not None and not partner.is_active:
            raise BearerError(_("This partner system is disabled"))
        scopes = set(access.scope.split())
        if self.scope not in scopes:
            raise BearerError(_("The access token lacks the scope %(scope)s"), params={"scope": self.scope},
                              status=403, code="insufficient_scope", scope=self.scope)
        user = access.user
        if user is None:
            if not self.clients:
                raise BearerError(_("This operation needs a token issued for a user"),
                                  status=403, code="insufficient_scope", scope=self.scope)
            request.oauth_token = access
            request.oauth_partner = partner
            return access
        if not user.is_active:
            raise BearerError(_("The account is disabled"))
        verified = OTP_SCOPE in scopes
        user.is_verified = lambda: verified  # what the grant recorded (django-otp's attribute)
        if self.scope == STAFF and second_factor_missing(user):
            raise BearerError(_("This token was authorised without two-step verification (TOTP): no staff operations"),
                              status=403, code="otp_required", scope=STAFF)
        request.user = user
        request.oauth_token = access
        request.oauth_partner = partner
        return user


def openapi_security(schema: dict, scopes_by_operation_id: dict[str, str], base_url: str = "") -> dict:
    """Declares the OAuth2 flows and each operation's scope in the OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    components.pop("OAuth2", None)
    scopes = dict(settings.YV_PARTNER_SCOPES)
    components["OAuth2"] = {
        "type": "oauth2",
        "description": "一号通：青年之声 OpenID Connect。公开客户端须使用 PKCE（S256）。"
                       " Authorization code with PKCE for apps and partner sites; client credentials for servers."
                       f" Discovery: {base_url}/.well-known/openid-configuration",
        "flows": {
            "authorizationCode": {"authorizationUrl": f"{base_url}/oauth/authorize/",
                                  "tokenUrl": f"{base_url}/oauth/token/",
                                  "refreshUrl": f"{base_url}/oauth/token/", "scopes": scopes},
            "clientCredentials": {"tokenUrl": f"{base_url}/oauth/token/", "scopes": scopes},
        },
    }
    components["OpenIdConnect"] = {"type": "openIdConnect",
                                   "openIdConnectUrl": f"{base_url}/.well-known/openid-configuration"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            scope = scopes_by_operation_id.get(operation.get("operationId"))
            if scope is None or "security" not in operation:
                continue
            security = [entry for entry in operation["security"] if "OAuth2" not in entry]
            operation["security"] = [{"OAuth2": [scope]}, *security]
    return schema


def install_wagtail_v3_tokens() -> None:
    """One token story for /api/ and Wagtail's API v3 (/api/v3/): v3's BearerTokenAuth accepts our OIDC
    access tokens with the `staff` scope (and the TOTP record when the rule applies) as well as
    Wagtail's own per-user API tokens. Page permissions and workflow are Wagtail's, with that user.
    Wagtail instantiates BearerTokenAuth inside its routers, so the resolution is extended in place."""
    from django.contrib.auth.models import AnonymousUser
    from wagtail.api.v3 import auth as v3_auth

    if getattr(v3_auth.BearerTokenAuth, "_yv_oidc", False):
        return
    wagtail_authenticate = v3_auth.BearerTokenAuth.authenticate

    def authenticate(self, request, token):
        from oauth2_provider.settings import oauth2_settings

        access = oauth2_settings.OAUTH2_VALIDATOR_CLASS()._load_access_token(token) if token else None
        if access is None:
            return wagtail_authenticate(self, request, token)
        try:
            user = OAuth2(STAFF).authenticate(request, token)
        except BearerError:
            request.user = AnonymousUser()
            return None
        return access if user else None

    v3_auth.BearerTokenAuth.authenticate = authenticate
    v3_auth.BearerTokenAuth._yv_oidc = True
