"""Content-Security-Policy on every response (django-csp), with the Wagtail admin's allowances.

Our own pages: scripts only from 'self' or carrying the per-request nonce (`request.csp_nonce`).
Under YV_CSP_ADMIN_PREFIXES (the Wagtail admin) scripts may be inline and use eval, because Wagtail 8
still renders inline panels and choosers that way; a nonce there would switch 'unsafe-inline' off,
so the admin policy carries none. Responses that bring their own policy (Wagtail's document view
sends `default-src 'none'`) keep it.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class YouthVoiceCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(tuple(settings.YV_CSP_ADMIN_PREFIXES)):
            replace = dict(parts.replace or {})
            replace.setdefault("script-src", list(settings.YV_CSP_ADMIN_SCRIPT_SRC))
            parts.replace = replace
            parts.nonce = None
        return parts
