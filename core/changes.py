"""One way to apply an edit: the services' update functions call `save_changes` after their checks."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from wagtail.log_actions import log


def save_changes(instance: models.Model, changes: Mapping[str, Any], *, actor: Any,
                 also_save: Iterable[str] = (), log_key: str = "fields") -> list[str]:
    """Set the fields whose value differs, save only those (`save(update_fields=…)`, plus `also_save`,
    e.g. an auto-updated timestamp) and write one audit entry naming them. Returns the changed fields,
    sorted; nothing is saved or logged when nothing changed."""
    changed = sorted(f for f, v in changes.items() if getattr(instance, f) != v)
    if not changed:
        return changed
    for field in changed:
        setattr(instance, field, changes[field])
    instance.save(update_fields=[*changed, *also_save])
    log(instance=instance, action="wagtail.edit", user=actor, data={log_key: changed})
    return changed
