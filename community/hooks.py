"""Hooks community calls and apps above it fill (core.hooks): community imports no app above it.

- `expert_directory`: who is an expert, for the Q&A app (community.experts wraps it). Filled by
  alliances (alliances.registrations.expert_directory)."""

from core.hooks import Hook

expert_directory = Hook(
    "community.expert_directory",
    "expert_directory() -> community.experts.ExpertDirectory: active experts, whether they may be invited, "
    "suggestions for a question, experts of a domain, inviting suggestions. Filled by alliances "
    "(alliances.registrations.expert_directory).",
)
