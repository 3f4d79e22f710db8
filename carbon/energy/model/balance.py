"""The hourly energy balance at every node."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import Columns


def add_balance(m: pyo.ConcreteModel, d: ModelData, c: Columns) -> None:
    """Supply equals load at every node and step.

    ``balance[y, n, t]``:
        sum_{g at n} sign_g p[y,g,t] + sum_{s at n} (q[y,s,t] - c[y,s,t])
        + sum_{lines into n} f[y,l,t] - sum_{lines out of n} f[y,l,t]
        + [n default] (v[y,t] - u[y,t] + i[y,t]) + shed[y,n,t] = L[y,n,t]

    sign = -1 for grid exports, +1 otherwise; u, v load shifted in and out; i interrupted load;
    L the load (MW). Its dual divided by the step's weight is the hourly marginal price
    (CNY/MWh).
    """
    T = d.slices.n_steps
    rows = np.arange(len(d.years) * len(d.nodes) * T).reshape(len(d.years), len(d.nodes), T)
    shed_nodes = list(m.shed_nodes)
    terms = []
    for n, node in enumerate(d.nodes):
        at = rows[:, n]
        terms += [(at, c.p[:, j], d.sign[g]) for j, g in enumerate(d.units) if d.node[g] == node]
        for j, s in enumerate(d.storages):
            if d.node[s] == node:
                terms += [(at, c.discharge[:, j], 1.0), (at, c.charge[:, j], -1.0)]
        terms += [(at, c.flow[:, j], 1.0) for j, line in enumerate(d.lines) if line[2] == node]
        terms += [(at, c.flow[:, j], -1.0) for j, line in enumerate(d.lines) if line[1] == node]
        if n == 0:  # the default node
            if m.has_shift:
                terms += [(at, c.shift_down, 1.0), (at, c.shift_up, -1.0)]
            if m.has_interrupt:
                terms.append((at, c.interrupt, 1.0))
        if node in shed_nodes:
            terms.append((at, c.shed[:, shed_nodes.index(node)], 1.0))
        if d.diagnose:
            terms.append((at, c.missing[:, n], 1.0))
    load = np.concatenate([d.load[y, n] for y in d.years for n in d.nodes])
    m.linear.rows("balance", (m.Y, m.N, m.T), terms, lower=load, upper=load)
