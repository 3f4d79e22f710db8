"""Market files: schema, allocation rules, firms CSV and the power-sector MAC link."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carbon.errors import InputError
from carbon.market import build_inputs, clear, mac_from_energy
from carbon.market.allocation import china_power, grandfathering, load_factor_correction
from carbon.market.loader import parse_market, parse_markets

BASE = {
    "unit": "tCO2",
    "periods": [2021, 2022],
    "firms": [
        {"id": "A", "baseline": 100, "mac": {"slope": 1}, "allocation": 50},
        {"id": "B", "baseline": [100, 90], "mac": {"slope": 2}, "allocation": [50, 40]},
    ],
}


def market(**changes):
    data = {**BASE, **changes}
    return parse_market(data, file="m.yaml")


def test_load_factor_correction_formula():
    # F >= 0.85 → 1; F = 0.82 → 1 + 0.0014·(85 − 82) = 1.0042; F = 0.78 → 1.007 + 0.0016·2 = 1.0102;
    # F = 0.60 → 1.015^(16 − 12) = 1.061363550625
    got = load_factor_correction(np.array([0.9, 0.85, 0.82, 0.78, 0.75, 0.6]))
    want = [1.0, 1.0, 1.0042, 1.0102, 1.007 + 0.0016 * 5, 1.015**4]
    assert got == pytest.approx(want, rel=1e-12)


def test_china_power_allocation_on_three_units():
    # unit 1: 0.818 t/MWh × 1.6e6 MWh × 1.0 × 0.98 × 1.0102 + 0.111 t/GJ × 1.5e6 GJ
    #       = 1,295,706.7648 + 166,500 = 1,462,206.7648
    # unit 2: 0.873 × 640,000 × 1.0 × 0.97 × 1.015^(16 − 12.4) + 0.111 × 600,000
    # unit 3: gas-style unit without correction: 0.392 × 500,000 × 1 × 1 × 1 + 0 = 196,000
    alloc = china_power(
        np.array([[1.6e6], [640_000.0], [500_000.0]]),
        np.array([[1.5e6], [600_000.0], [0.0]]),
        np.array([0.818, 0.873, 0.392]),
        np.array([0.111, 0.111, 0.0]),
        np.array([1.0, 1.0, 1.0]),
        np.array([0.98, 0.97, 1.0]),
        np.array([[0.78], [0.62], [0.5]]),
        np.array([True, True, False]),
    )[:, 0]
    u2 = 0.873 * 640_000 * 0.97 * 1.015**3.6 + 0.111 * 600_000
    assert alloc == pytest.approx([1_462_206.7648, u2, 196_000.0], rel=1e-12)


def test_china_power_rule_from_a_market_file():
    m = market(
        periods=[2021],
        allocation={
            "method": "china_power",
            "benchmarks": {"coal300": {"power": 0.8, "heat": 0.1}},
        },
        firms=[
            {
                "id": "U1",
                "baseline": 900,
                "unit_type": "coal300",
                "power_supply_mwh": 1000,
                "heat_supply_gj": 500,
                "load_factor": 0.82,
                "load_factor_correction": True,
            },
            {"id": "F", "baseline": 10, "allocation": 10},
        ],
    )
    inp = build_inputs(m)
    # 0.8 × 1000 × 1.0042 + 0.1 × 500 = 803.36 + 50
    assert inp.free[:, 0] == pytest.approx([853.36, 10.0])


def test_grandfathering_shares_pool_by_history():
    free = grandfathering(np.array([90.0, 60.0]), np.array([100.0, 200.0]))
    assert free == pytest.approx(np.array([[30.0, 20.0], [60.0, 40.0]]))
    m = market(
        allocation={"method": "grandfathering", "pool": [150, 120]},
        firms=[{"id": "A", "baseline": 100, "historical": 200}, {"id": "B", "baseline": 100}],
    )
    # B's history defaults to its first baseline: shares 2/3 and 1/3
    assert build_inputs(m).free == pytest.approx(np.array([[100.0, 80.0], [50.0, 40.0]]))


def test_benchmark_rule_by_sector():
    m = market(
        allocation={"method": "benchmark", "benchmark": {"cement": 0.8, "food": 0.1}},
        firms=[
            {"id": "C", "sector": "cement", "baseline": 100, "output": 110},
            {"id": "F", "sector": "food", "baseline": 50, "output": [400, 450]},
        ],
    )
    assert build_inputs(m).free == pytest.approx(np.array([[88.0, 88.0], [40.0, 45.0]]))


def test_baseline_from_output_and_intensity():
    m = market(firms=[{"id": "A", "output": [10, 20], "intensity": 2.5, "allocation": 0}])
    assert build_inputs(m).baseline[0] == pytest.approx([25.0, 50.0])


def test_energy_model_curve_becomes_a_step_mac():
    # Synthetic energy-model output: emissions 1000 at 0, 1000 at 50, 900 at 100, 700 at 200.
    # Steps: 100 t at 100 CNY/t, 200 t at 200 CNY/t; baseline 1000.
    table = pd.DataFrame({"carbon_price_cny_per_t": [0, 50, 100, 200], "emissions_t": [1000.0, 1000.0, 900.0, 700.0]})
    mac = mac_from_energy(table)
    assert mac.baseline == 1000.0
    assert mac.steps == ((100.0, 100.0), (200.0, 200.0))
    assert mac.abatement(150) == 100.0
    # the power firm in a market: a cap of 850 needs 150 abated → half of the 200-CNY step
    m = market(
        periods=[2021],
        firms=[
            {
                "id": "power",
                "mac": {"curve": [[0, 1000], [50, 1000], [100, 900], [200, 700]]},
                "allocation": 850,
            }
        ],
    )
    r = clear(build_inputs(m))
    assert r.periods["price"].iloc[0] == pytest.approx(200.0, rel=1e-12)
    assert r.firms["abatement"].iloc[0] == pytest.approx(150.0)


def test_energy_model_curve_rejects_rising_emissions():
    with pytest.raises(InputError, match="emissions rise"):
        mac_from_energy([[0, 100], [10, 120]])
    with pytest.raises(InputError, match="lacks columns"):
        mac_from_energy(pd.DataFrame({"price": [0]}))


def test_energy_model_curve_from_csv(tmp_path):
    (tmp_path / "mac.csv").write_text("carbon_price_cny_per_t,emissions_t\n0,500\n40,450\n80,420\n")
    m = market(periods=[2021], firms=[{"id": "p", "mac": {"curve": "mac.csv"}, "allocation": 480}])
    inp = build_inputs(m, tmp_path)
    assert inp.baseline[0, 0] == 500.0
    assert inp.step_cost[0] == pytest.approx([40.0, 80.0])
    assert inp.step_qty[0] == pytest.approx([50.0, 30.0])


def test_firms_csv_one_row_per_firm(tmp_path):
    (tmp_path / "firms.csv").write_text(
        "id,sector,baseline,mac_slope,mac_intercept,allocation\nA,x,100,1,,50\nB,y,100,,,100\n"
    )
    inp = build_inputs(market(firms="firms.csv"), tmp_path)
    assert list(inp.firm_ids) == ["A", "B"]
    assert inp.lin_max[1].sum() == 0.0  # B has no MAC: fixed emissions
    assert inp.free[0] == pytest.approx([50.0, 50.0])


def test_firms_csv_flags_are_read_by_the_schema(tmp_path):
    # A blank cell makes pandas read the column as floats (1 -> 1.0); "1.0" once read as false.
    from carbon.market.firms import read_firms_csv

    (tmp_path / "firms.csv").write_text("id,baseline,allocation,load_factor_correction\nA,100,50,1\nB,100,50,\n")
    firms = read_firms_csv(tmp_path / "firms.csv", [2021])
    # a blank cell is no flag: the correction table's default for the unit's class
    assert [(f.id, f.load_factor_correction) for f in firms] == [("A", True), ("B", None)]
    (tmp_path / "firms.csv").write_text("id,baseline,allocation,load_factor_correction\nA,100,50,ture\n")
    with pytest.raises(InputError, match="load_factor_correction"):
        read_firms_csv(tmp_path / "firms.csv", [2021])


def test_firms_csv_one_row_per_firm_and_period(tmp_path):
    (tmp_path / "firms.csv").write_text("id,period,baseline,mac_slope,allocation\nA,2022,110,1,40\nA,2021,100,1,50\n")
    inp = build_inputs(market(firms="firms.csv"), tmp_path)
    assert inp.baseline[0] == pytest.approx([100.0, 110.0])
    assert inp.free[0] == pytest.approx([50.0, 40.0])


@pytest.mark.parametrize(
    "changes, message, key",
    [
        (
            {"firms": [{"id": "A", "baseline": -5, "allocation": 0}]},
            "baseline must not be negative",
            "firms[0].baseline",
        ),
        ({"periods": [2022, 2021]}, "strictly increasing", "periods"),
        ({"offsets": {"limit": 1.5}}, "share in [0, 1]", "offsets.limit"),
        (
            {
                "firms": [
                    {
                        "id": "A",
                        "baseline": 1,
                        "allocation": 0,
                        "mac": {"slope": 1, "steps": [[1, 1]]},
                    }
                ]
            },
            "exactly one of",
            "firms[0].mac",
        ),
        ({"banking": False, "borrowing": True}, "borrowing needs banking", None),
        ({"unit": "m3"}, "allowance unit", "unit"),
        ({"msr": {"lower_threshold": 10, "upper_threshold": 5}}, "lower_threshold", "msr"),
    ],
)
def test_bad_market_files_fail_with_clear_messages(changes, message, key):
    with pytest.raises(InputError) as info:
        market(**changes)
    assert message in str(info.value)
    assert info.value.file == "m.yaml"
    if key is not None:
        assert info.value.key == key


def test_misspelt_key_suggests_the_right_one():
    data = {**BASE, "bankng": True}
    with pytest.raises(InputError) as info:
        parse_market(data, file="m.yaml")
    assert "unknown key 'bankng'" in str(info.value)
    assert "did you mean 'banking'" in str(info.value)


def test_floor_above_ceiling_is_an_input_error():
    m = market(auction={"volume": 10, "reserve_price": 80}, ceiling={"price": 50})
    with pytest.raises(InputError, match="floor .* is above the ceiling in 2021") as info:
        build_inputs(m, file="m.yaml")
    assert info.value.key == "ceiling.price"


def test_unknown_firm_in_allocation_list():
    m = market(allocation={"method": "explicit", "firms": {"A": 10, "Bx": 5}})
    with pytest.raises(InputError, match="unknown firm 'Bx'") as info:
        build_inputs(m, file="m.yaml")
    assert "did you mean 'B'" in str(info.value)


def test_per_period_list_of_wrong_length():
    m = market(firms=[{"id": "A", "baseline": [1, 2, 3], "allocation": 0}])
    with pytest.raises(InputError, match="one value per period") as info:
        build_inputs(m, file="m.yaml")
    assert info.value.key == "firms[0].baseline"


def test_step_quantities_above_baseline_are_rejected():
    m = market(firms=[{"id": "A", "baseline": 10, "allocation": 0, "mac": {"steps": [[5, 8], [9, 8]]}}])
    with pytest.raises(InputError, match="more than its baseline"):
        build_inputs(m)


def test_firm_ids_are_unique_and_name_no_registry_account(tmp_path):
    firm = {"baseline": 1, "allocation": 0}
    m = market(firms=[{"id": "A", **firm}, {"id": "B", **firm}, {"id": "A", **firm}])
    with pytest.raises(InputError, match="firm id 'A' appears twice") as info:
        build_inputs(m, file="m.yaml")
    assert (info.value.file, info.value.key) == ("m.yaml", "firms[2].id")
    assert "first at firms[0]" in str(info.value)
    (tmp_path / "f.csv").write_text("id,baseline,allocation\nA,1,0\nA,2,0\n")
    with pytest.raises(InputError, match="firm id 'A' appears twice") as info:
        build_inputs(market(firms="f.csv"), tmp_path)
    assert info.value.file.endswith("f.csv") and info.value.key == "id"
    # a firm named like a registry account is refused before the market is solved
    with pytest.raises(InputError, match="firm id 'market' clashes with a registry account") as info:
        build_inputs(market(firms=[{"id": "A", **firm}, {"id": "market", **firm}]), file="m.yaml")
    assert info.value.key == "firms[1].id"
    assert "do not name a firm registry, auction, market" in str(info.value)


def test_scenario_markets_side_by_side():
    markets = parse_markets({"markets": {"carbon": BASE, "energy_use_rights": {**BASE, "unit": "tce"}}}, file="s.yaml")
    assert sorted(markets) == ["carbon", "energy_use_rights"]
    with pytest.raises(InputError) as info:
        parse_markets({"markets": {"carbon": {**BASE, "perids": [1]}}}, file="s.yaml")
    assert info.value.key == "markets.carbon.perids"


def test_attach_the_energy_model_curve_to_a_power_firm():
    from carbon.market.power import attach_power_curve

    m = market(
        periods=[2021],
        firms=[{"id": "power", "baseline": 1000, "allocation": 850}, {"id": "other", "baseline": 10, "allocation": 10}],
    )
    table = pd.DataFrame({"carbon_price_cny_per_t": [0.0, 100.0, 200.0], "emissions_t": [1000.0, 900.0, 700.0]})
    m2 = attach_power_curve(m, "power", table)
    r = clear(build_inputs(m2))
    # needs 150: 100 at 100 CNY/t and half of the 200 t step at 200 CNY/t
    assert r.periods["price"].iloc[0] == pytest.approx(200.0, rel=1e-12)
    with pytest.raises(InputError, match="did you mean 'power'"):
        attach_power_curve(m, "powr", table)


def test_firms_csv_errors_name_the_file_and_row(tmp_path):
    with pytest.raises(InputError, match="firms file not found"):
        build_inputs(market(firms="missing.csv"), tmp_path)
    (tmp_path / "f.csv").write_text("id,baselin,allocation\nA,1,1\n")
    with pytest.raises(InputError, match="unknown column 'baselin'") as info:
        build_inputs(market(firms="f.csv"), tmp_path)
    assert "did you mean 'baseline'" in str(info.value)
    (tmp_path / "g.csv").write_text("id,baseline,allocation\nA,1,1\nB,-2,1\n")
    with pytest.raises(InputError, match="baseline must not be negative") as info:
        build_inputs(market(firms="g.csv"), tmp_path)
    assert info.value.key == "row 3.baseline"


def test_market_schema_exports_as_json_schema():
    from carbon.market.schema import MarketSection

    schema = MarketSection.model_json_schema()
    assert {"unit", "periods", "firms", "msr", "offsets"} <= set(schema["properties"])


def test_firms_csv_per_period_errors(tmp_path):
    (tmp_path / "a.csv").write_text("id,period,baseline,allocation\nA,2021,1,1\n")
    with pytest.raises(InputError, match="exactly one row per period"):
        build_inputs(market(firms="a.csv"), tmp_path)
    (tmp_path / "b.csv").write_text("id,period,sector,baseline,allocation\nA,2021,x,1,1\nA,2022,y,1,1\n")
    with pytest.raises(InputError, match="'sector' differs between periods"):
        build_inputs(market(firms="b.csv"), tmp_path)
    (tmp_path / "c.csv").write_text("id,period,baseline,allocation\nA,2021,1,1\nA,2030,1,1\n")
    with pytest.raises(InputError, match="period 2030 is not a period of the market") as info:
        build_inputs(market(firms="c.csv"), tmp_path)
    assert info.value.key == "row 3"


def test_misspelt_nested_key_suggests_the_right_one():
    with pytest.raises(InputError) as info:
        market(firms=[{"id": "A", "baseline": 1, "allocation": 1, "mac": {"slop": 1}}])
    assert info.value.key == "firms[0].mac.slop"
    assert "did you mean 'slope'" in str(info.value)


def test_validate_builds_the_markets_inputs(tmp_path, capsys):
    # `carbon validate` catches what only building the inputs finds (here a repeated firm id)
    from pathlib import Path

    from carbon.cli import main

    model = Path(__file__).resolve().parents[1] / "models" / "lankao"
    firm = "{id: A, baseline: 100, mac: {slope: 1}, allocation: 50}"
    f = tmp_path / "dup.yaml"
    f.write_text(
        f"name: dup\nmodel: {model}\nmarket:\n  unit: tCO2\n  periods: [2021, 2022]\n"
        f"  firms:\n    - {firm}\n    - {firm}\n"
    )
    assert main(["validate", str(f)]) == 2
    assert "market.firms[1].id: firm id 'A' appears twice" in capsys.readouterr().err
