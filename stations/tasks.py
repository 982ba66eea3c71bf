"""Periodic station work: thin, idempotent wrappers over services."""

from celery import shared_task


@shared_task(acks_late=True)
def sweep_bookings() -> dict:
    """Escalate overdue requests (once each) and expire those whose slot has begun."""
    from . import services

    return {"escalated": services.escalate_overdue(), "expired": services.expire_stale()}


@shared_task(acks_late=True)
def generate_all_slots(days: int = 14) -> int:
    """Keep two weeks of slots ahead for every live station (bulk insert, conflicts ignored)."""
    from . import selectors, services

    return sum(services.generate_slots(station=s, days=days) for s in selectors.live_stations())
