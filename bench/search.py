"""Search benchmark: index build rate, query latency (p50/p95/p99) and relevance, for our Chinese
backend and Wagtail's stock database backend, in the same run, beside a baseline (a bare Django
view doing one primary-key query).

    # PostgreSQL (start it with: YV_PG_PORT=54334 YV_REDIS_PORT=63804 scripts/services.sh start)
    DATABASE_URL=postgres://youthvoice@127.0.0.1:54334/youthvoice .venv/bin/python bench/search.py --docs 1000000
    # SQLite (embedded default)
    DATABASE_URL=sqlite:////tmp/bench-search.sqlite3 .venv/bin/python bench/search.py --docs 20000

    # PostgreSQL at scale: the questions already in the database (e.g. a copy of the 1M bench
    # template), indexed with `manage.py rebuild_search_index --model community.Question`
    # (or --build-questions here, which times that build)
    DATABASE_URL=postgres://youthvoice@127.0.0.1:54400/yv_search8 \
        flock /work/benchsvc/bench.lock .venv/bin/python bench/search.py --db-questions --docs 20000

Flags: --docs N synthetic questions (title + body, Chinese, realistic vocabulary), --repeat R runs
of the query set, --chunk indexing batch size, --skip-stock, --relevance-only. The data lives in a
throw-away table (tests/search/probe.py) that is dropped at the end; the database needs the
project's migrations (``manage.py migrate``).

--db-questions: also time the query set against the real ``community.Question`` rows of the
database (visible questions, our backend vs Wagtail's stock query over the same index entries,
and the unified search of the page/API), with the database server's CPU time per query (read
from /proc for the backend process: the server must run on this machine) and the hostile
inputs through the unified search. --build-questions re-indexes them first (bulk, timed).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from modelsearch.backends import get_search_backend  # noqa: E402
from modelsearch.backends.database import SearchBackend as StockBackend  # noqa: E402

from tests.search.probe import probe_table  # noqa: E402
from tests.search.relevance import DICTIONARY, DOCS, QUERIES, recall_at_10  # noqa: E402

CITIES = "广州 深圳 珠海 汕头 佛山 韶关 湛江 肇庆 江门 茂名 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮 顺德".split()
TEMPLATES = [
    "{city}{a}怎么办理？", "请问{city}的{a}需要什么材料", "{a}和{b}可以同时申请吗", "{city}{a}相关政策咨询",
    "关于{a}的问题", "在{city}工作，{a}找谁", "{a}被拒绝了怎么办", "{city}有没有{a}的培训",
]
CRAFTED = [
    "", "   ", "\u3000" * 500, "创业" * 500, "a" * 1000, "(" * 1000, '"' * 999, "OR " * 333, "* " * 500,
    "^(a+)+$" * 100, "((((a|a)*)*)*)" * 60, "\\" * 1000, "'; DROP TABLE x; --" * 50, "NEAR(" * 200,
    "title:创业 " * 80, "创 业 " * 250,
]


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def fmt(ms):
    return f"p50 {percentile(ms, 50):7.2f} ms  p95 {percentile(ms, 95):7.2f} ms  p99 {percentile(ms, 99):7.2f} ms  max {max(ms):7.2f} ms"


def phrases():
    out = []
    for title, body in DOCS.values():
        out.append(title)
        out.extend(p for p in body.replace("，", "。").split("。") if 4 <= len(p) <= 30)
    return out


def generate(n, seed=7):
    rnd = random.Random(seed)
    topics = [t for t, _ in DOCS.values()]
    bodies = phrases()
    for i in range(n):
        a, b = rnd.choice(topics), rnd.choice(topics)
        title = rnd.choice(TEMPLATES).format(city=rnd.choice(CITIES), a=a, b=b)[:120]
        body = "，".join(rnd.sample(bodies, 3)) + f"。编号{i}。"
        yield title, body


def baseline(samples=2000):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.order_by("pk").first()
    pk = user.pk if user else 1
    rf = RequestFactory()

    def view(request):
        obj = User.objects.filter(pk=pk).first()
        return HttpResponse(str(obj.pk if obj else 0))

    ms = []
    for _ in range(samples):
        t = time.perf_counter()
        view(rf.get("/"))
        ms.append((time.perf_counter() - t) * 1000)
    return ms


def index_all(backend, model, chunk):
    t = time.perf_counter()
    n = 0
    qs = model.objects.order_by("pk")
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last)[:chunk])
        if not batch:
            break
        with transaction.atomic():
            backend.add_bulk(model, batch)
        n += len(batch)
        last = batch[-1].pk
    if hasattr(backend, "get_index_for_model"):
        backend.get_index_for_model(model)._refresh_title_norms()  # the new entries only: never rewrite a 10⁶-row index
    return n, time.perf_counter() - t


def query_latency(backend, model, repeat):
    ms = []
    for _ in range(repeat):
        for q, _must, _kind in QUERIES:
            t = time.perf_counter()
            list(backend.search(q, model)[:10])
            ms.append((time.perf_counter() - t) * 1000)
    return ms


def crafted_latency(backend, model):
    ms, errors = [], []
    for q in CRAFTED:
        t = time.perf_counter()
        try:
            with transaction.atomic():
                list(backend.search(q, model)[:10])
                list(backend.autocomplete(q[:200], model)[:10])
        except Exception as exc:  # the stock backend fails on some of these
            errors.append(f"{q[:12]!r}: {type(exc).__name__}")
        ms.append((time.perf_counter() - t) * 1000)
    return ms, errors


def server_cpu_ms():
    """CPU time (user + system) used so far by this connection's PostgreSQL backend process, or None."""
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def timed(fn, samples):
    """Run fn() and record (wall ms, server CPU ms) in samples."""
    cpu0 = server_cpu_ms()
    t = time.perf_counter()
    out = fn()
    wall = (time.perf_counter() - t) * 1000
    cpu1 = server_cpu_ms()
    samples.append((wall, None if cpu0 is None or cpu1 is None else cpu1 - cpu0))
    return out


def fmt_samples(samples):
    wall = [w for w, _ in samples]
    cpu = [c for _, c in samples if c is not None]
    out = fmt(wall)
    if cpu:
        out += f"  | DB CPU p50 {percentile(cpu, 50):6.1f} ms p95 {percentile(cpu, 95):6.1f} ms (10 ms ticks)"
    return out


def db_questions(args, ours, stock):
    """The query set against the database's own questions (e.g. 1M), ours vs stock, and unified."""
    from community.models import Question
    from search import bulk, selectors
    from search.sources import questions_visible

    n = Question.objects.count()
    print(f"questions {n} in the database")
    if args.build_questions:
        print(f"load      {os.getloadavg()}")
        result = bulk.index_model(Question, backend=ours, workers=args.workers, chunk=args.chunk,
                                  drop_gin=args.drop_gin)
        print(f"index     ours  {result.docs} questions (bulk, {args.workers} workers) in {result.seconds:.1f} s "
              f"= {result.rate:,.0f} docs/s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE wagtailsearch_indexentry")
    qs = questions_visible()
    queries = [q for q, _must, _kind in QUERIES]
    # The URLconf imported and its reverse table built, as a server has them after its first
    # request: the first hit with a page URL did both inside one timed search (0.3–0.8 s, the
    # bench's "max" until session 10).
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 - imports the URLconf, fills the reverse table
    print(f"load      {os.getloadavg()}")
    ours_s, unified_s, counts = [], [], []
    for _ in range(args.repeat):
        for q in queries:
            timed(lambda q=q: list(ours.search(q, qs)[:10]), ours_s)
            page = timed(lambda q=q: selectors.unified_search(q=q), unified_s)
            counts.append(page.total)
    print(f"query     ours  {len(ours_s)} question searches (top 10)  {fmt_samples(ours_s)}")
    print(f"unified   ours  {len(unified_s)} searches (all sources, counts, facets)  {fmt_samples(unified_s)}")
    print(f"          totals: {sum(1 for c in counts if c > settings.YV_SEARCH_COUNT_LIMIT)} of {len(counts)} "
          f"capped at {settings.YV_SEARCH_COUNT_LIMIT}+ ; {sum(1 for c in counts if not c)} empty")
    slow = sorted(((w, q) for (w, _), q in zip(unified_s, queries * args.repeat, strict=True)), reverse=True)[:5]
    print("          slowest unified: " + ", ".join(f"{q!r} {w:.0f} ms" for w, q in slow))
    if stock is not None:
        sample = queries[:: max(1, len(queries) // args.stock_queries)][: args.stock_queries]
        stock_s = []
        for q in sample:
            timed(lambda q=q: list(stock.search(q, qs)[:10]), stock_s)
        ours_same = []
        for q in sample:
            timed(lambda q=q: list(ours.search(q, qs)[:10]), ours_same)
        print(f"query     stock {len(stock_s)} question searches (same index, Wagtail's query)  {fmt_samples(stock_s)}")
        print(f"query     ours  the same {len(ours_same)} queries                            {fmt_samples(ours_same)}")
        print(f"          ratio stock/ours p50 {percentile([w for w, _ in stock_s], 50) / percentile([w for w, _ in ours_same], 50):.1f}x")
    crafted = []
    for q in CRAFTED:
        timed(lambda q=q: selectors.unified_search(q=q[:1000]), crafted)
    print(f"crafted   ours  {len(CRAFTED)} hostile inputs, unified search  {fmt_samples(crafted)}")
    for q, (w, c) in zip(CRAFTED, crafted, strict=True):
        cpu = f", DB CPU {c:.0f} ms" if c is not None else ""
        print(f"          {w:8.1f} ms{cpu}  {q[:40]!r}{'…' if len(q) > 40 else ''} ({len(q)} chars)")
    print(f"load      {os.getloadavg()}")


def relevance(backend, model, chunk):
    model.objects.all().delete()
    model.objects.bulk_create([model(title=t, body=b) for t, b in DOCS.values()])
    keys = dict(zip(model.objects.order_by("pk").values_list("pk", flat=True), DOCS.keys(), strict=True))
    index_all(backend, model, chunk)
    score, misses = recall_at_10(lambda q: [keys[o.pk] for o in backend.search(q, model)[:10]])
    return score, misses


def clear_entries(model):
    from django.contrib.contenttypes.models import ContentType
    from modelsearch.conf import get_app_config

    IndexEntry = get_app_config().get_model("IndexEntry")
    ct = ContentType.objects.get_for_model(model)
    IndexEntry.objects.filter(content_type=ct).delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--relevance-only", action="store_true")
    parser.add_argument("--db-questions", action="store_true", help="also time the database's own questions")
    parser.add_argument("--build-questions", action="store_true", help="with --db-questions: re-index them first")
    parser.add_argument("--drop-gin", action="store_true", help="with --build-questions: offline build")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stock-queries", type=int, default=12, help="stock backend: queries timed at scale")
    args = parser.parse_args()

    from search import segmenter
    from search.models import DictionaryTerm

    for term in DICTIONARY:
        DictionaryTerm.objects.get_or_create(term=term)
    segmenter.reload()

    ours = get_search_backend()
    stock = StockBackend({})
    backends = [("ours", ours)] + ([] if args.skip_stock else [("stock", stock)])
    print(f"database: {connection.vendor}; ours: {type(ours).__name__}; stock: {type(stock).__name__}")

    base = baseline()
    print(f"baseline  bare view, one pk query          {fmt(base)}")

    with probe_table("BenchQuestion") as model:
        for name, backend in backends:
            clear_entries(model)
            score, misses = relevance(backend, model, args.chunk)
            print(f"relevance {name:5} recall@10 over {len(QUERIES)} queries: {score:.3f}"
                  + (f"  (missed {len(misses)} queries, e.g. {misses[:3]})" if misses else ""))
        if args.relevance_only:
            return
        model.objects.all().delete()
        t = time.perf_counter()
        rows = [model(title=a, body=b) for a, b in generate(args.docs)]
        for i in range(0, len(rows), 5000):
            model.objects.bulk_create(rows[i:i + 5000])
        print(f"data      {args.docs} synthetic questions inserted in {time.perf_counter() - t:.1f} s")
        for name, backend in backends:
            clear_entries(model)
            n, seconds = index_all(backend, model, args.chunk)
            print(f"index     {name:5} {n} docs in {seconds:.1f} s = {n / seconds:,.0f} docs/s (Wagtail's add_bulk)")
            if name == "ours" and connection.vendor == "postgresql":
                from search import bulk

                clear_entries(model)
                result = bulk.index_model(model, backend=backend, workers=args.workers, chunk=args.chunk)
                print(f"index     ours  {result.docs} docs in {result.seconds:.1f} s = {result.rate:,.0f} docs/s "
                      f"(search.bulk, {args.workers} workers)")
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("ANALYZE")
            lat = query_latency(backend, model, args.repeat)
            hits = sum(1 for q, _, _ in QUERIES if list(backend.search(q, model)[:1]))
            print(f"query     {name:5} {len(lat)} searches      {fmt(lat)}  ({hits}/{len(QUERIES)} queries with results)")
            crafted, errors = crafted_latency(backend, model)
            print(f"crafted   {name:5} {len(CRAFTED)} hostile inputs  {fmt(crafted)}  errors: {len(errors)} {errors[:4]}")
        clear_entries(model)
    if args.db_questions:
        db_questions(args, ours, None if args.skip_stock else stock)
    DictionaryTerm.objects.filter(term__in=DICTIONARY).delete()


if __name__ == "__main__":
    main()
