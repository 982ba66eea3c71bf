from celery import shared_task


@shared_task(ignore_result=True)
def reindex(label: str, pk: int) -> None:
    """Re-index one expert or answer (search.signals: after the saving transaction commits)."""
    from django.apps import apps

    from .signals import reindex_now

    reindex_now(apps.get_model(label), pk)
