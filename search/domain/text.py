"""Chinese text normalisation and tokens, shared by indexing, querying and highlighting.

Chinese is not written with spaces, and the full-text engines we index into (SQLite FTS5 with
the unicode61 tokenizer, PostgreSQL's ``simple`` configuration, Elasticsearch's whitespace
tokenizer) split on spaces and punctuation only. So we turn text into a space-separated list of
tokens before it reaches them:

* normalise: full-width → half-width (NFKC), traditional → simplified (OpenCC ``t2s``), lower case;
* segment with jieba in search mode, dictionary only (no HMM guessing of unknown words: it is
  slower and cuts the same text differently in different contexts; unknown words are still
  found through their characters) (``青年创业补贴`` → ``青年 创业 补贴``; long words also give
  their dictionary sub-words: ``大学生`` → ``大学 学生 大学生``);
* add every Chinese character once (unigrams), so that one-character queries (``税``) and words
  that the dictionary did not know when the document was indexed are still found (see
  ``search.domain.query``).

The segmenter (a ``jieba.Tokenizer``) is passed in, so these functions stay pure and testable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from opencc import OpenCC

# Bounds that keep any input cheap: queries longer than this are cut (a query is a question, not
# a document), and at most this many terms reach the database.
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 24

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{_CJK}]")
# A token we keep: letters, digits, CJK. Anything else (punctuation, operators, quotes, SQL or
# regex metacharacters) is a separator — it can never reach an FTS/tsquery/ES query string.
TOKEN = re.compile(r"[0-9a-z" + _CJK + r"\u00c0-\u024f]+")

# Words that carry no meaning in a question (asked at query time only; documents keep them).
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 有 我 我们 你 你们 他 她 它 吗 呢 吧 啊 呀 么 怎么 怎么样 怎样 如何 什么 哪些 哪里 "
    "哪个 为什么 请问 一下 可以 能 能否 是否 需要 要 想 这个 那个 这 那 就 都 也 还 又 把 被 对 从 给 "
    "怎么办 咋办 咋 怎么回事 该 应该 会 不 不能 能不能 可不可以 有没有 是不是 没有 没 很 吧 嘛 哦 "
    "一个 一些 有些 现在 已经 还是 但是 因为 所以 如果 然后 自己 大家 谢谢 求助 急 "
    "a an and are as at be by for from how in is it of on or the to what when where which who why with".split()
)


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def normalize(text: str) -> str:
    """Full-width → half-width, traditional → simplified, lower case, whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _t2s().convert(text)
    return " ".join(text.lower().split())


@lru_cache(maxsize=65536)
def _normal_char(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    n = _t2s().convert(n).lower() if len(n) == 1 else ""
    return n if len(n) == 1 else ch.lower()


def normalize_chars(text: str) -> str:
    """Like ``normalize`` but character for character, so offsets stay aligned with ``text``
    (for highlighting). A character whose normal form is not one character is kept, lower-cased.
    (Each character's form is remembered: a results page normalises thousands of them.)"""
    return "".join(map(_normal_char, text))


def is_cjk(word: str) -> bool:
    return bool(CJK_CHAR.search(word))


def clean_tokens(tokens: Iterable[str]) -> list[str]:
    """Keep only the word characters of each token (drops punctuation, spaces, operators)."""
    out = []
    for token in tokens:
        out.extend(TOKEN.findall(token.lower()))
    return out


class Segmenter(Protocol):
    """What the search rules need of a word segmenter (a ``jieba.Tokenizer``)."""

    def cut(self, sentence: str, *, HMM: bool = ...) -> Iterable[str]: ...

    def cut_for_search(self, sentence: str, *, HMM: bool = ...) -> Iterable[str]: ...


def index_tokens(text: str, segmenter: Segmenter) -> list[str]:
    """Tokens to index for ``text``: search-mode words, then each Chinese character once."""
    text = normalize(text)
    if not text:
        return []
    words = clean_tokens(segmenter.cut_for_search(text, HMM=False))
    seen = set()
    unigrams = []
    for ch in CJK_CHAR.findall(text):
        if ch not in seen:
            seen.add(ch)
            unigrams.append(ch)
    return words + unigrams


def index_text(text: str, segmenter: Segmenter) -> str:
    return " ".join(index_tokens(text, segmenter))


def query_words(query: str, segmenter: Segmenter, *, drop_stopwords: bool = True) -> list[str]:
    """The words of a user's query: normalised, cut to ``MAX_QUERY_CHARS``, segmented in precise
    mode, punctuation and operators dropped, stopwords dropped (unless nothing else is left),
    duplicates removed, at most ``MAX_QUERY_TERMS``."""
    text = normalize((query or "")[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
    if not text:
        return []
    words = []
    for word in clean_tokens(segmenter.cut(text, HMM=False)):
        if word not in words:
            words.append(word)
    if drop_stopwords:
        meaningful = [w for w in words if w not in STOPWORDS]
        words = meaningful or words
    return words[:MAX_QUERY_TERMS]


def highlight_terms(words: Iterable[str]) -> list[str]:
    """What to mark in a result: the query words, longest first (so 创业担保贷款 wins over 创业)."""
    return sorted({w for w in words if w}, key=len, reverse=True)


def snippet(text: str, words: Iterable[str], *, width: int = 90) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first query word, and the (start, end) spans of every query
    word inside that window. Matching is on normalised characters, so 創業 in the text is marked
    for the query 创业 and ＡＢＣ for abc. Returns (window, spans); callers escape and mark."""
    text = " ".join((text or "").split())
    if not text:
        return "", []
    terms = highlight_terms(words)
    norm = normalize_chars(text)
    spans: list[tuple[int, int]] = []
    taken = [False] * len(norm)
    for term in terms:
        start = norm.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = norm.find(term, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # 团 + 广东 side by side → one mark
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    spans = merged
    if len(text) <= width:
        return text, spans
    first = spans[0][0] if spans else 0
    begin = max(0, min(first - width // 4, len(text) - width))
    end = begin + width
    window = text[begin:end]
    local = [(s - begin, e - begin) for s, e in spans if s >= begin and e <= end]
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return prefix + window + suffix, [(s + shift, e + shift) for s, e in local]


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML with each span wrapped in <mark>; everything else escaped."""
    from html import escape

    out, pos = [], 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)
