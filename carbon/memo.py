"""Values kept per worker process for the objects they were computed from.

A Monte Carlo worker asks for the same derived values (a system's time slices, a table as plain
dicts, a factor set's grid factor, ...) with the same inputs for every sample. :class:`Kept`
holds the last few, keyed by the object's identity and the other inputs; the object is held
too, so its ``id`` cannot name another object while its value is kept. Callers only read the
values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    """The last ``size`` values by (owner, key), oldest dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[tuple, tuple[object, T]] = {}

    def get(self, owner: object, key: tuple, compute: Callable[[], T]) -> T:
        """The value kept for ``owner`` (by identity) and ``key``, else ``compute()``, kept."""
        full = (id(owner), *key)
        kept = self._items.get(full)
        if kept is not None and kept[0] is owner:
            return kept[1]
        value = compute()
        self._items[full] = (owner, value)
        while len(self._items) > self.size:
            self._items.pop(next(iter(self._items)))
        return value
