"""Landfill methane year by year: IPCC 2006 Tier 1 first-order decay (Vol.5 Eq.3.4-3.6) of the
deposition history plus the projected deposition (pure).

DDOCm deposited in year y starts to decay the year after: with d = e^-k,
accumulated A(T) = D(T) + A(T-1) d and decomposed(T) = A(T-1) (1 - d), in tonnes of waste
(the constant DOC x DOCf x MCF x F x 16/12 x (1 - OX) turns them into CH4 and cancels in
the ratios used here). A cut of deposition to zero in year t leaves
decomposed(t) = A(t-1)(1 - d) and every later year d times the one before: the emissions halve
every ln 2 / k years. At constant deposition since long ago decomposed(T) = D: FOD equals the mass
balance.

The pathway's 4.A CH4 of year t is the inventory's base-year value x generation(t) /
generation(base year), so the base year stays the inventory's to the tonne whatever the
factor (a user's per-tonne factor included), and capture (:func:`carbon.pathway.assemble.
capture_methane`) applies after.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.decay import decomposed
from carbon.pathway.text import is_text, starts_with
from carbon.units import factor as unit_factor

CATEGORY = "4.A"


def generation(deposits: dict[int, float], years: list[int], k: float, steady_before: bool = False) -> pd.Series:
    """Waste decomposed each year of ``years`` (t of waste equivalent), by FOD with rate ``k``.

    ``deposits``: t landfilled by year (history and projection; missing years are 0).
    ``steady_before``: the sites were filled at the first year's deposition D since long ago (the
    stock at the end of the year before is D / (1 - e^-k), its steady state)."""
    return pd.Series(decomposed(deposits, years, k, steady_before), dtype=float)


def deposits_t(emissions: pd.DataFrame) -> pd.Series:
    """t of waste landfilled each year: the quantity of the 4.A CH4 rows of an emission table."""
    rows = emissions[_landfill(emissions)]
    tonnes = rows["quantity"].to_numpy(dtype=float) * np.array([unit_factor(str(u), "t") for u in rows["unit"]])
    return pd.Series(tonnes, index=rows["year"].astype(int).to_numpy()).groupby(level=0).sum()


def _landfill(emissions: pd.DataFrame) -> pd.Series:
    return starts_with(emissions["category"], CATEGORY) & is_text(emissions["gas"], "ch4")


def landfill_fod(emissions: pd.DataFrame, history: dict[int, float] | None, k: float, base_year: int) -> pd.DataFrame:
    """The emission table with 4.A CH4 of every year by FOD (see the module docstring).

    ``history``: t landfilled in the years before the base year (None: steady state at the
    base year's deposition); the projected deposition is the 4.A rows' quantity of each year.
    Rows of a year share its CH4 in proportion to their deposition (equally if all are 0)."""
    mask = _landfill(emissions)
    if not mask.any():
        return emissions
    projected = deposits_t(emissions)
    years = sorted(int(y) for y in projected.index)
    if base_year not in projected.index or years[0] != base_year:
        return emissions
    deposits = {**(history or {}), **{int(y): float(v) for y, v in projected.items()}}
    gen = generation(deposits, years, k, steady_before=not history)
    out = emissions.copy()
    rows = out[mask]
    base_rows = rows[rows["year"].astype(int) == base_year]
    base_ch4, base_co2e = float(base_rows["emissions_t"].sum()), float(base_rows["co2e_t"].sum())
    if gen[base_year] <= 0 or base_ch4 <= 0:
        return emissions
    gwp = base_co2e / base_ch4
    target = base_ch4 * gen / gen[base_year]  # t CH4 of each year
    year = rows["year"].astype(int)
    tonnes = rows["quantity"].to_numpy(dtype=float) * np.array([unit_factor(str(u), "t") for u in rows["unit"]])
    tonnes = pd.Series(tonnes, index=rows.index)
    total = tonnes.groupby(year).transform("sum")
    count = year.groupby(year).transform("size")
    share = (tonnes / total.where(total > 0)).fillna(1.0 / count)
    ch4 = share * target.reindex(year.to_numpy()).to_numpy()
    out.loc[mask, "emissions_t"] = ch4.to_numpy()
    out.loc[mask, "co2e_t"] = ch4.to_numpy() * gwp
    return out
