"""Property tests (hypothesis) of the quota market, and a cross-check against HiGHS's QP."""

from __future__ import annotations

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from carbon.errors import SolverError
from carbon.market import clear, simple_market
from carbon.market.response import Curves

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def markets(draw, max_firms=5, max_periods=4):
    n = draw(st.integers(1, max_firms))
    t = draw(st.integers(1, max_periods))
    vals = st.floats(1.0, 200.0)
    baseline = np.array(draw(st.lists(st.lists(vals, min_size=t, max_size=t), min_size=n, max_size=n)))
    # a firm's MAC: fixed emissions (inf), linear (a slope), or stepwise (None: up to 3 steps)
    slope = draw(st.lists(st.one_of(st.just(np.inf), st.floats(0.05, 5.0), st.none()), min_size=n, max_size=n))
    step_cost, step_qty = np.full((n, 3), np.inf), np.zeros((n, 3))
    for i in np.nonzero([c is None for c in slope])[0]:
        costs = sorted(draw(st.lists(st.floats(0.0, 150.0), min_size=1, max_size=3)))
        shares = draw(st.lists(st.floats(0.05, 0.33), min_size=len(costs), max_size=len(costs)))
        step_cost[i, : len(costs)] = costs
        step_qty[i, : len(costs)] = np.array(shares) * baseline[i].min()  # at most the baseline
    slope = np.array([np.inf if c is None else c for c in slope])
    share = np.array(draw(st.lists(st.floats(0.3, 1.2), min_size=n, max_size=n)))
    free = baseline * share[:, None]
    kw = {
        "discount_rate": draw(st.sampled_from([0.0, 0.03, 0.1])),
        "banking": draw(st.booleans()),
        "initial_bank": draw(st.sampled_from([0.0, 20.0])),
    }
    if draw(st.booleans()):
        kw["auction_volume"] = np.full(t, draw(st.floats(0.0, 100.0)))
        kw["reserve_price"] = np.full(t, draw(st.floats(0.0, 50.0)))
    if draw(st.booleans()):
        kw["ceiling_price"] = np.full(t, draw(st.floats(60.0, 300.0)))
        kw["ceiling_qty"] = np.full(t, draw(st.sampled_from([np.inf, 10.0])))
    if draw(st.booleans()):
        kw["offset_limit"] = draw(st.floats(0.0, 1.0))
        kw["offset_basis"] = draw(st.sampled_from(["emissions", "allocation"]))
        kw["offset_cost"] = np.full((t, 1), draw(st.floats(0.0, 80.0)))
        kw["offset_qty"] = np.full((t, 1), draw(st.sampled_from([np.inf, 15.0])))
    if draw(st.booleans()):
        kw["gap_share"] = np.array(draw(st.lists(st.sampled_from([1.0, 0.2, 0.0]), min_size=n, max_size=n)))
    inp = simple_market(baseline, slope, free, periods=list(range(2021, 2021 + t)), **kw)
    return inp.with_(step_cost=step_cost, step_qty=step_qty)


def solve(inp, ledger=True):
    try:
        return clear(inp, ledger=ledger)
    except SolverError:
        assume(False)


@SETTINGS
@given(markets())
def test_allowances_balance_period_by_period(inp):
    # from the tables alone (the other tests book the registry, which checks every account)
    r = solve(inp, ledger=False)
    p = r.periods
    tol = 1e-9 * (inp.baseline.sum() + inp.free.sum() + inp.auction_volume.sum() + inp.initial_bank + 1.0)
    # the bank carried out of a period is what came in, plus supply, minus what was covered:
    # B_{t-1} + free + auction + ceiling + offsets + uncovered − obligations − expired = B_t
    before = np.concatenate([[inp.initial_bank], p["bank"].to_numpy()[:-1]])
    supply = p["free_allocation"] + p["auction_sold"] + p["ceiling_sold"] + p["offsets"] + p["non_compliance"]
    after = before + (supply - p["obligation"] - p["expired"]).to_numpy()
    assert after == pytest.approx(p["bank"].to_numpy(), abs=tol)
    # the same from the firms' side: their net purchases are the newly sold allowances less
    # what went into (or came out of) the bank, and the firms hold the whole bank
    by_period = r.firms.groupby("period", observed=True)[["net_purchase", "bank"]].sum()
    sold = (p["auction_sold"] + p["ceiling_sold"] - p["expired"]).to_numpy() - (p["bank"].to_numpy() - before)
    assert by_period["net_purchase"].to_numpy() == pytest.approx(sold, abs=tol)
    assert by_period["bank"].to_numpy() == pytest.approx(p["bank"].to_numpy(), abs=tol)


@SETTINGS
@given(markets())
def test_price_within_floor_and_ceiling(inp):
    r = solve(inp)
    p = r.periods
    price = p["price"].to_numpy()
    assert (price >= 0).all()

    def above(level):
        return price > level * (1 + 1e-12)

    def below(level):
        return price < level * (1 - 1e-12)

    # the auction sells nothing below its reserve price (the floor) and everything above it
    assert (p["auction_sold"].to_numpy()[below(inp.reserve_price)] <= 1e-9).all()
    assert (p["auction_unsold"].to_numpy()[above(inp.reserve_price)] <= 1e-9).all()
    # the ceiling reserve sells nothing below its trigger and, if limited, all of it above
    assert (p["ceiling_sold"].to_numpy()[below(inp.ceiling_price)] <= 1e-9).all()
    limited = np.isfinite(inp.ceiling_qty) & above(inp.ceiling_price)
    assert p["ceiling_sold"].to_numpy()[limited] == pytest.approx(inp.ceiling_qty[limited])
    # offsets dearer than the price are not used
    if inp.offset_cost.shape[1]:
        assert (p["offsets"].to_numpy()[below(inp.offset_cost[:, 0])] <= 1e-9).all()


@SETTINGS
@given(markets())
def test_no_firm_abates_beyond_its_baseline(inp):
    r = solve(inp)
    a = r.firms["abatement"].to_numpy()
    b = inp.baseline.T.reshape(-1)
    assert (a >= -1e-9).all() and (a <= b * (1 + 1e-12) + 1e-9).all()
    assert (a <= inp.max_abatement.T.reshape(-1) * (1 + 1e-12) + 1e-9).all()


@SETTINGS
@given(markets())
def test_standard_firms_abate_until_their_mac_is_the_price(inp):
    # linear MAC: a = (p − b)/c within [0, L]; steps: every step cheaper than p in full, none
    # dearer, a step at p in part (bracketed by p ± a relative 1e-9)
    r = solve(inp, ledger=False)
    a = r.firms["abatement"].to_numpy().reshape(inp.n_periods, inp.n_firms).T
    # under an emissions-based offset limit a firm faces (1 − s)·p + s·q (q the offset price)
    p, q = r.periods["price"].to_numpy(), r.periods["offset_price"].to_numpy()
    s = inp.offset_limit if inp.offset_basis == "emissions" and inp.offset_cost.shape[1] else 0.0
    price = np.where(q < p, (1 - s) * p + s * q, p)[None, :]

    def can_abate(p, strict):
        lin = np.clip((p - inp.intercept) / inp.slope, 0.0, inp.lin_max)
        cost = inp.step_cost[:, :, None]
        used = cost < p[:, None, :] if strict else cost <= p[:, None, :]
        return lin + (used * inp.step_qty[:, :, None]).sum(axis=1)

    standard = inp.gap_share >= 1.0
    low = can_abate(price * (1 - 1e-9), strict=True)[standard]
    high = can_abate(price * (1 + 1e-9), strict=False)[standard]
    tol = 1e-9 * (inp.baseline.max() + 1.0)
    assert (a[standard] >= low - tol).all() and (a[standard] <= high + tol).all()


@st.composite
def static_markets(draw):
    n = draw(st.integers(1, 8))
    baseline = np.array(draw(st.lists(st.floats(1.0, 500.0), min_size=n, max_size=n)))
    slope = np.array(draw(st.lists(st.floats(0.01, 10.0), min_size=n, max_size=n)))
    intercept = np.array(draw(st.lists(st.floats(0.0, 50.0), min_size=n, max_size=n)))
    share = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    return simple_market(baseline, slope, baseline * share, intercept=intercept[:, None], periods=[2021])


@settings(max_examples=40, deadline=None)
@given(static_markets())
def test_equilibrium_cost_never_exceeds_no_trade_cost(inp):
    r = clear(inp)
    # no trade: each firm abates its own gap B − F (feasible: linear MACs reach the baseline)
    own = inp.baseline - inp.free
    no_trade = Curves(inp).cost(own, None, slice(None)).sum()
    assert r.firms["abatement_cost"].sum() <= no_trade * (1 + 1e-12) + 1e-9
    # payments only move between firms
    assert (r.firms["net_purchase"]).sum() == pytest.approx(0.0, abs=1e-7 * inp.baseline.sum())


def qp_reference(inp) -> tuple[float, np.ndarray]:
    """The same market as a convex programme solved by HiGHS (the reference answer).

    min Σ_t δ_t [Σ_i (b_i a_it + c_i a_it² / 2) + R_t x_t + P_t y_t + O_t o_t]
    s.t. bank_τ = bank_0 + Σ_{t<=τ} (F_t + x_t + y_t + o_t − Σ_i (B_it − a_it)) >= 0 (each τ;
    each period alone without banking), 0 <= a <= L, 0 <= x <= auction volume (reserve R),
    0 <= y <= ceiling quantity (price P), 0 <= o <= min(offset supply, limit × F_t) (price O)
    or, with an emissions-based limit, 0 <= o <= supply and o_t <= limit × Σ_i (B_it − a_it),
    δ_t = (1 + r)^−(y_t − y_0). Returns the optimal value and the abatement per period.
    """
    n, t = inp.baseline.shape
    disc = 1.0 / inp.growth()
    nv = n * t + 3 * t  # a (period-major), then x, y, o
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    by_emissions = inp.offset_basis == "emissions" and inp.offset_cost.shape[1] > 0
    off_cap = (
        np.minimum(inp.offset_qty[:, 0], np.inf if by_emissions else inp.offset_limit * inp.free.sum(axis=0))
        if inp.offset_cost.shape[1]
        else np.zeros(t)
    )
    off_cap = np.where(np.isfinite(off_cap), off_cap, highspy.kHighsInf)
    off_cost = inp.offset_cost[:, 0] if inp.offset_cost.shape[1] else np.zeros(t)
    ceil_cap = np.where(np.isfinite(inp.ceiling_price), inp.ceiling_qty, 0.0)
    ceil_cost = np.where(np.isfinite(inp.ceiling_price), inp.ceiling_price, 0.0)
    upper = np.concatenate([inp.lin_max.T.reshape(-1), inp.auction_volume, ceil_cap, off_cap])
    cost = np.concatenate(
        [
            (inp.intercept * disc[None, :]).T.reshape(-1),
            inp.reserve_price * disc,
            ceil_cost * disc,
            off_cost * disc,
        ]
    )
    h.addVars(nv, np.zeros(nv), upper)
    h.changeColsCost(nv, np.arange(nv), cost)
    need = (inp.baseline - inp.free).sum(axis=0)
    for tau in range(t):
        periods = range(tau + 1) if inp.banking else [tau]
        cols = [k * n + i for k in periods for i in range(n)] + [n * t + j * t + k for k in periods for j in range(3)]
        rhs = sum(need[k] for k in periods) - (inp.initial_bank if inp.banking or tau == 0 else 0.0)
        h.addRow(rhs, highspy.kHighsInf, len(cols), np.array(cols), np.ones(len(cols)))
    if by_emissions:
        # o_t <= s · Σ_i (B_it − a_it): o_t + s · Σ_i a_it <= s · Σ_i B_it
        s = inp.offset_limit
        for k in range(t):
            cols = [k * n + i for i in range(n)] + [n * t + 2 * t + k]
            vals = [s] * n + [1.0]
            h.addRow(-highspy.kHighsInf, s * inp.baseline[:, k].sum(), len(cols), np.array(cols), np.array(vals))
    hess = np.concatenate([(inp.slope * disc[None, :]).T.reshape(-1), np.zeros(3 * t)])
    h.passHessian(
        nv,
        nv,
        highspy.HessianFormat.kTriangular,
        np.arange(nv).astype(np.int32),
        np.arange(nv).astype(np.int32),
        hess,
    )
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    x = np.asarray(h.getSolution().col_value)[: n * t].reshape(t, n)
    return float(h.getInfo().objective_function_value), x.sum(axis=1)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 6),
    st.integers(1, 5),
    st.sampled_from([0.0, 0.05, 0.2]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.integers(0, 10_000),
)
def test_equilibrium_matches_a_convex_programme_solved_by_highs(n, t, rate, banking, auction, ceiling, offsets, seed):
    check_against_highs(n, t, rate, banking, auction, ceiling, offsets, seed, "allocation")


@settings(max_examples=30, deadline=None)
@given(
    st.integers(2, 6),
    st.integers(1, 5),
    st.sampled_from([0.0, 0.05, 0.2]),
    st.booleans(),
    st.booleans(),
    st.integers(0, 10_000),
)
def test_emissions_limit_equilibrium_matches_the_convex_programme(n, t, rate, banking, auction, seed):
    # firms internalise the limit o_i <= s·e_i: the equilibrium is the planner's optimum with
    # the linear constraint o_t <= s·Σ_i e_it (no firm takes its limit as given)
    check_against_highs(n, t, rate, banking, auction, False, True, seed, "emissions")


def check_against_highs(n, t, rate, banking, auction, ceiling, offsets, seed, basis):
    rng = np.random.default_rng(seed)
    baseline = rng.uniform(50, 150, (n, t))
    slope = rng.uniform(0.2, 3.0, (n, 1))
    intercept = rng.uniform(0, 20, (n, 1))
    free = baseline * rng.uniform(0.5, 1.0, (n, t))
    kw = {}
    if auction:
        kw.update(auction_volume=rng.uniform(0, 60, t), reserve_price=rng.uniform(0, 60, t))
    if ceiling:
        kw.update(ceiling_price=rng.uniform(60, 120, t), ceiling_qty=rng.uniform(0, 30, t))
    if offsets:
        kw.update(
            offset_limit=0.1,
            offset_basis=basis,
            offset_cost=rng.uniform(0, 50, (t, 1)),
            # emissions basis: a limit of ~10 % of ~100·n emitted, so supply up to 30·n makes it bind
            offset_qty=rng.uniform(0, 40 if basis == "allocation" else 30 * n, (t, 1)),
        )
    inp = simple_market(
        baseline,
        slope,
        free,
        intercept=intercept,
        periods=list(range(2021, 2021 + t)),
        discount_rate=rate,
        banking=banking,
        **kw,
    )
    r = clear(inp)
    # firms take their offset limit as given: the reference assumes no firm's obligation falls
    # below its allocation-based limit (the limit would then be its obligation)
    if basis == "allocation":
        assume(not offsets or np.all(r.firms["obligation"].to_numpy() >= 0.1 * inp.free.T.reshape(-1)))
    objective, abatement = qp_reference(inp)
    p = r.periods
    disc = 1.0 / inp.growth()
    spent = (
        p["abatement_cost"]
        + inp.reserve_price * p["auction_sold"]
        + np.where(np.isfinite(inp.ceiling_price), inp.ceiling_price, 0.0) * p["ceiling_sold"]
        + r.path.offsets_cost
    ).to_numpy()
    assert float((spent * disc).sum()) == pytest.approx(objective, rel=1e-6, abs=1e-5)
    assert p["abatement"].to_numpy() == pytest.approx(abatement, rel=1e-5, abs=1e-4)


@SETTINGS
@given(markets(max_periods=5))
def test_no_arbitrage_along_the_price_path(inp):
    # Hotelling: where holders carry a bank into the next period the price rises exactly at r;
    # where the bank sits at its bound the (discounted) price may only fall.
    assume(inp.banking)
    r = solve(inp)
    price = r.periods["price"].to_numpy()
    bank = r.periods["bank"].to_numpy()
    growth = inp.growth()
    lower = -inp.borrow_limit
    scale = inp.baseline.sum()
    for t in range(inp.n_periods - 1):
        step = growth[t + 1] / growth[t]
        if bank[t] > lower[t] + 1e-9 * scale:
            assert price[t + 1] == pytest.approx(price[t] * step, rel=1e-9, abs=1e-9)
        else:
            assert price[t + 1] <= price[t] * step * (1 + 1e-9) + 1e-9


@settings(max_examples=15, deadline=None)
@given(static_markets(), st.integers(0, 1000))
def test_agents_conserve_allowances_and_never_beat_the_equilibrium(inp, seed):
    from carbon.market.agents import simulate
    from carbon.market.schema import AgentsSection

    r = simulate(inp.with_(penalty_price=np.array([1000.0])), AgentsSection(rounds=300, seed=seed))
    # the registry checks ran inside simulate(); totals: surrendered + bank = allocation
    assert r.firms["surrendered"].sum() + r.periods["bank"].sum() == pytest.approx(
        inp.free.sum() + r.periods["auction_sold"].sum(), rel=1e-9, abs=1e-6
    )
    eff = r.periods["efficiency"].to_numpy()
    assert (eff >= -1e-9).all() and (eff <= 1 + 1e-9).all()
