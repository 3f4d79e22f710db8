"""Figures of the action plan, drawn from run folders with matplotlib (never by solving again).

The figure functions live in one module per family (``inventory``, ``pathway``,
``uncertainty``, ``energy``, ``market``); :mod:`carbon.plots.driver` lists and draws them
(:func:`figures`, :func:`plot`). Names are imported on first use, so the command line starts
without loading matplotlib.
"""

import importlib

_FAMILIES = ("energy", "inventory", "market", "pathway", "uncertainty", "style", "data", "driver")


def __getattr__(name: str):
    if name in _FAMILIES:
        return importlib.import_module(f"carbon.plots.{name}")
    driver = importlib.import_module("carbon.plots.driver")
    try:
        return getattr(driver, name)
    except AttributeError:
        raise AttributeError(f"module 'carbon.plots' has no attribute {name!r}") from None
