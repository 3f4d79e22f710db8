"""Assembling a pathway from its parts (pure): end-use emissions of every year, the power
sector's path and the grid factor give the annual indicators in two views.

Views: ``scope1`` (territorial) and ``scope12`` = scope 1 + net purchased electricity x grid
factor + purchased heat (net purchases floored at zero: an exporting county claims no negative
scope 2).
"""

from __future__ import annotations

import pandas as pd

from carbon.pathway.drivers import interpolate
from carbon.pathway.power import PowerPath
from carbon.pathway.schema import PathwaySection
from carbon.pathway.text import is_text, starts_with
from carbon.units import KGCE_PER_KWH_CALORIFIC, factor

VIEWS = ("scope1", "scope12")
MWH_PER_TJ = factor("TJ", "MWh")


def capture_methane(emissions: pd.DataFrame, capture: dict[int, float], base_year: int) -> pd.DataFrame:
    """Landfill methane (4.A CH4) less the captured share, linear between the given years.

    The base year is the inventory as it is (its activity already reflects today's capture), so
    the path starts from 0 in the base year unless the scenario gives that year."""
    if not capture:
        return emissions
    years = sorted(set(emissions["year"].astype(int)))
    share = interpolate({base_year: 0.0, **capture}, years)
    out = emissions.copy()
    landfill = starts_with(out["category"], "4.A") & is_text(out["gas"], "ch4")
    keep = 1.0 - share.reindex(out.loc[landfill, "year"]).to_numpy()
    out.loc[landfill, "emissions_t"] *= keep
    out.loc[landfill, "co2e_t"] *= keep
    return out


def purchases_mwh(energy: pd.DataFrame, years: list[int]) -> pd.Series:
    """Net purchased electricity of the end-use sectors each year, MWh (the inventory's
    ``electricity`` rows of the projected activity)."""
    rows = energy[is_text(energy["item"], "electricity")]
    return (rows.groupby("year")["energy_tj"].sum() * MWH_PER_TJ).reindex(years, fill_value=0.0)


def by_fuel(end_use: pd.DataFrame, by_sector: pd.DataFrame) -> pd.DataFrame:
    """Scope 1 + 2 emissions by fuel, t CO2e (``year, fuel, co2e_t``): end-use fuel combustion
    (1.A) by fuel, everything else of scope 1 as ``non_energy`` (processes, agriculture, waste),
    local generation (``local_generation``), purchased electricity and heat; the rows of a year add up to
    that year's ``co2e_t_scope12``."""
    scope1 = end_use[end_use["scope"] == 1]
    fuel = scope1["item"].astype(str).where(starts_with(scope1["category"], "1.A"), "non_energy")
    fuels = scope1.assign(fuel=fuel).groupby(["year", "fuel"], as_index=False)["co2e_t"].sum()
    rest = by_sector[(by_sector["view"] == "scope12")
                     & by_sector["sector"].isin(["power", "purchased_electricity", "purchased_heat"])]
    rest = rest.assign(fuel=rest["sector"].replace({"power": "local_generation"}))
    out = pd.concat([fuels, rest[["year", "fuel", "co2e_t"]]], ignore_index=True)
    return out.sort_values(["year", "fuel"], kind="stable").reset_index(drop=True)


def assemble(end_use: pd.DataFrame, power: PowerPath, drivers: pd.DataFrame, grid_factor: pd.Series,
             energy: pd.DataFrame, section: PathwaySection, years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The annual indicators (one row per year) and emissions by sector in both views.

    ``end_use``: the inventory's emission rows of every year without the power sector and memo
    items; ``energy``: the inventory's energy rows (tce) of every year.
    """
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
    heat = end_use[(end_use["scope"] == 2) & ~is_text(end_use["item"], "electricity")]
    scope12["purchased_heat"] = heat.groupby("year")["co2e_t"].sum().reindex(years, fill_value=0.0)
    by_sector = pd.concat([
        scope1.stack().rename("co2e_t").reset_index().assign(view="scope1"),
        scope12.stack().rename("co2e_t").reset_index().assign(view="scope12"),
    ], ignore_index=True)
    by_sector.columns = ["year", "sector", "co2e_t", "view"]
    by_sector = by_sector[["year", "view", "sector", "co2e_t"]]
    d = drivers.set_index("year")
    fossil = energy[~energy["biogenic"] & ~is_text(energy["item"], "electricity", "heat")]
    fossil_tce = fossil.groupby("year")["energy_tce"].sum().reindex(years, fill_value=0.0)
    fossil_tce = fossil_tce - p["replaced_fuel_tce"] + p["local_fuel_tce"]
    heat_tce = energy[is_text(energy["item"], "heat")].groupby("year")["energy_tce"].sum()
    heat_tce = heat_tce.reindex(years, fill_value=0.0)
    subst = interpolate(section.coal_substitution_kgce_per_kwh, years)  # kgce/kWh = tce/MWh
    grid_nf = interpolate(section.grid_non_fossil_share, years)
    nonfossil_mwh = p["renewable_mwh"] + net_mwh * grid_nf
    primary_elec_mwh = p["renewable_mwh"] + net_mwh
    energy_calorific = fossil_tce + heat_tce + primary_elec_mwh * KGCE_PER_KWH_CALORIFIC
    energy_subst = fossil_tce + heat_tce + primary_elec_mwh * subst
    annual = pd.DataFrame({
        "year": years,
        "population": d["population"].to_numpy(),
        "gdp_10k_cny": d["gdp_10k_cny"].to_numpy(),
        "energy_tce": energy_calorific.to_numpy(),
        "energy_tce_coal_substitution": energy_subst.to_numpy(),
        "co2e_t_scope1": scope1.sum(axis=1).to_numpy(),
        "co2e_t_scope12": scope12.sum(axis=1).to_numpy(),
        "scope2_co2e_t": (scope2 + scope12["purchased_heat"]).to_numpy(),
        "power_co2_t": p["local_co2_t"].to_numpy(),
        "carbon_price_cny_per_t": p["carbon_price_cny_per_t"].to_numpy(),
        "electricity_mwh": p["demand_mwh"].to_numpy(),
        "net_imports_mwh": (p["imports_mwh"] - p["exports_mwh"]).to_numpy(),
        "grid_factor_t_per_mwh": grid_factor.to_numpy(),
        "non_fossil_share": (nonfossil_mwh * subst / energy_subst).to_numpy(),
        "renewable_share_electricity": (p["renewable_mwh"] / p["demand_mwh"].where(p["demand_mwh"] > 0)).to_numpy(),
    })
    annual["carbon_intensity_t_per_10k_cny"] = annual["co2e_t_scope12"] / annual["gdp_10k_cny"]
    annual["energy_intensity_tce_per_10k_cny"] = annual["energy_tce"] / annual["gdp_10k_cny"]
    # the national indicators as assessed (see carbon.pathway.indicators.DEFINITIONS)
    fuel_co2 = end_use[is_text(end_use["gas"], "co2") & (end_use["scope"] == 1) & starts_with(end_use["category"], "1.A")]
    fuel_co2 = fuel_co2.groupby("year")["emissions_t"].sum().reindex(years, fill_value=0.0)
    energy_co2 = fuel_co2 + p["local_co2_t"] + scope2
    new_renewable_mwh = (nonfossil_mwh - nonfossil_mwh.iloc[0]).clip(lower=0.0)
    assessed = energy_subst - new_renewable_mwh * subst
    annual["energy_co2_t"] = energy_co2.to_numpy()
    annual["co2_intensity_t_per_10k_cny"] = annual["energy_co2_t"] / annual["gdp_10k_cny"]
    annual["energy_tce_assessed"] = assessed.to_numpy()
    annual["energy_intensity_assessed_tce_per_10k_cny"] = annual["energy_tce_assessed"] / annual["gdp_10k_cny"]
    return annual, by_sector
