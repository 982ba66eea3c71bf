"""Sensitive-word matching with an Aho–Corasick automaton.

What one listed word matches (issue 25): the word folded (normalize.py: width, case, traditional,
blank and default-ignorable characters, bidi controls, confusables); its configured variants
(homophones such as 涩情 for 色情: `SensitiveWord.variants`); its pinyin (色情 → seqing, tone marks
folded away) and, for words of three or more characters, its initials (法轮功 → flg) — both only as
a whole Latin token (not inside a longer Latin word: "flg" in "aflgx" is not a hit) and computed once,
when the list is compiled (pypinyin). Two more readings of the text are scanned, only when they
differ from it: the order in which a bidi override displays it (`\u202e情色` shows 色情) and the
CJK skeleton, without 1–3 letters or digits inserted between two characters of a listed word (色a情).
Every hit carries the span of original characters it covers, so masking works on all of them.

One automaton holds the listed words and the allow-listed words, all folded (see normalize.py).
A listed word's hit is ignored when an allow-listed word's hit covers it (白色情人节 covers 色情).
Matching cost is linear in the text length whatever the list size; the automaton is built once per
list version and shared (see moderation.services.current_matcher).

`Matcher` owns everything about the list: folding the words, merging duplicates (the strongest action
wins), the allow-list, block/hold/mask. An `Engine` only finds where the folded keys occur in the
folded text (every occurrence, overlapping ones included). Two engines, chosen by the setting
YV_MODERATION_ENGINE:

- "ahocorasick_rs" (default): the Rust aho-corasick crate (PyPI ahocorasick-rs) over a compact byte
  recoding of the folded text. Every character that occurs in some key gets a small symbol number,
  every other character the single symbol 0; one precomputed table maps a code point straight to its
  folded symbol's bytes (folding and recoding are one numpy lookup), ignorable characters to nothing.
  Symbols are 1 byte when the keys use ≤ 254 distinct characters, else 2 (≤ 16,383) or 4 bytes, whose
  first byte alone has the high bit set, so a key can only match at a character boundary. Byte
  offsets divided by the width are positions in the folded text. The byte automaton is small (the
  alphabet is the list's, not Unicode's) and the scan runs in Rust without building a str.
- "pyahocorasick": pyahocorasick's automaton over the folded text as a str (the first engine; kept as
  the alternative and the reference in the tests).

Measured with bench/moderation.py (20,000 words, 10 MB of Chinese posts), CPU time per MB: the Rust
engine screens about 3–4 times as fast as pyahocorasick (see the bench's output for the figures).
Positions are code-point indexes into the original str in both engines (UTF-32 code units), also for
characters outside the BMP.
"""

import functools
import itertools
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import ClassVar, Protocol

import numpy as np

from .normalize import MAX_CJK_GAP, codes, fold, fold_table, is_han, visual_order


class Action(IntEnum):
    """Ordered by severity: the strongest hit decides what happens to the text."""

    ALLOW = 0
    MASK = 1
    HOLD = 2
    BLOCK = 3


ACTION_NAMES = {"allow": Action.ALLOW, "mask": Action.MASK, "hold": Action.HOLD, "block": Action.BLOCK}
MASK_CHAR = "＊"


@dataclass(frozen=True)
class Hit:
    word: str  # the listed word (also when a variant, its pinyin or its initials matched)
    category: str
    action: Action
    start: int  # in the folded text that was scanned (see `via`)
    end: int  # exclusive
    span: tuple[int, int] = (0, 0)  # the original characters it covers: text[span[0]:span[1]]
    via: str = "word"  # word | variant | pinyin | initials; "+reordered" / "+skeleton" when found there


@dataclass
class Screening:
    action: Action
    text: str  # the text to store: masked where a mask hit was found, otherwise the original
    hits: list[Hit] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return self.action == Action.BLOCK

    @property
    def held(self) -> bool:
        return self.action == Action.HOLD


# ---------------------------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------------------------
Match = tuple[int, int, int]  # (key index, start, end) in the folded text, end exclusive


class Engine(ABC):
    """Finds folded keys in a text. Built once per word-list version; `scan` must be thread-safe."""

    name: ClassVar[str]

    @abstractmethod
    def __init__(self, keys: Sequence[str]) -> None:
        """`keys`: folded, non-empty and distinct; a match reports its key's index in this sequence."""

    @abstractmethod
    def scan(self, text_codes: np.ndarray) -> tuple[list[Match], np.ndarray]:
        """Every occurrence (overlapping ones included) of a key in the folded form of the text whose
        code points are `text_codes`. Also returns an array over the original characters that is
        non-zero exactly where a character is kept by folding: folded position i is original index
        np.flatnonzero(kept)[i] (used for masking)."""


class PyAhoCorasickEngine(Engine):
    name = "pyahocorasick"

    def __init__(self, keys: Sequence[str]) -> None:
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        for index, key in enumerate(keys):
            self.automaton.add_word(key, (index, len(key)))
        self.automaton.make_automaton()

    def scan(self, text_codes: np.ndarray) -> tuple[list[Match], np.ndarray]:
        mapped = fold_table()[text_codes]
        folded = mapped[mapped != 0].tobytes().decode("utf-32-le")
        return [(index, end - length + 1, end + 1) for end, (index, length) in self.automaton.iter(folded)], mapped


class RustEngine(Engine):
    name = "ahocorasick_rs"

    def __init__(self, keys: Sequence[str]) -> None:
        import ahocorasick_rs

        alphabet = sorted(set().union(*keys))
        count = len(alphabet) + 1  # symbol 0: any character that occurs in no key
        self.width = 1 if count <= 255 else 2 if count <= 1 << 14 else 4
        symbols = np.zeros(len(fold_table()), dtype=np.uint32)
        symbols[[ord(c) for c in alphabet]] = np.arange(1, count, dtype=np.uint32)
        table = fold_table()
        lut = self._encode(symbols[table])
        lut[table == 0] = 0  # ignorable: dropped before matching
        self.lut = lut
        # Keys are folded already: their characters are symbols as they are (not folded again).
        patterns = [self._encode(symbols[codes(key)]).tobytes() for key in keys]
        self.automaton = ahocorasick_rs.BytesAhoCorasick(patterns)

    def _encode(self, s: np.ndarray) -> np.ndarray:
        """Symbol numbers → their big-endian byte codes (never 0; the lead byte alone has the high bit
        when wider than one byte)."""
        if self.width == 1:
            return (s + 1).astype(np.uint8)
        if self.width == 2:
            return (((0x80 | (s >> 7)) << 8) | (s & 0x7F)).astype(">u2")
        return ((((0x80 | (s >> 21)) << 24) | (((s >> 14) & 0x7F) << 16) | (((s >> 7) & 0x7F) << 8)
                 | (s & 0x7F)).astype(">u4"))

    def scan(self, text_codes: np.ndarray) -> tuple[list[Match], np.ndarray]:
        mapped = self.lut[text_codes]
        data = mapped[mapped != 0].tobytes()
        w = self.width
        found = self.automaton.find_matches_as_indexes(data, overlapping=True)
        if w == 1:
            return found, mapped
        return [(index, start // w, end // w) for index, start, end in found], mapped


ENGINES: dict[str, type[Engine]] = {e.name: e for e in (RustEngine, PyAhoCorasickEngine)}
DEFAULT_ENGINE = RustEngine.name


# ---------------------------------------------------------------------------------------------
# The matcher: the list, the allow-list and the actions, whatever the engine
# ---------------------------------------------------------------------------------------------
def _char_class(cps: np.ndarray) -> str:
    starts = np.concatenate(([0], np.flatnonzero(np.diff(cps) > 1) + 1))
    ends = np.concatenate((starts[1:] - 1, [len(cps) - 1]))
    return "".join(re.escape(chr(cps[a])) + ("-" + re.escape(chr(cps[b])) if b > a else "") for a, b in zip(starts, ends, strict=True))


@functools.cache
def latin_runs() -> re.Pattern:
    """Runs of characters that fold to ASCII letters or digits, with only ignorable characters
    (spaces, punctuation, invisible ones) between them: `s e q i n g` is one run. Built from the
    fold table; BMP classes (compiled to bitmaps by `re`) plus anything outside the BMP (its
    mathematical letters; an emoji there is harmless, it folds to nothing). A C-level search: a
    text without a run (most Chinese posts) costs no array work for the pinyin and skeleton scans."""
    table = fold_table()[:0x10000]
    latin = _char_class(np.flatnonzero((table > 0) & (table < 0x80)))
    blank = _char_class(np.flatnonzero(table == 0))
    letter = f"(?:[{latin}]|[\U00010000-\U0010ffff])"
    return re.compile(f"{letter}(?:[{blank}]*{letter})*")


@functools.cache
def latin_letters() -> re.Pattern:
    """One character that folds to an ASCII letter or digit (BMP), or any character beyond it."""
    table = fold_table()[:0x10000]
    return re.compile(f"[{_char_class(np.flatnonzero((table > 0) & (table < 0x80)))}]|[\\U00010000-\\U0010ffff]")


class _IndexMap(Protocol):
    """Reading index → text index (a list, an array, `_Pieces` or `_Composed`)."""

    def __getitem__(self, i: int, /) -> int: ...


class _Pieces:
    """Index map of a reading made of pieces (a, b) of the text, `gap` sentinel characters between
    pieces: reading index → text index. Built only when a word is found (a bisect per hit)."""

    def __init__(self, pieces: list[tuple[int, int]], gap: int) -> None:
        self.pieces, at = pieces, 0
        self.starts: list[int] = []
        for a, b in pieces:
            self.starts.append(at)
            at += b - a + gap

    def __getitem__(self, i: int) -> int:
        import bisect

        k = bisect.bisect_right(self.starts, int(i)) - 1
        return self.pieces[k][0] + int(i) - self.starts[k]


class _Composed:
    def __init__(self, inner: _IndexMap, order: Sequence[int]) -> None:
        self.inner, self.order = inner, order

    def __getitem__(self, i: int) -> int:
        return int(self.order[self.inner[i]])


@functools.lru_cache(maxsize=4096)
def _folded(ch: str) -> int:
    """The folded code point of one character (0: ignorable), memoised for the Python-level loops."""
    return int(fold_table()[ord(ch)])


MIN_INITIALS_CHARS = 3  # initials of shorter words (色情 → sq) would hit ordinary Latin text
MIN_PINYIN_LETTERS = 4


def _variants(value: str | Iterable[str] | None) -> list[str]:
    """A word's variants: a list, or text with one variant per line or separated by , ， 、 ; |."""
    if not value:
        return []
    if isinstance(value, str):
        import re

        value = re.split(r"[\n,，、;；|]+", value)
    return [v.strip() for v in value if v and v.strip()]


@functools.lru_cache(maxsize=200_000)
def readings(word: str) -> tuple[tuple[str, str], ...]:
    """(key, how) for the Latin readings of a listed word: its pinyin and, from three characters on,
    its initials. Empty for words without Chinese characters. Memoised: a list change recompiles
    the automaton, and only new words cost a pypinyin lookup (~0.15 ms each)."""
    if not is_han(codes(word)).any():
        return ()
    from pypinyin import Style, lazy_pinyin

    out = []
    syllables = [fold(p) for p in lazy_pinyin(word, style=Style.NORMAL, v_to_u=True, errors="ignore")]
    syllables = [p for p in syllables if p]
    pinyin = "".join(syllables)
    if len(pinyin) >= MIN_PINYIN_LETTERS and pinyin.isascii():
        out.append((pinyin, "pinyin"))
    if len(syllables) >= MIN_INITIALS_CHARS:
        initials = "".join(p[0] for p in syllables)
        if initials.isascii():
            out.append((initials, "initials"))
    return tuple(out)


class Matcher:
    def __init__(self, words: list[tuple], allowed: Sequence[str] = (), *,
                 engine: str = DEFAULT_ENGINE, pinyin: bool = True):
        """`words`: (word, category, action name[, variants]); `allowed`: innocent words that contain
        listed ones; `engine`: a key of ENGINES; `pinyin`: also match listed words' pinyin/initials."""
        if engine not in ENGINES:
            raise ValueError(f"unknown matching engine {engine!r}; one of {', '.join(ENGINES)}")
        entries: dict[str, tuple] = {}

        def add(key: str, word: str, category: str, action: str, how: str) -> None:
            if not key:
                return
            token = how in ("pinyin", "initials")  # only as a whole Latin token
            candidate = (word, category, ACTION_NAMES[action], False, how, token)
            current = entries.get(key)
            if current is None or (candidate[2], not token) > (current[2], not current[5]):
                entries[key] = candidate

        for row in words:
            word, category, action = row[:3]
            add(fold(word), word, category, action, "word")
            for variant in _variants(row[3] if len(row) > 3 else None):
                add(fold(variant), word, category, action, "variant")
            if pinyin:
                for key, how in readings(word):
                    add(key, word, category, action, how)
        for word in allowed:
            key = fold(word)
            if key:
                entries[key] = (word, "", Action.ALLOW, True, "allowed", False)
        # Pinyin and initials are Latin: their own small automaton scans only the text's Latin runs.
        latin = {k: v for k, v in entries.items() if v[5]}
        entries = {k: v for k, v in entries.items() if not v[5]}
        self.values = list(entries.values())
        self.latin_values = list(latin.values())
        self.size = len(entries) + len(latin)
        self.engine_name = engine
        self.engine = ENGINES[engine](list(entries)) if entries else None
        self.latin_engine = ENGINES[engine](list(latin)) if latin else None
        # A gap of letters/digits can only hide a listed word between two Chinese characters that
        # follow each other in it (色|情): those pairs, as sorted codes for a vectorised lookup.
        pairs: set[int] = set()
        for key, value in entries.items():
            if value[3] or not is_han(codes(key)).any():
                continue
            pairs.update((ord(a) << 21) | ord(b) for a, b in itertools.pairwise(key))
        self.pairs = frozenset(pairs)
        alphabet = {c for key in (*entries, *latin) for c in key}
        self.sentinel = next(cp for cp in range(0xA000, 0xA48D) if chr(cp) not in alphabet)  # a Yi syllable

    def _scan_codes(self, text_codes: np.ndarray, original: _IndexMap | None, source: np.ndarray,
                    tag: str, *, latin: bool = False) -> list[Hit]:
        """Hits in one reading of the text. `original[i]`: the original index of the reading's
        character i (None: the reading is the text itself); `source`: the original text's code
        points (for the Latin-token check)."""
        engine = self.latin_engine if latin else self.engine
        if engine is None:
            return []
        matches, kept = engine.scan(text_codes)
        if not matches:
            return []
        positions = np.flatnonzero(kept)
        found: list[Hit] = []
        allowed_spans: list[tuple[int, int]] = []
        values = self.latin_values if latin else self.values
        for index, start, end in matches:
            word, category, action, is_allowed, how, token = values[index]
            if is_allowed:
                allowed_spans.append((start, end))
                continue
            first, last = int(positions[start]), int(positions[end - 1])
            if original is not None:
                first, last = int(original[first]), int(original[last])
                first, last = min(first, last), max(first, last)
            if token and not self._whole_token(source, first, last):
                continue
            found.append(Hit(word, category, action, start, end, (first, last + 1), how + tag))
        if allowed_spans:
            found = [h for h in found if not any(a <= h.start and h.end <= b for a, b in allowed_spans)]
        return found

    @staticmethod
    def _whole_token(source: np.ndarray, first: int, last: int) -> bool:
        """No Latin letter right before or after the original characters first..last."""
        def letter(i: int) -> bool:
            return 0 <= i < len(source) and (0x61 <= fold_table()[source[i]] <= 0x7A)

        return not letter(first - 1) and not letter(last + 1)

    @staticmethod
    def _neighbour(text: str, i: int, step: int) -> int:
        """The code point of the first visible character from i on (in direction step), or 0."""
        while 0 <= i < len(text):
            f = _folded(text[i])
            if f:
                return f
            i += step
        return 0

    def _extra_readings(self, text: str) -> list[tuple[str, "_Pieces", str]]:
        """The Latin runs (for pinyin/initials; runs joined by a sentinel character no word
        contains) and the CJK skeleton (the text without the gaps of 1–MAX_CJK_GAP letters/digits
        that stand between two Chinese characters following each other in a listed word:
        色a情 → 色情), as strings with the pieces of `text` they are made of."""
        runs = [m.span() for m in latin_runs().finditer(text)]
        if not runs:
            return []
        out = []
        if self.latin_engine is not None:
            out.append((chr(self.sentinel).join(text[a:b] for a, b in runs), _Pieces(runs, gap=1), ""))
        if self.pairs:
            drop = []
            for a, b in runs:
                if b - a > 4 * MAX_CJK_GAP:
                    continue
                left = self._neighbour(text, a - 1, -1)
                if not left:
                    continue
                right = self._neighbour(text, b, 1)
                if right and (left << 21) | right in self.pairs \
                        and len(latin_letters().findall(text, a, b)) <= MAX_CJK_GAP:
                    drop.append((a, b))
            if drop:
                kept, at = [], 0
                for a, b in drop:
                    if a > at:
                        kept.append((at, a))
                    at = b
                if at < len(text):
                    kept.append((at, len(text)))
                out.append(("".join(text[a:b] for a, b in kept), _Pieces(kept, gap=0), "+skeleton"))
        return out

    def _scan(self, text: str) -> list[Hit]:
        if (self.engine is None and self.latin_engine is None) or not text:
            return []
        text_codes = codes(text)
        hits = self._scan_codes(text_codes, None, text_codes, "")
        readings_: list[tuple[str, list[int] | None, str]] = [(text, None, "")]
        order = visual_order(text)  # None without a directional override
        if order is not None:
            hits.extend(self._scan_codes(text_codes[np.array(order, dtype=np.int64)], order, text_codes, "+reordered"))
            readings_.append(("".join(text[i] for i in order), order, "+reordered"))
        for string, order, tag in readings_:
            for sub, pieces, kind in self._extra_readings(string):
                if kind == "" and tag:
                    continue  # reordering does not change what the Latin runs spell
                original = pieces if order is None else _Composed(pieces, order)
                hits.extend(self._scan_codes(codes(sub), original, text_codes, tag + kind, latin=kind == ""))
        if len(readings_) > 1 or len(hits) > 1:
            unique: dict[tuple, Hit] = {}
            for h in hits:
                unique.setdefault((h.word, h.span), h)
            hits = list(unique.values())
        return hits

    def find(self, text: str) -> list[Hit]:
        """The listed words in `text`, allow-listed ones left out."""
        return self._scan(text)

    def screen(self, text: str) -> Screening:
        if not text:
            return Screening(Action.ALLOW, text or "")
        hits = self._scan(text)
        if not hits:
            return Screening(Action.ALLOW, text)
        action = max(h.action for h in hits)
        result = text
        if action < Action.HOLD and any(h.action == Action.MASK for h in hits):
            result = self._mask(text, [h for h in hits if h.action == Action.MASK])
        return Screening(action, result, hits)

    @staticmethod
    def _mask(text: str, hits: list[Hit]) -> str:
        chars = list(text)
        for h in hits:
            for i in range(*h.span):
                if not chars[i].isspace():
                    chars[i] = MASK_CHAR
        return "".join(chars)
