"""The power sector of a pathway, year by year: from the energy system model at milestones, or
from the base-year inventory when the scenario has no energy model.

A :class:`PowerPath` table has one row per year: ``demand_mwh`` (electricity used in the county),
``local_co2_t`` (emissions of local generation, scope 1), ``imports_mwh``, ``exports_mwh``,
``renewable_mwh`` (local renewable generation), ``local_fuel_tce`` (fossil fuel of local
generation), ``replaced_fuel_tce`` (the inventory's power-sector fuel that the model replaces)
and ``carbon_price_cny_per_t``. Between milestones every column is interpolated linearly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.pathway.drivers import interpolate
from carbon.pathway.schema import PathwaySection

POWER_CATEGORY = "1.A.1"


def is_power(category: pd.Series) -> pd.Series:
    """Rows of the power sector: category 1.A.1 or one under it (1.A.1.a; not 1.A.10)."""
    text = category.astype(str)
    return (text == POWER_CATEGORY) | text.str.startswith(POWER_CATEGORY + ".")
CO2_PER_TCE_COAL = 1.9003 / 0.7143
"""t CO2 per tce of raw coal (China set: 20.908 GJ/t x 26.37 tC/TJ x 44/12 x 0.94 / 0.7143 tce/t),
used to turn the energy model's fossil emissions into fuel for the energy totals."""

COLUMNS = ["year", "demand_mwh", "local_co2_t", "imports_mwh", "exports_mwh", "renewable_mwh",
           "local_fuel_tce", "replaced_fuel_tce", "carbon_price_cny_per_t"]


@dataclass
class PowerPath:
    """The power sector over the pathway's years (see the module docstring)."""

    table: pd.DataFrame
    milestones: list[int]
    energy: object | None = None  # the energy model's StageOutput, when one was solved
    market: object | None = None  # the market's StageOutput with carbon_price: from_market


def carbon_price_path(section: PathwaySection, years: list[int]) -> pd.Series:
    """The carbon price of each year, CNY/t (0 when the pathway sets none)."""
    if isinstance(section.carbon_price, dict) and section.carbon_price:
        return interpolate(section.carbon_price, years, key="pathway.carbon_price")
    return pd.Series(0.0, index=years)


def power_from_inventory(emissions: pd.DataFrame, electricity_mwh: pd.Series, years: list[int],
                         section: PathwaySection) -> PowerPath:
    """Without an energy model: the inventory's power-sector rows as they are projected (held at
    their base-year level), purchased electricity as imports, and no local renewable output."""
    power = emissions[~emissions["memo"] & is_power(emissions["category"])]
    local = power.groupby("year")["co2e_t"].sum().reindex(years, fill_value=0.0)
    table = pd.DataFrame({
        "year": years, "demand_mwh": electricity_mwh.to_numpy(), "local_co2_t": local.to_numpy(),
        "imports_mwh": electricity_mwh.to_numpy(), "exports_mwh": 0.0, "renewable_mwh": 0.0,
        "local_fuel_tce": 0.0, "replaced_fuel_tce": 0.0,
        "carbon_price_cny_per_t": carbon_price_path(section, years).to_numpy(),
    })
    return PowerPath(table[COLUMNS], [])


_CACHE: dict[str, object] = {}
CACHE_SIZE = 32


def _solve_cached(section_data: dict, model_dir, grid_factor: dict[int, float], market: dict | None = None):
    """Solve the energy model's milestones (with the market, if given) once per distinct input
    in a process: Monte Carlo samples and sweeps that leave the power system unchanged reuse
    the solution. Returns the energy result and the market's tables (None without a market)."""
    from carbon.energy.milestones import assumptions_for
    from carbon.energy.schema import EnergySection
    from carbon.energy.stage import resolve_system
    from carbon.model import content_hash
    from carbon.pathway.market_link import solve_milestones

    key = hashlib.sha256((json.dumps([section_data, grid_factor, market], sort_keys=True, default=str)
                          + content_hash(Path(model_dir) / "energy")).encode()).hexdigest()
    if key not in _CACHE:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        section = EnergySection.model_validate(section_data)
        if section.foresight != "myopic":
            raise InputError("a pathway solves its milestones one after another", key="energy.foresight",
                             expected="myopic (perfect foresight is for `carbon energy` and energy-only runs)",
                             found=section.foresight)
        system = resolve_system(section, Path(model_dir))
        years = section.years
        _CACHE[key] = solve_milestones(system, years, assumptions_for(system, section, years), grid_factor,
                                       section.base_year, market)
    return _CACHE[key]


def power_from_energy_model(energy: dict, model_dir, section: PathwaySection, electricity_mwh: pd.Series,
                            inventory_energy: pd.DataFrame, years: list[int], grid_factor: pd.Series,
                            market: dict | None = None, base_dir: Path | None = None) -> PowerPath:
    """Solve the energy model at the milestones and interpolate between them.

    Demand in a milestone year = the model's base-year load x (end-use electricity that year /
    in the first year); grid imports carry the pathway's grid factor of the year; the carbon
    price is the pathway's path at the milestone, or with
    ``carbon_price: from_market`` the price of the scenario's ``market:`` cleared at that
    milestone (see :mod:`carbon.pathway.market_link`).
    """
    from carbon.energy.schema import EnergySection
    from carbon.energy.stage import resolve_system

    first = years[0]
    data = {"base_year": first, **energy}
    milestones = sorted({first, *section.milestones}) if not section.energy_every_year else list(years)
    base = EnergySection.model_validate(data)
    system = resolve_system(base, model_dir)
    base_twh = float(system.profiles["load_mw"].sum()) * 8760.0 / len(system.profiles) / 1e6
    use = electricity_mwh / electricity_mwh.iloc[0] if electricity_mwh.iloc[0] > 0 else electricity_mwh * 0 + 1
    from_market = section.carbon_price == "from_market"
    if from_market and not market:
        raise InputError("carbon_price: from_market needs the scenario's market: section", key="pathway.carbon_price",
                         expected="a market: section with the covered firms (the power sector is added)")
    prices = carbon_price_path(section, years)
    section_data = {**data, "years": milestones,
                    "demand_twh": {m: base_twh * float(use[m]) for m in milestones},
                    "carbon_price": {m: float(prices[m]) for m in milestones}}
    link = None
    if from_market:
        free = interpolate(section.power_free_allocation, years, key="pathway.power_free_allocation")
        link = {"section": market, "prices": section.market_prices, "base_dir": str(base_dir or "."),
                "free_share": {m: float(free[m]) for m in milestones}}
    factors = {m: float(grid_factor[m]) for m in milestones}
    result, market_tables = _solve_cached(section_data, model_dir, factors, link)
    if result.status != "optimal":
        raise InputError(f"the energy model ended {result.status}", key="energy")
    y = result.years.set_index("year")
    annual = result.annual
    local = annual[~annual["kind"].isin(["grid_import", "grid_export"])].groupby("year")["emissions_t"].sum()
    renewable = (y["renewable_share"] * y["load_mwh"])
    points = pd.DataFrame({
        "demand_mwh": y["load_mwh"], "local_co2_t": local.reindex(y.index, fill_value=0.0),
        "imports_mwh": y["imports_mwh"], "exports_mwh": y["exports_mwh"], "renewable_mwh": renewable,
    })
    points["local_fuel_tce"] = points["local_co2_t"] / CO2_PER_TCE_COAL
    table = pd.DataFrame({"year": years})
    for column in points.columns:
        table[column] = np.interp(years, points.index.to_numpy(), points[column].to_numpy())
    power_fuel = inventory_energy[is_power(inventory_energy["category"]) & ~inventory_energy["biogenic"]]
    table["replaced_fuel_tce"] = power_fuel.groupby("year")["energy_tce"].sum().reindex(years, fill_value=0.0).to_numpy()
    if from_market:  # the market's price at each milestone, interpolated between them
        used = y["carbon_price_cny_per_t"]
        prices = pd.Series(np.interp(years, used.index.to_numpy(), used.to_numpy()), index=years)
    table["carbon_price_cny_per_t"] = prices.to_numpy()
    from carbon.results import StageOutput

    stage = StageOutput(tables=result.tables(), summary=result.summary(),
                        documents={"summary": {**result.summary(), "section": section_data}})
    market_stage = None
    if market_tables is not None:
        market_stage = StageOutput(tables=market_tables,
                                   summary={"price_mean": float(market_tables["periods"]["price"].mean())})
    return PowerPath(table[COLUMNS], milestones, stage, market_stage)
