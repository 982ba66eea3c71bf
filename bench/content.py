"""Anonymous home-page and API v2 list throughput, cached and uncached, beside a bare Django view
doing one primary-key query, all measured in the same run through the same WSGI handler and
middleware (in-process, one client, sequential requests).

    DJANGO_SETTINGS_MODULE=youthvoice.settings.dev DATABASE_URL=sqlite:////tmp/yv.sqlite3 \
        .venv/bin/python bench/content.py --requests 300 [--articles 200] [--api-limit 20]

Run `migrate` and `load_demo_data` on that database first. With REDIS_URL set, the cache is Redis.
`--articles N` adds N more articles under the province's news index (bench data; slow to create,
kept across runs). Target: cached home page >= 0.5x the bare view's rate.
"""

import argparse
import os
import statistics
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--articles", type=int, default=0, help="extra articles to create first")
    parser.add_argument("--api-limit", type=int, default=20, help="page size of the API list")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path

    from home.models import HomePage
    from organizations.models import Organization

    home = HomePage.objects.first()
    if home is None:
        sys.exit("No home page: run migrate and load_demo_data on this database first.")
    if args.articles:
        _make_articles(home, args.articles)
    org_pk = Organization.objects.order_by("pk").values_list("pk", flat=True).first()

    def bare(request):
        org = Organization.objects.only("pk", "name").get(pk=org_pk)
        return HttpResponse(org.name)

    import youthvoice.urls

    urls = types.ModuleType("bench_content_urls")
    urls.urlpatterns = [path("bench/bare/", bare), *youthvoice.urls.urlpatterns]
    sys.modules["bench_content_urls"] = urls

    api_url = f"/api/v2/pages/?type=home.ArticlePage&fields=*&limit={args.api_limit}"
    targets = [("bare view (1 pk query)", "/bench/bare/"), ("home page /", "/"), ("API v2 list", api_url)]
    client = Client(HTTP_HOST="localhost")
    rows = []
    with override_settings(ROOT_URLCONF="bench_content_urls", ALLOWED_HOSTS=["*"], DEBUG=False):
        for cached in (False, True):
            for name, url in targets:
                if name.startswith("bare") and cached:
                    continue
                settings.YV_PAGE_CACHE_ENABLED = cached
                cache.clear()
                rows.append((name, "cached" if cached else "uncached", *_measure(client, url, args, cached, cache)))
    base_rate = rows[0][2]
    print(f"backend: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, cache: "
          f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, requests per row: {args.requests}")
    print(f"{'target':26} {'mode':9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x bare':>7}")
    for name, mode, rate, p50, p99 in rows:
        print(f"{name:26} {mode:9} {rate:8.1f} {p50:8.2f} {p99:8.2f} {rate / base_rate:7.2f}")
    home_cached = next(r for r in rows if r[0] == "home page /" and r[1] == "cached")
    verdict = "OK" if home_cached[2] >= 0.5 * base_rate else "BELOW TARGET"
    print(f"target: cached home page >= 0.5x bare view: {home_cached[2] / base_rate:.2f}x {verdict}")


def _measure(client, url, args, cached, cache):
    for _ in range(args.warmup):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(args.requests):
        if not cached:
            cache.clear()  # fragment caches too: every request renders from the database
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    rate = len(times) / sum(times)
    return rate, statistics.median(times) * 1000, times[min(len(times) - 1, int(len(times) * 0.99))] * 1000


def _make_articles(home, n):
    from home.models import ArticleIndexPage, ArticlePage

    index = ArticleIndexPage.objects.child_of(home).first()
    start = ArticlePage.objects.child_of(index).filter(slug__startswith="bench-").count()
    for i in range(start, start + n):
        page = ArticlePage(title=f"基准测试文章 {i}", slug=f"bench-{i}", summary="用于性能测试的文章。",
                           body=[("paragraph", "<p>青年之声基准测试正文。</p>")])
        index.add_child(instance=page)
        page.save_revision().publish()


if __name__ == "__main__":
    main()
