"""The large data set of bench/pages.py: tops the database up to --stations stations (spread over
the districts, bulk inserts from bench/stations.py) and --questions questions with about three
answers each (`manage.py create_random_data`, PostgreSQL COPY). Run by bench/pages.py --large with
its environment (DATABASE_URL, DJANGO_SETTINGS_MODULE); idempotent."""

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stations", type=int, default=10_000)
    ap.add_argument("--questions", type=int, default=1_000_000)
    args = ap.parse_args()
    import django

    django.setup()
    from django.core.management import call_command

    from community.models import Question
    from organizations.models import Organization
    from stations.models import StationPage

    spec = importlib.util.spec_from_file_location("bench_stations", ROOT / "bench/stations.py")
    bs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bs)

    t = time.perf_counter()
    orgs = list(Organization.objects.filter(kind="county", is_active=True).order_by("pk")[:60]) or list(
        Organization.objects.order_by("pk")[:1])
    need = args.stations - StationPage.objects.count()
    if need > 0:
        per = need // len(orgs) + 1
        for org in orgs:
            total = StationPage.objects.count()
            if total >= args.stations:
                break
            bs.ensure_stations(min(args.stations, total + per), org, None)  # tops up under org's index
    print(f"stations: {StationPage.objects.count()} ({time.perf_counter() - t:.0f} s)", flush=True)
    have = Question.objects.count()
    if have < args.questions:
        t = time.perf_counter()
        call_command("create_random_data", questions=args.questions - have)
        print(f"questions: {Question.objects.count()} ({time.perf_counter() - t:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
