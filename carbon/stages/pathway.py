"""The pathway stage: every year of the horizon, from the scenario's drivers.

Each year: the pathway room projects activity -> the inventory room accounts it (the same factor
and GWP sets as the base year) -> end-use emissions; the coupling room gives the power sector
(the energy model at the milestones, calibrated to the base year, or the inventory's rows when
the scenario has no energy model); the pathway room assembles the two views, the peak, the
targets and the LMDI decomposition; ``reconciliation`` compares the base year across rooms.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import units
from carbon.assess.compute import project_activity_rows, with_process_emissions
from carbon.coupling.cache import SolveCache
from carbon.errors import InputError
from carbon.inventory.accounting import Inventory
from carbon.inventory.activity import validate_activity
from carbon.inventory.climate import decay_rate
from carbon.inventory.factors import gwp_values
from carbon.model import Model
from carbon.pathway.assemble import VIEWS, assemble, by_fuel, capture_methane, purchases_mwh
from carbon.pathway.indicators import LMDI_FACTORS, check_targets, lmdi_frame
from carbon.pathway.landfill import landfill_fod
from carbon.pathway.lmdi import decompose
from carbon.pathway.peak import detect_peak
from carbon.pathway.power import is_power, power_from_inventory
from carbon.pathway.projection import Projection, project_activity, project_drivers
from carbon.pathway.schema import TargetsSection
from carbon.pathway.stirpat import fit_stirpat
from carbon.resolve import Resolved
from carbon.results import StageOutput
from carbon.scenario import Scenario
from carbon.stages.inventory import base_landfill_t, compute
from carbon.stages.reconcile import reconciliation, unexplained

__all__ = ["VIEWS", "Projected", "project", "run_stage", "unexplained"]


@dataclass(frozen=True)
class Projected:
    """Drivers, activity and inventory of every year (no energy model yet)."""

    years: list[int]
    base: Inventory  # the base year's inventory: THE inventory of the run
    inventory: Inventory  # every year, landfill capture applied
    projection: Projection


def project(model: Model, scenario: Scenario) -> Projected:
    """Drivers, activity and inventory of every year: the part of the stage that ``carbon
    validate`` also runs."""
    section = scenario.pathway
    assert section is not None
    first, last = section.years
    years = list(range(first, last + 1))
    base_rows = model.activity[model.activity["year"] == first].reset_index(drop=True)
    if base_rows.empty:
        raise InputError(
            f"the model has no activity for the pathway's first year {first}",
            key="pathway.years",
            expected=f"pathway.years starting at the model's base year {model.base_year}",
        )
    base = compute(replace(model, activity=base_rows), scenario.inventory, keep=True)
    drivers = project_drivers(section, model.population, model.gdp_10k_cny)
    projection = project_activity(base.energy["energy_tce"].to_numpy(), base_rows, section, drivers)
    projection = with_projects(projection, scenario.projects, years)
    try:
        activity = validate_activity(projection.activity.drop(columns=["energy_tce"]))
    except InputError as err:  # name the user's section, not the engine's internal table
        raise InputError(
            f"the pathway projects activity that cannot be accounted: {err.message}",
            key="pathway",
            expected=err.expected,
            found=err.found,
            hint="check the pathway's rates, mixes and efficiencies for implausible values",
        ) from None
    inv = compute(replace(model, activity=activity), scenario.inventory)
    inv = replace(inv, emissions=with_process_emissions(inv.emissions, scenario.projects, years, gwp_values(inv.gwp)))
    inv = replace(inv, emissions=landfill_fod(inv.emissions, *landfill_history(model), first))
    inv = replace(inv, emissions=capture_methane(inv.emissions, section.methane_capture, first))
    return Projected(years, base, inv, projection)


def with_projects(projection: Projection, projects, years: list[int]) -> Projection:
    """The projected activity plus every project's rows from its start year (ramp-up applied);
    a row of the same year, sector, category and item adds to it (in its unit), else it joins.
    A project starting after the base year leaves the base year (the inventory) unchanged."""
    if not projects:
        return projection
    activity = projection.activity.copy()
    key = ["year", "sector", "category", "item"]
    where = {k: i for i, k in enumerate(zip(*(activity[c] for c in key)))}
    extra = []
    for item in projects:
        for row in project_activity_rows(item, years).itertuples(index=False):
            i = where.get((row.year, row.sector, row.category, row.item))
            if i is None:
                extra.append(row._asdict())
                continue
            try:
                add = row.quantity * units.factor(row.unit, str(activity.at[i, "unit"]))
            except InputError as err:
                raise InputError(
                    f"project {item.name!r}: {err.message}",
                    key=f"projects.energy.{row.item}.unit",
                    expected=err.expected,
                    found=err.found,
                ) from None
            activity.at[i, "quantity"] = activity.at[i, "quantity"] + add
            activity.at[i, "energy_tce"] = np.nan
    if extra:
        activity = pd.concat([activity, pd.DataFrame(extra).assign(energy_tce=np.nan)], ignore_index=True)
    activity = activity.sort_values(key, ignore_index=True, kind="stable")
    return replace(projection, activity=activity)


def project_electricity_mwh(projects, years: list[int]) -> pd.Series | None:
    """The projects' purchased electricity by year, MWh (None without projects): a new load the
    energy model adds to the county's demand, not a growth of it."""
    if not projects:
        return None
    total = pd.Series(0.0, index=years)
    for item in projects:
        rows = project_activity_rows(item, years)
        rows = rows[rows["item"] == "electricity"]
        for row in rows.itertuples(index=False):
            total[row.year] += row.quantity * units.factor(row.unit, "MWh")
    return total


def landfill_history(model: Model) -> tuple[dict[int, float] | None, float]:
    """The model's landfill deposition history before the base year (None: steady state at the
    base year's deposition) and the decay rate k of its climate (IPCC 2006 Vol.5 Table 3.3, bulk
    MSW; without ``climate:`` boreal/temperate dry, 0.05/yr)."""
    zone = model.climate.table_zone() if model.climate is not None else "boreal_temperate_dry"
    k, _ = decay_rate(zone)
    history = model.landfill.history(model.base_year, base_landfill_t(model)) if model.landfill else None
    return history, k


def run_stage(
    model: Model, scenario: Scenario, resolved: Resolved, cache: SolveCache, base_dir: Path | None = None
) -> dict[str, StageOutput]:
    """Project the pathway of a resolved scenario.

    Returns ``{"pathway": ...}`` with tables ``annual, by_sector, by_fuel, targets, lmdi, drivers, power,
    reconciliation`` and the document ``peak`` (see results/README.md for the columns),
    ``{"energy": ...}`` with the energy model's tables (and ``calibration``) when the scenario
    has an ``energy:`` section, and ``{"market": ...}`` with ``carbon_price: from_market``.
    ``base_dir`` is the scenario file's folder (market and history files are relative to it).
    """
    section = scenario.pathway
    assert section is not None
    targets = scenario.targets or TargetsSection()
    if targets.co2_intensity_2005 is None and model.co2_intensity_2005 is not None:  # the model's 2005 base
        targets = targets.model_copy(update={"co2_intensity_2005": model.co2_intensity_2005})
    p = project(model, scenario)
    years, inv = p.years, p.inventory
    first, last = section.years
    emissions = inv.emissions
    grid = pd.Series(resolved.grid_factor).reindex(years)
    price = None if resolved.carbon_price is None else pd.Series(resolved.carbon_price).reindex(years)
    end_use = emissions[~emissions["memo"] & ~is_power(emissions["category"])]
    purchases = purchases_mwh(inv.energy, years)
    out: dict[str, StageOutput] = {}
    calibration = None
    if scenario.energy is not None:
        from carbon.stages.energy import power_stage

        power, calibration, energy_out, market_out = power_stage(
            model,
            scenario,
            resolved,
            cache,
            inv,
            purchases,
            base_dir or Path("."),
            project_electricity_mwh(scenario.projects, years),
        )
        out["energy"] = energy_out
        if market_out is not None:
            out["market"] = market_out
    else:
        power = power_from_inventory(emissions, purchases, years, price if price is not None else grid * 0.0)
    annual, by_sector = assemble(end_use, power, p.projection.drivers, grid, inv.energy, section, years)
    peaks = {view: detect_peak(annual.set_index("year")[f"co2e_t_{view}"], section.tolerance) for view in VIEWS}
    targets_table = check_targets(annual, peaks, targets)
    start = section.decomposition.start or first
    end = section.decomposition.end or last
    frame = lmdi_frame(emissions, p.projection.drivers, p.projection.sector_driver, grid)
    additive = decompose(frame, LMDI_FACTORS, start, end)
    multiplicative = decompose(frame, LMDI_FACTORS, start, end, kind="multiplicative")
    product = frame[LMDI_FACTORS].prod(axis=1)
    lmdi = pd.DataFrame(
        {
            "factor": LMDI_FACTORS,
            "effect_t": additive.to_numpy(),
            "ratio": multiplicative.to_numpy(),
            "start": start,
            "end": end,
            "total_start_t": float(product[frame["year"] == start].sum()),
            "total_end_t": float(product[frame["year"] == end].sum()),
        }
    )
    tables = {
        "annual": annual,
        "by_sector": by_sector,
        "by_fuel": by_fuel(end_use, by_sector),
        "targets": targets_table,
        "lmdi": lmdi,
        "drivers": p.projection.drivers,
        "power": power.table,
        "reconciliation": reconciliation(
            p.base.emissions,
            p.base.energy,
            annual=annual,
            calibration=calibration,
            renewable_mwh=float(power.table.iloc[0]["renewable_mwh"]),
            market_firms=out["market"].tables["firms"] if "market" in out else None,
        ),
    }
    summary = key_figures(annual, peaks, targets_table, section.milestones, targets)
    if section.stirpat is not None:
        coefficients, projected = stirpat_check(section.stirpat.history, base_dir, annual)
        tables["stirpat"] = projected
        tables["stirpat_coefficients"] = coefficients
        summary.update({f"stirpat_{k}": float(v) for k, v in coefficients.set_index("term")["value"].items()})
        summary.update(stirpat_r2=float(coefficients.attrs["r2"]), stirpat_n=int(coefficients.attrs["n"]))
    peak_doc = {view: {**pk.as_dict(), "peak_co2e_t": pk.peak_value} for view, pk in peaks.items()}
    out["pathway"] = StageOutput(tables=tables, summary=summary, documents={"peak": peak_doc})
    return out


def key_figures(
    annual: pd.DataFrame, peaks: dict, targets_table: pd.DataFrame, milestones: list[int], targets: TargetsSection
) -> dict:
    """The pathway's key figures for the manifest and the batch summary: the peak in both views,
    the verdict, emissions (scope 1 + 2, t CO2e) in the base year, the milestones and the last
    year, and the targets met and failed."""
    summary: dict = {}
    for view, pk in peaks.items():
        summary[f"{view}_peak_year"] = pk.peak_year
        summary[f"{view}_status"] = pk.status
        summary[f"{view}_peak_co2e_t"] = pk.peak_value
    summary["verdict"] = peaks["scope12"].verdict()
    a = annual.set_index("year")
    shown = sorted({int(a.index[0]), *[m for m in milestones if m in a.index], int(a.index[-1])})
    for year in shown:
        summary[f"co2e_t_scope12_{year}"] = float(a.at[year, "co2e_t_scope12"])
    summary["base_year"] = int(a.index[0])
    summary["peak_by"] = targets.peak_by
    met = targets_table["met"].dropna()
    summary["targets_met"] = f"{int(met.sum())}/{len(met)}"
    failed = targets_table[targets_table["met"].eq(False)]  # a column of True, False and None
    summary["targets_failed"] = ";".join(f"{r.target} {int(r.year)}" for r in failed.itertuples())
    return summary


def stirpat_check(history: str, base_dir: Path | None, annual: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit STIRPAT on the history and project it with the pathway's P, A = GDP/P, T = energy/GDP.

    Returns the coefficients (``term, value, std_err``; the fit's R^2 and sample size in its
    ``attrs``) and ``year, co2e_t_stirpat, co2e_t_scope12``.
    """
    from carbon.inventory.activity import read_csv

    path = Path(history) if Path(history).is_absolute() else Path(base_dir or ".") / history
    frame = read_csv(path)
    fit = fit_stirpat(frame, "I", ["P", "A", "T"])
    coef = fit.coef
    pop = annual["population"].to_numpy()
    aff = annual["gdp_10k_cny"].to_numpy() / pop
    tech = annual["energy_tce"].to_numpy() / annual["gdp_10k_cny"].to_numpy()
    projected = np.exp(coef["const"]) * pop ** coef["P"] * aff ** coef["A"] * tech ** coef["T"]
    coefficients = pd.DataFrame({"term": coef.index, "value": coef.to_numpy(), "std_err": fit.std_err.to_numpy()})
    coefficients.attrs.update(r2=fit.r2, n=fit.n)
    return (
        coefficients,
        pd.DataFrame({"year": annual["year"], "co2e_t_stirpat": projected, "co2e_t_scope12": annual["co2e_t_scope12"]}),
    )
