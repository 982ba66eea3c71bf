"""What alliances plugs into the apps below it (they do not import alliances). Called from
AlliancesConfig.ready().

- community.hooks.expert_directory <- expert_directory (alliances/experts.py: who is an expert, for
  the Q&A app).
- core.page_cache: the anonymous expert directory and expert pages are cached under the scope
  `alliances`, forgotten whenever an expert, their domains, a membership or a member organisation
  is saved or deleted (every write path saves the model)."""


def expert_directory():
    from .experts import DIRECTORY

    return DIRECTORY


def _forget_cached_pages(sender, raw=False, **kwargs) -> None:
    from core import page_cache

    if not raw:
        page_cache.bump("alliances")


def register() -> None:
    from django.db.models.signals import post_delete, post_save

    from community import hooks

    from .models import AllianceMembership, ExpertDomain, ExpertProfile, MemberOrganization

    hooks.expert_directory.register(expert_directory)
    for model in (ExpertProfile, ExpertDomain, AllianceMembership, MemberOrganization):
        post_save.connect(_forget_cached_pages, sender=model, dispatch_uid=f"alliances_cache_saved_{model.__name__}")
        post_delete.connect(_forget_cached_pages, sender=model, dispatch_uid=f"alliances_cache_deleted_{model.__name__}")
