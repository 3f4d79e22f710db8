"""China's national ETS rule tables shipped as data (carbon/data/china_ets_power.csv)."""

from __future__ import annotations

import pytest
from pytest import approx

from carbon.errors import InputError
from carbon.market import build_inputs
from carbon.market.loader import parse_market
from carbon.market.rules import RULE_SETS, read_rule_table


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
