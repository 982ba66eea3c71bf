"""The expert directory alliances gives the Q&A app (community.experts; the community.hooks.expert_directory
hook, filled in alliances/registrations.py)."""

from community.experts import ExpertDirectory

from . import selectors, services


def _suggest(question, *, limit: int, exclude_user_ids) -> list[dict]:
    from .sources import community_sources

    return selectors.suggest_experts(domain=question.domain, organization=question.organization,
                                     station_id=question.target_station_id, sources=community_sources(), limit=limit,
                                     exclude_user_ids=exclude_user_ids)


DIRECTORY = ExpertDirectory(
    profile=selectors.active_expert,
    check_invitable=services.check_invitable,
    suggest=_suggest,
    in_domain=lambda domain: selectors.experts_in_domain(domain).order_by("pk"),
    invite_suggested=services.invite_suggestions,
)
