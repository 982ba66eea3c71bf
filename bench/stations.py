"""Benchmark: nearest-station queries and booking throughput, beside a bare one-query view.

    scripts/services.sh start          # PostgreSQL + Redis on loopback (YV_PG_PORT/YV_REDIS_PORT)
    .venv/bin/python bench/stations.py --stations 10000 --queries 500 --bookings 800 --threads 16

It uses its own database (`<name>_bench` beside DATABASE_URL's, created and migrated on first run)
and prints p50/p99 latency and throughput for:
  * baseline      GET of a bare Django view doing one primary-key query (same stack, same run)
  * nearest       GET /api/stations/nearest?lat=&lng=&limit=10 over N stations, random points in Guangdong
  * nearest-sql   the selector alone: one SQL query (bounding box on the (latitude, longitude) index,
                  haversine in SQL, ordered, limited) returning every field the endpoint shows
  * booking       POST /api/stations/bookings on distinct slots from T threads (T connections)
  * baseline-T    the bare view from T threads, for comparison
Targets (issue 6): nearest p99 ≤ 10 ms at 10,000 stations; booking ≥ 150/s with p99 ≤ 100 ms at 16.

Two modes, each with its own baseline (ratios are against the bare view in the same mode):
  * in-process (default): Django's test client in the bench process; the 16 connections are
    threads spread over --procs forked processes (each process's CPU time is printed: a process
    near 100 % of one core is capped by its GIL / the machine, and so is the bare view beside it).
  * --http N: the same requests over HTTP to gunicorn (deploy/gunicorn.conf.py, N sync workers)
    started by the bench on 127.0.0.1, clients in --procs processes (`--http 0` skips it).
Database connections persist between requests (DJANGO_CONN_MAX_AGE=600, as in production) unless
the environment says otherwise.
"""

import argparse
import os
import random
import sys
import threading
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "600")


def _bench_db_url(url: str) -> str:
    base, _, name = url.rpartition("/")
    return f"{base}/{name or 'youthvoice'}_bench"


def setup_django(db_url: str, migrate: bool = True):
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.test")
    import psycopg

    base, _, name = db_url.rpartition("/")
    if migrate:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    if migrate:
        call_command("migrate", verbosity=0)
        from home.services import ensure_wagtail_root

        ensure_wagtail_root()
    # A urlconf with the bare baseline view in front of the project's URLs.
    from django.http import HttpResponse
    from django.urls import include, path

    from organizations.models import Organization

    def bare(request, pk):
        org = Organization.objects.get(pk=pk)
        return HttpResponse(org.name)

    mod = types.ModuleType("bench_urls")
    mod.urlpatterns = [path("bench/pk/<int:pk>/", bare), path("", include("youthvoice.urls"))]
    sys.modules["bench_urls"] = mod
    settings.ROOT_URLCONF = "bench_urls"


def wsgi_app():
    """gunicorn's app factory (`bench.stations:wsgi_app()`): the project with the bare view in front."""
    setup_django(os.environ["YV_BENCH_DB_URL"], migrate=False)
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def ensure_orgs():
    from organizations.models import Organization, OrganizationKind
    from organizations.services import create_organization

    province = Organization.objects.filter(slug="guangdong").first() or create_organization(
        actor=None, parent=None, name="共青团广东省委员会", short_name="团省委", kind=OrganizationKind.PROVINCE,
        slug="guangdong", adcode="440000", latitude="23.13", longitude="113.26")
    city = Organization.objects.filter(slug="guangzhou").first() or create_organization(
        actor=None, parent=province, name="共青团广州市委员会", short_name="广州市", kind=OrganizationKind.CITY,
        slug="guangzhou", adcode="440100", latitude="23.12", longitude="113.26")
    return province, city


def ensure_stations(n: int, org, admin):
    """Bulk-create stations up to n: Page rows with computed tree paths, then the child rows."""
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from wagtail.models import Locale, Page

    from stations.models import StationPage
    from stations.services import ensure_station_index

    have = StationPage.objects.count()
    if have >= n:
        return have
    index = ensure_station_index(organization=org)
    index = Page.objects.get(pk=index.pk)
    ct = ContentType.objects.get_for_model(StationPage)
    locale = Locale.get_default()
    rng = random.Random(have)
    import uuid

    with transaction.atomic():
        start = index.numchild
        pages = []
        for i in range(n - have):
            k = start + i + 1
            pages.append(Page(
                title=f"基准站点{k}", draft_title=f"基准站点{k}", slug=f"bench-{k}", content_type=ct, live=True,
                path=Page._get_path(index.path, index.depth + 1, k), depth=index.depth + 1, numchild=0,
                url_path=f"{index.url_path}bench-{k}/", locale=locale, translation_key=uuid.uuid4(),
            ))
        Page.objects.bulk_create(pages, batch_size=1000)
        created = Page.objects.filter(path__startswith=index.path, depth=index.depth + 1, content_type=ct,
                                      stationpage__isnull=True)
        for page in created.iterator():
            lat = Decimal(f"{rng.uniform(20.3, 25.4):.6f}")
            lng = Decimal(f"{rng.uniform(109.8, 117.2):.6f}")
            sp = StationPage(page_ptr_id=page.pk, organization=org, address="基准地址", latitude=lat, longitude=lng)
            sp.__dict__.update({f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields})
            sp.save_base(raw=True)
        Page.objects.filter(pk=index.pk).update(numchild=start + n - have)
    return StationPage.objects.count()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] * 1000


def line(name, lat, wall=None, n=None, base=None):
    """One result line; `base` = (latencies, wall, n) of the baseline in the same mode for ratios."""
    thr = f"{n / wall:8.1f}/s" if wall else " " * 10
    ratio = ""
    if base is not None:
        b_lat, b_wall, b_n = base
        ratio = f"  ×{pct(lat, 50) / pct(b_lat, 50):.1f} p50, ×{pct(lat, 99) / pct(b_lat, 99):.1f} p99 vs bare"
        if wall and b_wall:
            ratio += f", {(n / wall) / (b_n / b_wall):.2f} of its throughput"
    print(f"{name:<14} n={len(lat):<6} p50={pct(lat, 50):7.2f} ms  p99={pct(lat, 99):7.2f} ms  {thr}{ratio}")


def timed_gets(client, urls):
    lat = []
    for url in urls:
        t = time.perf_counter()
        r = client.get(url)
        lat.append(time.perf_counter() - t)
        assert r.status_code == 200, (url, r.status_code, r.content[:200])
    return lat


def threaded(threads, work):
    """work(thread_index) -> list of latencies; returns (latencies, wall seconds)."""
    from django.db import connection

    results, barrier = [None] * threads, threading.Barrier(threads + 1)

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connection.close()

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    return [x for r in results for x in (r or [])], wall


CPU_REPORT: list = []


def parallel(procs, threads, work):
    """Run work(i) for i in range(threads) on `threads` threads spread over `procs` forked
    processes (each thread has its own database connection), so that the GIL of one process does
    not cap the figures. Returns (latencies, wall seconds from the common start); the CPU seconds
    each process used go to CPU_REPORT."""
    import multiprocessing

    from django.db import connections

    if procs <= 1:
        cpu = time.process_time()
        lat, wall = threaded(threads, work)
        CPU_REPORT[:] = [(time.process_time() - cpu, wall)]
        return lat, wall
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Barrier(procs + 1), ctx.Queue()
    share = [list(range(threads))[p::procs] for p in range(procs)]

    def child(indices):
        def sub(j):
            return work(indices[j])

        start.wait()
        cpu = time.process_time()
        lat, wall = threaded(len(indices), sub)
        out.put((lat, time.process_time() - cpu, wall))

    ps = [ctx.Process(target=child, args=(share[p],)) for p in range(procs)]
    for p in ps:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    results = [out.get() for _ in ps]
    wall = time.perf_counter() - t0
    for p in ps:
        p.join()
    CPU_REPORT[:] = [(cpu, w) for _, cpu, w in results]
    return [x for lat, _, _ in results for x in lat], wall


def cpu_note(label):
    shares = ", ".join(f"{cpu / w:.0%}" for cpu, w in CPU_REPORT if w)
    print(f"{'':14} ({label}: CPU of each bench process / wall = {shares} of one core)")


def start_gunicorn(workers: int, db_url: str):
    import socket
    import subprocess

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, YV_BENCH_DB_URL=db_url, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers),
               GUNICORN_THREADS="1", GUNICORN_ACCESSLOG="")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--pythonpath", str(ROOT),
                             "bench.stations:wsgi_app()"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open("/tmp/bench-stations-gunicorn.log", "w"))
    return proc, port


class Http:
    """A keep-alive HTTP client for one thread (cookies: session and CSRF)."""

    def __init__(self, port, session=None):
        import http.client

        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Host": "localhost"}
        if session:
            token = "b" * 32
            self.headers.update({"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token})

    def request(self, method, url, body=None):
        import http.client
        import json

        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, url, body=data, headers=headers)
                r = self.conn.getresponse()
                content = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return r.status, content
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")


def wait_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, _ = Http(port).request("GET", "/healthz")
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not start (see /tmp/bench-stations-gunicorn.log)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stations", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--bookings", type=int, default=800)
    ap.add_argument("--threads", type=int, default=16, help="concurrent connections for the write phase")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="processes the threads are spread over")
    ap.add_argument("--http", type=int, default=0, metavar="WORKERS",
                    help="also measure over HTTP against gunicorn with this many workers (0: in-process only)")
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgres://youthvoice@127.0.0.1:54329/youthvoice"))
    args = ap.parse_args()
    db_url = _bench_db_url(args.database_url)
    setup_django(db_url)

    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from stations import selectors, services
    from stations.models import ServiceSlot, StationPage

    User = get_user_model()
    _province, city = ensure_orgs()
    admin, _ = User.objects.get_or_create(username="bench_admin")
    t = time.perf_counter()
    total = ensure_stations(args.stations, city, admin)
    print(f"stations in database: {total} (setup {time.perf_counter() - t:.1f} s); "
          f"CONN_MAX_AGE={os.environ['DJANGO_CONN_MAX_AGE']}")
    rng = random.Random(7)
    points = [(rng.uniform(21.0, 24.8), rng.uniform(110.5, 116.5)) for _ in range(args.queries)]
    nearest_urls = [f"/api/stations/nearest?lat={a:.5f}&lng={b:.5f}&limit=10" for a, b in points]
    bare_url = f"/bench/pk/{city.pk}/"

    # Booking throughput on distinct slots: one station with a service, one slot per booking.
    station = StationPage.objects.filter(services__isnull=False).first()
    if station is None:
        station = services.create_station(
            actor=None, organization=city, title="基准预约站", address="基准地址", latitude="23.1", longitude="113.3",
            services=[{"name": "基准服务", "duration_minutes": 15, "slot_capacity": 1}], admins=[admin])
    service = station.services.first()
    users = [User.objects.get_or_create(username=f"bench_user_{i}")[0] for i in range(args.threads)]
    per = args.bookings // args.threads

    def new_slots():
        from django.db.models import Max

        last = ServiceSlot.objects.filter(service=service).aggregate(m=Max("ends_at"))["m"]
        base = timezone.now().replace(second=0, microsecond=0) + timedelta(days=30)
        base = max(base, last) if last else base
        slots = ServiceSlot.objects.bulk_create([
            ServiceSlot(service=service, station=station, capacity=1, starts_at=base + timedelta(minutes=15 * i),
                        ends_at=base + timedelta(minutes=15 * (i + 1))) for i in range(per * args.threads)])
        return [s.pk for s in slots]

    def check_booked(slot_ids):
        booked = ServiceSlot.objects.filter(pk__in=slot_ids, booked=1).count()
        print(f"{'':14} (slots booked: {booked}/{len(slot_ids)})")

    # ---- in-process -----------------------------------------------------------------------------
    client = Client()
    timed_gets(client, [bare_url] * 20 + nearest_urls[:20])  # warm-up
    print(f"\n== in-process (Django test client), {args.queries} requests, single client ==")
    base1 = timed_gets(client, [bare_url] * args.queries)
    line("baseline", base1)
    line("nearest", timed_gets(client, nearest_urls), base=(base1, None, None))
    lat = []
    for a, b in points:
        t = time.perf_counter()
        found = selectors.nearest_rows(a, b, limit=10)
        lat.append(time.perf_counter() - t)
        assert len(found) == 10
    line("nearest-sql", lat, base=(base1, None, None))

    slot_ids = new_slots()

    def book(i):
        c = Client()
        c.force_login(users[i])
        lat = []
        for sid in slot_ids[i * per:(i + 1) * per]:
            t = time.perf_counter()
            r = c.post("/api/stations/bookings", {"slot_id": sid}, content_type="application/json")
            lat.append(time.perf_counter() - t)
            assert r.status_code == 201, r.content[:200]
        return lat

    def bare(i):
        c = Client()
        return timed_gets(c, [bare_url] * per)

    print(f"\n-- {args.threads} connections ({args.procs} processes), {per * args.threads} requests --")
    lat, wall = parallel(args.procs, args.threads, bare)
    base16 = (lat, wall, len(lat))
    line(f"baseline-{args.threads}", lat, wall, len(lat))
    cpu_note("bare")
    lat, wall = parallel(args.procs, args.threads, book)
    line("booking", lat, wall, len(lat), base=base16)
    cpu_note("booking")
    check_booked(slot_ids)

    # ---- HTTP against gunicorn --------------------------------------------------------------------
    if args.http:
        sessions = []
        for u in users:
            c = Client()
            c.force_login(u)
            sessions.append(c.cookies["sessionid"].value)
        from django.db import connections

        connections.close_all()
        proc, port = start_gunicorn(args.http, db_url)
        try:
            wait_port(port)
            warm = Http(port)
            for url in [bare_url] * (10 * args.http) + nearest_urls[:10 * args.http]:
                warm.request("GET", url)

            def http_gets(h, urls):
                lat = []
                for url in urls:
                    t = time.perf_counter()
                    status, body = h.request("GET", url)
                    lat.append(time.perf_counter() - t)
                    assert status == 200, (url, status, body[:200])
                return lat

            print(f"\n== HTTP: gunicorn {args.http} sync workers on 127.0.0.1, {args.queries} requests, single client ==")
            h = Http(port)
            base1 = http_gets(h, [bare_url] * args.queries)
            line("baseline", base1)
            line("nearest", http_gets(h, nearest_urls), base=(base1, None, None))

            slot_ids = new_slots()
            connections.close_all()

            def http_book(i):
                h = Http(port, sessions[i])
                lat = []
                for sid in slot_ids[i * per:(i + 1) * per]:
                    t = time.perf_counter()
                    status, body = h.request("POST", "/api/stations/bookings", {"slot_id": sid})
                    lat.append(time.perf_counter() - t)
                    assert status == 201, body[:200]
                return lat

            def http_bare(i):
                return http_gets(Http(port), [bare_url] * per)

            print(f"\n-- {args.threads} connections ({args.procs} client processes), {per * args.threads} requests --")
            lat, wall = parallel(args.procs, args.threads, http_bare)
            base16 = (lat, wall, len(lat))
            line(f"baseline-{args.threads}", lat, wall, len(lat))
            lat, wall = parallel(args.procs, args.threads, http_book)
            line("booking", lat, wall, len(lat), base=base16)
            check_booked(slot_ids)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"\npython {sys.version.split()[0]}, {os.cpu_count()} CPUs (shared), "
          f"PostgreSQL at {args.database_url.rpartition('@')[2]}")


if __name__ == "__main__":
    main()
