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


def is_match_all(query) -> bool:
    return isinstance(query, MatchAll)
