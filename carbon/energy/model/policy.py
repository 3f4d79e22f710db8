"""Optional policy constraints: minimum renewable share and reserve margin."""

from __future__ import annotations

import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import capacity_mw


def add_policies(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Renewable share and reserve margin, when set in the settings.

    ``renewable_share[y]``:  sum_t w_t sum_{g renewable} p[y,g,t] >= rho * sum_t w_t sum_n L[y,n,t]
    ``reserve_margin[y]``:   sum_g k_g C[g,y] + sum_s k_s P[s,y] >= (1 + r) max_t sum_n L[y,n,t]

    rho the minimum share, k the capacity credits (firm share of capacity), r the margin.
    Grid exports are left out of the reserve sum. In diagnose mode a priced slack
    ``policy_gap`` relaxes each.
    """
    settings = d.system.settings
    steps = list(d.steps)
    weight = d.slices.weight
    total_load = {y: sum(d.load[y, n] for n in d.nodes) for y in d.years}
    gap = (lambda y, c: m.policy_gap[y, c]) if d.diagnose else (lambda y, c: 0)
    if settings.min_renewable_share is not None:
        share = settings.min_renewable_share
        renewable = [g for g in d.units if g in d.renewable]
        w = weight.tolist()
        m.renewable_share = pyo.Constraint(
            d.years,
            rule=lambda m, y: (
                pyo.quicksum(w[t] * m.p[y, g, t] for g in renewable for t in steps) + gap(y, "renewable_share")
                >= share * float((weight * total_load[y]).sum())
            ),
        )
    if settings.reserve_margin is not None:
        margin = settings.reserve_margin
        firm = [g for g in d.units + d.storages if d.sign.get(g, 1.0) > 0 and d.credit[g] > 0]

        def reserve(m, y):
            supply = pyo.quicksum(d.credit[g] * capacity_mw(m, d, g, y) for g in firm)
            return supply + gap(y, "reserve_margin") >= (1 + margin) * float(total_load[y].max())

        m.reserve_margin = pyo.Constraint(d.years, rule=reserve)
