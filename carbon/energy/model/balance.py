"""The hourly energy balance at every node."""

from __future__ import annotations

import pyomo.environ as pyo

from carbon.energy.inputs import ModelData


def add_balance(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Supply equals load at every node and step.

    ``balance[y, n, t]``:
        sum_{g at n} sign_g p[y,g,t] + sum_{s at n} (q[y,s,t] - c[y,s,t])
        + sum_{lines into n} f[y,l,t] - sum_{lines out of n} f[y,l,t]
        + [n default] (v[y,t] - u[y,t] + i[y,t]) + shed[y,n,t] = L[y,n,t]

    sign = -1 for grid exports, +1 otherwise; u, v load shifted in and out; i interrupted load;
    L the load (MW). Its dual divided by the step's weight is the hourly marginal price
    (CNY/MWh).
    """
    default = d.nodes[0]
    units = {n: [g for g in d.units if d.node[g] == n] for n in d.nodes}
    stores = {n: [s for s in d.storages if d.node[s] == n] for n in d.nodes}
    into = {n: [line[0] for line in d.lines if line[2] == n] for n in d.nodes}
    out = {n: [line[0] for line in d.lines if line[1] == n] for n in d.nodes}
    shed_nodes = set(m.shed_nodes)
    load = {key: values.tolist() for key, values in d.load.items()}

    def rule(m, y, n, t):
        terms = [d.sign[g] * m.p[y, g, t] for g in units[n]]
        terms += [m.discharge[y, s, t] - m.charge[y, s, t] for s in stores[n]]
        terms += [m.flow[y, line, t] for line in into[n]]
        terms += [-m.flow[y, line, t] for line in out[n]]
        if n == default:
            if m.has_shift:
                terms += [m.shift_down[y, t] - m.shift_up[y, t]]
            if m.has_interrupt:
                terms.append(m.interrupt[y, t])
        if n in shed_nodes:
            terms.append(m.shed[y, n, t])
        if d.diagnose:
            terms.append(m.missing[y, n, t])
        return pyo.quicksum(terms) == load[y, n][t]

    m.balance = pyo.Constraint(m.Y, m.N, m.T, rule=rule)
