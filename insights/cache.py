"""A short read cache of the dashboard figures (totals, series, drill-down, people rankings).

Entries live INSIGHTS_CACHE_SECONDS (0 turns the cache off) under keys that carry a version token.
Every write of the KPI tables (`insights.services.aggregate_day`, `roll_month`) takes a new token,
once when it starts and once more when its transaction commits, so a reader never gets figures
older than the last aggregation: entries of an old token are simply never read again and expire.
Scope checks happen before the cache is consulted (callers pass an organisation they may read).
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "insights:kpi-version"


def ttl() -> int:
    return int(getattr(settings, "INSIGHTS_CACHE_SECONDS", 0) or 0)


def version() -> int:
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        token = cache.get(VERSION_KEY) or 0
    return token


def bump() -> None:
    """A new version token: everything cached so far is stale."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def bump_now_and_on_commit() -> None:
    """For writers: stale at once, and again after the commit (a reader between the two may have cached
    the figures from before the commit under the first new token)."""
    bump()
    transaction.on_commit(bump)


def cached(name: str, parts: tuple, compute):
    seconds = ttl()
    if seconds <= 0:
        return compute()
    key = f"insights:{version()}:{name}:" + ":".join(str(p) for p in parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
