"""Demand response: load shifted within each day."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import Columns


def add_demand_response(m: pyo.ConcreteModel, d: ModelData, c: Columns) -> None:
    """Shifted load is energy-neutral within each day.

    ``shift_balance[y, k]``:  sum_{t in day k} (u[y,t] - v[y,t]) = 0

    with u, v the load moved into and out of step t (MW, bounded by the shift limit
    ``shift_mw`` or ``shift_share x load``, as column bounds). Interruptible load is a bounded
    column with its cost in the objective and needs no row.
    """
    if not m.has_shift:
        return
    days, day_of_step = np.unique(d.slices.period, return_inverse=True)
    rows = np.arange(len(d.years))[:, None] * len(days) + day_of_step[None, :]  # (years, steps)
    index = [(y, int(k)) for y in d.years for k in days]
    terms = [(rows, c.shift_up, 1.0), (rows, c.shift_down, -1.0)]
    m.linear.rows("shift_balance", index, terms, lower=0.0, upper=0.0)
