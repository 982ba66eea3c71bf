"""Shared-cache values read at most once per request, and together (issue 23).

Every page reads a handful of small keys from Redis: the editorial generation, the counters under
which the footer links, the sites and the view-restriction flag are cached, the membership
generation… Each was one round trip, several of them more than once per request (14 round trips for
an article). Inside a request (`scope()`, opened by the outermost middleware,
core.page_cache.EarlyPageCacheMiddleware) `get` reads a key once, and the first read fetches every
key registered with `register` in the same MGET.

Outside a request (tasks, commands, tests calling selectors) nothing is memoised: `get` is
`cache.get`. A write of a memoised key in the same request must `forget` it (the generation bumps
do), so that a request that publishes and then renders sees its own change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache

_values: ContextVar[dict[str, Any] | None] = ContextVar("yv_request_memo", default=None)
_PREFETCH: list[str] = []


def register(*keys: str) -> None:
    """Keys that (almost) every request reads: fetched together with the first key a request reads."""
    for key in keys:
        if key not in _PREFETCH:
            _PREFETCH.append(key)


@contextmanager
def scope() -> Iterator[None]:
    token = _values.set({})
    try:
        yield
    finally:
        _values.reset(token)


def get_many(keys: Iterable[str]) -> dict[str, Any]:
    """The values of `keys` (a missing key: absent from the result), with the registered keys not yet
    read in this request fetched in the same round trip."""
    keys = list(keys)
    memo = _values.get()
    if memo is None:
        return cache.get_many(keys)
    wanted = [key for key in keys if key not in memo]
    if wanted:
        wanted += [key for key in _PREFETCH if key not in memo and key not in wanted]
        found = cache.get_many(wanted)
        for key in wanted:
            memo[key] = found.get(key)
    return {key: memo[key] for key in keys if memo[key] is not None}


def get(key: str) -> Any:
    return get_many([key]).get(key)


def forget(*keys: str) -> None:
    """The keys were written (or may have been) in this request: read them afresh."""
    memo = _values.get()
    if memo is not None:
        for key in keys:
            memo.pop(key, None)
