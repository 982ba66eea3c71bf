"""Hooks stations calls and apps above it fill (core.hooks): stations imports no app above it.

- `question_referral`: the Q&A app's referral of a question to a station. POST /api/stations/referrals
  (kept for other League systems) calls it, so both referral endpoints take the one path. Filled by
  community (community.registrations: community.services.refer_question_by_id)."""

from core.hooks import Hook

question_referral = Hook(
    "stations.question_referral",
    "question_referral(*, actor, question_id, asker, station, service, note) -> Referral: refer a Q&A "
    "question to a station (checks, then stations.services.offer_booking). Filled by community "
    "(community.services.refer_question_by_id).",
)
