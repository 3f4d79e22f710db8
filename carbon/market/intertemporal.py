"""Perfect-foresight intertemporal equilibrium with banking and borrowing.

Holders bank allowances only if the price rises at the discount rate r, so the discounted
price λ_t = p_t / (1 + r)^(t − t0) is constant while the bank is above its lower bound and
falls only in a period where the bank is at that bound (0 without borrowing, −L_t with a
borrowing limit L_t, and 0 in the last period). The equilibrium is found segment by segment
(the "taut string" of cumulative supply): starting at period s with bank b,

    λ* = min { λ ≥ 0 : b + Σ_{t=s..τ} net_t(λ·(1+r)^t) ≥ −L_τ  for every τ ≥ s },

found on aggregate curves by safeguarded false position (to 1e-15 relative). At λ* some
supply may be a *jump* (a MAC step used in part, an auction selling only part of its volume
at the reserve price, offsets at their price, a firm switching under the gap cap): the
market takes the least cumulative use of the jumps that keeps every bank at or above its
bound (:func:`_jump_usage`), the segment ends at the last period whose bank then sits at
its bound, and the next segment starts after it, at a lower or equal λ. Without banking
every period is a segment of its own (static clearing). Unlimited supply at a ceiling or a
penalty price makes every later constraint feasible; what is missing is bought there
(ceiling) or left uncovered (penalty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carbon.errors import SolverError
from carbon.market.inputs import MarketInputs
from carbon.market.response import Curves, respond

RELATIVE_TOLERANCE = 1e-15
"""Bisection stops when the bracket of λ is this small relative to λ."""


@dataclass
class Path:
    """The equilibrium over all periods: per-period arrays (T,), per-firm arrays (N, T)."""

    price: np.ndarray  # CNY/unit
    abatement: np.ndarray
    obligation: np.ndarray
    offsets: np.ndarray  # per firm
    auction_sold: np.ndarray
    ceiling_sold: np.ndarray
    non_compliance: np.ndarray  # units covered by paying the penalty (no make-good)
    offsets_cost: np.ndarray  # CNY
    offset_price: np.ndarray  # CNY/unit: the offset market's price (= price where no limit binds)
    bank: np.ndarray  # allowances in circulation at the period end, unit
    expired: np.ndarray  # allowances cancelled at the period end (no banking / end of horizon)
    segments: list[tuple[int, int, float]]  # (first, last, λ) of each segment


def solve_path(
    inp: MarketInputs,
    free: np.ndarray | None = None,
    volume: np.ndarray | None = None,
    *,
    backstop: bool = False,
    curves: Curves | None = None,
) -> Path:
    """Solve the intertemporal (or, without banking, period-by-period) equilibrium.

    Parameters
    ----------
    inp
        The market.
    free, volume
        Free allocation (N, T) and auction volumes (T,), unit, when a stability reserve has
        changed them; default: the market's own.
    curves
        The market's :class:`Curves`, to reuse across solves (they depend on ``inp`` only);
        default: built here. With ``backstop`` its price cap is lowered in place.

    Raises
    ------
    SolverError
        When the market cannot clear at any price (fixed emissions above all supply and no
        ceiling or penalty to cap the price).

    With ``backstop`` an unlimited supply at a price far above every cost keeps the problem
    feasible (its use is booked as non-compliance); the stability reserve's fixed-point
    iteration uses it for intermediate supply paths.
    """
    free = inp.free if free is None else free
    volume = inp.auction_volume if volume is None else volume
    g = inp.growth()
    curves = Curves(inp) if curves is None else curves
    lam_top = _upper_price(inp, g)
    if backstop:
        price = 10.0 * lam_top * float(g.max())
        curves.lower_cap(price)
        lam_top = 2.0 * price / float(g.min())
    N, T = inp.n_firms, inp.n_periods
    lower = -inp.borrow_limit.astype(float)
    lower[-1] = 0.0
    scale = max(float(inp.baseline.sum() + free.sum() + volume.sum() + inp.initial_bank), 1.0)
    tol = 1e-12 * scale  # slack of the zero-price and top-price checks (aggregation rounding)

    out = {name: np.zeros((N, T)) for name in ("abatement", "obligation", "offsets")}
    per = {
        name: np.zeros(T)
        for name in (
            "price",
            "auction_sold",
            "ceiling_sold",
            "non_compliance",
            "offsets_cost",
            "offset_price",
            "bank",
            "expired",
        )
    }
    segments = []
    free_total = free.sum(axis=0) + inp.pre_borrow_shift  # pre-borrowing moves supply between periods
    bank = float(inp.initial_bank)
    s = 0
    while s < T:
        stop = s + 1 if not inp.banking else T
        cols = slice(s, stop)

        seg_ = _Segment(curves, cols, bank, lower[cols], free, free_total, volume, g, tol)
        tau, resp, unl, lam = seg_.solve(inp, lam_top)
        last = s + tau
        seg = slice(s, last + 1)
        for name, array in out.items():
            array[:, seg] = getattr(resp, name)
        per["price"][seg] = resp.price
        per["auction_sold"][seg] = resp.auction_sold
        per["ceiling_sold"][seg] = resp.ceiling_sold
        per["offsets_cost"][seg] = resp.offsets_cost
        per["offset_price"][seg] = np.minimum(resp.offset_price, resp.price)
        net = resp.net + inp.pre_borrow_shift[seg]  # respond() counts the firms' own allocation only
        for k in np.nonzero(np.atleast_1d(unl) > 0)[0]:
            t_u = s + int(k)
            if (
                np.isfinite(inp.ceiling_price[t_u])
                and not np.isfinite(inp.ceiling_qty[t_u])
                and (not inp.penalty_caps_price or inp.ceiling_price[t_u] <= inp.penalty_price[t_u])
            ):
                per["ceiling_sold"][t_u] += unl[k]
            else:
                per["non_compliance"][t_u] += unl[k]
            net[k] += unl[k]
        banks = bank + np.cumsum(net)
        per["bank"][seg] = banks
        bank = float(banks[-1])
        if abs(bank - lower[last]) <= tol:
            bank = float(lower[last])
            per["bank"][last] = bank
        if not inp.banking and bank > 0:
            per["expired"][last] = bank
            per["bank"][last] = 0.0
            bank = 0.0
        segments.append((s, last, float(lam)))
        s = last + 1
    if not inp.valid_after_horizon and per["bank"][-1] > 0:
        per["expired"][-1] += per["bank"][-1]
        per["bank"][-1] = 0.0
    return Path(
        price=per["price"],
        abatement=out["abatement"],
        obligation=out["obligation"],
        offsets=out["offsets"],
        auction_sold=per["auction_sold"],
        ceiling_sold=per["ceiling_sold"],
        non_compliance=per["non_compliance"],
        offsets_cost=per["offsets_cost"],
        offset_price=per["offset_price"],
        bank=per["bank"],
        expired=per["expired"],
        segments=segments,
    )


class _Segment:
    """One segment of the price path: periods ``cols`` starting with ``bank``."""

    def __init__(self, curves, cols, bank, low_bound, free, free_total, volume, g, tol):
        self.curves, self.cols, self.bank, self.low_bound = curves, cols, bank, low_bound
        self.free, self.free_total, self.volume, self.g, self.tol = free, free_total, volume, g, tol

    def totals(self, lam: float, inclusive: bool) -> tuple[np.ndarray, np.ndarray]:
        return self.curves.totals(lam, self.cols, self.free, self.free_total, self.volume, inclusive, self.g)

    def cumulative(self, net: np.ndarray, unlimited: np.ndarray) -> np.ndarray:
        c = self.bank + np.cumsum(net)
        if unlimited.any():
            c = np.where(np.maximum.accumulate(unlimited), np.inf, c)
        return c

    def feasible(self, state: tuple, slack: float = 0.0) -> bool:
        return bool(np.all(self.cumulative(*state) >= self.low_bound - slack))

    def respond(self, lam: float, sub: slice, inclusive: bool):
        return respond(self.curves, lam, sub, self.free, self.volume, inclusive, self.g)

    def solve(self, inp: MarketInputs, lam_top: float):
        """(last period offset, response over the segment, unlimited sales per period, λ*)."""
        s, stop, tol = self.cols.start, self.cols.stop, self.tol
        if self.feasible(self.totals(0.0, False), tol):
            return stop - s - 1, self.respond(0.0, self.cols, False), np.zeros(stop - s), 0.0
        lo, hi = 0.0, 0.0
        if not self.feasible(self.totals(0.0, True), tol):
            hi = lam_top
            top = self.totals(hi, True)
            if not self.feasible(top, tol):
                raise _infeasible(inp, s, self.cumulative(*top), self.low_bound)

            def slack(lam: float) -> float:
                return float(np.min(self.cumulative(*self.totals(lam, True)) - self.low_bound))

            lo, hi = _find_root(slack, 0.0, hi, tol)
        n_lo, u_lo = self.totals(lo, False)
        n_hi, u_hi = self.totals(hi, True)
        # a constraint after a period with unlimited supply at λ* is met there: no need
        c_lo = self.cumulative(n_lo, u_lo)
        use = _jump_usage(c_lo, self.low_bound, n_hi - n_lo, u_hi)
        tau = _segment_end(c_lo, self.low_bound, use, tol)
        sub = slice(s, s + tau + 1)
        r_lo, r_hi = self.respond(lo, sub, False), self.respond(hi, sub, True)
        # the part of each period's jump the market takes, from the full responses
        jump = np.maximum(r_hi.net - r_lo.net, 0.0)
        u = np.diff(np.concatenate([[0.0], use[: tau + 1]]))
        w = np.clip(np.divide(u, jump, out=np.zeros_like(u), where=jump > 0), 0.0, 1.0)
        unl = np.where(r_hi.unlimited, np.maximum(u - jump, 0.0), 0.0)
        resp = r_lo.blend(r_hi, w)
        # λ* lies in [lo, hi] (a bracket of 1e-15 relative); the inclusive end is on the
        # right side of any step that is partly used
        resp.price = np.minimum(hi * self.g[sub], self.curves.cap[sub])
        return tau, resp, unl, hi


def _jump_usage(c_lo: np.ndarray, bound: np.ndarray, jump: np.ndarray, unlimited: np.ndarray) -> np.ndarray:
    """Least cumulative use U_τ of the supply jumps at λ* that keeps every bank at its bound.

    R_τ = max(0, bound_τ − c_lo_τ) is what constraint τ lacks at the strict response; U must
    be non-decreasing, at least R, and grow in period t by at most the jump j_t available
    there (inf where unlimited supply appears). The least such U is the running maximum of
    D_τ = max(R_τ, D_{τ+1} − j_{τ+1}) (what must be in hand by τ for later needs).
    """
    need = np.maximum(bound - c_lo, 0.0)
    j = np.where(unlimited, np.inf, np.maximum(jump, 0.0))
    D = need.copy()
    for k in range(len(D) - 2, -1, -1):
        D[k] = max(D[k], D[k + 1] - j[k + 1])
    return np.maximum.accumulate(D)


def _segment_end(c_lo: np.ndarray, bound: np.ndarray, use: np.ndarray, tol: float) -> int:
    """Last period whose bank sits at its bound after the jumps are used (the segment end)."""
    slack = c_lo + use - bound
    need = bound - c_lo > 0
    tight = np.nonzero(need & (slack <= tol))[0]
    if len(tight):
        return int(tight[-1])
    short = np.nonzero(need)[0]
    return int(short[-1]) if len(short) else len(c_lo) - 1


def _find_root(phi, lo: float, hi: float, scale: float) -> tuple[float, float]:
    """Bracket the smallest λ with phi(λ) >= 0 to RELATIVE_TOLERANCE (phi non-decreasing).

    phi is the tightest bank constraint's slack, piecewise linear in λ with jumps (steps,
    auctions) and +inf above an unlimited supply. Illinois false-position steps, with a
    bisection step whenever the bracket fails to halve and a probe just beside a secant
    point that lands on the root, so a linear piece closes in a few evaluations and a jump
    in at most ~60 bisections.
    """
    f_lo = phi(lo)
    f_hi = phi(hi)
    kept = 0  # which end moved last: -1 low, +1 high
    width = hi - lo
    bisect = False
    for _ in range(300):
        if hi - lo <= RELATIVE_TOLERANCE * hi:
            break
        secant = not bisect and np.isfinite(f_hi) and f_hi > f_lo
        x = hi - f_hi * (hi - lo) / (f_hi - f_lo) if secant else 0.5 * (lo + hi)
        if not lo < x < hi:
            x = 0.5 * (lo + hi)
            secant = False
            if not lo < x < hi:
                break
        f = phi(x)
        if f >= 0:
            hi, f_hi = x, f
        else:
            lo, f_lo = x, f
        # Illinois: when the same end moves twice in a row, halve the other end's value
        moved = +1 if f >= 0 else -1
        if moved == kept:
            if moved == +1:
                f_lo *= 0.5
            else:
                f_hi *= 0.5
        kept = moved
        if secant and abs(f) <= 1e-9 * max(scale, 1e-300) * 1e3:
            probe = x * (1.0 - 0.5 * RELATIVE_TOLERANCE) if f >= 0 else x * (1.0 + 0.5 * RELATIVE_TOLERANCE)
            if lo < probe < hi:
                fp = phi(probe)
                if fp >= 0:
                    hi, f_hi = probe, fp
                else:
                    lo, f_lo = probe, fp
        bisect = (hi - lo) > 0.5 * width
        width = hi - lo
    return lo, hi


def _upper_price(inp: MarketInputs, g: np.ndarray) -> float:
    """A discounted price at which every supply option is in use (an upper bracket for λ)."""
    candidates = [1.0]
    lin = inp.lin_max > 0
    if lin.any():
        candidates.append(float((inp.intercept + inp.slope * inp.lin_max)[lin].max()))
    for arr in (inp.step_cost, inp.reserve_price, inp.ceiling_price, inp.offset_cost):
        finite = arr[np.isfinite(arr)]
        if finite.size:
            candidates.append(float(finite.max()))
    kinked = inp.gap_share < 1.0
    if kinked.any():
        smallest = float(inp.gap_share[kinked].min())
        candidates = [c / max(smallest, 1e-3) for c in candidates]
    return 2.0 * max(candidates) / float(g.min()) + 1.0


def _infeasible(inp: MarketInputs, s: int, cum: np.ndarray, bound: np.ndarray) -> SolverError:
    short = np.nonzero(cum < bound)[0]
    t = s + int(short[0]) if len(short) else s
    gap = float(bound[short[0]] - cum[short[0]]) if len(short) else 0.0
    return SolverError(
        f"the market cannot clear in {inp.periods[t]}: even with every firm abating all it can, "
        f"demand exceeds supply by {gap:.6g} {inp.unit}",
        expected="a cap that can be met, or a ceiling / penalty (without make-good) capping the price",
        hint="raise allocation or auction volumes, allow banking or borrowing, or add a ceiling",
    )
