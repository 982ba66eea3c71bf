"""The OIDC provider's pages (django-oauth-toolkit views with our templates and CSP)."""

from urllib.parse import urlsplit

from oauth2_provider import views as dot
from oauth2_provider.models import get_application_model


def _origins(uris: str) -> list[str]:
    origins = []
    for uri in uris.split():
        parts = urlsplit(uri)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def _allow_redirects(response, request, attr: str):
    """The consent and logout forms redirect to the partner after the POST; CSP `form-action` applies
    to that redirect, so the partner's registered origins are added for these responses only."""
    client_id = request.POST.get("client_id") or request.GET.get("client_id")
    application = get_application_model().objects.filter(client_id=client_id).first() if client_id else None
    if application is not None:
        origins = _origins(getattr(application, attr, "") or "")
        if origins:
            response._csp_update = {"form-action": origins}
    return response


ERRORS_ZH = {
    "Invalid client_id parameter value.": "未知的对接系统（client_id 无效）",
    "Missing client_id parameter.": "缺少 client_id",
    "Mismatching redirect URI.": "回调地址与该系统登记的不一致",
    "Missing redirect URI.": "缺少回调地址",
    "Invalid redirect URI.": "回调地址无效",
}


class AuthorizationView(dot.AuthorizationView):
    def form_invalid(self, form):
        """A consent POST without the authorisation request's fields (DOT would render the consent
        template without an application: a 500) → the error page, 400."""
        return self._bad_request()

    def form_valid(self, form):
        if not get_application_model().objects.filter(client_id=form.cleaned_data.get("client_id")).exists():
            return self._bad_request()  # DOT looks the client up with .get(): an unknown id was a 500
        return super().form_valid(form)

    def _bad_request(self):
        from django.shortcuts import render

        return render(self.request, "oauth2_provider/authorize.html",
                      {"error": {"error": "invalid_request"}, "error_zh": "授权请求无效，请返回对接系统重试"},
                      status=400)

    def error_response(self, error, application, **kwargs):
        response = super().error_response(error, application, **kwargs)
        if hasattr(response, "context_data") and response.context_data:
            description = getattr(response.context_data.get("error"), "description", "") or ""
            response.context_data["error_zh"] = ERRORS_ZH.get(description, "授权请求无效，请返回对接系统重试")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        context["partner"] = getattr(application, "partner", None) if application is not None else None
        scopes = (context.get("form").initial.get("scope", "") if context.get("form") else "").split()
        context["scope_rows"] = list(zip(scopes, context.get("scopes_descriptions") or [], strict=False))
        return context

    def dispatch(self, request, *args, **kwargs):
        return _allow_redirects(super().dispatch(request, *args, **kwargs), request, "redirect_uris")


class LogoutView(dot.RPInitiatedLogoutView):
    def dispatch(self, request, *args, **kwargs):
        return _allow_redirects(super().dispatch(request, *args, **kwargs), request, "post_logout_redirect_uris")


CLAIMS_SUPPORTED = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "phone_number",
                    "phone_number_verified", "real_name", "real_name_verified", "organization", "roles"]


class DiscoveryView(dot.ConnectDiscoveryInfoView):
    """DOT's discovery document plus the endpoints and grants a client library looks for."""

    def get(self, request, *args, **kwargs):
        import json

        from django.http import JsonResponse
        from django.urls import reverse

        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update({
            "revocation_endpoint": request.build_absolute_uri(reverse("oauth2_provider:revoke-token")),
            "introspection_endpoint": request.build_absolute_uri(reverse("oauth2_provider:introspect")),
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "claims_supported": CLAIMS_SUPPORTED,
            "code_challenge_methods_supported": ["S256"],
            "service_documentation": request.build_absolute_uri("/api/docs"),
            "ui_locales_supported": ["zh-CN", "en"],
        })
        out = JsonResponse(data)
        out["Access-Control-Allow-Origin"] = "*"
        return out
