"""Load: a Locust scenario (bench/locustfile.py) against gunicorn + PostgreSQL + Redis with
production settings (DEBUG off; bench/load_settings.py says what differs and why).

    make load                                      # calibrate 30 s, then 2× for 10 minutes
    .venv/bin/python bench/load.py --duration 60   # a short run while developing

1. Prepares the database `youthvoice_load` on the scripts/services.sh PostgreSQL (migrate, demo
   data, collectstatic, `--accounts` youth accounts for the logged-in part), starts gunicorn on
   127.0.0.1:`--port` (deploy/gunicorn.conf.py, `--workers`) and one Celery worker.
2. Warm-up (`--warmup` s, 5 users, not measured), then calibration: ONE virtual user, no think time, for `--calibrate` seconds: the rate the box
   sustains for one client at its median response (requests/s = 1 / median, about).
3. The run: `--multiplier` (2) × that rate as an open arrival rate spread over `--users` virtual
   users (constant throughput each) for `--duration` seconds.
Prints requests, failures, server errors (5xx), p50/p95/p99 per endpoint and the error rate; exits
non-zero on any server error or an error rate ≥ 0.1 %. A booking answered 409 (the slot filled up
meanwhile) is a correct answer and is counted apart, not as a failure.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv/bin/python")
PASSWORD = "yv-load-2026"

ACCOUNTS = """
import random
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from organizations.models import Organization
User = get_user_model()
orgs = list(Organization.objects.filter(is_active=True).values_list("pk", flat=True))
pw = make_password("{password}")
have = set(User.objects.filter(username__startswith="load_youth_").values_list("username", flat=True))
rng = random.Random(5)
User.objects.bulk_create([
    User(username=f"load_youth_{{i}}", password=pw, email=f"load{{i}}@example.org", display_name=f"压测青年{{i}}",
         organization_id=rng.choice(orgs), date_joined=timezone.now() - timedelta(days=30))
    for i in range({n}) if f"load_youth_{{i}}" not in have])
print(User.objects.filter(username__startswith="load_youth_").count(), "load accounts")
# Log them in ahead of the run (PBKDF2 costs a CPU-second per login: 20 simultaneous logins would
# be the whole first minute). One real login through the form is checked by prepare().
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
store = import_module(settings.SESSION_ENGINE).SessionStore
sessions = {{}}
for u in User.objects.filter(username__startswith="load_youth_"):
    s = store()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(u.pk), settings.AUTHENTICATION_BACKENDS[-1]
    s[HASH_SESSION_KEY] = u.get_session_auth_hash()
    s.create()
    sessions[u.username] = s.session_key
open("{sessions_file}", "w").write(json.dumps(sessions))
"""


def services_env() -> dict:
    env = dict(os.environ, YV_E2E="0")
    subprocess.run(["bash", str(ROOT / "scripts/services.sh"), "start"], check=True, env=env, stdout=subprocess.DEVNULL)
    out = subprocess.run(["bash", str(ROOT / "scripts/services.sh"), "env"], check=True, env=env,
                         capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def manage(env, *args, **kw):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, **kw)


def prepare(env, accounts: int, sessions_file: str):
    import psycopg

    base, _, name = env["DATABASE_URL"].rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    t = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v0")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        has_demo = conn.execute("SELECT count(*) FROM community_question").fetchone()[0] > 0
    if not has_demo:
        manage(env, "load_demo_data", stdout=subprocess.DEVNULL)
    if not (Path(env["DJANGO_STATIC_ROOT"]) / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "shell", "-c", ACCOUNTS.format(password=PASSWORD, n=accounts, sessions_file=sessions_file))
    print(f"prepared {name} in {time.perf_counter() - t:.0f} s")


def wait_http(url, timeout=240):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def check_login(host):
    """One real login through the form (the run itself uses sessions made in prepare())."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(host + "/accounts/login/", timeout=30).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode({"username": "load_youth_0", "password": PASSWORD,
                                   "csrfmiddlewaretoken": token}).encode()
    opener.open(urllib.request.Request(host + "/accounts/login/", data=data), timeout=30).read()
    assert any(c.name == "sessionid" for c in jar), "the login form did not log load_youth_0 in"


def locust(env, host, users, rate_per_user, seconds, results):
    env = dict(env, YV_LOAD_RATE=str(rate_per_user), YV_LOAD_RESULTS=results, YV_LOAD_USERS_PASSWORD=PASSWORD)
    subprocess.run([str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(max(1, users)), "-t", f"{int(seconds)}s", "--host", host,
                    "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "10"],
                   cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL,
                   stderr=open(Path(results).with_suffix(".log"), "w"))
    with open(results) as f:
        return json.load(f)


def pct(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def summarise(data, seconds):
    rows, tot = [], {"n": 0, "fail": 0, "5xx": 0, "409": 0, "lat": []}
    for name in sorted(data["latency"]):
        if name in ("setup", "login"):
            continue
        lat, status = data["latency"][name], data["status"][name]
        n = sum(status.values())
        s5 = sum(v for k, v in status.items() if k.startswith("5"))
        conflict = status.get("409", 0) if name == "book (API)" else 0
        fail = sum(v for k, v in status.items() if k == "0" or int(k) >= 400) - conflict
        rows.append((name, n, fail, s5, conflict, pct(lat, 50), pct(lat, 95), pct(lat, 99)))
        tot["n"] += n
        tot["fail"] += fail
        tot["5xx"] += s5
        tot["409"] += conflict
        tot["lat"] += lat
    return rows, tot


def print_table(rows, tot, seconds, title):
    print(f"\n-- {title} --")
    print(f"{'endpoint':<24}{'requests':>9}{'failures':>9}{'5xx':>6}{'409':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, n, fail, s5, conflict, p50, p95, p99 in rows:
        print(f"{name:<24}{n:>9}{fail:>9}{s5:>6}{conflict:>6}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}")
    rate = tot["n"] / seconds if seconds else 0
    err = 100 * tot["fail"] / tot["n"] if tot["n"] else 0
    print(f"{'TOTAL':<24}{tot['n']:>9}{tot['fail']:>9}{tot['5xx']:>6}{tot['409']:>6}{pct(tot['lat'], 50):>9.0f}"
          f"{pct(tot['lat'], 95):>9.0f}{pct(tot['lat'], 99):>9.0f}")
    print(f"throughput {rate:.1f} req/s over {seconds:.0f} s; error rate {err:.3f} %; server errors {tot['5xx']}")
    return rate, err


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=600, help="seconds of the main run (10 minutes by default)")
    ap.add_argument("--calibrate", type=float, default=30, help="seconds of the one-user calibration")
    ap.add_argument("--warmup", type=float, default=20, help="seconds of unmeasured warm-up with 5 users")
    ap.add_argument("--multiplier", type=float, default=2.0, help="× the calibrated rate")
    ap.add_argument("--users", type=int, default=20, help="virtual users sharing the target rate")
    ap.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn worker processes")
    ap.add_argument("--accounts", type=int, default=200, help="youth accounts the virtual users log in as")
    ap.add_argument("--port", type=int, default=int(os.environ.get("YV_LOAD_PORT", "8034")))
    ap.add_argument("--no-worker", action="store_true", help="do not start a Celery worker")
    args = ap.parse_args()

    svc = services_env()
    env = dict(os.environ, DATABASE_URL=svc["DATABASE_URL"].rpartition("/")[0] + "/youthvoice_load",
               REDIS_URL=svc["REDIS_URL"].rsplit("/", 1)[0] + "/2", DJANGO_SETTINGS_MODULE="bench.load_settings",
               DJANGO_SECRET_KEY="load-test-only-secret-key-not-for-production-0123456789",
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_STATIC_ROOT="/tmp/youthvoice-load-static",
               DJANGO_MEDIA_ROOT="/tmp/youthvoice-load-media", YV_LOAD_ACCOUNTS=str(args.accounts),
               PYTHONPATH=str(ROOT), GUNICORN_BIND=f"127.0.0.1:{args.port}", WEB_CONCURRENCY=str(args.workers),
               GUNICORN_ACCESSLOG="", DJANGO_LOG_LEVEL="ERROR")
    logdir = Path(tempfile.mkdtemp(prefix="youthvoice-load-"))
    env["YV_LOAD_SESSIONS"] = str(logdir / "sessions.json")
    prepare(env, args.accounts, env["YV_LOAD_SESSIONS"])
    procs = [subprocess.Popen([PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "youthvoice.wsgi:application"],
                              cwd=ROOT, env=env, stdout=open(logdir / "gunicorn.log", "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)]
    if not args.no_worker:
        procs.append(subprocess.Popen([PY, "-m", "celery", "-A", "youthvoice", "worker", "-c", "1", "-l", "WARNING",
                                       "--without-mingle", "--without-gossip"], cwd=ROOT, env=env,
                                      stdout=open(logdir / "worker.log", "w"), stderr=subprocess.STDOUT,
                                      start_new_session=True))
    host = f"http://127.0.0.1:{args.port}"
    try:
        wait_http(host + "/healthz")
        check_login(host)
        if args.warmup:  # every gunicorn worker loads its lazy state (jieba, templates, matchers) first
            locust(env, host, 5, 0, args.warmup, str(logdir / "warmup.json"))
        calib = locust(env, host, 1, 0, args.calibrate, str(logdir / "calibrate.json"))
        rows, tot = summarise(calib, args.calibrate)
        rate1, _ = print_table(rows, tot, args.calibrate, f"calibration: 1 user, no think time, {args.calibrate:.0f} s")
        median = pct(tot["lat"], 50)
        target = args.multiplier * rate1
        print(f"sustained by one client: {rate1:.1f} req/s at a median of {median:.0f} ms → target "
              f"{args.multiplier:g}× = {target:.1f} req/s over {args.users} users")
        main_run = locust(env, host, args.users, target / args.users, args.duration, str(logdir / "run.json"))
        rows, tot = summarise(main_run, args.duration)
        rate, err = print_table(rows, tot, args.duration,
                                f"{args.multiplier:g}× for {args.duration:.0f} s (target {target:.1f} req/s)")
        print(f"\ngunicorn {args.workers} workers (sync), DEBUG off, PostgreSQL + Redis on loopback, "
              f"{os.cpu_count()} CPUs shared; achieved {100 * rate / target:.0f} % of the target rate; logs in {logdir}")
        ok = tot["5xx"] == 0 and err < 0.1
    finally:
        for p in procs:
            try:
                os.kill(p.pid, signal.SIGTERM)
                p.wait(30)
            except Exception:
                os.killpg(p.pid, signal.SIGKILL)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
