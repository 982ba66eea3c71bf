from celery import shared_task

from . import webhooks


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    return webhooks.deliver(delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_webhooks() -> int:
    """Publish what is due: retries after their back-off, rows whose task was lost, dead leases."""
    return webhooks.sweep()
