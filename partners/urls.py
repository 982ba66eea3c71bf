"""一号通 endpoints, mounted at the site root (youthvoice/urls.py): discovery and JWKS at the issuer's
/.well-known/, the OAuth endpoints under /oauth/. Issuer: the site origin (or OIDC_ISS_ENDPOINT)."""

from django.urls import path, re_path
from oauth2_provider import views as dot

from . import views

app_name = "oauth2_provider"  # DOT reverses its own views in this namespace

urlpatterns = [
    re_path(r"^\.well-known/openid-configuration/?$", views.DiscoveryView.as_view(),
            name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    path(".well-known/oauth-authorization-server", dot.OAuthServerMetadataView.as_view(), name="oauth-server-metadata"),
    path("oauth/authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("oauth/token/", dot.TokenView.as_view(), name="token"),
    path("oauth/revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("oauth/introspect/", dot.IntrospectTokenView.as_view(), name="introspect"),
    path("oauth/userinfo/", dot.UserInfoView.as_view(), name="user-info"),
    path("oauth/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]
