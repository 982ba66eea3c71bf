"""A real streaming read replica on loopback, the project served with DATABASE_REPLICA_URL, and the
checks and figures of docs/capacity.md ("Read replicas").

    .venv/bin/python bench/replica.py                    # demo data, checks + lag (a minute or two)
    .venv/bin/python bench/replica.py --wrk 10           # + req/s of uncached pages, replica vs primary only
    YV_PG_PORT=5454 YV_REDIS_PORT=6404 .venv/bin/python bench/replica.py --db youthvoice_replica

What it does:
1. Starts the scripts/services.sh PostgreSQL and Redis (YV_PG_PORT / YV_REDIS_PORT, default 54350 /
   63850, like bench/pages.py), prepares the database `--db` (default youthvoice_pages: migrate, demo
   data, collectstatic; bench/pages.py's preparation), then `scripts/services.sh replica-start`: a
   pg_basebackup of the whole cluster streaming to a hot standby on YV_PG_REPLICA_PORT (the
   primary's port + 1; set YV_PG_REPLICA_PORT when that port is taken). A large database in the
   same cluster makes the base backup long.
2. Serves the project with gunicorn (production settings, bench/load_settings.py) with
   DATABASE_REPLICA_URL pointing at the standby, page cache off (every request reads the database)
   and DJANGO_CONN_MAX_AGE=0 (each request's connections close with it, so the servers' statistics
   are flushed at once).
3. Routing: requests every page type as a visitor and as the logged-in youth and reads, from
   pg_stat_database on each server, the sessions and transactions the requests caused: reads must
   land on the replica (the youth's authentication reads stay on the primary).
4. Read-your-writes: the youth asks a question through the form (POST /qa/ask/, then its redirect)
   and through the API (POST /api/community/questions/, then GET it), each read at once after the write:
   both must see it. A visitor without the pin cookie reading the same page at the same instant
   may not (printed: how often the replica was behind).
5. Lag under writes: a writer thread commits `--write-rate` small transactions a second on the
   primary while a prober commits a marker row and polls the replica until it is visible; prints
   p50/p95/max visibility lag and pg_stat_replication's replay_lag.
6. `--wrk N`: req/s of a few uncached pages with the replica and without it (same gunicorn
   settings) — meaningful only on a quiet machine.
Stops the server and removes the replica (`replica-stop`) at the end; the primary keeps running.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import load as loadbench  # noqa: E402
import pages  # noqa: E402  (prepare, PREP, start_server, stop, wrk)

# A youth's session (bench/pages.py's PREP may pick a provincial administrator, whom production asks for TOTP).
YOUTH = r"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from organizations.permissions import totp_required
users = get_user_model().objects.filter(is_staff=False, is_superuser=False, is_active=True).order_by("-pk")[:200]
youth = next(u for u in users if not totp_required(u))
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(youth.pk), settings.AUTHENTICATION_BACKENDS[-1]
store[HASH_SESSION_KEY] = youth.get_session_auth_hash()
store.create()
print("JSON" + json.dumps({"session": store.session_key, "username": youth.username}))
"""

PAGE_KEYS = ["home", "topic", "article", "api_list", "api_detail", "qa_feed", "question", "stations", "station",
             "search", "search_api"]


def services(svc_env: dict, action: str) -> None:
    subprocess.run(["bash", str(ROOT / "scripts/services.sh"), action], check=True, env=svc_env)


def db_stats(url: str, dbname: str) -> dict:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT sessions, xact_commit + xact_rollback, tup_returned + tup_fetched, "
                           "tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = %s",
                           [dbname]).fetchone()
    return {"sessions": row[0], "xacts": row[1], "tuples": row[2], "writes": row[3]}


def delta(before: dict, after: dict) -> dict:
    return {k: after[k] - before[k] for k in before}


class Browser:
    """A cookie-keeping HTTP client (the pin cookie, the session, the CSRF cookie); no redirects followed."""

    def __init__(self, host: str, session: str | None = None):
        self.host = host
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        if session:
            self.jar.set_cookie(http.cookiejar.Cookie(0, "sessionid", session, None, False, "127.0.0.1", False, False,
                                                      "/", True, False, None, False, None, None, {}))

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.host + path, data=data, headers=dict(headers or {}))
        try:
            resp = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as exc:
            resp = exc
        return resp.status, resp.headers, resp.read()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def routing(host, info, stats_urls, dbname) -> list[tuple]:
    """Per page type and visitor kind: sessions and transactions caused on the primary and the replica."""
    rows = []
    for who in ("visitor", "youth"):
        for key in PAGE_KEYS:
            path = info.get(key)
            if not path:
                continue
            b = Browser(host, info["session"] if who == "youth" else None)
            b.request(path)  # warm the worker's caches first: the figures are of the warm render
            time.sleep(0.05)
            before = {k: db_stats(u, dbname) for k, u in stats_urls.items()}
            n = 3
            statuses = {b.request(path)[0] for _ in range(n)}
            time.sleep(0.3)  # the closed backends' statistics reach pg_stat_database
            after = {k: db_stats(u, dbname) for k, u in stats_urls.items()}
            d = {k: delta(before[k], after[k]) for k in before}
            per = {k: {m: v / n for m, v in d[k].items()} for k in d}  # (the statistics reads use db postgres)
            rows.append((who, key, sorted(statuses), per["primary"], per["replica"]))
    return rows


def ask_form(host, session, title, stats=None) -> tuple[bool, bool, dict]:
    """POST /qa/ask/ then its redirect at once: (the asker saw it, a cookie-less visitor saw it, the
    POST's own transactions and row writes on each server when `stats` = (urls, dbname))."""
    b = Browser(host, session)
    status, _, body = b.request("/qa/ask/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not token:
        raise SystemExit(f"GET /qa/ask/ as the youth: {status}")
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "title": title,
                                   "body": "压测：读己之写检查。", "domain": "legal"}).encode()
    before = {k: db_stats(u, stats[1]) for k, u in stats[0].items()} if stats else None
    status, headers, body = b.request("/qa/ask/", data, {"Referer": host + "/qa/ask/"})
    cost = {}
    if stats:
        time.sleep(0.3)
        cost = {k: delta(before[k], db_stats(u, stats[1])) for k, u in stats[0].items()}
    if status != 302:
        raise SystemExit(f"POST /qa/ask/: {status} {body[:300]!r}")
    location = headers["Location"]
    pinned = b.cookie("yv_primary") is not None
    visitor = Browser(host)
    v_status, _, v_body = visitor.request(location)  # the same instant, no pin cookie: the replica
    a_status, _, a_body = b.request(location)
    return (a_status == 200 and title.encode() in a_body and pinned,
            v_status == 200 and title.encode() in v_body, cost)


def ask_api(host, session, title) -> tuple[bool, bool]:
    b = Browser(host, session)
    b.request("/qa/")  # a CSRF cookie
    token = b.cookie("csrftoken")
    payload = json.dumps({"title": title, "body": "压测：接口读己之写检查。", "domain": "legal"}).encode()
    status, _, body = b.request("/api/community/questions/", payload, {"Content-Type": "application/json",
                                                                "X-CSRFToken": token or "", "Referer": host + "/qa/"})
    if status != 201:
        raise SystemExit(f"POST /api/community/questions/: {status} {body[:300]!r}")
    qid = json.loads(body)["id"]
    v_status, _, _ = Browser(host).request(f"/api/community/questions/{qid}/")
    a_status, _, a_body = b.request(f"/api/community/questions/{qid}/")
    return a_status == 200 and title in json.loads(a_body).get("title", ""), v_status == 200


def lag_under_writes(primary_url, replica_url, seconds, rate, probes_per_s=20):
    import psycopg

    with psycopg.connect(primary_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_replica_probe (id bigserial PRIMARY KEY, marker text, "
                     "pad text, at timestamptz DEFAULT now())")
    time.sleep(0.5)
    stop = threading.Event()
    written = [0]

    def writer():
        with psycopg.connect(primary_url, autocommit=True) as w:
            t0 = time.perf_counter()
            while not stop.is_set():
                w.execute("INSERT INTO bench_replica_probe (pad) VALUES (%s)", ["x" * 200])
                written[0] += 1
                ahead = written[0] / rate - (time.perf_counter() - t0)
                if ahead > 0:
                    time.sleep(ahead)

    lags, replay = [], []
    th = threading.Thread(target=writer, daemon=True)
    th.start()
    t_end = time.time() + seconds
    with psycopg.connect(primary_url, autocommit=True) as p, psycopg.connect(replica_url, autocommit=True) as r:
        i = 0
        while time.time() < t_end:
            marker = f"m{os.getpid()}-{i}"
            i += 1
            p.execute("INSERT INTO bench_replica_probe (marker) VALUES (%s)", [marker])
            t0 = time.perf_counter()
            while not r.execute("SELECT 1 FROM bench_replica_probe WHERE marker = %s", [marker]).fetchone():
                if time.perf_counter() - t0 > 10:
                    break
                time.sleep(0.0005)
            lags.append((time.perf_counter() - t0) * 1000)
            row = p.execute("SELECT EXTRACT(epoch FROM replay_lag) * 1000 FROM pg_stat_replication LIMIT 1").fetchone()
            if row and row[0] is not None:
                replay.append(float(row[0]))
            time.sleep(1 / probes_per_s)
    stop.set()
    th.join(5)
    with psycopg.connect(primary_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_replica_probe")
    return lags, replay, written[0] / seconds


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="youthvoice_pages", help="database in the cluster (prepared if missing)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8061)
    ap.add_argument("--lag-seconds", type=float, default=10)
    ap.add_argument("--write-rate", type=float, default=200, help="writer transactions/s during the lag probe")
    ap.add_argument("--checks", type=int, default=5, help="read-your-writes rounds (form and API each)")
    ap.add_argument("--wrk", type=int, default=0, help="seconds of wrk per page and server (0: no throughput run)")
    ap.add_argument("--keep-replica", action="store_true", help="leave the standby running")
    args = ap.parse_args()

    os.environ.setdefault("YV_PG_PORT", "54350")
    os.environ.setdefault("YV_REDIS_PORT", "63850")
    svc = loadbench.services_env()
    svc_env = dict(os.environ, YV_E2E="0")
    base = svc["DATABASE_URL"].rpartition("/")[0]
    pg_port = int(os.environ["YV_PG_PORT"])
    replica_port = int(os.environ.get("YV_PG_REPLICA_PORT", pg_port + 1))
    primary_url = f"{base}/{args.db}"
    replica_url = primary_url.replace(f":{pg_port}/", f":{replica_port}/")
    env = dict(os.environ, DATABASE_URL=primary_url, REDIS_URL=svc["REDIS_URL"].rsplit("/", 1)[0] + "/5",
               DJANGO_SETTINGS_MODULE="bench.load_settings",
               DJANGO_SECRET_KEY="replica-bench-only-secret-key-not-for-production-0123456789",
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver", DJANGO_STATIC_ROOT=f"/tmp/youthvoice-replica-static-{os.environ['YV_PG_PORT']}",
               DJANGO_MEDIA_ROOT=f"/tmp/youthvoice-replica-media-{os.environ['YV_PG_PORT']}", PYTHONPATH=str(ROOT), GUNICORN_ACCESSLOG="",
               DJANGO_LOG_LEVEL="ERROR", YV_OTP_REQUIRED="false")
    load0 = os.getloadavg()
    pages.prepare(env, False, 0, 0)
    info = pages.django_json(env, pages.PREP)
    youth = pages.django_json(env, YOUTH)
    info["session"] = youth["session"]
    logdir = Path(tempfile.mkdtemp(prefix="youthvoice-replica-"))
    served = dict(env, DATABASE_REPLICA_URL=replica_url, YV_PAGE_CACHE_ENABLED="false", YV_PAGE_CACHE_EARLY="false",
                  DJANGO_CONN_MAX_AGE="0")
    host = f"http://127.0.0.1:{args.port}"
    ok = True
    server = None
    try:
        t = time.perf_counter()
        services(svc_env, "replica-start")
        print(f"replica started in {time.perf_counter() - t:.0f} s (base backup of the cluster)", flush=True)
        server = pages.start_server(served, args.port, args.workers, {}, logdir, "replica")
        loadbench.wait_http(host + "/healthz")
        stats_urls = {"primary": f"{base}/postgres", "replica": f"{base.replace(f':{pg_port}', f':{replica_port}')}/postgres"}
        print(f"\nprimary 127.0.0.1:{pg_port}, replica 127.0.0.1:{replica_port}, database {args.db}; "
              f"data {info['counts']}; logged in as {youth['username']}")
        print("\n-- routing: per request (warm), from pg_stat_database: sessions / transactions / tuples read --")
        print(f"{'who':<8} {'page':<12} {'status':<8} {'primary s/x/tup':>20} {'replica s/x/tup':>20}")
        for who, key, status, prim, rep in routing(host, info, stats_urls, args.db):
            print(f"{who:<8} {key:<12} {','.join(map(str, status)):<8} "  # sessions / transactions / tuples
                  f"{prim['sessions']:>5.1f} {prim['xacts']:>6.1f} {prim['tuples']:>7.0f} "
                  f"{rep['sessions']:>5.1f} {rep['xacts']:>6.1f} {rep['tuples']:>7.0f}")
            if who == "visitor" and rep["xacts"] < 1:
                ok = False
                print(f"  ✗ {key}: no read reached the replica")
        print("\n-- read-your-writes: a write, then its read at once --")
        form_ok = api_ok = visitor_saw = 0
        costs = []
        for i in range(args.checks):
            a, v, cost = ask_form(host, info["session"], f"副本读己之写检查第{i}号问题（表单）{time.time_ns()}",
                                  (stats_urls, args.db))
            costs.append(cost)
            form_ok += a
            visitor_saw += v
            a, v = ask_api(host, info["session"], f"副本读己之写检查第{i}号问题（接口）{time.time_ns()}")
            api_ok += a
            visitor_saw += v
        print(f"form POST → redirect: the asker saw the question {form_ok}/{args.checks}; "
              f"API POST → GET: {api_ok}/{args.checks}; a visitor without the pin (the replica) at the same "
              f"instant: {visitor_saw}/{2 * args.checks}")
        ok = ok and form_ok == args.checks and api_ok == args.checks
        avg = {srv: {m: sum(c[srv][m] for c in costs) / len(costs) for m in costs[0][srv]} for srv in costs[0]}
        print(f"one ask (the form's POST alone): primary {avg['primary']['xacts']:.1f} transactions, "
              f"{avg['primary']['writes']:.1f} row writes, {avg['primary']['tuples']:.0f} tuples read; replica "
              f"{avg['replica']['xacts']:.1f} transactions, {avg['replica']['tuples']:.0f} tuples read")
        print(f"\n-- replication lag: {args.write_rate:g} writes/s on the primary for {args.lag_seconds:g} s --")
        lags, replay, rate = lag_under_writes(primary_url, replica_url, args.lag_seconds, args.write_rate)
        print(f"writes achieved {rate:.0f}/s; commit → visible on the replica: p50 {pct(lags, 50):.1f} ms, "
              f"p95 {pct(lags, 95):.1f} ms, max {max(lags):.1f} ms over {len(lags)} probes; "
              f"pg_stat_replication replay_lag p50 {pct(replay, 50):.1f} ms, max "
              f"{max(replay) if replay else float('nan'):.1f} ms")
        if args.wrk:
            plain = pages.start_server(dict(env, YV_PAGE_CACHE_ENABLED="false", YV_PAGE_CACHE_EARLY="false"),
                                       args.port + 1, args.workers, {}, logdir, "primary-only")
            pooled = pages.start_server(dict(served, DJANGO_CONN_MAX_AGE="60"), args.port + 2, args.workers, {},
                                        logdir, "replica-pooled")
            try:
                for h in (args.port + 1, args.port + 2):
                    loadbench.wait_http(f"http://127.0.0.1:{h}/healthz")
                print(f"\n-- throughput, uncached, {args.workers} workers (load {os.getloadavg()[0]:.2f}) --")
                for key in ("topic", "question", "qa_feed"):
                    for label, port in (("primary only", args.port + 1), ("with replica", args.port + 2)):
                        r = pages.wrk(f"http://127.0.0.1:{port}", info[key], args.wrk, 8)
                        if r:
                            print(f"{key:<10} {label:<14} {r[0]:8.0f} req/s  p50 {r[1]:6.1f} ms  p99 {r[2]:7.1f} ms")
            finally:
                pages.stop(plain)
                pages.stop(pooled)
    finally:
        if server is not None:
            pages.stop(server)
        if not args.keep_replica:
            services(svc_env, "replica-stop")
    load1 = os.getloadavg()
    print(f"\n{os.cpu_count()} CPUs; load average {load0[0]:.2f} at the start, {load1[0]:.2f} at the end; "
          f"logs in {logdir}; {'OK' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
