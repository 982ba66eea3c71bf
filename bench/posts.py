"""What one write costs the web process: the POST of a question (ask), an answer, a booking and its
cancellation through the JSON API, beside a bare one-query view measured in the same run — CPU
time of this process per request (`time.process_time`: what a web core spends, whatever else runs
on the machine), wall time, SQL statements and transactions committed. docs/capacity.md's `Rp`
(POSTs per web core) and `w` (commits per write) come from here.

In-process (Django's test client, the bench settings: production settings, Redis cache and broker,
rate limits on and raised as bench/load_settings.py says), against a PostgreSQL database holding
the demo data (the bench/pages.py database). What it creates is deleted at the end (questions,
answers) or cancelled (bookings). Celery tasks are only enqueued, as in a web worker.

    YV_PG_PORT=54350 YV_REDIS_PORT=63850 DATABASE_URL=postgres://youthvoice@127.0.0.1:54350/youthvoice_pages \\
        REDIS_URL=redis://127.0.0.1:63850/3 DJANGO_SECRET_KEY=… DJANGO_ALLOWED_HOSTS=testserver \\
        DJANGO_SETTINGS_MODULE=bench.load_settings .venv/bin/python bench/posts.py [--n 40]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load_settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TOPICS = ["就业见习", "创业担保贷款", "心理咨询", "法律援助", "团员证补办", "志愿服务时长", "青年之家预约", "实习补贴"]


class Commits:
    """Counts the transactions this connection commits (atomic blocks and autocommit statements)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        if not connection.in_atomic_block:
            self.n += 1  # an autocommit statement commits by itself
        return execute(sql, params, many, context)


def measure(name, calls):
    """calls: a list of zero-argument functions, each one request; returns a result row."""
    cpu, wall, queries, commits, statuses = [], [], [], [], {}
    for call in calls:
        counter = Commits()
        real_commit = connection.commit

        def commit(counter=counter, real_commit=real_commit):
            counter.n += 1
            return real_commit()

        connection.commit = commit
        try:
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(counter):
                t_cpu, t_wall = time.process_time(), time.perf_counter()
                response = call()
                cpu.append((time.process_time() - t_cpu) * 1000)
                wall.append((time.perf_counter() - t_wall) * 1000)
        finally:
            del connection.commit
        queries.append(len(ctx.captured_queries))
        commits.append(counter.n)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return {"name": name, "n": len(cpu), "cpu": statistics.median(cpu), "cpu_mean": statistics.fmean(cpu),
            "wall": statistics.median(wall), "queries": statistics.median(queries),
            "commits": statistics.median(commits), "statuses": statuses}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="requests of each kind (default 40)")
    args = parser.parse_args()

    from django.contrib.auth import get_user_model

    from community.models import Answer, Question
    from organizations.models import Organization
    from organizations.permissions import totp_required
    from stations.models import Booking, ServiceSlot

    User = get_user_model()
    youths = [u for u in User.objects.filter(is_staff=False, is_superuser=False, is_active=True).order_by("pk")[:300]
              if not totp_required(u)][:20]
    if not youths:
        sys.exit("no youth account in this database: load the demo data first")
    clients = []
    for user in youths:
        client = Client()
        client.force_login(user)
        clients.append(client)
    anon = Client()
    org_pk = Organization.objects.order_by("pk").values_list("pk", flat=True).first()
    question_pks = list(Question.objects.filter(status="answered", moderation_status="visible")
                        .order_by("-pk").values_list("pk", flat=True)[:20])
    from django.utils import timezone

    slots = list(ServiceSlot.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at")
                 .values_list("pk", flat=True)[: args.n * 3])

    created_questions, created_answers, bookings = [], [], []
    stamp = time.time_ns() % 10**9

    def post_creating(client_of, url_of, body_of, created):
        """A request maker: POST JSON; the new object's id (on 201) goes to `created`."""
        def make(i):
            def call():
                r = client_of(i).post(url_of(i), body_of(i), content_type="application/json")
                if r.status_code == 201:
                    created.append(r.json()["id"])
                return r
            return call
        return make

    ask = post_creating(lambda i: clients[i % len(clients)], lambda i: "/api/community/questions/", lambda i: {
        "title": f"关于{TOPICS[i % len(TOPICS)]}的问题（第{i}问 {stamp}）",
        "body": f"我想了解{TOPICS[i % len(TOPICS)]}方面的政策和办理流程，请问需要准备哪些材料？（{stamp}-{i}）",
        "domain": ["employment", "legal", "psychology", "entrepreneurship"][i % 4]}, created_questions)
    answer = post_creating(lambda i: clients[(i + 7) % len(clients)],
                           lambda i: f"/api/community/questions/{question_pks[i % len(question_pks)]}/answers/",
                           lambda i: {"body": f"建议先咨询当地青年之家，带上身份证和相关证明材料。（{stamp}-{i}）"},
                           created_answers)

    def book(i):
        def call():
            client = clients[i % len(clients)]
            for _ in range(3):
                if not slots:
                    break
                r = client.post("/api/stations/bookings", {"slot_id": slots.pop(0)}, content_type="application/json")
                if r.status_code == 201:
                    bookings.append((client, r.json()["id"]))
                    return r
                if r.status_code != 409:  # full or booked already: try the next slot
                    return r
            return r
        return call

    def cancel(i):
        def call():
            client, pk = bookings[i]
            return client.post(f"/api/stations/bookings/{pk}/cancel", {}, content_type="application/json")
        return call

    def bare(_i):
        return lambda: anon.get(f"/bench/pk/{org_pk}/")

    for warm in (bare, ask, answer):  # the first request of each kind imports and compiles
        warm(10**6)()
    rows = [measure("bare view (1 PK query)", [bare(i) for i in range(args.n)]),
            measure("ask (API POST)", [ask(i) for i in range(args.n)]),
            measure("answer (API POST)", [answer(i) for i in range(args.n)] if question_pks else [])
            if question_pks else None,
            measure("book (API POST)", [book(i) for i in range(args.n)] if slots else []) if slots else None]
    rows = [r for r in rows if r]
    if bookings:
        rows.append(measure("cancel booking (API POST)", [cancel(i) for i in range(len(bookings))]))

    # clean up what was created
    Answer.objects.filter(pk__in=created_answers).delete()
    Question.objects.filter(pk__in=created_questions).delete()
    Booking.objects.filter(pk__in=[pk for _c, pk in bookings], status="cancelled").delete()  # cancelled above

    base = rows[0]["cpu"]
    load = os.getloadavg()
    print(f"bench/posts.py, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; median of {args.n} requests each, in-process")
    print("| request | CPU ms (web process) | × bare | POSTs per web core (1000 / CPU ms) | wall ms | SQL statements "
          "| transactions | statuses |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        per_core = 1000 / r["cpu"] if r["cpu"] else 0
        print(f"| {r['name']} | {r['cpu']:.1f} | {r['cpu'] / base:.1f} | {per_core:.0f} | {r['wall']:.1f} "
              f"| {r['queries']:.0f} | {r['commits']:.0f} | {r['statuses']} |")


if __name__ == "__main__":
    main()
