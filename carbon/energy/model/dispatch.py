"""Output of generators and grid exchange within what is available."""

from __future__ import annotations

import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import capacity_mw


def add_availability(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Hourly output within availability x capacity, and above the minimum load.

    ``availability[y, g, t]``:  p[y,g,t] <= a[g,t] * C[g,y]
    ``min_load[y, g, t]``:      p[y,g,t] >= m[g] * a[g,t] * C[g,y]

    with a the availability profile (per MW, 1 without a profile), C the total capacity (MW)
    and m the minimum load share. For technologies that cannot be expanded C is a number, so
    both are column bounds set in :func:`~carbon.energy.model.variables.add_variables` and no
    rows are written here.
    """
    steps = list(d.steps)
    expandable = [g for g in d.units if g in d.expandable]
    capacity = {(g, y): capacity_mw(m, d, g, y) for g in expandable for y in d.years}
    avail = {g: d.avail[g].tolist() for g in expandable}
    m.availability = pyo.Constraint(
        m.Y,
        m.G_expandable,
        m.T,
        rule=lambda m, y, g, t: m.p[y, g, t] <= avail[g][t] * capacity[g, y],
    )
    with_min = [g for g in expandable if d.min_load[g] > 0]
    m.min_load = pyo.Constraint(
        [(y, g, t) for y in d.years for g in with_min for t in steps],
        rule=lambda m, y, g, t: m.p[y, g, t] >= d.min_load[g] * avail[g][t] * capacity[g, y],
    )
