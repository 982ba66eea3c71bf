from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> dict:
    """Reminders at 2/3 of the window, escalation when overdue. Idempotent (rows are claimed and marked)."""
    return services.sweep_deadlines()
