"""Delivery of partner events (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).

A delivery is a state machine driven by conditional UPDATEs, like the e-mail outbox
(notifications.services.deliver): pending → sending (a lease) → delivered, or back to pending with
the next attempt time (exponential back-off from YV_WEBHOOK_RETRY_SECONDS, capped at 6 hours, for
YV_WEBHOOK_GIVE_UP_SECONDS — four days by default) → failed. Every attempt is logged.

Order per object: a delivery is claimed only when no earlier event of the same subject is still
pending or sending for that endpoint; when one is delivered, the next of its subject is published.
The webhook-id is the event's, the same on every attempt and on a replay, so receivers drop
duplicates (a worker killed after the POST and before the UPDATE sends it again)."""

import json
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from standardwebhooks import Webhook

from .models import DeliveryAttempt, DeliveryStatus, PartnerEvent, WebhookDelivery

LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.YV_WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def payload_for(event: PartnerEvent, endpoint) -> dict:
    """The event as this partner may see it: the user only as the partner's own subject, phone and
    real name only with those scopes."""
    from .oauth import subject_for

    data = dict(event.data)
    user_id = (event.personal or {}).get("user_id")
    partner = endpoint.partner
    if user_id and "openid" in partner.scopes:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=user_id).first()
        if user is not None:
            person = {"sub": subject_for(partner.application, user)}
            if "phone" in partner.scopes and getattr(user, "phone", None):
                person["phone_number"] = user.phone
            if "real_name" in partner.scopes and getattr(user, "is_real_name_verified", False):
                person["real_name"] = user.real_name
            data["user"] = person
    return {"type": event.type, "timestamp": event.created_at.isoformat(), "subject": event.subject, "data": data}


def _earlier_open(delivery_alias="pk"):
    return WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"), subject=OuterRef("subject"), event_id__lt=OuterRef("event_id"),
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])


def _claim(delivery_id: int, now) -> bool:
    due = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stale = Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)
    return bool(WebhookDelivery.objects.filter(due | stale, pk=delivery_id)
                .exclude(Exists(_earlier_open()))
                .update(status=DeliveryStatus.SENDING, claimed_until=now + LEASE))


def post(delivery: WebhookDelivery, *, replay: bool = False) -> DeliveryAttempt:
    endpoint, event = delivery.endpoint, delivery.event
    body = json.dumps(payload_for(event, endpoint), ensure_ascii=False, separators=(",", ":"))
    sent_at = timezone.now()
    signature = Webhook(endpoint.secret).sign(event.webhook_id, sent_at, body)
    headers = {"content-type": "application/json", "webhook-id": event.webhook_id,
               "webhook-timestamp": str(int(sent_at.timestamp())), "webhook-signature": signature,
               "user-agent": "YouthVoice-Webhooks/1"}
    started = time.monotonic()
    status_code, error = None, ""
    try:
        response = requests.post(endpoint.url, data=body.encode(), headers=headers,
                                 timeout=settings.YV_WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    return DeliveryAttempt.objects.create(delivery=delivery, status_code=status_code, ok=not error, error=error[:300],
                                          duration_ms=int((time.monotonic() - started) * 1000), replay=replay)


def deliver(delivery_id: int, now=None) -> str:
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint__partner__application", "event").get(pk=delivery_id)
    attempt = post(delivery)
    attempts = delivery.attempts + 1
    if attempt.ok:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), attempts=attempts, claimed_until=None,
            last_error="")
        _publish_next(delivery)
        return "delivered"
    gave_up = timezone.now() - delivery.created_at >= timedelta(seconds=settings.YV_WEBHOOK_GIVE_UP_SECONDS)
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING, attempts=attempts, claimed_until=None,
        next_attempt_at=None if gave_up else timezone.now() + backoff(attempts), last_error=attempt.error)
    if gave_up:
        _publish_next(delivery)  # a dead event does not hold back the rest of its subject
    return "failed" if gave_up else "retry"


def _publish_next(delivery: WebhookDelivery) -> None:
    following = (WebhookDelivery.objects.filter(endpoint_id=delivery.endpoint_id, subject=delivery.subject,
                                                event_id__gt=delivery.event_id, status=DeliveryStatus.PENDING)
                 .order_by("event_id").values_list("pk", flat=True).first())
    if following:
        from .events import _publish

        transaction.on_commit(lambda: _publish([following]))


def due_ids(now=None, limit: int = 1000) -> list[int]:
    """Deliveries to (re)try now, oldest event first: due retries, never-published rows, dead leases;
    only the first open delivery of each subject (the rest wait their turn)."""
    now = now or timezone.now()
    due = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stale = Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)
    return list(WebhookDelivery.objects.filter(due | stale).exclude(Exists(_earlier_open()))
                .order_by("event_id").values_list("pk", flat=True)[:limit])


def sweep(now=None, *, inline: bool = False) -> int:
    ids = due_ids(now)
    if inline:
        for pk in ids:
            deliver(pk, now)
    else:
        from .events import _publish

        _publish(ids)
    return len(ids)


def replay(*, actor, delivery_id: int) -> DeliveryAttempt:
    """Send a delivery again now, whatever its state (an administrator's replay); logged as a replay.
    A failed (given up) delivery that succeeds becomes delivered."""
    from .services import check_registry_admin

    check_registry_admin(actor)
    delivery = WebhookDelivery.objects.select_related("endpoint__partner__application", "event").get(pk=delivery_id)
    attempt = post(delivery, replay=True)
    changes = {"attempts": delivery.attempts + 1, "last_error": attempt.error}
    if attempt.ok:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), claimed_until=None)
    elif delivery.status == DeliveryStatus.FAILED:
        changes.update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now() + backoff(1),
                       created_at=timezone.now())  # a fresh window of retries
    WebhookDelivery.objects.filter(pk=delivery_id).update(**changes)
    return attempt
