"""Appeals: workflow transitions per second, the handlers' queue API and the PDF form, beside a
bare Django view doing one primary-key query (the baseline), all measured in the same run.

    DJANGO_SETTINGS_MODULE=youthvoice.settings.dev DATABASE_URL=sqlite:////tmp/appeals-bench.sqlite3 \
      .venv/bin/python bench/appeals.py [--appeals 2000] [--paths 100] [--requests 300] [--pdfs 30]

It migrates the database it is given, builds the organisation tree if missing, creates handlers and
--appeals records (through the services), then times: --paths whole handling paths (11 transitions
each, each a locked, audited, notifying transaction), --requests GETs of the staff queue at limit=50
and of the baseline view, and --pdfs form renders. Never point it at a database you care about.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthvoice.settings.dev")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def report(name, runs, unit="ms"):
    ms = [r * 1000 for r in runs]
    print(f"{name:<38} n={len(ms):<5} p50={pct(ms, .5):8.2f}{unit} p99={pct(ms, .99):8.2f}{unit} "
          f"mean={statistics.mean(ms):8.2f}{unit} throughput={len(ms) / sum(runs):8.1f}/s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--appeals", type=int, default=2000)
    ap.add_argument("--paths", type=int, default=100)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--pdfs", type=int, default=30)
    args = ap.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.http import JsonResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path

    call_command("migrate", verbosity=0)
    from appeals import services
    from appeals.models import Appeal
    from appeals.pdf import build_form, render_form
    from organizations.models import Organization
    from tests.conftest import build_tree
    from tests.factories import UserFactory

    if not Organization.objects.filter(slug="guangdong").exists():
        build_tree()
    province = Organization.objects.get(slug="guangdong")
    gz = Organization.objects.get(slug="guangzhou")
    User = UserFactory._meta.model

    def user(name, org, role):
        u = User.objects.filter(username=name).first() or UserFactory(username=name)
        services.add_handler(actor=None, user=u, organization=org, role=role)
        return u

    ops, coord, leader = user("b_ops", province, "ops"), user("b_coord", province, "coordination"), user("b_leader", province, "leader")
    handler = user("b_handler", gz, "handler")
    have = Appeal.objects.count()
    t = time.perf_counter()
    for i in range(max(0, args.appeals - have)):
        services.open_collective_appeal(actor=ops, organization=province, theme=f"压测诉求{i}", youth_group="青年",
                                        period_start=None, period_end=None, thread_count=i % 50, location="广州")
    print(f"data: {Appeal.objects.count()} appeals (made {max(0, args.appeals - have)} in {time.perf_counter() - t:.1f}s)")

    # whole paths
    steps = [("verify", ops, {"comment": "核实"}), ("propose", ops, {"fields": {"details_and_proposal": "拟办"}}),
             ("assign", coord, {"fields": {"coordination_opinion": "同意"}, "lead_organization": gz}),
             ("accept", handler, {"comment": "方案"}), ("feedback", handler, {"comment": "进展"}),
             ("relay", ops, {"comment": "进展"}), ("record_result", handler, {"fields": {"result_feedback": "结果"}}),
             ("instruct", leader, {"fields": {"leader_instruction": "批示"}}), ("deliver_result", ops, {"comment": "结果"}),
             ("return_visit", ops, {"rating": "satisfied"}), ("archive", coord, {})]
    runs = []
    for i in range(args.paths):
        a = services.open_collective_appeal(actor=ops, organization=province, theme=f"路径{i}", youth_group="青年",
                                            period_start=None, period_end=None, thread_count=1, location="")
        for name, actor, kw in steps:
            t = time.perf_counter()
            services.transition(actor=actor, appeal_id=a.pk, name=name, **kw)
            runs.append(time.perf_counter() - t)
    report("transition (service, one step)", runs)

    def bare(request, pk):
        o = Organization.objects.get(pk=pk)
        return JsonResponse({"id": o.pk, "name": o.name})

    import youthvoice.urls as project_urls

    urlpatterns = [path("bare/<int:pk>/", bare), *project_urls.urlpatterns]
    module = type(sys)("bench_urls")
    module.urlpatterns = urlpatterns
    sys.modules["bench_urls"] = module
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"]):
        c = Client()
        c.force_login(coord)
        for label, url in [("baseline bare view (1 pk query)", f"/bare/{province.pk}/"),
                           ("GET /api/appeals/?limit=50", "/api/appeals/?limit=50&view=all"),
                           ("GET /api/appeals/?view=tasks", "/api/appeals/?limit=50&view=tasks")]:
            c.get(url)
            runs = []
            for _ in range(args.requests):
                t = time.perf_counter()
                assert c.get(url).status_code == 200
                runs.append(time.perf_counter() - t)
            report(label, runs)
    a = Appeal.objects.filter(state="archived").first()
    for label, fn in [("PDF form build (uncached)", build_form), ("PDF form (cached per version)", render_form)]:
        runs = []
        for _ in range(args.pdfs):
            t = time.perf_counter()
            fn(a)
            runs.append(time.perf_counter() - t)
        report(label, runs)


if __name__ == "__main__":
    main()
