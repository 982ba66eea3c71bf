from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> dict:
    """Reminders at 2/3 of the window, escalation when overdue. Idempotent (rows are claimed and marked)."""
    return services.sweep_deadlines()


@shared_task(ignore_result=True)
def flush_views() -> int:
    """Apply the view counts buffered in Redis (services.record_view)."""
    return services.flush_views()
