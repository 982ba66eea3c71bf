"""Queries per page type on the embedded demo, as `make run` serves it (SQLite, the cache in files,
settings youthvoice.settings.dev), in four states of the caches:

- empty: the first request after the cache is emptied (a flush; or a new machine);
- hit: the same URL again, anonymous (the page cache answers);
- render: the page cache off, everything else warm (the first visit after a publish, which warms
  the fragments, and any visit once the page's own entry expired);
- idle: like render, after every entry kept five minutes or less has expired (a page nobody
  opened for a while: the featured slots and the hot content are recomputed).

Run it on a copy of the demo database (it empties the cache it is given):

    DJANGO_SETTINGS_MODULE=youthvoice.settings.dev DATABASE_URL=sqlite:////tmp/demo.sqlite3 \\
        YV_CACHE_DIR=/tmp/yv-cache .venv/bin/python bench/embedded_queries.py [--markdown]
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

IDLE_SECONDS = 300


def urls() -> dict[str, str]:
    from alliances.models import ExpertProfile
    from community.models import Question
    from home.models import ActivityPage, ArticlePage, BranchHomePage, TopicPage
    from stations.models import StationPage

    article = ArticlePage.objects.live().order_by("path").first()
    expert = ExpertProfile.objects.filter(status="active").order_by("pk").first()
    question = Question.objects.filter(status="answered").order_by("pk").first() or Question.objects.first()
    return {
        "home": "/",
        "branch": BranchHomePage.objects.live().filter(depth=3).order_by("path").first().url,
        "article": article.url,
        "topic": TopicPage.objects.live().order_by("path").first().url,
        "activity": ActivityPage.objects.live().order_by("path").first().url,
        "API v2 list (5, fields=*)": "/api/v2/pages/?limit=5&fields=*",
        "API v2 list (50, fields=*)": "/api/v2/pages/?limit=50&fields=*",
        "API v2 detail": f"/api/v2/pages/{article.pk}/",
        "/qa/ feed": "/qa/",
        "question": f"/qa/{question.pk}/",
        "/stations/": "/stations/",
        "station": StationPage.objects.live().order_by("path").first().url,
        "map data": "/api/stations/map",
        "expert directory": "/alliances/",
        "expert page": f"/alliances/experts/{expert.pk}/",
        "search page": "/search/?q=%E5%B0%B1%E4%B8%9A",
        "search API": "/api/search/?q=%E5%B0%B1%E4%B8%9A",
    }


def count(url: str) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = Client().get(url)
    return response.status_code, len(ctx.captured_queries), len(response.content)


def expire_short_entries() -> int:
    """Delete the entries of the file cache that expire within IDLE_SECONDS: as if that long passed."""
    import pickle

    location = Path(cache._dir)  # FileBasedCache
    limit, dropped = time.time() + IDLE_SECONDS + 1, 0
    for path in location.glob("*.djcache"):
        try:
            with open(path, "rb") as handle:
                expiry = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError):
            continue
        if expiry is not None and expiry < limit:
            path.unlink(missing_ok=True)
            dropped += 1
    return dropped


def main() -> None:
    markdown = "--markdown" in sys.argv
    rows = []
    for name, url in urls().items():
        cache.clear()
        status, empty, size = count(url)
        _s, hit, _b = count(url)
        with override_settings(YV_PAGE_CACHE_ENABLED=False):
            count(url)
            _s, render, _b = count(url)
            expire_short_entries()
            _s, idle, _b = count(url)
        rows.append((name, status, empty, hit, render, idle, size / 1024, url))
    if markdown:
        print("| page | empty cache | hit | render | idle | KB |\n|---|---|---|---|---|---|")
        for name, _status, empty, hit, render, idle, kb, _url in rows:
            print(f"| {name} | {empty} | {hit} | {render} | {idle} | {kb:.1f} |")
    else:
        print(f"{'page':28} {'status':>6} {'empty':>6} {'hit':>4} {'render':>6} {'idle':>5} {'KB':>6}  url")
        for name, status, empty, hit, render, idle, kb, url in rows:
            print(f"{name:28} {status:>6} {empty:>6} {hit:>4} {render:>6} {idle:>5} {kb:>6.1f}  {url}")


if __name__ == "__main__":
    main()
