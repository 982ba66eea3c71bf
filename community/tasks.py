from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> dict:
    """Reminders at 2/3 of the window, escalation when overdue. Idempotent (rows are claimed and marked)."""
    return services.sweep_deadlines()


@shared_task(ignore_result=True)
def flush_views() -> int:
    """Apply the view counts buffered in Redis (services.record_view). While Redis is unreachable
    there is nothing to apply (views are counted in the database meanwhile): log and wait for the
    next run."""
    import logging

    import redis

    try:
        return services.flush_views()
    except redis.RedisError:
        logging.getLogger(__name__).warning("Redis unreachable: buffered views not flushed", exc_info=True)
        return 0
