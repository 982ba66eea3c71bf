"""Celery tasks of the insights app: thin wrappers over services, idempotent (a day is replaced)."""

from datetime import date

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def aggregate_kpis(day: str | None = None) -> int:
    """Nightly: re-aggregate the recent days (or one ISO day when given)."""
    if day:
        services.aggregate_day(date.fromisoformat(day))
        return 1
    return services.aggregate_recent()
