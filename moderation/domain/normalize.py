"""Text normalisation for matching, robust to the usual evasions:

- full-width / half-width forms and other compatibility characters (NFKC): ｆｕｌｌ → full, ＡＢＣ → abc
- letter case
- traditional → simplified Chinese, character by character (OpenCC's TSCharacters table, first candidate)
- spaces, punctuation and symbols inserted inside a word: 色 情, 色-情, 色。情
- what renders blank (issue 25): every Default_Ignorable_Code_Point (zero-width characters, bidi
  controls, variation selectors, tags…) and the Hangul fillers (U+3164, U+FFA0, U+115F, U+1160),
  which are letters (Lo) and so were kept as part of the text
- confusables (issue 25): a Cyrillic, Greek, Armenian… letter that looks like a Latin letter or a
  digit folds to it (fu\u0441k → fuck), from Unicode's confusables data (confusables.txt, as shipped
  by the PyPI package confusable_homoglyphs: read from the installed package, never downloaded);
  CJK, kana and Hangul are never folded (a look-alike ideograph is a different word)

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

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt, 15.1): rendered as nothing.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
# Letters that render blank without being default-ignorable (fillers and blank "letters").
BLANK_LETTERS = (0x2800, 0x3164, 0xFFA0, 0x115F, 0x1160, 0x1D159, 0x2B7F, 0x1CBC, 0x1CBD)


_BLANK = frozenset(cp for a, b in DEFAULT_IGNORABLE for cp in range(a, b + 1)) | frozenset(BLANK_LETTERS)


def is_default_ignorable(cp: int) -> bool:
    return any(a <= cp <= b for a, b in DEFAULT_IGNORABLE)


def _base_letter(ch: str) -> str:
    """A Latin letter with diacritics → its base letter (tone-marked pinyin sèqíng → seqing)."""
    if not 0x80 <= ord(ch) < 0x2E80:
        return ch
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if len(base) == 1 and base.isascii() and base.isalnum() else ch


def _folds_confusably(cp: int) -> bool:
    """Scripts whose look-alikes fold to ASCII: everything below the CJK radicals and the Cyrillic /
    Lisu / Cherokee extensions; never Han, kana, Hangul or Yi syllables."""
    return 0x80 <= cp < 0x2E80 or 0xA4D0 <= cp < 0xA500 or 0xA640 <= cp < 0xA6A0 or 0xAB70 <= cp < 0xABC0 \
        or 0x10400 <= cp < 0x10500 or 0x1D400 <= cp < 0x1D800


def _package_dir(name: str) -> Path:
    """The directory of an installed package (the data files it ships are read from there)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"no package directory for {name}")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def confusable_ascii() -> dict[str, str]:
    """{character: the ASCII letter or digit it is confusable with} from the confusables data the
    confusable_homoglyphs package ships (a lower-case letter preferred, then a digit)."""
    import json

    path = _package_dir("confusable_homoglyphs") / "confusables.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for ch, entries in data.items():
        if len(ch) != 1 or not _folds_confusably(ord(ch)):
            continue
        targets = ["".join(c for c in e["c"] if not unicodedata.combining(c)) for e in entries]  # ƒ → f̦ → f
        targets = [t for t in targets if len(t) == 1 and t.isascii() and t.isalnum()]
        if targets:
            targets.sort(key=lambda c: (not c.islower(), not c.isalpha(), c))
            out[ch] = targets[0].lower()
    return out


@functools.cache
def t2s_pairs() -> dict[str, str]:
    path = _package_dir("opencc") / "dictionary" / "TSCharacters.txt"
    pairs = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and len(parts[0]) == 1:
                simplified = parts[1].split(" ")[0]
                if len(simplified) == 1 and simplified != parts[0]:
                    pairs[parts[0]] = simplified
    return pairs


def _fold_one(ch: str, t2s: dict[str, str], confusables: dict[str, str]) -> str:
    """The folded form of one character: '' when it is ignorable inside a word."""
    if ord(ch) in _BLANK:
        return ""
    folded = unicodedata.normalize("NFKC", ch)
    if any(ord(c) in _BLANK for c in folded):
        return ""
    folded = "".join(c for c in folded if c.isalnum())  # ㈱ → (株) → 株; punctuation and spaces → ''
    if not folded:
        return ""
    folded = folded[0].lower()[:1] or folded[0]
    folded = confusables.get(folded, folded)
    folded = _base_letter(folded)
    return t2s.get(folded, folded)


@functools.cache
def fold_table() -> np.ndarray:
    """uint32 array over every code point: its folded code point, or 0 when ignorable inside a word."""
    t2s, confusables = t2s_pairs(), confusable_ascii()
    table = np.arange(_UNICODE, dtype=np.uint32)
    for first, stop in _COMPUTED:
        for cp in range(first, stop):
            f = "" if 0xD800 <= cp <= 0xDFFF else _fold_one(chr(cp), t2s, confusables)
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


# ---------------------------------------------------------------------------------------------
# Bidi overrides: the order in which the text is displayed
# ---------------------------------------------------------------------------------------------
RLO, LRO, PDF = "\u202e", "\u202d", "\u202c"
_ISOLATES, PDI = "\u2066\u2067\u2068", "\u2069"
_EMBEDDINGS = "\u202a\u202b"
_LINE_ENDS = "\n\r\u2029\u0085\u000b\u000c\u001c\u001d\u001e"


def visual_order(text: str) -> list[int] | None:
    """The original indexes of `text` in the order they are displayed, when a directional override
    (RLO/LRO) reorders it (`\u202e情色` shows 色情), else None. Overrides force their characters'
    direction, so their embedding levels decide the order alone: levels as in UAX #9 (X1–X8, an
    override at the next odd / even level; embeddings and isolates are matched but, holding Chinese
    and Latin text, do not reorder it), then rule L2 per line. Controls keep their place (they fold
    to nothing)."""
    if RLO not in text and LRO not in text:
        return None
    levels = []
    stack: list[tuple[str, int]] = []  # (kind, level of an override or -1)

    def level() -> int:
        return next((lv for _, lv in reversed(stack) if lv >= 0), 0)

    for ch in text:
        if ch in (RLO, LRO):
            current = level()
            new = current + 1 if (current % 2 == 0) == (ch == RLO) else current + 2
            levels.append(current)
            stack.append(("override", new))
            continue
        if ch in _EMBEDDINGS:
            stack.append(("embedding", -1))
        elif ch in _ISOLATES:
            stack.append(("isolate", -1))
        elif ch == PDF:
            if stack and stack[-1][0] != "isolate":
                stack.pop()
        elif ch == PDI:
            while stack and stack[-1][0] != "isolate":
                stack.pop()
            if stack:
                stack.pop()
        elif ch in _LINE_ENDS:
            stack.clear()
        levels.append(level())
    order: list[int] = []
    start = 0
    for i in range(len(text) + 1):
        if i == len(text) or text[i] in _LINE_ENDS:
            order.extend(_reorder_line(list(range(start, i)), levels[start:i]))
            if i < len(text):
                order.append(i)
            start = i + 1
    return order


def _reorder_line(indexes: list[int], levels: list[int]) -> list[int]:
    """UAX #9 L2: from the highest level down to the lowest odd one, reverse every run at that level
    or higher."""
    if not levels or max(levels) == 0:
        return indexes
    pairs = list(zip(indexes, levels, strict=True))
    lowest_odd = min((lv for lv in levels if lv % 2), default=max(levels))
    for lv in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(pairs):
            if pairs[i][1] >= lv:
                j = i
                while j < len(pairs) and pairs[j][1] >= lv:
                    j += 1
                pairs[i:j] = pairs[i:j][::-1]
                i = j
            else:
                i += 1
    return [i for i, _ in pairs]


# ---------------------------------------------------------------------------------------------
# Separators between CJK characters
# ---------------------------------------------------------------------------------------------
MAX_CJK_GAP = 3  # at most this many letters/digits inserted between two characters of a word


def is_han(folded: np.ndarray) -> np.ndarray:
    return (((folded >= 0x3400) & (folded <= 0x9FFF)) | ((folded >= 0xF900) & (folded <= 0xFAFF))
            | ((folded >= 0x20000) & (folded <= 0x3FFFF)))
