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
    slope = np.array(draw(st.lists(st.one_of(st.just(np.inf), st.floats(0.05, 5.0)), min_size=n, max_size=n)))
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
    return simple_market(baseline, slope, free, periods=list(range(2021, 2021 + t)), **kw)


def solve(inp):
    try:
        return clear(inp)
    except SolverError:
        assume(False)


@SETTINGS
@given(markets())
def test_ledger_conserves_allowances(inp):
    r = solve(inp)  # clear() itself raises RegistryError on any violated invariant
    last = r.balances[r.balances["period"] == inp.periods[-1]].set_index("account")["balance"]
    issued = r.ledger.query("from_account == 'registry'")["quantity"].sum()
    holders = last.drop(["surrendered", "cancelled", "reserve"]).sum()
    accounted = last["surrendered"] + last["cancelled"] + last["reserve"] + holders
    assert issued == pytest.approx(accounted, rel=1e-9, abs=1e-6)
    # surrendered + offsets + uncovered = obligations, period by period
    p = r.periods
    assert (p["surrendered"] + p["offsets"] + p["non_compliance"]).to_numpy() == pytest.approx(
        p["obligation"].to_numpy(), rel=1e-9, abs=1e-6
    )


@SETTINGS
@given(markets())
def test_price_within_floor_and_ceiling(inp):
    r = solve(inp)
    price = r.periods["price"].to_numpy()
    assert (price >= 0).all()
    unlimited = ~np.isfinite(inp.ceiling_qty)
    assert (price[unlimited] <= inp.ceiling_price[unlimited] * (1 + 1e-12)).all()
    # the floor (auction reserve price) holds whenever the auction sells
    selling = r.periods["auction_sold"].to_numpy() > 1e-9
    assert (price[selling] >= inp.reserve_price[selling] * (1 - 1e-12)).all()


@SETTINGS
@given(markets())
def test_no_firm_abates_beyond_its_baseline(inp):
    r = solve(inp)
    a = r.firms["abatement"].to_numpy()
    b = inp.baseline.T.reshape(-1)
    assert (a >= -1e-9).all() and (a <= b * (1 + 1e-12) + 1e-9).all()


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
    0 <= y <= ceiling quantity (price P), 0 <= o <= min(offset supply, limit × F_t) (price O),
    δ_t = (1 + r)^−(y_t − y_0). Returns the optimal value and the abatement per period.
    """
    n, t = inp.baseline.shape
    disc = 1.0 / inp.growth()
    nv = n * t + 3 * t  # a (period-major), then x, y, o
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    off_cap = (
        np.minimum(inp.offset_qty[:, 0], inp.offset_limit * inp.free.sum(axis=0))
        if inp.offset_cost.shape[1]
        else np.zeros(t)
    )
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
            offset_basis="allocation",
            offset_cost=rng.uniform(0, 50, (t, 1)),
            offset_qty=rng.uniform(0, 40, (t, 1)),
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
