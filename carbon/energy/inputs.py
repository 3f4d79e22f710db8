"""Numbers the model is built from: one pass over the tables into arrays and dicts, so no
constraint rule ever scans a table (STYLE.md, fast Pyomo)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.energy.periods import TimeSlices
from carbon.energy.system import EnergySystem
from carbon.energy.technologies import annual_capex, plain_rows
from carbon.memo import Kept


@dataclass(frozen=True)
class YearAssumptions:
    """What changes between milestone years.

    Attributes
    ----------
    carbon_price
        Carbon price, CNY/t.
    co2_cap
        Annual CO2 cap, t (None = no cap).
    demand_factor
        Multiplier on every node's load profile.
    import_price_factor
        Multiplier on grid import prices.
    """

    carbon_price: float = 0.0
    co2_cap: float | None = None
    demand_factor: float = 1.0
    import_price_factor: float = 1.0


@dataclass
class ModelData:
    """Arrays and dicts the constraint modules read (steps ``t`` index :attr:`slices`)."""

    system: EnergySystem
    slices: TimeSlices
    years: list[int]
    year_weight: dict[int, float]
    assumptions: dict[int, YearAssumptions]
    nodes: list[str]
    units: list[str]  # generator, grid_import, grid_export
    storages: list[str]
    expandable: set[str]
    sign: dict[str, float]
    node: dict[str, str]
    avail: dict[str, np.ndarray]
    cost: dict[tuple[int, str], np.ndarray]
    co2: dict[str, float]
    min_load: dict[str, float]
    existing_mw: dict[tuple[str, int], float]  # fixed capacity: existing alive + built earlier
    existing_mwh: dict[tuple[str, int], float]
    built_mw: dict[tuple[str, int], float]
    built_mwh: dict[tuple[str, int], float]
    built_annual: dict[tuple[str, int], float]  # annuities still paid for earlier builds, CNY/yr
    alive: dict[tuple[str, int], list[int]]
    max_mw: dict[str, float]
    annual_mw: dict[str, float]
    annual_mwh: dict[str, float]
    fom: dict[str, float]
    credit: dict[str, float]
    renewable: set[str]
    load: dict[tuple[int, str], np.ndarray]
    shift_limit: dict[int, np.ndarray]
    lines: list[tuple[str, str, str, float]]
    diagnose: bool = False

    @property
    def steps(self) -> range:
        """Modelled steps."""
        return range(self.slices.n_steps)


def represent(values: np.ndarray, slices: TimeSlices) -> np.ndarray:
    """A full-length profile at the modelled steps. For representative days it is rescaled so
    its weighted sum equals the original's (scaled to the year): the medoids keep their shape
    but the annual energy is right (as tsam's ``rescaleClusterPeriods``)."""
    picked = values[slices.hour]
    if slices.mode != "days":
        return picked
    target = values.sum() * slices.weight.sum() / len(values)
    current = float(slices.weight @ picked)
    return picked * (target / current) if current > 0 else picked


def year_weights(years: list[int], base_year: int, discount_rate: float, perfect: bool) -> dict[int, float]:
    """Objective weight of each milestone year.

    Myopic (one year at a time): 1. Perfect foresight: years the milestone stands for (to the
    next milestone; the last one as long as the previous interval) times the discount factor
    ``(1 + r)^-(year - base_year)``.
    """
    if not perfect or len(years) == 1:
        return {y: 1.0 for y in years}
    gaps = [b - a for a, b in itertools.pairwise(years)]
    lengths = gaps + [gaps[-1]]
    return {y: n * (1.0 + discount_rate) ** -(y - base_year) for y, n in zip(years, lengths)}


_PLAIN: Kept[tuple[dict, dict, dict]] = Kept(32)


def _plain(techs: pd.DataFrame, discount_rate: float) -> tuple[dict, dict, dict]:
    """The technologies as plain dicts (no pandas lookups in the loops of :func:`prepare`) and
    their annualised capital cost per MW and per MWh; the last few are kept by the table's
    identity (a Monte Carlo worker prepares the same year systems again and again; callers
    only read them)."""

    def compute() -> tuple[dict, dict, dict]:
        per_mw, per_mwh = annual_capex(techs, discount_rate)
        return plain_rows(techs), per_mw.to_dict(), per_mwh.to_dict()

    return _PLAIN.get(techs, (float(discount_rate),), compute)


def prepare(
    system: EnergySystem,
    slices: TimeSlices,
    years: list[int],
    assumptions: dict[int, YearAssumptions],
    *,
    year_weight: dict[int, float] | None = None,
    built: dict[tuple[str, int], tuple[float, float]] | None = None,
    diagnose: bool = False,
) -> ModelData:
    """Turn a checked system into :class:`ModelData` for the given years.

    Parameters
    ----------
    built
        Capacity built in earlier milestones (myopic runs): ``{(technology, year): (MW, MWh)}``;
        it counts as existing while ``year + lifetime > y``.
    """
    techs = system.technologies
    settings = system.settings
    hours = slices.hour
    profiles = system.profiles
    units = [n for n, k in zip(techs.index, techs["kind"]) if k != "storage"]
    storages = [n for n, k in zip(techs.index, techs["kind"]) if k == "storage"]
    built = built or {}
    rows, per_mw, per_mwh = _plain(techs, settings.discount_rate)
    existing_mw, existing_mwh, alive, built_mw, built_mwh, built_annual = {}, {}, {}, {}, {}, {}
    for name, row in rows.items():
        life = row["lifetime_years"]
        for y in years:
            old_alive = math.isnan(row["existing_build_year"]) or row["existing_build_year"] + life > y
            earlier_mw = earlier_mwh = 0.0
            for (tech, b), (b_mw, b_mwh) in built.items():
                if tech == name and b <= y < b + life:
                    earlier_mw += b_mw
                    earlier_mwh += b_mwh
            built_annual[name, y] = earlier_mw * float(per_mw[name]) + earlier_mwh * float(per_mwh[name])
            built_mw[name, y], built_mwh[name, y] = earlier_mw, earlier_mwh
            existing_mw[name, y] = (row["existing_mw"] if old_alive else 0.0) + earlier_mw
            existing_mwh[name, y] = (row["existing_mwh"] if old_alive else 0.0) + earlier_mwh
            alive[name, y] = [b for b in years if b <= y < b + life] if row["expandable"] else []
    avail, cost = {}, {}
    for name in units:
        row = rows[name]
        avail[name] = (
            np.minimum(represent(profiles[row["profile"]].to_numpy(), slices), 1.0)
            if row["profile"]
            else np.ones(len(hours))
        )
        base = (
            profiles[row["price_profile"]].to_numpy()[hours]
            if row["price_profile"]
            else np.full(len(hours), row["vom_cny_per_mwh"])
        )
        for y in years:
            factor = assumptions[y].import_price_factor if row["kind"] == "grid_import" else 1.0
            cost[y, name] = base * factor
    nodes = system.nodes()
    load = {}
    for y in years:
        for n in nodes:
            column = system.load_column(n)
            values = represent(profiles[column].to_numpy(), slices) if column else np.zeros(len(hours))
            load[y, n] = values * assumptions[y].demand_factor
    dr = settings.demand_response
    shift_limit = {}
    for y in years:
        base_load = load[y, nodes[0]]
        if dr.shift_share is not None:
            shift_limit[y] = dr.shift_share * base_load
        else:
            shift_limit[y] = np.full(len(hours), dr.shift_mw or 0.0)
    credit = {}
    for name, row in rows.items():
        value = row["capacity_credit"]
        if isinstance(value, float) and math.isnan(value):
            value = 0.0 if (row["profile"] or row["kind"] == "grid_export") else 1.0
        credit[name] = float(value)
    renewable = {n for n, r in rows.items() if r["carrier"] in settings.renewable_carriers and r["kind"] == "generator"}
    return ModelData(
        system=system,
        slices=slices,
        years=list(years),
        year_weight=year_weight or {y: 1.0 for y in years},
        assumptions=dict(assumptions),  # sweeps change it: never the caller's dict
        nodes=nodes,
        units=units,
        storages=storages,
        expandable={n for n, r in rows.items() if r["expandable"]},
        sign={n: (-1.0 if rows[n]["kind"] == "grid_export" else 1.0) for n in units},
        node={n: r["node"] or settings.default_node for n, r in rows.items()},
        avail=avail,
        cost=cost,
        co2={n: float(r["co2_t_per_mwh"]) if r["kind"] != "grid_export" else 0.0 for n, r in rows.items()},
        min_load={n: float(r["min_load"]) for n, r in rows.items()},
        existing_mw=existing_mw,
        existing_mwh=existing_mwh,
        built_mw=built_mw,
        built_mwh=built_mwh,
        built_annual=built_annual,
        alive=alive,
        max_mw={n: float(r["max_mw"]) for n, r in rows.items()},
        annual_mw={n: float(per_mw[n]) for n in techs.index},
        annual_mwh={n: float(per_mwh[n]) for n in techs.index},
        fom={n: float(r["fom_cny_per_mw_year"]) for n, r in rows.items()},
        credit=credit,
        renewable=renewable,
        load=load,
        shift_limit=shift_limit,
        lines=[(r["name"], r["from_node"], r["to_node"], float(r["capacity_mw"])) for _, r in system.lines.iterrows()],
        diagnose=diagnose,
    )
