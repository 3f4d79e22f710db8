"""Storage: power and energy limits and the state of charge over time."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import capacity_mw, capacity_mwh


def add_storage(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Charging, discharging and state of charge of every storage.

    ``charge_limit[y,s,t]``:    c[y,s,t] <= P[s,y]        (rows only when P is expandable)
    ``discharge_limit[y,s,t]``: q[y,s,t] <= P[s,y]
    ``soc_limit[y,s,t]``:       e[y,s,t] <= E[s,y]        (rows only when E is expandable)
    ``soc_balance[y,s,t]``:     e[y,s,t] = (1 - l) e[y,s,prev(t)] + eta_c c[y,s,t] - q[y,s,t] / eta_d

    with c, q charge and discharge (MW, 1-hour steps), e the energy at the end of step t (MWh),
    l the standing loss per hour, eta_c and eta_d the efficiencies. ``prev(t)`` is cyclic over
    the whole horizon (hours), or within each representative day (``cyclic`` linking). With
    ``chronological`` linking, see :func:`add_chronological_linking`.
    """
    if not d.storages:
        return
    techs = d.system.technologies
    steps = list(d.steps)
    T = len(steps)
    chrono = d.slices.linking == "chronological"
    keep = {s: 1.0 - float(techs.at[s, "standing_loss_per_hour"]) for s in d.storages}
    eta_c = {s: float(techs.at[s, "efficiency_charge"]) for s in d.storages}
    eta_d = {s: float(techs.at[s, "efficiency_discharge"]) for s in d.storages}
    period = d.slices.period
    if d.slices.linking == "horizon":
        prev = [(t - 1) % T for t in steps]
    else:
        first = {int(k): int(np.flatnonzero(period == k)[0]) for k in np.unique(period)}
        last = {int(k): int(np.flatnonzero(period == k)[-1]) for k in np.unique(period)}
        prev = [last[int(period[t])] if t == first[int(period[t])] else t - 1 for t in steps]
    starts = set() if not chrono else {int(np.flatnonzero(period == k)[0]) for k in np.unique(period)}

    def soc_rule(m, y, s, t):
        stored = 0.0 if t in starts else keep[s] * m.soc[y, s, prev[t]]
        return m.soc[y, s, t] == stored + eta_c[s] * m.charge[y, s, t] - m.discharge[y, s, t] / eta_d[s]

    m.soc_balance = pyo.Constraint(m.Y, m.S, m.T, rule=soc_rule)

    expandable = [s for s in d.storages if s in d.expandable]
    power = {(s, y): capacity_mw(m, d, s, y) for s in expandable for y in d.years}
    energy = {(s, y): capacity_mwh(m, d, s, y) for s in expandable for y in d.years}
    index = (m.Y, m.S_expandable, m.T)
    m.charge_limit = pyo.Constraint(*index, rule=lambda m, y, s, t: m.charge[y, s, t] <= power[s, y])
    m.discharge_limit = pyo.Constraint(*index, rule=lambda m, y, s, t: m.discharge[y, s, t] <= power[s, y])
    if not chrono:
        m.soc_limit = pyo.Constraint(*index, rule=lambda m, y, s, t: m.soc[y, s, t] <= energy[s, y])
    else:
        add_chronological_linking(m, d, keep)


def add_chronological_linking(m: pyo.ConcreteModel, d: ModelData, keep: dict[str, float]) -> None:
    """Inter-period storage linking through the year's sequence of days (Kotzur et al. 2018).

    Intra-day states e[y,s,t] start from 0 at the beginning of each representative day k and
    may be negative; S[y,s,j] >= 0 is the energy at the start of calendar day j, k(j) its
    representative day, H = 24 hours, l the standing loss:

    ``soc_high_def[y,s,t]``: e[y,s,t] <= h[y,s,k(t)];  ``soc_low_def``: e[y,s,t] >= g[y,s,k(t)]
    ``soc_chain[y,s,j]``:    S[y,s,j+1] = (1 - l)^H S[y,s,j] + e[y,s,last step of k(j)]
                             (cyclic: day 365 is day 0)
    ``soc_upper[y,s,j]``:    S[y,s,j] + h[y,s,k(j)] <= E[s,y]
    ``soc_lower[y,s,j]``:    (1 - l)^H S[y,s,j] + g[y,s,k(j)] >= 0

    h >= 0 >= g are the highest and lowest intra-day states. With standing loss the bounds
    are conservative (the loss within the day is counted in full for the lower bound and not
    at all for the upper bound); without it they are exact.
    """
    period = d.slices.period
    sequence = d.slices.sequence
    n_days = len(sequence)
    last = {int(k): int(np.flatnonzero(period == k)[-1]) for k in range(d.slices.n_periods)}
    hours = {int(k): int((period == k).sum()) for k in range(d.slices.n_periods)}
    m.soc_high_def = pyo.Constraint(
        m.Y, m.S, m.T, rule=lambda m, y, s, t: m.soc[y, s, t] <= m.soc_high[y, s, int(period[t])]
    )
    m.soc_low_def = pyo.Constraint(
        m.Y, m.S, m.T, rule=lambda m, y, s, t: m.soc[y, s, t] >= m.soc_low[y, s, int(period[t])]
    )
    day_index = [(y, s, j) for y in d.years for s in d.storages for j in range(n_days)]
    seq = [int(k) for k in sequence]

    def chain(m, y, s, j):
        k = seq[j]
        decay = keep[s] ** hours[k]
        return m.soc_start[y, s, (j + 1) % n_days] == decay * m.soc_start[y, s, j] + m.soc[y, s, last[k]]

    m.soc_chain = pyo.Constraint(day_index, rule=chain)
    energy = {(s, y): capacity_mwh(m, d, s, y) for s in d.storages for y in d.years}
    m.soc_upper = pyo.Constraint(
        day_index,
        rule=lambda m, y, s, j: m.soc_start[y, s, j] + m.soc_high[y, s, seq[j]] <= energy[s, y],
    )
    m.soc_lower = pyo.Constraint(
        day_index,
        rule=lambda m, y, s, j: keep[s] ** hours[seq[j]] * m.soc_start[y, s, j] + m.soc_low[y, s, seq[j]] >= 0,
    )
