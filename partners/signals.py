"""Event sources for partner webhooks (partners.events) and cache invalidation of the registry."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from community.signals import question_events_created

from .models import Partner, WebhookEndpoint


@receiver([post_save, post_delete], sender=Partner)
@receiver([post_save, post_delete], sender=WebhookEndpoint)
def _registry_changed(sender, **kwargs):
    from .events import forget_subscriptions
    from .selectors import forget_footer

    forget_footer()
    forget_subscriptions()


@receiver(m2m_changed, sender=Partner.organizations.through)
def _organizations_changed(sender, **kwargs):
    from .events import forget_subscriptions

    forget_subscriptions()


@receiver(post_save, sender="community.QuestionEvent")
def _question_event(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .events import question_events

        question_events([instance])


@receiver(question_events_created)
def _question_events_bulk(sender, events, **kwargs):
    from .events import question_events

    question_events(events)


@receiver(post_save, sender="appeals.AppealEvent")
def _appeal_event(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .events import appeal_event

        appeal_event(instance)


@receiver(post_save, sender="moderation.Alert")
def _alert(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .events import alert_event

        alert_event(instance)


BOOKING_STATUS_EVENTS = {"confirmed": "booking.confirmed", "completed": "booking.served"}


@receiver(post_save, sender="stations.Booking")
def _booking(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    from .events import booking_event

    if created:
        booking_event("booking.requested", instance)
        return
    fields = set(update_fields or ())
    if (not fields or "status" in fields) and instance.status in BOOKING_STATUS_EVENTS:
        booking_event(BOOKING_STATUS_EVENTS[instance.status], instance)
    if "rating" in fields and instance.rating is not None:
        booking_event("booking.rated", instance)
