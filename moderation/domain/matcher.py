"""Sensitive-word matching with an Aho–Corasick automaton (pyahocorasick).

One automaton holds the listed words and the allow-listed words, all folded (see normalize.py).
A listed word's hit is ignored when an allow-listed word's hit covers it (白色情人节 covers 色情).
Matching cost is linear in the text length whatever the list size; the automaton is built once per
list version and shared (see moderation.services.current_matcher).
"""

from dataclasses import dataclass, field
from enum import IntEnum

import ahocorasick

from .normalize import fold, fold_with_positions


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


class Matcher:
    def __init__(self, words: list[tuple[str, str, str]], allowed: list[str] = ()):
        """`words`: (word, category, action name); `allowed`: innocent words that contain listed ones."""
        self.automaton = ahocorasick.Automaton()
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
        for key, value in entries.items():
            self.automaton.add_word(key, (len(key), *value))
        self.size = len(entries)
        if self.size:
            self.automaton.make_automaton()

    def hits(self, folded: str) -> list[Hit]:
        if not self.size or not folded:
            return []
        found: list[Hit] = []
        allowed_spans: list[tuple[int, int]] = []
        for end, (length, word, category, action, is_allowed) in self.automaton.iter(folded):
            start = end - length + 1
            if is_allowed:
                allowed_spans.append((start, end + 1))
            else:
                found.append(Hit(word, category, action, start, end + 1))
        if allowed_spans:
            found = [h for h in found if not any(a <= h.start and h.end <= b for a, b in allowed_spans)]
        return found

    def screen(self, text: str) -> Screening:
        if not text:
            return Screening(Action.ALLOW, text or "")
        hits = self.hits(fold(text))
        if not hits:
            return Screening(Action.ALLOW, text)
        action = max(h.action for h in hits)
        result = text
        if any(h.action == Action.MASK for h in hits) and action < Action.HOLD:
            result = self._mask(text, [h for h in hits if h.action == Action.MASK])
        return Screening(action, result, hits)

    def _mask(self, text: str, hits: list[Hit]) -> str:
        folded, positions = fold_with_positions(text)
        # Recompute the hits on the position-tracked folding (it equals fold(text) character for character).
        chars = list(text)
        for h in self.hits(folded):
            if h.action != Action.MASK:
                continue
            first, last = positions[h.start], positions[h.end - 1]
            for i in range(first, last + 1):
                if not chars[i].isspace():
                    chars[i] = MASK_CHAR
        return "".join(chars)
