"""Print the current TOTP code of the demo's shared authenticator key (demo and development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from demo.accounts import DEMO_TOTP_BASE32, DEMO_TOTP_HEX


class Command(BaseCommand):
    help = "Print the current 6-digit code for the demo administrators' authenticator (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_otp_code only runs with DEBUG on (the demo): production keys are personal.")
        code = totp(bytes.fromhex(DEMO_TOTP_HEX), step=30, digits=6)
        self.stdout.write(f"{code:06d}  (key {DEMO_TOTP_BASE32}; valid for up to 30 seconds)")
