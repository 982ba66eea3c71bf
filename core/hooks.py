"""Hooks: how a lower app calls into an upper one without importing it.

The layering (docs/architecture.md) lets an app import only apps below it. When something low in the
stack must ask something above it — accounts asks moderation whether a user is banned, organizations
asks home for the URLs of branch pages — the lower app declares a named `Hook` and calls it; the upper
app fills it once, in its `AppConfig.ready()`. An empty hook raises `ImproperlyConfigured` when called:
a missing registration fails loudly instead of silently skipping a check (a ban, a screening).

`Providers` is the many-to-one form: each upper app adds its contribution (e.g. its part of a user's
personal-data copy) and the lower app calls them all, in registration order.

Events that simply happen (an organisation was created) are `django.dispatch.Signal`s instead.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Hook:
    """One named slot with exactly one implementation, registered at start-up."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._impl: Callable[..., Any] | None = None

    def register(self, impl: Callable[..., Any]) -> Callable[..., Any]:
        """Fill the hook (usable as a decorator). Registering the same function again is a no-op (ready()
        may run twice in tests); a second, different implementation is a configuration error."""
        if self._impl is not None and self._impl is not impl:
            raise ImproperlyConfigured(f"hook {self.name} is already filled by {self._impl!r}")
        self._impl = impl
        return impl

    @property
    def registered(self) -> bool:
        return self._impl is not None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._impl is None:
            raise ImproperlyConfigured(f"hook {self.name} has no implementation: the app that fills it "
                                       "(in its AppConfig.ready) is not installed or not ready")
        return self._impl(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {self._impl!r}>"


class Providers:
    """A named list of contributions from upper apps, each registered once under a key."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._items: dict[str, Any] = {}

    def register(self, key: str, provider: Any) -> Any:
        existing = self._items.get(key)
        if existing is not None and existing != provider:
            raise ImproperlyConfigured(f"{self.name}: {key!r} is already registered")
        self._items[key] = provider
        return provider

    def keys(self) -> list[str]:
        return list(self._items)

    def __iter__(self):
        return iter(list(self._items.values()))

    def __repr__(self) -> str:
        return f"<Providers {self.name}: {self.keys()}>"
