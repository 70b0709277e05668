"""Registries by stable id, for Gwanmun's own parts and third-party plugins alike.

Built-in detectors and checks call ``register`` when their module is imported.
A plugin package declares an entry point in the registry's group
(``gwanmun.detectors``, ``gwanmun.checks``) named by the id; it is loaded the
first time a policy names that id, and registered the same way. An unknown id
is an error that lists the known ones (registered, and installed plugins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from gwanmun.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """``what`` by id; ``group`` is the entry-point group plugins declare them in.

    ``coerce`` turns what an entry point loads (an object, a class, a factory)
    into a registered item, or raises ``ConfigError`` saying what is wrong.
    """

    def __init__(
        self,
        what: str,
        group: str,
        id_of: Callable[[T], str],
        coerce: Callable[[object, str], T],
    ) -> None:
        self.what = what
        self.group = group
        self._id_of = id_of
        self._coerce = coerce
        self._by_id: dict[str, T] = {}

    def register(self, item: T) -> T:
        key = self._id_of(item)
        if key in self._by_id:
            raise ConfigError(f"{self.what} id {key!r} is registered twice")
        self._by_id[key] = item
        return item

    def get(self, key: str) -> T:
        """The item registered as ``key``, loading an installed plugin of that name."""
        found = self._by_id.get(key)
        if found is not None:
            return found
        point = self._entry_points().get(key)
        if point is None:
            known = ", ".join(self.known()) or "(none)"
            raise ConfigError(f"unknown {self.what} {key!r}; known: {known}")
        return self.register(self._load(point))

    def select(self, ids: Iterable[str] | None = None) -> list[T]:
        """The registered items (sorted by id), or those named by ``ids``."""
        if ids is None:
            return [self._by_id[k] for k in sorted(self._by_id)]
        return [self.get(i) for i in ids]

    def ids(self) -> list[str]:
        """Ids registered so far (plugins only once loaded)."""
        return sorted(self._by_id)

    def known(self) -> list[str]:
        """Every id a policy may name: registered, and installed plugins."""
        return sorted(set(self._by_id) | set(self._entry_points()))

    def __contains__(self, key: object) -> bool:
        return key in self._by_id or key in self._entry_points()

    def __len__(self) -> int:
        return len(self._by_id)

    def _entry_points(self) -> dict[str, EntryPoint]:
        return {point.name: point for point in entry_points(group=self.group)}

    def _load(self, point: EntryPoint) -> T:
        try:
            loaded = point.load()
        except Exception as exc:  # a plugin that fails to import: say which, fail closed
            raise ConfigError(
                f"plugin {self.what} {point.name!r} ({point.value}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        item = self._coerce(loaded, point.name)
        if self._id_of(item) != point.name:
            raise ConfigError(
                f"plugin {self.what} {point.value} has id {self._id_of(item)!r}, "
                f"but its entry point in {self.group} is named {point.name!r}"
            )
        return item
