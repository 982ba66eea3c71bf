from django.core.management.base import BaseCommand

from home import services


class Command(BaseCommand):
    help = ("Fill the caches the first visitors read (branch and category pages' fragments, chrome, routes, "
            "renditions): after a deploy or a cache flush.")

    def add_arguments(self, parser):
        parser.add_argument("--max-depth", type=int, default=None,
                            help="only pages this deep in the page tree (3: the province and its cities)")

    def handle(self, *args, max_depth=None, **options):
        rendered = services.warm_branches(max_depth=max_depth)
        self.stdout.write(self.style.SUCCESS(f"{rendered} renders: caches warm."))
