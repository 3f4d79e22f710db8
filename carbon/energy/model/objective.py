"""The objective: total annual system cost."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import Columns

DIAGNOSE_PENALTY = 1e7
"""Price of the slacks of diagnose mode, CNY per MWh (balance) or per t (cap): far above any
real cost so they are used only where the system cannot do without them."""


def add_objective(m: pyo.ConcreteModel, d: ModelData, c: Columns) -> None:
    """Minimise annualised investment + fixed O&M + weighted operating cost + carbon cost.

    ``cost = sum_y W_y [ sum_{g,b alive} A_g new_mw[g,b] + sum_{s,b alive} A^E_s new_mwh[s,b]
            + K_y + sum_g F_g C[g,y]
            + sum_t w_t ( sum_g sign_g v_g[y,t] p[y,g,t] + sum_s v_s q[y,s,t]
                          + c_shift v[y,t] + c_int i[y,t] + VOLL shed[y,n,t] )
            + price[y] X[y] ]``

    A annualised investment (CNY/MW/yr, CNY/MWh/yr), F fixed O&M (CNY/MW/yr), C total
    capacity, K_y the annuities still paid for capacity built in earlier myopic milestones (a
    constant), v variable cost or import price, sign = -1 for export revenue, W_y the year's
    weight (1, or years represented x discount factor under perfect foresight). The carbon
    price is the mutable parameter ``m.carbon_price`` in the Pyomo objective.
    """
    techs = d.system.technologies
    settings = d.system.settings
    dr = settings.demand_response
    w = d.slices.weight
    terms: list[tuple] = []  # (columns, coefficients)
    constant = 0.0
    prices = {}
    for i, y in enumerate(d.years):
        W = d.year_weight[y]
        for g in d.units + d.storages:
            for b in d.alive[g, y]:
                terms.append((c.new_mw[g, b], W * (d.annual_mw[g] + d.fom[g])))
                if g in d.storages:
                    terms.append((c.new_mwh[g, b], W * d.annual_mwh[g]))
            # sunk annuities of earlier builds and fixed O&M of existing capacity: constants
            constant += W * (d.built_annual[g, y] + d.fom[g] * d.existing_mw[g, y])
        terms += [(c.p[i, j], W * d.sign[g] * w * d.cost[y, g]) for j, g in enumerate(d.units)]
        for j, s in enumerate(d.storages):
            terms.append((c.discharge[i, j], W * float(techs.at[s, "vom_cny_per_mwh"]) * w))
        if m.has_shift:
            terms.append((c.shift_down[i], W * dr.shift_cost_cny_per_mwh * w))
        if m.has_interrupt:
            terms.append((c.interrupt[i], W * dr.interruptible_cost_cny_per_mwh * w))
        column = int(c.emissions[i])
        terms.append((column, W * d.assumptions[y].carbon_price))
        prices[column] = W * m.carbon_price[y]
        if d.diagnose:
            terms.append((c.cap_excess[i], W * DIAGNOSE_PENALTY))
            terms += [(c.policy_gap[y, k], W * DIAGNOSE_PENALTY) for k in ("renewable_share", "reserve_margin")]
        voll = settings.value_of_lost_load_cny_per_mwh
        terms.append((c.shed[i], W * voll * w))
        if d.diagnose:
            terms.append((c.missing[i], W * DIAGNOSE_PENALTY * w))
    cols, coefs = zip(*(np.broadcast_arrays(np.asarray(k), np.asarray(v, dtype=float)) for k, v in terms))
    m.linear.objective(
        "cost",
        np.concatenate([x.ravel() for x in cols]),
        np.concatenate([x.ravel() for x in coefs]),
        constant,
        pyomo_coefs=prices,
    )
