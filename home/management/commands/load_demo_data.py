import importlib.util
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app with demo data has a `demo.load(stdout)`; they run in this order (later ones use the
# organisations and users made by earlier ones). Every loader is idempotent.
DEMO_MODULES = [
    "organizations.demo",
    "accounts.demo",
    "home.demo",
    "alliances.demo",
    "stations.demo",
    "community.demo",
    "appeals.demo",
    "insights.demo",
    "search.demo",
    "partners.demo",
]


class Command(BaseCommand):
    help = "Load the demo data: real Guangdong organisations, branches, demo users and Chinese content. Idempotent."

    def handle(self, *args, **options):
        from moderation.services import rate_limits_suspended

        with rate_limits_suspended():
            self._load()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _load(self):
        for name in DEMO_MODULES:
            if importlib.util.find_spec(name) is None:
                continue
            with transaction.atomic():
                import_module(name).load(stdout=self.stdout)
