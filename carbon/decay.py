"""First-order decay (IPCC 2006 Vol.5 Eq.3.4-3.6), the one loop the inventory's Tier 1 landfill
factor and the pathway's landfill methane both use (pure; floor 1, so both rooms may import it).

Material deposited in year y starts to decay the year after: with d = e^-k,
accumulated A(T) = D(T) + A(T-1) d and decomposed(T) = A(T-1) (1 - d), in the deposits' unit
(t of waste, or t of DDOCm when the caller has multiplied by DOC x DOCf x MCF).
"""

from __future__ import annotations

import math


def decomposed(deposits: dict[int, float], years: list[int], k: float, steady_before: bool = False) -> dict[int, float]:
    """Amount decomposed in each of ``years`` (sorted), in the deposits' unit, by decay rate
    ``k`` (1/yr, ln 2 / half-life).

    ``deposits``: amount deposited by year (missing years are 0); the loop starts at the earlier
    of the first deposit and ``years[0]``. ``steady_before``: deposition at the first year's
    rate since long ago (the stock at the end of the year before is D / (1 - e^-k), its steady
    state); else nothing before the first year.
    """
    d = math.exp(-k)
    first = min(min(deposits), years[0])
    accumulated = deposits.get(first, 0.0) / (1.0 - d) if steady_before else 0.0  # A(first - 1)
    out = {}
    for y in range(first, years[-1] + 1):
        out[y] = accumulated * (1.0 - d)
        accumulated = deposits.get(y, 0.0) + accumulated * d
    return {y: out[y] for y in years}
