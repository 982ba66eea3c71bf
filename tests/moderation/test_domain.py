"""Pure rules: word matching with evasions and the monitoring detectors."""

import random
from collections import Counter

import pytest

from moderation.domain.matcher import ENGINES, Action, Matcher
from moderation.domain.monitoring import Post, bursts, clusters, concentrated_demands, term_counts
from moderation.domain.normalize import fold

WORDS = [("色情", "porn", "block"), ("代开发票", "fraud", "hold"), ("傻逼", "abuse", "mask"), ("法轮", "political", "block")]
ALLOWED = ["白色情人节"]


ENGINE_NAMES = list(ENGINES)


@pytest.fixture(scope="module", params=ENGINE_NAMES)
def matcher(request):
    return Matcher(WORDS, ALLOWED, engine=request.param)


@pytest.mark.parametrize(
    "text, action",
    [
        ("这里有色情内容", Action.BLOCK),
        ("这里有色 情内容", Action.BLOCK),  # inserted space
        ("这里有色，情内容", Action.BLOCK),  # punctuation inside the word
        ("這裡有色情內容", Action.BLOCK),  # traditional characters
        ("代開發票，微信联系", Action.HOLD),
        ("ＦＬ法　轮", Action.BLOCK),  # full-width space
        ("你个傻逼", Action.MASK),
        ("祝大家白色情人节快乐", Action.ALLOW),  # allow-listed innocent word
        ("普通的创业补贴问题", Action.ALLOW),
    ],
)
def test_actions_with_evasions(matcher, text, action):
    assert matcher.screen(text).action == action


def test_mask_replaces_only_the_word(matcher):
    assert matcher.screen("你个傻逼吧").text == "你个＊＊吧"
    assert matcher.screen("你个傻 逼吧").text == "你个＊ ＊吧"
    assert matcher.screen("ＳＢ傻-逼").text == "ＳＢ＊＊＊"


def test_strongest_action_wins(matcher):
    result = matcher.screen("傻逼代开发票")
    assert result.action == Action.HOLD
    assert {h.word for h in result.hits} == {"傻逼", "代开发票"}
    assert result.text == "傻逼代开发票"  # held text is kept as written for the moderator


def test_allow_list_does_not_hide_other_hits(matcher):
    assert matcher.screen("白色情人节 色情").action == Action.BLOCK


def test_fold():
    assert fold("ＡＢＣ，ａｂｃ　１２３") == "abcabc123"
    assert fold("臺灣 發展") == "台湾发展"


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_empty_list_and_text(engine):
    assert Matcher([], engine=engine).screen("任何内容").action == Action.ALLOW
    assert Matcher(WORDS, engine=engine).screen("").action == Action.ALLOW


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="pyahocorasick"):
        Matcher(WORDS, engine="regex")


def test_positions_outside_the_bmp(matcher):
    # emoji and CJK extension characters are one position each (code points, not UTF-16 units)
    assert matcher.screen("😀😀你个傻逼吧").text == "😀😀你个＊＊吧"
    assert matcher.screen("𠮷野家😀傻 逼，𠮷").text == "𠮷野家😀＊ ＊，𠮷"
    # an emoji or a mathematical letter inserted inside a word is an evasion like punctuation
    assert matcher.screen("这里有色😀情内容").action == Action.BLOCK
    assert matcher.screen("傻😀逼").text == "＊＊＊"


def test_listed_words_outside_the_bmp(matcher):
    m = Matcher([("𠮷野", "x", "mask"), ("𝐀𝐁", "x", "block")], engine=matcher.engine_name)
    assert m.screen("我在𠮷野家").text == "我在＊＊家"
    assert m.screen("ab").action == Action.BLOCK  # 𝐀𝐁 folds to ab


def test_lone_surrogate_does_not_break_screening(matcher):
    assert matcher.screen("色\ud800情").action == Action.BLOCK
    assert matcher.screen("傻\ud800逼").text == "＊＊＊"


@pytest.mark.parametrize("engine", ENGINE_NAMES)
@pytest.mark.parametrize("alphabet, width", [(50, 1), (1000, 2), (20000, 4)])  # the Rust engine's symbol widths
def test_engines_agree_on_large_alphabets(engine, alphabet, width):
    rng = random.Random(alphabet)
    chars = [chr(0x4E00 + i) for i in range(alphabet)]
    words = {"".join(rng.choice(chars) for _ in range(rng.choice((2, 3, 4)))) for _ in range(3000)}
    words |= {"".join(chars[i:i + 2]) for i in range(0, alphabet - 1, 2)}  # every character in some word
    words = sorted(words)
    text = "".join(rng.choice(chars + list("，。 ")) for _ in range(5000)) + words[7] + "。" + words[-1]
    reference = Matcher([(w, "x", "block") for w in words], engine="pyahocorasick").find(text)
    matcher = Matcher([(w, "x", "block") for w in words], engine=engine)
    found = matcher.find(text)
    assert sorted((h.start, h.end, h.word) for h in found) == sorted((h.start, h.end, h.word) for h in reference)
    assert {words[7], words[-1]} <= {h.word for h in found}
    assert getattr(matcher.engine, "width", width) == width


def test_burst_against_baseline():
    baseline = [Counter({"补贴": 3, "就业": 10}) for _ in range(24)]
    current = Counter({"补贴": 120, "就业": 11})
    found = bursts(current, baseline)
    assert [b.term for b in found] == ["补贴"]
    assert bursts(Counter({"就业": 12}), baseline) == []


def _synthetic(n_burst=200, burst_users=150, n_background=400, seed=7):
    rng = random.Random(seed)
    variants = ["创业补贴什么时候发放", "创业补贴申请了三个月还没到账", "请问创业补贴到账时间", "创业补贴迟迟不发怎么办",
                "我们的创业补贴一直没有发放"]
    background = ["考研复试怎么准备", "租房合同押金不退怎么办", "心理压力大睡不着", "公益志愿活动在哪里报名",
                  "实习单位不签三方协议", "婚恋交友活动有哪些", "团员组织关系怎么转接", "毕业档案去哪里查"]
    posts = []
    for i in range(n_burst):
        posts.append(Post(i, 1000 + i % burst_users, rng.choice(variants) + rng.choice(["", "？", "，急", "，求助"])))
    for j in range(n_background):
        posts.append(Post(10_000 + j, 5000 + j, rng.choice(background) + f"（第{j}次）"))
    return posts


def _baseline(windows=24):
    return [term_counts(p.text for p in _synthetic(n_burst=0, seed=100 + w)) for w in range(windows)]


def test_concentrated_demand_is_one_cluster_with_right_counts():
    found = concentrated_demands(_synthetic(), _baseline())
    assert len(found) == 1
    cluster, hot = found[0]
    assert cluster.user_count == 150
    assert len(cluster.post_ids) == 200
    assert {"补贴", "创业"} & {b.term for b in hot}


def test_steady_background_raises_none():
    # the background repeats common questions from many users: similar, but not new
    assert clusters(_synthetic(n_burst=0))  # there are look-alike groups…
    assert concentrated_demands(_synthetic(n_burst=0, seed=99), _baseline()) == []  # …but nothing bursts


def test_term_counts_count_each_post_once():
    assert term_counts(["补贴补贴补贴", "补贴"])["补贴"] == 2


def test_function_words_never_burst():
    """Monitoring raised a burst for "不能": function words are on the stop list, whatever their count."""
    from moderation.domain.monitoring import is_stop_term, terms

    assert {"不能", "能不能", "可以", "是不是", "怎么办", "有没有"} <= {w for w in ["不能", "能不能", "可以", "是不是",
                                                                         "怎么办", "有没有"] if is_stop_term(w)}
    assert not is_stop_term("补贴") and not is_stop_term("不退")
    assert "不能" not in terms("我的创业补贴不能按时到账，不能再等了")
    posts = [Post(i, i, f"我不能去上课了（第{i}次）") for i in range(300)]
    assert "不能" not in term_counts(p.text for p in posts)


def test_a_burst_needs_minimum_support():
    from moderation.domain.monitoring import Burst, supported_bursts

    burst = Burst("补贴", 40, 1.0, 1.0, 39.0)
    one_account = [Post(i, 7, f"创业补贴还没发放（{i}）") for i in range(40)]
    assert supported_bursts([burst], one_account) == []  # one user repeating: no support
    many = [Post(i, i, f"创业补贴还没发放（{i}）") for i in range(40)]
    assert [b.term for b, _ in supported_bursts([burst], many)] == ["补贴"]
    drowned = many[:12] + [Post(1000 + i, 1000 + i, "考研复试怎么准备") for i in range(1000)]
    assert supported_bursts([burst], drowned) == []  # 12 of 1,012 posts: under the minimum share
    assert supported_bursts([Burst("不能", 40, 1.0, 1.0, 39.0)], many) == []
