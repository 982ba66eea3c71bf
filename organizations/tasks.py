from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def warn_roster_gaps() -> int:
    return services.warn_roster_gaps()
