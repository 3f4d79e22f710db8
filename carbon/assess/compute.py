"""Project rows, entry verdicts, the with/without impact and the screening of many projects.

Units: emissions t CO2e (scope 1 + 2, the pathway's ``co2e_t_scope12``), output in the
project's unit, value added 10^4 CNY, electricity MWh.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def project_activity_rows(project: ProjectSection, years: Sequence[int]) -> pd.DataFrame:
    """The project's activity rows (``year, sector, category, item, quantity, unit``) in the
    years it runs: full-capacity use x ramp-up share; purchased electricity net of the on-site
    renewables (never below 0)."""
    shares = ramp_shares(project, years)
    rows = []
    for item, use in sorted(project.energy.items()):
        quantity = use.quantity
        if item == "electricity" and project.onsite_renewable_mwh:
            quantity = max(0.0, quantity - project.onsite_renewable_mwh * factor("MWh", use.unit))
        for year, share in zip(years, shares):
            if share > 0 and quantity > 0:
                rows.append((int(year), project.activity_sector, project.category, item, quantity * share, use.unit))
    return pd.DataFrame(rows, columns=["year", "sector", "category", "item", "quantity", "unit"])


def entry_verdict(intensity: float, threshold: float, advanced: float) -> str:
    """``advanced`` (intensity <= advanced value), ``meets`` (<= entry threshold) or ``fails``;
    the boundary counts as met (a quota is a maximum: 不高于)."""
    if intensity <= advanced:
        return "advanced"
    return "meets" if intensity <= threshold else "fails"


def impact(without: pd.DataFrame, with_: pd.DataFrame, peak_without, peak_with, *, peak_by: int | None,
           peak_cap_t: float | None = None, column: str = "co2e_t_scope12") -> dict:
    """The project's effect on the county: ``without``/``with_`` are the pathway's annual tables
    (``year``, ``column``), the peaks :class:`carbon.pathway.peak.Peak`-like (``peak_year``,
    ``peak_value``, ``status``). Deltas are with minus without, t CO2e."""
    a = without.set_index("year")[column]
    b = with_.set_index("year")[column]
    delta = b - a

    def cumulative(to: int) -> float | None:
        return float(delta[delta.index <= to].sum()) if a.index.min() <= to <= a.index.max() else None

    out = {"peak_year_without": peak_without.peak_year, "peak_year_with": peak_with.peak_year,
           "peak_status_without": peak_without.status, "peak_status_with": peak_with.status,
           "peak_t_without": float(peak_without.peak_value), "peak_t_with": float(peak_with.peak_value),
           "peak_delta_t": float(peak_with.peak_value - peak_without.peak_value),
           "cumulative_2030_delta_t": cumulative(2030), "cumulative_2060_delta_t": cumulative(2060),
           "cumulative_delta_t": float(delta.sum())}
    out["meets_peak_target_without"] = meets_peak_target(peak_without, peak_by, peak_cap_t)
    out["meets_peak_target_with"] = meets_peak_target(peak_with, peak_by, peak_cap_t)
    if peak_cap_t is not None:
        headroom = peak_cap_t - float(peak_without.peak_value)
        out["headroom_t"] = headroom
        out["headroom_share"] = out["peak_delta_t"] / headroom if headroom > 0 else None
        out["allowances_needed_t"] = max(0.0, float(peak_with.peak_value) - peak_cap_t)
    return out


def meets_peak_target(peak, peak_by: int | None, peak_cap_t: float | None) -> bool:
    """Peaked (status ``peaked`` or ``declining``) no later than ``peak_by``, and no higher than
    ``peak_cap_t`` when a cap is given."""
    ok = peak.status in ("peaked", "declining") and (peak_by is None or peak.peak_year <= peak_by)
    return bool(ok and (peak_cap_t is None or peak.peak_value <= peak_cap_t))


def screen(rows: pd.DataFrame) -> pd.DataFrame:
    """Rank projects (one row each: ``project, intensity_t_per_10k_cny, peak_delta_t``) by carbon
    intensity per value added and by peak impact (1 = cleanest, smallest); ties keep input order."""
    out = rows.copy()
    out["rank_intensity"] = out["intensity_t_per_10k_cny"].rank(method="first").astype(int)
    out["rank_peak_impact"] = out["peak_delta_t"].rank(method="first").astype(int)
    return out


def best_combination(rows: pd.DataFrame, still_meets) -> list[str]:
    """The largest set of projects, added cleanest first (by ``rank_intensity``), for which
    ``still_meets(names)`` holds (a greedy answer: each project kept if the county still meets
    its peak target with it and the ones kept before)."""
    kept: list[str] = []
    for name in rows.sort_values("rank_intensity")["project"]:
        if still_meets([*kept, name]):
            kept.append(name)
    return kept
