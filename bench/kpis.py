"""Nightly KPI aggregation at provincial volume, and the dashboard API over a year, beside a bare
Django view doing one primary-key query (the baseline), measured in the same run.

    YV_PG_PORT=54331 scripts/services.sh start
    eval "$(YV_PG_PORT=54331 scripts/services.sh env)"; export DATABASE_URL
    .venv/bin/python bench/kpis.py [--history-questions 300000] [--history-answers 2.5] \
        [--day-questions 40000] [--day-answers 1.5] [--users 20000] [--staff 2000] [--requests 200]

Data (PostgreSQL only; generated with INSERT … SELECT generate_series, set-based):
- the Guangdong organisation tree and demo users (load_demo_data, once);
- --users youths and --staff duty staff spread over the counties;
- history: --history-questions questions over the 365 days before the bench day with
  --history-answers answers each on average (defaults: 300,000 + 750,000 = 1.05M rows);
- the bench day: --day-questions questions with --day-answers answers each (defaults: 50,000 +
  about 56,000 answers = 106,000 rows), 85 % answered, first responses 2 min–20 h after asking;
- a year of DailyOrgMetric rows (own and subtree) for every organisation (synthetic, so the API
  reads a full year without aggregating 365 days first).
Timed: `insights.services.aggregate_day(bench day)` (--repeat runs: each one deletes and rewrites
the day); then --requests GETs of each dashboard endpoint for the province over the year through the
whole Django stack (test client: middleware, session auth, ninja, PostgreSQL), p50/p95/p99.
Never run it against a database you care about: it writes many rows (re-runs reuse them).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

BENCH_DAY = date(2026, 6, 16)  # a Tuesday
MARK = "kpi-bench"


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def timed_requests(client, url, n, cold=False):
    """n GETs; cold: the KPI read cache is made stale (as by an aggregation run) before each one."""
    from insights import cache

    runs = []
    for _ in range(n):
        if cold:
            cache.bump()
        t = time.perf_counter()
        r = client.get(url)
        runs.append(time.perf_counter() - t)
        assert r.status_code == 200, (url, r.status_code, r.content[:300])
    return runs


def report(name, runs, base=None):
    ratio = f"   p95 {pct(runs, .95) / pct(base, .95):5.1f}× baseline" if base else ""
    print(f"  {name:<44} p50 {pct(runs, .5):7.1f} ms   p95 {pct(runs, .95):7.1f} ms   p99 {pct(runs, .99):7.1f} ms"
          f"{ratio}")


def ensure_people(cursor, args):
    cursor.execute("SELECT count(*) FROM accounts_user WHERE username LIKE %s", [f"{MARK}-y%"])
    if cursor.fetchone()[0] >= args.users:
        return
    cursor.execute("SELECT array_agg(id) FROM organizations_organization WHERE kind = 'county'")
    counties = cursor.fetchone()[0]
    user_cols = ("password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
                 "date_joined, phone, display_name, real_name, real_name_status, organization_id, points, level")
    cursor.execute(f"""
        INSERT INTO accounts_user ({user_cols})
        SELECT '!', NULL, false, '{MARK}-y' || g, '', '', '', false, true,
               %s::timestamptz - (random() * interval '400 days'), NULL, '青年' || g, '', 'none',
               (%s::int[])[1 + g %% array_length(%s::int[], 1)], 0, 1
        FROM generate_series(1, %s) g ON CONFLICT DO NOTHING""", [BENCH_DAY, counties, counties, args.users])
    cursor.execute(f"""
        INSERT INTO accounts_user ({user_cols})
        SELECT '!', NULL, false, '{MARK}-s' || g, '', '', '', false, true, '2025-01-01', NULL, '值班员' || g,
               '值班员' || g, 'verified', NULL, 0, 1
        FROM generate_series(1, %s) g ON CONFLICT DO NOTHING""", [args.staff])
    cursor.execute("""
        INSERT INTO organizations_staffmembership (user_id, organization_id, role, is_active, created_at, end_reason)
        SELECT u.id, (%s::int[])[1 + u.id %% array_length(%s::int[], 1)], 'duty', true, now(), ''
        FROM accounts_user u WHERE u.username LIKE %s
          AND NOT EXISTS (SELECT 1 FROM organizations_staffmembership m WHERE m.user_id = u.id)""",
                   [counties, counties, f"{MARK}-s%"])


QUESTION_COLS = ("moderation_status, asker_id, title, body, domain, is_anonymous, organization_id, transfer_count, "
                 "routing_locked, target_kind, status, asked_at, clock_started_at, remind_at, deadline_at, "
                 "deadline_hours, first_answered_at, answered_on_time, reopen_count, outcome, answer_count, "
                 "comment_count, like_count, follow_count, view_count, hot_score, is_featured, last_activity_at, "
                 "updated_at")


def insert_questions(cursor, n, start, span_days, answer_rate=0.85):
    """n questions asked in [start, start + span_days) with their first answers; returns id range."""
    cursor.execute("SELECT max(id) FROM community_question")
    before = cursor.fetchone()[0] or 0
    cursor.execute(f"""
        WITH src AS (
          SELECT g, %s::timestamptz + random() * (%s * interval '1 day') AS asked,
                 (random() < %s) AS answered, (2 + random() * random() * 1200) * interval '1 minute' AS rt
          FROM generate_series(1, %s) g)
        INSERT INTO community_question ({QUESTION_COLS})
        SELECT 'visible', y.id, '问题' || g, '', (ARRAY['legal','psychology','employment','league'])[1 + g %% 4], false,
               y.organization_id, 0, false, '', CASE WHEN answered THEN 'answered' ELSE 'open' END,
               asked, asked, asked + interval '2 hours', asked + interval '3 hours', 3,
               CASE WHEN answered THEN asked + rt END, CASE WHEN answered THEN rt <= interval '3 hours' END, 0, '',
               0, 0, 0, 0, 0, 0, false, asked, now()
        FROM src JOIN accounts_user y ON y.username = '{MARK}-y' || (1 + g %% %s)""",
                   [start, span_days, answer_rate, n, USERS])
    cursor.execute("SELECT max(id) FROM community_question")
    return before + 1, cursor.fetchone()[0]


def insert_answers(cursor, first_id, last_id, per_question):
    """The first (clock-stopping) answer of each answered question by a staff member, then extra
    answers (peer or staff) until about per_question answers per question on average."""
    cols = ("moderation_status, question_id, author_id, role, body, source, is_copied, stops_clock, like_count, "
            "comment_count, is_removed, created_at")
    cursor.execute(f"""
        INSERT INTO community_answer ({cols})
        SELECT 'visible', q.id, s.id, 'staff', '回答', '', false, true, 0, 0, false, q.first_answered_at
        FROM community_question q JOIN accounts_user s ON s.username = '{MARK}-s' || (1 + q.id %% %s)
        WHERE q.id BETWEEN %s AND %s AND q.first_answered_at IS NOT NULL""", [STAFF, first_id, last_id])
    firsts = cursor.rowcount
    extra = max(0, int((last_id - first_id + 1) * per_question) - firsts)
    if extra:
        cursor.execute(f"""
            INSERT INTO community_answer ({cols})
            SELECT 'visible', q.id, y.id, 'peer', '补充', '', false, false, 0, 0, false,
                   q.asked_at + random() * interval '20 hours'
            FROM generate_series(1, %s) g
            JOIN community_question q ON q.id = %s + (g::bigint * 7919) %% %s
            JOIN accounts_user y ON y.username = '{MARK}-y' || (1 + g %% %s)""",
                       [extra, first_id, last_id - first_id + 1, USERS])
    cursor.execute("UPDATE community_question q SET answer_count = c.n FROM (SELECT question_id, count(*) n "
                   "FROM community_answer WHERE question_id BETWEEN %s AND %s GROUP BY question_id) c "
                   "WHERE q.id = c.question_id", [first_id, last_id])
    return firsts + extra


def fill_metric_year(cursor, last_day):
    """A year of synthetic DailyOrgMetric rows for every organisation (what a year of nightly runs leaves)."""
    from insights.models import HISTOGRAM_FIELDS, ORG_COUNT_FIELDS

    first = last_day - timedelta(days=364)
    cursor.execute("SELECT count(*) FROM insights_dailyorgmetric WHERE day BETWEEN %s AND %s", [first, last_day])
    cursor.execute("SELECT count(*) FROM organizations_organization")
    orgs = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM insights_dailyorgmetric WHERE day BETWEEN %s AND %s AND day <> %s",
                   [first, last_day, BENCH_DAY])
    if cursor.fetchone()[0] >= orgs * 600:
        return 0
    cursor.execute("DELETE FROM insights_dailyorgmetric WHERE day BETWEEN %s AND %s AND day <> %s",
                   [first, last_day, BENCH_DAY])
    cols = [*ORG_COUNT_FIELDS, *HISTOGRAM_FIELDS]
    values = ", ".join("(random() * 40)::int" for _ in cols)
    cursor.execute(f"""
        INSERT INTO insights_dailyorgmetric (organization_id, day, subtree, computed_at, {", ".join(cols)})
        SELECT o.id, d::date, s.subtree, now(), {values}
        FROM organizations_organization o CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
        CROSS JOIN (VALUES (false), (true)) s(subtree)
        WHERE d::date <> %s""", [first, last_day, BENCH_DAY])
    return cursor.rowcount


USERS = 20000
STAFF = 2000


def main():
    global USERS, STAFF
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--history-questions", type=int, default=300_000)
    p.add_argument("--history-answers", type=float, default=2.5, help="answers per historical question")
    p.add_argument("--day-questions", type=int, default=50_000)
    p.add_argument("--day-answers", type=float, default=1.5, help="answers per question of the bench day")
    p.add_argument("--users", type=int, default=20_000)
    p.add_argument("--staff", type=int, default=2_000)
    p.add_argument("--repeat", type=int, default=2, help="aggregation runs of the bench day")
    p.add_argument("--requests", type=int, default=200, help="per API endpoint")
    p.add_argument("--prepare-only", action="store_true",
                   help="generate the data and stop (untimed: run it outside the bench lock)")
    args = p.parse_args()
    USERS, STAFF = args.users, args.staff

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.http import JsonResponse
    from django.test import Client
    from django.urls import clear_url_caches, path

    from insights import services
    from insights.models import DailyOrgMetric, DailyPersonMetric
    from organizations.models import Organization

    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...)")
    settings.DEBUG = False  # no query log growing over thousands of requests
    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        t = time.perf_counter()
        call_command("load_demo_data", verbosity=0)
        print(f"demo data loaded in {time.perf_counter() - t:.0f}s")

    t = time.perf_counter()
    with connection.cursor() as cursor, transaction.atomic():
        ensure_people(cursor, args)
        day_start = f"{BENCH_DAY.isoformat()} 00:00:00+08"
        cursor.execute("SELECT count(*) FROM community_question WHERE asked_at >= %s AND asked_at < %s::timestamptz "
                       "+ interval '1 day'", [day_start, day_start])
        have_day = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM community_question WHERE asked_at < %s", [day_start])
        have_history = cursor.fetchone()[0]
        generated = False
        if have_history < args.history_questions:
            first, last = insert_questions(cursor, args.history_questions - have_history,
                                           f"{(BENCH_DAY - timedelta(days=365)).isoformat()} 00:00:00+08", 365)
            insert_answers(cursor, first, last, args.history_answers)
            generated = True
        if have_day < args.day_questions:
            first, last = insert_questions(cursor, args.day_questions - have_day, day_start, 1)
            insert_answers(cursor, first, last, args.day_answers)
            generated = True
        filled = fill_metric_year(cursor, BENCH_DAY)
    if filled:
        month = (BENCH_DAY - timedelta(days=364)).replace(day=1)
        while month <= BENCH_DAY:  # the monthly rollups the nightly runs would have left
            services.roll_month(month)
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    if generated or filled:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"data generated in {time.perf_counter() - t:.0f}s")
    if args.prepare_only:
        return

    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM community_question), (SELECT count(*) FROM community_answer)")
        total_q, total_a = cursor.fetchone()
        cursor.execute("""SELECT (SELECT count(*) FROM community_question WHERE asked_at >= %s AND asked_at < %s),
                                 (SELECT count(*) FROM community_answer WHERE created_at >= %s AND created_at < %s)""",
                       [f"{BENCH_DAY} 00:00+08", f"{BENCH_DAY + timedelta(days=1)} 00:00+08"] * 2)
        day_q, day_a = cursor.fetchone()
    print(f"\nrows: {total_q:,} questions + {total_a:,} answers in all; on {BENCH_DAY}: {day_q:,} questions + "
          f"{day_a:,} answers = {day_q + day_a:,}")

    print(f"\nnightly aggregation of {BENCH_DAY} (target ≤ 60 s):")
    for i in range(args.repeat):
        t = time.perf_counter()
        orgs, people = services.aggregate_day(BENCH_DAY)
        print(f"  run {i + 1}: {time.perf_counter() - t:6.2f} s  ({orgs} organisation rows, {people} person rows)")
    day_rows = DailyOrgMetric.objects.filter(day=BENCH_DAY).count()
    print(f"  rows for the day after {args.repeat} runs: {day_rows} org, "
          f"{DailyPersonMetric.objects.filter(day=BENCH_DAY).count()} person (idempotent: no duplicates)")

    # ---- the API, beside a bare one-query view
    User = get_user_model()

    def bare(request, pk):
        user = User.objects.only("pk", "username").get(pk=pk)
        return JsonResponse({"id": user.pk, "username": user.username})

    import types

    import youthvoice.urls as project_urls

    bench_urls = types.ModuleType("kpi_bench_urls")
    bench_urls.urlpatterns = [path("bench/bare/<int:pk>/", bare), *project_urls.urlpatterns]
    sys.modules["kpi_bench_urls"] = bench_urls
    settings.ROOT_URLCONF = "kpi_bench_urls"
    clear_url_caches()

    admin = User.objects.filter(username="province_admin").first() or User.objects.filter(is_superuser=True).first()
    client = Client()
    client.force_login(admin)
    province = Organization.get_first_root_node()
    first = BENCH_DAY - timedelta(days=364)
    rng = f"from={first}&to={BENCH_DAY}"
    metric_rows = DailyOrgMetric.objects.filter(day__gte=first, day__lte=BENCH_DAY).count()
    print(f"\ndashboard API for the province over a year ({metric_rows:,} daily rows; target p95 ≤ 200 ms), "
          f"{args.requests} requests each:")
    api = f"/api/insights/orgs/{province.pk}"
    base = timed_requests(client, f"/bench/bare/{admin.pk}/", 3) and timed_requests(
        client, f"/bench/bare/{admin.pk}/", args.requests)
    report("baseline: bare view, one PK query", base)
    endpoints = [
        ("kpis, granularity=day (365 points)", f"{api}/kpis?{rng}&granularity=day"),
        ("kpis, granularity=week", f"{api}/kpis?{rng}&granularity=week"),
        ("kpis, granularity=month", f"{api}/kpis?{rng}&granularity=month"),
        ("children (22 cities ranked)", f"{api}/children?{rng}&limit=50"),
        ("people, kind=cadre (ranked)", f"{api}/people?{rng}&kind=cadre&limit=50"),
        ("people, kind=liaison (ranked)", f"{api}/people?{rng}&kind=liaison&limit=50"),
        ("people, kind=expert (ranked)", f"{api}/people?{rng}&kind=expert&limit=50"),
        ("people, kind=cadre, page 20 (offset 950)", f"{api}/people?{rng}&kind=cadre&limit=50&offset=950"),
    ]
    print("  cold (the read cache made stale before every request, as after an aggregation run):")
    for name, url in endpoints:
        timed_requests(client, url, 3)  # warm up (code paths, connections)
        report(name, timed_requests(client, url, args.requests, cold=True), base)
    print(f"  warm (INSIGHTS_CACHE_SECONDS={settings.INSIGHTS_CACHE_SECONDS}):")
    for name, url in endpoints:
        timed_requests(client, url, 1)
        report(name, timed_requests(client, url, args.requests), base)
    print(f"\n(median of the bench day's question count per org row: "
          f"{statistics.median(DailyOrgMetric.objects.filter(day=BENCH_DAY).values_list('questions', flat=True) or [0])})")


if __name__ == "__main__":
    main()
