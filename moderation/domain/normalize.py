"""Text normalisation for matching, robust to the usual evasions:

- full-width / half-width forms and other compatibility characters (NFKC): ｆｕｌｌ → full, ＡＢＣ → abc
- letter case
- traditional → simplified Chinese, character by character (OpenCC's TSCharacters table, first candidate)
- spaces, punctuation and symbols inserted inside a word: 色 情, 色-情, 色。情

All of it is one lookup table over all of Unicode (`fold_table()`): code point → folded code point,
or 0 for an ignorable character. Folding a text is then a vectorised table lookup (numpy) over its
UTF-32 code units (one per code point, so positions are Python string indexes even outside the BMP),
a filter of the zeros, and a decode — about two orders of magnitude faster than chaining
unicodedata.normalize, str.translate and a regular expression, and it yields, for free, the index of
every kept character in the original (for masking). The matching engines (matcher.py) apply the same
table, composed with their own recoding, in a single lookup.

The table is computed character by character for the BMP, the Supplementary Multilingual Plane
(mathematical letters 𝐬𝐞𝐱 → sex, emoji and symbols → ignorable), the CJK compatibility supplement
and the tag/variation-selector plane; elsewhere (CJK extension ideographs, private use) a character
folds to itself. Lone surrogates (possible in a str decoded from JSON) are ignorable.
"""

import functools
import importlib.util
import unicodedata
from pathlib import Path

import numpy as np

_BMP = 0x10000
_UNICODE = 0x110000
# Ranges folded character by character; identity elsewhere.
_COMPUTED = ((0, 0x20000), (0x2F800, 0x2FA20), (0xE0000, 0xE1000))


@functools.cache
def t2s_pairs() -> dict[str, str]:
    spec = importlib.util.find_spec("opencc")
    path = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "TSCharacters.txt"
    pairs = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and len(parts[0]) == 1:
                simplified = parts[1].split(" ")[0]
                if len(simplified) == 1 and simplified != parts[0]:
                    pairs[parts[0]] = simplified
    return pairs


def _fold_one(ch: str, t2s: dict[str, str]) -> str:
    """The folded form of one character: '' when it is ignorable inside a word."""
    folded = unicodedata.normalize("NFKC", ch)
    folded = "".join(c for c in folded if c.isalnum())  # ㈱ → (株) → 株; punctuation and spaces → ''
    if not folded:
        return ""
    folded = folded[0].lower()[:1] or folded[0]
    return t2s.get(folded, folded)


@functools.cache
def fold_table() -> np.ndarray:
    """uint32 array over every code point: its folded code point, or 0 when ignorable inside a word."""
    t2s = t2s_pairs()
    table = np.arange(_UNICODE, dtype=np.uint32)
    for first, stop in _COMPUTED:
        for cp in range(first, stop):
            f = "" if 0xD800 <= cp <= 0xDFFF else _fold_one(chr(cp), t2s)
            table[cp] = ord(f) if f else 0
    table.setflags(write=False)
    return table


def codes(text: str) -> np.ndarray:
    """The code points of `text` (uint32; a lone surrogate passes through and folds to nothing)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def fold(text: str) -> str:
    """The matching form of `text`: folded, with ignorable characters removed."""
    if not text:
        return ""
    mapped = fold_table()[codes(text)]
    return mapped[mapped != 0].tobytes().decode("utf-32-le")


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """Folded text plus, for each of its characters, the index of the original character."""
    if not text:
        return "", []
    mapped = fold_table()[codes(text)]
    keep = np.nonzero(mapped)[0]
    return mapped[keep].tobytes().decode("utf-32-le"), keep.tolist()
