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


def _bench_db_url(url: str) -> str:
    base, _, name = url.rpartition("/")
    return f"{base}/{name or 'youthvoice'}_bench"


def setup_django(db_url: str):
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.test")
    import psycopg

    base, _, name = db_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
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
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def line(name, lat, wall=None, n=None):
    thr = f"{n / wall:8.1f}/s" if wall else " " * 10
    print(f"{name:<14} n={len(lat):<6} p50={pct(lat, 50):7.2f} ms  p99={pct(lat, 99):7.2f} ms  {thr}")


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


def parallel(procs, threads, work):
    """Run work(i) for i in range(threads) on `threads` threads spread over `procs` forked
    processes (each thread has its own database connection), so that the GIL of one process does
    not cap the figures. Returns (latencies, wall seconds from the common start)."""
    import multiprocessing

    from django.db import connections

    if procs <= 1:
        return threaded(threads, work)
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Barrier(procs + 1), ctx.Queue()
    share = [list(range(threads))[p::procs] for p in range(procs)]

    def child(indices):
        def sub(j):
            return work(indices[j])

        start.wait()
        lat, _ = threaded(len(indices), sub)
        out.put(lat)

    ps = [ctx.Process(target=child, args=(share[p],)) for p in range(procs)]
    for p in ps:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    lat = [x for _ in ps for x in out.get()]
    wall = time.perf_counter() - t0
    for p in ps:
        p.join()
    return lat, wall


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stations", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--bookings", type=int, default=800)
    ap.add_argument("--threads", type=int, default=16, help="concurrent connections for the write phase")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="processes the threads are spread over")
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgres://youthvoice@127.0.0.1:54329/youthvoice"))
    args = ap.parse_args()
    setup_django(_bench_db_url(args.database_url))

    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from stations import selectors, services
    from stations.models import ServiceSlot, StationPage

    User = get_user_model()
    province, city = ensure_orgs()
    admin, _ = User.objects.get_or_create(username="bench_admin")
    t = time.perf_counter()
    total = ensure_stations(args.stations, city, admin)
    print(f"stations in database: {total} (setup {time.perf_counter() - t:.1f} s)")
    rng = random.Random(7)
    points = [(rng.uniform(21.0, 24.8), rng.uniform(110.5, 116.5)) for _ in range(args.queries)]
    client = Client()
    timed_gets(client, [f"/bench/pk/{city.pk}/"] * 20 + ["/api/stations/nearest?lat=23.1&lng=113.3"] * 20)  # warm-up

    print(f"\n-- single client, {args.queries} requests --")
    line("baseline", timed_gets(client, [f"/bench/pk/{city.pk}/"] * args.queries))
    line("nearest", timed_gets(client, [f"/api/stations/nearest?lat={a:.5f}&lng={b:.5f}&limit=10" for a, b in points]))
    lat = []
    for a, b in points:
        t = time.perf_counter()
        found = selectors.nearest_rows(a, b, limit=10)
        lat.append(time.perf_counter() - t)
        assert len(found) == 10
    line("nearest-sql", lat)

    # Booking throughput on distinct slots: one station with a service, one slot per booking.
    station = StationPage.objects.filter(services__isnull=False).first()
    if station is None:
        station = services.create_station(
            actor=None, organization=city, title="基准预约站", address="基准地址", latitude="23.1", longitude="113.3",
            services=[{"name": "基准服务", "duration_minutes": 15, "slot_capacity": 1}], admins=[admin])
    service = station.services.first()
    base = timezone.now().replace(second=0, microsecond=0) + timedelta(days=30)
    offset = ServiceSlot.objects.filter(service=service).count()
    slots = ServiceSlot.objects.bulk_create([
        ServiceSlot(service=service, station=station, capacity=1, starts_at=base + timedelta(minutes=15 * (offset + i)),
                    ends_at=base + timedelta(minutes=15 * (offset + i + 1))) for i in range(args.bookings)])
    slot_ids = [s.pk for s in slots]
    users = [User.objects.get_or_create(username=f"bench_user_{i}")[0] for i in range(args.threads)]
    per = args.bookings // args.threads

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
        return timed_gets(c, [f"/bench/pk/{city.pk}/"] * per)

    print(f"\n-- {args.threads} connections ({args.procs} processes), {per * args.threads} requests --")
    lat, wall = parallel(args.procs, args.threads, bare)
    line(f"baseline-{args.threads}", lat, wall, len(lat))
    lat, wall = parallel(args.procs, args.threads, book)
    line("booking", lat, wall, len(lat))
    booked = ServiceSlot.objects.filter(pk__in=slot_ids, booked=1).count()
    print(f"\nslots booked: {booked}/{len(slot_ids[:per * args.threads])}; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs (shared), PostgreSQL at {args.database_url.rpartition('@')[2]}")


if __name__ == "__main__":
    main()
