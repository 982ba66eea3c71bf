"""Expert statistics over a year of answers, demand analysis, and matching, beside a bare Django
view doing one primary-key query (the baseline), measured in the same run.

    DATABASE_URL=postgres://youthvoice@127.0.0.1:54400/yv_copy \
      .venv/bin/python bench/alliances.py [--answers 1000000] [--invitations 200000] [--repeat 3] [--baseline 2000]
    ... bench/alliances.py --standins [--answers 1000000] [--questions 300000] [--experts 2000] [--reset]

By default it runs on community's real models, in a copy of a database filled by
`create_random_data --questions 1000000` (~2.4M answers over a year). It prepares that copy once (it
WRITES to it; never point it at a database you care about): with one UPDATE, --answers of the year's
answers are given to the active experts (round robin), then it adds --invitations invitations to
experts (pending/accepted/declined/answered, answered ones on or after their deadline), accepts an
expert answer on 30% of the answered questions, rates the outcome of 60% (1-5), and VACUUM ANALYZEs.
The statistics run is `alliances.selectors.expert_statistics` for ALL experts over the year.

With --standins the Q&A tables are the stand-ins of tests/alliances/standins.py (same field names as community's
models; `alliances.sources` reads either), filled with generate_series in SQL: questions spread
over the last 365 days, answers 5 minutes to 30 hours after their question by --experts authors,
30% accepted, 60% rated. The statistics run is `alliances.selectors.expert_statistics` for ALL
experts over the year: one GROUP BY query over answers and one over invitations, no per-expert loop.
Never run it against a database you care about: it writes (and with --reset drops) the stand-in tables.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def timed(fn, repeat):
    runs = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t)
    return result, runs


def fill(cursor, args):
    from tests.alliances import standins

    cursor.execute("SELECT to_regclass('standin_answer') IS NOT NULL")
    exists = cursor.fetchone()[0]
    if exists and args.reset:
        standins.drop_tables()
        exists = False
    if exists:
        cursor.execute("SELECT count(*) FROM standin_answer")
        if cursor.fetchone()[0] >= args.answers:
            return False
        standins.drop_tables()
    standins.create_tables()
    domains = "ARRAY['entrepreneurship','relationships','legal','psychology','employment','volunteering','league']"
    cursor.execute("SELECT path FROM organizations_organization WHERE depth = 3 ORDER BY path")
    paths = [r[0] for r in cursor.fetchall()] or ["000100010001"]
    cursor.execute(f"""
        INSERT INTO standin_question (title, domain, org_path, created_at, deadline)
        SELECT '问题' || g, ({domains})[1 + g %% 7], (%s::text[])[1 + g %% %s],
               now() - (random() * interval '365 days'), NULL
        FROM generate_series(1, %s) g
    """, [paths, len(paths), args.questions])
    cursor.execute("UPDATE standin_question SET deadline = created_at + CASE WHEN id % 3 = 0 THEN interval '12 hours' "
                   "ELSE interval '3 hours' END")
    cursor.execute("""
        INSERT INTO standin_answer (question_id, author_id, created_at, accepted, rating)
        SELECT q.id, 1 + (random() * (%s - 1))::int, q.created_at + interval '5 minutes' + random() * interval '30 hours',
               random() < 0.3, CASE WHEN random() < 0.6 THEN 1 + (random() * 4)::int END
        FROM generate_series(1, %s) g
        JOIN standin_question q ON q.id = 1 + (g %% %s)
    """, [args.experts, args.answers, args.questions])
    cursor.execute("""
        INSERT INTO standin_invitation (question_id, invitee_id, created_at, status)
        SELECT q.id, 1 + (random() * (%s - 1))::int, q.created_at + interval '2 minutes',
               (ARRAY['pending','accepted','answered','declined'])[1 + (random() * 3)::int]
        FROM generate_series(1, %s) g
        JOIN standin_question q ON q.id = 1 + (g * 7 %% %s)
    """, [args.experts, args.invitations, args.questions])
    cursor.execute("UPDATE standin_answer a SET response_seconds = date_part('epoch', a.created_at - q.created_at), "
                   "on_time = (q.deadline IS NULL OR a.created_at <= q.deadline) "
                   "FROM standin_question q WHERE q.id = a.question_id")
    cursor.execute("ANALYZE standin_question; ANALYZE standin_answer; ANALYZE standin_invitation")
    return True


def prepare_real(cursor, args):
    """Give --answers of the year's answers to the active experts, add invitations, accepted answers
    and rated outcomes, once. Returns True when it changed anything."""
    cursor.execute("SELECT array_agg(user_id ORDER BY user_id) FROM alliances_expertprofile WHERE status = 'active'")
    experts = cursor.fetchone()[0] or []
    if not experts:
        sys.exit("No active experts: the database needs the demo data (manage.py demo) first.")
    cursor.execute("SELECT count(*) FROM community_answer WHERE author_id = ANY(%s) "
                   "AND created_at >= now() - interval '366 days'", [experts])
    have = cursor.fetchone()[0]
    changed = False
    if have < args.answers:
        cursor.execute("SELECT count(*) FROM community_answer WHERE created_at >= now() - interval '366 days'")
        total = cursor.fetchone()[0]
        if total < args.answers:
            sys.exit(f"Only {total} answers in the last year: run create_random_data --questions 1000000 first.")
        # Every k-th answer (by id) goes to an expert, round robin: one UPDATE.
        step = max(1, total // args.answers)
        cursor.execute("UPDATE community_answer SET author_id = (%s::int[])[1 + (id / %s) %% %s] "
                       "WHERE id %% %s = 0 AND created_at >= now() - interval '366 days'",
                       [experts, step, len(experts), step])
        changed = True
    cursor.execute("SELECT count(*) FROM community_invitation")
    if cursor.fetchone()[0] < args.invitations:
        cursor.execute("""
            INSERT INTO community_invitation (question_id, invitee_id, inviter_id, status, message, decline_reason,
                                              created_at, responded_at, deadline_at, answered_at)
            SELECT q.id, e.uid, q.asker_id, s.status, '', '', q.asked_at + interval '2 minutes',
                   CASE WHEN s.status <> 'pending' THEN q.asked_at + interval '20 minutes' END,
                   CASE WHEN s.status IN ('accepted', 'answered') THEN q.asked_at + interval '3 hours 20 minutes' END,
                   CASE WHEN s.status = 'answered'
                        THEN q.asked_at + interval '30 minutes' + (q.id %% 5) * interval '1 hour' END
            FROM (SELECT id, asker_id, asked_at, row_number() OVER (ORDER BY id) AS n FROM community_question
                  WHERE asked_at >= now() - interval '366 days' ORDER BY id LIMIT %s) q
            CROSS JOIN LATERAL (SELECT (%s::int[])[1 + (q.n * 7) %% %s] AS uid) e
            CROSS JOIN LATERAL (SELECT (ARRAY['pending','accepted','declined','answered','answered'])[1 + q.n %% 5]
                                AS status) s
            WHERE e.uid <> q.asker_id
            ON CONFLICT DO NOTHING
        """, [args.invitations, experts, len(experts)])
        changed = True
    cursor.execute("SELECT count(*) FROM community_question WHERE outcome_rating IS NOT NULL")
    if cursor.fetchone()[0] < 1000:
        cursor.execute("""
            UPDATE community_question q SET accepted_answer_id = a.id
            FROM (SELECT DISTINCT ON (question_id) question_id, id FROM community_answer
                  WHERE question_id %% 10 < 3 AND author_id = ANY(%s) ORDER BY question_id, created_at, id) a
            WHERE q.id = a.question_id AND q.accepted_answer_id IS NULL
        """, [experts])
        cursor.execute("UPDATE community_question SET outcome = 'solved', outcome_rating = 1 + id % 5, "
                       "outcome_at = asked_at + interval '2 days' WHERE id % 10 < 6 AND answer_count > 0 "
                       "AND outcome_rating IS NULL")
        changed = True
    return changed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=300_000)
    parser.add_argument("--invitations", type=int, default=200_000)
    parser.add_argument("--experts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=2000)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--standins", action="store_true", help="the stand-in tables instead of community's models")
    parser.add_argument("--prepare-only", action="store_true",
                        help="prepare the data and stop (run that outside the bench lock, then time)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.http import JsonResponse
    from django.test import RequestFactory
    from django.utils import timezone

    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...)")
    call_command("migrate", verbosity=0)
    from alliances import selectors
    from organizations.models import Organization
    from tests.alliances import standins

    t = time.perf_counter()
    with connection.cursor() as cursor:
        filled = fill(cursor, args) if args.standins else prepare_real(cursor, args)
    if filled:
        if not args.standins:
            with connection.cursor() as cursor:
                for table in ("community_answer", "community_question", "community_invitation"):
                    cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"data: prepared in {time.perf_counter() - t:.1f} s")
    if args.prepare_only:
        return
    if args.standins:
        sources = standins.sources()
        expert_ids = None  # every author is an expert here
        with connection.cursor() as cursor:
            cursor.execute("SELECT (SELECT count(*) FROM standin_question), (SELECT count(*) FROM standin_answer), "
                           "(SELECT count(*) FROM standin_invitation)")
            nq, na, ni = cursor.fetchone()
        print(f"data (stand-ins): {nq} questions, {na} answers, {ni} invitations, {args.experts} experts, "
              f"over 365 days")
    else:
        from alliances.models import ExpertProfile, ExpertStatus
        from alliances.sources import community_sources

        sources = community_sources()
        expert_ids = list(ExpertProfile.objects.filter(status=ExpertStatus.ACTIVE).values_list("user_id", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT (SELECT count(*) FROM community_question), (SELECT count(*) FROM community_answer), "
                           "(SELECT count(*) FROM community_answer WHERE author_id = ANY(%s) "
                           "AND created_at >= now() - interval '366 days'), "
                           "(SELECT count(*) FROM community_invitation), "
                           "(SELECT count(*) FROM community_question WHERE outcome_rating IS NOT NULL)", [expert_ids])
            nq, na, ne, ni, nr = cursor.fetchone()
        print(f"data (community's models): {nq} questions, {na} answers ({ne} by the {len(expert_ids)} active experts "
              f"in the year), {ni} invitations, {nr} rated outcomes")

    # Baseline: a bare Django view doing one primary-key query.
    User = get_user_model()
    user = User.objects.first() or User.objects.create(username="bench-baseline")

    def bare_view(request, pk):
        u = User.objects.only("pk", "username").get(pk=pk)
        return JsonResponse({"id": u.pk, "username": u.username})

    rf = RequestFactory()
    lat = []
    t0 = time.perf_counter()
    for _ in range(args.baseline):
        t = time.perf_counter()
        bare_view(rf.get("/"), user.pk)
        lat.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - t0
    print(f"baseline bare view (1 pk query): {args.baseline / elapsed:.0f} req/s, p50 {pct(lat, .5) * 1000:.2f} ms, "
          f"p99 {pct(lat, .99) * 1000:.2f} ms")

    until = timezone.now() + timedelta(days=2)
    since = until - timedelta(days=367)
    out, runs = timed(lambda: selectors.expert_statistics(sources=sources, since=since, until=until,
                                                          user_ids=expert_ids), args.repeat)
    total = sum(s.answers for s in out.values())
    print(f"expert statistics, all {len(out)} experts, {total} answers in the year: "
          f"runs {', '.join(f'{r:.2f}' for r in runs)} s; median {statistics.median(runs):.2f} s (target <= 5 s)")
    if args.standins:
        den = standins.sources(denormalised=True)
        _, runs = timed(lambda: selectors.expert_statistics(sources=den, since=since, until=until), args.repeat)
        print(f"expert statistics, all experts, response time and on-time stored on the answer (no join): "
              f"runs {', '.join(f'{r:.2f}' for r in runs)} s; median {statistics.median(runs):.2f} s")
    some = list(out)[:50]
    _, runs = timed(lambda: selectors.expert_statistics(sources=sources, since=since, until=until, user_ids=some),
                    args.repeat)
    print(f"expert statistics, one alliance (50 experts): median {statistics.median(runs) * 1000:.0f} ms")
    _, runs = timed(lambda: selectors.expert_statistics(sources=sources, since=since, until=until, user_ids=some[:1]),
                    args.repeat)
    print(f"expert statistics, one expert page: median {statistics.median(runs) * 1000:.0f} ms")
    data, runs = timed(lambda: selectors.demand(sources=sources, since=since, until=until, period="month"), args.repeat)
    print(f"demand analysis, province by city x domain x month ({data['total']} questions): "
          f"median {statistics.median(runs) * 1000:.0f} ms")
    gz = Organization.objects.filter(slug="guangzhou").first()
    if gz is not None:
        _, runs = timed(lambda: selectors.demand(sources=sources, since=since, until=until, period="week", region=gz),
                        args.repeat)
        print(f"demand analysis, one city by district x week: median {statistics.median(runs) * 1000:.0f} ms")
    _, runs = timed(lambda: selectors.suggest_experts(domain="legal", organization=gz, sources=sources), args.repeat)
    print(f"matching suggestions (all active legal experts, loads from invitations): "
          f"median {statistics.median(runs) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
