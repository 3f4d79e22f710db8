"""Demand response: load shifted within each day."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData


def add_demand_response(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Shifted load is energy-neutral within each day.

    ``shift_balance[y, k]``:  sum_{t in day k} (u[y,t] - v[y,t]) = 0

    with u, v the load moved into and out of step t (MW, bounded by the shift limit
    ``shift_mw`` or ``shift_share x load``, as column bounds). Interruptible load is a bounded
    column with its cost in the objective and needs no row.
    """
    if not m.has_shift:
        return
    period = d.slices.period
    members = {int(k): np.flatnonzero(period == k).tolist() for k in np.unique(period)}
    m.shift_balance = pyo.Constraint(
        [(y, k) for y in d.years for k in members],
        rule=lambda m, y, k: pyo.quicksum(m.shift_up[y, t] - m.shift_down[y, t] for t in members[k]) == 0,
    )
