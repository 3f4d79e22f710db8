"""Carbon peak engine: inventory, energy system, quota market and pathway for a county's
peak-carbon action plan.

The public interface, imported on first use so ``import carbon`` stays cheap:

- :func:`run`, :func:`run_batch` (:mod:`carbon.api`): run a scenario file or object;
- :func:`open_run`, :func:`open_batch` (:mod:`carbon.results`): read run folders as DataFrames;
- :class:`Scenario`, :func:`load` (:mod:`carbon.scenario`): typed scenarios,
  :meth:`Scenario.with_values` to change them from Python;
- the computing rooms' functions: :func:`carbon.inventory.account`, :func:`carbon.energy.solve`,
  :func:`carbon.energy.mac_curve`, :func:`carbon.market.clear`, :func:`carbon.pathway.detect_peak`,
  :func:`carbon.pathway.decompose`, :func:`carbon.pathway.fit_stirpat`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["InputError", "Scenario", "__version__", "load", "open_batch", "open_run", "run", "run_batch"]

_LAZY = {"open_run": "carbon.results", "open_batch": "carbon.results", "run": "carbon.api",
         "run_batch": "carbon.api", "Scenario": "carbon.scenario", "load": "carbon.scenario",
         "InputError": "carbon.errors"}

if TYPE_CHECKING:
    from carbon.api import run, run_batch
    from carbon.errors import InputError
    from carbon.results import open_batch, open_run
    from carbon.scenario import Scenario, load


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'carbon' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
