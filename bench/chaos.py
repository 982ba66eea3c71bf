"""Chaos: outbox events through a real Celery worker, Redis and PostgreSQL while the worker is killed
with SIGKILL and Redis is restarted (losing its queue), then checking the recipients' side.

    make chaos                                   # = the line below with the defaults
    .venv/bin/python bench/chaos.py --events 10000 --bookings 500 --concurrency 2

It starts (or reuses) the private PostgreSQL and Redis of scripts/services.sh (YV_PG_PORT,
YV_REDIS_PORT), uses its own database `youthvoice_chaos`, and runs with bench/chaos_settings.py
(test settings, real broker, short outbox leases, a file mailbox for the recipients).

Events: `--bookings` booking cycles through stations.services (request: the station admin and the
youth are notified; confirm: the youth is notified — 3 outbox e-mails each) and plain
notifications.services.notify(email=True) calls for the rest, up to `--events` outbox rows. A
producer thread writes them while a Celery worker subprocess delivers them; this process plays
Celery beat (the outbox sweep every `--sweep-every` seconds). Faults, by share of rows sent:
  25 %  SIGKILL the worker (its whole process group), restart Redis without saving (the queue is
        lost), start a new worker
  55 %  restart Redis under the running worker (queue lost again, the worker must reconnect)
  80 %  SIGKILL the worker again and start a new one at once
It prints a table and exits non-zero if any event was lost or seen twice by a recipient.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVICES = ROOT / "scripts" / "services.sh"


def services_env() -> dict:
    env = dict(os.environ, YV_E2E="0")
    subprocess.run(["bash", str(SERVICES), "start"], check=True, env=env, stdout=subprocess.DEVNULL)
    out = subprocess.run(["bash", str(SERVICES), "env"], check=True, env=env, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def restart_redis(redis_port: str) -> float:
    t = time.perf_counter()
    subprocess.run(["redis-cli", "-p", redis_port, "shutdown", "nosave"], capture_output=True)
    time.sleep(1.0)  # down for a moment: publishes in between must fail over to the sweep
    subprocess.run(["bash", str(SERVICES), "start"], check=True, env=dict(os.environ, YV_E2E="0"),
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


class Worker:
    def __init__(self, concurrency: int, logdir: Path):
        self.concurrency, self.logdir, self.proc, self.n = concurrency, logdir, None, 0

    def start(self):
        self.n += 1
        log = open(self.logdir / f"worker-{self.n}.log", "w")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "youthvoice", "worker", "--pool", "prefork",
             "-c", str(self.concurrency), "-l", "WARNING", "--without-mingle", "--without-gossip",
             "--without-heartbeat", "-n", f"chaos{self.n}@%h"],
            cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # warm shutdown: the main process stops its children
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def setup(db_url: str):
    base, _, name = db_url.rpartition("/")
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from home.services import ensure_wagtail_root

    ensure_wagtail_root()


def fixtures(n_users: int, n_bookings: int):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bench.stations import ensure_orgs
    from stations import services as station_services
    from stations.models import ServiceSlot, StationPage

    User = get_user_model()
    _, city = ensure_orgs()
    admin, _ = User.objects.get_or_create(username="chaos_admin", defaults={"email": "chaos-admin@example.org"})
    users = []
    for i in range(n_users):
        u, _ = User.objects.get_or_create(username=f"chaos_youth_{i}", defaults={"email": f"youth{i}@example.org"})
        users.append(u)
    station = StationPage.objects.filter(slug="chaos-station").first() or station_services.create_station(
        actor=None, organization=city, title="混沌测试站", address="广州市天河区", latitude="23.13", longitude="113.33",
        services=[{"name": "心理咨询", "duration_minutes": 15, "slot_capacity": 1}], admins=[admin], slug="chaos-station")
    service = station.services.first()
    base = timezone.now().replace(second=0, microsecond=0) + timedelta(days=60)
    offset = ServiceSlot.objects.filter(service=service).count()
    slots = ServiceSlot.objects.bulk_create([
        ServiceSlot(service=service, station=station, capacity=1,
                    starts_at=base + timedelta(minutes=15 * (offset + i)),
                    ends_at=base + timedelta(minutes=15 * (offset + i + 1))) for i in range(n_bookings)])
    return admin, users, [s.pk for s in slots]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10000, help="outbox e-mails to produce")
    ap.add_argument("--bookings", type=int, default=500, help="booking cycles (3 e-mails each) among them")
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=2, help="worker processes")
    ap.add_argument("--sweep-every", type=float, default=5.0, help="seconds between outbox sweeps (beat)")
    ap.add_argument("--timeout", type=float, default=600.0, help="give up draining after this many seconds")
    args = ap.parse_args()
    if args.bookings * 3 > args.events:
        ap.error("--events must be at least 3 × --bookings")

    env = services_env()
    redis_port = env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0]
    run_dir = Path(os.environ.get("YV_CHAOS_DIR", f"/tmp/youthvoice-chaos-{os.getpid()}"))
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    os.environ.update(
        DATABASE_URL=env["DATABASE_URL"].rpartition("/")[0] + "/youthvoice_chaos", REDIS_URL=env["REDIS_URL"],
        DJANGO_SETTINGS_MODULE="bench.chaos_settings", YV_CHAOS_MAILBOX=str(run_dir / "mailbox"),
        PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    )
    t = time.perf_counter()
    setup(os.environ["DATABASE_URL"])
    from django.db import connection, transaction
    from django.db.models import Count, Max

    from notifications import services as outbox
    from notifications.models import Notification, OutboxMessage, OutboxStatus
    from stations import services as station_services
    from youthvoice.celery import app

    admin, users, slot_ids = fixtures(args.users, args.bookings)
    watermark = OutboxMessage.objects.aggregate(m=Max("pk"))["m"] or 0
    notif_watermark = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
    others = app.control.ping(timeout=1.0)
    if others:  # another worker on this broker would keep consuming through our faults
        raise SystemExit(f"other Celery workers answer on {env['REDIS_URL']}: {others}; stop them first")
    app.control.purge()  # tasks left by an earlier run
    print(f"setup {time.perf_counter() - t:.1f} s; run dir {run_dir}")

    ours = OutboxMessage.objects.filter(pk__gt=watermark)
    produced = Counter()
    producer_errors = []
    run_tag = f"{os.getpid()}-{int(time.time())}"

    def produce():
        rng = random.Random(11)
        plain = args.events - 3 * args.bookings
        plan = ["booking"] * args.bookings + ["notify"] * plain
        rng.shuffle(plan)
        b = 0
        try:
            for i, kind in enumerate(plan):
                if kind == "booking":
                    youth = users[b % len(users)]
                    booking = station_services.request_booking(user=youth, slot_id=slot_ids[b])
                    station_services.confirm_booking(actor=admin, booking_id=booking.pk)
                    b += 1
                    produced["booking cycles"] += 1
                else:
                    with transaction.atomic():
                        outbox.notify(recipients=[users[i % len(users)]], kind="chaos", title=f"混沌测试通知 {i}",
                                      body="这是一条测试通知。", url="/notifications/", email=True,
                                      dedupe_key=f"chaos:{run_tag}:{i}")
                    produced["notify calls"] += 1
        except Exception as exc:  # reported in the table; the run then fails
            producer_errors.append(repr(exc))
        finally:
            connection.close()

    worker = Worker(args.concurrency, run_dir)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))  # run the finally below
    try:
        wall, log, sweeps, republished = run(args, worker, ours, produce, redis_port, outbox, OutboxStatus, Count)
    finally:
        worker.stop()
    report(args, run_dir, ours, watermark, notif_watermark, produced, producer_errors, wall, log, sweeps, republished)


def run(args, worker, ours, produce, redis_port, outbox, OutboxStatus, Count):
    worker.start()
    t0 = time.perf_counter()
    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    faults = [(0.25, "kill+redis"), (0.55, "redis"), (0.80, "kill")]
    log, sweeps, republished, last_sweep = [], 0, 0, 0.0
    while True:
        time.sleep(0.5)
        now = time.perf_counter() - t0
        counts = dict(ours.values_list("status").annotate(n=Count("pk")))
        sent = counts.get(OutboxStatus.SENT, 0)
        if faults and sent >= faults[0][0] * args.events:
            _share, what = faults.pop(0)
            if "kill" in what:
                worker.kill()
                log.append(f"{now:6.1f} s  sent {sent:>6}: SIGKILL worker #{worker.n} (process group)")
            if "redis" in what:
                took = restart_redis(redis_port)
                log.append(f"{time.perf_counter() - t0:6.1f} s  sent {sent:>6}: Redis restarted without saving "
                           f"(queue lost), down {took:.1f} s")
            if "kill" in what:
                worker.start()
                log.append(f"{time.perf_counter() - t0:6.1f} s  worker #{worker.n} started")
        if now - last_sweep >= args.sweep_every:
            last_sweep = now
            republished += outbox.sweep()
            sweeps += 1
        open_rows = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
        if not producer.is_alive() and open_rows == 0:
            break
        if now > args.timeout:
            log.append(f"{now:6.1f} s  TIMEOUT with {open_rows} rows still open")
            break
    wall = time.perf_counter() - t0
    producer.join()
    return wall, log, sweeps, republished


def report(args, run_dir, ours, watermark, notif_watermark, produced, producer_errors, wall, log, sweeps,
           republished):
    """The recipients' side: the mailbox and the sends log against the outbox rows."""
    from django.db.models import Count

    from notifications.models import Notification, OutboxMessage

    rows = list(ours.values_list("pk", "status", "created_at", "attempts"))
    expected = {OutboxMessage(pk=pk, created_at=c).message_id.strip("<>"): st for pk, st, c, _ in rows}
    inbox_dir = run_dir / "mailbox" / "inbox"
    inbox = set(os.listdir(inbox_dir)) if inbox_dir.exists() else set()
    sends_log = run_dir / "mailbox" / "sends.log"
    sends = Counter(line.split("\t")[0].strip("<>") for line in sends_log.read_text().splitlines()) \
        if sends_log.exists() else Counter()
    statuses = Counter(st for _, st, _, _ in rows)
    lost = sum(1 for mid in expected if mid not in inbox)
    # Rows of earlier (interrupted) runs that this run's sweeps delivered are not strangers.
    earlier = {m.message_id.strip("<>") for m in OutboxMessage.objects.filter(pk__lte=watermark)
               .only("pk", "created_at")} & inbox
    strangers = len(inbox - set(expected) - earlier)
    resent = sum(n - 1 for n in sends.values() if n > 1)
    notifs = Notification.objects.filter(pk__gt=notif_watermark)
    dup_notifs = notifs.exclude(dedupe_key="").values("recipient", "dedupe_key").annotate(n=Count("pk")) \
        .filter(n__gt=1).count()
    retried = sum(1 for *_, a in rows if a > 1)

    print("\n-- faults --")
    for entry in log:
        print(entry)
    print("\n-- outbox under faults --")
    table = [
        ("events produced (booking cycles / notify calls)",
         f"{produced['booking cycles']} / {produced['notify calls']}"),
        ("outbox e-mails written", len(rows)),
        ("in-site notifications written", notifs.count()),
        ("sent / failed / still open", (f"{statuses.get('sent', 0)} / {statuses.get('failed', 0)} / "
                                        f"{statuses.get('pending', 0) + statuses.get('sending', 0)}")),
        ("in recipients' mailboxes", len(inbox & set(expected))),
        ("earlier runs' leftover rows delivered by this run", len(earlier)),
        ("LOST (written, not in a mailbox)", lost),
        # A re-send under another Message-ID would be a second copy in the mailbox, not matching its row.
        ("DELIVERED TWICE (extra copies in mailboxes)", strangers),
        ("duplicate in-site notifications", dup_notifs),
        ("SMTP-level re-sends after a kill (same Message-ID)", resent),
        ("rows that needed more than one attempt", retried),
        ("sweeps / tasks re-published by the sweep", f"{sweeps} / {republished}"),
        ("wall time, drain rate", f"{wall:.1f} s, {len(rows) / wall:.0f} e-mails/s"),
    ]
    for name, value in table:
        print(f"{name:<52} {value:>16}")
    if producer_errors:
        print("producer errors:", producer_errors[:3])
    print(f"\nworker: celery prefork -c {args.concurrency}; python {sys.version.split()[0]}, {os.cpu_count()} CPUs "
          f"(shared); outbox lease {os.environ.get('YV_OUTBOX_LEASE_SECONDS', '30')} s, re-send after "
          f"{os.environ.get('YV_OUTBOX_RESEND_AFTER_SECONDS', '45')} s; logs in {run_dir}")
    ok = notifs.count() == len(rows) and not lost and not strangers and not dup_notifs and not producer_errors and len(rows) == args.events
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
