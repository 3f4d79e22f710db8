"""Market stability reserve (EU ETS rules in force since 2024).

Each period the reserve looks at the allowances in circulation at the end of the previous
period (TNAC, C):

* intake = intake_rate · C            if C > upper_threshold,
* intake = C − lower_threshold        if lower_threshold < C <= upper_threshold,
* intake = 0                          otherwise;
* release = min(release_amount, holdings)  if C < release_threshold;
* holdings above holding_limit are invalidated.

The intake is withheld from the period's auction volume first, then from free allocation
(pro rata): the law (Decision (EU) 2015/1814, Art. 1(5)) takes the intake from auction volumes
only; withholding the rest from free allocation when auctions are too small is a model choice
for markets that auction little (China's), named in the market's summary. A release is added
to the auction volume. Defaults (Decision (EU) 2015/1814 as amended by Directive (EU)
2018/410, Decision (EU) 2023/852 and Directive (EU) 2023/959): intake rate 24 %, thresholds
833 and 1,096 million, release of 100 million below 400 million; holdings above 400 million
allowances are invalidated from 2024 (Directive (EU) 2023/959).

Since circulation depends on the equilibrium and the equilibrium on the supply the reserve
leaves, :func:`solve_with_reserve` iterates to the fixed point.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from carbon.errors import SolverError
from carbon.market.inputs import MarketInputs, MsrParams
from carbon.market.intertemporal import Path, solve_path
from carbon.market.response import Curves


@dataclass
class ReserveFlows:
    """Reserve operations per period (T,), unit."""

    intake: np.ndarray
    release: np.ndarray
    holdings: np.ndarray  # at the period end, after invalidation
    invalidated: np.ndarray
    from_auction: np.ndarray  # part of the intake withheld from the auction
    from_free: np.ndarray  # part of the intake withheld from free allocation

    @classmethod
    def zeros(cls, T: int) -> ReserveFlows:
        """No operations over T periods."""
        return cls(*(np.zeros(T) for _ in fields(cls)))


def reserve_step(
    circulation: float, holdings: float, p: MsrParams, withholdable: float
) -> tuple[float, float, float, float]:
    """One period of the reserve: (intake, release, holdings after, invalidated).

    Parameters
    ----------
    circulation
        Allowances in circulation at the end of the previous period, unit.
    holdings
        Reserve holdings at the end of the previous period, unit.
    p
        Reserve parameters.
    withholdable
        Allowances of this period that can be withheld (auction volume + free allocation).
    """
    if circulation > p.upper_threshold:
        intake = p.intake_rate * circulation
    elif circulation > p.lower_threshold:
        intake = circulation - p.lower_threshold
    else:
        intake = 0.0
    intake = min(intake, withholdable)
    release = min(p.release_amount, holdings) if circulation < p.release_threshold else 0.0
    holdings = holdings + intake - release
    invalidated = max(holdings - p.holding_limit, 0.0)
    return intake, release, holdings - invalidated, invalidated


def reserve_flows(inp: MarketInputs, bank: np.ndarray) -> ReserveFlows:
    """Reserve operations given the circulation path ``bank`` (end of each period, unit)."""
    p = inp.msr
    T = inp.n_periods
    flows = ReserveFlows.zeros(T)
    holdings = p.initial_holdings
    circulation = inp.initial_bank
    free_total = inp.free.sum(axis=0)
    for t in range(T):
        intake, release, holdings, invalid = reserve_step(
            circulation, holdings, p, inp.auction_volume[t] + free_total[t]
        )
        flows.intake[t], flows.release[t], flows.holdings[t], flows.invalidated[t] = (
            intake,
            release,
            holdings,
            invalid,
        )
        flows.from_auction[t] = min(intake, inp.auction_volume[t])
        flows.from_free[t] = intake - flows.from_auction[t]
        circulation = bank[t]
    return flows


def adjusted_supply(inp: MarketInputs, flows: ReserveFlows) -> tuple[np.ndarray, np.ndarray]:
    """Free allocation (N, T) and auction volume (T,) after the reserve's intake and release."""
    volume = inp.auction_volume - flows.from_auction + flows.release
    total = inp.free.sum(axis=0)
    keep = np.divide(total - flows.from_free, total, out=np.ones_like(total), where=total > 0)
    return inp.free * keep[None, :], volume


def solve_with_reserve(
    inp: MarketInputs, max_iterations: int | None = None, *, curves: Curves | None = None
) -> tuple[Path, ReserveFlows | None, np.ndarray, np.ndarray]:
    """Equilibrium with the stability reserve at its fixed point.

    Solve the market with the current reserve operations, recompute the operations from
    the resulting circulation, and repeat until nothing changes (1e-9 of the market's size
    per period). The first iterations adopt all new operations at once (usually a handful
    of solves); if that has not settled after 30 iterations, operations are adopted only up
    to and including the first period that changed (its circulation depends only on what is
    settled before it), which settles at least one period per iteration. Intermediate
    supply paths may be infeasible; a backstop supply far above every cost keeps them
    solvable, and a final path that still needs it raises the market's infeasibility error.

    The market's :class:`Curves` (``curves``, default: built here) are built once and
    reused by every solve; the backstop lowers their price cap in place.

    Returns the path, the reserve flows (None without a reserve) and the free allocation
    and auction volumes actually issued. Raises :class:`SolverError` if it does not settle.
    """
    curves = Curves(inp) if curves is None else curves
    if inp.msr is None:
        return solve_path(inp, curves=curves), None, inp.free, inp.auction_volume
    T = inp.n_periods
    max_iterations = max_iterations or 30 + 50 * T
    scale = max(float(inp.baseline.sum()) / T, 1.0)
    tol = 1e-9 * scale
    current = ReserveFlows.zeros(T)
    current.holdings[:] = inp.msr.initial_holdings
    for iteration in range(max_iterations):
        free, volume = adjusted_supply(inp, current)
        path = solve_path(inp, free, volume, backstop=True, curves=curves)
        new = reserve_flows(inp, path.bank)
        diff = np.maximum(np.abs(new.intake - current.intake), np.abs(new.release - current.release))
        changed = np.nonzero(diff > tol)[0]
        if not len(changed):
            if np.any(path.non_compliance > 0) and not inp.penalty_caps_price:
                # without the backstop (fresh curves, uncapped): raises the infeasibility
                path = solve_path(inp, free, volume)
            return path, new, free, volume
        upto = T if iteration < 30 else changed[0] + 1
        for f in fields(ReserveFlows):
            getattr(current, f.name)[:upto] = getattr(new, f.name)[:upto]
    raise SolverError(
        "the stability reserve and the market did not reach a fixed point",
        expected=f"convergence within {max_iterations} iterations",
        hint="the circulation path oscillates around a threshold; adjust the thresholds or the cap",
    )
