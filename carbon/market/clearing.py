"""Market clearing: the competitive equilibrium and its tables.

:func:`clear` solves the equilibrium (static or intertemporal, with the stability reserve at
its fixed point), books the registry and returns a :class:`MarketResult` whose tables are
``periods`` (one row per period), ``firms`` (one row per firm and period), ``ledger`` and
``balances``. Quantities are in the market's unit, prices in CNY per unit, costs in CNY.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon.errors import SolverError
from carbon.market.inputs import MarketInputs
from carbon.market.intertemporal import Path
from carbon.market.ledger import Flows, Registry, book
from carbon.market.msr import ReserveFlows, solve_with_reserve
from carbon.market.response import Curves


@dataclass
class MarketResult:
    """A solved market: tables (DataFrames) and the raw equilibrium path."""

    periods: pd.DataFrame
    firms: pd.DataFrame
    ledger: pd.DataFrame
    balances: pd.DataFrame
    path: Path
    reserve: ReserveFlows | None
    summary: dict = field(default_factory=dict)


def unit_slug(unit: str) -> str:
    """``tCO2`` → ``tco2``, ``10^4 tce`` → ``10e4_tce``: a unit fit for a column or key name."""
    return unit.lower().replace("^", "e").replace(" ", "_").replace("/", "_per_")


def labels(values, repeat: int) -> pd.Categorical:
    """``values`` tiled ``repeat`` times as a categorical (fast for many firms)."""
    cats, codes = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return pd.Categorical.from_codes(np.tile(codes, repeat), categories=cats)


def holder_weights(free: np.ndarray, obligation: np.ndarray) -> np.ndarray:
    """Shares (N, T) in which firms hold the bank: by free allocation, else by obligation."""
    N = free.shape[0]
    w = np.full(free.shape, 1.0 / max(N, 1))
    ft, ot = free.sum(axis=0), obligation.sum(axis=0)
    by_free = ft > 0
    w[:, by_free] = free[:, by_free] / ft[by_free]
    by_ob = ~by_free & (ot > 0)
    w[:, by_ob] = obligation[:, by_ob] / ot[by_ob]
    return w


def clear(inp: MarketInputs, *, ledger: bool = True) -> MarketResult:
    """Solve the market's competitive equilibrium and return its tables.

    Parameters
    ----------
    inp
        The market.
    ledger
        Book the registry and check its invariants (set False to time the solve alone).
    """
    curves = Curves(inp)
    if inp.pre_borrow_threshold is None:
        path, reserve, free, volume = solve_with_reserve(inp, curves=curves)
    else:
        inp, path, reserve, free, volume = settle_pre_borrowing(inp, curves)
    N, T = inp.n_firms, inp.n_periods
    borrowed = inp.pre_borrowed if inp.pre_borrow_threshold is not None else np.zeros_like(free)
    free = free - inp.pre_borrow_deductions  # the allocation issued: lower where pre-borrowing is repaid
    price = path.price
    emissions = inp.baseline - path.abatement
    ob = path.obligation
    ob_total = ob.sum(axis=0)
    nc_share = np.divide(path.non_compliance, ob_total, out=np.zeros(T), where=ob_total > 0)
    non_compliance = ob * nc_share[None, :]
    surrendered = ob - path.offsets - non_compliance
    net_purchase = surrendered - free - borrowed
    abatement_cost = curves.cost(path.abatement, None, slice(None))
    off_total = path.offsets.sum(axis=0)
    unit_offset_cost = np.divide(path.offsets_cost, off_total, out=np.zeros(T), where=off_total > 0)
    offset_cost = path.offsets * unit_offset_cost[None, :]
    penalty_price = np.where(np.isfinite(inp.penalty_price), inp.penalty_price, 0.0)
    penalty_cost = non_compliance * penalty_price[None, :]
    compliance_cost = abatement_cost + price[None, :] * net_purchase + offset_cost + penalty_cost

    weights = holder_weights(free, ob)
    pre_expiry = path.bank + path.expired
    holdings = weights * pre_expiry[None, :]
    expired = weights * path.expired[None, :]
    bank_firm = holdings - expired
    initial_w = weights[:, 0]

    if reserve is None:
        zeros = np.zeros(T)
        intake = release = holdings_r = invalid = from_auction = zeros
    else:
        intake, release, holdings_r = reserve.intake, reserve.release, reserve.holdings
        invalid, from_auction = reserve.invalidated, reserve.from_auction

    registry = Registry(pd.DataFrame(), pd.DataFrame())
    if ledger:
        flows = Flows(
            free=free,
            auction_issued=inp.auction_volume - from_auction,
            release=release,
            intake=intake,
            invalidated=invalid,
            auction_sold=path.auction_sold,
            ceiling_sold=path.ceiling_sold,
            surrendered=surrendered,
            holdings=holdings,
            expired=expired,
            initial_bank=initial_w * inp.initial_bank,
            initial_reserve=0.0 if inp.msr is None else inp.msr.initial_holdings,
            pre_borrowed=borrowed,
        )
        registry = book(inp.firm_ids, inp.periods, flows, allow_negative=inp.borrows)

    periods = pd.DataFrame(
        {
            "period": inp.periods,
            "price": price,
            "emissions": emissions.sum(axis=0),
            "abatement": path.abatement.sum(axis=0),
            "offsets": off_total,
            "bank": path.bank,
            "auction_sold": path.auction_sold,
            "auction_unsold": volume - path.auction_sold,
            "ceiling_sold": path.ceiling_sold,
            "reserve_intake": intake,
            "reserve_release": release,
            "reserve_holdings": holdings_r,
            "reserve_invalidated": invalid,
            "auction_revenue": price * path.auction_sold,
            "free_allocation": free.sum(axis=0),
            "obligation": ob_total,
            "surrendered": surrendered.sum(axis=0),
            "non_compliance": path.non_compliance,
            "expired": path.expired,
            "abatement_cost": abatement_cost.sum(axis=0),
            "offset_price": path.offset_price,
            "unit": inp.unit,
        }
    )
    firms = pd.DataFrame(
        {
            "period": np.repeat(inp.periods, N),
            "firm": labels(inp.firm_ids, T),
            "sector": labels(inp.sectors, T),
            "allocation": free.T.reshape(-1),
            "emissions": emissions.T.reshape(-1),
            "abatement": path.abatement.T.reshape(-1),
            "offsets": path.offsets.T.reshape(-1),
            "obligation": ob.T.reshape(-1),
            "surrendered": surrendered.T.reshape(-1),
            "non_compliance": non_compliance.T.reshape(-1),
            "net_purchase": net_purchase.T.reshape(-1),
            "abatement_cost": abatement_cost.T.reshape(-1),
            "compliance_cost": compliance_cost.T.reshape(-1),
            "bank": bank_firm.T.reshape(-1),
        }
    )
    if inp.pre_borrow_threshold is not None:
        periods.insert(periods.columns.get_loc("free_allocation") + 1, "pre_borrowed", borrowed.sum(axis=0))
        firms.insert(firms.columns.get_loc("allocation") + 1, "pre_borrowed", borrowed.T.reshape(-1))
    tiny = 8 * np.finfo(float).eps * max(float(inp.baseline.sum()), 1.0)
    for table in (periods, firms):
        numeric = table.select_dtypes("number").columns.drop(["period", "price", "offset_price"], errors="ignore")
        values = table[numeric].to_numpy()
        table[numeric] = np.where(np.abs(values) < tiny, 0.0, values) + 0.0
    result = MarketResult(periods, firms, registry.ledger, registry.balances, path, reserve)
    result.summary = summarise(inp, result, compliance_cost, abatement_cost)
    return result


def pre_borrowing_amounts(
    inp: MarketInputs, emissions: np.ndarray, obligation: np.ndarray, free: np.ndarray
) -> np.ndarray:
    """What each firm pre-borrows (N, T) given its obligation and free allocation.

    Shortfall = obligation − free allocation of the period (before any repayment); a firm in an
    eligible period whose shortfall is at least ``pre_borrow_threshold`` × its verified emissions
    ``emissions`` draws ``pre_borrow_share`` × the shortfall, at most what is left of its
    allocation in the period it is deducted from. Arrays (N, T), unit.
    """
    shortfall = np.maximum(obligation - free, 0.0)
    qualifies = (shortfall > 0) & (shortfall >= inp.pre_borrow_threshold * emissions * (1 - 1e-12))
    out = np.zeros_like(free)
    room = free.copy()  # allocation left to deduct from
    for t, k in enumerate(inp.pre_borrow_from):
        if k < 0:
            continue
        amount = np.where(qualifies[:, t], inp.pre_borrow_share * shortfall[:, t], 0.0)
        out[:, t] = np.minimum(amount, np.maximum(room[:, k], 0.0))
        room[:, k] -= out[:, t]
    return out


def settle_pre_borrowing(inp: MarketInputs, curves: Curves, max_iterations: int = 50):
    """The equilibrium with pre-borrowing at its fixed point.

    The amounts depend on the firms' emissions, which depend on prices, which depend on the
    supply the amounts move between periods: solve, recompute the amounts, repeat until they
    no longer change (1e-9 of the market's size). Returns the market with its ``pre_borrowed``
    amounts, the path, the reserve flows, the free allocation and the auction volumes.
    Raises :class:`SolverError` if the amounts do not settle.
    """
    tol = 1e-9 * max(float(inp.baseline.sum()) / inp.n_periods, 1.0)
    borrowed = np.zeros((inp.n_firms, inp.n_periods))
    for _ in range(max_iterations):
        current = inp.with_(pre_borrowed=borrowed)
        path, reserve, free, volume = solve_with_reserve(current, curves=curves)
        new = pre_borrowing_amounts(current, inp.baseline - path.abatement, path.obligation, free)
        if np.abs(new - borrowed).max(initial=0.0) <= tol:
            return current, path, reserve, free, volume
        borrowed = new
    raise SolverError(
        "pre-borrowing and the market did not reach a fixed point",
        expected=f"convergence within {max_iterations} iterations",
        hint="a firm's shortfall oscillates around the pre-borrowing threshold; adjust the threshold",
    )


def summarise(inp: MarketInputs, result: MarketResult, compliance_cost, abatement_cost) -> dict:
    """Key figures as JSON scalars with units in the key names."""
    u = unit_slug(inp.unit)
    p = result.periods
    return {
        "unit": inp.unit,
        "firms": int(inp.n_firms),
        "periods": int(inp.n_periods),
        "first_period": int(inp.periods[0]),
        "last_period": int(inp.periods[-1]),
        f"price_first_cny_per_{u}": float(p["price"].iloc[0]),
        f"price_last_cny_per_{u}": float(p["price"].iloc[-1]),
        f"emissions_total_{u}": float(p["emissions"].sum()),
        f"abatement_total_{u}": float(p["abatement"].sum()),
        f"offsets_total_{u}": float(p["offsets"].sum()),
        f"bank_end_{u}": float(p["bank"].iloc[-1]),
        "abatement_cost_total_cny": float(np.sum(abatement_cost)),
        "compliance_cost_total_cny": float(np.sum(compliance_cost)),
        "auction_revenue_total_cny": float(p["auction_revenue"].sum()),
        "segments": len(result.path.segments),
        **({f"pre_borrowed_total_{u}": float(inp.pre_borrowed.sum())} if inp.pre_borrow_threshold is not None else {}),
        **(
            {
                "reserve_intake_from": "auction volume, then free allocation (model choice: "
                "Decision (EU) 2015/1814 takes the intake from auction volumes only)",
                f"reserve_intake_from_free_{u}": float(result.reserve.from_free.sum()),
            }
            if result.reserve is not None
            else {}
        ),
    }
