"""Driver paths over years: growth rates by period, or values at milestones.

A growth spec is a number (the same annual rate every year) or a mapping of periods to annual
rates, ``{"2021-2025": 0.065, "2026-2030": 0.055}`` (a single year ``"2031"`` is a period too);
years no period covers grow at 0. The index of year t is the product of (1 + rate) over the
years after the base year up to t, so it is 1 in the base year.

A values spec ``{2020: 0.12, 2030: 0.10, 2060: 0.05}`` is interpolated linearly between its
years and held flat before the first and after the last.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from carbon.errors import InputError

PERIOD = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$")


def _rates(spec: float | dict | None, years: list[int], key: str) -> np.ndarray:
    rates = np.zeros(len(years))
    if spec is None:
        return rates
    if isinstance(spec, (int, float)):
        return np.full(len(years), float(spec))
    at = np.asarray(years)
    for period, rate in spec.items():
        match = PERIOD.match(str(period))
        if not match:
            raise InputError(
                f"cannot read period {period!r}", key=key, expected="a period such as 2021-2025 or a year", found=period
            )
        first = int(match[1])
        last = int(match[2] or match[1])
        if last < first:
            raise InputError(f"period {period!r} ends before it starts", key=key, found=period)
        rates[(at >= first) & (at <= last)] = float(rate)
    return rates


def annual_rates(spec: float | dict | None, years: list[int], key: str = "growth") -> pd.Series:
    """The annual rate of each year from a growth spec (0 where no period covers a year)."""
    return pd.Series(_rates(spec, years, key), index=years)


def growth_index(spec: float | dict | None, years: list[int], base_year: int, key: str = "growth") -> pd.Series:
    """Index (base year = 1) compounding the annual rates of a growth spec."""
    rates = _rates(spec, years, key)
    factor = np.where(np.asarray(years) > base_year, 1.0 + rates, 1.0)
    if np.any(factor <= 0):
        raise InputError("a growth rate must be above -1", key=key, found=float(rates.min()))
    index = np.cumprod(factor)
    return pd.Series(index / index[list(years).index(base_year)], index=years)


def interpolate(values: dict, years: list[int], key: str = "values") -> pd.Series:
    """Linear interpolation of ``{year: value}`` over ``years``, flat outside."""
    if not values:
        raise InputError("no values to interpolate", key=key, expected="{year: value, ...}")
    known = sorted((int(y), float(v)) for y, v in values.items())
    xs, ys = zip(*known)
    return pd.Series(np.interp(years, xs, ys), index=years)
