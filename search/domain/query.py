"""The shape of the full-text query we send to a backend, from the words of a user's query.

Documents are indexed as search-mode words plus single characters (``search.domain.text``). A
query word is matched like this:

* one character, or a two-character word: the word itself (two-character words are what jieba's
  search mode emits for every dictionary word inside a longer one, so 创业 is found in
  青年创业补贴政策解读 and in 创业者);
* three characters or more (创业担保贷款, 青年之家, a name): the word itself OR all of its
  characters. The exact word ranks first; the characters find documents indexed before the word
  entered the user dictionary, or where jieba cut it differently in context;
* Latin words and numbers: the word itself.

Words are combined with AND; callers that get nothing may retry with OR (a partial result).
"""

from __future__ import annotations

from modelsearch.query import And, MatchAll, Or, PlainText, SearchQuery

from .text import CJK_CHAR, is_cjk


def word_query(word: str) -> SearchQuery:
    if is_cjk(word) and len(word) >= 3:
        chars = []
        for ch in CJK_CHAR.findall(word):
            if ch not in chars:
                chars.append(ch)
        return Or([PlainText(word), PlainText(" ".join(chars), operator="and")])
    return PlainText(word)


def build_query(words: list[str], *, operator: str = "and") -> SearchQuery | None:
    """A backend-independent query (``modelsearch.query``) for ``words``; None when empty."""
    if not words:
        return None
    parts = [word_query(w) for w in words]
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, PlainText) for p in parts):
        return PlainText(" ".join(words), operator=operator)
    return And(parts) if operator == "and" else Or(parts)


def is_match_all(query: object) -> bool:
    return isinstance(query, MatchAll)


def _chars(word: str) -> list[str]:
    out = []
    for ch in CJK_CHAR.findall(word):
        if ch not in out:
            out.append(ch)
    return out


def autocomplete_query(words: list[str], *, structured: bool = True) -> SearchQuery | None:
    """Autocomplete: every term is a prefix. What is typed last is often a word in progress
    (王创 → 王创业), which jieba may glue differently than the indexed text; so a Chinese word is
    matched as itself OR as its characters (王 AND 创*). ``structured=False`` gives one PlainText
    (for backends whose autocomplete takes only PlainText: the last word split into characters)."""
    if not words:
        return None
    if not structured:
        last = words[-1]
        tail = _chars(last) if is_cjk(last) and len(last) >= 2 else [last]
        return PlainText(" ".join(words[:-1] + tail), operator="and")
    parts = [
        Or([PlainText(w), PlainText(" ".join(_chars(w)), operator="and")]) if is_cjk(w) and len(w) >= 2 else PlainText(w)
        for w in words
    ]
    return parts[0] if len(parts) == 1 else And(parts)
