"""China's national ETS rule tables shipped as data (carbon/data/china_ets_power.csv)."""

from __future__ import annotations

import numpy as np
import pytest
from pytest import approx

from carbon.errors import InputError
from carbon.market import build_inputs, clear
from carbon.market.allocation import load_factor_correction
from carbon.market.loader import parse_market
from carbon.market.rules import (
    LOAD_PARAMETERS,
    RULE_SETS,
    UNIT_CLASSES,
    china_power_basis,
    china_power_corrections,
    read_correction_table,
    read_rule_table,
)


def _units(rules, periods, **allocation):
    return parse_market(
        {
            "unit": "tCO2",
            "periods": periods,
            "allocation": {"method": "china_power", "rules": rules, **allocation},
            "firms": [
                # conventional coal > 300 MW, air-cooled (f_cooling 1.05), load factor 0.78
                {
                    "id": "A",
                    "baseline": 2.9e6,
                    "unit_type": "coal_above_300mw",
                    "power_supply_mwh": 3.0e6,
                    "cooling_factor": 1.05,
                    "load_factor": 0.78,
                    "load_factor_correction": True,
                },
                # conventional coal <= 300 MW, a CHP unit with heat ratio 0.30: f_heat = 1 − 0.22·0.30
                {
                    "id": "B",
                    "baseline": 1.2e6,
                    "unit_type": "coal_300mw_and_below",
                    "power_supply_mwh": 1.0e6,
                    "heat_supply_gj": 2.0e6,
                    "heat_factor": 1 - 0.22 * 0.30,
                },
                {"id": "C", "baseline": 2.0e5, "unit_type": "gas", "power_supply_mwh": 5.0e5},
            ],
        }
    )


def test_china_2019_2020_allocation_of_three_units_by_hand():
    free = build_inputs(_units("china_2019_2020", [2019, 2020])).free
    # A: 0.877 t/MWh × 3,000,000 MWh × 1.05 × f_load, f_load = 1.007 + 0.0016·(80 − 78) = 1.0102
    #    = 2,631,000 × 1.05 × 1.0102 = 2,762,550 × 1.0102 = 2,790,728.01 t
    assert free[0] == approx([2_790_728.01, 2_790_728.01], rel=1e-12)
    # B: 0.979 × 1,000,000 × 0.934 + 0.126 t/GJ × 2,000,000 GJ = 914,386 + 252,000 = 1,166,386 t
    assert free[1] == approx([1_166_386.0, 1_166_386.0], rel=1e-12)
    # C: 0.392 × 500,000 = 196,000 t
    assert free[2] == approx([196_000.0, 196_000.0], rel=1e-12)


def test_china_2021_2022_benchmarks_change_by_year():
    free = build_inputs(_units("china_2021_2022", [2021, 2022])).free
    # C (gas): 0.3920 × 500,000 = 196,000 t in 2021; 0.3901 × 500,000 = 195,050 t in 2022
    assert free[2] == approx([196_000.0, 195_050.0], rel=1e-12)
    # B: 0.8773 × 1e6 × 0.934 + 0.1111 × 2e6 = 819,398.2 + 222,200 = 1,041,598.2 t in 2021
    assert free[1][0] == approx(1_041_598.2, rel=1e-12)


def test_explicit_benchmarks_override_the_table_by_unit_type():
    section = _units("china_2019_2020", [2019], benchmarks={"gas": {"power": 0.4}})
    free = build_inputs(section).free
    assert free[2, 0] == approx(0.4 * 5.0e5)
    assert free[1, 0] == approx(1_166_386.0)  # the other types keep the table's values


def test_a_period_outside_the_table_is_an_input_error():
    with pytest.raises(InputError, match="no benchmarks for 2023") as err:
        build_inputs(_units("china_2021_2022", [2022, 2023]))
    assert err.value.key == "allocation.rules"


def test_every_row_of_the_table_has_a_source():
    table = read_rule_table()
    assert set(table["rules"]) == set(RULE_SETS)
    assert table["source"].str.contains("MEE").all()
    assert ((table["power_t_per_mwh"] > 0.3) & (table["power_t_per_mwh"] < 1.2)).all()
    assert set(table["unit_type"]) == set(UNIT_CLASSES)
    assert {name: china_power_basis(name) for name in RULE_SETS} == {
        "china_2019_2020": "supply",
        "china_2021_2022": "supply",
        "china_2023_2024": "generation",
    }


# --- corrections as data (carbon/data/china_ets_power_corrections.csv) ------------------------


def _one_unit(**firm):
    return parse_market(
        {
            "unit": "tCO2",
            "periods": [2021],
            "allocation": {"method": "china_power", "rules": "china_2021_2022"},
            "firms": [
                {
                    "id": "U",
                    "baseline": 1.0e6,
                    "unit_type": "coal_above_300mw",
                    "power_supply_mwh": 1.0e6,
                    "heat_supply_gj": 1.0e6,
                    **firm,
                }
            ],
        }
    )


def test_each_correction_from_the_table_by_hand():
    section = _one_unit(cooling="air", heat_ratio=0.25, load_factor=0.82, load_factor_correction=True)
    free = build_inputs(section).free[0, 0]
    # 0.8218 t/MWh × 1,000,000 MWh = 821,800; × 1.05 (air cooling) = 862,890;
    # × (1 − 0.22 × 0.25) = 0.945 → 815,431.05; × (1 + 0.0014 × (85 − 82)) = 1.0042 → 818,855.86041;
    # + 0.1111 t/GJ × 1,000,000 GJ = 111,100 → 929,955.86041 t
    assert free == approx(929_955.86041, rel=1e-12)


def test_load_factor_below_75_percent_from_the_table():
    free = build_inputs(_one_unit(load_factor=0.70, load_factor_correction=True)).free[0, 0]
    # 821,800 × 1.015^(16 − 14) = 821,800 × 1.030225 = 846,638.905; + 111,100 = 957,738.905 t
    assert free == approx(957_738.905, rel=1e-12)


def test_a_firms_own_factors_override_the_table():
    free = build_inputs(_one_unit(cooling="air", cooling_factor=1.0, heat_ratio=0.25, heat_factor=1.0)).free[0, 0]
    assert free == approx(821_800 + 111_100, rel=1e-12)
    water = build_inputs(_one_unit(cooling="water")).free[0, 0]
    assert water == approx(821_800 + 111_100, rel=1e-12)


def test_a_heat_ratio_of_a_unit_without_a_heat_correction_is_an_input_error():
    with pytest.raises(InputError, match="no heat-supply correction") as err:
        build_inputs(_one_unit(unit_type="gas", heat_ratio=0.3))
    assert err.value.key == "firms[0].heat_ratio"


def test_every_correction_row_has_a_source_and_the_load_correction_is_continuous_until_2022():
    table = read_correction_table()
    assert (table["source"].str.len() > 40).all()
    for name in ("china_2019_2020", "china_2021_2022"):
        p = china_power_corrections(name).load
        assert set(p) == set(LOAD_PARAMETERS)
        f = np.array([p["middle"], p["lower"]])
        below = load_factor_correction(f - 1e-12, p)
        assert below == approx(load_factor_correction(f, p), abs=1e-9)
    # the 2023-2024 plan's single band jumps at 65 %: 1 at F = 0.65, 1.015^(16 − 13) = 1.045678375 just below
    p = china_power_corrections("china_2023_2024").load
    assert load_factor_correction(np.array([0.65, 0.65 - 1e-12]), p) == approx([1.0, 1.045678375], rel=1e-9)


# --- the 2023-2024 plan (generation basis, peak-shaving correction only) -----------------------


def _units_2023(**allocation):
    return parse_market(
        {
            "unit": "tCO2",
            "periods": [2023, 2024],
            "allocation": {"method": "china_power", "rules": "china_2023_2024", **allocation},
            "firms": [
                # conventional coal > 300 MW at load factor 0.60: corrected without a flag
                {
                    "id": "A",
                    "baseline": 2.9e6,
                    "unit_type": "coal_above_300mw",
                    "power_generation_mwh": 3.0e6,
                    "heat_supply_gj": 1.0e6,
                    "load_factor": 0.60,
                },
                # conventional coal <= 300 MW at load factor 0.70 (no correction at F >= 0.65)
                {
                    "id": "B",
                    "baseline": 1.0e6,
                    "unit_type": "coal_300mw_and_below",
                    "power_generation_mwh": 1.0e6,
                    "load_factor": 0.70,
                },
                # a circulating fluidised bed unit at 0.50: no correction for unconventional coal
                {
                    "id": "C",
                    "baseline": 6.0e5,
                    "unit_type": "coal_unconventional",
                    "power_generation_mwh": 6.0e5,
                    "heat_supply_gj": 5.0e5,
                    "load_factor": 0.50,
                },
                {"id": "D", "baseline": 2.0e5, "unit_type": "gas", "power_generation_mwh": [5.0e5, 4.0e5]},
            ],
        }
    )


def test_china_2023_2024_allocation_of_four_units_by_hand():
    free = build_inputs(_units_2023()).free
    # A, 2023: 0.7950 t/MWh × 3,000,000 MWh × 1.015^(16 − 20·0.60) = 2,385,000 × 1.015^4
    #   1.015^2 = 1.030225; 1.015^4 = 1.030225^2 = 1.061363550625 → 2,531,352.068240625
    #   + 0.1038 t/GJ × 1,000,000 GJ = 103,800 → 2,635,152.068240625 t
    # A, 2024: 0.7910 × 3e6 = 2,373,000 × 1.061363550625 = 2,518,615.705633125; + 103,300 = 2,621,915.705633125
    assert free[0] == approx([2_635_152.068240625, 2_621_915.705633125], rel=1e-12)
    # B: 0.8090 × 1,000,000 = 809,000 t in 2023; 0.8049 × 1,000,000 = 804,900 t in 2024
    assert free[1] == approx([809_000.0, 804_900.0], rel=1e-12)
    # C: 0.8285 × 600,000 + 0.1038 × 500,000 = 497,100 + 51,900 = 549,000 t;
    #    2024: 0.8244 × 600,000 + 0.1033 × 500,000 = 494,640 + 51,650 = 546,290 t
    assert free[2] == approx([549_000.0, 546_290.0], rel=1e-12)
    # D (gas): 0.3305 × 500,000 = 165,250 t; 0.3288 × 400,000 = 131,520 t
    assert free[3] == approx([165_250.0, 131_520.0], rel=1e-12)


def test_a_unit_may_opt_out_of_the_2023_correction():
    section = _units_2023()
    firms = [f.model_copy(update={"load_factor_correction": False}) if f.id == "A" else f for f in section.firms]
    free = build_inputs(section.model_copy(update={"firms": firms})).free
    assert free[0, 0] == approx(2_385_000 + 103_800, rel=1e-12)


def test_the_2023_plan_allocates_on_generation_not_supply():
    section = parse_market(
        {
            "unit": "tCO2",
            "periods": [2023],
            "allocation": {"method": "china_power", "rules": "china_2023_2024"},
            "firms": [{"id": "U", "baseline": 1e6, "unit_type": "gas", "power_supply_mwh": 1e6}],
        }
    )
    with pytest.raises(InputError, match="allocates on power generation, not supply") as err:
        build_inputs(section)
    assert err.value.key == "firms[0].power_generation_mwh"
    # and the earlier plans on supply
    with pytest.raises(InputError, match="allocates on power supply, not generation"):
        build_inputs(_units("china_2021_2022", [2021]).model_copy(update={"firms": _units_2023().firms}))


@pytest.mark.parametrize(
    ("firm", "message", "key"),
    [
        ({"cooling": "air"}, "no cooling-mode correction", "firms[0].cooling"),
        ({"heat_ratio": 0.3}, "no heat-supply correction", "firms[0].heat_ratio"),
        (
            {"unit_type": "gas", "load_factor_correction": True},
            "no load-factor correction",
            "firms[0].load_factor_correction",
        ),
    ],
)
def test_corrections_the_2023_plan_does_not_have_are_input_errors(firm, message, key):
    unit = {"id": "U", "baseline": 1e6, "unit_type": "coal_above_300mw", "power_generation_mwh": 1e6, **firm}
    section = parse_market(
        {
            "unit": "tCO2",
            "periods": [2023],
            "allocation": {"method": "china_power", "rules": "china_2023_2024"},
            "firms": [unit],
        }
    )
    with pytest.raises(InputError, match=message) as err:
        build_inputs(section)
    assert err.value.key == key


def test_the_2023_plan_allows_no_pre_borrowing():
    with pytest.raises(InputError, match="no pre-borrowing") as err:
        build_inputs(_units_2023(pre_borrowing=True))
    assert err.value.key == "allocation.pre_borrowing"


# --- pre-borrowing (2021–2022 plan) ------------------------------------------------------------


def _borrowing_market(periods=(2021, 2022), **option):
    return parse_market(
        {
            "unit": "tCO2",
            "periods": list(periods),
            "banking": False,
            "allocation": {"method": "explicit", "pre_borrowing": option or True},
            "firms": [
                # fixed emissions 1,000 t; allocation 880: shortfall 120 = 12 % of emissions
                {"id": "A", "baseline": 1000, "mac": "none", "allocation": 880},
                # allocation 920: shortfall 80 = 8 %, below the 10 % threshold
                {"id": "B", "baseline": 1000, "mac": "none", "allocation": 920},
                # MAC(a) = 1 CNY/t per t abated, allocation = baseline
                {"id": "C", "baseline": 1000, "mac": {"slope": 1.0}, "allocation": 1000},
            ],
        }
    )


def test_pre_borrowing_by_hand():
    result = clear(build_inputs(_borrowing_market()))
    firms = result.firms.set_index(["period", "firm"])
    # A borrows half its 120 t shortfall for 2021; its 2022 allocation is 880 − 60 = 820
    assert firms.loc[(2021, "A"), "pre_borrowed"] == approx(60.0)
    assert firms.loc[(2022, "A"), "allocation"] == approx(820.0)
    assert firms.loc[(2021, "A"), "net_purchase"] == approx(1000 - 880 - 60)
    # B (8 %) does not; the last period has no later allocation to borrow from
    assert firms.loc[(2021, "B"), "pre_borrowed"] == 0.0
    assert firms.loc[(2022, "A"), "pre_borrowed"] == 0.0
    # without banking each year clears alone: 2021 supply 880 + 920 + 1000 + 60 = 2,860 =
    # 3,000 − a → a = 140 = p; 2022 supply 2,800 − 60 = 2,740 → a = 260 = p
    assert result.periods["price"].tolist() == approx([140.0, 260.0])
    assert result.periods["pre_borrowed"].tolist() == approx([60.0, 0.0])
    ledger = result.ledger
    row = ledger[ledger["event"] == "pre_borrow"]
    assert row[["period", "from_account", "to_account", "quantity"]].values.tolist() == [
        [2021, "registry", "A", approx(60.0)]
    ]
    allocated = ledger[(ledger["event"] == "allocate") & (ledger["to_account"] == "A")]
    assert allocated["quantity"].tolist() == approx([880.0, 820.0])
    assert result.summary["pre_borrowed_total_tco2"] == approx(60.0)


def test_pre_borrowing_from_a_named_period_like_the_plan():
    # the 2021–2022 plan: both years' shortfalls draw on the 2023 allocation
    section = _borrowing_market((2021, 2022, 2023), from_period=2023)
    inp = build_inputs(section)
    assert inp.pre_borrow_from.tolist() == [2, 2, -1]
    result = clear(inp)
    a = result.firms[result.firms["firm"] == "A"]
    assert a["pre_borrowed"].tolist() == approx([60.0, 60.0, 0.0])
    assert a["allocation"].tolist() == approx([880.0, 880.0, 760.0])


def test_pre_borrowing_from_a_period_not_in_the_market_is_an_input_error():
    with pytest.raises(InputError, match="not a period") as err:
        build_inputs(_borrowing_market(from_period=2024))
    assert err.value.key == "allocation.pre_borrowing.from_period"
