"""Writes of the accounts app: the personal-data access log."""

from collections.abc import Iterable

from .models import PersonalDataAccess


def _client_ip(request):
    if request is None:
        return None
    from .security import client_ip

    return client_ip(request) or None


def record_personal_data_access(*, viewer, subjects: Iterable, fields: Iterable[str], where: str,
                                request=None, label: str = "") -> int:
    """Log that `viewer` saw `fields` of each of `subjects` in the clear at `where` (a view name or
    path). `subjects` are users, or None for data of someone without an account (then `label` names
    the record, e.g. an appeal's reference). A user looking at their own data is not logged.
    Returns the number of rows written."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return 0
    field_list = ",".join(sorted(set(fields)))
    ip = _client_ip(request)
    seen = set()
    rows = []
    for subject in subjects:
        if subject is not None and (subject.pk == viewer.pk or subject.pk in seen):
            continue
        if subject is None and not label:
            continue
        seen.add(getattr(subject, "pk", None))
        rows.append(PersonalDataAccess(
            viewer=viewer, subject=subject, subject_label=(subject.get_username() if subject else label)[:150],
            fields=field_list[:120], where=where[:200], ip_address=ip))
    PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)
