"""What every participant does at given allowance prices (vectorised over firms and periods).

At price p a firm abates until its MAC equals the price it faces (p, or share·p under
China's gap cap while the cap binds); auctioned allowances sell when p exceeds the reserve
price; a limited ceiling reserve sells above its trigger price; offsets are used when
cheaper than p, up to the usage limit. Each function has a *strict* and an *inclusive*
variant at a price equal to a step's cost (the step unused, or used in full): the market
demand curve is a correspondence there and the clearing code picks the point in between.

Two evaluations share the same rules: :func:`respond` (every firm, for the final answer)
and :meth:`Curves.totals` (market totals only, for the price search). For totals, the
linear MACs of standard firms are merged once per period into one piecewise-linear
aggregate abatement curve (sorted breakpoints, cumulative slopes), evaluated in O(log N).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from carbon.market.inputs import MarketInputs

RELATIVE_STEP = 1e-15
"""Bisection for the offset market's price stops at this bracket relative to the price."""


@dataclass
class Response:
    """Quantities (unit) at given prices over a slice of periods; arrays (N, T') or (T',)."""

    price: np.ndarray  # (T',) CNY/unit
    abatement: np.ndarray  # (N, T')
    obligation: np.ndarray  # (N, T') units to surrender
    offsets: np.ndarray  # (N, T') offsets used
    auction_sold: np.ndarray  # (T',)
    ceiling_sold: np.ndarray  # (T',) limited reserve (unlimited sales are added by clearing)
    offsets_cost: np.ndarray  # (T',) CNY paid for offsets
    net: np.ndarray  # (T',) free + auction + ceiling + offsets − obligations
    unlimited: np.ndarray  # (T',) bool: unlimited supply (ceiling or penalty) at this price
    offset_price: np.ndarray  # (T',) CNY/unit: the offset market's price q (= price where no limit binds)

    def blend(self, other: Response, w: float) -> Response:
        """``self + w·(other − self)`` field by field (``unlimited`` taken from ``other``)."""
        out = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            out[f.name] = b if f.name == "unlimited" else a + w * (b - a)
        return Response(**out)


class Curves:
    """Pre-sorted views of a market's MAC curves for fast repeated evaluation."""

    def __init__(self, inp: MarketInputs) -> None:
        self.inp = inp
        self.inv_slope = 1.0 / inp.slope
        qty = inp.step_qty
        self.step_rows = np.nonzero(qty.sum(axis=1) > 0)[0]
        self.step_cost = inp.step_cost[self.step_rows]
        self.step_qty = qty[self.step_rows]
        self.step_cum = np.cumsum(self.step_qty, axis=1) - self.step_qty  # quantity before each step
        self.kinked = np.nonzero(inp.gap_share < 1.0)[0]
        cap = np.where(np.isfinite(inp.ceiling_qty), np.inf, inp.ceiling_price)  # unlimited ceiling
        if inp.penalty_caps_price:
            cap = np.minimum(cap, inp.penalty_price)
        self.cap = cap  # (T,) price at which unlimited supply appears
        self.agg_x: list[np.ndarray] | None = None  # built on first use by totals()

    def lower_cap(self, price: float) -> None:
        """Unlimited supply also at ``price`` (a backstop far above every cost)."""
        self.cap = np.minimum(self.cap, price)

    def _aggregate(self) -> None:
        """Aggregate abatement curves of standard firms, one per period."""
        inp = self.inp
        std = inp.gap_share >= 1.0
        self.std_baseline = inp.baseline[std].sum(axis=0)  # (T,)
        b, c, L = inp.intercept[std], inp.slope[std], inp.lin_max[std]
        self.agg_x, self.agg_slope, self.agg_value = [], [], []
        for t in range(inp.n_periods):
            on = L[:, t] > 0
            start = b[on, t]
            end = start + c[on, t] * L[on, t]
            d = 1.0 / c[on, t]
            x = np.concatenate([start, end])
            dd = np.concatenate([d, -d])
            order = np.argsort(x, kind="stable")
            x, dd = x[order], dd[order]
            slope = np.cumsum(dd)
            if len(slope):
                slope[-1] = 0.0
            slope = np.maximum(slope, 0.0)
            value = np.concatenate([[0.0], np.cumsum(slope[:-1] * np.diff(x))]) if len(x) else x
            self.agg_x.append(x)
            self.agg_slope.append(slope)
            self.agg_value.append(value)
        rows = np.intersect1d(self.step_rows, np.nonzero(std)[0])
        local = np.searchsorted(self.step_rows, rows)
        costs = self.step_cost[local].ravel()
        qtys = self.step_qty[local].ravel()
        keep = qtys > 0
        order = np.argsort(costs[keep], kind="stable")
        self.agg_step_cost = costs[keep][order]
        self.agg_step_cum = np.concatenate([[0.0], np.cumsum(qtys[keep][order])])

    # -- abatement --------------------------------------------------------------------------

    def abatement(self, price: np.ndarray, rows: np.ndarray | None, cols: slice, inclusive: bool) -> np.ndarray:
        """Abatement (unit) at ``price`` (broadcastable to (rows, cols)) of the given firms."""
        inp = self.inp
        sel = slice(None) if rows is None else rows
        b = inp.intercept[sel, cols]
        a = np.clip((price - b) * self.inv_slope[sel, cols], 0.0, inp.lin_max[sel, cols])
        if len(self.step_rows):
            where, local = self._step_positions(rows)
            if len(where):
                p = np.broadcast_to(price, a.shape)[where]  # (S, T')
                cost = self.step_cost[local][:, :, None]
                used = cost <= p[:, None, :] if inclusive else cost < p[:, None, :]
                a[where] += (used * self.step_qty[local][:, :, None]).sum(axis=1)
        return a

    def _step_positions(self, rows):
        if rows is None:
            return self.step_rows, np.arange(len(self.step_rows))
        pos = np.minimum(np.searchsorted(self.step_rows, rows), len(self.step_rows) - 1)
        hit = self.step_rows[pos] == rows
        return np.nonzero(hit)[0], pos[hit]

    def cost(self, a: np.ndarray, rows: np.ndarray | None, cols: slice) -> np.ndarray:
        """Abatement cost (CNY) of abating ``a`` (unit): the integral of the MAC from 0 to a."""
        inp = self.inp
        sel = slice(None) if rows is None else rows
        lin = np.minimum(a, inp.lin_max[sel, cols])
        c = inp.intercept[sel, cols] * lin + 0.5 * inp.slope[sel, cols] * lin * lin
        c = np.where(inp.lin_max[sel, cols] > 0, c, 0.0)
        if len(self.step_rows):
            where, local = self._step_positions(rows)
            if len(where):
                fill = np.clip(
                    a[where][:, None, :] - self.step_cum[local][:, :, None],
                    0.0,
                    self.step_qty[local][:, :, None],
                )
                cost = np.where(np.isfinite(self.step_cost[local]), self.step_cost[local], 0.0)
                c[where] += (fill * cost[:, :, None]).sum(axis=1)
        return c

    # -- market totals ----------------------------------------------------------------------

    def totals(
        self,
        lam: float,
        cols: slice,
        free: np.ndarray,
        free_total: np.ndarray,
        volume: np.ndarray,
        inclusive: bool,
        growth: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Net supply (T',) and unlimited-supply flags at discounted price ``lam``.

        The same quantities as ``respond(...).net`` summed over firms, from the aggregate
        curves (O(T' log N) for standard firms with linear or stepwise MACs). ``free_total`` is
        the free supply per period: the firms' allocation plus what pre-borrowing moves into it.
        """
        inp = self.inp
        raw = lam * growth[cols]
        cap = self.cap[cols]
        price = np.minimum(raw, cap)
        unlimited = raw >= cap if inclusive else raw > cap
        sold, ceiling = supply(inp, price, cols, volume, inclusive)
        if self.internalises:
            ob_at_p = self.obligation_total(price, cols, free, inclusive)
            q = self.offset_price(price, cols, free, inclusive, ob_at_p)
            binding = q < price
            ob_total = ob_at_p.copy()
            if binding.any():
                ob_total[binding] = self.obligation_total(self.effective_price(price, q), cols, free, inclusive)[
                    binding
                ]
            limit = inp.offset_limit * ob_total
            offsets_total, _ = offsets(inp, np.where(binding, q, price), cols, limit, binding | inclusive)
            return free_total[cols] + sold + ceiling + offsets_total - ob_total, unlimited
        ob_total = self.obligation_total(price, cols, free, inclusive)
        if inp.offset_basis == "emissions":
            limit = inp.offset_limit * ob_total
        elif self._offset_cap_may_bind(free, cols):
            r = respond(self, lam, cols, free, volume, inclusive, growth)
            # free_total may differ from the firms' allocation by supply moved between periods (pre-borrowing)
            return r.net + free_total[cols] - free[:, cols].sum(axis=0), r.unlimited
        else:
            limit = inp.offset_limit * free[:, cols].sum(axis=0)
        offsets_total, _ = offsets(inp, price, cols, limit, inclusive)
        return free_total[cols] + sold + ceiling + offsets_total - ob_total, unlimited

    def obligation_total(self, price: np.ndarray, cols: slice, free: np.ndarray, inclusive: bool) -> np.ndarray:
        """Total obligation (T',) of all firms when they face ``price`` (T',), from the aggregate
        curves (standard firms) and the gap-cap rule (kinked firms)."""
        if self.agg_x is None:
            self._aggregate()
        start = cols.start or 0
        abated = np.empty(len(price))
        side = "right" if inclusive else "left"
        for k, p in enumerate(price):
            x = self.agg_x[start + k]
            j = np.searchsorted(x, p, side="right") - 1
            abated[k] = 0.0 if j < 0 else self.agg_value[start + k][j] + self.agg_slope[start + k][j] * (p - x[j])
        if len(self.agg_step_cost):
            abated += self.agg_step_cum[np.searchsorted(self.agg_step_cost, price, side=side)]
        ob_total = self.std_baseline[cols] - abated
        if len(self.kinked):
            _, ob_k = kinked_response(self, price, cols, free, inclusive)
            ob_total = ob_total + ob_k.sum(axis=0)
        return ob_total

    @property
    def internalises(self) -> bool:
        """Whether firms internalise an emissions-based offset limit (see :meth:`offset_price`)."""
        inp = self.inp
        return inp.offset_basis == "emissions" and inp.offset_limit > 0 and inp.offset_cost.shape[1] > 0

    def effective_price(self, price: np.ndarray, q: np.ndarray) -> np.ndarray:
        """The price of surrendering one more unit: (1 − s)·p + s·q (p where q = p)."""
        s = self.inp.offset_limit
        return np.where(q < price, (1.0 - s) * price + s * q, price)

    def offset_price(
        self,
        price: np.ndarray,
        cols: slice,
        free: np.ndarray,
        inclusive: bool,
        ob_at_price: np.ndarray | None = None,
    ) -> np.ndarray:
        """Clearing price q (T',) of the offset market under an emissions-based limit.

        A firm may cover a share s of its obligation S_i with offsets, so each unit it
        surrenders brings s units of offset rights: when offsets are cheaper than
        allowances and the limit binds, the firm pays (1 − s)·p + s·q for one more unit of
        obligation and abates until its MAC equals that. Offset demand at offset price q is
        D(q) = s·Σ_i S_i((1 − s)·p + s·q), non-increasing in q; supply O(q) is the offset
        steps cheaper than q. q is the least x in [0, p] with O(x) ≥ D(x) (found step by
        step, inside a gap by bisection); q = p where the limit does not bind (O(p) ≤ D(p)):
        the firms then face p alone. Returns ``price`` where the rule does not apply.
        """
        q = np.array(price, dtype=float, copy=True)
        if not self.internalises:
            return q
        inp = self.inp
        s = inp.offset_limit
        start = cols.start or 0
        if ob_at_price is None:
            ob_at_price = self.obligation_total(price, cols, free, inclusive)
        for k in range(len(price)):
            t = start + k
            p = float(price[k])
            cost, qty = inp.offset_cost[t], inp.offset_qty[t]
            below = cost < p
            at_p = qty[below | ((cost == p) & inclusive)].sum()
            if p <= 0 or not below.any() or at_p <= s * ob_at_price[k]:
                continue
            one = slice(t, t + 1)

            def demand(x: float, one=one, p=p) -> float:
                return s * float(self.obligation_total(np.array([p - s * (p - x)]), one, free, inclusive)[0])

            lo, held, hi = 0.0, 0.0, p
            for c in np.unique(cost[below]):
                if qty[cost <= c].sum() >= demand(c):
                    hi = float(c)
                    break
                lo, held = float(c), float(qty[cost <= c].sum())
            # on [lo, hi) the supply is `held`: the least x there with held >= D(x), else hi
            if held > 0 and held >= demand(hi):
                for _ in range(200):
                    if hi - lo <= RELATIVE_STEP * max(hi, 1e-300):
                        break
                    mid = 0.5 * (lo + hi)
                    if held >= demand(mid):
                        hi = mid
                    else:
                        lo = mid
            q[k] = hi
        return q

    def _offset_cap_may_bind(self, free: np.ndarray, cols: slice) -> bool:
        """Whether a firm's offset limit (share × allocation) may exceed its obligation."""
        inp = self.inp
        if inp.offset_limit <= 0 or inp.offset_cost.shape[1] == 0:
            return False
        if len(self.kinked):
            return True
        smallest = inp.baseline[:, cols] - inp.max_abatement[:, cols]
        return bool(np.any(inp.offset_limit * free[:, cols] > smallest))


def kinked_response(
    curves: Curves, price: np.ndarray, cols: slice, free: np.ndarray, inclusive: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Abatement and obligation (K, T') of firms under China's gap cap or gas rule.

    Surrender = min(e, F + s·e): above the kink e = F/(1 − s) the firm faces s·p, below it p.
    Each region's optimum is found and the one of lower total cost (abatement + p·surrender)
    is kept (the firm's problem is not convex, so both are compared).
    """
    inp = curves.inp
    k = curves.kinked
    s = inp.gap_share[k][:, None]
    Bk, Fk = inp.baseline[k][:, cols], free[k][:, cols]
    pk = np.broadcast_to(price[None, :], Bk.shape)
    amax = inp.max_abatement[k][:, cols]
    lowest = Bk - amax
    kink = Fk / (1.0 - s)
    a_low = curves.abatement(pk, k, cols, inclusive)
    e_low = np.clip(Bk - a_low, lowest, np.maximum(np.minimum(Bk, kink), lowest))
    a_high = curves.abatement(s * pk, k, cols, inclusive)
    e_high = np.clip(Bk - a_high, np.minimum(np.maximum(kink, lowest), Bk), Bk)

    def total(e):
        return curves.cost(Bk - e, k, cols) + pk * np.minimum(e, Fk + s * e)

    j_low, j_high = total(e_low), total(e_high)
    low = j_low <= j_high if inclusive else j_low < j_high
    e = np.where(low, e_low, e_high)
    return Bk - e, np.minimum(e, Fk + s * e)


def supply(
    inp: MarketInputs, price: np.ndarray, cols: slice, volume: np.ndarray, inclusive: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Auction sales (all of the volume above the reserve price) and limited ceiling sales."""
    reserve = inp.reserve_price[cols]
    sold = np.where(reserve <= price if inclusive else reserve < price, volume[cols], 0.0)
    limited = np.isfinite(inp.ceiling_qty[cols])
    on = inp.ceiling_price[cols] <= price if inclusive else inp.ceiling_price[cols] < price
    ceiling = np.where(limited & on, inp.ceiling_qty[cols], 0.0)
    return sold, ceiling


def offsets(
    inp: MarketInputs, price: np.ndarray, cols: slice, limit: np.ndarray, inclusive: bool | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Offsets used (T',) — cheaper than the price, up to the firms' total ``limit`` — and
    their cost, CNY (the cheapest offsets are used first). ``inclusive`` (one flag, or one per
    period): offsets costing exactly the price are available too."""
    if inp.offset_limit <= 0 or inp.offset_cost.shape[1] == 0:
        zero = np.zeros(len(price))
        return zero, zero.copy()
    cost, qty = inp.offset_cost[cols], inp.offset_qty[cols]
    incl = np.broadcast_to(np.asarray(inclusive, dtype=bool), np.shape(price))[:, None]
    on = (cost < price[:, None]) | (incl & (cost == price[:, None]))
    available = np.where(on, qty, 0.0).sum(axis=1)
    used = np.minimum(available, limit)
    return used, (fill(qty, used) * cost).sum(axis=1)


def fill(qty: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Offsets taken from each supply step (T, S) when ``used`` (T,) offsets are taken from the
    steps ``qty`` (T, S) in column order (the columns sorted cheapest first): the market's fill."""
    qty = np.asarray(qty, dtype=float)
    before = np.zeros_like(qty)
    before[:, 1:] = np.cumsum(qty[:, :-1], axis=1)
    return np.clip(np.asarray(used, dtype=float)[:, None] - before, 0.0, qty)


def respond(
    curves: Curves,
    lam: float,
    cols: slice,
    free: np.ndarray,
    volume: np.ndarray,
    inclusive: bool,
    growth: np.ndarray,
) -> Response:
    """Everyone's response when the discounted price is ``lam`` (price_t = lam·growth_t).

    Parameters
    ----------
    curves
        The market's curves.
    lam
        Discounted price, CNY/unit in the first period's money.
    cols
        Periods to evaluate (a slice).
    free, volume
        Free allocation (N, T) and auction volume (T,), unit (after reserve adjustments).
    inclusive
        Use steps whose cost equals the price (the upper end of the demand correspondence).
    growth
        (1 + r)^(year − first year), shape (T,).
    """
    inp = curves.inp
    raw = lam * growth[cols]
    cap = curves.cap[cols]
    price = np.minimum(raw, cap)
    unlimited = raw >= cap if inclusive else raw > cap
    F = free[:, cols]
    # under an emissions-based offset limit firms face (1 − s)·p + s·q (Curves.offset_price)
    q = curves.offset_price(price, cols, free, inclusive)
    binding = q < price
    faced = curves.effective_price(price, q)
    a = curves.abatement(faced[None, :], None, cols, inclusive)
    obligation = inp.baseline[:, cols] - a
    if len(curves.kinked):
        a[curves.kinked], obligation[curves.kinked] = kinked_response(curves, faced, cols, free, inclusive)
    ob_total = obligation.sum(axis=0)
    sold, ceiling = supply(inp, price, cols, volume, inclusive)
    # each firm may use offsets up to limit × basis, and never more than its obligation
    if inp.offset_basis == "emissions":
        firm_limit = inp.offset_limit * obligation
    else:
        firm_limit = np.minimum(inp.offset_limit * F, obligation)
    total_limit = firm_limit.sum(axis=0)
    offsets_total, offsets_cost = offsets(inp, np.where(binding, q, price), cols, total_limit, binding | inclusive)
    share = np.divide(offsets_total, total_limit, out=np.zeros_like(offsets_total), where=total_limit > 0)
    offsets_firm = firm_limit * share[None, :]
    net = F.sum(axis=0) + sold + ceiling + offsets_total - ob_total
    return Response(price, a, obligation, offsets_firm, sold, ceiling, offsets_cost, net, unlimited, q)
