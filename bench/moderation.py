"""Screening throughput: the Aho–Corasick matcher against a naive per-word `in` loop, same data.

    .venv/bin/python bench/moderation.py [--words 20000] [--mb 10] [--naive-mb 0.5]

Prints MB/s for both and the ratio. The naive loop folds the text the same way (so it is just as
robust) and then tests every word with `in`; it is measured on a slice (--naive-mb) because it is slow.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")

COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    "十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
)


def make_words(n, rng):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(COMMON) for _ in range(rng.choice((3, 4, 4, 5)))))
    return sorted(words)


def make_posts(megabytes, rng, words=(), post_chars=400, hit_rate=0.02):
    """Random Chinese posts; `hit_rate` of them carry a listed word (real posts rarely do)."""
    posts, size = [], 0
    target = megabytes * 1024 * 1024
    while size < target:
        text = "".join(rng.choice(COMMON) if rng.random() > 0.08 else rng.choice("，。？！ ") for _ in range(post_chars))
        if words and rng.random() < hit_rate:
            cut = rng.randrange(post_chars)
            text = text[:cut] + rng.choice(words) + text[cut:]
        posts.append(text)
        size += len(text.encode())
    return posts, size


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--words", type=int, default=20000)
    p.add_argument("--mb", type=float, default=10)
    p.add_argument("--naive-mb", type=float, default=0.5)
    args = p.parse_args()

    import django

    django.setup()
    from moderation.domain.matcher import Matcher
    from moderation.domain.normalize import fold

    rng = random.Random(42)
    words = make_words(args.words, rng)
    actions = ["block", "hold", "mask"]
    t = time.perf_counter()
    matcher = Matcher([(w, "other", actions[i % 3]) for i, w in enumerate(words)], ["白色情人节"])
    build = time.perf_counter() - t
    posts, size = make_posts(args.mb, rng, words)

    t = time.perf_counter()
    hits = 0
    for text in posts:
        hits += bool(matcher.screen(text).hits)
    ac = time.perf_counter() - t
    ac_mbs = size / 1024 / 1024 / ac

    naive_posts, naive_size = make_posts(args.naive_mb, random.Random(7), words)
    folded_words = [fold(w) for w in words]
    t = time.perf_counter()
    naive_hits = 0
    for text in naive_posts:
        f = fold(text)
        naive_hits += any(w in f for w in folded_words)
    naive = time.perf_counter() - t
    naive_mbs = naive_size / 1024 / 1024 / naive

    print(f"word list: {len(words)} words, automaton built in {build * 1000:.0f} ms")
    print(f"aho-corasick: {size / 1024 / 1024:.1f} MB in {ac:.2f} s = {ac_mbs:.1f} MB/s ({hits}/{len(posts)} posts with hits)")
    print(f"naive loop:   {naive_size / 1024 / 1024:.2f} MB in {naive:.2f} s = {naive_mbs:.3f} MB/s")
    print(f"ratio: {ac_mbs / naive_mbs:.0f}x (target ≥ 50x and ≥ 20 MB/s)")


if __name__ == "__main__":
    main()
