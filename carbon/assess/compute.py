"""Project rows, entry verdicts, the with/without impact and the screening of many projects.

Units: emissions t CO2e (scope 1 + 2, the pathway's ``co2e_t_scope12``), output in the
project's unit, value added 10^4 CNY, electricity MWh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.assess.schema import ProjectSection
from carbon.units import factor


def ramp_shares(project: ProjectSection, years: Sequence[int]) -> np.ndarray:
    """Share of full capacity in each year: 0 before ``start_year``, ``ramp_up[k]`` in year
    ``start_year + k``, 1 after the ramp-up list ends."""
    out = np.zeros(len(years))
    for i, year in enumerate(years):
        k = year - project.start_year
        if k >= 0:
            out[i] = project.ramp_up[k] if k < len(project.ramp_up) else 1.0
    return out


def purchased_electricity(project: ProjectSection, unit: str) -> float:
    """The project's purchased electricity at full capacity in ``unit``: its electricity use less
    the on-site renewables (never below 0), plus the storage's losses (:class:`Storage`)."""
    use = project.energy.get("electricity")
    quantity = 0.0 if use is None else use.quantity * factor(use.unit, unit)
    if project.onsite_renewable_mwh:
        quantity = max(0.0, quantity - project.onsite_renewable_mwh * factor("MWh", unit))
    if project.storage is not None:
        quantity += project.storage.losses_mwh() * factor("MWh", unit)
    return quantity


def project_activity_rows(project: ProjectSection, years: Sequence[int]) -> pd.DataFrame:
    """The project's activity rows (``year, sector, category, item, quantity, unit``) in the
    years it runs: full-capacity use x ramp-up share; electricity as purchased
    (:func:`purchased_electricity`, in MWh when only the storage buys any)."""
    shares = ramp_shares(project, years)
    uses = {item: (use.quantity, use.unit) for item, use in project.energy.items()}
    if "electricity" in uses or project.storage is not None:
        unit = uses["electricity"][1] if "electricity" in uses else "MWh"
        uses["electricity"] = (purchased_electricity(project, unit), unit)
    rows = []
    for item, (quantity, unit) in sorted(uses.items()):
        for year, share in zip(years, shares):
            if share > 0 and quantity > 0:
                rows.append((int(year), project.activity_sector, project.category, item, quantity * share, unit))
    return pd.DataFrame(rows, columns=["year", "sector", "category", "item", "quantity", "unit"])


EMISSION_COLUMNS = (
    "year",
    "sector",
    "category",
    "item",
    "gas",
    "scope",
    "memo",
    "quantity",
    "unit",
    "energy_tj",
    "energy_tce",
    "emissions_t",
    "co2e_t",
    "row",
    "factor_uncertainty",
)


def process_emission_rows(
    projects: Sequence[ProjectSection], years: Sequence[int], gwp: dict[str, float]
) -> pd.DataFrame:
    """The projects' process emissions as rows of the inventory's emissions table (scope 1, item
    ``process_<project>``, t of gas x ramp-up share, CO2e by the GWP set ``gwp``: gas ->
    factor, with ``ch4_fossil`` used when the set splits CH4); ``row`` is -1 (no energy row)."""
    rows = []
    for p in projects:
        if p.process is None:
            continue
        shares = ramp_shares(p, years)
        for gas, t in p.process.gases().items():
            g = gwp[gas] if gas in gwp else gwp[f"{gas}_fossil"]
            for year, share in zip(years, shares):
                if share > 0:
                    rows.append(
                        (
                            int(year),
                            p.activity_sector,
                            p.process.category,
                            f"process_{p.name}",
                            gas,
                            1,
                            False,
                            t * share,
                            "t",
                            0.0,
                            0.0,
                            t * share,
                            t * share * g,
                            -1,
                            np.nan,
                        )
                    )
    return pd.DataFrame(rows, columns=list(EMISSION_COLUMNS))


def with_process_emissions(
    emissions: pd.DataFrame, projects: Sequence[ProjectSection] | None, years: Sequence[int], gwp: dict[str, float]
) -> pd.DataFrame:
    """The emissions table with the projects' process rows appended (unchanged without any)."""
    extra = process_emission_rows(projects or (), years, gwp)
    if extra.empty:
        return emissions
    cats = {
        c: emissions[c].dtype
        for c in ("sector", "category", "item", "unit", "gas")
        if isinstance(emissions[c].dtype, pd.CategoricalDtype)
    }
    out = pd.concat([emissions.astype({c: object for c in cats}), extra[list(emissions.columns)]], ignore_index=True)
    for c, dtype in cats.items():  # keep the table's categories, add the new ones after them
        known = set(dtype.categories)
        added = sorted({str(v) for v in extra[c]} - known)
        out[c] = pd.Categorical(out[c], categories=[*dtype.categories, *added])
    return out


def peak_load_mw(project: ProjectSection) -> dict:
    """The project's peak electric load before and after its storage, MW (None if not given)."""
    if project.peak_load_mw is None:
        return {"peak_load_mw": None, "peak_load_with_storage_mw": None}
    cut = project.storage.peak_cut_mw() if project.storage is not None else 0.0
    return {"peak_load_mw": project.peak_load_mw, "peak_load_with_storage_mw": max(0.0, project.peak_load_mw - cut)}


def entry_verdict(intensity: float, threshold: float, advanced: float) -> str:
    """``advanced`` (intensity <= advanced value), ``meets`` (<= entry threshold) or ``fails``;
    the boundary counts as met (a quota is a maximum: 不高于)."""
    if intensity <= advanced:
        return "advanced"
    return "meets" if intensity <= threshold else "fails"


def impact(
    without: pd.DataFrame,
    with_: pd.DataFrame,
    peak_without,
    peak_with,
    *,
    peaked_without: bool,
    peaked_with: bool,
    peak_cap_t: float | None = None,
    column: str = "co2e_t_scope12",
) -> dict:
    """The project's effect on the county: ``without``/``with_`` are the pathway's annual tables
    (``year``, ``column``), the peaks :class:`carbon.pathway.peak.Peak`-like (``peak_year``,
    ``peak_value``, ``status``); ``peaked_*`` whether each has peaked by the target year (the
    pathway's one rule, :func:`carbon.pathway.indicators.peaked_by`, applied by the caller).
    Deltas are with minus without, t CO2e."""
    a = without.set_index("year")[column]
    b = with_.set_index("year")[column]
    delta = b - a

    def cumulative(to: int) -> float | None:
        return float(delta[delta.index <= to].sum()) if a.index.min() <= to <= a.index.max() else None

    out = {
        "peak_year_without": peak_without.peak_year,
        "peak_year_with": peak_with.peak_year,
        "peak_status_without": peak_without.status,
        "peak_status_with": peak_with.status,
        "peak_t_without": float(peak_without.peak_value),
        "peak_t_with": float(peak_with.peak_value),
        "peak_delta_t": float(peak_with.peak_value - peak_without.peak_value),
        "cumulative_2030_delta_t": cumulative(2030),
        "cumulative_2060_delta_t": cumulative(2060),
        "cumulative_delta_t": float(delta.sum()),
    }
    out["meets_peak_target_without"] = meets_peak_target(peaked_without, peak_without.peak_value, peak_cap_t)
    out["meets_peak_target_with"] = meets_peak_target(peaked_with, peak_with.peak_value, peak_cap_t)
    if peak_cap_t is not None:
        headroom = peak_cap_t - float(peak_without.peak_value)
        out["headroom_t"] = headroom
        out["headroom_share"] = out["peak_delta_t"] / headroom if headroom > 0 else None
        out["allowances_needed_t"] = max(0.0, float(peak_with.peak_value) - peak_cap_t)
    return out


def meets_peak_target(peaked: bool, peak_value: float, peak_cap_t: float | None) -> bool:
    """Peaked by the target year (``peaked``, judged by the pathway's rule) and, when a cap is
    given, no higher than ``peak_cap_t``."""
    return bool(peaked and (peak_cap_t is None or peak_value <= peak_cap_t))


def screen(rows: pd.DataFrame) -> pd.DataFrame:
    """Rank projects (one row each: ``project, intensity_t_per_10k_cny, peak_delta_t``) by carbon
    intensity per value added and by peak impact (1 = cleanest, smallest); ties keep input order."""
    out = rows.copy()
    out["rank_intensity"] = out["intensity_t_per_10k_cny"].rank(method="first").astype(int)
    out["rank_peak_impact"] = out["peak_delta_t"].rank(method="first").astype(int)
    return out


@dataclass(frozen=True)
class Combination:
    """The answer to "which combination still meets the peak target": ``kept`` (in the order
    tried), ``failed_entry`` (left out, or only flagged, because they fail their entry threshold)
    and ``rejected`` (tried, but the county would miss its peak target with them)."""

    kept: list[str]
    failed_entry: list[str]
    rejected: list[str]
    entry_excluded: bool  # True: failed_entry were not tried; False: tried and flagged


def best_combination(rows: pd.DataFrame, still_meets, *, exclude_failing_entry: bool = True) -> Combination:
    """The largest set of projects, added cleanest first (by ``rank_intensity``), for which
    ``still_meets(names)`` holds (a greedy answer: each project kept if the county still meets
    its peak target with it and the ones kept before). Projects whose ``meets_entry`` is False
    are not tried when ``exclude_failing_entry`` (an approval needs both), else tried and flagged."""
    failing = set(rows.loc[rows["meets_entry"].eq(False), "project"]) if "meets_entry" in rows else set()
    kept: list[str] = []
    rejected: list[str] = []
    order = list(rows.sort_values("rank_intensity", kind="stable")["project"])
    for name in order:
        if exclude_failing_entry and name in failing:
            continue
        if still_meets([*kept, name]):
            kept.append(name)
        else:
            rejected.append(name)
    return Combination(kept, [n for n in order if n in failing], rejected, exclude_failing_entry)
