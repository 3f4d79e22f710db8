"""Offset limits that firms internalise (China's CCER rule: up to 5 % of the obligation)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest import approx

from carbon.market import clear, simple_market


def _three_firms(**kw):
    # MAC slopes 1, 2, 4; baselines 100, 80, 60; free allocation 70 + 50 + 41.5 = cap 161.5
    return simple_market([100, 80, 60], [1, 2, 4], [70.0, 50.0, 41.5], periods=[2021], banking=False, **kw)


def test_worked_example_emissions_based_limit_price_42():
    # Offsets at 2 CNY/t in ample supply, s = 0.05. A firm emitting one tonne more must
    # surrender one more unit and may cover 0.05 of it with an offset: it pays
    # 0.95·p + 0.05·2 per tonne. Balance: 161.5 + 0.05·E = E → E = 161.5 / 0.95 = 170,
    # so Σ a = 240 − 170 = 70 = p_eff·(1/1 + 1/2 + 1/4) = 1.75·p_eff → p_eff = 40,
    # p = (40 − 0.1) / 0.95 = 42. Firms abate 40, 20, 10 → emit 60, 60, 50 and use
    # 0.05 × that = 3, 3, 2.5 offsets.
    r = clear(_three_firms(offset_limit=0.05, offset_cost=np.array([[2.0]]), offset_qty=np.array([[np.inf]])))
    row = r.periods.iloc[0]
    assert row["price"] == approx(42.0, rel=1e-12)
    assert row["offset_price"] == approx(2.0)
    assert r.firms["emissions"].to_numpy() == approx([60.0, 60.0, 50.0], rel=1e-12)
    assert r.firms["offsets"].to_numpy() == approx([3.0, 3.0, 2.5], rel=1e-12)
    assert row["offsets"] == approx(8.5)
    # each firm's MAC = c_i·a_i = 40 = 0.95·42 + 0.05·2
    assert (np.array([1, 2, 4]) * r.firms["abatement"].to_numpy()) == approx([40.0] * 3, rel=1e-12)


def test_allocation_based_limit_is_taken_as_given():
    # limit 0.05 × free allocation 161.5 = 8.075 offsets, fixed: Σ e = 161.5 + 8.075 = 169.575,
    # p = (240 − 169.575) / 1.75 = 40.2428... (firms face p itself)
    r = clear(
        _three_firms(
            offset_limit=0.05,
            offset_basis="allocation",
            offset_cost=np.array([[2.0]]),
            offset_qty=np.array([[np.inf]]),
        )
    )
    assert r.periods["price"].iloc[0] == approx((240 - 169.575) / 1.75)
    assert r.periods["offset_price"].iloc[0] == approx(r.periods["price"].iloc[0])
    assert r.periods["offsets"].iloc[0] == approx(8.075)


def test_scarce_offsets_leave_firms_facing_the_allowance_price():
    # supply 5 < limit 0.05·E: all 5 are used, the limit does not bind, firms face p:
    # E = 161.5 + 5 = 166.5; p = (240 − 166.5) / 1.75 = 42
    r = clear(_three_firms(offset_limit=0.05, offset_cost=np.array([[2.0]]), offset_qty=np.array([[5.0]])))
    assert r.periods["price"].iloc[0] == approx(42.0)
    assert r.periods["offset_price"].iloc[0] == approx(42.0)  # offsets are worth the allowance price
    assert r.periods["offsets"].iloc[0] == approx(5.0)


def test_internalised_limit_with_banking_keeps_hotelling():
    # two periods, r = 5 %: the allowance price rises at r while the bank is positive, and in
    # each period firms abate until MAC = 0.95·p_t + 0.05·2
    inp = simple_market(
        [100, 80, 60],
        [1, 2, 4],
        [[70.0, 65.0], [50.0, 45.0], [41.5, 40.0]],
        periods=[2021, 2022],
        discount_rate=0.05,
        offset_limit=0.05,
        offset_cost=np.array([[2.0], [2.0]]),
        offset_qty=np.array([[np.inf], [np.inf]]),
    )
    r = clear(inp)
    p = r.periods["price"].to_numpy()
    assert r.periods["bank"].iloc[0] > 0
    assert p[1] == approx(1.05 * p[0], rel=1e-12)
    # zero final bank: Σ_t (free_t + 0.05·E_t − E_t) = 0 with E_t = 240 − 1.75·(0.95·p_t + 0.1)
    # → 0.95·Σ_t E_t = 311.5 → Σ E = 327.8947; 2·240 − 1.75·(0.95·2.05·p_0 + 0.2) = Σ E
    p0 = ((480 - 311.5 / 0.95) / 1.75 - 0.2) / (0.95 * 2.05)
    assert p[0] == approx(p0, rel=1e-12)


@st.composite
def offset_markets(draw):
    n = draw(st.integers(1, 6))
    t = draw(st.integers(1, 3))
    baseline = np.array(draw(st.lists(st.floats(10.0, 300.0), min_size=n, max_size=n)))[:, None] * np.ones(t)
    slope = np.array(draw(st.lists(st.floats(0.05, 5.0), min_size=n, max_size=n)))
    intercept = np.array(draw(st.lists(st.floats(0.0, 30.0), min_size=n, max_size=n)))
    share = np.array(draw(st.lists(st.floats(0.4, 1.0), min_size=n, max_size=n)))
    s = draw(st.floats(0.01, 0.3))
    cost = draw(st.floats(0.0, 80.0))
    qty = draw(st.sampled_from([np.inf, 0.02, 0.1, 0.3])) * baseline.sum(axis=0)[:, None]
    return simple_market(
        baseline,
        slope,
        baseline * share[:, None],
        intercept=intercept[:, None],
        periods=list(range(2021, 2021 + t)),
        banking=draw(st.booleans()),
        discount_rate=draw(st.sampled_from([0.0, 0.05])),
        offset_limit=s,
        offset_basis="emissions",
        offset_cost=np.full((t, 1), cost),
        offset_qty=qty,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offset_markets())
def test_each_firm_meets_its_first_order_condition(inp):
    """With an emissions-based limit s and offsets at cost c, the equilibrium has an offset
    price q with: MAC_i(a_i) = (1 − s)·p + s·q for each interior firm (corners at 0 or the
    baseline); q = p where the limit does not bind (offsets used < s·Σ e); q = c where it
    binds and offsets are left over; c <= q <= p where it binds and all are used."""
    r = clear(inp, ledger=False)
    s, c = inp.offset_limit, float(inp.offset_cost[0, 0])
    p = r.periods["price"].to_numpy()
    q = r.periods["offset_price"].to_numpy()
    used = r.periods["offsets"].to_numpy()
    emissions = r.periods["emissions"].to_numpy()
    supply = inp.offset_qty[:, 0]
    tol = 1e-9 * (inp.baseline.sum() + 1.0)
    ptol = 1e-9 * (p.max() + 1.0)
    binds = used >= s * emissions - tol
    assert (used <= s * emissions + tol).all() and (used <= supply + tol).all()
    assert np.all(q <= p + ptol)
    # not binding: firms face p (q = p); binding: the offset price lies in [c, p] and is c
    # itself when offsets are left unused
    assert np.all(np.where(binds, True, np.abs(q - p) <= ptol))
    assert np.all(np.where(binds & (p > c + ptol), q >= c - ptol, True))
    assert np.all(np.where(binds & (used < supply - tol) & (p > c + ptol), np.abs(q - c) <= ptol, True))
    # every firm: a_i = clip((p_eff − b_i)/c_i, 0, B_i)
    faced = np.where(q < p - ptol, (1 - s) * p + s * q, p)
    a = r.firms["abatement"].to_numpy().reshape(inp.n_periods, inp.n_firms).T
    expected = np.clip((faced[None, :] - inp.intercept) / inp.slope, 0.0, inp.lin_max)
    assert a == pytest.approx(expected, rel=1e-7, abs=1e-7 * (inp.baseline.max() + 1))
    # offsets per firm: s × its own emissions where the limit binds
    firm_off = r.firms["offsets"].to_numpy().reshape(inp.n_periods, inp.n_firms).T
    firm_e = r.firms["emissions"].to_numpy().reshape(inp.n_periods, inp.n_firms).T
    assert np.all(np.where(binds[None, :], np.abs(firm_off - s * firm_e) <= tol, True))
