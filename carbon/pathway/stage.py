"""The pathway stage: every year of the horizon, from the scenario's drivers.

Each year: projected activity -> inventory (the same factors and GWPs as the base year) ->
non-power emissions; electricity demand -> the energy system at milestones (when the scenario
has an ``energy:`` section) -> local generation, imports and exports, power emissions; then the
two accounting views, the peak, the targets and the LMDI decomposition.

Views: ``scope1`` (territorial) and ``scope12`` = scope 1 + net purchased electricity x grid
factor (net purchases floored at zero: an exporting county claims no negative scope 2).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import units
from carbon.errors import InputError
from carbon.inventory.activity import validate_activity
from carbon.inventory.stage import compute
from carbon.model import Model
from carbon.pathway.drivers import interpolate
from carbon.pathway.indicators import KGCE_PER_KWH_CALORIFIC, LMDI_FACTORS, check_targets, lmdi_frame
from carbon.pathway.lmdi import decompose
from carbon.pathway.peak import detect_peak
from carbon.pathway.power import PowerPath, is_power, power_from_energy_model, power_from_inventory
from carbon.pathway.projection import project_activity, project_drivers
from carbon.pathway.schema import PathwaySection, TargetsSection
from carbon.pathway.stirpat import fit_stirpat
from carbon.results import StageOutput

VIEWS = ("scope1", "scope12")
MWH_PER_TJ = units.factor("TJ", "MWh")


def run_stage(model: Model, data: dict, base_dir: Path | None = None) -> dict[str, StageOutput]:
    """Project the pathway of a resolved scenario.

    Returns ``{"pathway": ...}`` with tables ``annual, by_sector, targets, lmdi, drivers, power``
    and the document ``peak`` (see results/README.md for the columns), and ``{"energy": ...}``
    with the energy model's tables when the scenario has an ``energy:`` section, and
    ``{"market": ...}`` with the market's price per milestone with ``carbon_price: from_market``.
    ``base_dir`` is the scenario file's folder (market files are relative to it).
    """
    section, targets, years, inv, drivers, projection = project(model, data)
    emissions = inv.emissions
    first, last = section.years
    grid_factor = _grid_factor(section, inv, years)

    # the power sector (1.A.1) comes from the energy model, or from the inventory's rows
    end_use = emissions[~emissions["memo"] & ~is_power(emissions["category"])]
    electricity_use = _electricity_mwh(inv, years)
    if section.carbon_price == "from_market" and "energy" not in data:
        raise InputError("carbon_price: from_market needs the energy model", key="pathway.carbon_price",
                         expected="an energy: section (the power sector's MAC comes from it)")
    if "energy" in data:
        power = power_from_energy_model(data["energy"], model.path, section, electricity_use, inv.energy, years,
                                        grid_factor, market=data.get("market"), base_dir=base_dir)
    else:
        power = power_from_inventory(emissions, electricity_use, years, section)
    annual, by_sector = _assemble(end_use, power, drivers, grid_factor, inv, section, years)
    peaks = {view: detect_peak(annual.set_index("year")[f"co2e_t_{view}"], section.tolerance) for view in VIEWS}
    targets_table = check_targets(annual, peaks, targets)
    start = section.decomposition.start or first
    end = section.decomposition.end or last
    frame = lmdi_frame(emissions, drivers, projection.sector_driver, grid_factor)
    additive = decompose(frame, LMDI_FACTORS, start, end)
    multiplicative = decompose(frame, LMDI_FACTORS, start, end, kind="multiplicative")
    product = frame[LMDI_FACTORS].prod(axis=1)
    lmdi = pd.DataFrame({"factor": LMDI_FACTORS, "effect_t": additive.to_numpy(),
                         "ratio": multiplicative.to_numpy(), "start": start, "end": end,
                         "total_start_t": float(product[frame["year"] == start].sum()),
                         "total_end_t": float(product[frame["year"] == end].sum())})
    peak_doc = {view: {**p.as_dict(), "peak_co2e_t": p.peak_value} for view, p in peaks.items()}
    summary = {}
    for view, p in peaks.items():
        summary[f"{view}_peak_year"] = p.peak_year
        summary[f"{view}_status"] = p.status
        summary[f"{view}_peak_co2e_t"] = p.peak_value
    a = annual.set_index("year")
    for year in (2030, 2060):
        if year in a.index:
            summary[f"co2e_t_scope12_{year}"] = float(a.at[year, "co2e_t_scope12"])
    met = targets_table["met"].dropna()
    summary["targets_met"] = f"{int(met.sum())}/{len(met)}"
    tables = {"annual": annual, "by_sector": by_sector, "targets": targets_table, "lmdi": lmdi,
              "drivers": drivers, "power": power.table}
    if section.stirpat is not None:
        coefficients, projected = stirpat_check(section.stirpat.history, base_dir, annual)
        tables["stirpat"] = projected
        tables["stirpat_coefficients"] = coefficients
        summary.update({f"stirpat_{k}": float(v) for k, v in coefficients.set_index("term")["value"].items()})
    out = {"pathway": StageOutput(
        tables=tables,
        summary=summary,
        documents={"peak": peak_doc},
    )}
    if power.energy is not None:
        out["energy"] = power.energy
    if power.market is not None:
        out["market"] = power.market
    return out


def project(model: Model, data: dict):
    """Drivers, activity and inventory of every year (no energy model): the part of the stage
    that ``carbon validate`` also runs. Returns (section, targets, years, inventory, drivers,
    projection)."""
    section = PathwaySection.model_validate(data["pathway"])
    targets = TargetsSection.model_validate(data.get("targets") or {})
    first, last = section.years
    years = list(range(first, last + 1))
    options = data.get("inventory", {})
    base_rows = model.activity[model.activity["year"] == first].reset_index(drop=True)
    if base_rows.empty:
        raise InputError(f"the model has no activity for the pathway's first year {first}", key="pathway.years",
                         expected=f"pathway.years starting at the model's base year {model.base_year}")
    base_inv = compute(replace(model, activity=base_rows), options)
    drivers = project_drivers(section, model.population, model.gdp_10k_cny)
    projection = project_activity(base_inv, base_rows, section, drivers)
    activity = validate_activity(projection.activity.drop(columns=["energy_tce"]), "projected activity")
    inv = compute(replace(model, activity=activity), options)
    emissions = inv.emissions
    capture = interpolate(section.methane_capture, years) if section.methane_capture else pd.Series(0.0, index=years)
    landfill = emissions["category"].astype(str).str.startswith("4.A") & (emissions["gas"].astype(str) == "ch4")
    keep = 1.0 - capture.reindex(emissions.loc[landfill, "year"]).to_numpy()
    emissions.loc[landfill, "emissions_t"] *= keep
    emissions.loc[landfill, "co2e_t"] *= keep
    return section, targets, years, inv, drivers, projection


def stirpat_check(history: str, base_dir: Path | None, annual: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit STIRPAT on the history and project it with the pathway's P, A = GDP/P, T = energy/GDP.

    Returns the coefficients (``term, value``) and ``year, co2e_t_stirpat, co2e_t_scope12``.
    """
    from carbon.inventory.activity import read_csv

    path = Path(history) if Path(history).is_absolute() else Path(base_dir or ".") / history
    frame = read_csv(path)
    coef = fit_stirpat(frame, "I", ["P", "A", "T"])
    p = annual["population"].to_numpy()
    a = annual["gdp_10k_cny"].to_numpy() / p
    t = annual["energy_tce"].to_numpy() / annual["gdp_10k_cny"].to_numpy()
    projected = np.exp(coef["const"]) * p ** coef["P"] * a ** coef["A"] * t ** coef["T"]
    return (pd.DataFrame({"term": coef.index, "value": coef.to_numpy()}),
            pd.DataFrame({"year": annual["year"], "co2e_t_stirpat": projected,
                          "co2e_t_scope12": annual["co2e_t_scope12"]}))


def _grid_factor(section: PathwaySection, inv, years: list[int]) -> pd.Series:
    """Grid factor path, t CO2/MWh: the section's, else the factor set's constant value."""
    if section.grid_factor:
        return interpolate(section.grid_factor, years, key="pathway.grid_factor")
    e = inv.emissions
    rows = e[(e["item"].astype(str) == "electricity") & (e["gas"].astype(str) == "co2") & (e["quantity"] > 0)]
    if rows.empty:
        raise InputError("no grid factor", key="pathway.grid_factor", expected="pathway.grid_factor: {year: t/MWh}")
    r = rows.iloc[0]
    mwh = r["energy_tj"] * MWH_PER_TJ
    return pd.Series(r["emissions_t"] / mwh, index=years)


def _electricity_mwh(inv, years: list[int]) -> pd.Series:
    """Electricity used by the end-use sectors each year, MWh (from the projected activity)."""
    e = inv.energy
    rows = e[e["item"].astype(str) == "electricity"]
    mwh = rows.groupby("year")["energy_tj"].sum() * MWH_PER_TJ
    return mwh.reindex(years, fill_value=0.0)


def _assemble(end_use: pd.DataFrame, power: PowerPath, drivers: pd.DataFrame, grid_factor: pd.Series, inv,
              section: PathwaySection, years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    scope1_sectors = (end_use[end_use["scope"] == 1].assign(sector=lambda f: f["sector"].astype(str))
                      .groupby(["year", "sector"])["co2e_t"].sum().unstack(fill_value=0.0)
                      .reindex(years, fill_value=0.0))
    p = power.table.set_index("year")
    scope1 = scope1_sectors.copy()
    scope1["power"] = p["local_co2_t"]
    net_mwh = (p["imports_mwh"] - p["exports_mwh"]).clip(lower=0.0)
    scope2 = net_mwh * grid_factor
    scope12 = scope1.copy()
    scope12["purchased_electricity"] = scope2
    heat = end_use[(end_use["scope"] == 2) & (end_use["item"].astype(str) != "electricity")]
    scope12["purchased_heat"] = heat.groupby("year")["co2e_t"].sum().reindex(years, fill_value=0.0)
    by_sector = pd.concat([
        scope1.stack().rename("co2e_t").reset_index().assign(view="scope1"),
        scope12.stack().rename("co2e_t").reset_index().assign(view="scope12"),
    ], ignore_index=True)
    by_sector.columns = ["year", "sector", "co2e_t", "view"]
    by_sector = by_sector[["year", "view", "sector", "co2e_t"]]
    d = drivers.set_index("year")
    energy = inv.energy[~inv.energy["biogenic"] & (inv.energy["item"].astype(str) != "electricity")
                        & (inv.energy["item"].astype(str) != "heat")]
    fossil_tce = energy.groupby("year")["energy_tce"].sum().reindex(years, fill_value=0.0)
    fossil_tce = fossil_tce - p["replaced_fuel_tce"] + p["local_fuel_tce"]
    subst = interpolate(section.coal_substitution_kgce_per_kwh, years)  # kgce/kWh = tce/MWh
    grid_nf = interpolate(section.grid_non_fossil_share, years)
    nonfossil_mwh = p["renewable_mwh"] + net_mwh * grid_nf
    primary_elec_mwh = p["renewable_mwh"] + net_mwh
    energy_calorific = fossil_tce + primary_elec_mwh * KGCE_PER_KWH_CALORIFIC  # kgce/kWh = tce/MWh
    energy_subst = fossil_tce + primary_elec_mwh * subst
    annual = pd.DataFrame({
        "year": years,
        "population": d["population"].to_numpy(),
        "gdp_10k_cny": d["gdp_10k_cny"].to_numpy(),
        "energy_tce": energy_calorific.to_numpy(),
        "energy_tce_coal_substitution": energy_subst.to_numpy(),
        "co2e_t_scope1": scope1.sum(axis=1).to_numpy(),
        "co2e_t_scope12": scope12.sum(axis=1).to_numpy(),
        "scope2_co2e_t": scope2.to_numpy(),
        "power_co2_t": p["local_co2_t"].to_numpy(),
        "carbon_price_cny_per_t": p["carbon_price_cny_per_t"].to_numpy(),
        "electricity_mwh": p["demand_mwh"].to_numpy(),
        "net_imports_mwh": (p["imports_mwh"] - p["exports_mwh"]).to_numpy(),
        "grid_factor_t_per_mwh": grid_factor.to_numpy(),
        "non_fossil_share": (nonfossil_mwh * subst / energy_subst).to_numpy(),
        "renewable_share_electricity": (p["renewable_mwh"] / p["demand_mwh"]).to_numpy(),
    })
    annual["carbon_intensity_t_per_10k_cny"] = annual["co2e_t_scope12"] / annual["gdp_10k_cny"]
    annual["energy_intensity_tce_per_10k_cny"] = annual["energy_tce"] / annual["gdp_10k_cny"]
    return annual, by_sector
