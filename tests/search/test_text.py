"""Pure rules: normalisation, tokens, query shape, snippets (no database)."""

import pytest
from modelsearch.query import And, Or, PlainText

from search import segmenter
from search.domain.query import build_query
from search.domain.text import (
    MAX_QUERY_TERMS,
    index_tokens,
    mark,
    normalize,
    query_words,
    snippet,
)


@pytest.fixture(scope="module")
def seg():
    return segmenter.build_tokenizer([("青年之家", None), ("创业担保贷款", None)])


def test_normalize_folds_width_traditional_and_case():
    assert normalize("ＰＹＴＨＯＮ　創業補貼１２３") == "python 创业补贴123"
    assert normalize("  青年\t之声\n") == "青年 之声"
    assert normalize("") == ""


def test_two_character_word_is_a_token_of_a_longer_title(seg):
    tokens = index_tokens("青年创业补贴政策解读", seg)
    assert "创业" in tokens and "补贴" in tokens and "政策" in tokens
    # every Chinese character once, for one-character queries
    assert {"青", "创", "业", "读"} <= set(tokens)
    assert tokens.count("创") == 1


def test_search_mode_gives_sub_words(seg):
    tokens = index_tokens("大学生创业者", seg)
    assert {"大学", "学生", "大学生", "创业", "创业者"} <= set(tokens)


def test_user_dictionary_keeps_terms_whole(seg):
    plain = segmenter.build_tokenizer([])
    assert "青年之家" not in query_words("青年之家预约", plain)
    assert query_words("青年之家预约", seg) == ["青年之家", "预约"]
    assert query_words("创业担保贷款怎么申请", seg) == ["创业担保贷款", "申请"]


def test_query_words_drop_operators_punctuation_and_stopwords(seg):
    assert query_words('"创业" OR * ) ; DROP TABLE x; -- \\ ^$.*+?', seg) == ["创业", "drop", "table", "x"]
    assert query_words("怎么 如何 的", seg) == ["怎么", "如何", "的"]  # nothing else left: keep them
    assert query_words("   ", seg) == []
    assert query_words("!!!???", seg) == []


def test_query_words_are_bounded(seg):
    words = query_words("创业补贴" * 500, seg)
    assert len(words) <= MAX_QUERY_TERMS
    many = query_words(" ".join(f"w{i}" for i in range(200)), seg)
    assert len(many) == MAX_QUERY_TERMS


def test_mixed_chinese_english_and_digits(seg):
    assert query_words("Python培训2026年", seg) == ["python", "培训", "2026", "年"]


def test_query_shape():
    assert build_query([]) is None
    q = build_query(["创业"])
    assert isinstance(q, PlainText) and q.query_string == "创业"
    q = build_query(["创业", "补贴"])
    assert isinstance(q, PlainText) and q.operator == "and"
    q = build_query(["青年之家", "预约"])
    assert isinstance(q, And)
    long_word = q.subqueries[0]
    assert isinstance(long_word, Or)
    assert [s.query_string for s in long_word.subqueries] == ["青年之家", "青 年 之 家"]
    assert isinstance(build_query(["青年之家", "预约"], operator="or"), Or)


def test_snippet_marks_traditional_and_full_width_text():
    text, spans = snippet("青年創業補貼政策，ＰＹＴＨＯＮ培训", ["创业", "python"])
    assert mark(text, spans) == "青年<mark>創業</mark>補貼政策，<mark>ＰＹＴＨＯＮ</mark>培训"


def test_snippet_window_and_escaping():
    long = "无关内容" * 40 + "<b>创业</b>补贴" + "其他" * 40
    text, spans = snippet(long, ["创业"], width=40)
    html = mark(text, spans)
    assert text.startswith("…") and text.endswith("…")
    assert "<mark>创业</mark>" in html and "&lt;b&gt;" in html and "<b>" not in html


def test_adjacent_marks_merge():
    text, spans = snippet("共青团广东省委", ["团", "广东"])
    assert mark(text, spans) == "共青<mark>团广东</mark>省委"
