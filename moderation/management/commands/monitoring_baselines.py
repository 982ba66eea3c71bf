"""(Re)build the monitoring job's hourly term baselines out of band.

    manage.py monitoring_baselines [--days 28]

The hourly job stores one hour of term counts per monitored organisation each run; the daily and
weekly jobs compare against those rows. After an import, a gap in the hourly job or a change of the
segmentation, rebuild them here (it segments every post of the period once) instead of inside a
periodic job.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from moderation import monitoring


class Command(BaseCommand):
    help = "Rebuild the hourly term counts the monitoring jobs use as baselines"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=28, help="how far back (the weekly job looks 4 weeks back)")

    def handle(self, *args, days, **options):
        end = timezone.now()
        rows = monitoring.build_baselines(start=end - timedelta(days=days), end=end)
        self.stdout.write(f"{rows} hourly term-count rows rebuilt for the last {days} days")
