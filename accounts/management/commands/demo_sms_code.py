"""Print the newest one-time code sent to a mobile number through the SMS outbox (demo only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.sms.backends import last_code


class Command(BaseCommand):
    help = "Print the newest SMS code the outbox holds for a mobile number (DEBUG only: the demo sends no SMS)."

    def add_arguments(self, parser):
        parser.add_argument("phone")

    def handle(self, *args, phone, **options):
        if not settings.DEBUG:
            raise CommandError("demo_sms_code only runs with DEBUG on (the demo).")
        code = last_code(phone)
        if code is None:
            raise CommandError(f"No message to {phone} in the outbox.")
        self.stdout.write(code)
