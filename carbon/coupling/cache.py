"""A bounded cache of energy solutions, owned by whoever runs scenarios (the runner keeps one
per worker process): Monte Carlo samples and sweeps that leave the power system unchanged reuse
its solution instead of solving again; samples that change its data (demand, prices, grid
factor, what earlier milestones built) re-use its compiled milestone problems
(:attr:`SolveCache.problems`, see :class:`~carbon.energy.problem.ProblemStore`)."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from carbon.energy.problem import ProblemStore

T = TypeVar("T")


class SolveCache:
    """Least-recently-used results keyed by the JSON of their inputs (``size`` entries at most)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, Any] = OrderedDict()
        self.problems = ProblemStore(chain=True)
        """Compiled energy problems re-solved with each sample's data; each milestone starts from
        the basis of the sample's previous milestone, so a sample's numbers do not depend on what
        this worker solved before (and equal a build's to solver tolerance)."""

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
