from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def deliver_outbox_message(message_id: int) -> str:
    return services.deliver(message_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Re-publish what is due and was not delivered (a worker died mid-send, the broker lost the task
    or was down at commit, an ETA passed). Deliveries are idempotent, so a re-publish is harmless."""
    return services.sweep()
