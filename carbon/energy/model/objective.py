"""The objective: total annual system cost."""

from __future__ import annotations

import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import capacity_mw

DIAGNOSE_PENALTY = 1e7
"""Price of the slacks of diagnose mode, CNY per MWh (balance) or per t (cap): far above any
real cost so they are used only where the system cannot do without them."""


def add_objective(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Minimise annualised investment + fixed O&M + weighted operating cost + carbon cost.

    ``cost = sum_y W_y [ sum_{g,b alive} A_g new_mw[g,b] + sum_{s,b alive} A^E_s new_mwh[s,b]
            + K_y + sum_g F_g C[g,y]
            + sum_t w_t ( sum_g sign_g v_g[y,t] p[y,g,t] + sum_s v_s q[y,s,t]
                          + c_shift v[y,t] + c_int i[y,t] + VOLL shed[y,n,t] )
            + price[y] X[y] ]``

    A annualised investment (CNY/MW/yr, CNY/MWh/yr), F fixed O&M (CNY/MW/yr), C total
    capacity, K_y the annuities still paid for capacity built in earlier myopic milestones (a
    constant), v variable cost or import price, sign = -1 for export revenue, W_y the year's
    weight (1, or years represented x discount factor under perfect foresight).
    """
    techs = d.system.technologies
    settings = d.system.settings
    dr = settings.demand_response
    steps = list(d.steps)
    weight = d.slices.weight
    terms = []
    for y in d.years:
        W = d.year_weight[y]
        for g in d.units + d.storages:
            for b in d.alive[g, y]:
                terms.append(W * d.annual_mw[g] * m.new_mw[g, b])
                if g in d.storages:
                    terms.append(W * d.annual_mwh[g] * m.new_mwh[g, b])
            if d.built_annual[g, y]:
                terms.append(W * d.built_annual[g, y])  # sunk: a constant, kept so costs add up
            if d.fom[g]:
                terms.append(W * d.fom[g] * capacity_mw(m, d, g, y))
        for g in d.units:
            coef = (W * d.sign[g] * weight * d.cost[y, g]).tolist()
            terms.extend(c * m.p[y, g, t] for c, t in zip(coef, steps) if c)
        for s in d.storages:
            vom = float(techs.at[s, "vom_cny_per_mwh"])
            if vom:
                terms.extend(W * vom * w * m.discharge[y, s, t] for w, t in zip(weight.tolist(), steps))
        if m.has_shift and dr.shift_cost_cny_per_mwh:
            terms.extend(W * dr.shift_cost_cny_per_mwh * w * m.shift_down[y, t] for w, t in zip(weight.tolist(), steps))
        if m.has_interrupt and dr.interruptible_cost_cny_per_mwh:
            terms.extend(
                W * dr.interruptible_cost_cny_per_mwh * w * m.interrupt[y, t] for w, t in zip(weight.tolist(), steps)
            )
        terms.append(W * m.carbon_price[y] * m.emissions[y])
        if d.diagnose:
            terms.append(W * DIAGNOSE_PENALTY * m.cap_excess[y])
            terms.extend(W * DIAGNOSE_PENALTY * m.policy_gap[y, c] for c in ("renewable_share", "reserve_margin"))
    voll = settings.value_of_lost_load_cny_per_mwh
    w = weight.tolist()
    terms.extend(d.year_weight[y] * voll * w[t] * m.shed[y, n, t] for y, n, t in m.shed_index)
    if d.diagnose:
        terms.extend(d.year_weight[y] * DIAGNOSE_PENALTY * w[t] * var for (y, n, t), var in m.missing.items())
    m.cost = pyo.Objective(expr=pyo.quicksum(terms), sense=pyo.minimize)
