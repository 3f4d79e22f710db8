"""Storage: power and energy limits and the state of charge over time."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.variables import Columns, capacity_terms


def add_storage(m: pyo.ConcreteModel, d: ModelData, c: Columns) -> None:
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
    T = d.slices.n_steps
    Y, S = len(d.years), len(d.storages)
    chrono = d.slices.linking == "chronological"
    keep = np.array([1.0 - float(techs.at[s, "standing_loss_per_hour"]) for s in d.storages])
    eta_c = np.array([float(techs.at[s, "efficiency_charge"]) for s in d.storages])
    eta_d = np.array([float(techs.at[s, "efficiency_discharge"]) for s in d.storages])
    period = d.slices.period
    steps = np.arange(T)
    if d.slices.linking == "horizon":
        prev = (steps - 1) % T
        starts = np.zeros(T, dtype=bool)
    else:
        first_step, last_step = _day_ends(period)
        first = steps == first_step[period]
        prev = np.where(first, last_step[period], steps - 1)
        starts = first if chrono else np.zeros(T, dtype=bool)
    rows = np.arange(Y * S * T).reshape(Y, S, T)
    m.linear.rows(
        "soc_balance",
        (m.Y, m.S, m.T),
        [
            (rows, c.soc, 1.0),
            (rows[:, :, ~starts], c.soc[:, :, prev[~starts]], -keep[:, None]),
            (rows, c.charge, -eta_c[:, None]),
            (rows, c.discharge, 1.0 / eta_d[:, None]),
        ],
        lower=0.0,
        upper=0.0,
    )

    expandable = [j for j, s in enumerate(d.storages) if s in d.expandable]
    index = (m.Y, m.S_expandable, m.T)
    m.linear.rows("charge_limit", index, *_limit_rows(d, c, c.charge, expandable))
    m.linear.rows("discharge_limit", index, *_limit_rows(d, c, c.discharge, expandable))
    if not chrono:
        m.linear.rows("soc_limit", index, *_limit_rows(d, c, c.soc, expandable, energy=True))
    else:
        add_chronological_linking(m, d, c, keep)


def _limit_rows(d: ModelData, c: Columns, columns: np.ndarray, storages: list[int], energy: bool = False):
    """Terms of ``x[y,s,t] - sum_b new[s,b] <= existing[s,y]`` (MW, or MWh) for the storages
    at positions ``storages``, rows in (year, storage, step) order: ``(terms, -inf, upper)``."""
    T = d.slices.n_steps
    rows = np.arange(len(d.years) * len(storages) * T).reshape(len(d.years), len(storages), T)
    terms, bound = [], []
    for i, y in enumerate(d.years):
        for r, j in enumerate(storages):
            new, existing = capacity_terms(c, d, d.storages[j], y, energy)
            terms.append((rows[i, r], columns[i, j], 1.0))
            terms += [(rows[i, r], col, -1.0) for col in new]
            bound.append(np.full(T, existing))
    return terms, -np.inf, np.concatenate(bound) if bound else np.zeros(0)


def _day_ends(period: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last step of each day (representative or calendar), indexed by day number."""
    days = range(int(period.max()) + 1)
    return (
        np.array([np.flatnonzero(period == k)[0] for k in days]),
        np.array([np.flatnonzero(period == k)[-1] for k in days]),
    )


def add_chronological_linking(m: pyo.ConcreteModel, d: ModelData, c: Columns, keep: np.ndarray) -> None:
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
    seq = np.asarray(d.slices.sequence, dtype=int)
    n_days, K, T = len(seq), d.slices.n_periods, d.slices.n_steps
    Y, S = len(d.years), len(d.storages)
    last = _day_ends(period)[1]
    hours = np.array([(period == k).sum() for k in range(K)])
    rows = np.arange(Y * S * T).reshape(Y, S, T)
    k_of_t = np.asarray(period, dtype=int)
    m.linear.rows(
        "soc_high_def", (m.Y, m.S, m.T), [(rows, c.soc, 1.0), (rows, c.soc_high[:, :, k_of_t], -1.0)], upper=0.0
    )
    m.linear.rows(
        "soc_low_def", (m.Y, m.S, m.T), [(rows, c.soc, 1.0), (rows, c.soc_low[:, :, k_of_t], -1.0)], lower=0.0
    )
    day_index = [(y, s, j) for y in d.years for s in d.storages for j in range(n_days)]
    days = np.arange(Y * S * n_days).reshape(Y, S, n_days)
    decay = keep[:, None] ** hours[seq][None, :]  # (S, days)
    m.linear.rows(
        "soc_chain",
        day_index,
        [
            (days, c.soc_start[:, :, (np.arange(n_days) + 1) % n_days], 1.0),
            (days, c.soc_start, -decay),
            (days, c.soc[:, :, last[seq]], -1.0),
        ],
        lower=0.0,
        upper=0.0,
    )
    terms, bound = [(days, c.soc_start, 1.0), (days, c.soc_high[:, :, seq], 1.0)], []
    for i, y in enumerate(d.years):
        for j, s in enumerate(d.storages):
            new, existing = capacity_terms(c, d, s, y, energy=True)
            terms += [(days[i, j], col, -1.0) for col in new]
            bound.append(np.full(n_days, existing))
    m.linear.rows("soc_upper", day_index, terms, upper=np.concatenate(bound))
    m.linear.rows("soc_lower", day_index, [(days, c.soc_start, decay), (days, c.soc_low[:, :, seq], 1.0)], lower=0.0)
