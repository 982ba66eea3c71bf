"""The outbox backend: nothing leaves the machine; `send_sms` records the message (accounts.SmsMessage)."""

import uuid

from . import SendResult, SmsBackend


class OutboxBackend(SmsBackend):
    name = "outbox"

    def send(self, *, phone, template, params):
        from django.conf import settings

        if settings.DEBUG:  # the embedded demo: the code shows in the runserver console
            import sys

            sys.stderr.write(f"[SMS outbox] {phone} ← {template}: {', '.join(map(str, params))}\n")
        return SendResult(ok=True, provider_id=f"outbox-{uuid.uuid4().hex[:12]}")


def last_code(phone: str) -> str | None:
    """The code in the newest outbox message to `phone` (demo and tests)."""
    from accounts.models import SmsMessage

    message = SmsMessage.objects.filter(phone=phone).order_by("-pk").first()
    return message.params[0] if message and message.params else None
