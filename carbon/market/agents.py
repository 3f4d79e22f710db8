"""Agent-based trading: a continuous double auction of budget-constrained traders.

Each period, the auction volume is first sold in a uniform-price call auction
(:func:`carbon.market.auction.call_auction`) to the firms' unit bids at the lowest clearing
price not below the reserve price. Then ``rounds`` orders are submitted to a continuous
double auction by zero-intelligence-constrained traders (Gode and Sunder, 1993): a randomly
drawn firm, on a random side, bids a uniform random price in [0, v] for one lot, where v is
the cost it saves by holding one more lot, or asks a uniform random price in [c, p_max],
where c is the cost of abating one lot more; no trader accepts a loss. An order that crosses
the best standing opposite order trades at the standing order's price; after each trade the
book is cleared. A firm's cost of holding h allowances is

    G(h) = C(min(max(B − h, 0), A)) + π · max(B − h − A, 0),

with C its abatement cost, B its baseline, A its largest abatement and π the penalty (or,
without one, twice the highest MAC of the market). Efficiency is realised gains from trade
over the largest possible gains (the competitive equilibrium of the same allowances).

Simplifications (documented in docs/market.md): periods are traded one after another;
offsets, the ceiling reserve and the stability reserve act in equilibrium mode only; every
firm surrenders its verified emissions (the standard rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon.errors import CarbonError, InputError
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

    def G(self, h: float) -> float:
        need = self.B - h
        if need <= 0:
            return 0.0
        if need <= self.A:
            return self.abatement_cost(need)
        return self.abatement_cost(self.A) + self.pen * (need - self.A)


def simulate(inp: MarketInputs, cfg: AgentsSection) -> AgentResult:
    """Run the agent-based market period by period with a seeded generator.

    Parameters
    ----------
    inp
        The market.
    cfg
        ``rounds`` (orders per period), ``seed``, ``lot`` (allowances per order, default
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
        )
    }
    trades: list[tuple] = []
    for t in range(T):
        penalty = float(penalty_price[t])
        p_max = max(penalty, highest_mac)
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
        # --- continuous double auction ------------------------------------------------------
        who = rng.integers(0, N, size=cfg.rounds)
        side = rng.random(cfg.rounds) < 0.5
        u = rng.random(cfg.rounds)
        bid = ask = None  # (price, firm)
        value, spent = 0.0, 0.0
        for r in range(cfg.rounds):
            i = int(who[r])
            f = firms[i]
            if side[r]:  # buy one lot
                v = (f.G(h[i]) - f.G(h[i] + lot)) / lot
                if v <= 0:
                    continue
                price = u[r] * v
                if ask is not None and ask[1] != i and price >= ask[0]:
                    p, seller = ask
                    h[i] += lot
                    h[seller] -= lot
                    trades.append((int(inp.periods[t]), r, inp.firm_ids[i], inp.firm_ids[seller], p, lot))
                    value += p * lot
                    spent += lot
                    bid = ask = None
                elif bid is None or price > bid[0]:
                    bid = (price, i)
            else:  # sell one lot
                if h[i] < lot:
                    continue
                c = (f.G(h[i] - lot) - f.G(h[i])) / lot
                if c >= p_max:
                    continue
                price = c + u[r] * (p_max - c)
                if bid is not None and bid[1] != i and price <= bid[0]:
                    p, buyer = bid
                    h[i] -= lot
                    h[buyer] += lot
                    trades.append((int(inp.periods[t]), r, inp.firm_ids[buyer], inp.firm_ids[i], p, lot))
                    value += p * lot
                    spent += lot
                    bid = ask = None
                elif ask is None or price < ask[0]:
                    ask = (price, i)
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
        best = _least_cost(inp, t, h_after_auction, penalty)
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
    price = np.where(np.isnan(per["price"]), 0.0, per["price"])
    tr = pd.DataFrame(trades, columns=["period", "round", "buyer", "seller", "price", "quantity"])
    trade_cost = _net_bought(inp, tr, tr["price"] * tr["quantity"])
    auction_pay = per["auction_price"][None, :] * (cols["bought"] - _net_bought(inp, tr, tr["quantity"]))
    compliance = abatement_cost + trade_cost + auction_pay + cols["penalised"] * penalty_price[None, :]
    bank_total = (cols["holdings"] - cols["expired"]).sum(axis=0)
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
            "equilibrium_price": _equilibrium_prices(inp),
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


def _equilibrium_prices(inp: MarketInputs) -> np.ndarray:
    """The competitive equilibrium price of each period of the same market (CNY/unit): the
    reference the agents' transaction prices are compared with; NaN if it cannot clear."""
    try:
        return clear(inp, ledger=False).periods["price"].to_numpy(dtype=float)
    except CarbonError:
        return np.full(inp.n_periods, np.nan)


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


def _least_cost(inp: MarketInputs, t: int, holdings: np.ndarray, penalty: float) -> float:
    """Least total cost Σ G_i of the allowances ``holdings`` (the competitive equilibrium)."""
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
    )
    r = clear(single, ledger=False)
    return float(r.firms["abatement_cost"].sum() + (r.firms["non_compliance"] * penalty).sum())
