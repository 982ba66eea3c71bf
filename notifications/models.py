"""In-site notifications and the outbox that delivers them by e-mail.

Events that must not be lost (bookings, appeal steps, moderation decisions, answers, reminders)
are written as rows in the same transaction as the change that caused them: a `Notification` per
recipient (what the notification centre shows) and one `OutboxMessage` per e-mail to send. A Celery
task with `acks_late` delivers outbox rows and marks them sent; it is idempotent, and a periodic
sweep re-sends whatever a dead worker left behind.

Delivery is a state machine driven by conditional UPDATEs (notifications.services.deliver):
pending → sending (a lease: `claimed_until`) → sent, or back to pending on an error (failed after
MAX_ATTEMPTS). Only one worker can hold the lease; a worker killed mid-send leaves the row in
`sending` until the lease expires and the sweep re-enqueues it. Every e-mail carries a Message-ID
derived from the row, so a re-send after a crash is the same message to the recipient's mailbox.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the notification is about, e.g. "community.question:42"; lets callers avoid duplicates.
    subject = models.CharField(max_length=80, blank=True, db_index=True)
    dedupe_key = models.CharField(max_length=160, blank=True)
    # How many notices this one stands for: notices of a coalesced kind about the same subject that
    # arrive while it is unread (within settings.YV_NOTIFICATION_COALESCE) update it instead of adding
    # rows (services.notify_many); title, body and actor are then the latest one's.
    count = models.PositiveIntegerField(_("count"), default=1)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="uniq_notification_dedupe"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One e-mail to deliver. Written in the caller's transaction; delivered after commit."""

    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    not_before = models.DateTimeField(
        null=True, blank=True, help_text=_("Do not send before this time (e.g. the recipient's duty hours).")
    )
    status = models.CharField(max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # When a delivery task was last published (or is due, for a delayed one); the sweep re-publishes
    # rows still pending long after that (the broker lost the task or was down at commit).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker sending it; an expired lease on a `sending` row means the worker died.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "not_before"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.to_email}: {self.subject}"

    @property
    def message_id(self) -> str:
        """The e-mail's Message-ID: the same on every attempt, so mail stores can drop a re-send."""
        return f"<outbox.{self.pk}.{int(self.created_at.timestamp())}@youthvoice.notifications>"
