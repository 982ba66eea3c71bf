"""Who is an expert, for the Q&A app: a hook the experts' app fills in its AppConfig.ready
(alliances.apps registers `alliances.experts.DIRECTORY`). community knows no app above it; without a
registered directory nobody is an expert.

The directory answers:
- `profile(user)`: the user's profile if they are an active expert, else None;
- `check_invitable(profile)`: raise (Conflict) unless the expert may be invited now;
- `suggest(question, *, limit, exclude_user_ids)`: experts matched to a question (dicts);
- `in_domain(domain)`: active experts of a domain, in a stable order (for the invite picker);
- `invite_suggested(*, actor, question, expert_ids, invite)`: invite chosen suggestions, all or
  nothing, through community's `invite` service.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExpertDirectory:
    profile: Callable
    check_invitable: Callable
    suggest: Callable
    in_domain: Callable
    invite_suggested: Callable


_directory: ExpertDirectory | None = None


def register(directory: ExpertDirectory) -> None:
    global _directory
    _directory = directory


def active_expert(user):
    return _directory.profile(user) if _directory else None


def check_invitable(expert) -> None:
    if _directory:
        _directory.check_invitable(expert)


def suggest(question, *, limit: int, exclude_user_ids) -> list[dict]:
    return _directory.suggest(question, limit=limit, exclude_user_ids=exclude_user_ids) if _directory else []


def in_domain(domain: str):
    return _directory.in_domain(domain) if _directory else []


def invite_suggested(*, actor, question, expert_ids: list[int], invite) -> list:
    if _directory is None:
        from core.errors import NotFound

        raise NotFound("专家不存在", "Unknown experts", fields={"expert_ids": list(expert_ids)})
    return _directory.invite_suggested(actor=actor, question=question, expert_ids=expert_ids, invite=invite)
