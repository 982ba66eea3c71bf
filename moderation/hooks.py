"""Hooks moderation calls and apps above it fill (core.hooks): moderation imports no app above it.
Each is filled in the named app's AppConfig.ready(); calling an empty one raises
ImproperlyConfigured (tests/test_hooks.py asserts they are filled)."""

from core.hooks import Hook

appeal_for_alert_ref = Hook(
    "moderation.appeal_for_alert_ref",
    "appeal_for_alert_ref(ref: str) -> the collective appeal opened from the alert named `ref` "
    "(services.alert_ref), or None; one query. Filled by appeals.",
)

open_appeal_for_alert = Hook(
    "moderation.open_appeal_for_alert",
    "open_appeal_for_alert(*, actor, location_org, thread_refs, user_count, period_start, period_end, group, "
    "location, theme, alert_ref, details) -> appeal: a collective appeal (集中诉求) opened by the organisation "
    "running the appeals mechanism for `location_org`, with the appeals app's own permission checks. "
    "Filled by appeals.",
)
