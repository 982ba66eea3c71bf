"""Screening throughput: the Aho–Corasick matcher (both engines) against a naive per-word `in` loop,
same data; and the monitoring jobs' times over the database in DATABASE_URL.

    .venv/bin/python bench/moderation.py [--words 20000] [--mb 10] [--naive-mb 0.5] [--ascii-rate 0.02]
    DATABASE_URL=... .venv/bin/python bench/moderation.py --monitoring [--baseline-days 8]

Prints MB/s for each engine and the naive loop and the ratios, wall clock and per CPU-second (process
time: honest on a shared machine, where wall MB/s falls with the load), and the load averages. The
naive loop folds the text the same way (so it is just as robust) and then tests every word with `in`;
it is measured on a slice (--naive-mb) because it is slow.

--monitoring: builds the hourly term baselines for the --baseline-days before the newest question
(what the hourly job leaves behind in production; `manage.py monitoring_baselines` does it out of
band), then times the hourly, daily and weekly jobs ending at the newest question, each in a
transaction that is rolled back (alerts and notifications are not kept).
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


LATIN = "0123456789abcdefghijklmnopqrstuvwxyz"


def make_posts(megabytes, rng, words=(), post_chars=400, hit_rate=0.02, ascii_rate=0.0):
    """Random Chinese posts; `hit_rate` of them carry a listed word (real posts rarely do);
    `ascii_rate` of the characters are digits or Latin letters (2024年, QQ群: what makes the
    screening scan the CJK skeleton too)."""
    posts, size = [], 0
    target = megabytes * 1024 * 1024

    def char():
        r = rng.random()
        return rng.choice(LATIN) if r < ascii_rate else rng.choice(COMMON) if r > 0.08 else rng.choice("，。？！ ")

    while size < target:
        text = "".join(char() for _ in range(post_chars))
        if words and rng.random() < hit_rate:
            cut = rng.randrange(post_chars)
            text = text[:cut] + rng.choice(words) + text[cut:]
        posts.append(text)
        size += len(text.encode())
    return posts, size


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def screening(args):
    from moderation.domain.matcher import ENGINES, Matcher
    from moderation.domain.normalize import fold, fold_table

    fold_table()
    rng = random.Random(42)
    words = make_words(args.words, rng)
    actions = ["block", "hold", "mask"]
    posts, size = make_posts(args.mb, rng, words, ascii_rate=args.ascii_rate)
    mb = size / 1024 / 1024

    naive_posts, naive_size = make_posts(args.naive_mb, random.Random(7), words, ascii_rate=args.ascii_rate)
    folded_words = [fold(w) for w in words]

    def naive():
        n = 0
        for text in naive_posts:
            f = fold(text)
            n += any(w in f for w in folded_words)
        return n

    _, naive_wall, naive_cpu = timed(naive)
    naive_mb = naive_size / 1024 / 1024
    print(f"load averages: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"naive loop:   {naive_mb:.2f} MB in {naive_wall:.2f} s = {naive_mb / naive_wall:.3f} MB/s wall, "
          f"{naive_mb / naive_cpu:.3f} MB/CPU-s")
    for name in ENGINES:
        matcher, build, _ = timed(lambda name=name: Matcher(
            [(w, "other", actions[i % 3]) for i, w in enumerate(words)], ["白色情人节"], engine=name))

        def run(matcher=matcher):
            return sum(bool(matcher.screen(text).hits) for text in posts)

        hits, wall, cpu = timed(run)
        print(f"{name:15s} {len(words)} words, built in {build * 1000:.0f} ms; {mb:.1f} MB in {wall:.2f} s "
              f"({cpu:.2f} CPU-s) = {mb / wall:.1f} MB/s wall, {mb / cpu:.1f} MB/CPU-s; "
              f"{mb / wall / (naive_mb / naive_wall):.0f}x naive wall, {mb / cpu / (naive_mb / naive_cpu):.0f}x naive CPU "
              f"({hits}/{len(posts)} posts with hits)")
    print("targets: ≥ 50x the naive loop and ≥ 20 MB/s")
    print(f"load averages: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def monitoring_jobs(args):
    from datetime import timedelta

    from django.db import transaction

    from community.models import Question
    from moderation import monitoring

    newest = Question.objects.order_by("-asked_at").values_list("asked_at", flat=True).first()
    now = newest.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    print(f"questions: {Question.objects.count()}, jobs end at {now:%Y-%m-%d %H:%M}")
    print(f"load averages: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            if args.baseline_days:
                rows, wall, cpu = timed(lambda: monitoring.build_baselines(
                    start=now - timedelta(days=args.baseline_days), end=now - timedelta(hours=1)))
                print(f"baselines (out of band, {args.baseline_days} days): {rows} hourly rows in {wall:.1f} s "
                      f"({cpu:.1f} CPU-s)")
            for window in monitoring.WINDOWS:
                alerts, wall, cpu = timed(lambda window=window: monitoring.run(now=now, window=window))
                print(f"monitoring {window:5s} job: {wall:.2f} s ({cpu:.2f} CPU-s), {len(alerts)} alerts "
                      f"(target ≤ 60 s)")
            raise Rollback
    except Rollback:
        pass
    print(f"load averages: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--words", type=int, default=20000)
    p.add_argument("--mb", type=float, default=10)
    p.add_argument("--naive-mb", type=float, default=0.5)
    p.add_argument("--ascii-rate", type=float, default=0.0, help="share of digits/Latin letters in the posts")
    p.add_argument("--monitoring", action="store_true", help="time the monitoring jobs over DATABASE_URL")
    p.add_argument("--baseline-days", type=int, default=8)
    args = p.parse_args()

    import django

    django.setup()
    if args.monitoring:
        monitoring_jobs(args)
    else:
        screening(args)


if __name__ == "__main__":
    main()
