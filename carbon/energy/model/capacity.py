"""Capacity limits of expandable technologies."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import capacity_mw, capacity_mwh


def add_capacity_limits(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Total capacity within its maximum, storage energy within its energy-to-power range.

    ``capacity_max[g, y]``:   existing[g,y] + sum_{b alive in y} new_mw[g,b] <= max_mw[g]
    ``energy_to_power_min[s, y]``:  E[s,y] >= e2p_min[s] * P[s,y]
    ``energy_to_power_max[s, y]``:  E[s,y] <= e2p_max[s] * P[s,y]   (when e2p_max is finite)

    where P and E are the storage's total power (MW) and energy (MWh) capacities.
    """
    techs = d.system.technologies
    index = [(g, y) for g in d.units + d.storages if g in d.expandable and math.isfinite(d.max_mw[g]) for y in d.years]
    m.capacity_max = pyo.Constraint(index, rule=lambda m, g, y: capacity_mw(m, d, g, y) <= d.max_mw[g])
    expandable = [s for s in d.storages if s in d.expandable]
    low = {s: float(techs.at[s, "energy_to_power_min"]) for s in expandable}
    high = {s: float(techs.at[s, "energy_to_power_max"]) for s in expandable}
    m.energy_to_power_min = pyo.Constraint(
        [(s, y) for s in expandable if low[s] > 0 for y in d.years],
        rule=lambda m, s, y: capacity_mwh(m, d, s, y) >= low[s] * capacity_mw(m, d, s, y),
    )
    m.energy_to_power_max = pyo.Constraint(
        [(s, y) for s in expandable if math.isfinite(high[s]) for y in d.years],
        rule=lambda m, s, y: capacity_mwh(m, d, s, y) <= high[s] * capacity_mw(m, d, s, y),
    )
