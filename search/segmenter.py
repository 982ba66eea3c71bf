"""The process's jieba segmenter, with the admin-edited user dictionary (``DictionaryTerm``).

Thread safety: jieba's module-level functions share one global tokenizer that ``add_word``
mutates in place. We never touch it. We build our own ``jieba.Tokenizer`` once (loading the
main dictionary, ~1 s, from jieba's cache file), keep that pristine copy, and for each
dictionary version build a new tokenizer from a copy of its frequency table plus the user terms.
The new tokenizer is swapped in with one assignment; a thread that is segmenting keeps the
reference it started with.

Other processes learn about a change through a version number in the cache: a dictionary save
bumps it (``bump_version``), and each process compares its version with the cached one at most
every ``CHECK_SECONDS``. The terms of a version are cached beside it, so that a new worker process
builds its tokenizer without reading the table; a tokenizer already built for the same terms is
reused rather than built again.
"""

from __future__ import annotations

import logging
import threading
import time

import jieba
from django.core.cache import cache

log = logging.getLogger(__name__)

VERSION_KEY = "yvsearch:dictionary-version"
TERMS_KEY = "yvsearch:dictionary-terms:{version}"
TERMS_TTL = 24 * 3600
CHECK_SECONDS = 10.0
DEFAULT_FREQ = 20000  # high enough that a user term beats the split jieba would choose

_lock = threading.Lock()
_base: jieba.Tokenizer | None = None
_current: jieba.Tokenizer | None = None
_version: object = None
_checked_at = 0.0
_built: dict[tuple, jieba.Tokenizer] = {}  # the last few term lists' tokenizers

jieba.setLogLevel(logging.WARNING)


def _base_tokenizer() -> jieba.Tokenizer:
    global _base
    if _base is None:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        _base = tokenizer
    return _base


def warm() -> None:
    """Load jieba's main dictionary now (youthvoice/wsgi.py: in gunicorn's master, before the
    workers fork, so that no worker's first search pays the second it takes). No database."""
    _base_tokenizer()


def build_tokenizer(terms: list[tuple[str, int | None]]) -> jieba.Tokenizer:
    """A new tokenizer: the main dictionary plus ``terms`` ((word, frequency or None), ...)."""
    base = _base_tokenizer()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(base.FREQ)
    tokenizer.total = base.total
    tokenizer.initialized = True
    for word, freq in terms:
        word = word.strip()
        if word:
            tokenizer.add_word(word, freq or DEFAULT_FREQ)
    return tokenizer


def _tokenizer_for(terms: list[tuple[str, int | None]]) -> jieba.Tokenizer:
    key = tuple(terms)
    if key not in _built:
        if len(_built) >= 4:
            _built.pop(next(iter(_built)))
        _built[key] = build_tokenizer(terms)
    return _built[key]


def _load_terms(version, *, from_table: bool = False) -> list[tuple[str, int | None]]:
    """The active terms: those cached for `version`, else (or `from_table`) read and cached."""
    from search.domain.text import normalize
    from search.models import DictionaryTerm

    key = TERMS_KEY.format(version=version)
    if not from_table:
        cached = cache.get(key)
        if cached is not None:
            return [tuple(pair) for pair in cached]
    try:
        rows = list(DictionaryTerm.objects.filter(is_active=True).values_list("term", "frequency"))
    except Exception:  # before migrations (or without a database) use jieba alone
        log.debug("search dictionary not loaded", exc_info=True)
        return []
    terms = [(normalize(term), freq) for term, freq in rows]
    cache.set(key, terms, timeout=TERMS_TTL)
    return terms


def get_segmenter() -> jieba.Tokenizer:
    """The tokenizer to use now (reloads the user dictionary when its version changed)."""
    global _current, _version, _checked_at
    now = time.monotonic()
    current = _current
    if current is not None and now - _checked_at < CHECK_SECONDS:
        return current
    version = cache.get(VERSION_KEY, 0)
    if current is not None and version == _version:
        _checked_at = now
        return current
    with _lock:
        if _current is None or _version != version:
            _current = _tokenizer_for(_load_terms(version))
            _version = version
        _checked_at = now
        return _current


def reload() -> jieba.Tokenizer:
    """Rebuild this process's tokenizer now (after a dictionary change in this process)."""
    global _current, _version, _checked_at
    with _lock:
        version = cache.get(VERSION_KEY, 0)
        _current = _tokenizer_for(_load_terms(version, from_table=True))
        _version = version
        _checked_at = time.monotonic()
        return _current


def bump_version() -> None:
    """Tell every process the dictionary changed; reload this one."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)
    reload()
