"""Settings for bench/chaos.py: the test settings with a real broker (no eager tasks), short outbox
leases so that the faults heal within the run, and a mailbox that plays the recipients' side."""

import os

from django.core.mail.backends.base import BaseEmailBackend

from youthvoice.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "bench.chaos_settings.MailboxBackend"
YV_CHAOS_MAILBOX = os.environ.get("YV_CHAOS_MAILBOX", "/tmp/youthvoice-chaos-mailbox")
YV_OUTBOX_LEASE_SECONDS = int(os.environ.get("YV_OUTBOX_LEASE_SECONDS", "30"))
YV_OUTBOX_RESEND_AFTER_SECONDS = int(os.environ.get("YV_OUTBOX_RESEND_AFTER_SECONDS", "45"))
# Celery would otherwise wait up to the Redis visibility timeout (1 h) to hand back tasks a killed
# worker had reserved; the outbox sweep recovers them anyway, this only shortens the run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60}


class MailboxBackend(BaseEmailBackend):
    """The recipients' side. Every SMTP-level send is appended to `sends.log`; the mailbox keeps one
    copy per Message-ID (what mail stores do with a re-sent message), so a message the user sees
    twice would need two different Message-IDs for one outbox row."""

    def send_messages(self, email_messages):
        from django.conf import settings

        box = settings.YV_CHAOS_MAILBOX
        os.makedirs(os.path.join(box, "inbox"), exist_ok=True)
        for m in email_messages:
            mid = m.extra_headers.get("Message-ID", "")
            with open(os.path.join(box, "sends.log"), "a") as log:  # one short line: atomic append
                log.write(f"{mid}\t{os.getpid()}\n")
            name = mid.strip("<>").replace("/", "_") or f"no-id-{id(m)}"
            try:
                fd = os.open(os.path.join(box, "inbox", name), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                continue
            with os.fdopen(fd, "w") as f:
                f.write(f"To: {', '.join(m.to)}\nSubject: {m.subject}\n\n{m.body}\n")
        return len(email_messages)
