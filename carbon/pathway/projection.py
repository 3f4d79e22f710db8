"""Projection of drivers and activity, LEAP-style (activity x intensity), year by year.

For each inventory sector s and year t (base year 0):

- driver D_s(t): population, GDP, a value-added sector (GDP x structure share) or none;
- useful energy U_s(0) = sum_f E_sf(0) x eta_f (eta: end-use efficiency, 1 unless given);
- U_s(t) = U_s(0) x D_s(t)/D_s(0) x prod_{y<=t} (1 + intensity rate_y)   (tce);
- each fuel's share m_sf(t) of U_s moves linearly from the base year's share to the ``mix``
  milestones (flat after the last); its final energy is E_sf(t) = U_s(t) x m_sf(t) / eta_f and
  its quantity E_sf(t) / tce per unit;
- non-energy activity (herds, crops, waste, products) q(t) = q(0) x D_s(t)/D_s(0) x growth index.

Rows of the power sector (category 1.A.1) are returned apart: the energy system model decides
them when the scenario has one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.pathway.drivers import growth_index, interpolate
from carbon.pathway.power import is_power
from carbon.pathway.schema import Driver, PathwaySection, SectorPath
from carbon.schema import did_you_mean

VALUE_ADDED = ("agriculture", "industry", "services")


@dataclass
class Projection:
    """Projected drivers (one row per year) and activity (long form, all years)."""

    drivers: pd.DataFrame  # year, population, gdp_10k_cny, va_<sector>_10k_cny
    activity: pd.DataFrame  # year, sector, category, item, quantity, unit (+ energy_tce)
    sector_driver: dict[str, str]


def _driver_path(driver: Driver, base: float | None, years: list[int], base_year: int, key: str) -> pd.Series:
    if driver.values is not None:
        return interpolate(driver.values, years, key=f"pathway.{key}.values")
    if base is None:
        raise InputError(
            f"no base-year {key} to grow",
            key=f"pathway.{key}",
            expected=f"the model's {key} in model.yaml, or pathway.{key}.values",
        )
    return base * growth_index(driver.growth, years, base_year, key=f"pathway.{key}.growth")


def project_drivers(section: PathwaySection, population: float | None, gdp: float | None) -> pd.DataFrame:
    """Population (persons), GDP and value added by sector (10^4 CNY) for every year."""
    first, last = section.years
    years = list(range(first, last + 1))
    frame = pd.DataFrame({"year": years})
    frame["population"] = _driver_path(section.population, population, years, first, "population").to_numpy()
    frame["gdp_10k_cny"] = _driver_path(section.gdp, gdp, years, first, "gdp").to_numpy()
    if section.structure:
        for name in VALUE_ADDED:
            shares = {y: s.get(name, 0.0) for y, s in section.structure.items()}
            frame[f"va_{name}_10k_cny"] = frame["gdp_10k_cny"] * interpolate(shares, years).to_numpy()
    return frame


def _driver_series(name: str, drivers: pd.DataFrame, sector: str) -> np.ndarray:
    if name == "none":
        return np.ones(len(drivers))
    column = {"population": "population", "gdp": "gdp_10k_cny"}.get(name, f"va_{name}_10k_cny")
    if column not in drivers:
        raise InputError(
            f"sector {sector!r} follows {name} value added, but there is no structure",
            key=f"pathway.sectors.{sector}.driver",
            expected="pathway.structure: {year: {agriculture, industry, services}} with the base year",
        )
    values = drivers[column].to_numpy()
    if values[0] <= 0:
        raise InputError(f"the base-year {name} of sector {sector!r} is zero", key=f"pathway.sectors.{sector}.driver")
    return values


def _fuel_units(base: pd.DataFrame) -> dict[str, tuple[str, float]]:
    """Unit and tce per unit of each energy item, from the base-year rows."""
    out: dict[str, tuple[str, float]] = {}
    for item, unit, tce, quantity in zip(base["item"], base["unit"], base["energy_tce"], base["quantity"]):
        if tce > 0 and item not in out:
            out[item] = (unit, tce / quantity)
    return out


def project_activity(
    base_energy_tce: np.ndarray, base_activity: pd.DataFrame, section: PathwaySection, drivers: pd.DataFrame
) -> Projection:
    """Activity of every year from the base year's activity, its energy in tce row by row (the
    inventory's ``energy_tce``) and the pathway's drivers."""
    first = section.years[0]
    years = drivers["year"].to_list()
    act = base_activity.reset_index(drop=True).copy()
    for col in ("sector", "category", "item", "unit"):  # plain objects: fast on small frames
        act[col] = pd.Series(act[col].astype(str).to_numpy(dtype=object), dtype=object)
    act["energy_tce"] = np.asarray(base_energy_tce, dtype=float)
    unknown = sorted(set(section.sectors) - set(act["sector"]))
    if unknown:
        raise InputError(
            f"unknown sector {unknown[0]!r}",
            key=f"pathway.sectors.{unknown[0]}",
            expected="a sector of the model's activity: " + ", ".join(sorted(set(act["sector"]))),
            hint=did_you_mean(unknown[0], set(act["sector"])),
        )
    units = _fuel_units(act)
    # plain arrays, one mask per sector (in the sector's sorted order, rows in their order)
    sector_of, category, item, unit = (act[c].to_numpy(dtype=object) for c in ("sector", "category", "item", "unit"))
    quantity, energy_tce = act["quantity"].to_numpy(dtype=float), act["energy_tce"].to_numpy(dtype=float)
    power_rows = is_power(act["category"]).to_numpy()
    has_energy = energy_tce > 0
    parts = []
    sector_driver = {}
    for sector in sorted(set(sector_of)):
        rows = sector_of == sector
        cfg = section.sectors.get(sector, SectorPath(driver="none"))
        sector_driver[sector] = cfg.driver
        d = _driver_series(cfg.driver, drivers, sector)
        d_index = d / d[0]
        energy = np.flatnonzero(rows & ~power_rows & has_energy)
        useful = energy_tce[energy] * np.array([cfg.efficiency.get(f, 1.0) for f in item[energy]], dtype=float)
        other = np.flatnonzero(rows & ~power_rows & ~has_energy)
        power = np.flatnonzero(rows & power_rows)
        parts.append(
            _constant(
                [sector_of[power], category[power], item[power], quantity[power], unit[power], energy_tce[power]], years
            )
        )
        g_index = growth_index(cfg.growth, years, first, key=f"pathway.sectors.{sector}.growth").to_numpy()
        shares = {} if not len(energy) else _shares(item[energy], category[energy], useful, cfg, years, first, sector)
        for i in other.tolist():
            if (item[i], category[i]) in shares:  # a fuel at 0 in the base year that the mix brings in
                continue
            parts.append(
                _rows_from(sector, category[i], item[i], unit[i], years, quantity[i] * d_index * g_index, np.nan)
            )
        if not len(energy):
            if cfg.mix:
                raise InputError(f"sector {sector!r} has no energy use to mix", key=f"pathway.sectors.{sector}.mix")
            continue
        i_index = growth_index(cfg.intensity, years, first, key=f"pathway.sectors.{sector}.intensity").to_numpy()
        total = useful.sum() * d_index * i_index
        for (fuel, where), share in shares.items():
            if fuel not in units:
                raise InputError(
                    f"fuel {fuel!r} of the {sector} mix has no base-year row to take its unit from",
                    key=f"pathway.sectors.{sector}.mix",
                    expected="a fuel that appears in the model's base-year activity",
                )
            fuel_unit, tce_per_unit = units[fuel]
            tce = total * share / cfg.efficiency.get(fuel, 1.0)
            parts.append(_rows_from(sector, where, fuel, fuel_unit, years, tce / tce_per_unit, tce))
    columns = ["year", "sector", "category", "item", "quantity", "unit", "energy_tce"]
    activity = pd.DataFrame({c: np.concatenate([np.asarray(p[c]) for p in parts if len(p["year"])]) for c in columns})
    activity = activity.sort_values(["year", "sector", "category", "item"], ignore_index=True)
    return Projection(drivers, activity, sector_driver)


_SHARES: dict[tuple, dict] = {}


def _shares(
    item: np.ndarray,
    category: np.ndarray,
    useful: np.ndarray,
    cfg: SectorPath,
    years: list[int],
    first: int,
    sector: str,
) -> dict:
    """Share of each (item, category) of a sector's useful energy (tce of its base-year energy
    rows) in every year (arrays over years).

    The last few are kept by their inputs (the base year's rows, the mix, the years): the
    samples of a Monte Carlo mostly share them. Callers only read the arrays."""
    key = (sector, tuple(item), tuple(category), useful.tobytes(), repr(cfg.mix), tuple(years), first)
    kept = _SHARES.get(key)
    if kept is None:
        energy = pd.DataFrame(
            {
                "item": pd.Series(item, dtype=object),
                "category": pd.Series(category, dtype=object),
                "useful_tce": useful,
            }
        )
        kept = _SHARES[key] = _compute_shares(energy, cfg, years, first, sector)
        while len(_SHARES) > 64:
            _SHARES.pop(next(iter(_SHARES)))
    return kept


def _compute_shares(energy: pd.DataFrame, cfg: SectorPath, years: list[int], first: int, sector: str) -> dict:
    base = energy.groupby(["item", "category"], sort=True)["useful_tce"].sum()
    base = base / base.sum()
    keys = list(base.index)
    by_item = base.groupby(level=0).sum()
    category_of_new = energy.sort_values("useful_tce", ascending=False)["category"].iloc[0]
    for shares in cfg.mix.values():
        for item in shares:
            if item not in by_item.index and (item, category_of_new) not in keys:
                keys.append((item, category_of_new))
    points = {first: {k: base.get(k, 0.0) for k in keys}}
    for year, shares in sorted(cfg.mix.items()):
        if year <= first:
            raise InputError(f"mix year {year} is not after the base year {first}", key=f"pathway.sectors.{sector}.mix")
        point = {}
        for item, category in keys:
            if item in by_item.index:  # split the item's share over its base-year categories
                within = base.get((item, category), 0.0) / by_item[item]
                point[(item, category)] = shares.get(item, 0.0) * within
            else:
                point[(item, category)] = shares.get(item, 0.0)
        points[year] = point
    return {k: interpolate({y: p[k] for y, p in points.items()}, years).to_numpy() for k in keys}


def _constant(columns: list[np.ndarray], years: list[int]) -> dict:
    """Rows held at their base-year values in every year: ``columns`` are the rows' sector,
    category, item, quantity, unit and energy_tce (arrays); returns the columns over the years."""
    n, k = len(columns[0]), len(years)
    names = ("sector", "category", "item", "quantity", "unit", "energy_tce")
    return {"year": np.repeat(years, n), **{c: np.tile(values, k) for c, values in zip(names, columns)}}


def _rows_from(sector, category, item, unit, years, quantity, energy_tce) -> dict:
    """One activity row over the years (columns as arrays)."""
    n = len(years)
    return {
        "year": np.asarray(years),
        "sector": np.full(n, sector, dtype=object),
        "category": np.full(n, category, dtype=object),
        "item": np.full(n, item, dtype=object),
        "quantity": np.broadcast_to(np.asarray(quantity, dtype=float), (n,)),
        "unit": np.full(n, unit, dtype=object),
        "energy_tce": np.broadcast_to(np.asarray(energy_tce, dtype=float), (n,)),
    }
