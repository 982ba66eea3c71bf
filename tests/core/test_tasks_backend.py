"""Wagtail's search-index updates (django-tasks) go to the Celery queue after the saving transaction
commits (core/tasks_backend.py), not inside the request before it (django-tasks' default)."""

import pytest
from django.db import transaction

from community.models import Question
from core import tasks
from search import tasks as search_tasks


@pytest.fixture(autouse=True)
def _celery_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "core.tasks_backend.CeleryBackend"}}


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.run_django_task, "delay", lambda *args: calls.append(("wagtail", *args)))
    monkeypatch.setattr(search_tasks.reindex, "delay", lambda *args: calls.append(("proxy", *args)))
    return calls


def test_an_indexed_save_is_queued_on_commit(tree, youth, sent, django_capture_on_commit_callbacks):
    from community import services

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            question = services.ask_question(asker=youth, title="青年之家周末开放吗", domain="league",
                                             organization=tree.tianhe)
            assert sent == []  # nothing before the commit
    assert ("wagtail", "modelsearch.tasks.insert_or_update_object_task",
            ["community", "question", str(question.pk)], {}) in sent


def test_the_queued_task_indexes_the_object(tree, youth, django_capture_on_commit_callbacks):
    """Eager Celery (tests, make run) runs it at commit: the new question is found at once."""
    from modelsearch.backends import get_search_backend

    from community import services

    with django_capture_on_commit_callbacks(execute=True):
        question = services.ask_question(asker=youth, title="补办团员证需要什么材料", domain="league",
                                         organization=tree.tianhe)
    assert question.pk in [q.pk for q in get_search_backend().search("团员证", Question)]
