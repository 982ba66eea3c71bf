from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox_message(message_id: int) -> str:
    return services.deliver(message_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Deliver what is due and was not delivered (a worker died, the broker was down, an ETA passed)."""
    ids = services.due_message_ids()
    for message_id in ids:
        services.deliver(message_id)
    return len(ids)
