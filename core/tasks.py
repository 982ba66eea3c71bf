from celery import shared_task
from django.utils.module_loading import import_string


@shared_task(ignore_result=True)
def run_django_task(path: str, args: list, kwargs: dict) -> None:
    """A django-tasks task sent by core.tasks_backend.CeleryBackend (Wagtail's search-index updates)."""
    import_string(path).call(*args, **kwargs)
