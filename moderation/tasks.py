from celery import shared_task

from . import monitoring, services


@shared_task(acks_late=True, ignore_result=True)
def run_monitoring(window: str = "hour") -> int:
    return len(monitoring.run(window=window))


@shared_task(acks_late=True, ignore_result=True)
def prune_post_records() -> int:
    return services.prune_post_records()
