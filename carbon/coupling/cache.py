"""A bounded cache of energy solutions, owned by whoever runs scenarios (the runner keeps one
per worker process): Monte Carlo samples and sweeps that leave the power system unchanged reuse
its solution instead of solving again."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class SolveCache:
    """Least-recently-used results keyed by the JSON of their inputs (``size`` entries at most)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, Any] = OrderedDict()

    @staticmethod
    def key(*parts: Any) -> str:
        """A stable key of plain-data parts (dicts, lists, numbers, strings)."""
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, computing and storing it when absent."""
        if key in self._items:
            self.hits += 1
            self._items.move_to_end(key)
            return self._items[key]
        self.misses += 1
        value = compute()
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value
