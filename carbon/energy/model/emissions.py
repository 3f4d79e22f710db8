"""Annual emissions, their cap and their price."""

from __future__ import annotations

import math

import pyomo.environ as pyo

from carbon.energy.inputs import ModelData


def add_emissions(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Annual emissions and the cap on them.

    ``emissions_definition[y]``:  X[y] = sum_t w_t sum_g f_g p[y,g,t]
    ``co2_cap[y]``:               X[y] <= cap[y]          (cap = +inf when none)

    w_t the hours step t stands for, f_g the CO2 factor (t/MWh; for imports the grid factor).
    The cap's upper bound and the carbon price are mutable parameters (``m.cap``,
    ``m.carbon_price``) so sweeps re-solve without rebuilding; the cap's dual is the CO2
    shadow price (CNY/t). In diagnose mode a priced slack ``cap_excess[y]`` is added to the cap.
    """
    steps = list(d.steps)
    weight = d.slices.weight.tolist()
    emitters = [g for g in d.units if d.co2[g] > 0]
    m.cap = pyo.Param(d.years, mutable=True, initialize={y: _cap(d, y) for y in d.years})
    m.carbon_price = pyo.Param(d.years, mutable=True, initialize={y: d.assumptions[y].carbon_price for y in d.years})

    def definition(m, y):
        total = pyo.quicksum(weight[t] * d.co2[g] * m.p[y, g, t] for g in emitters for t in steps)
        return m.emissions[y] - total == 0

    m.emissions_definition = pyo.Constraint(d.years, rule=definition)

    def cap(m, y):
        excess = m.cap_excess[y] if d.diagnose else 0
        return m.emissions[y] - excess <= m.cap[y]

    m.co2_cap = pyo.Constraint(d.years, rule=cap)


def _cap(d: ModelData, y: int) -> float:
    value = d.assumptions[y].co2_cap
    return math.inf if value is None else float(value)
