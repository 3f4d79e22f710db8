"""Annual emissions, their cap and their price."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import Columns


def add_emissions(m: pyo.ConcreteModel, d: ModelData, c: Columns) -> None:
    """Annual emissions and the cap on them.

    ``emissions_definition[y]``:  X[y] - sum_t w_t sum_g f_g p[y,g,t] = 0
    ``co2_cap[y]``:               X[y] <= cap[y]          (cap = +inf when none)

    w_t the hours step t stands for, f_g the CO2 factor (t/MWh; for imports the grid factor).
    The cap's upper bound and the carbon price are mutable parameters (``m.cap``,
    ``m.carbon_price``) so sweeps re-solve without rebuilding; the cap's dual is the CO2
    shadow price (CNY/t). In diagnose mode a priced slack ``cap_excess[y]`` is added to the cap.
    """
    years = d.years
    m.cap = pyo.Param(years, mutable=True, initialize={y: _cap(d, y) for y in years})
    m.carbon_price = pyo.Param(years, mutable=True, initialize={y: d.assumptions[y].carbon_price for y in years})
    weight = d.slices.weight
    year_rows = np.arange(len(years))
    terms = [(year_rows, c.emissions, 1.0)]
    for j, g in enumerate(d.units):
        if d.co2[g] > 0:
            terms.append((year_rows[:, None], c.p[:, j], -d.co2[g] * weight))
    m.linear.rows("emissions_definition", (m.Y,), terms, lower=0.0, upper=0.0)
    terms = [(year_rows, c.emissions, 1.0)]
    if d.diagnose:
        terms.append((year_rows, c.cap_excess, -1.0))
    caps = [_cap(d, y) for y in years]
    m.linear.rows("co2_cap", (m.Y,), terms, upper=caps, pyomo_upper=[m.cap[y] for y in years])


def _cap(d: ModelData, y: int) -> float:
    value = d.assumptions[y].co2_cap
    return math.inf if value is None else float(value)
