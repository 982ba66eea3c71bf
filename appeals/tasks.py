from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sweep_overdue_appeals() -> int:
    """Notify coordination groups (this level and the one above) about overdue steps. Idempotent."""
    return services.sweep_overdue()
