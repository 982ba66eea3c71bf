"""Every page type, as a visitor and as a logged-in youth, from the page cache and rendered — beside a
bare one-query Django view served the same way in the same run.

    .venv/bin/python bench/pages.py                 # the demo data
    .venv/bin/python bench/pages.py --large         # + 10,000 stations and 1,000,000 questions
    .venv/bin/python bench/pages.py --seconds 5 --only home,question   # a quick look while developing

What it does:
1. Starts the scripts/services.sh PostgreSQL and Redis (ports from YV_PG_PORT / YV_REDIS_PORT,
   default 54350 / 63850), prepares the database `youthvoice_pages` (or `youthvoice_pages_large`):
   migrate, demo data, collectstatic; with --large tops it up to --stations stations and
   --questions questions (bulk inserts: bench/stations.py, `create_random_data`).
2. Serves the project twice with gunicorn (production settings via bench/load_settings.py: DEBUG
   off, Redis cache, the bare view `/bench/pk/<pk>/` in front of the project's URLs): once as
   deployed (page cache on) and once with the page cache off (YV_PAGE_CACHE_ENABLED=false), so
   "uncached" is the render of a warm process — fragment caches and database caches warm.
3. For each page: counts the database queries and bytes of one request in-process (Django's test
   client, the same settings) — cold (cache cleared, as after a publish) and warm — then drives it
   with wrk (`--connections`, `--seconds`) in each state, and the bare view before every group.
Prints rps, p50/p99, the ratio to the bare view of the same server in the same run, queries and
bytes; `--markdown` prints the table for docs/performance.md. The load average is printed at the
start and the end: figures from a busy machine are not comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv/bin/python")
sys.path.insert(0, str(ROOT / "bench"))

import load as loadbench  # noqa: E402  (bench/load.py: services, manage, wait_http)

# The pages, each as (key, label, how the path is found). Paths come from the database (PREP below).
PAGES = [
    ("home", "home /"),
    ("branch", "branch home (广州)"),
    ("article", "article"),
    ("topic", "topic page"),
    ("api_list", "API v2 list (20, fields=*)"),
    ("api_detail", "API v2 detail"),
    ("qa_feed", "/qa/ feed"),
    ("question", "question page"),
    ("stations", "/stations/ list"),
    ("station", "station page"),
    ("station_map", "station map data"),
    ("nearest", "nearest stations API"),
    ("search", "search page"),
    ("search_api", "search API"),
]

PREP = r"""
import json, random
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db.models import Count
from importlib import import_module
from django.urls import NoReverseMatch, reverse
from wagtail.models import Page

from community.models import Question
from organizations.models import Organization

def url_of(model, **filters):
    page = model.objects.live().filter(**filters).order_by("depth", "pk").first()
    return page.url if page else None

from home.models import ArticlePage, BranchHomePage, TopicPage
from stations.models import StationPage

out = {}
out["bare"] = "/bench/pk/%d/" % Organization.objects.order_by("pk").values_list("pk", flat=True).first()
out["home"] = "/"
branch = BranchHomePage.objects.live().exclude(depth=2).filter(title__contains="广州").order_by("depth").first() \
    or BranchHomePage.objects.live().exclude(depth=2).order_by("depth").first()
out["branch"] = branch.url if branch else None
out["article"] = url_of(ArticlePage)
out["topic"] = url_of(TopicPage)
out["api_list"] = "/api/v2/pages/?limit=20&fields=*"
first = ArticlePage.objects.live().order_by("pk").first()
out["api_detail"] = "/api/v2/pages/%d/" % first.pk if first else None
out["qa_feed"] = "/qa/"
q = (Question.objects.filter(answers__isnull=False).annotate(n=Count("answers")).order_by("-n", "pk")
     .values_list("pk", flat=True).first())
out["question"] = "/qa/%d/" % q if q else None
out["stations"] = "/stations/"
station = StationPage.objects.live().order_by("pk").first()
out["station"] = station.url if station else None
for name in ("stations:map-data", "station-map-data"):
    try:
        out["station_map"] = reverse(name)
        break
    except NoReverseMatch:
        out["station_map"] = None
if station is not None and station.latitude is not None:
    out["nearest"] = "/api/stations/nearest?lat=%s&lng=%s" % (station.latitude, station.longitude)
out["search"] = "/search/?q=%E5%B0%B1%E4%B8%9A"
out["search_api"] = "/api/search/?q=%E5%B0%B1%E4%B8%9A"
User = get_user_model()
youth = User.objects.filter(username="youth_xiaoming").first() or User.objects.filter(is_staff=False, staff_memberships__isnull=True).order_by("pk").first()
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(youth.pk), settings.AUTHENTICATION_BACKENDS[-1]
store[HASH_SESSION_KEY] = youth.get_session_auth_hash()
store.create()
out["session"] = store.session_key
out["counts"] = {"stations": StationPage.objects.count(), "questions": Question.objects.count(),
                 "pages": Page.objects.count()}
print("JSON" + json.dumps(out))
"""

# Queries and bytes of one request, in-process: cold (every cache cleared: the first render after a
# publish) and warm (the second request), as a visitor and as the logged-in youth.
COUNT = r"""
import json
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.conf import settings
paths = json.loads({paths!r})
session = {session!r}
res = {{}}
for key, path in paths.items():
    row = {{}}
    for who in ("anon", "user"):
        c = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        if who == "user":
            c.cookies[settings.SESSION_COOKIE_NAME] = session
        for state in ("cold", "warm"):
            if state == "cold":
                for alias in settings.CACHES:
                    caches[alias].clear()
            with CaptureQueriesContext(connection) as ctx:
                r = c.get(path)
            row[f"{{who}}_{{state}}"] = [r.status_code, len(ctx.captured_queries), len(r.content)]
    res[key] = row
print("JSON" + json.dumps(res))
"""


def django_json(env, script):
    proc = subprocess.run([PY, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr[-4000:])
    out = proc.stdout
    line = next(x for x in out.splitlines() if x.startswith("JSON"))
    return json.loads(line[4:])


def prepare(env, large: bool, stations: int, questions: int):
    import psycopg

    base, _, name = env["DATABASE_URL"].rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    t = time.perf_counter()
    loadbench.manage(env, "migrate", "--noinput", "-v0")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        has_demo = conn.execute("SELECT count(*) FROM community_question").fetchone()[0] > 0
    if not has_demo:
        loadbench.manage(env, "load_demo_data", stdout=subprocess.DEVNULL)
    # Always (it copies only what changed): a manifest from an older checkout lacks new files, and
    # production settings then answer 500 on every page that uses one.
    loadbench.manage(env, "collectstatic", "--noinput", "-v0")
    if large:
        subprocess.run([PY, str(ROOT / "bench/pages_large.py"), "--stations", str(stations), "--questions",
                        str(questions)], cwd=ROOT, env=env, check=True)
    print(f"prepared {name} in {time.perf_counter() - t:.0f} s")


def wrk(host, path, seconds, connections, cookie=None):
    """(rps, p50 ms, p99 ms, non-2xx) for one path with wrk; None when wrk is missing."""
    if not shutil.which("wrk"):
        return None
    cmd = ["wrk", "-t2", "--timeout", "30s", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", host + path]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")

    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"Socket errors: .*timeout (\d+)", out)
    return ((float(m.group(1)) if m else 0.0), ms("50%"), ms("99%"),
            (int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0))


def start_server(env, port, workers, extra, logdir, tag):
    env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers), **extra)
    return subprocess.Popen([PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "youthvoice.wsgi:application"],
                            cwd=ROOT, env=env, stdout=open(logdir / f"gunicorn-{tag}.log", "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    except Exception:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except Exception:
            pass


def warm(host, path, cookie=None, n=8):
    for _ in range(n):
        req = urllib.request.Request(host + path, headers={"Cookie": cookie} if cookie else {})
        try:
            urllib.request.urlopen(req, timeout=60).read()
        except Exception:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--large", action="store_true", help="10,000 stations and 1,000,000 questions on top of the demo")
    ap.add_argument("--stations", type=int, default=10_000)
    ap.add_argument("--questions", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=8, help="wrk duration per measurement")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    ap.add_argument("--port", type=int, default=8051)
    ap.add_argument("--only", default="", help="comma-separated page keys (" + ",".join(k for k, _ in PAGES) + ")")
    ap.add_argument("--prepare-only", action="store_true", help="prepare the database and stop")
    ap.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = ap.parse_args()

    os.environ.setdefault("YV_PG_PORT", "54350")
    os.environ.setdefault("YV_REDIS_PORT", "63850")
    svc = loadbench.services_env()
    dbname = "youthvoice_pages_large" if args.large else "youthvoice_pages"
    env = dict(os.environ, DATABASE_URL=svc["DATABASE_URL"].rpartition("/")[0] + "/" + dbname,
               REDIS_URL=svc["REDIS_URL"].rsplit("/", 1)[0] + ("/4" if args.large else "/3"),
               DJANGO_SETTINGS_MODULE="bench.load_settings",
               DJANGO_SECRET_KEY="pages-bench-only-secret-key-not-for-production-0123456789",
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver", DJANGO_STATIC_ROOT=f"/tmp/youthvoice-pages-static-{args.port}",  # per run: parallel collectstatic runs raced
               DJANGO_MEDIA_ROOT="/tmp/youthvoice-pages-media", PYTHONPATH=str(ROOT), GUNICORN_ACCESSLOG="",
               DJANGO_LOG_LEVEL="ERROR", YV_OTP_REQUIRED="false")
    load0 = os.getloadavg()
    prepare(env, args.large, args.stations, args.questions)
    if args.prepare_only:
        return
    info = django_json(env, PREP)
    only = set(filter(None, args.only.split(",")))
    pages = [(k, label, info.get(k)) for k, label in PAGES if (not only or k in only)]
    missing = [k for k, _, p in pages if not p]
    pages = [(k, label, p) for k, label, p in pages if p]
    print(f"data: {info['counts']}; pages without a path here: {', '.join(missing) or 'none'}")

    counts = django_json(dict(env, YV_PAGE_CACHE_ENABLED="false"),
                         COUNT.format(paths=json.dumps({k: p for k, _, p in pages}), session=info["session"]))
    logdir = Path(tempfile.mkdtemp(prefix="youthvoice-pages-"))
    cached = start_server(env, args.port, args.workers, {}, logdir, "cached")
    plain = start_server(env, args.port + 1, args.workers,
                         {"YV_PAGE_CACHE_ENABLED": "false", "YV_PAGE_CACHE_EARLY": "false"}, logdir, "uncached")
    hosts = {"cached": f"http://127.0.0.1:{args.port}", "uncached": f"http://127.0.0.1:{args.port + 1}"}
    cookie = f"sessionid={info['session']}"
    rows = []
    try:
        for h in hosts.values():
            loadbench.wait_http(h + "/healthz")
        bare = {}
        for mode, host in hosts.items():
            warm(host, info["bare"])
            bare[mode] = wrk(host, info["bare"], args.seconds, args.connections)
            print(f"bare one-query view ({mode} server): {bare[mode][0]:.0f} req/s, p50 {bare[mode][1]:.1f} ms, "
                  f"p99 {bare[mode][2]:.1f} ms")
        for key, label, path in pages:
            q = counts.get(key, {})
            for mode, who, host, ck in (("cache hit", "anon", hosts["cached"], None),
                                        ("uncached", "anon", hosts["uncached"], None),
                                        ("logged in", "user", hosts["cached"], cookie)):
                warm(host, path, ck)
                r = wrk(host, path, args.seconds, args.connections, ck)
                base = bare["cached" if host == hosts["cached"] else "uncached"][0]
                status, cold_q, size = q.get(f"{who}_cold", [0, 0, 0])
                warm_q = q.get(f"{who}_warm", [0, 0, 0])[1]
                row = dict(page=label, mode=mode, path=path, rps=r[0], p50=r[1], p99=r[2], bad=r[3],
                           ratio=r[0] / base if base else 0, cold=cold_q, warm=warm_q, bytes=size, status=status)
                rows.append(row)
                print(f"{label:<28} {mode:<10} {row['rps']:8.0f} req/s  p50 {row['p50']:7.1f} ms  p99 {row['p99']:7.1f} ms"
                      f"  {row['ratio']:6.3f}× bare  queries {cold_q:>3} cold / {warm_q:>3} warm  {size / 1024:6.1f} KB"
                      + (f"  NON-2xx {row['bad']}" if row["bad"] else "")
                      + (f"  STATUS {status} in-process" if status != 200 else ""), flush=True)
    finally:
        stop(cached)
        stop(plain)
    load1 = os.getloadavg()
    print(f"\n{os.cpu_count()} CPUs; load average {load0[0]:.2f} at the start, {load1[0]:.2f} at the end; "
          f"gunicorn {args.workers} sync workers per server; wrk {args.connections} connections, {args.seconds:g} s each; "
          f"data {info['counts']}; logs in {logdir}")
    if args.markdown:
        print("\n| page | state | req/s | p50 ms | p99 ms | × bare | queries cold / warm | KB |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['page']} | {r['mode']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['ratio']:.3f}× "
                  f"| {r['cold']} / {r['warm']} | {r['bytes'] / 1024:.1f} |")
        print(f"| bare one-query view | cached server / uncached server | {bare['cached'][0]:.0f} / "
              f"{bare['uncached'][0]:.0f} | {bare['cached'][1]:.1f} / {bare['uncached'][1]:.1f} | "
              f"{bare['cached'][2]:.1f} / {bare['uncached'][2]:.1f} | 1× | 1 | |")


if __name__ == "__main__":
    main()
