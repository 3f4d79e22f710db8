"""Capacity limits of expandable technologies."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import Columns, capacity_terms


def add_capacity_limits(m: pyo.ConcreteModel, d: ModelData, c: Columns) -> None:
    """Total capacity within its maximum, storage energy within its energy-to-power range.

    ``capacity_max[g, y]``:   existing[g,y] + sum_{b alive in y} new_mw[g,b] <= max_mw[g]
    ``energy_to_power_min[s, y]``:  E[s,y] >= e2p_min[s] * P[s,y]
    ``energy_to_power_max[s, y]``:  E[s,y] <= e2p_max[s] * P[s,y]   (when e2p_max is finite)

    where P and E are the storage's total power (MW) and energy (MWh) capacities.
    """
    techs = d.system.technologies
    index = [(g, y) for g in d.units + d.storages if g in d.expandable and math.isfinite(d.max_mw[g]) for y in d.years]
    terms, upper = [], []
    for i, (g, y) in enumerate(index):
        cols, existing = capacity_terms(c, d, g, y)
        terms.append((i, cols, 1.0))
        upper.append(d.max_mw[g] - existing)
    m.linear.rows("capacity_max", index, terms, upper=upper)
    expandable = [s for s in d.storages if s in d.expandable]
    low = {s: float(techs.at[s, "energy_to_power_min"]) for s in expandable}
    high = {s: float(techs.at[s, "energy_to_power_max"]) for s in expandable}
    index, terms, bound = _energy_to_power(c, d, [s for s in expandable if low[s] > 0], low)
    m.linear.rows("energy_to_power_min", index, terms, lower=bound)
    index, terms, bound = _energy_to_power(c, d, [s for s in expandable if math.isfinite(high[s])], high)
    m.linear.rows("energy_to_power_max", index, terms, upper=bound)


def _energy_to_power(c: Columns, d: ModelData, storages: list[str], ratio: dict[str, float]):
    """Rows ``E[s,y] - ratio P[s,y]`` with the existing capacities moved to the bound
    ``ratio P_existing - E_existing``."""
    index = [(s, y) for s in storages for y in d.years]
    terms, bound = [], []
    for i, (s, y) in enumerate(index):
        power, power0 = capacity_terms(c, d, s, y)
        energy, energy0 = capacity_terms(c, d, s, y, energy=True)
        terms += [(i, energy, 1.0), (i, power, -ratio[s])]
        bound.append(ratio[s] * power0 - energy0)
    return index, terms, bound
