"""Inventory numbers computed by hand from the factor tables (sources in carbon/data)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbon.errors import InputError
from carbon.inventory import account, balance_to_long, load_factor_set, read_factor_file, validate_activity
from carbon.inventory.uncertainty import approach1, approach2
from carbon.scenario import InventoryOptions

CHINA = load_factor_set("china")
IPCC = load_factor_set("ipcc2006")


def rows(*items):
    return pd.DataFrame([dict(zip(["year", "sector", "category", "item", "quantity", "unit"], r)) for r in items])


def gas(inv, item, g):
    e = inv.emissions
    return e[(e["item"] == item) & (e["gas"] == g)].iloc[0]


def test_fuels_in_several_units_china_set():
    inv = account(rows(
        (2020, "power", "1.A.1", "raw_coal", 10, "10^4 t"),
        (2020, "industry", "1.A.2", "natural_gas", 100, "10^4 m3"),
        (2020, "transport", "1.A.3.b", "diesel", 2000, "t"),
        (2020, "industry", "1.A.2", "electricity", 1000, "10^4 kWh"),
    ), CHINA, "AR5")
    # raw coal: 1e5 t x 20.908 GJ/t = 2,090,800 GJ = 2090.8 TJ; 1e5 t x 0.7143 tce/t = 71,430 tce
    coal = gas(inv, "raw_coal", "co2")
    assert coal["energy_tj"] == pytest.approx(2090.8)
    assert coal["energy_tce"] == pytest.approx(71430.0)
    # CO2 = 2090.8 TJ x 26.37 tC/TJ x 44/12 x 0.94 = 190,029.88 t
    assert coal["emissions_t"] == pytest.approx(2090.8 * 26.37 * 44 / 12 * 0.94)
    # CH4 (Table 2.2, 1 kg/TJ) = 2.0908 t -> 58.54 t CO2e at AR5 28; N2O 1.5 kg/TJ = 3.1362 t x 265
    assert gas(inv, "raw_coal", "ch4")["co2e_t"] == pytest.approx(2.0908 * 28)
    assert gas(inv, "raw_coal", "n2o")["co2e_t"] == pytest.approx(3.1362 * 265)
    # natural gas: 1e6 m3 x 38.931 MJ/m3 = 38.931 TJ; 100 x 13.3 tce/10^4 m3 = 1330 tce
    ng = gas(inv, "natural_gas", "co2")
    assert ng["energy_tj"] == pytest.approx(38.931)
    assert ng["energy_tce"] == pytest.approx(1330.0)
    assert ng["emissions_t"] == pytest.approx(38.931 * 15.3 * 44 / 12 * 0.99)
    # road diesel: 2000 t x 42.652 GJ/t = 85.304 TJ; CH4 3.9 kg/TJ and N2O 3.9 kg/TJ (Table 3.2.2)
    d = gas(inv, "diesel", "co2")
    assert d["emissions_t"] == pytest.approx(85.304 * 20.2 * 44 / 12 * 0.98)
    assert gas(inv, "diesel", "ch4")["emissions_t"] == pytest.approx(85.304 * 3.9 / 1000)
    # electricity: 1e7 kWh = 10,000 MWh x 0.5366 t/MWh = 5366 t, scope 2; 1e7 x 0.1229 kgce = 1229 tce
    el = gas(inv, "electricity", "co2")
    assert (el["emissions_t"], el["scope"], el["energy_tce"]) == (pytest.approx(5366.0), 2, pytest.approx(1229.0))
    assert el["energy_tj"] == pytest.approx(36.0)
    assert inv.total_co2e_t(2) == pytest.approx(5366.0)
    assert inv.total_co2e_t() == pytest.approx(inv.total_co2e_t(1) + inv.total_co2e_t(2))


def test_ipcc_default_calorific_value_gives_23_percent_more_coal_co2():
    act = rows((2020, "power", "1.A.1", "raw_coal", 1, "t"))
    china, ipcc = account(act, CHINA), account(act, IPCC)
    # energy: 25.8 / 20.908 = 1.234; CO2: 25.8 x 94.6 / (20.908 x 96.69 x 0.94) = 1.284
    assert gas(ipcc, "raw_coal", "co2")["energy_tj"] / gas(china, "raw_coal", "co2")["energy_tj"] == pytest.approx(25.8 / 20.908)
    assert gas(ipcc, "raw_coal", "co2")["emissions_t"] == pytest.approx(25.8e-3 * 94600e-3)
    # IPCC tce comes from energy: 25.8 GJ / 29.3076 GJ/tce = 0.8803 tce
    assert gas(ipcc, "raw_coal", "co2")["energy_tce"] == pytest.approx(25.8 / 29.3076)


def test_agriculture_and_gwp_switching():
    act = rows(
        (2020, "agriculture", "3.A.1", "dairy_cattle", 1000, "head"),
        (2020, "agriculture", "3.A.2", "swine", 10000, "head"),
        (2020, "agriculture", "3.C.4", "synthetic_n_fertiliser", 100, "t"),
        (2020, "agriculture", "3.C.7", "rice", 15, "mu"),
    )
    # enteric 1000 x 68 kg = 68 t CH4; manure 10000 x 2 kg = 20 t CH4; rice 1 ha x 156 kg = 0.156 t
    # N2O: 100 t N x 0.01 x 44/28 = 1.5714 t; manure N2O of the swine (3.A.2, generic set): Nex 0.42 kg N/
    # (1000 kg)/day x 28 kg x 365 = 4.2924 kg N/head x (EF3 0.005 + Frac_GasMS 0.45 x EF4 0.01) x 44/28
    # = 0.064079 kg N2O/head x 10,000 = 0.64079 t
    ch4 = 68 + 20 + 0.156
    n2o = 100 * 0.01 * 44 / 28 + 10_000 * 0.42 * 28 * 365 / 1000 * (0.005 + 0.45 * 0.01) * 44 / 28 / 1000
    expected = {"SAR": ch4 * 21 + n2o * 310, "AR4": ch4 * 25 + n2o * 298, "AR5": ch4 * 28 + n2o * 265,
                "AR6": ch4 * 27.9 + n2o * 273, "AR6-split": ch4 * 27.0 + n2o * 273}  # agricultural CH4 is biogenic
    for name, total in expected.items():
        assert account(act, CHINA, name).total_co2e_t() == pytest.approx(total), name


def test_ar6_split_fossil_methane_and_biomass_memo():
    act = rows((2020, "residential", "1.A.4.b", "raw_coal", 1000, "t"),
               (2020, "residential", "1.A.4.b", "wood", 1000, "t"))
    inv = account(act, CHINA, "AR6-split")
    # residential coal CH4: 20.908 TJ x 300 kg/TJ = 6.2724 t, fossil GWP 29.8
    assert gas(inv, "raw_coal", "ch4")["co2e_t"] == pytest.approx(6.2724 * 29.8)
    # wood CH4 15.6 TJ x 300 kg/TJ = 4.68 t, non-fossil 27.0; wood CO2 15.6 x 112 t = 1747.2 t memo
    assert gas(inv, "wood", "ch4")["co2e_t"] == pytest.approx(4.68 * 27.0)
    wood_co2 = gas(inv, "wood", "co2")
    assert wood_co2["memo"] and wood_co2["emissions_t"] == pytest.approx(1747.2)
    assert inv.summary()["biogenic_co2_memo_t"] == pytest.approx(1747.2)
    # total without the memo: coal CO2 20.908 TJ x 96.69 t/TJ x 0.94 oxidised + coal CH4 and N2O
    # (20.908 x 1.5 kg = 0.031362 t) + wood CH4 and N2O (15.6 x 4 kg = 0.0624 t), N2O at 273
    coal_co2 = 20.908 * 96.69 * 0.94
    n2o = (0.031362 + 0.0624) * 273
    assert inv.total_co2e_t() == pytest.approx(coal_co2 + 6.2724 * 29.8 + 4.68 * 27.0 + n2o)
    # energy totals exclude biomass: only the coal's 1000 x 0.7143 tce
    assert inv.energy_tce() == pytest.approx(714.3)


def test_most_specific_category_wins():
    # gasoline: stationary 1.A.2 CH4 = 3 kg/TJ (Table 2.3) vs road 1.A.3.b CH4 = 33 kg/TJ (Table 3.2.2)
    inv = account(rows((2020, "industry", "1.A.2", "gasoline", 1, "t"),
                       (2020, "transport", "1.A.3.b.i", "gasoline", 1, "t")), CHINA)
    e = inv.emissions[inv.emissions["gas"] == "ch4"].set_index("category")["emissions_t"]
    assert e["1.A.2"] == pytest.approx(43.07e-3 * 3e-3)
    assert e["1.A.3.b.i"] == pytest.approx(43.07e-3 * 33e-3)


def test_user_factor_file_overrides_and_adds(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "factor,item,category,value,unit,source,biogenic\n"
        "co2,electricity,,0.6058,t/MWh,Henan 2022,false\n"
        "ch4,bagasse,1.A.2,30,kg/TJ,test,true\n"
        "ncv,bagasse,,7.7,GJ/t,test,true\n"
        "co2,bagasse,,100,t/TJ,test,true\n")
    fs = load_factor_set("china", read_factor_file(path), str(path))
    inv = account(rows((2020, "industry", "1.A.2", "electricity", 1, "MWh"),
                       (2020, "industry", "1.A.2", "bagasse", 100, "t")), fs)
    assert gas(inv, "electricity", "co2")["emissions_t"] == pytest.approx(0.6058)
    # bagasse: 770 GJ x 30 kg/TJ = 0.0231 t CH4; CO2 77 t is biogenic memo
    assert gas(inv, "bagasse", "ch4")["emissions_t"] == pytest.approx(0.0231)
    assert gas(inv, "bagasse", "co2")["memo"]


def test_energy_balance_wide_layout():
    raw = pd.DataFrame({"sector": ["unit", "industry", "residential"], "category": ["", "1.A.2", "1.A.4.b"],
                        "raw_coal": ["10^4 t", "5", "1.5"], "natural_gas": ["10^4 m3", "300", ""],
                        "electricity": ["10^4 kWh", "0", "2000"]})
    long = validate_activity(balance_to_long(raw, year=2020))
    assert sorted(zip(long["sector"], long["item"], long["quantity"], long["unit"])) == [
        ("industry", "natural_gas", 300.0, "10^4 m3"), ("industry", "raw_coal", 5.0, "10^4 t"),
        ("residential", "electricity", 2000.0, "10^4 kWh"), ("residential", "raw_coal", 1.5, "10^4 t")]


def test_errors_name_row_and_offer_a_suggestion():
    with pytest.raises(InputError) as err:
        account(rows((2020, "industry", "1.A.2", "raw_cole", 1, "t")), CHINA)
    assert "unknown item 'raw_cole'" in str(err.value) and "did you mean 'raw_coal'" in str(err.value)
    assert err.value.key == "row 2, column item"
    with pytest.raises(InputError, match="wrong kind") as err:
        account(rows((2020, "industry", "1.A.2", "raw_coal", 1, "head")), CHINA)
    assert err.value.key == "row 2, column unit"
    with pytest.raises(InputError, match="no emission factor for 'dairy_cattle' in category 1.A.2") as err:
        account(rows((2020, "industry", "1.A.2", "dairy_cattle", 1, "head")), CHINA)
    assert err.value.key == "row 2, column item"


def test_missing_factor_points_at_the_item_even_when_its_name_says_unit(tmp_path):
    # The column was once guessed from the message: 'community' contains 'unit'.
    path = tmp_path / "f.csv"
    path.write_text("factor,item,category,value,unit,source,biogenic\nco2,community_heat,1.A.4,0.1,t/GJ,test,false\n")
    fs = load_factor_set("china", read_factor_file(path), str(path))
    with pytest.raises(InputError, match="no emission factor for 'community_heat'") as err:
        account(rows((2020, "industry", "1.A.2", "community_heat", 1, "GJ")), fs)
    assert err.value.key == "row 2, column item"


def test_approach1_matches_its_formula():
    act = rows((2020, "a", "1.A.1", "electricity", 1000, "MWh"), (2020, "a", "3.A.1", "dairy_cattle", 100, "head"))
    act["uncertainty"] = [0.03, 0.2]
    inv = account(act, CHINA, "AR5")
    x1, x2 = 536.6, 100 * 0.068 * 28  # t CO2e
    u1, u2 = np.hypot(0.03, 0.05), np.hypot(0.2, 0.5)  # activity and default factor uncertainty
    half = np.sqrt((u1 * x1) ** 2 + (u2 * x2) ** 2)  # IPCC Vol.1 Eq. 3.1 and 3.2
    i = approach1(inv)
    assert (i.total_t, i.lower_t, i.upper_t) == pytest.approx((x1 + x2, x1 + x2 - half, x1 + x2 + half))


def test_approach2_is_seeded_and_close_to_approach1():
    act = rows(*[(2020, f"s{k}", "1.A.1", "electricity", 100 + k, "MWh") for k in range(30)])
    inv = account(act, CHINA)
    a = approach2(inv, draws=20000, seed=7)
    assert a == approach2(inv, draws=20000, seed=7)
    # 30 rows of similar size and independent draws: the Monte Carlo half-width is close to Approach 1's
    assert a.relative == pytest.approx(approach1(inv).relative, rel=0.05)


def test_factor_override_at_a_category_changes_that_category_only():
    from carbon.model import apply_overrides, load_model
    from carbon.stages.inventory import compute

    model = load_model(Path(__file__).resolve().parents[1] / "models" / "lankao")
    changed = apply_overrides(model, {"factors.co2.raw_coal@1.A.2": 100, "factors.ch4.raw_coal@1.A.4": {"scale": 2}})

    def raw_coal(inv, gas):
        e = inv.emissions
        return e[(e["item"] == "raw_coal") & (e["gas"] == gas)].set_index("category")["emissions_t"]

    before, after = (compute(m, InventoryOptions(factors="china")) for m in (model, changed))
    co2, ch4 = raw_coal(after, "co2"), raw_coal(after, "ch4")
    # industry 1.A.2: 77.0 x 10^4 t x 20.908 GJ/t = 16,099.16 TJ x 100 t/TJ x oxidation 0.94
    # (the calibrated base year, models/lankao/CALIBRATION.md);
    # the set's one co2 row (96.69 t/TJ, no category) still serves every other category
    assert co2["1.A.2"] == pytest.approx(16099.16 * 100 * 0.94)
    assert co2["1.A.1"] == pytest.approx(14.3e4 * 20.908e-3 * 96.69 * 0.94)
    assert co2.drop("1.A.2").to_dict() == pytest.approx(raw_coal(before, "co2").drop("1.A.2").to_dict())
    # CH4 rows under 1.A.4 (1.A.4.a 10, 1.A.4.b 300, 1.A.4.c.i 300 kg/TJ) double; 1.A.1, 1.A.2 stay
    ratio = ch4 / raw_coal(before, "ch4")
    assert ratio.to_dict() == pytest.approx({"1.A.1": 1, "1.A.2": 1, "1.A.4.a": 2, "1.A.4.b": 2, "1.A.4.c.i": 2})


def test_the_inventory_stage_of_a_kept_base_year_is_kept_and_still_checked():
    # every Monte Carlo sample asks for the same base year: the second call gives the same
    # tables without accounting again, and another population is checked again
    from dataclasses import replace

    from carbon.model import load_model
    from carbon.stages.inventory import run_stage

    model = load_model(Path(__file__).resolve().parents[1] / "models" / "lankao")
    first = run_stage(model, InventoryOptions())
    again = run_stage(model, InventoryOptions())
    assert again.tables["emissions"] is first.tables["emissions"] and again.summary == first.summary
    assert again.tables is not first.tables and again.summary is not first.summary  # callers may add to them
    assert first.summary["co2e_t"] == pytest.approx(3_681_652, abs=1)  # the pin of models/lankao/CALIBRATION.md
    with pytest.raises(InputError, match="implausible"):
        run_stage(replace(model, population=50.0), InventoryOptions())
    assert run_stage(replace(model, population=50.0), InventoryOptions(), allow=["activity.quantity"]).summary == first.summary
