"""Recompute the daily KPI tables over a range of days (default: everything since the first question).

    python manage.py rebuild_kpis                       # from the first activity to yesterday
    python manage.py rebuild_kpis --from 2026-01-01 --to 2026-03-31

Each day is deleted and re-inserted in its own transaction, so the command can be re-run or
interrupted at any point."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import ServiceError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Recompute the daily KPI aggregate tables (insights) for a range of days."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=_date, help="First day (default: the first question)")
        parser.add_argument("--to", dest="last", type=_date, help="Last day (default: today)")

    def handle(self, *args, first=None, last=None, **options):
        from community.models import Question
        from insights.services import aggregate_range

        last = last or timezone.localdate()
        if first is None:
            earliest = Question.objects.order_by("asked_at").values_list("asked_at", flat=True).first()
            first = timezone.localtime(earliest).date() if earliest else last - timedelta(days=30)
        try:
            n = aggregate_range(first, last, stdout=self.stdout if options["verbosity"] > 1 else None)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Aggregated {n} days ({first} – {last})."))
