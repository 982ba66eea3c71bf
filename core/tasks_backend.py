"""django-tasks on Celery. Wagtail queues its search-index updates as django-tasks tasks
(modelsearch: one per saved page, question or answer); django-tasks' default backend runs each
at once, inside the request that saved the object and before its transaction commits — a
question's POST spent most of its time indexing it (bench/posts.py). This backend sends them to
the Celery queue every other background job of the project uses, after the transaction commits
(`core.tasks.run_django_task`). With CELERY_TASK_ALWAYS_EAGER (`make run`, the tests) they run in
the process at commit. Selected by TASKS in youthvoice/settings/base.py."""

from typing import Any

from django.db import transaction
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.exceptions import InvalidTaskError
from django_tasks.utils import get_random_id, normalize_json


class CeleryBackend(BaseTaskBackend):
    def validate_task(self, task: Task) -> None:
        super().validate_task(task)
        if task.takes_context:
            raise InvalidTaskError("Tasks that take a context are not supported on Celery here.")

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        from .tasks import run_django_task

        self.validate_task(task)
        result: TaskResult = TaskResult(
            task=task, id=get_random_id(), status=TaskResultStatus.READY, enqueued_at=None, started_at=None,
            last_attempted_at=None, finished_at=None, args=normalize_json(args), kwargs=normalize_json(kwargs),
            backend=self.alias, errors=[], worker_ids=[])
        path, task_args, task_kwargs = task.module_path, list(result.args), dict(result.kwargs)
        transaction.on_commit(lambda: run_django_task.delay(path, task_args, task_kwargs),
                              using=self.options.get("DATABASE"))
        return result
