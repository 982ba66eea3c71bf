"""Q&A API throughput and the deadline sweep, beside a bare Django view doing one primary-key query.

    DATABASE_URL=postgres://youthvoice@127.0.0.1:54331/youthvoice \
      .venv/bin/python bench/qa.py [--questions 100000] [--requests 2000] [--concurrency 16] [--due 400]

Data: tops the database up to --questions questions with `create_random_data` (bulk inserts,
≈3 answers per question; --open-ratio of them open). Requests run through Django's full WSGI
stack (middleware, URL routing, ninja, serialisation, PostgreSQL) in --concurrency threads, each
with its own persistent database connection; with --url they go over HTTP to a running server
instead. Sweep: --due questions are made due for a reminder and --due for escalation, then one
sweep run is timed, then a second (nothing due: the steady-state cost over all open questions).
Never run it against a database you care about: it writes random rows.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "600")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def run(name, paths, requests, concurrency, url=None):
    """Fire `requests` GETs over `paths` from `concurrency` threads; return (req/s, p50 ms, p99 ms)."""
    from django.db import connection
    from django.test import Client

    latencies, errors = [], []
    lock = threading.Lock()
    per_thread = max(1, requests // concurrency)

    def worker(seed):
        rng = random.Random(seed)
        if url:
            import requests as http

            session = http.Session()
            get = lambda p: session.get(url.rstrip("/") + p)  # noqa: E731
        else:
            client = Client()
            get = client.get
        mine = []
        for _ in range(per_thread):
            path = rng.choice(paths)
            t = time.perf_counter()
            r = get(path)
            mine.append(time.perf_counter() - t)
            if r.status_code != 200:
                with lock:
                    errors.append((path, r.status_code))
        with lock:
            latencies.extend(mine)
        connection.close()

    # warm-up (connections, URL resolver, caches)
    warm = threading.Thread(target=worker, args=(-1,))
    warm.start()
    warm.join()
    latencies.clear()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    rps = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    print(f"{name:<50} {rps:8.0f} req/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   mean {statistics.mean(latencies) * 1000:6.1f} ms"
          + (f"   ERRORS {len(errors)} e.g. {errors[0]}" if errors else ""))
    return rps, p50, p99


def wrk(name, host, paths, seconds, connections):
    """wrk (C, no GIL on the client side) over `paths` picked at random; returns (req/s, p50 ms, p99 ms)."""
    import re
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", f.name, host],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    print(f"{name:<50} {rps:8.0f} req/s   p50 {ms('50%'):7.1f} ms   p99 {ms('99%'):7.1f} ms"
          + (f"   NON-2xx {bad.group(1)}" if bad else "") + (f"   SOCKET ERRORS {errors.group(1)}" if errors else ""))
    return rps, ms("50%"), ms("99%")


def http_bench(args, user_ids, hot_ids, q_ids):
    """The same endpoints through gunicorn (production settings) and wrk, at --concurrency connections."""
    import signal
    import subprocess
    import urllib.request

    from django.conf import settings

    port = 8047
    root = Path(__file__).resolve().parent.parent
    db = settings.DATABASES["default"]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.load_settings", PYTHONPATH=str(root),
               DATABASE_URL=os.environ["DATABASE_URL"], DJANGO_SECRET_KEY="qa-bench-only-secret-key-0123456789abcdefghijkl",
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_STATIC_ROOT="/tmp/youthvoice-qa-static",
               GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(args.wrk), GUNICORN_THREADS="4",
               GUNICORN_ACCESSLOG="", DJANGO_LOG_LEVEL="ERROR", DJANGO_CONN_MAX_AGE="600")
    assert db["NAME"] in env["DATABASE_URL"]
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "youthvoice.wsgi:application"],
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    host = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(host + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        print("-" * 110)
        print(f"over HTTP: gunicorn {args.wrk} workers × 4 threads (production settings), wrk {args.concurrency} connections, "
              f"{args.wrk_seconds}s each, after a warm-up of each")
        endpoints = [("bare view (1 PK query)", [f"/api/bench/bare/{u}/" for u in user_ids]),
                     ("GET /api/community/questions/", ["/api/community/questions/?limit=20"]),
                     ("GET /api/community/questions/<id>/  200 popular", [f"/api/community/questions/{i}/" for i in hot_ids]),
                     ("GET /api/community/questions/<id>/  800 random", [f"/api/community/questions/{i}/" for i in q_ids]),
                     ("bare view again (load check)", [f"/api/bench/bare/{u}/" for u in user_ids])]
        results = {}
        for name, paths in endpoints:
            wrk("(warm-up) " + name, host, paths, 3, args.concurrency)  # warm-up: every worker connects
        for name, paths in endpoints:
            if "popular" in name:  # popular questions are in the detail cache, as they are in production
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(8) as pool:
                    list(pool.map(lambda p: urllib.request.urlopen(host + p, timeout=30).read(), paths))
            results[name] = wrk(name, host, paths, args.wrk_seconds, args.concurrency)
        base = (results["bare view (1 PK query)"][0] + results["bare view again (load check)"][0]) / 2
        print("-" * 110)
        for name, (rps, _, p99) in results.items():
            if not name.startswith("bare"):
                print(f"HTTP {name:<48} throughput = {rps / base:.2f}× bare view, p99 {p99:.1f} ms")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--questions", type=int, default=100_000)
    p.add_argument("--answers-per-question", type=float, default=3.0)
    p.add_argument("--open-ratio", type=float, default=0.2)
    p.add_argument("--requests", type=int, default=2000, help="per endpoint")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--due", type=int, default=400, help="questions made due for reminder and for escalation")
    p.add_argument("--sweep-all-open", action="store_true",
                   help="before the sweep, reopen every question (as already reminded/escalated where past due): "
                        "the sweep then runs over all of them as open questions")
    p.add_argument("--url", default=None, help="benchmark a running server over HTTP instead of in-process")
    p.add_argument("--wrk", type=int, default=0, metavar="WORKERS",
                   help="also measure over HTTP: start gunicorn (WORKERS processes × 4 threads, production settings, "
                        "bench/load_settings.py) on this database and drive it with wrk (--concurrency connections)")
    p.add_argument("--wrk-seconds", type=int, default=15)
    p.add_argument("--http-only", action="store_true", help="with --wrk: only the HTTP measurement (no in-process runs, no sweep)")
    args = p.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.http import JsonResponse
    from django.urls import clear_url_caches, path
    from django.utils import timezone

    from community import services
    from community.models import Answer, Question, QuestionStatus
    from organizations.models import Organization

    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL (set DATABASE_URL); figures are not comparable", file=sys.stderr)

    User = get_user_model()

    def bare(request, pk):
        user = User.objects.only("pk", "username").get(pk=pk)
        return JsonResponse({"id": user.pk, "username": user.username})

    import youthvoice.urls as project_urls

    bench_urls = types.ModuleType("qa_bench_urls")
    bench_urls.urlpatterns = [path("api/bench/bare/<int:pk>/", bare), *project_urls.urlpatterns]
    sys.modules["qa_bench_urls"] = bench_urls
    settings.ROOT_URLCONF = "qa_bench_urls"
    clear_url_caches()

    if not Organization.objects.exists():
        call_command("load_demo_data")
    have = Question.objects.count()
    if have < args.questions:
        t = time.perf_counter()
        call_command("create_random_data", questions=args.questions - have, answers_per_question=args.answers_per_question,
                     open_ratio=args.open_ratio, seed=have + 1)
        print(f"generated {args.questions - have} questions in {time.perf_counter() - t:.1f}s")
        with connection.cursor() as c:
            c.execute("ANALYZE")
    n_q, n_a = Question.objects.count(), Answer.objects.count()
    n_open = Question.objects.filter(status=QuestionStatus.OPEN).count()
    print(f"data: {n_q} questions ({n_open} open), {n_a} answers; {connection.vendor}; "
          f"concurrency {args.concurrency}; {args.requests} requests per endpoint; "
          f"{'HTTP ' + args.url if args.url else 'in-process WSGI'}")

    rng = random.Random(7)
    max_q = Question.objects.order_by("-pk").values_list("pk", flat=True).first()
    min_q = Question.objects.order_by("pk").values_list("pk", flat=True).first()
    q_ids = [rng.randint(min_q, max_q) for _ in range(800)]
    q_ids = list(Question.objects.filter(pk__in=q_ids).values_list("pk", flat=True))
    user_ids = list(User.objects.values_list("pk", flat=True)[:500])
    org_slugs = list(Organization.objects.filter(kind="city").values_list("slug", flat=True))

    hot_ids = q_ids[:200]  # popular questions: read again and again, served from the detail cache
    if args.http_only and args.wrk:
        http_bench(args, user_ids, hot_ids, q_ids)
        return
    print("-" * 110)
    base_rps, _, _ = run("bare view (1 PK query)", [f"/api/bench/bare/{u}/" for u in user_ids], args.requests, args.concurrency, args.url)
    results = {}
    results["list"] = run("GET /api/community/questions/", ["/api/community/questions/?limit=20"], args.requests, args.concurrency, args.url)
    run("  ... ?sort=hot", ["/api/community/questions/?limit=20&sort=hot"], args.requests, args.concurrency, args.url)
    run("  ... ?branch=<city>&sort=latest", [f"/api/community/questions/?limit=20&branch={s}" for s in org_slugs],
        args.requests, args.concurrency, args.url)
    results["detail (200 popular)"] = run("GET /api/community/questions/<id>/  200 popular",
                                          [f"/api/community/questions/{i}/" for i in hot_ids],
                                          args.requests, args.concurrency, args.url)
    results["detail (800 random)"] = run("GET /api/community/questions/<id>/  800 random",
                                         [f"/api/community/questions/{i}/" for i in q_ids],
                                         args.requests, args.concurrency, args.url)
    run("GET /qa/<id>/ (HTML page)", [f"/qa/{i}/" for i in q_ids], args.requests // 2, args.concurrency, args.url)
    end_rps, _, _ = run("bare view again (load check)", [f"/api/bench/bare/{u}/" for u in user_ids], args.requests,
                        args.concurrency, args.url)
    print("-" * 110)
    base = (base_rps + end_rps) / 2
    for key, (rps, _, p99) in results.items():
        print(f"{key:<21} throughput = {rps / base:.2f}× bare view (mean of both bare runs), p99 {p99:.1f} ms")
    if not args.url:
        t = time.perf_counter()
        views = services.flush_views()
        print(f"flush of the views counted in Redis during the run: {views} views in {(time.perf_counter() - t) * 1000:.0f} ms")

    if args.wrk:
        http_bench(args, user_ids, hot_ids, q_ids)

    # The sweep: make some questions due, time one run, then the steady state.
    now = timezone.now()
    if args.sweep_all_open:
        from django.db.models import Case, When

        t = time.perf_counter()
        Question.objects.exclude(status=QuestionStatus.OPEN).update(
            status=QuestionStatus.OPEN,
            reminded_at=Case(When(remind_at__lte=now, then="remind_at"), default=None),
            escalated_at=Case(When(deadline_at__lte=now, then="deadline_at"), default=None))
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE community_question")
        n_open = Question.objects.filter(status=QuestionStatus.OPEN).count()
        print(f"reopened all questions for the sweep in {time.perf_counter() - t:.0f}s: {n_open} open")
    open_ids = list(Question.objects.filter(status=QuestionStatus.OPEN).order_by("?").values_list("pk", flat=True)[: args.due * 2])
    remind_ids, escalate_ids = open_ids[: args.due], open_ids[args.due:]
    Question.objects.filter(pk__in=remind_ids).update(remind_at=now - timezone.timedelta(minutes=5),
                                                      deadline_at=now + timezone.timedelta(minutes=55),
                                                      reminded_at=None, escalated_at=None)
    Question.objects.filter(pk__in=escalate_ids).update(deadline_at=now - timezone.timedelta(minutes=5),
                                                        reminded_at=now - timezone.timedelta(hours=1), escalated_at=None)
    t = time.perf_counter()
    done = services.sweep_deadlines(now=now)
    due_time = time.perf_counter() - t
    t = time.perf_counter()
    again = services.sweep_deadlines(now=now)
    idle_time = time.perf_counter() - t
    print(f"sweep with {len(remind_ids)} reminders + {len(escalate_ids)} escalations due over {n_open} open questions: "
          f"{due_time:.2f}s {done}")
    print(f"sweep with nothing due over {n_open} open questions: {idle_time * 1000:.1f} ms {again}")


if __name__ == "__main__":
    main()
