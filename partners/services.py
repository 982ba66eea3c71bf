"""Writes of the partner registry (the DOT Application follows its partner) and the webhook outbox."""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AbstractApplication, get_application_model

from core.errors import Forbidden, Invalid

from .models import Partner, WebhookEndpoint


def check_registry_admin(actor) -> None:
    from organizations.permissions import is_provincial_admin

    if actor is None or not (actor.is_superuser or is_provincial_admin(actor)):
        raise Forbidden(_("Only provincial administrators manage partner systems"))


def validate_partner(partner: Partner) -> None:
    unknown = sorted(set(partner.scopes) - set(settings.YV_PARTNER_SCOPES))
    if unknown:
        raise Invalid(_("Unknown scope(s): %(unknown)s"), params={"unknown": ' '.join(unknown)},
                      fields={"allowed_scopes": unknown})
    for uri in (partner.redirect_uris + "\n" + partner.post_logout_redirect_uris).split():
        if not uri.startswith(("https://", "http://127.0.0.1", "http://localhost")) and not (
                settings.DEBUG and uri.startswith("http://")):
            raise Invalid(_("Redirect URIs must be https (http only on 127.0.0.1): %(uri)s"), params={"uri": uri},
                          fields={"redirect_uris": [uri]})
    if partner.client_credentials and not partner.confidential:
        raise Invalid(_("Client credentials need a confidential client"),
                      fields={"client_credentials": ["confidential"]})


def sync_application(partner: Partner, *, client_id: str | None = None, client_secret: str | None = None) -> str | None:
    """Create or update the partner's DOT Application. Returns a new client secret (shown once) when one
    was generated for a confidential client, else None."""
    Application = get_application_model()
    application = partner.application
    new_secret = None
    if application is None:
        application = Application(client_id=client_id) if client_id else Application()
        if partner.confidential:
            new_secret = client_secret or generate_client_secret()
            application.client_secret = new_secret
        else:
            application.client_secret = ""
    application.name = partner.name
    application.client_type = (AbstractApplication.CLIENT_CONFIDENTIAL if partner.confidential
                               else AbstractApplication.CLIENT_PUBLIC)
    application.authorization_grant_type = AbstractApplication.GRANT_AUTHORIZATION_CODE
    application.redirect_uris = "\n".join(partner.redirect_uris.split())
    application.post_logout_redirect_uris = "\n".join(partner.post_logout_redirect_uris.split())
    application.skip_authorization = partner.trusted
    application.algorithm = AbstractApplication.RS256_ALGORITHM
    application.save()
    if partner.application_id != application.pk:
        partner.application = application
        Partner.objects.filter(pk=partner.pk).update(application=application)
    return new_secret


@transaction.atomic
def save_partner(*, actor, partner: Partner, client_id: str | None = None, client_secret: str | None = None,
                 check: bool = True) -> str | None:
    if check:
        check_registry_admin(actor)
    validate_partner(partner)
    partner.save()
    return sync_application(partner, client_id=client_id, client_secret=client_secret)


def new_webhook_secret() -> str:
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def add_endpoint(*, actor, partner: Partner, url: str, event_types: list[str] | None = None,
                 secret: str | None = None, check: bool = True) -> WebhookEndpoint:
    if check:
        check_registry_admin(actor)
    from .models import EVENT_TYPE_NAMES

    unknown = sorted(set(event_types or []) - set(EVENT_TYPE_NAMES))
    if unknown:
        raise Invalid(_("Unknown event type(s): %(unknown)s"), params={"unknown": ' '.join(unknown)})
    return WebhookEndpoint.objects.create(partner=partner, url=url, event_types=" ".join(event_types or []),
                                          secret=secret or new_webhook_secret())
