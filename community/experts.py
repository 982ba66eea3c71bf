"""Who is an expert, for the Q&A app: the directory behind the `community.hooks.expert_directory` hook,
which alliances fills (alliances/registrations.py, alliances/experts.py). community knows no app above it.

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


def _directory() -> ExpertDirectory:
    from .hooks import expert_directory

    return expert_directory()


def active_expert(user):
    return _directory().profile(user)


def check_invitable(expert) -> None:
    _directory().check_invitable(expert)


def suggest(question, *, limit: int, exclude_user_ids) -> list[dict]:
    return _directory().suggest(question, limit=limit, exclude_user_ids=exclude_user_ids)


def in_domain(domain: str):
    return _directory().in_domain(domain)


def invite_suggested(*, actor, question, expert_ids: list[int], invite) -> list:
    return _directory().invite_suggested(actor=actor, question=question, expert_ids=expert_ids, invite=invite)
