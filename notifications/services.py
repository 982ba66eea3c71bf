"""Notify users: one call from any app's service, inside its transaction.

    notify(recipients=[user], kind="answer", title="你的问题有了新回答", url=question_url,
           actor=request_user, subject="community.question:42", email=True)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import page_cache
from core.errors import Forbidden

from .models import Notification, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    # The user model is settings.AUTH_USER_MODEL, defined by accounts, which sits above notifications:
    # annotations name Django's abstract user, and the model rows take it as the configured model.
    from django.contrib.auth.models import AbstractUser as User

MAX_ATTEMPTS = 5
logger = logging.getLogger(__name__)


@dataclass
class Notice:
    """One notification to send to several recipients (the arguments of `notify`)."""

    recipients: Iterable[User | None]
    kind: str
    title: str
    body: str = ""
    url: str = ""
    actor: User | None = None
    subject: str = ""
    dedupe_key: str = ""
    email: bool = False
    email_not_before: datetime | dict | None = None


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor: User | None = None,
    subject: str = "",
    dedupe_key: str = "",
    email: bool = False,
    email_not_before: datetime | dict | None = None,
) -> list[Notification]:
    """Write a notification per recipient (skipping the actor and duplicates of `dedupe_key`) and,
    with `email=True`, an outbox e-mail for each recipient with an address. `email_not_before` may be
    one time for all, or {user_id: time} (e.g. the start of each recipient's duty hours).
    Delivery is scheduled after the surrounding transaction commits."""
    return notify_many([Notice(recipients=recipients, kind=kind, title=title, body=body, url=url, actor=actor,
                               subject=subject, dedupe_key=dedupe_key, email=email,
                               email_not_before=email_not_before)])


def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """`notify` for many notices at once, in a constant number of queries (one duplicate check, one
    insert of notifications, one of e-mails): what a sweep over hundreds of due items calls."""
    pending: list[tuple[Notice, User]] = []
    for notice in notices:
        seen = set()
        for user in notice.recipients:
            if (user is None or user.pk in seen or not user.is_active
                    or (notice.actor is not None and user.pk == notice.actor.pk)):
                continue
            seen.add(user.pk)
            pending.append((notice, user))
    keyed = {(user.pk, notice.dedupe_key) for notice, user in pending if notice.dedupe_key}
    if keyed:
        existing = set(Notification.objects.filter(
            recipient_id__in={pk for pk, _ in keyed}, dedupe_key__in={key for _, key in keyed},
        ).values_list("recipient_id", "dedupe_key"))
        fresh = []
        for notice, user in pending:
            key = (user.pk, notice.dedupe_key)
            if notice.dedupe_key and key in existing:
                continue
            existing.add(key)  # a second notice with the same key in this batch is a duplicate too
            fresh.append((notice, user))
        pending = fresh
    # the frame's unread count (core.page_cache: cached per user) shows the new one at once
    page_cache.bump_users({user.pk for _, user in pending})
    pending = _coalesce(pending)
    if not pending:
        return []
    _forget_unread_counts({user.pk for _, user in pending})
    rows = [Notification(recipient=cast(Any, user), kind=notice.kind, title=notice.title[:200], body=notice.body,
                         url=notice.url[:500], actor=cast(Any, notice.actor), subject=notice.subject,
                         dedupe_key=notice.dedupe_key) for notice, user in pending]
    created: Sequence[Notification | None]  # None: a row the deduplication index refused
    if not keyed:  # only the deduplication index can refuse a row: no savepoint needed without keys
        created = Notification.objects.bulk_create(rows)
    else:
        try:
            with transaction.atomic():
                created = Notification.objects.bulk_create(rows)
        except IntegrityError:  # a concurrent writer created one of the deduplicated rows: one at a time
            created = [row if _create_one(row) else None for row in rows]
    messages = []
    for (notice, user), n in zip(pending, created, strict=True):
        if n is None or not (notice.email and user.email):
            continue
        not_before = (notice.email_not_before.get(user.pk) if isinstance(notice.email_not_before, dict)
                      else notice.email_not_before)
        messages.append(OutboxMessage(
            notification=n, to_email=user.email, subject=f"【青年之声】{notice.title}"[:200],
            body=f"{notice.body}\n\n{notice.url}".strip(), not_before=not_before,
            enqueued_at=not_before or timezone.now(),
        ))
    if messages:
        _schedule(OutboxMessage.objects.bulk_create(messages))
    return [n for n in created if n is not None]


def _coalescible(notice: Notice) -> bool:
    rule = getattr(settings, "YV_NOTIFICATION_COALESCE", None) or {}
    return bool(notice.subject and not notice.dedupe_key and notice.kind in rule.get("kinds", ()))


def _coalesce(pending: list[tuple[Notice, User]]) -> list[tuple[Notice, User]]:
    """Fold each notice of a coalesced kind (settings.YV_NOTIFICATION_COALESCE) into the recipient's
    unread notice of the same kind about the same subject from within the window, if there is one:
    that row counts one more, takes the latest title, body, link and actor and moves to the top; no
    row and no e-mail are added (the unread notice already brought the recipient there). Returns the
    notices still to write. One query finds the candidates; one UPDATE per folded notice."""
    candidates = [(notice, user) for notice, user in pending if _coalescible(notice)]
    if not candidates:
        return pending
    window = timedelta(seconds=settings.YV_NOTIFICATION_COALESCE["window_seconds"])
    now = timezone.now()
    open_rows = {}
    for pk, recipient_id, kind, subject in Notification.objects.filter(
        recipient_id__in={user.pk for _, user in candidates}, kind__in={n.kind for n, _ in candidates},
        subject__in={n.subject for n, _ in candidates}, read_at__isnull=True, created_at__gte=now - window,
    ).order_by("created_at", "pk").values_list("pk", "recipient_id", "kind", "subject"):
        open_rows[(recipient_id, kind, subject)] = pk  # the newest wins
    rest = []
    for notice, user in pending:
        open_pk = open_rows.get((user.pk, notice.kind, notice.subject)) if _coalescible(notice) else None
        folded = open_pk is not None and Notification.objects.filter(pk=open_pk, read_at__isnull=True).update(
            count=F("count") + 1, title=notice.title[:200], body=notice.body, url=notice.url[:500],
            actor=notice.actor, created_at=now,
        )
        if not folded:
            rest.append((notice, user))
    return rest


def _create_one(row: Notification) -> bool:
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "YV_OUTBOX_LEASE_SECONDS", 300))


def _resend_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "YV_OUTBOX_RESEND_AFTER_SECONDS", 300))


def _schedule(messages: list[OutboxMessage]) -> None:
    """Publish the delivery tasks after commit, one publish per distinct send time. A broker that
    is down must not fail the caller's request (the rows are committed): the sweep publishes them
    again later."""
    by_eta: dict = {}
    for msg in messages:
        by_eta.setdefault(msg.not_before, []).append(msg.pk)

    def enqueue():
        for eta, ids in by_eta.items():
            publish(ids, eta=eta)

    transaction.on_commit(enqueue)


def publish(message_ids: list[int], *, eta: datetime | None = None) -> int:
    """Publish delivery tasks; returns how many the broker took. Never raises."""
    from .tasks import deliver_outbox_message

    published = 0
    for message_id in message_ids:
        try:
            if eta and eta > timezone.now():
                deliver_outbox_message.apply_async(args=[message_id], eta=eta, retry=False)
            else:
                deliver_outbox_message.apply_async(args=[message_id], retry=False)
        except Exception as exc:  # noqa: BLE001 - broker unavailable: the row stays pending and the sweep retries
            logger.warning("outbox: could not publish message %s (%s); the sweep will retry", message_id, exc)
            break
        published += 1
    return published


def _send(msg: OutboxMessage) -> None:
    EmailMessage(msg.subject, msg.body, None, [msg.to_email], headers={"Message-ID": msg.message_id}).send()


def deliver(message_id: int) -> str:
    """Send one outbox e-mail if it is due and nobody else is sending it. Idempotent: the claim is a
    conditional UPDATE (pending, or sending with an expired lease → sending), so two workers given
    the same message send it once; a sent or failed row is never sent again."""
    now = timezone.now()
    claimable = Q(status=OutboxStatus.PENDING) | Q(status=OutboxStatus.SENDING, claimed_until__lt=now)
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    claimed = OutboxMessage.objects.filter(claimable, due, pk=message_id).update(
        status=OutboxStatus.SENDING, claimed_until=now + _lease(), attempts=F("attempts") + 1
    )
    if not claimed:
        row = OutboxMessage.objects.filter(pk=message_id).values_list("status", "not_before").first()
        if row is None:
            return "missing"
        status, not_before = row
        if status == OutboxStatus.PENDING and not_before and not_before > now:
            return "not-due"
        return "locked" if status == OutboxStatus.SENDING else status
    msg = OutboxMessage.objects.get(pk=message_id)
    mine = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.SENDING, claimed_until=msg.claimed_until)
    try:
        _send(msg)
    except Exception as exc:  # noqa: BLE001 - record and let the sweep retry; never lose the row
        final = msg.attempts >= MAX_ATTEMPTS
        mine.update(status=OutboxStatus.FAILED if final else OutboxStatus.PENDING, claimed_until=None,
                    last_error=f"{exc.__class__.__name__}: {exc}"[:300], enqueued_at=timezone.now())
        return "error"
    mine.update(status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_until=None)
    return "sent"


def stuck_message_ids(limit: int = 1000, now: datetime | None = None) -> list[int]:
    """Rows the sweep must publish again: due and pending whose task was published long ago (or
    never reached the broker), and sending rows whose worker's lease has expired (it died)."""
    now = now or timezone.now()
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    stale = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - _resend_after())
    qs = OutboxMessage.objects.filter(
        (Q(status=OutboxStatus.PENDING) & due & stale) | Q(status=OutboxStatus.SENDING, claimed_until__lt=now)
    )
    return list(qs.order_by("pk").values_list("pk", flat=True)[:limit])


def sweep(*, batch: int = 1000, max_batches: int = 50) -> int:
    """Re-publish stuck rows (see stuck_message_ids); returns how many were published."""
    total = 0
    for _ in range(max_batches):
        now = timezone.now()
        ids = stuck_message_ids(batch, now)
        if not ids:
            break
        OutboxMessage.objects.filter(pk__in=ids).update(enqueued_at=now)
        published = publish(ids)
        total += published
        if published < len(ids):  # the broker is down: the rest waits for the next sweep
            OutboxMessage.objects.filter(pk__in=ids[published:]).update(enqueued_at=None)
            break
        if len(ids) < batch:
            break
    return total


def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    if user is None or not user.is_authenticated:
        raise Forbidden(gettext_lazy("Log in first"))
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    _forget_unread_counts({user.pk})
    marked = qs.update(read_at=timezone.now())
    if marked:
        page_cache.bump_users([user.pk])
    return marked


UNREAD_KEY = "notif:unread:%s"
UNREAD_TTL = 300  # a safety net: every write path below forgets the count


def _forget_unread_counts(user_ids) -> None:
    """Drop the cached unread counts of these users, now and again once the transaction commits
    (a render between the two would otherwise cache the count from before the write)."""
    from django.core.cache import cache

    keys = [UNREAD_KEY % pk for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def unread_count(user) -> int:
    """The header badge: cached per user (the logged-in frame of every page would otherwise count
    on every request); notify() and mark_read() forget it."""
    if user is None or not user.is_authenticated:
        return 0
    from django.core.cache import cache

    key = UNREAD_KEY % user.pk
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TTL)
    return count
