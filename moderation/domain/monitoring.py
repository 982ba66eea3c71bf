"""Public-opinion monitoring (舆情监测) [A1.8]: pure functions over posts in time windows.

Bursts — a term's count in the current window against its own baseline (the same-length windows
before it): z = (count − mean) / max(std, 1). A term bursts when z ≥ Z_THRESHOLD and its count is at
least MIN_BURST_COUNT (so one-off rare terms do not fire) and MIN_BURST_SHARE of the window's posts
carry it, from at least MIN_BURST_USERS distinct users (`supported_bursts`: the minimum support, so
one account repeating itself does not fire). Terms are jieba words of ≥ 2 characters minus the stop
list: STOP_WORDS, and any word made only of function characters (FUNCTION_CHARS: 不能, 可以, 是不是 …).

Concentrated demand (集中诉求) — many distinct users describing one problem that is new for the
branch: each post is reduced to its set of character 2-grams over CJK/letters/digits (stop characters
removed); MinHash signatures (NUM_HASHES hash functions on crc32 of the shingle, deterministic across
processes) with LSH banding find candidate pairs; pairs with estimated Jaccard ≥ SIMILARITY are
joined (union–find, so differently worded variants chain together). A cluster is a concentrated
demand when it has ≥ MIN_CLUSTER_USERS distinct users AND one of its top terms bursts against the
baseline — so the steady stream of common questions (how to transfer membership, exam tips) that
every window has does not fire.

Sensitive hits — the number of posts in the window with any word-list hit, reported at
≥ SENSITIVE_THRESHOLD.
"""

import functools
import logging
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Z_THRESHOLD = 3.0
MIN_BURST_COUNT = 20
MIN_BURST_USERS = 10
MIN_BURST_SHARE = 0.02
SIMILARITY = 0.3
MIN_CLUSTER_USERS = 30
SENSITIVE_THRESHOLD = 10
NUM_HASHES = 48
BANDS = 16  # 16 bands × 3 rows: a pair with Jaccard 0.3 is a candidate with p ≈ 0.35, 0.5 → 0.87, 1 → 1

_MERSENNE = (1 << 61) - 1
_PARAMS = [((i * 0x9E3779B97F4A7C15 + 12345) % _MERSENNE | 1, (i * 0xC2B2AE3D27D4EB4F + 678) % _MERSENNE)
           for i in range(1, NUM_HASHES + 1)]
_TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")
STOP_CHARS = set("的了吗呢吧啊是在我你他她它们有和与及或也就都还要会能可以这那个一不人什么怎么如何请问为")
STOP_WORDS = {"什么", "怎么", "如何", "请问", "可以", "我们", "你们", "他们", "这个", "那个", "没有", "问题", "一下",
              "现在", "还是", "已经", "因为", "所以", "但是", "如果", "需要", "知道", "大家", "谢谢", "自己",
              "怎么办", "哪里", "为什么", "时候", "什么时候", "多少", "能否", "是否", "一直", "还没", "求助", "哪些",
              "不能", "不会", "不是", "不要", "不想", "不用", "不了", "不行", "不到", "能不能", "可不可以", "是不是",
              "有没有", "会不会", "要不要", "应该", "可能", "其实", "然后", "而且", "或者", "以及", "虽然", "这样",
              "那样", "怎样", "这么", "那么", "这些", "那些", "一个", "一些", "有些", "有人", "别人", "之后",
              "之前", "以后", "以前", "今天", "明天", "昨天", "咋办", "怎么回事", "为啥", "真的", "非常", "特别",
              "比较", "还有", "只是", "只能", "就是", "还会", "一样", "感觉", "觉得", "希望", "想要", "麻烦"}
# Characters that carry no topic on their own: a word made only of them is a function word.
FUNCTION_CHARS = set("的了吗呢吧啊呀嘛哦是在我你他她它们有没和与及或也就都还又要会能可以该应得地着过这那个些一不"
                     "别很太再才只把被给对从向于么啥咋怎样如何何哪谁多少几请问为因所但而且则即便")


@dataclass(frozen=True)
class Post:
    id: int
    user_id: int
    text: str


@dataclass
class Burst:
    term: str
    count: int
    mean: float
    std: float
    z: float


@dataclass
class Cluster:
    post_ids: list[int]
    user_ids: list[int]
    top_terms: list[str] = field(default_factory=list)

    @property
    def user_count(self) -> int:
        return len(set(self.user_ids))


def terms(text: str) -> list[str]:
    return list(_terms(text))


@functools.lru_cache(maxsize=1 << 16)
def _terms(text: str) -> tuple[str, ...]:
    """Segmented once per text per process: one run counts, clusters and finds carriers of a term
    over the same posts (jieba is most of the monitoring job's time)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return tuple(w for w in jieba.lcut(text) if len(w) >= 2 and not w.isspace() and not is_stop_term(w))


def is_stop_term(word: str) -> bool:
    """On the stop list: a listed stop word, or a word of function characters only (不能, 可以吗)."""
    return word in STOP_WORDS or all(ch in FUNCTION_CHARS for ch in word)


def term_counts(texts: Iterable[str]) -> Counter[str]:
    """Each term counted once per post (a post repeating a word is one voice)."""
    c: Counter[str] = Counter()
    for t in texts:
        c.update(set(terms(t)))
    return c


def bursts(current: Counter[str], baseline: Sequence[Counter[str]], *, z_threshold: float = Z_THRESHOLD,
           min_count: int = MIN_BURST_COUNT) -> list[Burst]:
    n = max(len(baseline), 1)
    out = []
    for term, count in current.items():
        if count < min_count:
            continue
        history = [b.get(term, 0) for b in baseline] or [0]
        mean = sum(history) / n
        var = sum((h - mean) ** 2 for h in history) / n
        std = math.sqrt(var)
        z = (count - mean) / max(std, 1.0)
        if z >= z_threshold:
            out.append(Burst(term, count, mean, std, z))
    return sorted(out, key=lambda b: -b.z)


def supported_bursts(found: Sequence[Burst], posts: Sequence[Post], *, min_users: int = MIN_BURST_USERS,
                     min_share: float = MIN_BURST_SHARE) -> list[tuple[Burst, list[Post]]]:
    """Bursts with minimum support, each with the posts carrying it: the term is on the stop list
    never; it is carried by at least `min_users` distinct users and `min_share` of the window's posts."""
    if not found:
        return []
    post_terms = [(p, set(terms(p.text))) for p in posts]
    out = []
    for burst in found:
        if is_stop_term(burst.term):
            continue
        carriers = [p for p, ts in post_terms if burst.term in ts]
        if len({p.user_id for p in carriers}) < min_users or len(carriers) < min_share * len(posts):
            continue
        out.append((burst, carriers))
    return out


def shingles(text: str) -> set[str]:
    chars = [t for t in _TOKEN.findall(text.lower()) if t not in STOP_CHARS]
    if len(chars) < 2:
        return set(chars)
    return {chars[i] + chars[i + 1] for i in range(len(chars) - 1)}


def minhash(sh: set[str]) -> tuple[int, ...]:
    if not sh:
        return tuple([_MERSENNE] * NUM_HASHES)
    hashes = [zlib.crc32(s.encode()) for s in sh]
    return tuple(min((a * h + b) % _MERSENNE for h in hashes) for a, b in _PARAMS)


def _similar(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / NUM_HASHES


def clusters(posts: Sequence[Post], *, similarity: float = SIMILARITY,
             min_users: int = MIN_CLUSTER_USERS) -> list[Cluster]:
    """Groups of similar posts from at least `min_users` distinct users, largest first."""
    sigs = [minhash(shingles(p.text)) for p in posts]
    parent = list(range(len(posts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = NUM_HASHES // BANDS
    for band in range(BANDS):
        buckets: dict[tuple, list[int]] = {}
        for i, sig in enumerate(sigs):
            buckets.setdefault(sig[band * rows:(band + 1) * rows], []).append(i)
        for members in buckets.values():
            if len(members) < 2:
                continue
            head = members[0]
            for other in members[1:]:
                ra, rb = find(head), find(other)
                if ra != rb and _similar(sigs[head], sigs[other]) >= similarity:
                    parent[rb] = ra
    groups: dict[int, list[int]] = {}
    for i in range(len(posts)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        users = {posts[i].user_id for i in members}
        if len(users) >= min_users:
            top = [t for t, _ in term_counts(posts[i].text for i in members[:200]).most_common(5)]
            out.append(Cluster([posts[i].id for i in members], [posts[i].user_id for i in members], top))
    return sorted(out, key=lambda c: -c.user_count)


def concentrated_demands(current: Sequence[Post], baseline: Sequence[Counter[str]], *,
                         min_users: int = MIN_CLUSTER_USERS, similarity: float = SIMILARITY,
                         z_threshold: float = Z_THRESHOLD) -> list[tuple[Cluster, list[Burst]]]:
    """Clusters of the current window whose top terms burst against the baseline term counts.
    Clusters that share a bursting term are one demand worded differently, and are merged."""
    current_counts = term_counts(p.text for p in current)
    bursting = {b.term: b for b in bursts(current_counts, baseline, z_threshold=z_threshold, min_count=min_users // 2)}
    candidates = []
    for cluster in clusters(current, similarity=similarity, min_users=max(2, min_users // 3)):
        hot = {t for t in cluster.top_terms[:3] if t in bursting}
        if hot:
            candidates.append((cluster, hot))
    merged: list[tuple[Cluster, set]] = []
    for cluster, hot in candidates:
        for i, (other, other_hot) in enumerate(merged):
            if hot & other_hot:
                merged[i] = (Cluster(other.post_ids + cluster.post_ids, other.user_ids + cluster.user_ids,
                                     other.top_terms), other_hot | hot)
                break
        else:
            merged.append((cluster, set(hot)))
    out = []
    for cluster, hot in merged:
        if cluster.user_count >= min_users:
            out.append((cluster, sorted((bursting[t] for t in hot), key=lambda b: -b.z)))
    return sorted(out, key=lambda item: -item[0].user_count)
