"""Carbon peak engine: inventory, energy system, quota market and pathway for a county's
peak-carbon action plan.

The public readers of run folders, :func:`open_run` and :func:`open_batch`, are imported on
first use, so ``import carbon`` stays cheap.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "open_batch", "open_run"]

_LAZY = {"open_run": "carbon.results", "open_batch": "carbon.results"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'carbon' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
