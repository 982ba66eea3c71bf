import os

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def oidc_key_from_environment(app_configs, **kwargs):
    if os.environ.get("YV_OIDC_RSA_PRIVATE_KEY") or os.environ.get("YV_OIDC_RSA_PRIVATE_KEY_FILE"):
        return []
    return [Warning("ID tokens are signed with a key generated on this server (var/oidc-dev.key)",
                    hint="Set YV_OIDC_RSA_PRIVATE_KEY or YV_OIDC_RSA_PRIVATE_KEY_FILE (docs/partners.md).",
                    id="partners.W001")] if getattr(settings, "OAUTH2_PROVIDER", {}).get("OIDC_ENABLED") else []
