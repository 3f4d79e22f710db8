"""Result tables from a solved model: capacity, hourly dispatch and prices, annual figures
per technology, costs by component and one row of key figures per year."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbon.energy.inputs import ModelData
from carbon.energy.solver import CompiledProgram, Outcome

NOT_LOCAL = ("grid_import", "grid_export")
"""Kinds of unit whose flows are the grid's, not the county's own generation."""


@dataclass
class EnergyResult:
    """A solved energy system.

    Attributes
    ----------
    status
        Solver status (``optimal``).
    objective_cny
        Optimal objective, CNY (annual for one year; discounted sum under perfect foresight).
    capacity
        ``year, technology, existing_mw, new_mw, total_mw, existing_mwh, new_mwh, total_mwh``.
    dispatch
        One row per year, node and step: ``hour, weight`` (h), ``load_mw``,
        ``price_cny_per_mwh`` and per technology ``<name>_mw`` (storage ``_charge_mw``,
        ``_discharge_mw``, ``_soc_mwh``), ``shift_up_mw, shift_down_mw, interrupt_mw, shed_mw``.
    annual
        Per year and technology: generation, availability, curtailment, charge, discharge
        (MWh), cycles, emissions (t), costs (CNY) and levelised cost (CNY/MWh: investment +
        fixed O&M + variable cost over output; for storage excluding the energy it bought).
    costs
        Per year and cost component, CNY.
    years
        Per year: load, unserved energy, imports, exports (MWh), emissions (t), carbon price
        and CO2 shadow price (CNY/t), renewable share, total cost (CNY), system cost per MWh.
    size
        ``columns, rows, nonzeros`` of the LP.
    timings
        Seconds: ``build_s, compile_s, solve_s`` (HiGHS), ``extract_s``, ``total_s``.
    """

    status: str
    objective_cny: float
    capacity: pd.DataFrame
    dispatch: pd.DataFrame
    annual: pd.DataFrame
    costs: pd.DataFrame
    years: pd.DataFrame
    size: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def local_co2_t(self) -> pd.Series:
        """CO2 of local generation by year, t (every unit but the grid import and export)."""
        local = self.annual[~self.annual["kind"].isin(NOT_LOCAL)]
        return local.groupby("year")["emissions_t"].sum().reindex(self.years["year"], fill_value=0.0)

    def summary(self) -> dict[str, Any]:
        """Key figures as JSON scalars (units in the names): ``local_co2_t`` is the CO2 of local
        generation, ``co2_incl_imports_t`` adds the grid imports at the grid factor (what the
        carbon price and cap act on); both of the first year, and by year with several."""
        first = self.years.iloc[0]
        local = self.local_co2_t()
        out: dict[str, Any] = {
            "status": self.status,
            "objective_cny": float(self.objective_cny),
            "local_co2_t": float(local.iloc[0]),
            "co2_incl_imports_t": float(first["emissions_t"]),
            "co2_shadow_price_cny_per_t": float(first["co2_shadow_price_cny_per_t"]),
            "renewable_share": float(first["renewable_share"]),
            "unserved_mwh": float(first["unserved_mwh"]),
            "system_cost_cny_per_mwh": float(first["system_cost_cny_per_mwh"]),
            "columns": int(self.size.get("columns", 0)),
            "rows": int(self.size.get("rows", 0)),
        }
        if len(self.years) > 1:
            for year, value in local.items():
                out[f"local_co2_t_{int(year)}"] = float(value)
        out.update({k: round(float(v), 4) for k, v in self.timings.items()})
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, as written to a run folder."""
        return {
            "capacity": self.capacity,
            "dispatch": self.dispatch,
            "annual": self.annual,
            "costs": self.costs,
            "years": self.years,
        }


def _total(rows: list[dict], column: str, keep=None) -> float:
    """Sum of a column over the rows that ``keep`` (all without it; missing = 0), in row order
    and by numpy, as the DataFrame of the rows would sum it."""
    return float(np.array([r.get(column, 0.0) for r in rows if keep is None or keep(r)], dtype=float).sum())


def extract(m, d: ModelData, program: CompiledProgram, outcome: Outcome) -> EnergyResult:
    """Read the solution into tables (vectorised: one reshape per variable family)."""
    x, dual = outcome.x, outcome.row_dual
    Y, G, S, T, N = len(d.years), len(d.units), len(d.storages), d.slices.n_steps, len(d.nodes)
    techs = d.system.technologies  # columns as dicts: one lookup per row, not a pandas .at
    kind, carrier = techs["kind"].to_dict(), techs["carrier"].to_dict()
    vom, profile = techs["vom_cny_per_mwh"].to_dict(), techs["profile"].to_dict()
    settings = d.system.settings
    w = d.slices.weight
    p = program.values(m.p, x).reshape(Y, G, T)
    charge = program.values(m.charge, x).reshape(Y, S, T)
    discharge = program.values(m.discharge, x).reshape(Y, S, T)
    soc = program.values(m.soc, x).reshape(Y, S, T)
    zeros = np.zeros((Y, T))
    up = program.values(m.shift_up, x).reshape(Y, T) if m.has_shift else zeros
    down = program.values(m.shift_down, x).reshape(Y, T) if m.has_shift else zeros
    interrupt = program.values(m.interrupt, x).reshape(Y, T) if m.has_interrupt else zeros
    shed_values = program.values(m.shed, x)
    shed_arr = np.zeros((Y, N, T))
    node_pos = {n: i for i, n in enumerate(d.nodes)}
    year_pos = {y: i for i, y in enumerate(d.years)}
    if len(shed_values):
        ys = np.array([year_pos[k[0]] for k in m.shed_index])
        ns = np.array([node_pos[k[1]] for k in m.shed_index])
        ts = np.array([k[2] for k in m.shed_index])
        shed_arr[ys, ns, ts] = shed_values
    flows = program.values(m.flow, x).reshape(Y, len(d.lines), T) if d.lines else np.zeros((Y, 0, T))
    balance_dual = program.duals(m.balance, dual).reshape(Y, N, T)
    cap_dual = program.duals(m.co2_cap, dual)
    new_mw = dict(zip(m.new_mw.keys(), program.values(m.new_mw, x)))
    new_mwh = dict(zip(m.new_mwh.keys(), program.values(m.new_mwh, x)))
    emissions = program.values(m.emissions, x)

    capacity_rows, annual_rows, cost_rows, year_rows, dispatch_frames = [], [], [], [], []
    for iy, y in enumerate(d.years):
        W = d.year_weight[y]
        first_row = len(annual_rows)  # this year's rows: annual_rows[first_row:]
        totals = {}
        for g in d.units + d.storages:
            model_new = sum(new_mw.get((g, b), 0.0) for b in d.alive[g, y])
            model_new_mwh = sum(new_mwh.get((g, b), 0.0) for b in d.alive[g, y])
            existing = d.existing_mw[g, y] - d.built_mw[g, y]
            existing_e = d.existing_mwh[g, y] - d.built_mwh[g, y]
            new = model_new + d.built_mw[g, y]
            new_e = model_new_mwh + d.built_mwh[g, y]
            totals[g] = existing + new
            is_storage = g in d.storages
            capacity_rows.append(
                {
                    "year": y,
                    "technology": g,
                    "existing_mw": existing,
                    "new_mw": new,
                    "total_mw": existing + new,
                    "existing_mwh": existing_e if is_storage else np.nan,
                    "new_mwh": new_e if is_storage else np.nan,
                    "total_mwh": existing_e + new_e if is_storage else np.nan,
                }
            )
            invest = d.built_annual[g, y] + sum(
                d.annual_mw[g] * new_mw.get((g, b), 0.0)
                + (d.annual_mwh[g] * new_mwh.get((g, b), 0.0) if is_storage else 0.0)
                for b in d.alive[g, y]
            )
            row = {
                "year": y,
                "technology": g,
                "kind": kind[g],
                "carrier": carrier[g],
                "node": d.node[g],
                "investment_cny": invest,
                "fixed_om_cny": d.fom[g] * (existing + new),
            }
            if is_storage:
                i = d.storages.index(g)
                energy = existing_e + new_e
                dis = float(w @ discharge[iy, i])
                row.update(
                    charge_mwh=float(w @ charge[iy, i]),
                    discharge_mwh=dis,
                    generation_mwh=dis,
                    cycles=dis / energy if energy > 0 else 0.0,
                    emissions_t=0.0,
                    variable_cost_cny=float(vom[g]) * dis,
                )
            else:
                i = d.units.index(g)
                gen = float(w @ p[iy, i])
                available = float(w @ d.avail[g]) * (existing + new)
                row.update(
                    generation_mwh=gen,
                    available_mwh=available,
                    curtailment_mwh=max(available - gen, 0.0) if profile[g] else 0.0,
                    capacity_factor=gen / ((existing + new) * w.sum()) if existing + new > 0 else np.nan,
                    emissions_t=d.co2[g] * gen,
                    variable_cost_cny=float(d.sign[g] * (w * d.cost[y, g]) @ p[iy, i]),
                )
            annual_rows.append(row)
        rows = annual_rows[first_row:]
        dr = settings.demand_response
        load_mwh = float(sum(w @ d.load[y, n] for n in d.nodes))
        unserved = float((w * shed_arr[iy]).sum())
        carbon_price = d.assumptions[y].carbon_price
        components = {
            "investment": _total(rows, "investment_cny"),
            "fixed_om": _total(rows, "fixed_om_cny"),
            "variable_and_fuel": _total(rows, "variable_cost_cny", lambda r: r["kind"] in ("generator", "storage")),
            "imports": _total(rows, "variable_cost_cny", lambda r: r["kind"] == "grid_import"),
            "export_revenue": _total(rows, "variable_cost_cny", lambda r: r["kind"] == "grid_export"),
            "demand_response": dr.shift_cost_cny_per_mwh * float(w @ down[iy])
            + dr.interruptible_cost_cny_per_mwh * float(w @ interrupt[iy]),
            "shedding": settings.value_of_lost_load_cny_per_mwh * unserved,
            "carbon": carbon_price * float(emissions[iy]),
        }
        total = sum(components.values())
        cost_rows += [{"year": y, "component": k, "cny": v} for k, v in components.items()]
        cost_rows.append({"year": y, "component": "total", "cny": total})
        renewable_mwh = _total(
            rows, "generation_mwh", lambda r, renewable=set(d.renewable): r["technology"] in renewable
        )
        served = load_mwh - unserved
        year_rows.append(
            {
                "year": y,
                "load_mwh": load_mwh,
                "unserved_mwh": unserved,
                "imports_mwh": _total(rows, "generation_mwh", lambda r: r["kind"] == "grid_import"),
                "exports_mwh": _total(rows, "generation_mwh", lambda r: r["kind"] == "grid_export"),
                "shifted_mwh": float(w @ down[iy]),
                "interrupted_mwh": float(w @ interrupt[iy]),
                "curtailment_mwh": _total(rows, "curtailment_mwh"),
                "emissions_t": float(emissions[iy]),
                "carbon_price_cny_per_t": carbon_price,
                "co2_cap_t": d.assumptions[y].co2_cap if d.assumptions[y].co2_cap is not None else np.nan,
                "co2_shadow_price_cny_per_t": float(-cap_dual[iy] / W) + 0.0,
                "renewable_share": renewable_mwh / load_mwh if load_mwh > 0 else np.nan,
                "total_cost_cny": total,
                "system_cost_cny_per_mwh": total / served if served > 0 else np.nan,
            }
        )
        for n_i, n in enumerate(d.nodes):
            frame = {
                "year": np.full(T, y),
                "node": np.full(T, n, dtype=object),
                "step": np.arange(T),
                "hour": d.slices.hour,
                "weight": w,
                "load_mw": d.load[y, n],
                "price_cny_per_mwh": balance_dual[iy, n_i] / (w * W),
            }
            for i, g in enumerate(d.units):
                if d.node[g] == n:
                    frame[f"{g}_mw"] = p[iy, i]
            for i, s in enumerate(d.storages):
                if d.node[s] == n:
                    frame[f"{s}_charge_mw"] = charge[iy, i]
                    frame[f"{s}_discharge_mw"] = discharge[iy, i]
                    frame[f"{s}_soc_mwh"] = soc[iy, i]
            if n_i == 0:
                frame["shift_up_mw"] = up[iy]
                frame["shift_down_mw"] = down[iy]
                frame["interrupt_mw"] = interrupt[iy]
            frame["shed_mw"] = shed_arr[iy, n_i]
            for l_i, line in enumerate(d.lines):
                if n in (line[1], line[2]):
                    frame[f"{line[0]}_flow_mw"] = flows[iy, l_i]
            dispatch_frames.append(pd.DataFrame(frame))
    annual_table = pd.DataFrame(annual_rows)
    own_cost = annual_table["investment_cny"] + annual_table["fixed_om_cny"] + annual_table["variable_cost_cny"]
    producing = (annual_table["generation_mwh"] > 0) & annual_table["kind"].isin(["generator", "storage"])
    annual_table["lcoe_cny_per_mwh"] = np.where(
        producing, own_cost / annual_table["generation_mwh"].where(producing, 1.0), np.nan
    )
    order = [
        "year",
        "technology",
        "kind",
        "carrier",
        "node",
        "generation_mwh",
        "available_mwh",
        "curtailment_mwh",
        "capacity_factor",
        "charge_mwh",
        "discharge_mwh",
        "cycles",
        "emissions_t",
        "variable_cost_cny",
        "investment_cny",
        "fixed_om_cny",
        "lcoe_cny_per_mwh",
    ]
    annual_table = annual_table.reindex(columns=order)
    return EnergyResult(
        status=outcome.status,
        objective_cny=outcome.objective,
        capacity=pd.DataFrame(capacity_rows),
        dispatch=pd.concat(dispatch_frames, ignore_index=True),
        annual=annual_table,
        costs=pd.DataFrame(cost_rows),
        years=pd.DataFrame(year_rows),
        size={"columns": program.n_cols, "rows": program.n_rows, "nonzeros": program.n_nonzeros},
    )
