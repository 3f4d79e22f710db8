"""Uncertainty of an inventory total (IPCC 2006 Vol.1 Ch.3).

Uncertainties are relative half-widths of the 95% confidence interval (0.05 = +-5%). A row
without its own value takes the defaults below (the engine's defaults, not IPCC values: set your
own in the ``uncertainty`` columns of the activity table and the factor file).

- Approach 1 (error propagation): for each emission row U = sqrt(U_activity^2 + U_factor^2)
  (Eq. 3.2, product); for the total U = sqrt(sum (U_i x_i)^2) / |sum x_i| (Eq. 3.1, sum).
- Approach 2 (Monte Carlo): activity and factor are drawn independently from normal
  distributions with standard deviation U / 1.96, truncated at zero; one activity draw is shared
  by the gases of one activity row; the interval is the 2.5th to 97.5th percentile of the total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.inventory.accounting import Inventory

DEFAULT_ACTIVITY_U = 0.05
DEFAULT_FACTOR_U = {"co2": 0.05, "ch4": 0.5, "n2o": 1.0}


@dataclass(frozen=True)
class Interval:
    """A total (t CO2e) and its 95% interval."""

    approach: int
    total_t: float
    lower_t: float
    upper_t: float

    @property
    def relative(self) -> float:
        """Half-width of the interval relative to the total."""
        return (self.upper_t - self.lower_t) / 2.0 / self.total_t if self.total_t else float("nan")


def _row_uncertainties(inv: Inventory) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    em = inv.emissions[~inv.emissions["memo"]]
    x = em["co2e_t"].to_numpy()
    ua = inv.energy["activity_uncertainty"].to_numpy(dtype=float)[em["row"].to_numpy()]
    ua = np.where(np.isnan(ua), DEFAULT_ACTIVITY_U, ua)
    uf = em["factor_uncertainty"].to_numpy(dtype=float)
    default = em["gas"].map(DEFAULT_FACTOR_U).to_numpy(dtype=float)
    uf = np.where(np.isnan(uf), default, uf)
    return x, ua, uf, em["row"].to_numpy()


def approach1(inv: Inventory) -> Interval:
    """95% interval of the total CO2e by error propagation (IPCC Approach 1)."""
    x, ua, uf, _ = _row_uncertainties(inv)
    u_row = np.sqrt(ua**2 + uf**2)
    total = float(x.sum())
    half = float(np.sqrt(np.sum((u_row * x) ** 2)))
    return Interval(1, total, total - half, total + half)


def approach2(inv: Inventory, draws: int = 5000, seed: int = 0, chunk: int = 500) -> Interval:
    """95% interval of the total CO2e by Monte Carlo (IPCC Approach 2), reproducible from ``seed``."""
    x, ua, uf, rows = _row_uncertainties(inv)
    uniq, inverse = np.unique(rows, return_inverse=True)
    rng = np.random.default_rng(seed)
    totals = np.empty(draws)
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        a = np.clip(1.0 + rng.standard_normal((n, len(uniq))) * (ua[np.searchsorted(rows, uniq)] / 1.96), 0, None)
        f = np.clip(1.0 + rng.standard_normal((n, len(x))) * (uf / 1.96), 0, None)
        totals[start : start + n] = (a[:, inverse] * f) @ x
    lo, hi = np.percentile(totals, [2.5, 97.5])
    return Interval(2, float(x.sum()), float(lo), float(hi))


def table(intervals: list[Interval]) -> pd.DataFrame:
    """Intervals as a tidy table: ``approach, total_co2e_t, lower_co2e_t, upper_co2e_t, relative``."""
    return pd.DataFrame([
        {"approach": i.approach, "total_co2e_t": i.total_t, "lower_co2e_t": i.lower_t,
         "upper_co2e_t": i.upper_t, "relative": i.relative} for i in intervals
    ])
