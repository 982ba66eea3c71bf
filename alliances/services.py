"""Writes on experts. The alliances work adds applications, approvals and suspensions."""

from django.db import transaction
from wagtail.log_actions import log

from youthvoice.domains import ServiceDomain
from youthvoice.errors import Invalid

from .models import ExpertDomain, ExpertProfile, ExpertStatus


@transaction.atomic
def register_expert(*, actor, user, real_name: str, domains: list[str], title: str = "", organization=None,
                    status: str = ExpertStatus.ACTIVE) -> ExpertProfile:
    """Make `user` an expert in `domains` (system/demo use; staff approval comes with alliances)."""
    real_name = (real_name or "").strip()
    if not real_name:
        raise Invalid("专家须实名", "Experts must register with their real name", fields={"real_name": "required"})
    unknown = [d for d in domains if d not in ServiceDomain.values]
    if not domains or unknown:
        raise Invalid("请选择有效的服务领域", "Choose valid service domains", fields={"domains": unknown or "required"})
    profile, _ = ExpertProfile.objects.update_or_create(
        user=user, defaults=dict(real_name=real_name, title=title, organization=organization, status=status)
    )
    for domain in domains:
        ExpertDomain.objects.get_or_create(expert=profile, domain=domain)
    log(instance=profile, action="wagtail.create", user=actor)
    return profile
