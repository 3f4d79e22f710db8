"""Optional policy constraints: minimum renewable share and reserve margin."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import Columns, capacity_terms


def add_policies(m: pyo.ConcreteModel, d: ModelData, c: Columns) -> None:
    """Renewable share and reserve margin, when set in the settings.

    ``renewable_share[y]``:  sum_t w_t sum_{g renewable} p[y,g,t] >= rho * sum_t w_t sum_n L[y,n,t]
    ``reserve_margin[y]``:   sum_g k_g C[g,y] + sum_s k_s P[s,y] >= (1 + r) max_t sum_n L[y,n,t]

    rho the minimum share, k the capacity credits (firm share of capacity), r the margin.
    Grid exports are left out of the reserve sum. In diagnose mode a priced slack
    ``policy_gap`` relaxes each.
    """
    settings = d.system.settings
    weight = d.slices.weight
    years = list(d.years)
    total_load = {y: sum(d.load[y, n] for n in d.nodes) for y in years}

    def gap(i: int, y: int, constraint: str) -> list[tuple]:
        return [(i, c.policy_gap[y, constraint], 1.0)] if d.diagnose else []

    if settings.min_renewable_share is not None:
        share = settings.min_renewable_share
        terms = []
        for i, y in enumerate(years):
            terms += [(i, c.p[i, j], weight) for j, g in enumerate(d.units) if g in d.renewable]
            terms += gap(i, y, "renewable_share")
        need = [share * float((weight * total_load[y]).sum()) for y in years]
        m.linear.rows("renewable_share", years, terms, lower=need)
    if settings.reserve_margin is not None:
        margin = settings.reserve_margin
        firm = [g for g in d.units + d.storages if d.sign.get(g, 1.0) > 0 and d.credit[g] > 0]
        terms, need = [], []
        for i, y in enumerate(years):
            firm_existing = 0.0
            for g in firm:
                new, existing = capacity_terms(c, d, g, y)
                terms.append((i, np.asarray(new, dtype=int), d.credit[g]))
                firm_existing += d.credit[g] * existing
            terms += gap(i, y, "reserve_margin")
            need.append((1 + margin) * float(total_load[y].max()) - firm_existing)
        m.linear.rows("reserve_margin", years, terms, lower=need)
