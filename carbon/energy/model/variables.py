"""Decision variables, with bounds set from the data (fixed capacities become column bounds,
not rows, which keeps the LP small).

Index order is always (year, technology, step) with steps innermost, so values reshape to
``(years, technologies, steps)`` arrays; :class:`Columns` holds the column numbers in the
same shapes for the constraint families.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from carbon.energy.inputs import ModelData
from carbon.energy.model.linear import INF, LinearModel


@dataclass
class Columns:
    """Column numbers of the model's variables (see :func:`add_variables` for their meaning).

    Arrays are shaped ``(years, items, steps)`` (or ``(years, steps)`` without items);
    ``new_mw`` and ``new_mwh`` map ``(technology, build year)`` to a column.
    """

    new_mw: dict[tuple[str, int], int]
    new_mwh: dict[tuple[str, int], int]
    p: np.ndarray
    charge: np.ndarray
    discharge: np.ndarray
    soc: np.ndarray
    shed: np.ndarray
    flow: np.ndarray
    emissions: np.ndarray
    soc_start: np.ndarray | None = None
    soc_high: np.ndarray | None = None
    soc_low: np.ndarray | None = None
    shift_up: np.ndarray | None = None
    shift_down: np.ndarray | None = None
    interrupt: np.ndarray | None = None
    missing: np.ndarray | None = None
    cap_excess: np.ndarray | None = None
    policy_gap: dict[tuple[int, str], int] = field(default_factory=dict)


def add_variables(m: pyo.ConcreteModel, d: ModelData) -> Columns:
    """Declare every variable of the model on ``m`` and return their columns.

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
    years, T = d.years, d.slices.n_steps
    Y = len(years)
    lin: LinearModel = m.linear
    nonneg = pyo.NonNegativeReals
    # dense cross products of ordered sets build ~40 % faster than lists of tuples
    m.Y = pyo.Set(initialize=years, ordered=True)
    m.T = pyo.RangeSet(0, T - 1)
    m.G = pyo.Set(initialize=d.units, ordered=True)
    m.S = pyo.Set(initialize=d.storages, ordered=True)
    m.N = pyo.Set(initialize=d.nodes, ordered=True)
    m.G_expandable = pyo.Set(initialize=[g for g in d.units if g in d.expandable], ordered=True)
    m.S_expandable = pyo.Set(initialize=[s for s in d.storages if s in d.expandable], ordered=True)

    new_units = [(g, b) for g in d.units + d.storages if g in d.expandable for b in years]
    new_stores = [(s, b) for s in d.storages if s in d.expandable for b in years]
    new_mw = lin.var("new_mw", new_units, (len(new_units),), domain=nonneg)
    new_mwh = lin.var("new_mwh", new_stores, (len(new_stores),), domain=nonneg)

    lower, upper = [], []
    for y in years:
        for g in d.units:
            if g in d.expandable:
                lower.append(np.zeros(T))
                upper.append(np.full(T, INF))
            else:
                available = d.avail[g] * d.existing_mw[g, y]
                lower.append(d.min_load[g] * available)
                upper.append(available)
    G, S = len(d.units), len(d.storages)
    p = lin.var("p", (m.Y, m.G, m.T), (Y, G, T), _stack(lower, G * Y * T), _stack(upper, G * Y * T), nonneg)

    chrono = d.slices.linking == "chronological"
    power_ub = np.array([[d.existing_mw[s, y] if s not in d.expandable else INF for s in d.storages] for y in years])
    energy_ub = np.array(
        [[d.existing_mwh[s, y] if s not in d.expandable and not chrono else INF for s in d.storages] for y in years]
    )
    power_ub = np.repeat(power_ub.reshape(-1), T)
    energy_ub = np.repeat(energy_ub.reshape(-1), T)
    charge = lin.var("charge", (m.Y, m.S, m.T), (Y, S, T), 0.0, power_ub, nonneg)
    discharge = lin.var("discharge", (m.Y, m.S, m.T), (Y, S, T), 0.0, power_ub, nonneg)
    soc = lin.var(
        "soc", (m.Y, m.S, m.T), (Y, S, T), -INF if chrono else 0.0, energy_ub, pyo.Reals if chrono else nonneg
    )
    cols = {}
    if chrono:
        n_days, K = len(d.slices.sequence), d.slices.n_periods
        day_index = [(y, s, day) for y in years for s in d.storages for day in range(n_days)]
        k_index = [(y, s, k) for y in years for s in d.storages for k in range(K)]
        cols["soc_start"] = lin.var("soc_start", day_index, (Y, S, n_days), domain=nonneg)
        cols["soc_high"] = lin.var("soc_high", k_index, (Y, S, K), domain=nonneg)
        cols["soc_low"] = lin.var("soc_low", k_index, (Y, S, K), -INF, 0.0, pyo.NonPositiveReals)

    dr = d.system.settings.demand_response
    m.has_shift = any(limit.max() > 0 for limit in d.shift_limit.values())
    if m.has_shift:
        limit = np.concatenate([d.shift_limit[y] for y in years])
        cols["shift_up"] = lin.var("shift_up", (m.Y, m.T), (Y, T), 0.0, limit, nonneg)
        cols["shift_down"] = lin.var("shift_down", (m.Y, m.T), (Y, T), 0.0, limit, nonneg)
    m.has_interrupt = dr.interruptible_mw > 0
    if m.has_interrupt:
        cols["interrupt"] = lin.var("interrupt", (m.Y, m.T), (Y, T), 0.0, dr.interruptible_mw, nonneg)
    m.has_shed = d.system.settings.allow_shedding
    load_nodes = [n for n in d.nodes if any(d.load[y, n].max() > 0 for y in years)]
    m.shed_nodes = pyo.Set(initialize=load_nodes if m.has_shed else [], ordered=True)
    m.shed_index = [(y, n, t) for y in years for n in m.shed_nodes for t in d.steps]
    shed_ub = np.concatenate([d.load[y, n] for y in years for n in m.shed_nodes] + [np.zeros(0)])
    shed = lin.var("shed", (m.Y, m.shed_nodes, m.T), (Y, len(m.shed_nodes), T), 0.0, shed_ub, nonneg)
    line_cap = np.array([capacity for _, _, _, capacity in d.lines])
    flow_index = [(y, line[0], t) for y in years for line in d.lines for t in d.steps]
    flow_ub = np.tile(np.repeat(line_cap, T), Y) if d.lines else np.zeros(0)
    flow = lin.var("flow", flow_index, (Y, len(d.lines), T), -flow_ub, flow_ub)
    emissions = lin.var("emissions", (m.Y,), (Y,))
    if d.diagnose:
        cols["missing"] = lin.var("missing", (m.Y, m.N, m.T), (Y, len(d.nodes), T), domain=nonneg)
        cols["cap_excess"] = lin.var("cap_excess", list(years), (Y,), domain=nonneg)
        gaps = [(y, c) for y in years for c in ("renewable_share", "reserve_margin")]
        gap_cols = lin.var("policy_gap", gaps, (len(gaps),), domain=nonneg)
        cols["policy_gap"] = dict(zip(gaps, gap_cols.tolist()))
    return Columns(
        new_mw=dict(zip(new_units, new_mw.tolist())),
        new_mwh=dict(zip(new_stores, new_mwh.tolist())),
        p=p,
        charge=charge,
        discharge=discharge,
        soc=soc,
        shed=shed,
        flow=flow,
        emissions=emissions,
        **cols,
    )


def _stack(parts: list[np.ndarray], n: int) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(n)


def capacity_terms(c: Columns, d: ModelData, g: str, y: int, energy: bool = False) -> tuple[list[int], float]:
    """Total power (or ``energy``) capacity of ``g`` in year ``y`` as its columns and constant:
    ``existing[g,y] + sum_b new[g,b]`` over milestones ``b`` whose new capacity is still alive
    in ``y`` (MW, or MWh for storage energy)."""
    new = c.new_mwh if energy else c.new_mw
    existing = d.existing_mwh if energy else d.existing_mw
    return [new[g, b] for b in d.alive[g, y]], float(existing[g, y])
