"""Which models take part in moderation, and how to read them.

    registry.register(Question, kind="question", text_fields=("title", "body"),
                      url=lambda q: q.get_absolute_url())

The model must inherit `moderation.models.ModeratedContent` and have an author and an organisation
(field names configurable)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Moderated:
    model: type[models.Model]
    kind: str
    text_fields: tuple[str, ...]
    author_field: str
    organization_field: str  # may be dotted: "question.organization"
    url: Callable | None
    time_field: str = "created_at"
    monitored: bool = False  # read by the monitoring job (questions)

    def author(self, obj):
        return getattr(obj, self.author_field)

    def organization(self, obj):
        for part in self.organization_field.split("."):
            obj = getattr(obj, part)
        return obj

    def text(self, obj) -> str:
        return "\n".join(str(getattr(obj, f) or "") for f in self.text_fields)

    def url_for(self, obj) -> str:
        return self.url(obj) if self.url else ""


_by_model: dict[type, Moderated] = {}
_by_kind: dict[str, Moderated] = {}


def register(model, *, kind: str, text_fields=("body",), author_field="author", organization_field="organization",
             url=None, time_field="created_at", monitored=False) -> None:
    spec = Moderated(model, kind, tuple(text_fields), author_field, organization_field, url, time_field, monitored)
    _by_model[model] = spec
    _by_kind[kind] = spec


def spec_for(obj_or_model) -> Moderated:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for klass in model.__mro__:
        if klass in _by_model:
            return _by_model[klass]
    raise LookupError(f"{model.__name__} is not registered for moderation")


def spec_for_kind(kind: str) -> Moderated:
    return _by_kind[kind]


def kinds() -> list[str]:
    return list(_by_kind)
