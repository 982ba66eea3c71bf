"""Partner events: written in the transaction of the change that caused them (the outbox), with one
delivery row per subscribed webhook endpoint; delivered after commit by Celery (partners.webhooks).

Sources: post_save of the models whose rows are the events (QuestionEvent, AppealEvent, Alert) or
carry them (Booking status/rating), plus `question_events()` for the rows community's sweeps write
with bulk_create (no post_save). An endpoint receives events of the organisations its partner may see
(the partner's organisations and their subtrees)."""

from django.conf import settings
from django.db import transaction

from organizations.domain.tree import in_subtree

from .models import PartnerEvent, WebhookDelivery, WebhookEndpoint

QUESTION_KINDS = {"asked": "question.asked", "answered": "question.answered", "overdue": "question.overdue",
                  "escalated": "question.escalated"}


ENDPOINTS_CACHE_KEY = "partners:endpoints:v1"


def _subscriptions() -> list[dict]:
    """Active endpoints with the event types they want and the organisation paths their partner may
    see; cached (a write of a partner or endpoint forgets it), so that events cost no query when
    nobody subscribed."""
    from django.core.cache import cache

    rows = cache.get(ENDPOINTS_CACHE_KEY)
    if rows is None:
        rows = [{"id": e.pk, "types": e.event_types.split(), "paths": [o.path for o in e.partner.organizations.all()]}
                for e in WebhookEndpoint.objects.filter(is_active=True, partner__is_active=True)
                .select_related("partner").prefetch_related("partner__organizations")]
        cache.set(ENDPOINTS_CACHE_KEY, rows, 600)
    return rows


def forget_subscriptions() -> None:
    from django.core.cache import cache

    cache.delete(ENDPOINTS_CACHE_KEY)


def _endpoints_for(event_type: str, organization) -> list[int]:
    path = getattr(organization, "path", None)
    if path is None:
        return []
    return [row["id"] for row in _subscriptions()
            if (not row["types"] or event_type in row["types"]) and in_subtree(path, row["paths"])]


def emit(event_type: str, *, subject: str, organization, data: dict, user_id: int | None = None) -> PartnerEvent | None:
    """Record one event and its deliveries in the current transaction; publish them after commit."""
    endpoints = _endpoints_for(event_type, organization)
    if endpoints:  # the cache may lag a deletion: only endpoints that still exist
        endpoints = list(WebhookEndpoint.objects.filter(pk__in=endpoints, is_active=True).values_list("pk", flat=True))
    if not endpoints:
        return None
    event = PartnerEvent.objects.create(type=event_type, subject=subject, organization=organization, data=data,
                                        personal={"user_id": user_id} if user_id else {})
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint_id=e, event=event, subject=subject) for e in endpoints])
    ids = [d.pk for d in deliveries]
    if getattr(settings, "YV_WEBHOOK_PUBLISH_ON_COMMIT", True):
        transaction.on_commit(lambda: _publish(ids))
    return event


def _publish(ids: list[int]) -> None:
    from .tasks import deliver_webhook

    for pk in ids:
        try:
            deliver_webhook.delay(pk)
        except Exception:  # noqa: BLE001 - broker down: the sweep publishes it later
            pass


def question_events(events) -> None:
    if not _subscriptions():  # nobody subscribed: no work, no query
        return
    for ev in events:
        event_type = QUESTION_KINDS.get(ev.kind)
        if event_type is None:
            continue
        q = ev.question
        emit(event_type, subject=f"question:{q.pk}", organization=q.organization, user_id=None if q.is_anonymous else q.asker_id,
             data={"question": {"id": q.pk, "title": q.title, "domain": q.domain, "status": q.status,
                                "organization_id": q.organization_id, "url": q.get_absolute_url()},
                   "reason": ev.reason, "at": ev.created_at.isoformat()})


def booking_event(event_type: str, booking) -> None:
    if not _subscriptions():  # nobody subscribed: no work, no query
        return
    emit(event_type, subject=f"booking:{booking.pk}", organization=booking.station.organization, user_id=booking.user_id,
         data={"booking": {"id": booking.pk, "station_id": booking.station_id, "status": booking.status,
                           "slot_id": booking.slot_id, "rating": booking.rating}})


def appeal_event(ev) -> None:
    if not _subscriptions():  # nobody subscribed: no work, no query
        return
    from appeals.domain.workflow import State

    if ev.action == "open":
        event_type = "appeal.opened"
    elif ev.to_state in State.CLOSED:
        event_type = "appeal.closed"
    elif ev.action in ("edit",):
        return
    else:
        event_type = "appeal.stepped"
    appeal = ev.appeal
    emit(event_type, subject=f"appeal:{appeal.pk}", organization=appeal.organization,
         user_id=appeal.requester_id if appeal.consent_to_share else None,
         data={"appeal": {"id": appeal.pk, "kind": appeal.kind, "state": appeal.state, "theme": appeal.theme,
                          "organization_id": appeal.organization_id},
               "step": {"action": ev.action, "from": ev.from_state, "to": ev.to_state, "public": ev.public}})


def alert_event(alert) -> None:
    if not _subscriptions():  # nobody subscribed: no work, no query
        return
    emit("alert.raised", subject=f"alert:{alert.pk}", organization=alert.organization,
         data={"alert": {"id": alert.pk, "kind": alert.kind, "title": alert.title, "score": alert.score,
                         "organization_id": alert.organization_id, "thread_count": alert.thread_count}})
