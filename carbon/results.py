"""Run folders: what a stage returns, and atomic writing and reading of runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class StageOutput:
    """What one stage of a run (inventory, energy, market, pathway) returns.

    ``tables`` are written as ``<run>/<stage>/<name>.csv`` (a name may contain ``/`` for a
    sub-folder), ``documents`` as ``<run>/<stage>/<name>.json``; ``summary`` holds the key
    figures (JSON scalars, units in the key names, e.g. ``co2e_t``) that go into the manifest
    and, prefixed with the stage name, into the batch's ``summary.csv``.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)
