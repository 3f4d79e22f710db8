"""Annual indicators, the two accounting views, targets and the LMDI frame of a pathway."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.pathway.peak import Peak, percent
from carbon.pathway.power import is_power
from carbon.pathway.schema import TargetsSection
from carbon.pathway.text import starts_with
from carbon.units import KGCE_PER_KWH_CALORIFIC

DEFINITIONS = {
    "peak_by": "year of the maximum of all-gas CO2e, scope 1 + 2 (the county's own view; the national "
               "peak commitment is for CO2)",
    "carbon_intensity_reduction": "CO2 intensity as assessed nationally: energy-related CO2 (fossil fuels burnt "
                                  "in the county + net purchased electricity x grid factor; no process, CH4 or "
                                  "N2O) per 10^4 CNY of GDP (14th FYP CO2-intensity assessment; NDC 2030 target "
                                  "of -65% against 2005)",
    "energy_intensity_reduction": "energy per 10^4 CNY of GDP as assessed: tce with primary electricity by coal "
                                  "substitution, renewable energy added since the base year and raw-material use "
                                  "excluded (CEWC Dec. 2021; NDRC/NBS 2022 notice on new renewables not counted "
                                  "in total energy consumption)",
    "non_fossil_share": "non-fossil energy / total energy, primary electricity by the coal-substitution method "
                        "(NBS; 14th FYP target ~20% 2025, ~25% 2030)",
    "renewable_share_electricity": "local renewable generation / electricity demand",
    "absolute_cap": "all-gas CO2e, scope 1 + 2",
}


HAS_PEAKED = ("peaked", "declining")


def has_peaked(status: str) -> bool:
    """The one rule "has the pathway peaked": status ``peaked``, or ``declining`` (it falls from
    the base year, so it peaked at or before it); a ``plateau`` (peak not confirmed) or
    ``not_peaked`` path has not (:mod:`carbon.pathway.peak` gives the statuses)."""
    return status in HAS_PEAKED


def peaked_by(status: str, peak_year: int | None, year: int | None) -> bool:
    """Has peaked (:func:`has_peaked`) in or before ``year`` (None: by any year); a ``declining``
    path's peak year is its base year."""
    return has_peaked(status) and peak_year is not None and (year is None or peak_year <= year)


def check_targets(annual: pd.DataFrame, peaks: dict[str, Peak], targets: TargetsSection) -> pd.DataFrame:
    """Each target met or not, with its margin (positive = better than the target) and a note.

    Columns ``target, year, value, limit, unit, met, margin, note, definition`` (the indicator's
    definition and source, :data:`DEFINITIONS`). The CO2-intensity targets use energy-related
    CO2 (``co2_intensity_t_per_10k_cny``) and a base before the pathway takes
    ``targets.co2_intensity_2005``; the energy-intensity targets use the assessed energy
    (``energy_intensity_assessed_tce_per_10k_cny``). A target whose years fall
    outside the pathway, or whose indicator is not available, is reported with ``met`` empty.

    ``peak_by`` (judged on scope 1 + 2, see :mod:`carbon.pathway.peak` for the statuses): met if
    the status is ``peaked`` or ``declining`` and the peak year is at or before the target year
    (a ``declining`` path has peaked at or before the base year, which is its peak year); a
    ``plateau`` (peak not confirmed) or ``not_peaked`` path does not meet it. ``value`` is the
    peak year (the earliest year of the maximum), ``margin`` the target year minus it. When
    the maximum lies on a plateau of several years within the tolerance, the note says so, e.g.
    ``plateau 2027-2035 within 1%: the maximum (2031) is 1 year after 2030, the plateau begins
    2027``; a ``declining``, ``not_peaked`` or unconfirmed path has its verdict as the note.
    Other targets have an empty note.
    """
    a = annual.set_index("year")
    rows = []

    def at(column: str, year: int) -> float:
        return float(a.at[year, column]) if year in a.index and column in a and pd.notna(a.at[year, column]) else np.nan

    if targets.peak_by is not None:
        peak = peaks["scope12"]
        ok = peaked_by(peak.status, peak.peak_year, targets.peak_by)
        rows.append({"target": "peak_by", "year": targets.peak_by,
                     "value": float(peak.peak_year) if peak.peak_year is not None else np.nan,
                     "limit": float(targets.peak_by), "unit": "year", "met": ok,
                     "margin": (targets.peak_by - peak.peak_year) if peak.peak_year is not None else np.nan,
                     "note": peak_note(peak, targets.peak_by)})
    for name, column, items in (("carbon_intensity", "co2_intensity_t_per_10k_cny", targets.carbon_intensity),
                                ("energy_intensity", "energy_intensity_assessed_tce_per_10k_cny",
                                 targets.energy_intensity)):
        for t in items:
            base, now = at(column, t.base), at(column, t.year)
            if np.isnan(base) and name == "carbon_intensity" and t.base == 2005 and targets.co2_intensity_2005:
                base = targets.co2_intensity_2005
            reduction = 1.0 - now / base if base else np.nan
            rows.append({"target": f"{name}_reduction", "year": t.year, "value": reduction, "limit": t.reduction,
                         "unit": f"share below {t.base}", "met": _met(reduction >= t.reduction, reduction),
                         "margin": reduction - t.reduction})
    for name, column, items in (("non_fossil_share", "non_fossil_share", targets.non_fossil_share),
                                ("renewable_share_electricity", "renewable_share_electricity",
                                 targets.renewable_share_electricity)):
        for t in items:
            value = at(column, t.year)
            rows.append({"target": name, "year": t.year, "value": value, "limit": t.min, "unit": "share",
                         "met": _met(value >= t.min, value), "margin": value - t.min})
    for t in targets.absolute_cap:
        value = at("co2e_t_scope12", t.year)
        rows.append({"target": "absolute_cap", "year": t.year, "value": value, "limit": t.max_t, "unit": "t CO2e",
                     "met": _met(value <= t.max_t, value), "margin": t.max_t - value})
    table = pd.DataFrame(rows, columns=["target", "year", "value", "limit", "unit", "met", "margin", "note"]).fillna(
        {"note": ""})
    table["definition"] = table["target"].map(DEFINITIONS).fillna("")
    return table


def peak_note(peak: Peak, by: int) -> str:
    """The note of the ``peak_by`` row (see :func:`check_targets`); ``""`` for a plain peak."""

    def years(n: int) -> str:
        return f"{n} year" + ("" if n == 1 else "s")

    if peak.on_plateau and peak.status != "declining":
        first, last = peak.plateau
        y = peak.highest_year
        within = f"within {percent(peak.tol)}"
        if y > by:
            where = f"{years(y - by)} after {by}, the plateau begins {first}"
        elif y < by:
            where = f"{years(by - y)} before {by}"
        else:
            where = f"in {by}"
        if y <= by and last > by:
            where += f", the plateau lasts until {last}"
        text = f"plateau {first}-{last} {within}: the maximum ({y}) is {where}"
        if peak.status == "plateau":
            text += f"; peak not confirmed (still {within} of the maximum in {peak.last_year or last})"
        elif peak.status == "not_peaked":
            text += f"; not peaked by {peak.last_year or last} (still rising)"
        return text
    if peak.status == "peaked":
        return ""
    return peak.verdict()


def _met(condition: bool, value: float):
    return None if np.isnan(value) else bool(condition)


def lmdi_frame(emissions: pd.DataFrame, drivers: pd.DataFrame, sector_driver: dict[str, str],
               grid_factor: pd.Series) -> pd.DataFrame:
    """The extended Kaya identity of end-use sectors' energy emissions, one row per year and
    (sector, fuel): C = P x (G/P) x (D_s/G) x (E_s/D_s) x (E_sf/E_s) x (C_sf/E_sf).

    D_s is the sector's driver (GDP for sectors that follow none); electricity counts at the
    grid factor of its year (location-based), so electrification and a cleaner grid show.
    """
    energy = starts_with(emissions["category"], "1.A")
    e = emissions[~emissions["memo"] & energy & ~is_power(emissions["category"])]
    e = e.assign(sector=e["sector"].astype(str), item=e["item"].astype(str))
    co2e = e.groupby(["year", "sector", "item"], sort=True)["co2e_t"].sum()
    energy = (e.drop_duplicates("row").groupby(["year", "sector", "item"], sort=True)["energy_tce"].sum())
    frame = pd.concat([co2e, energy], axis=1).reset_index()
    elec = frame["item"] == "electricity"
    mwh = frame.loc[elec, "energy_tce"] / KGCE_PER_KWH_CALORIFIC  # tce -> MWh at the calorific equivalent
    frame.loc[elec, "co2e_t"] = mwh.to_numpy() * grid_factor.reindex(frame.loc[elec, "year"]).to_numpy()
    d = drivers.set_index("year")
    column = {"population": "population", "gdp": "gdp_10k_cny", "none": "gdp_10k_cny"}
    frame["P"] = d["population"].reindex(frame["year"]).to_numpy()
    frame["G"] = d["gdp_10k_cny"].reindex(frame["year"]).to_numpy()
    sectors = frame["sector"].to_numpy(dtype=object)
    at = d.index.get_indexer(frame["year"].to_numpy())  # -1: a year without drivers (NaN)
    driver = np.full(len(frame), np.nan)
    for sector in dict.fromkeys(sectors):
        name = sector_driver.get(sector, "none")
        values = d[column.get(name, f"va_{name}_10k_cny")].to_numpy(dtype=float)
        rows = sectors == sector
        driver[rows] = np.where(at[rows] >= 0, values[at[rows]], np.nan)
    frame["D"] = driver
    e_s = frame.groupby(["year", "sector"])["energy_tce"].transform("sum")
    group = frame["sector"] + "/" + frame["item"]
    # a fuel's emission factor does not vanish when the fuel is not used: carry it over, so a
    # phased-out fuel shows as a mix effect only
    ef = (frame["co2e_t"] / frame["energy_tce"].where(frame["energy_tce"] > 0)).groupby(group).ffill()
    ef = ef.groupby(group).bfill().fillna(0.0)
    out = pd.DataFrame({
        "year": frame["year"], "group": group,
        "population": frame["P"], "gdp_per_capita": frame["G"] / frame["P"], "structure": frame["D"] / frame["G"],
        "intensity": e_s / frame["D"], "mix": frame["energy_tce"] / e_s,
        "emission_factor": ef,
    })
    return out


LMDI_FACTORS = ["population", "gdp_per_capita", "structure", "intensity", "mix", "emission_factor"]
