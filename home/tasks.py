from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def warm_fragments(path: str) -> int:
    """After a publish: fill the fragment caches of the branch pages above the page (home.signals)."""
    return services.warm_fragments(path=path)
