"""Notify users: one call from any app's service, inside its transaction.

    notify(recipients=[user], kind="answer", title="你的问题有了新回答", url=question_url,
           actor=request_user, subject="community.question:42", email=True)
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from youthvoice.errors import Forbidden

from .models import Notification, OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 5


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor=None,
    subject: str = "",
    dedupe_key: str = "",
    email: bool = False,
    email_not_before: datetime | dict | None = None,
) -> list[Notification]:
    """Write a notification per recipient (skipping the actor and duplicates of `dedupe_key`) and,
    with `email=True`, an outbox e-mail for each recipient with an address. `email_not_before` may be
    one time for all, or {user_id: time} (e.g. the start of each recipient's duty hours).
    Delivery is scheduled after the surrounding transaction commits."""
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk) or not user.is_active:
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    recipient=user, kind=kind, title=title[:200], body=body, url=url[:500], actor=actor,
                    subject=subject, dedupe_key=dedupe_key,
                )
        except IntegrityError:  # a concurrent writer created the same deduplicated notification
            continue
        created.append(n)
        if email and user.email:
            not_before = email_not_before.get(user.pk) if isinstance(email_not_before, dict) else email_not_before
            msg = OutboxMessage.objects.create(
                notification=n, to_email=user.email, subject=f"【青年之声】{title}"[:200],
                body=f"{body}\n\n{url}".strip(), not_before=not_before,
            )
            _schedule(msg)
    return created


def _schedule(msg: OutboxMessage) -> None:
    from .tasks import deliver_outbox_message

    def enqueue():
        if msg.not_before and msg.not_before > timezone.now():
            deliver_outbox_message.apply_async(args=[msg.pk], eta=msg.not_before)
        else:
            deliver_outbox_message.delay(msg.pk)

    transaction.on_commit(enqueue)


def deliver(message_id: int) -> str:
    """Send one outbox e-mail if it is due and not sent yet. Idempotent; safe to call twice."""
    from django.core.mail import send_mail

    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if msg is None:
            return "locked-or-missing"
        if msg.status != OutboxStatus.PENDING:
            return msg.status
        if msg.not_before and msg.not_before > timezone.now():
            return "not-due"
        msg.attempts += 1
        try:
            send_mail(msg.subject, msg.body, None, [msg.to_email])
        except Exception as exc:  # record and let the sweep retry; never lose the row
            msg.last_error = f"{exc.__class__.__name__}: {exc}"[:300]
            if msg.attempts >= MAX_ATTEMPTS:
                msg.status = OutboxStatus.FAILED
            msg.save(update_fields=["attempts", "last_error", "status"])
            return "error"
        msg.status = OutboxStatus.SENT
        msg.sent_at = timezone.now()
        msg.save(update_fields=["attempts", "status", "sent_at"])
        return "sent"


def due_message_ids(limit: int = 500) -> list[int]:
    now = timezone.now()
    qs = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exclude(not_before__gt=now)
    return list(qs.order_by("pk").values_list("pk", flat=True)[:limit])


def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    if user is None or not user.is_authenticated:
        raise Forbidden("请先登录", "Log in first")
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
