"""Issue 25, finding 5: sensitive-word evasions, and ordinary posts that must pass untouched.

The evasion corpus (each line must be caught) and ≥200 ordinary youth posts (none may be touched)
run through both engines with a small realistic list (corpus/words.csv: words, homophone
variants, allow-list). The false-positive count is printed (pytest -s) and asserted."""

import csv
from pathlib import Path

import pytest

from moderation.domain.matcher import ENGINES, Action, Matcher, readings
from moderation.domain.normalize import fold, visual_order

CORPUS = Path(__file__).parent / "corpus"


def load_list():
    words, allowed = [], []
    for row in csv.reader((CORPUS / "words.csv").read_text(encoding="utf-8").splitlines()):
        if not row or row[0].startswith("#"):
            continue
        if row[0].startswith("allow:"):
            allowed += row[0][len("allow:"):].split("|")
            continue
        words.append((row[0], row[1], row[2], [v for v in (row[3] if len(row) > 3 else "").split("|") if v]))
    return words, allowed


def ordinary_posts() -> list[str]:
    lines = (CORPUS / "ordinary_posts.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module", params=list(ENGINES))
def matcher(request):
    words, allowed = load_list()
    return Matcher(words, allowed, engine=request.param)


# (text, the listed word that must be found): every line was published on the old screening
EVASIONS = [
    ("这里有色\u3164情内容", "色情"),  # Hangul filler (renders blank)
    ("这里有色\uffa0情内容", "色情"),  # half-width Hangul filler
    ("这里有色\u115f情内容", "色情"),  # Hangul choseong filler
    ("这里有色\u1160情内容", "色情"),  # Hangul jungseong filler
    ("色\u200b情", "色情"),  # zero-width space
    ("色\u200d情", "色情"),  # zero-width joiner
    ("色\u2060情", "色情"),  # word joiner
    ("色\ufeff情", "色情"),  # zero-width no-break space
    ("色\u00ad情", "色情"),  # soft hyphen
    ("色\u034f情", "色情"),  # combining grapheme joiner
    ("色\ufe0f情", "色情"),  # variation selector
    ("色\U000e0020情", "色情"),  # tag space
    ("色\u180e情", "色情"),  # Mongolian vowel separator
    ("点这里看\u202e情色\u202c视频", "色情"),  # right-to-left override: displays 色情
    ("\u202e情色", "色情"),  # override to the end of the line
    ("\u202e博赌\u202c上线了", "赌博"),
    ("色a情", "色情"),  # a letter between the characters
    ("色1情", "色情"),  # a digit
    ("色xx情网站", "色情"),  # two letters
    ("色.情", "色情"),  # punctuation (already caught before)
    ("赌8博", "赌博"),
    ("法1轮2功", "法轮功"),
    ("fu\u0441k", "fuck"),  # Cyrillic es
    ("f\u03c5ck", "fuck"),  # Greek upsilon
    ("\u0192uck", "fuck"),  # Latin f with hook
    ("ｆｕｃｋ", "fuck"),  # full width
    ("seqing", "色情"),  # pinyin
    ("SeQing 网站", "色情"),
    ("se qing", "色情"),
    ("sèqíng", "色情"),  # tone marks
    ("falungong", "法轮功"),
    ("flg好", "法轮功"),  # initials of a three-character word
    ("FLG", "法轮功"),
    ("加入 lhc 群", "六合彩"),
    ("涩情", "色情"),  # configured homophone variants
    ("瑟情", "色情"),
    ("堵博", "赌博"),
    ("赌搏", "赌博"),
    ("法伦功", "法轮功"),
    ("煞笔", "傻逼"),
    ("dubo", "赌博"),
    ("網賭", "网赌"),  # traditional characters (already caught before)
    ("毒\u3164品", "毒品"),
    ("约\u200c炮", "约炮"),
    ("裸 聊", "裸聊"),
    ("代开fa票", "代开发票"),
]


@pytest.mark.parametrize("text, word", EVASIONS)
def test_every_evasion_is_caught(matcher, text, word):
    assert word in {h.word for h in matcher.find(text)}, text


def test_the_evasion_corpus_is_caught_whole(matcher):
    missed = [text for text, word in EVASIONS if word not in {h.word for h in matcher.find(text)}]
    print(f"\nevasions: {len(EVASIONS)}, missed: {len(missed)} ({matcher.engine_name})")
    assert missed == []


def test_ordinary_posts_pass_untouched(matcher):
    posts = ordinary_posts()
    assert len(posts) >= 200
    touched = [(p, [(h.word, h.via) for h in matcher.screen(p).hits]) for p in posts
               if matcher.screen(p).action != Action.ALLOW or matcher.screen(p).text != p]
    print(f"\nordinary posts: {len(posts)}, false positives: {len(touched)} ({matcher.engine_name}) {touched}")
    assert touched == []


def test_false_positives_without_the_allow_list_are_the_old_punctuation_rule():
    """Measured with only 白色情人节 allowed: the two posts that then hit are sentence breaks
    between 色 and 情 (特色，情感 / 颜色，情绪) — the punctuation-inside-a-word rule that predates
    issue 25 — and the allow-list entries 特色情 / 颜色情 clear them; none comes from the new rules."""
    words, _ = load_list()
    m = Matcher(words, ["白色情人节"])
    touched = [p for p in ordinary_posts() if m.screen(p).hits]
    print(f"\nfalse positives with a bare allow-list: {len(touched)}: {touched}")
    assert all("，" in p for p in touched) and len(touched) <= 2


def test_masking_covers_the_evasion_in_the_original_text(matcher):
    assert matcher.screen("你个傻\u3164逼吧").text == "你个＊＊＊吧"
    assert matcher.screen("你个傻a逼吧").text == "你个＊＊＊吧"  # the inserted letter too
    assert matcher.screen("你个\u202e逼傻\u202c吧").text == "你个\u202e＊＊\u202c吧"
    assert matcher.screen("煞笔").text == "＊＊"
    assert matcher.screen("what the fu\u0441k").text == "what the ＊＊＊＊"


def test_pinyin_and_initials_only_as_whole_latin_tokens(matcher):
    for text in ("flag", "aflgx", "sequence", "Chongqing", "qingse", "Sequoia", "isSeqingX"):
        assert matcher.find(text) == [], text
    assert readings("色情") == (("seqing", "pinyin"),)  # no initials for two characters (sq)
    assert readings("法轮功") == (("falungong", "pinyin"), ("flg", "initials"))
    assert readings("fuck") == ()


def test_folding_of_what_renders_blank_and_confusables():
    assert fold("色\u3164\uffa0\u115f\u1160\u200b\u200e\u202e\u2066情") == "色情"
    assert fold("fu\u0441k \u0440a\u0455\u0455") == "fuckpass"
    assert fold("Дом") == "дoм"  # only the letters with a Latin look-alike fold (о → o)
    assert fold("日本語の文章") == "日本语の文章"  # CJK and kana never fold to Latin


def test_visual_order():
    text = "看\u202e情色\u202c了"
    assert "".join(text[i] for i in visual_order(text)) == "看\u202e色情\u202c了"  # controls keep their place
    nested = "\u202eab\u202dcd\u202cef\u202c"  # LTR override nested in RTL: cd keeps its order
    assert "".join(nested[i] for i in visual_order(nested) if nested[i].isalpha()) == "fecdba"
    assert visual_order("没有方向控制") is None


def test_variants_and_readings_merge_with_the_strongest_action():
    m = Matcher([("色情", "porn", "hold", ["涩情"]), ("涩情", "porn", "block")])
    assert m.screen("涩情").action == Action.BLOCK
    assert {h.via for h in m.find("seqing")} == {"pinyin"}
