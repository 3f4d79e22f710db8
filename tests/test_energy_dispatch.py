"""Hand-checkable dispatch tests of the energy model (a few hours, weights of 1 hour).

Every system here sets ``hours_per_year`` equal to the number of hours, so each hour weighs 1
and the objective is simply the sum of hourly costs written in the comments.
"""

from __future__ import annotations

import pytest

from carbon.energy import EnergySystem, mac_curve, solve
from carbon.errors import InputError, SolverError


def system(techs, profiles, **settings):
    n = len(next(iter(profiles.values())))
    return EnergySystem.from_frames(techs, profiles, {"hours_per_year": n, **settings})


COAL = {
    "name": "coal",
    "kind": "generator",
    "carrier": "coal",
    "existing_mw": 50,
    "vom_cny_per_mwh": 100,
    "co2_t_per_mwh": 1.0,
}
GAS = {
    "name": "gas",
    "kind": "generator",
    "carrier": "gas",
    "existing_mw": 100,
    "vom_cny_per_mwh": 300,
    "co2_t_per_mwh": 0.4,
}


def test_merit_order_dispatch_and_prices():
    # load 30, 80, 120 MW. Coal (100 CNY/MWh, 50 MW) runs first, gas (300) fills the rest:
    # coal 30, 50, 50; gas 0, 30, 70. Cost = 130 x 100 + 100 x 300 = 43,000 CNY.
    # Marginal price: 100 in hour 0 (coal marginal), 300 in hours 1-2 (gas marginal).
    # Emissions = 130 x 1.0 + 100 x 0.4 = 170 t.
    r = solve(system([COAL, GAS], {"load_mw": [30, 80, 120]}))
    assert r.objective_cny == pytest.approx(43_000)
    d = r.dispatch
    assert d["coal_mw"].tolist() == pytest.approx([30, 50, 50])
    assert d["gas_mw"].tolist() == pytest.approx([0, 30, 70])
    assert d["price_cny_per_mwh"].tolist() == pytest.approx([100, 300, 300])
    assert r.summary()["co2_incl_imports_t"] == pytest.approx(170)
    costs = r.costs.set_index("component")["cny"]
    assert costs["total"] == pytest.approx(r.objective_cny)


def test_binding_cap_dual_equals_hand_mac():
    # Unconstrained emissions 170 t (above). A cap of 160 t needs 10 t less: replacing 1 MWh of
    # coal by gas saves 1.0 - 0.4 = 0.6 t at 300 - 100 = 200 CNY, so the marginal abatement
    # cost is 200 / 0.6 = 333.33 CNY/t, and the cost rises by 10 / 0.6 x 200 = 3,333.33.
    r = solve(system([COAL, GAS], {"load_mw": [30, 80, 120]}), co2_cap=160)
    assert r.summary()["co2_incl_imports_t"] == pytest.approx(160)
    assert r.summary()["co2_shadow_price_cny_per_t"] == pytest.approx(200 / 0.6)
    assert r.objective_cny == pytest.approx(43_000 + 10 / 0.6 * 200)


def test_carbon_price_switches_at_the_mac():
    # Below 333.33 CNY/t coal stays first in the merit order (170 t); above it gas runs
    # first: gas 30, 80, 100 and coal 0, 0, 20 -> 210 x 0.4 + 20 x 1.0 = 104 t.
    s = system([COAL, GAS], {"load_mw": [30, 80, 120]})
    curve = mac_curve(s, [1000, 0, 300, 400])
    assert curve["carbon_price_cny_per_t"].tolist() == [0, 300, 400, 1000]
    assert curve["emissions_t"].tolist() == pytest.approx([170, 170, 104, 104])
    assert curve["abatement_t"].tolist() == pytest.approx([0, 0, 66, 66])
    # the same as a fresh solve at that price
    assert solve(s, carbon_price=400).summary()["co2_incl_imports_t"] == pytest.approx(104)


def test_shedding_at_value_of_lost_load():
    # 100 MW of gas against 120 MW of load in hour 1: 20 MW is shed at VOLL = 10,000 CNY/MWh.
    # Cost = (50 + 100) x 300 + 20 x 10,000 = 245,000; the price in hour 1 is the VOLL.
    s = system([GAS], {"load_mw": [50, 120]}, value_of_lost_load_cny_per_mwh=10_000)
    r = solve(s)
    assert r.dispatch["shed_mw"].tolist() == pytest.approx([0, 20])
    assert r.objective_cny == pytest.approx(245_000)
    assert r.dispatch["price_cny_per_mwh"].tolist() == pytest.approx([300, 10_000])
    assert r.summary()["unserved_mwh"] == pytest.approx(20)


def test_inadequate_system_names_the_hour():
    s = system([GAS], {"load_mw": [50, 150, 80]}, allow_shedding=False)
    with pytest.raises(InputError) as err:
        solve(s)
    text = str(err.value)
    assert "system inadequate" in text
    assert "hour 1 (Jan 01 01:00)" in text
    assert "short 50.0 MW" in text


IMPORT_TOU = {
    "name": "grid",
    "kind": "grid_import",
    "carrier": "electricity",
    "existing_mw": 100,
    "price_profile": "price",
    "co2_t_per_mwh": 0.6,
}


def test_storage_arbitrage_under_two_price_tariff():
    # Tariff 100 CNY/MWh in hours 0-1 and 500 in hours 2-3; load 10 MW; a 10 MW / 20 MWh
    # battery with 0.9 charging and 0.9 discharging efficiency, cyclic over the 4 hours.
    # Without it: 20 x 100 + 20 x 500 = 12,000 CNY.
    # It charges 10 MW in both cheap hours (20 MWh in, 18 MWh stored <= 20) and discharges
    # 18 x 0.9 = 16.2 MWh in the dear hours. Imports: 40 MWh at 100 + 3.8 MWh at 500
    # = 5,900 CNY. Profit = 16.2 x 500 - 20 x 100 = 6,100 CNY.
    battery = {
        "name": "battery",
        "kind": "storage",
        "carrier": "battery",
        "existing_mw": 10,
        "existing_mwh": 20,
        "efficiency_charge": 0.9,
        "efficiency_discharge": 0.9,
    }
    profiles = {"load_mw": [10, 10, 10, 10], "price": [100, 100, 500, 500]}
    without = solve(system([IMPORT_TOU], profiles))
    with_battery = solve(system([IMPORT_TOU, battery], profiles))
    assert without.objective_cny == pytest.approx(12_000)
    assert with_battery.objective_cny == pytest.approx(5_900)
    assert without.objective_cny - with_battery.objective_cny == pytest.approx(6_100)
    d = with_battery.dispatch
    assert d["battery_charge_mw"].tolist() == pytest.approx([10, 10, 0, 0])
    assert d["battery_discharge_mw"].sum() == pytest.approx(16.2)
    annual = with_battery.annual.set_index("technology")
    assert annual.at["battery", "cycles"] == pytest.approx(16.2 / 20)


def test_demand_response_shifts_load_to_cheap_hours():
    # Load 50 MW in both hours, tariff 100 then 500 CNY/MWh; 10 MW may move within the day at
    # 20 CNY/MWh moved. Moving 10 MW from hour 1 to hour 0 saves 10 x (500 - 100) = 4,000 for
    # 200 of shifting cost: 60 x 100 + 40 x 500 + 10 x 20 = 26,200 (30,000 without).
    profiles = {"load_mw": [50, 50], "price": [100, 500]}
    dr = {"shift_mw": 10, "shift_cost_cny_per_mwh": 20}
    r = solve(system([IMPORT_TOU], profiles, demand_response=dr))
    assert r.objective_cny == pytest.approx(26_200)
    assert r.dispatch["shift_up_mw"].tolist() == pytest.approx([10, 0])
    assert r.dispatch["shift_down_mw"].tolist() == pytest.approx([0, 10])
    assert r.dispatch["grid_mw"].tolist() == pytest.approx([60, 40])
    # interruptible load at 450 CNY/MWh is cheaper than importing at 500 in hour 1:
    # 60 x 100 + 20 x 500 + 20 x 450 + 200 = 25,200 (shifting still moves 10 MW first).
    dr2 = {**dr, "interruptible_mw": 20, "interruptible_cost_cny_per_mwh": 450}
    r2 = solve(system([IMPORT_TOU], profiles, demand_response=dr2))
    assert r2.objective_cny == pytest.approx(25_200)
    assert r2.dispatch["interrupt_mw"].tolist() == pytest.approx([0, 20])


def test_minimum_load_and_export_revenue():
    # A must-run unit (min load 60 % of 100 MW, vom 50) with load 40 MW: 20 MW surplus is
    # exported at 30 CNY/MWh. Cost per hour = 60 x 50 - 20 x 30 = 2,400; two hours 4,800.
    unit = {
        "name": "chp",
        "kind": "generator",
        "carrier": "coal",
        "existing_mw": 100,
        "min_load": 0.6,
        "vom_cny_per_mwh": 50,
        "co2_t_per_mwh": 0.9,
    }
    export = {
        "name": "export",
        "kind": "grid_export",
        "carrier": "electricity",
        "existing_mw": 50,
        "vom_cny_per_mwh": 30,
    }
    r = solve(system([unit, export], {"load_mw": [40, 40]}))
    assert r.objective_cny == pytest.approx(4_800)
    assert r.dispatch["export_mw"].tolist() == pytest.approx([20, 20])
    assert r.years.at[0, "exports_mwh"] == pytest.approx(40)
    assert r.summary()["co2_incl_imports_t"] == pytest.approx(120 * 0.9)


def test_capacity_expansion_against_hand_break_even():
    # Flat 10 MW for 4 hours. A new unit costs A CNY/MW/yr and 10 CNY/MWh; the existing one
    # 300 CNY/MWh. One MW of the new unit saves 4 x (300 - 10) = 1,160 CNY a year, so it is
    # built (10 MW) if A < 1,160: cost 10 A + 40 x 10. With A = 1,000: 10,400 CNY.
    # With A = 1,200 nothing is built: 40 x 300 = 12,000 CNY.
    old = {"name": "old", "kind": "generator", "existing_mw": 20, "vom_cny_per_mwh": 300}
    for annual, cost, built in ((1000, 10_400, 10), (1200, 12_000, 0)):
        new = {
            "name": "new",
            "kind": "generator",
            "expandable": True,
            "annual_capex_cny_per_mw": annual,
            "vom_cny_per_mwh": 10,
        }
        r = solve(system([old, new], {"load_mw": [10] * 4}))
        assert r.objective_cny == pytest.approx(cost)
        assert r.capacity.set_index("technology").at["new", "new_mw"] == pytest.approx(built)


def test_curtailment_and_availability_profile():
    # Solar 100 MW with availability 0, 0.5, 1.0 against load 30 MW, gas fills the rest.
    # Solar output 0, 30, 30; available 0, 50, 100 -> curtailed 90 MWh. Gas 30 MWh x 300.
    solar = {
        "name": "pv",
        "kind": "generator",
        "carrier": "solar",
        "existing_mw": 100,
        "profile": "sun",
    }
    r = solve(system([solar, GAS], {"load_mw": [30, 30, 30], "sun": [0, 0.5, 1.0]}))
    assert r.objective_cny == pytest.approx(9_000)
    pv = r.annual.set_index("technology").loc["pv"]
    assert pv["available_mwh"] == pytest.approx(150)
    assert pv["curtailment_mwh"] == pytest.approx(90)
    assert r.years.at[0, "renewable_share"] == pytest.approx(60 / 90)


def test_renewable_share_and_reserve_margin():
    # Renewable share 50 % of 90 MWh -> at least 45 MWh from a new PV plant (always
    # available, annual cost 100 CNY/MW/yr, 3 hours): it must be 15 MW, costing 1,500 CNY,
    # and saves 45 MWh of gas: 45 x 300 + 1,500 = 15,000 CNY.
    pv = {
        "name": "pv",
        "kind": "generator",
        "carrier": "solar",
        "expandable": True,
        "annual_capex_cny_per_mw": 100,
    }
    base = system([pv, GAS], {"load_mw": [30, 30, 30]})
    r = solve(base)  # without the share: PV is cheaper per MWh (100 / 3 per MWh at full use)
    assert r.capacity.set_index("technology").at["pv", "new_mw"] == pytest.approx(30)
    pv_dear = {**pv, "annual_capex_cny_per_mw": 1200}  # 400 CNY per MWh: not built unless forced
    forced = solve(system([pv_dear, GAS], {"load_mw": [30, 30, 30]}, min_renewable_share=0.5))
    assert forced.capacity.set_index("technology").at["pv", "new_mw"] == pytest.approx(15)
    assert forced.objective_cny == pytest.approx(15 * 1200 + 45 * 300)
    # Reserve margin 50 % on a 30 MW peak needs 45 MW firm: gas has only 100 x credit 0.3 = 30,
    # so 15 MW of a firm peaker (capacity credit 1, 500 CNY/MW/yr, never run) is built.
    gas = {**GAS, "capacity_credit": 0.3}
    peaker = {
        "name": "peaker",
        "kind": "generator",
        "carrier": "oil",
        "expandable": True,
        "annual_capex_cny_per_mw": 500,
        "vom_cny_per_mwh": 2000,
    }
    r = solve(system([gas, peaker], {"load_mw": [30, 30, 30]}, reserve_margin=0.5))
    assert r.capacity.set_index("technology").at["peaker", "new_mw"] == pytest.approx(15)
    assert r.objective_cny == pytest.approx(90 * 300 + 15 * 500)


def test_infeasible_cap_is_explained_and_diagnosed():
    # Must-run coal emits at least 3 x 30 x 1.0 = 90 t, above a 50 t cap.
    coal = {**COAL, "min_load": 0.6}
    s = system([coal, GAS], {"load_mw": [40, 40, 40]})
    with pytest.raises(SolverError) as err:
        solve(s, co2_cap=50)
    assert "infeasible" in str(err.value) and "--diagnose" in str(err.value)
    with pytest.raises(SolverError) as err:
        solve(s, co2_cap=50, diagnose=True)
    assert "CO2 cap 50 t in 2025 exceeded by 40 t" in str(err.value)


def test_diagnose_names_hours_missing_supply():
    # Without shedding and with a cap that leaves too little: the relaxed solve reports the
    # supply missing. Coal 50 MW (1 t/MWh) only; cap 80 t; loads 40, 45 = 85 MWh: 5 MWh are
    # missing (in either hour: which one is arbitrary, so the hour is not pinned).
    s = system([COAL], {"load_mw": [40, 45]}, allow_shedding=False)
    with pytest.raises(SolverError) as err:
        solve(s, co2_cap=80, diagnose=True)
    text = str(err.value)
    assert "supply missing" in text and "5.0 MW-h" in text and "hour " in text


def test_unbounded_and_time_limit_give_clear_errors():
    # Export revenue without a limit on an expandable free export: the cost falls forever.
    free = {"name": "free", "kind": "generator", "expandable": True}
    export = {"name": "export", "kind": "grid_export", "expandable": True, "vom_cny_per_mwh": 10}
    with pytest.raises(SolverError) as err:
        solve(system([free, export], {"load_mw": [1, 1]}))
    assert "unbounded" in str(err.value)
    # A week with a battery to size is not solved in zero seconds.
    import numpy as np

    rng = np.random.default_rng(1)
    grid = {"name": "grid", "kind": "grid_import", "existing_mw": 100, "price_profile": "price"}
    battery = {
        "name": "battery",
        "kind": "storage",
        "expandable": True,
        "capex_cny_per_kw": 100,
        "energy_capex_cny_per_kwh": 100,
    }
    week = system(
        [COAL, grid, battery],
        {"load_mw": rng.uniform(20, 80, 168), "price": rng.uniform(50, 500, 168)},
    )
    with pytest.raises(SolverError) as err:
        solve(week, options={"time_limit": 0.0})
    assert "time limit" in str(err.value) and "time_limit" in str(err.value)
    with pytest.raises(SolverError) as err:
        solve(week, options={"no_such_option": 1})
    assert "HiGHS rejected option no_such_option" in str(err.value)


def test_extra_constraints_hook():
    # A researcher's own limit: coal output at most 60 MWh in total. Gas takes the rest:
    # 60 x 100 + (230 - 60) x 300 = 57,000 CNY.
    import pyomo.environ as pyo

    def limit_coal(m, d):
        m.coal_limit = pyo.Constraint(expr=sum(m.p[y, "coal", t] for y in d.years for t in d.steps) <= 60)

    r = solve(system([COAL, GAS], {"load_mw": [30, 80, 120]}), extra_constraints=limit_coal)
    assert r.objective_cny == pytest.approx(57_000)


def test_two_nodes_with_a_line_limit():
    # Cheap coal at node a, dear gas at node b, 80 MW of load at b, a 50 MW line a -> b:
    # coal 50 MW flows over the line, gas gives 30. Prices: a 100 (coal marginal), b 300.
    coal = {**COAL, "node": "a"}
    gas = {**GAS, "node": "b"}
    s = EnergySystem.from_frames(
        [coal, gas],
        {"load_mw": [0.0], "load_mw_b": [80.0]},
        {"hours_per_year": 1, "default_node": "a"},
        lines=[{"name": "ab", "from_node": "a", "to_node": "b", "capacity_mw": 50}],
    )
    r = solve(s)
    assert r.objective_cny == pytest.approx(50 * 100 + 30 * 300)
    prices = r.dispatch.set_index("node")["price_cny_per_mwh"]
    assert prices["a"] == pytest.approx(100)
    assert prices["b"] == pytest.approx(300)
    assert r.dispatch.set_index("node").at["b", "ab_flow_mw"] == pytest.approx(50)


def test_sweep_of_caps_re_solves_without_rebuilding():
    # The cap is a row bound of the compiled LP: changing it re-solves the same HiGHS model.
    # Caps 170 (not binding), 160 and 140 t: shadow prices 0, 333.33, 333.33 CNY/t and
    # costs 43,000 + (170 - cap) / 0.6 x 200.
    from carbon.energy import EnergyProblem

    problem = EnergyProblem(system([COAL, GAS], {"load_mw": [30, 80, 120]}))
    model_before = problem.model
    for cap, shadow in ((170, 0.0), (160, 200 / 0.6), (140, 200 / 0.6), (None, 0.0)):
        problem.set_co2_cap(cap)
        r = problem.solve()
        assert problem.model is model_before
        assert r.summary()["co2_shadow_price_cny_per_t"] == pytest.approx(shadow, abs=1e-6)
        expected = 43_000 + (170 - (cap if cap is not None else 170)) / 0.6 * 200
        assert r.objective_cny == pytest.approx(expected)
    annual = r.annual.set_index("technology")
    # levelised cost of a plant without capital cost = its variable cost
    assert annual.at["coal", "lcoe_cny_per_mwh"] == pytest.approx(100)
