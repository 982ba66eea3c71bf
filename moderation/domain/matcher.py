"""Sensitive-word matching with an Aho–Corasick automaton.

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

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import ClassVar

import numpy as np

from .normalize import codes, fold, fold_table


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
    word: str
    category: str
    action: Action
    start: int  # in the folded text
    end: int  # exclusive


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

    def scan(self, text_codes):
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

    def scan(self, text_codes):
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
class Matcher:
    def __init__(self, words: list[tuple[str, str, str]], allowed: Sequence[str] = (), *,
                 engine: str = DEFAULT_ENGINE):
        """`words`: (word, category, action name); `allowed`: innocent words that contain listed ones;
        `engine`: a key of ENGINES."""
        if engine not in ENGINES:
            raise ValueError(f"unknown matching engine {engine!r}; one of {', '.join(ENGINES)}")
        entries: dict[str, tuple] = {}
        for word, category, action in words:
            key = fold(word)
            if not key:
                continue
            current = entries.get(key)
            candidate = (word, category, ACTION_NAMES[action], False)
            if current is None or candidate[2] > current[2]:
                entries[key] = candidate
        for word in allowed:
            key = fold(word)
            if key:
                entries[key] = (word, "", Action.ALLOW, True)
        self.values = list(entries.values())
        self.size = len(entries)
        self.engine_name = engine
        self.engine = ENGINES[engine](list(entries)) if entries else None

    def _scan(self, text: str) -> tuple[list[Hit], np.ndarray | None]:
        if self.engine is None or not text:
            return [], None
        matches, kept = self.engine.scan(codes(text))
        found: list[Hit] = []
        allowed_spans: list[tuple[int, int]] = []
        values = self.values
        for index, start, end in matches:
            word, category, action, is_allowed = values[index]
            if is_allowed:
                allowed_spans.append((start, end))
            else:
                found.append(Hit(word, category, action, start, end))
        if allowed_spans:
            found = [h for h in found if not any(a <= h.start and h.end <= b for a, b in allowed_spans)]
        return found, kept

    def find(self, text: str) -> list[Hit]:
        """The listed words in `text` (positions in its folded form), allow-listed ones left out."""
        return self._scan(text)[0]

    def screen(self, text: str) -> Screening:
        if not text:
            return Screening(Action.ALLOW, text or "")
        hits, kept = self._scan(text)  # folded once; masking reuses the same positions
        if not hits:
            return Screening(Action.ALLOW, text)
        action = max(h.action for h in hits)
        result = text
        if action < Action.HOLD and any(h.action == Action.MASK for h in hits):
            result = self._mask(text, [h for h in hits if h.action == Action.MASK], kept)
        return Screening(action, result, hits)

    @staticmethod
    def _mask(text: str, hits: list[Hit], kept: np.ndarray) -> str:
        positions = np.flatnonzero(kept)
        chars = list(text)
        for h in hits:
            for i in range(positions[h.start], positions[h.end - 1] + 1):
                if not chars[i].isspace():
                    chars[i] = MASK_CHAR
        return "".join(chars)
