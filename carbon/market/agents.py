"""Agent-based trading: a continuous double auction with a limit order book, ZIP traders.

Each period, the auction volume is first sold in a uniform-price call auction
(:func:`carbon.market.auction.call_auction`) to the firms' unit bids at the lowest clearing
price not below the reserve price. Then ``rounds`` rounds of ``orders_per_round`` orders
(default ceil(N / 10)) go to a continuous double auction traded by Zero-Intelligence-Plus
traders (Cliff 1997), the learning successor of Gode and Sunder's (1993) budget-constrained
traders, adapted to firms whose values change with their holdings and who place divisible
orders (:class:`_Book`). A firm's cost of holding h allowances is

    G(h) = C(min(max(B − h, 0), A)) + π · max(B − h − A, 0),

with C its abatement cost, B its baseline, A its largest abatement and π the penalty (or,
without one, twice the highest MAC of the market); its marginal value is −G'(h).
Efficiency is realised gains from trade over the largest possible gains (the competitive
equilibrium of the same allowances); the period's price is the closing price (the last
quarter of the traded volume), reported with its error against the price of that same
equilibrium.

Simplifications (documented in docs/market.md): periods are traded one after another;
offsets, the ceiling reserve and the stability reserve act in equilibrium mode only; every
firm surrenders its verified emissions (the standard rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.market.auction import call_auction
from carbon.market.clearing import clear, holder_weights, labels, unit_slug
from carbon.market.inputs import MarketInputs
from carbon.market.ledger import Flows, book
from carbon.market.response import Curves
from carbon.market.schema import AgentsSection


@dataclass
class AgentResult:
    """Tables of an agent-based run (the same as equilibrium mode, plus ``trades``)."""

    periods: pd.DataFrame
    firms: pd.DataFrame
    ledger: pd.DataFrame
    balances: pd.DataFrame
    trades: pd.DataFrame
    summary: dict = field(default_factory=dict)


MARGIN_LOW, MARGIN_HIGH = 0.05, 0.35
"""Range of the traders' initial profit margins (Cliff 1997)."""
MARGIN_FLOOR = 0.002
"""Smallest margin: a trader quoting its marginal value itself would offer no quantity."""
FIRMS_PER_ORDER = 10
"""Automatic orders per round: one per this many firms (at least one)."""


def orders_per_round(n_firms: int) -> int:
    """Automatic number of orders per trading round: ceil(N / FIRMS_PER_ORDER), at least 1, so
    that a round gives each firm the same chance to trade whatever the size of the market."""
    return max(1, -(-n_firms // FIRMS_PER_ORDER))


class _Firm:
    """Cost of holding h allowances for one firm in one period (scalar, fast)."""

    __slots__ = ("A", "B", "L", "b", "c", "pen", "steps")

    def __init__(self, B, b, c, L, steps, pen):
        self.B, self.b, self.c, self.L, self.steps, self.pen = B, b, c, L, steps, pen
        self.A = L + sum(q for _, q in steps)

    def abatement_cost(self, a: float) -> float:
        cost = 0.0
        if self.L > 0:
            x = min(a, self.L)
            cost = self.b * x + 0.5 * self.c * x * x
        else:
            rest = a
            for k, q in self.steps:
                if rest <= 0:
                    break
                use = min(rest, q)
                cost += k * use
                rest -= use
        return cost

    def marginal(self, h: float, sell: bool = False) -> float:
        """Marginal value of holding h: the MAC of the abatement B − h still needed (0 with a
        surplus, the penalty beyond the largest abatement). With ``sell``, the value of the next
        allowance sold: the MAC of the abatement just above B − h (at h = B the MAC of the first
        tonne, 0 only from a surplus), i.e. each boundary belongs to the step above."""
        need = self.B - h
        if need < 0 or (need == 0 and not sell):
            return 0.0
        if need > self.A or (need == self.A and sell):
            return self.pen
        if self.L > 0:
            return self.b + self.c * need
        rest = need
        for k, q in self.steps:
            if rest < q or (rest == q and not sell):
                return k
            rest -= q
        return self.pen

    def holdings_at(self, x: float) -> float:
        """Holdings at which the firm's marginal value falls to price x: B − a(x), with a(x)
        the abatement at which its MAC reaches x."""
        if self.L > 0:
            a = min(max((x - self.b) / self.c, 0.0), self.L)
        else:
            a = sum(q for k, q in self.steps if k < x)
        return self.B - a

    def G(self, h: float) -> float:
        need = self.B - h
        if need <= 0:
            return 0.0
        if need <= self.A:
            return self.abatement_cost(need)
        return self.abatement_cost(self.A) + self.pen * (need - self.A)


class _Book:
    """A continuous double auction with a limit order book, traded by ZIP traders.

    Every firm trades on both sides with the Zero-Intelligence-Plus strategy of Cliff (1997),
    adapted to firms whose values change with their holdings: its bid is its marginal value
    m_i (the MAC of the abatement it still needs) less a profit margin, b_i = m_i·(1 − μ^b_i),
    its ask the value of the next allowance sold m^s_i (the MAC just above B − h: at h = B
    the first tonne's MAC) plus one, a_i = m^s_i·(1 + μ^s_i) (margins >= 0: no trade at a
    loss). Each round ``per_round`` times a firm, drawn at random, picks a side at random and
    replaces its standing order with a divisible one: at most ``lot`` allowances, no more than
    brings its marginal value to its price (a buyer buys until m_i falls to b_i, a seller
    sells until m^s_i rises to a_i, never below zero holdings). The order walks the opposite
    side of the book while prices cross, each fill at the midpoint of the two prices; what is
    left rests in the book.

    Margins learn once per round from the round's last trade, else its last shout, at price q
    (with one order per round: after every shout, as Cliff's traders do), by Cliff's rules:
    when it traded, sellers asking at or below q raise their price and buyers bidding at or
    above q lower theirs; after a traded bid, sellers asking above q lower; after a traded
    offer, buyers bidding below q raise; an offer left resting makes sellers asking above it
    lower, a bid left resting makes buyers bidding below it raise. A price moves toward
    τ = R·q + A (R ~ U[1, 1.05], A ~ U[0, 0.002·s] to raise; R ~ U[0.95, 1], −A to lower; s the
    market's price scale) by the Widrow–Hoff rule with momentum, Γ ← γ·Γ + (1 − γ)·β·(τ − price),
    price ← price + Γ, with β ~ U[0.1, 0.5] and γ ~ U[0, 0.1] per trader; the margin is then read
    back from the price.
    Initial margins ~ U[MARGIN_LOW, MARGIN_HIGH].
    """

    def __init__(
        self, firms: list[_Firm], h: np.ndarray, rng, rounds: int, lot: float, scale: float, tick: float, per_round: int
    ):
        N = len(firms)
        self.firms, self.h, self.rng, self.rounds = firms, h.astype(float).copy(), rng, rounds
        self.per_round = per_round
        self.lot, self.min_order, self.scale = lot, tick * 1e-3, scale
        self.floor = 1e-3 * scale  # a firm with a surplus (m = 0) still asks a positive price
        self.m = np.array([f.marginal(x) for f, x in zip(firms, self.h)])  # value of the next unit bought
        self.ms = np.array([f.marginal(x, sell=True) for f, x in zip(firms, self.h)])  # value of the next unit sold
        self.mu_b = rng.uniform(MARGIN_LOW, MARGIN_HIGH, N)
        self.mu_s = rng.uniform(MARGIN_LOW, MARGIN_HIGH, N)
        self.beta = rng.uniform(0.1, 0.5, (2, N))
        self.gamma = rng.uniform(0.0, 0.1, (2, N))
        self.momentum = np.zeros((2, N))
        self.ask_p, self.ask_q = np.full(N, np.inf), np.zeros(N)
        self.bid_p, self.bid_q = np.full(N, -np.inf), np.zeros(N)
        self.value = self.volume = 0.0
        self.fills: list[tuple[float, float]] = []

    def bids(self) -> np.ndarray:
        return self.m * (1.0 - self.mu_b)

    def asks(self) -> np.ndarray:
        return np.maximum(self.ms, self.floor) * (1.0 + self.mu_s)

    def run(self):
        """Yield the trades (round, buyer, seller, price, quantity) in order."""
        N, k = len(self.firms), self.per_round
        who = self.rng.integers(0, N, size=(self.rounds, k))
        side = self.rng.random((self.rounds, k)) < 0.5
        for r in range(self.rounds):
            heard = None  # the shout the traders learn from: the round's last trade, else its last shout
            for s in range(k):
                i = int(who[r, s])
                buying = bool(side[r, s])
                x, last = yield from self._shout(r, i, buying)
                if last is not None:
                    heard = (last, buying, True)
                elif x is not None and (heard is None or not heard[2]):
                    heard = (x, buying, False)
            if heard is not None:
                self._learn(heard[0], bid=heard[1], traded=heard[2])

    def _shout(self, r: int, i: int, buying: bool):
        """Firm i replaces its order on one side with a new one and trades what crosses; yields
        the trades and returns (its limit price or None, the last fill price or None)."""
        f = self.firms[i]
        m = float(self.m[i] if buying else self.ms[i])
        if buying:
            self.bid_p[i], self.bid_q[i] = -np.inf, 0.0
            x = m * (1.0 - self.mu_b[i])
            want = f.holdings_at(x) - self.h[i]
        else:
            self.ask_p[i], self.ask_q[i] = np.inf, 0.0
            x = max(m, self.floor) * (1.0 + self.mu_s[i])
            want = min(self.h[i] - f.holdings_at(x), self.h[i])
        want = min(want, self.lot)
        if want < self.min_order or x <= 0:
            return None, None
        last = None
        while want >= self.min_order:
            if buying:
                j = int(np.argmin(self.ask_p))
                if j == i or not self.ask_p[j] <= x:
                    break
                p, q = 0.5 * (x + float(self.ask_p[j])), min(want, float(self.ask_q[j]))
                self.ask_q[j] -= q
                if self.ask_q[j] < self.min_order:
                    self.ask_p[j], self.ask_q[j] = np.inf, 0.0
                b, s = i, j
            else:
                j = int(np.argmax(self.bid_p))
                if j == i or not self.bid_p[j] >= x:
                    break
                p, q = 0.5 * (x + float(self.bid_p[j])), min(want, float(self.bid_q[j]))
                self.bid_q[j] -= q
                if self.bid_q[j] < self.min_order:
                    self.bid_p[j], self.bid_q[j] = -np.inf, 0.0
                b, s = j, i
            self.h[b] += q
            self.h[s] -= q
            for k in (b, s):
                self.m[k] = self.firms[k].marginal(self.h[k])
                self.ms[k] = self.firms[k].marginal(self.h[k], sell=True)
            want -= q
            self.value += p * q
            self.volume += q
            self.fills.append((p, q))
            last = p
            yield r, b, s, p, q
        if want >= self.min_order:
            if buying:
                self.bid_p[i], self.bid_q[i] = x, want
            else:
                self.ask_p[i], self.ask_q[i] = x, want
        return x, last

    def _learn(self, q: float, *, bid: bool, traded: bool) -> None:
        """Cliff's ZIP update of every trader's margins after a shout at q (see the class)."""
        ask, bidp = self.asks(), self.bids()
        can_sell, can_buy = self.h > self.min_order, self.m > 0
        none = np.zeros(len(ask), dtype=bool)
        if traded:
            s_up, b_down = ask <= q, bidp >= q  # margins up
            s_down = can_sell & (ask >= q) & ~s_up if bid else none
            b_up = can_buy & (bidp <= q) & ~b_down if not bid else none
        else:
            s_up = b_down = none
            s_down = can_sell & (ask >= q) if not bid else none
            b_up = can_buy & (bidp <= q) if bid else none
        N = len(ask)
        u = self.rng.random((2, 2, N))
        raise_to = q * (1.0 + 0.05 * u[0]) + 0.002 * self.scale * u[1]
        lower_to = q * (1.0 - 0.05 * u[0]) - 0.002 * self.scale * u[1]
        for k, (price, up, down, base) in enumerate(
            ((ask, s_up, s_down, np.maximum(self.ms, self.floor)), (bidp, b_up, b_down, self.m))
        ):
            move = up | down
            if not move.any():
                continue
            target = np.where(up, raise_to[k], lower_to[k])
            delta = self.beta[k] * (target - price)
            self.momentum[k] = np.where(
                move, self.gamma[k] * self.momentum[k] + (1 - self.gamma[k]) * delta, self.momentum[k]
            )
            new = price + self.momentum[k]
            with np.errstate(divide="ignore", invalid="ignore"):
                if k == 0:
                    mu = np.where(move, np.maximum(new / base - 1.0, MARGIN_FLOOR), self.mu_s)
                    self.mu_s = np.where(np.isfinite(mu), mu, self.mu_s)
                else:
                    mu = np.where(move & (base > 0), np.clip(1.0 - new / base, MARGIN_FLOOR, 1.0), self.mu_b)
                    self.mu_b = np.where(np.isfinite(mu), mu, self.mu_b)

    def closing_price(self) -> float:
        """Volume-weighted mean price of the last quarter of the traded volume (NaN: no trade)."""
        if not self.fills:
            return float("nan")
        p, q = np.array(self.fills).T
        late = np.cumsum(q[::-1]) - q[::-1] < 0.25 * q.sum()
        return float((p[::-1][late] * q[::-1][late]).sum() / q[::-1][late].sum())


def simulate(inp: MarketInputs, cfg: AgentsSection) -> AgentResult:
    """Run the agent-based market period by period with a seeded generator.

    Parameters
    ----------
    inp
        The market.
    cfg
        ``rounds`` (trading rounds per period, of ``orders_per_round`` orders each), ``seed``, ``lot`` (allowances per order, default
        automatic: the mean absolute gap between baseline and free allocation / 20).
    """
    rng = np.random.default_rng(cfg.seed)
    N, T = inp.n_firms, inp.n_periods
    curves = Curves(inp)
    highest_mac = float(np.max(inp.intercept + inp.slope * inp.lin_max, initial=0.0))
    finite_steps = inp.step_cost[np.isfinite(inp.step_cost)]
    highest_mac = max(highest_mac, float(finite_steps.max(initial=0.0)), 1.0)
    # without a penalty, a shortfall is costed at twice the highest MAC of the market
    penalty_price = np.where(np.isfinite(inp.penalty_price), inp.penalty_price, 2.0 * highest_mac)
    steps = [[(float(c), float(q)) for c, q in zip(inp.step_cost[i], inp.step_qty[i]) if q > 0] for i in range(N)]
    gap = float(np.abs(inp.baseline - inp.free).mean())
    scale = float(inp.baseline.mean()) if inp.baseline.size else 1.0
    lot = cfg.lot if cfg.lot is not None else max(gap / 20.0, scale / 100.0, 1e-9)
    per_round = cfg.orders_per_round or orders_per_round(N)
    most_lots = float(inp.auction_volume.max(initial=0.0)) / lot
    if most_lots > 1e6:
        raise InputError(
            f"the auction volume is {most_lots:.3g} lots of {lot:g} {inp.unit}: too many to bid for one by one",
            key="agents.lot",
            expected="a larger lot (allowances per order)",
            found=lot,
        )

    holdings_start = np.zeros(N)
    if inp.initial_bank > 0:
        holdings_start = holder_weights(inp.free, inp.baseline)[:, 0] * inp.initial_bank
    prev_bank = holdings_start.copy()
    cols = {k: np.zeros((N, T)) for k in ("abatement", "surrendered", "holdings", "expired", "penalised", "bought")}
    per = {
        k: np.zeros(T)
        for k in (
            "price",
            "volume",
            "efficiency",
            "auction_sold",
            "auction_price",
            "max_gain",
            "realised_gain",
            "closing_price",
            "equilibrium_price",
        )
    }
    trades: list[tuple] = []
    for t in range(T):
        penalty = float(penalty_price[t])
        firms = [
            _Firm(
                float(inp.baseline[i, t]),
                float(inp.intercept[i, t]),
                float(inp.slope[i, t]),
                float(inp.lin_max[i, t]),
                steps[i],
                penalty,
            )
            for i in range(N)
        ]
        h = prev_bank + inp.free[:, t]
        # --- primary auction: a uniform-price call auction of lots at the reserve price -----
        n_lots = int(np.floor(inp.auction_volume[t] / lot + 1e-9))
        sold_lots = 0
        if n_lots > 0:
            bids, owners = [], []
            for i, f in enumerate(firms):
                x = h[i]
                for _ in range(n_lots):
                    v = (f.G(x) - f.G(x + lot)) / lot
                    if v <= inp.reserve_price[t]:
                        break
                    bids.append(v)
                    owners.append(i)
                    x += lot
            result = call_auction(bids, [float(inp.reserve_price[t])] * n_lots)
            sold_lots = result.quantity
            if sold_lots:
                price = max(result.price_low, float(inp.reserve_price[t]))
                order = np.argsort(-np.asarray(bids), kind="stable")[:sold_lots]
                for k in order:
                    h[owners[k]] += lot
                    cols["bought"][owners[k], t] += lot
                per["auction_price"][t] = price
        per["auction_sold"][t] = sold_lots * lot
        h_after_auction = h.copy()
        # --- continuous double auction of ZIP-style traders (see _Book) ---------------------
        # orders of at most `lot` when the user sets one, else of any size
        cda = _Book(firms, h, rng, cfg.rounds, lot=cfg.lot or np.inf, scale=highest_mac, tick=lot, per_round=per_round)
        for r, buyer, seller, p, q in cda.run():
            trades.append((int(inp.periods[t]), r, inp.firm_ids[buyer], inp.firm_ids[seller], p, q))
        h = cda.h
        value, spent = cda.value, cda.volume
        per["closing_price"][t] = cda.closing_price()
        per["volume"][t] = spent
        per["price"][t] = value / spent if spent > 0 else np.nan
        # --- compliance -----------------------------------------------------------------------
        for i, f in enumerate(firms):
            need = max(f.B - h[i], 0.0)
            a = min(need, f.A)
            cols["abatement"][i, t] = a
            cols["penalised"][i, t] = need - a
            cols["surrendered"][i, t] = f.B - need
        cols["holdings"][:, t] = h - cols["surrendered"][:, t]
        if not inp.banking or (t == T - 1 and not inp.valid_after_horizon):
            cols["expired"][:, t] = cols["holdings"][:, t]
        cols["bought"][:, t] += h - h_after_auction
        prev_bank = cols["holdings"][:, t] - cols["expired"][:, t]
        # --- efficiency: realised / largest gains from trade among the same allowances -----
        before = sum(f.G(x) for f, x in zip(firms, h_after_auction))
        after = sum(f.G(x) for f, x in zip(firms, h))
        best, per["equilibrium_price"][t] = _least_cost(inp, t, h_after_auction, penalty)
        per["max_gain"][t] = before - best
        per["realised_gain"][t] = before - after
        per["efficiency"][t] = (before - after) / (before - best) if before - best > 1e-12 * max(before, 1) else 1.0

    free = inp.free
    flows = Flows(
        free=free,
        auction_issued=inp.auction_volume,
        release=np.zeros(T),
        intake=np.zeros(T),
        invalidated=np.zeros(T),
        auction_sold=per["auction_sold"],
        ceiling_sold=np.zeros(T),
        surrendered=cols["surrendered"],
        holdings=cols["holdings"],
        expired=cols["expired"],
        initial_bank=holdings_start,
        initial_reserve=0.0,
    )
    registry = book(inp.firm_ids, inp.periods, flows)
    emissions = inp.baseline - cols["abatement"]
    abatement_cost = curves.cost(cols["abatement"], None, slice(None))
    # the period's market price: the closing price (the last quarter of the traded volume),
    # comparable with the equilibrium once price discovery is over; mean_trade_price: all trades
    price = np.where(np.isnan(per["closing_price"]), 0.0, per["closing_price"])
    mean_trade_price = np.where(np.isnan(per["price"]), 0.0, per["price"])
    tr = pd.DataFrame(trades, columns=["period", "round", "buyer", "seller", "price", "quantity"])
    trade_cost = _net_bought(inp, tr, tr["price"] * tr["quantity"])
    auction_pay = per["auction_price"][None, :] * (cols["bought"] - _net_bought(inp, tr, tr["quantity"]))
    compliance = abatement_cost + trade_cost + auction_pay + cols["penalised"] * penalty_price[None, :]
    bank_total = (cols["holdings"] - cols["expired"]).sum(axis=0)
    eq_price = per["equilibrium_price"]
    periods = pd.DataFrame(
        {
            "period": inp.periods,
            "price": price,
            "emissions": emissions.sum(axis=0),
            "abatement": cols["abatement"].sum(axis=0),
            "offsets": 0.0,
            "bank": bank_total,
            "auction_sold": per["auction_sold"],
            "auction_unsold": inp.auction_volume - per["auction_sold"],
            "ceiling_sold": 0.0,
            "reserve_intake": 0.0,
            "reserve_release": 0.0,
            "reserve_holdings": 0.0,
            "reserve_invalidated": 0.0,
            "auction_revenue": per["auction_price"] * per["auction_sold"],
            "efficiency": per["efficiency"],
            "volume": per["volume"],
            "auction_price": per["auction_price"],
            "non_compliance": cols["penalised"].sum(axis=0),
            "equilibrium_price": eq_price,
            # relative error; undefined (NaN) where the equilibrium price is 0
            "price_error": np.divide(price - eq_price, eq_price, out=np.full(len(price), np.nan), where=eq_price != 0),
            "mean_trade_price": mean_trade_price,
            "max_gain": per["max_gain"],
            "realised_gain": per["realised_gain"],
            "unit": inp.unit,
        }
    )
    firms_table = pd.DataFrame(
        {
            "period": np.repeat(inp.periods, N),
            "firm": labels(inp.firm_ids, T),
            "sector": labels(inp.sectors, T),
            "allocation": free.T.reshape(-1),
            "emissions": emissions.T.reshape(-1),
            "abatement": cols["abatement"].T.reshape(-1),
            "offsets": 0.0,
            "obligation": inp.baseline.T.reshape(-1) - cols["abatement"].T.reshape(-1),
            "surrendered": cols["surrendered"].T.reshape(-1),
            "non_compliance": cols["penalised"].T.reshape(-1),
            "net_purchase": (cols["surrendered"] - free).T.reshape(-1),
            "abatement_cost": abatement_cost.T.reshape(-1),
            "compliance_cost": compliance.T.reshape(-1),
            "bank": (cols["holdings"] - cols["expired"]).T.reshape(-1),
        }
    )
    u = unit_slug(inp.unit)
    ignored = [
        name
        for name, on in (
            ("offsets", inp.offset_limit > 0 and inp.offset_cost.shape[1] > 0),
            ("ceiling", bool(np.any(np.isfinite(inp.ceiling_price)))),
            ("msr", inp.msr is not None),
            ("gap cap / gas obligation rules", bool(np.any(inp.gap_share < 1))),
            ("borrowing", inp.borrows),
        )
        if on
    ]
    summary = {
        "ignored_in_agent_mode": ", ".join(ignored),
        "unit": inp.unit,
        "mode": "agents",
        "unit_slug": u,
        "seed": cfg.seed,
        "rounds": cfg.rounds,
        "orders_per_round": per_round,
        f"lot_{u}": float(lot),
        "firms": N,
        "periods": T,
        "first_period": int(inp.periods[0]),
        "last_period": int(inp.periods[-1]),
        f"price_first_cny_per_{u}": float(price[0]),
        f"price_last_cny_per_{u}": float(price[-1]),
        f"emissions_total_{u}": float(emissions.sum()),
        f"abatement_total_{u}": float(cols["abatement"].sum()),
        f"traded_total_{u}": float(per["volume"].sum()),
        "trades": len(tr),
        "efficiency": float(per["realised_gain"].sum() / per["max_gain"].sum()) if per["max_gain"].sum() > 0 else 1.0,
        "abatement_cost_total_cny": float(abatement_cost.sum()),
    }
    return AgentResult(periods, firms_table, registry.ledger, registry.balances, tr, summary)


def _net_bought(inp: MarketInputs, tr: pd.DataFrame, amount: pd.Series) -> np.ndarray:
    """Net ``amount`` per trade of the double auction by firm and period (N, T): added to
    the buyer, taken from the seller (quantity → lots bought, price × quantity → payments)."""
    net = np.zeros((inp.n_firms, inp.n_periods))
    if len(tr):
        idx = {f: k for k, f in enumerate(inp.firm_ids)}
        t_of = {p: k for k, p in enumerate(inp.periods)}
        period = tr["period"].map(t_of).to_numpy()
        np.add.at(net, (tr["buyer"].map(idx).to_numpy(), period), amount.to_numpy())
        np.add.at(net, (tr["seller"].map(idx).to_numpy(), period), -amount.to_numpy())
    return net


def _least_cost(inp: MarketInputs, t: int, holdings: np.ndarray, penalty: float) -> tuple[float, float]:
    """Least total cost Σ G_i of the allowances ``holdings`` (CNY) and its price (CNY/unit): the
    competitive equilibrium of the allowances the double auction trades in period t, without
    the rules agent mode leaves out (offsets, reserves, banking between periods)."""
    single = inp.with_(
        periods=inp.periods[t : t + 1],
        baseline=inp.baseline[:, t : t + 1],
        free=holdings[:, None].astype(float),
        intercept=inp.intercept[:, t : t + 1],
        slope=inp.slope[:, t : t + 1],
        lin_max=inp.lin_max[:, t : t + 1],
        gap_share=np.ones(inp.n_firms),
        banking=False,
        borrow_limit=np.zeros(1),
        initial_bank=0.0,
        auction_volume=np.zeros(1),
        reserve_price=np.zeros(1),
        ceiling_price=np.full(1, np.inf),
        ceiling_qty=np.zeros(1),
        penalty_price=np.full(1, penalty),
        penalty_caps_price=True,
        offset_limit=0.0,
        offset_cost=np.zeros((1, 0)),
        offset_qty=np.zeros((1, 0)),
        msr=None,
        pre_borrow_threshold=None,
        pre_borrow_from=np.full(1, -1),
        pre_borrowed=np.zeros((inp.n_firms, 1)),
    )
    r = clear(single, ledger=False)
    cost = float(r.firms["abatement_cost"].sum() + (r.firms["non_compliance"] * penalty).sum())
    return cost, float(r.periods["price"].iloc[0])
