"""What apps above home offer its featured and hot slots and its topic pages. home knows no app above
it: an app registers here in its AppConfig.ready (community registers its questions).

- `register_questions(model, public=..., visibility_fields=...)`: the question model, a callable
  returning the public questions (a queryset of list rows: not removed, not held), and the fields
  whose change takes a question in or out of the public; home drops cached pages when they change.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class QuestionSource:
    model: type
    public: Callable[[], QuerySet]
    visibility_fields: frozenset[str]


_questions: QuestionSource | None = None


def register_questions(model: type, *, public: Callable[[], QuerySet], visibility_fields=()) -> None:
    """Called once, by the Q&A app (community.apps). Connects home's cache invalidation to the model."""
    global _questions
    from . import signals

    _questions = QuestionSource(model=model, public=public, visibility_fields=frozenset(visibility_fields))
    signals.connect_questions(_questions)


def questions() -> QuestionSource | None:
    return _questions
