"""Every content type in one query, the first time any is looked up in a process.

Django's ContentTypeManager caches content types in the process, one query per type on its first
lookup. A page's first render after a server start looks up a dozen (the page's own type, the types
of the cards and sections it lists): a dozen queries. Here the first miss loads the whole table
(some hundred rows, once per process and after each `clear_cache()`), so that render costs one.
Installed by CoreConfig.ready(); the migrations' historical models are left as Django has them."""

from django.contrib.contenttypes.models import ContentType, ContentTypeManager

_originals: dict[str, object] = {}


def load_all(manager: ContentTypeManager) -> None:
    """Fill the manager's cache for its database with every content type, unless it holds some."""
    if manager.model is not ContentType or manager._cache.get(manager.db):
        return
    db = manager.db
    for content_type in manager.db_manager(db).all():
        manager._add_to_cache(db, content_type)


def _patched(name: str):
    original = getattr(ContentTypeManager, name)

    def lookup(self, *args, **kwargs):
        load_all(self)
        return original(self, *args, **kwargs)

    lookup.__name__ = lookup.__qualname__ = name
    lookup.__doc__ = original.__doc__
    return original, lookup


def install() -> None:
    if _originals:
        return
    for name in ("get_for_id", "get_by_natural_key", "_get_from_cache"):
        _originals[name], lookup = _patched(name)
        setattr(ContentTypeManager, name, lookup)
