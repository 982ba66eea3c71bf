"""Hooks that apps above stations fill in their AppConfig.ready: stations knows no app above it.

- `register_question_referral(fn)`: the Q&A app's referral of a question to a station (community.
  services.refer_question_by_id). POST /api/stations/referrals (kept for other League systems) calls
  it, so both referral endpoints take the one path: `fn(*, actor, question_id, asker, station,
  service, note) -> Referral`, which checks and calls `stations.services.offer_booking`.
"""

from collections.abc import Callable

from core.errors import NotFound

_question_referral: Callable | None = None


def register_question_referral(fn: Callable) -> None:
    global _question_referral
    _question_referral = fn


def refer_question(**kwargs):
    if _question_referral is None:  # no Q&A app: there is no question to refer
        raise NotFound("问题不存在", "The question does not exist")
    return _question_referral(**kwargs)
