"""Decision variables, with bounds set from the data (fixed capacities become column bounds,
not rows, which keeps the LP small).

Index order is always (year, technology, step) with steps innermost, so values reshape to
``(years, technologies, steps)`` arrays.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData


def _record(m: pyo.ConcreteModel, var, lower, upper) -> None:
    """Keep a variable's bounds as arrays in index order (``m.bound_arrays``), so the solver
    wrapper need not ask 100,000 Pyomo variables for their bounds one by one."""
    lo = np.array([-np.inf if v is None else v for v in lower], dtype=float)
    hi = np.array([np.inf if v is None else v for v in upper], dtype=float)
    m.bound_arrays[var.local_name] = (lo, hi)


def _set_bounds(m: pyo.ConcreteModel, var, lower, upper) -> None:
    """Set bounds on every member of ``var`` (index order) and record them (:func:`_record`)."""
    for v, lo, hi in zip(var.values(), lower, upper):
        v.setlb(lo)
        v.setub(hi)
    _record(m, var, lower, upper)


def add_variables(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Declare every variable of the model on ``m``.

    ``new_mw[g, b]``, ``new_mwh[s, b]`` >= 0: capacity built in milestone ``b``, MW / MWh.
    ``p[y, g, t]`` >= 0: output of a unit (generator, import) or export, MW.
    ``charge``, ``discharge[y, s, t]`` >= 0, MW; ``soc[y, s, t]``: stored energy at the end of
    step t, MWh (relative to the start of the day when storage is linked chronologically);
    ``soc_start[y, s, day]`` >= 0: stored energy at the start of each calendar day, MWh;
    ``soc_high``, ``soc_low[y, s, k]``: extremes of the intra-day state of day k, MWh.
    ``shift_up``, ``shift_down[y, t]``: load moved into / out of step t, MW;
    ``interrupt[y, t]``: interrupted load, MW; ``shed[y, n, t]``: unserved load, MW;
    ``flow[y, l, t]``: transfer on line l (positive from_node -> to_node), MW;
    ``emissions[y]``: annual CO2, t.
    """
    years, steps, T = d.years, list(d.steps), d.slices.n_steps
    m.bound_arrays = {}
    # dense cross products of ordered sets build ~40 % faster than lists of tuples
    m.Y = pyo.Set(initialize=years, ordered=True)
    m.T = pyo.RangeSet(0, T - 1)
    m.G = pyo.Set(initialize=d.units, ordered=True)
    m.S = pyo.Set(initialize=d.storages, ordered=True)
    m.N = pyo.Set(initialize=d.nodes, ordered=True)
    m.G_expandable = pyo.Set(initialize=[g for g in d.units if g in d.expandable], ordered=True)
    m.S_expandable = pyo.Set(initialize=[s for s in d.storages if s in d.expandable], ordered=True)
    new_units = [(g, b) for g in d.units + d.storages if g in d.expandable for b in d.years]
    m.new_mw = pyo.Var(new_units, domain=pyo.NonNegativeReals)
    m.new_mwh = pyo.Var(
        [(s, b) for s in d.storages if s in d.expandable for b in d.years],
        domain=pyo.NonNegativeReals,
    )

    m.p = pyo.Var(m.Y, m.G, m.T, domain=pyo.NonNegativeReals)
    lower, upper = [], []
    for y in years:
        for g in d.units:
            if g in d.expandable:
                lower.append(np.zeros(T))
                upper.append(np.full(T, None, dtype=object))
            else:
                available = d.avail[g] * d.existing_mw[g, y]
                lower.append(d.min_load[g] * available)
                upper.append(available)
    if d.units:
        _set_bounds(m, m.p, np.concatenate(lower).tolist(), np.concatenate(upper).tolist())

    m.s_index = [(y, s, t) for y in years for s in d.storages for t in steps]
    m.charge = pyo.Var(m.Y, m.S, m.T, domain=pyo.NonNegativeReals)
    m.discharge = pyo.Var(m.Y, m.S, m.T, domain=pyo.NonNegativeReals)
    chrono = d.slices.linking == "chronological"
    m.soc = pyo.Var(m.Y, m.S, m.T, domain=pyo.Reals if chrono else pyo.NonNegativeReals)
    power_ub, energy_ub = [], []
    for y in years:
        for s in d.storages:
            fixed = s not in d.expandable
            power_ub += [d.existing_mw[s, y] if fixed else None] * T
            energy_ub += [d.existing_mwh[s, y] if fixed and not chrono else None] * T
    zeros = [0.0] * len(power_ub)
    _set_bounds(m, m.charge, zeros, power_ub)
    _set_bounds(m, m.discharge, zeros, power_ub)
    _set_bounds(m, m.soc, [None] * len(zeros) if chrono else zeros, energy_ub)
    if chrono:
        n_days = len(d.slices.sequence)
        m.soc_start = pyo.Var(
            [(y, s, day) for y in years for s in d.storages for day in range(n_days)],
            domain=pyo.NonNegativeReals,
        )
        k_index = [(y, s, k) for y in years for s in d.storages for k in range(d.slices.n_periods)]
        m.soc_high = pyo.Var(k_index, domain=pyo.NonNegativeReals)
        m.soc_low = pyo.Var(k_index, domain=pyo.NonPositiveReals)

    dr = d.system.settings.demand_response
    m.has_shift = any(limit.max() > 0 for limit in d.shift_limit.values())
    if m.has_shift:
        m.shift_up = pyo.Var(m.Y, m.T, domain=pyo.NonNegativeReals)
        m.shift_down = pyo.Var(m.Y, m.T, domain=pyo.NonNegativeReals)
        upper = np.concatenate([d.shift_limit[y] for y in years]).tolist()
        _set_bounds(m, m.shift_up, [0.0] * len(upper), upper)
        _set_bounds(m, m.shift_down, [0.0] * len(upper), upper)
    m.has_interrupt = dr.interruptible_mw > 0
    if m.has_interrupt:
        m.interrupt = pyo.Var(m.Y, m.T, bounds=(0, dr.interruptible_mw))
        _record(m, m.interrupt, [0.0] * (len(years) * T), [dr.interruptible_mw] * (len(years) * T))
    m.has_shed = d.system.settings.allow_shedding
    load_nodes = [n for n in d.nodes if any(d.load[y, n].max() > 0 for y in years)]
    m.shed_nodes = pyo.Set(initialize=load_nodes if m.has_shed else [], ordered=True)
    m.shed_index = [(y, n, t) for y in years for n in m.shed_nodes for t in steps]
    m.shed = pyo.Var(m.Y, m.shed_nodes, m.T, domain=pyo.NonNegativeReals)
    if m.has_shed:
        upper = np.concatenate([d.load[y, n] for y in years for n in load_nodes]).tolist()
        _set_bounds(m, m.shed, [0.0] * len(upper), upper)
    m.flow = pyo.Var([(y, line[0], t) for y in years for line in d.lines for t in steps])
    for y in years:
        for name, _, _, capacity in d.lines:
            for t in steps:
                m.flow[y, name, t].setlb(-capacity)
                m.flow[y, name, t].setub(capacity)
    m.emissions = pyo.Var(m.Y, domain=pyo.Reals)
    if d.diagnose:
        m.missing = pyo.Var(m.Y, m.N, m.T, domain=pyo.NonNegativeReals)
        m.cap_excess = pyo.Var(years, domain=pyo.NonNegativeReals)
        m.policy_gap = pyo.Var(
            [(y, c) for y in years for c in ("renewable_share", "reserve_margin")],
            domain=pyo.NonNegativeReals,
        )


def capacity_mw(m: pyo.ConcreteModel, d: ModelData, g: str, y: int):
    """Total power capacity of ``g`` in year ``y``, MW: ``existing[g,y] + sum_b new_mw[g,b]``
    over milestones ``b`` whose new capacity is still alive in ``y``."""
    terms = [m.new_mw[g, b] for b in d.alive[g, y]]
    return d.existing_mw[g, y] + sum(terms) if terms else d.existing_mw[g, y]


def capacity_mwh(m: pyo.ConcreteModel, d: ModelData, s: str, y: int):
    """Total energy capacity of storage ``s`` in year ``y``, MWh (as :func:`capacity_mw`)."""
    terms = [m.new_mwh[s, b] for b in d.alive[s, y]]
    return d.existing_mwh[s, y] + sum(terms) if terms else d.existing_mwh[s, y]
