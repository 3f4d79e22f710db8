"""Hand-checked equilibria of the quota market (carbon.market).

Every expected number is computed by hand in the test, with the arithmetic in comments.
"""

from __future__ import annotations

import numpy as np
import pytest

from carbon.market import clear, simple_market
from carbon.market.inputs import MsrParams

REL = 1e-9


def approx(x):
    return pytest.approx(x, rel=REL, abs=1e-7)


def test_static_price_is_excess_over_sum_of_inverse_slopes():
    # Three firms, MAC_i(a) = c_i·a with c = 1, 2, 4 and baseline 100 each; cap 180.
    # p = (Σ baseline − cap) / Σ 1/c_i = (300 − 180) / (1 + 1/2 + 1/4) = 120 / 1.75 = 68.5714...
    inp = simple_market([100, 100, 100], [1, 2, 4], [60, 60, 60], periods=[2021])
    r = clear(inp)
    p = 120 / 1.75
    assert r.periods["price"].iloc[0] == approx(p)
    # each firm abates a_i = p / c_i
    assert r.firms["abatement"].to_numpy() == approx(np.array([p, p / 2, p / 4]))
    assert r.periods["emissions"].iloc[0] == approx(180.0)


def test_total_abatement_cost_does_not_depend_on_free_allocation():
    # Same firms and cap (180) with two allocations: equal shares, or everything to firm 0.
    # Abatement cost Σ c_i a_i² / 2 with a_i = p/c_i: p²/2 · Σ 1/c_i = 68.57²/2 · 1.75 = 4114.2857
    a = clear(simple_market([100, 100, 100], [1, 2, 4], [60, 60, 60], periods=[2021]))
    b = clear(simple_market([100, 100, 100], [1, 2, 4], [180, 0, 0], periods=[2021]))
    p = 120 / 1.75
    expected_cost = p * p / 2 * 1.75
    for r in (a, b):
        assert r.firms["abatement_cost"].sum() == approx(expected_cost)
        # payments only move between firms: Σ p·net_purchase = 0
        assert (r.firms["net_purchase"] * p).sum() == pytest.approx(0.0, abs=1e-7)
    assert a.firms["compliance_cost"].to_numpy() != approx(b.firms["compliance_cost"].to_numpy())
    assert a.firms["compliance_cost"].sum() == approx(b.firms["compliance_cost"].sum())
    # firm 0 receives everything in b and sells: net purchase = surrendered − 180 < 0
    assert b.firms["net_purchase"].iloc[0] == approx((100 - p) - 180)


def test_corner_firm_abates_its_whole_baseline():
    # A: c = 1, baseline 10; B: c = 1, baseline 100; free 70 → abatement needed 40.
    # Interior guess p = 40 / 2 = 20 would need a_A = 20 > 10, so A abates all 10 (corner),
    # B abates 30 → p = 30.
    r = clear(simple_market([10, 100], [1, 1], [35, 35], periods=[2021]))
    assert r.periods["price"].iloc[0] == approx(30.0)
    assert r.firms["abatement"].to_numpy() == approx(np.array([10.0, 30.0]))
    assert r.firms["emissions"].iloc[0] == approx(0.0)


def test_zero_abatement_corner_with_intercept():
    # A: MAC = 50 + a (intercept above the price) abates nothing; B: MAC = a, baseline 100.
    # Need 30: B abates 30 at p = 30 < 50, A stays at zero abatement.
    r = clear(simple_market([100, 100], [1, 1], [85, 85], intercept=[[50], [0]], periods=[2021]))
    assert r.periods["price"].iloc[0] == approx(30.0)
    assert r.firms["abatement"].to_numpy() == approx(np.array([0.0, 30.0]))


def test_surplus_gives_zero_price():
    r = clear(simple_market([100, 100], [1, 1], [120, 120], periods=[2021]))
    assert r.periods["price"].iloc[0] == 0.0
    assert r.periods["abatement"].iloc[0] == 0.0


def _two_firms(**kw):
    # two firms, MAC = a, baseline 100 each, free 50 each: without anything else p = 100/2 = 50
    return simple_market([100, 100], [1, 1], [50, 50], periods=[2021], **kw)


def test_binding_floor_removes_unsold_allowances():
    # + auction of 60 at reserve 30. Full sale: supply 160, abatement 40 → p = 20 < 30.
    # So p = 30: abatement 2·30 = 60, emissions 140, auction sells 140 − 100 = 40, 20 unsold.
    r = clear(_two_firms(auction_volume=np.array([60.0]), reserve_price=np.array([30.0])))
    row = r.periods.iloc[0]
    assert row["price"] == approx(30.0)
    assert row["auction_sold"] == approx(40.0)
    assert row["auction_unsold"] == approx(20.0)
    assert row["auction_revenue"] == approx(1200.0)
    cancelled = r.ledger.query("event == 'cancel' and from_account == 'auction'")["quantity"].sum()
    assert cancelled == approx(20.0)


def test_non_binding_floor():
    # reserve 10 < 20 = the price with the full auction: all 60 sold at p = 20.
    r = clear(_two_firms(auction_volume=np.array([60.0]), reserve_price=np.array([10.0])))
    assert r.periods["price"].iloc[0] == approx(20.0)
    assert r.periods["auction_sold"].iloc[0] == approx(60.0)


def test_binding_unlimited_ceiling():
    # p would be 50; a ceiling at 40 sells what is missing: abatement 80, ceiling 200 − 80 − 100 = 20
    r = clear(_two_firms(ceiling_price=np.array([40.0]), ceiling_qty=np.array([np.inf])))
    row = r.periods.iloc[0]
    assert row["price"] == approx(40.0)
    assert row["ceiling_sold"] == approx(20.0)
    assert row["abatement"] == approx(80.0)


def test_non_binding_ceiling():
    r = clear(_two_firms(ceiling_price=np.array([60.0]), ceiling_qty=np.array([np.inf])))
    assert r.periods["price"].iloc[0] == approx(50.0)
    assert r.periods["ceiling_sold"].iloc[0] == 0.0


def test_limited_ceiling_reserve_is_exhausted_and_price_rises_above_trigger():
    # 10 released at 40: supply 110, need 2p = 90 → p = 45 > 40
    r = clear(_two_firms(ceiling_price=np.array([40.0]), ceiling_qty=np.array([10.0])))
    assert r.periods["price"].iloc[0] == approx(45.0)
    assert r.periods["ceiling_sold"].iloc[0] == approx(10.0)


def test_penalty_without_make_good_caps_price():
    # penalty 40 without make-good: like an unlimited ceiling, but 20 units stay uncovered
    r = clear(_two_firms(penalty_price=np.array([40.0]), penalty_caps_price=True))
    row = r.periods.iloc[0]
    assert row["price"] == approx(40.0)
    assert row["non_compliance"] == approx(20.0)
    # each firm pays 40 per uncovered unit: 10 each (pro rata to obligations 60 and 60)
    assert r.firms["non_compliance"].to_numpy() == approx(np.array([10.0, 10.0]))
    # compliance cost = 40²/2 + 40·(surrendered − free) + 40·10 = 800 + 40·0 + 400
    assert r.firms["compliance_cost"].to_numpy() == approx(np.array([1200.0, 1200.0]))


def test_penalty_with_make_good_does_not_cap_price():
    r = clear(_two_firms(penalty_price=np.array([40.0]), penalty_caps_price=False))
    assert r.periods["price"].iloc[0] == approx(50.0)


def _offsets(basis, supply=np.inf):
    # two firms MAC = a, baseline 100, free 60 each; offsets at 10 CNY/t, limit 5 %
    return simple_market(
        [100, 100],
        [1, 1],
        [60, 60],
        periods=[2021],
        offset_limit=0.05,
        offset_basis=basis,
        offset_cost=np.array([[10.0]]),
        offset_qty=np.array([[supply]]),
    )


def test_offsets_limited_by_emissions_china_ccer_rule():
    # A firm emitting one tonne more may use 0.05 t more offsets (at 10 CNY/t), so it faces
    # p_eff = 0.95·p + 0.05·10 and emits 100 − p_eff each. Balance: 120 + 0.05·E = E
    # → E = 120 / 0.95 = 126.3158; p_eff = (200 − E) / 2 = 36.8421; p = (p_eff − 0.5) / 0.95 = 38.2548
    r = clear(_offsets("emissions"))
    emissions = 120 / 0.95
    p = ((200 - emissions) / 2 - 0.5) / 0.95
    row = r.periods.iloc[0]
    assert row["price"] == approx(p)
    assert row["offset_price"] == approx(10.0)
    assert row["offsets"] == approx(0.05 * emissions)
    assert row["emissions"] == approx(emissions)
    # each firm: 5 % of its own obligation
    assert r.firms["offsets"].to_numpy() == approx(0.05 * r.firms["obligation"].to_numpy())


def test_offsets_limited_by_allocation_pilot_rule():
    # offsets 0.05·120 = 6 → 126 = 200 − 2p → p = 37
    r = clear(_offsets("allocation"))
    assert r.periods["price"].iloc[0] == approx(37.0)
    assert r.periods["offsets"].iloc[0] == approx(6.0)


def test_offsets_limited_by_supply():
    # supply 4 < limit 6: 124 = 200 − 2p → p = 38; offsets cost 4·10 = 40 CNY
    r = clear(_offsets("allocation", supply=4.0))
    assert r.periods["price"].iloc[0] == approx(38.0)
    assert r.periods["offsets"].iloc[0] == approx(4.0)
    assert (r.firms["compliance_cost"].sum() - r.firms["abatement_cost"].sum()) == approx(
        38 * (200 - 76 - 4 - 120) + 40
    )


def test_offsets_dearer_than_allowances_are_not_used():
    inp = _offsets("allocation").with_(offset_cost=np.array([[60.0]]))
    r = clear(inp)
    assert r.periods["offsets"].iloc[0] == 0.0
    assert r.periods["price"].iloc[0] == approx(40.0)  # 120 = 200 − 2p


def test_banking_hotelling_price_path():
    # Firms MAC = a and 2a (Σ 1/c = 1.5), baseline 100 each, free 160, 140, 120, r = 5 %.
    # The bank stays positive until the end: p_t = λ·1.05^t and total abatement
    # 1.5·λ·(1 + 1.05 + 1.1025) = 600 − 420 = 180 → λ = 180 / (1.5·3.1525)
    inp = simple_market(
        [100, 100],
        [1, 2],
        [[80, 70, 60], [80, 70, 60]],
        periods=[2021, 2022, 2023],
        discount_rate=0.05,
        banking=True,
    )
    r = clear(inp)
    lam = 180 / (1.5 * 3.1525)
    assert r.periods["price"].to_numpy() == approx(lam * 1.05 ** np.arange(3))
    # bank: 2021: 1.5λ − 40; 2022: + 1.5·1.05λ − 60; 2023: 0
    b1 = 1.5 * lam - 40
    b2 = b1 + 1.5 * 1.05 * lam - 60
    assert r.periods["bank"].to_numpy() == approx(np.array([b1, b2, 0.0]))
    assert b1 > 0 and b2 > 0


def test_bank_runs_out_and_price_restarts_lower():
    # MAC = a for both firms (Σ 1/c = 2), baseline 100 each, r = 10 %, free 180, 180, 60, 150.
    # Needs R = 20, 20, 140, 50. The binding cumulative constraint is through 2023:
    # 2λ(1 + 1.1 + 1.21) = 180 → λ = 180 / 6.62 (through 2021: λ ≥ 10; 2022: λ ≥ 9.52;
    # 2024 over all: 2λ·4.641 ≥ 230 → λ ≥ 24.8), so 2021–2023 rise at 10 % and the bank
    # is empty at the end of 2023. 2024 clears alone: 2p = 50 → p = 25 < λ·1.331 = 36.2.
    inp = simple_market(
        [100, 100],
        [1, 1],
        [[90, 90, 30, 75], [90, 90, 30, 75]],
        periods=[2021, 2022, 2023, 2024],
        discount_rate=0.10,
    )
    r = clear(inp)
    lam = 180 / 6.62
    price = r.periods["price"].to_numpy()
    assert price[:3] == approx(lam * 1.1 ** np.arange(3))
    assert price[3] == approx(25.0)
    assert price[3] < price[2]
    b1 = 2 * lam - 20
    b2 = b1 + 2 * 1.1 * lam - 20
    assert r.periods["bank"].to_numpy() == approx(np.array([b1, b2, 0.0, 0.0]))
    assert [s[:2] for s in r.path.segments] == [(0, 2), (3, 3)]


def test_no_banking_clears_each_period_alone_and_cancels_surplus():
    # 2021: free 240 > 200 → p = 0, 40 expire; 2022: free 100 → p = 100/2 = 50
    inp = simple_market([100, 100], [1, 1], [[120, 50], [120, 50]], periods=[2021, 2022], banking=False)
    r = clear(inp)
    assert r.periods["price"].to_numpy() == approx(np.array([0.0, 50.0]))
    assert r.periods["expired"].to_numpy() == approx(np.array([40.0, 0.0]))


def test_unlimited_borrowing_gives_one_hotelling_path():
    # free 40, 160 with r = 0: all-period constraint 2λ·2 = 200 → λ = 50 in both years;
    # (all-period constraint: 200 + 4λ >= 400)
    inp = simple_market(
        [100, 100],
        [1, 1],
        [[20, 80], [20, 80]],
        periods=[2021, 2022],
        borrow_limit=np.array([np.inf, 0.0]),
    )
    r = clear(inp)
    assert r.periods["price"].to_numpy() == approx(np.array([50.0, 50.0]))
    assert r.periods["bank"].iloc[0] == approx(-60.0)  # 40 + 100 abated − 200
    no = clear(inp.with_(borrow_limit=np.zeros(2)))
    # without borrowing 2021 alone: 2p = 160 → p = 80; then 2022 alone: 2p = 40 → p = 20
    assert no.periods["price"].to_numpy() == approx(np.array([80.0, 20.0]))


def test_china_gap_cap_changes_abatement():
    # A (gap cap, share 0.2): MAC = a, baseline 100, free 40 → kink at e = 40/0.8 = 50.
    # Above the kink A surrenders 40 + 0.2e and abates until MAC = 0.2p: a_A = 0.2p.
    # B (standard): MAC = a, baseline 100, free 100: surrenders 100 − p.
    # Balance 40 + 0.2(100 − 0.2p) + 100 − p = 140 → 1.04p = 20 → p = 19.2308
    inp = simple_market([100, 100], [1, 1], [40, 100], periods=[2021], gap_share=[0.2, 1.0])
    r = clear(inp)
    p = 20 / 1.04
    assert r.periods["price"].iloc[0] == approx(p)
    assert r.firms["abatement"].to_numpy() == approx(np.array([0.2 * p, p]))
    assert r.firms["obligation"].iloc[0] == approx(40 + 0.2 * (100 - 0.2 * p))
    # under the standard rule A would abate p = 60/2 = 30
    std = clear(inp.with_(gap_share=np.array([1.0, 1.0])))
    assert std.firms["abatement"].iloc[0] == approx(30.0)


def test_china_gas_rule_surrenders_at_most_the_allocation():
    # A (china_gas): surrender = min(e, 40) → A does not abate (MAC = 0·p); B pays the rest.
    inp = simple_market([100, 100], [1, 1], [40, 60], periods=[2021], gap_share=[0.0, 1.0])
    r = clear(inp)
    assert r.firms["obligation"].iloc[0] == approx(40.0)
    assert r.firms["abatement"].iloc[0] == approx(0.0)
    assert r.periods["price"].iloc[0] == approx(40.0)  # B: 100 − p = 60


def test_stepwise_mac_partial_step_at_the_price():
    # A steps: 30 at 10, 30 at 40 (baseline 100); B fixed. Need 45 → A uses step 1 and half of
    # step 2 at p = 40 exactly.
    inp = simple_market([100, 100], [np.inf, np.inf], [55, 100], periods=[2021])
    inp = inp.with_(
        step_cost=np.array([[10.0, 40.0], [np.inf, np.inf]]),
        step_qty=np.array([[30.0, 30.0], [0.0, 0.0]]),
    )
    r = clear(inp)
    assert r.periods["price"].iloc[0] == approx(40.0)
    assert r.firms["abatement"].iloc[0] == approx(45.0)
    # cost 30·10 + 15·40 = 900
    assert r.firms["abatement_cost"].iloc[0] == approx(900.0)


def test_reserve_sequence_over_several_years():
    # Fixed emissions 90 ×5, 160, 150; free 100 a year; 150 in circulation at the start.
    # Reserve: intake 24 % above 120, C − 100 between 100 and 120, release 10 below 50,
    # holdings above 30 invalidated. No auction: intake comes out of free allocation.
    # 2021 C=150 → in 36, free 64, bank 150+64−90 = 124, holdings 36 → 6 invalidated → 30
    # 2022 C=124 → in 29.76, bank 124+70.24−90 = 104.24, invalidated 29.76
    # 2023 C=104.24 → in 4.24, bank 110, invalidated 4.24
    # 2024, 2025 C=110 → in 10, bank 110; 2026 C=110 → in 10, bank 110+90−160 = 40
    # 2027 C=40 < 50 → release 10 (holdings 20), sold at auction: bank 40+100+10−150 = 0
    inp = simple_market(
        [[90, 90, 90, 90, 90, 160, 150]],
        [np.inf],
        [100],
        periods=list(range(2021, 2028)),
        initial_bank=150.0,
        msr=MsrParams(0.0, 0.24, 120.0, 100.0, 50.0, 10.0, 30.0),
    )
    r = clear(inp)
    p = r.periods
    assert p["reserve_intake"].to_numpy() == approx(np.array([36, 29.76, 4.24, 10, 10, 10, 0]))
    assert p["reserve_release"].to_numpy() == approx(np.array([0, 0, 0, 0, 0, 0, 10]))
    assert p["reserve_invalidated"].to_numpy() == approx(np.array([6, 29.76, 4.24, 10, 10, 10, 0]))
    assert p["reserve_holdings"].to_numpy() == approx(np.array([30, 30, 30, 30, 30, 30, 20]))
    assert p["bank"].to_numpy() == approx(np.array([124, 104.24, 110, 110, 110, 40, 0]))
    assert p["auction_sold"].iloc[-1] == approx(10.0)
    assert p["free_allocation"].to_numpy() == approx(np.array([64, 70.24, 95.76, 90, 90, 90, 100]))
    # registry: issued = surrendered + banked + cancelled + reserve
    bal = r.balances[r.balances["period"] == 2027].set_index("account")["balance"]
    issued = r.ledger.query("from_account == 'registry'")["quantity"].sum()
    assert issued == approx(
        bal["surrendered"] + bal["cancelled"] + bal["reserve"] + bal[["f0", "market", "auction"]].sum()
    )


def test_infeasible_market_raises_a_clear_error():
    from carbon.errors import SolverError

    with pytest.raises(SolverError, match="cannot clear in 2021"):
        clear(simple_market([100], [np.inf], [50], periods=[2021]))


def test_allowances_not_valid_after_horizon_are_cancelled():
    # surplus of 40 in the only period at p = 0: banked (valid) or cancelled (not valid)
    kept = clear(simple_market([100, 100], [1, 1], [120, 120], periods=[2021]))
    assert kept.periods["bank"].iloc[0] == approx(40.0) and kept.periods["expired"].iloc[0] == 0.0
    gone = clear(simple_market([100, 100], [1, 1], [120, 120], periods=[2021], valid_after_horizon=False))
    assert gone.periods["bank"].iloc[0] == 0.0 and gone.periods["expired"].iloc[0] == approx(40.0)
    assert gone.ledger.query("event == 'cancel'")["quantity"].sum() == approx(40.0)


def test_ceiling_caps_a_hotelling_path():
    # r = 10 %, MAC = a for both firms, free 100 a year (100 to abate each year).
    # Bank constraints: through 2021 2λ >= 100 → λ >= 50; through 2022 2λ(1 + 1.1) >= 200
    # → λ >= 47.6; so λ* = 50 binds in 2021 and 2022 clears alone: p = 50, 50.
    # With an unlimited ceiling at 45: abatement 2·45 = 90, the ceiling sells 10 a year.
    inp = simple_market([100, 100], [1, 1], [50, 50], periods=[2021, 2022], discount_rate=0.1)
    free = clear(inp)
    assert free.periods["price"].to_numpy() == approx(np.array([50.0, 50.0]))
    capped = clear(inp.with_(ceiling_price=np.array([45.0, 45.0]), ceiling_qty=np.array([np.inf, np.inf])))
    assert capped.periods["price"].to_numpy() == approx(np.array([45.0, 45.0]))
    assert capped.periods["ceiling_sold"].to_numpy() == approx(np.array([10.0, 10.0]))


def test_bank_carried_by_firms_pro_rata_to_free_allocation():
    # 2021: free 150 + 50 = 200 at baseline 100 each, r = 0, 2022: free 50 + 50.
    # Hotelling with r = 0: one price for both years: 2·2p = 400 − 300 → p = 25;
    # 2021 abatement 50, bank 200 − 150 = 50, held 3/4 by f0 and 1/4 by f1.
    inp = simple_market([100, 100], [1, 1], [[150, 50], [50, 50]], periods=[2021, 2022])
    r = clear(inp)
    assert r.periods["price"].to_numpy() == approx(np.array([25.0, 25.0]))
    banks = r.firms.query("period == 2021")["bank"].to_numpy()
    assert banks == approx(np.array([37.5, 12.5]))
    bal = r.balances.query("period == 2021").set_index("account")["balance"]
    assert bal["f0"] == approx(37.5) and bal["market"] == approx(0.0)


def test_auction_allowances_are_banked_at_the_floor_when_prices_would_rise():
    # MAC = a for both firms (Σ 1/c = 2), baseline 100 each, r = 0, free 160 in 2021 and 2022
    # (40 short each year: without the auction p = 40/2 = 20 in both years). The 2021 auction
    # offers 50 at a reserve price of 15. At 15 firms abate 30 a year; 2021 lacks 10 and the
    # two years together lack 20, so holders buy 20 at the 2021 auction and bank 10 for 2022
    # (a price rising from 15 to 20 with r = 0 would be an arbitrage). p = 15, 15;
    # sold 20, unsold 30; bank 10 then 0.
    inp = simple_market(
        [100, 100],
        [1, 1],
        [80, 80],
        periods=[2021, 2022],
        auction_volume=np.array([50.0, 0.0]),
        reserve_price=np.array([15.0, 15.0]),
    )
    r = clear(inp)
    p = r.periods
    assert p["price"].to_numpy() == approx(np.array([15.0, 15.0]))
    assert p["auction_sold"].to_numpy() == approx(np.array([20.0, 0.0]))
    assert p["auction_unsold"].to_numpy() == approx(np.array([30.0, 0.0]))
    assert p["bank"].to_numpy() == approx(np.array([10.0, 0.0]))


def test_borrowing_limit_per_period():
    # free 40 then 160 (MAC = a, baseline 100 each). Borrowing up to 10 in 2021:
    # 2021 bank 40 + 2p − 200 >= −10 → p >= 75 (the all-years price 50 would need −60);
    # 2022 starts at −10: 160 + 2p − 200 − 10 = 0 → p = 25.
    inp = simple_market(
        [100, 100], [1, 1], [[20, 80], [20, 80]], periods=[2021, 2022], borrow_limit=np.array([10.0, 0.0])
    )
    r = clear(inp)
    assert r.periods["price"].to_numpy() == approx(np.array([75.0, 25.0]))
    assert r.periods["bank"].to_numpy() == approx(np.array([-10.0, 0.0]))


def test_offset_supply_curve_used_cheapest_first():
    # MAC = a for both firms, baseline 100, free 60 each (without offsets p = 80/2 = 40).
    # Offsets: 5 at 10 CNY/t and 10 at 30 CNY/t, limit 50 % of allocation (not binding).
    # At p > 30 all 15 are used: 2p = 80 − 15 → p = 32.5; offsets cost 5·10 + 10·30 = 350.
    inp = simple_market(
        [100, 100],
        [1, 1],
        [60, 60],
        periods=[2021],
        offset_limit=0.5,
        offset_basis="allocation",
        offset_cost=np.array([[10.0, 30.0]]),
        offset_qty=np.array([[5.0, 10.0]]),
    )
    r = clear(inp)
    assert r.periods["price"].iloc[0] == approx(32.5)
    assert r.periods["offsets"].iloc[0] == approx(15.0)
    assert r.path.offsets_cost[0] == approx(350.0)


def test_reserve_rule_with_eu_defaults():
    from carbon.market.msr import adjusted_supply, reserve_flows, reserve_step

    eu = MsrParams(0.0, 0.24, 1_096e6, 833e6, 400e6, 100e6, 400e6)
    # above the upper threshold: 24 % of circulation; between: circulation − 833 million
    assert reserve_step(1_200e6, 0.0, eu, 1e12)[0] == approx(288e6)
    assert reserve_step(900e6, 0.0, eu, 1e12)[0] == approx(67e6)
    assert reserve_step(800e6, 0.0, eu, 1e12)[0] == 0.0
    # below 400 million: release 100 million (or what is held)
    assert reserve_step(300e6, 250e6, eu, 1e12)[1] == approx(100e6)
    assert reserve_step(300e6, 60e6, eu, 1e12)[1] == approx(60e6)
    # holdings above 400 million invalidated: 380 + 288 = 668 → 268 invalidated
    assert reserve_step(1_200e6, 380e6, eu, 1e12)[2:] == (approx(400e6), approx(268e6))
    # the intake is withheld from the auction first, then from free allocation:
    # circulation 150 with thresholds 100/120 → intake 36 = auction 20 + 16 from free 100 (pro rata)
    small = MsrParams(0.0, 0.24, 120.0, 100.0, 50.0, 10.0, 1e9)
    inp = simple_market(
        [[100.0], [100.0]],
        [1, 1],
        [50, 50],
        periods=[2021],
        initial_bank=150.0,
        auction_volume=np.array([20.0]),
        msr=small,
    )
    flows = reserve_flows(inp, np.array([0.0]))
    free, volume = adjusted_supply(inp, flows)
    assert flows.intake[0] == approx(36.0)
    assert volume[0] == approx(0.0)
    assert free[:, 0] == approx(np.array([42.0, 42.0]))
