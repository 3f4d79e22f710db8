"""Output of generators and grid exchange within what is available."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import Columns, capacity_terms


def add_availability(m: pyo.ConcreteModel, d: ModelData, c: Columns) -> None:
    """Hourly output within availability x capacity, and above the minimum load.

    ``availability[y, g, t]``:  p[y,g,t] <= a[g,t] * C[g,y]
    ``min_load[y, g, t]``:      p[y,g,t] >= m[g] * a[g,t] * C[g,y]

    with a the availability profile (per MW, 1 without a profile), C the total capacity (MW)
    and m the minimum load share. For technologies that cannot be expanded C is a number, so
    both are column bounds set in :func:`~carbon.energy.model.variables.add_variables` and no
    rows are written here. Rows are written as ``p - a sum_b new[g,b] <= a existing`` (and
    ``>=`` with m a).
    """
    expandable = [g for g in d.units if g in d.expandable]
    terms, bound = _output_rows(d, c, expandable, {g: 1.0 for g in expandable})
    m.linear.rows("availability", (m.Y, m.G_expandable, m.T), terms, upper=bound)
    with_min = [g for g in expandable if d.min_load[g] > 0]
    terms, bound = _output_rows(d, c, with_min, d.min_load)
    index = [(y, g, t) for y in d.years for g in with_min for t in d.steps]
    m.linear.rows("min_load", index, terms, lower=bound)


def _output_rows(d: ModelData, c: Columns, units: list[str], share: dict[str, float]):
    """Terms of ``p[y,g,t] - share[g] a[g,t] sum_b new_mw[g,b]`` for ``units`` (rows in
    (year, unit, step) order) and the bound ``share[g] a[g,t] existing[g,y]``."""
    T = d.slices.n_steps
    rows = np.arange(len(d.years) * len(units) * T).reshape(len(d.years), len(units), T)
    terms, bound = [], []
    for i, y in enumerate(d.years):
        for j, g in enumerate(units):
            a = share[g] * d.avail[g]
            new, existing = capacity_terms(c, d, g, y)
            terms.append((rows[i, j], c.p[i, d.units.index(g)], 1.0))
            terms += [(rows[i, j], col, -a) for col in new]
            bound.append(a * existing)
    return terms, np.concatenate(bound) if bound else np.zeros(0)
