"""Hooks organisations call and apps above them fill (core.hooks): the tree knows nothing of the
pages or accounts hanging on it. Each is filled once in the named app's AppConfig.ready(); calling
an empty one raises ImproperlyConfigured (tests/test_hooks.py asserts they are filled)."""

from core.hooks import Hook

branch_urls = Hook(
    "organizations.branch_urls",
    "branch_urls(organization_ids) -> {organisation id: public URL of its branch page}, one query for a "
    "batch (the API's `branch_url`). Filled by home (home.selectors.branch_urls).",
)

record_sensitive_consent = Hook(
    "organizations.record_sensitive_consent",
    "record_sensitive_consent(*, user, purpose, ip) records the separate consent (PIPL art. 29) before a "
    "cadre's real name and proof are collected. Filled by accounts (accounts.services.record_sensitive_consent).",
)
