"""IPCC 2006 Tier 1 categories, each with one worked example computed by hand, and the default
county's inventory and national targets with them."""
from __future__ import annotations

import io
import math
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from carbon.cli import main
from carbon.inventory import account, load_factor_set, tier1

ROOT = Path(__file__).resolve().parents[1]


def test_incineration_fossil_co2_by_composition():
    # 100 t: 50% plastics (dm 1.0, CF 0.75, FCF 1.0), 30% paper (0.9, 0.46, 0.01), 20% food (0.4, 0.38, 0)
    # C fossil = 100 x (0.5 x 0.75 + 0.3 x 0.9 x 0.46 x 0.01 + 0) = 100 x 0.376242 = 37.6242 t C
    got = tier1.incineration_co2_t(100.0, {"plastics": 0.5, "paper": 0.3, "food": 0.2})
    assert got == pytest.approx(37.6242 * 44 / 12, rel=1e-12)  # 137.9554 t CO2
    # the default (Eastern Asia) composition gives the factor-file value 0.417824 t/t:
    # plastics 0.143 x 0.75 + textiles 0.035 x 0.8 x 0.5 x 0.2 + rubber 0.010 x 0.84 x 0.67 x 0.2
    # + paper 0.188 x 0.9 x 0.46 x 0.01 + other 0.074 x 0.9 x 0.03 = 0.113952 t C x 44/12
    assert tier1.incineration_co2_t(1.0) == pytest.approx(0.113952 * 44 / 12, rel=1e-4)
    rows = load_factor_set("ipcc2006").table
    value = rows[(rows["item"] == "msw_incinerated") & (rows["factor"] == "co2")]["value"].iloc[0]
    assert value == pytest.approx(tier1.incineration_co2_t(1.0), abs=1e-6)


def test_manure_n2o_direct_and_indirect():
    # 1,000 dairy cattle x 72 kg N = 72 t N; 60% solid storage (EF3 0.005, Frac_Gas 0.30),
    # 40% daily spread (EF3 0, Frac_Gas 0.07)
    direct, indirect = tier1.manure_n2o_t(1000, 72.0, {"solid": 0.6, "spread": 0.4}, {"solid": 0.005, "spread": 0.0},
                                          {"solid": 0.30, "spread": 0.07})
    assert direct == pytest.approx(72 * 0.6 * 0.005 * 44 / 28, rel=1e-12)  # 0.3394 t N2O
    assert indirect == pytest.approx(72 * (0.6 * 0.30 + 0.4 * 0.07) * 0.01 * 44 / 28, rel=1e-12)  # 0.2353 t


def test_managed_soils_indirect_n2o():
    # 1,000 t synthetic N + 200 t manure N: volatilised 1000 x 0.10 + 200 x 0.20 = 140 t x EF4 0.01 = 1.4;
    # leached 1200 x 0.30 = 360 t x EF5 0.0075 = 2.7; (1.4 + 2.7) x 44/28 = 6.4429 t N2O
    assert tier1.soils_indirect_n2o_t(1000.0, 200.0) == pytest.approx(4.1 * 44 / 28, rel=1e-12)


def test_field_burning_of_crop_residues():
    # 500 t dry matter x Cf 0.80 = 400 t burnt; CH4 400,000 kg x 2.7 g/kg = 1.08 t; N2O x 0.07 g/kg = 0.028 t
    ch4, n2o = tier1.field_burning_t(500.0)
    assert (ch4, n2o) == (pytest.approx(1.08), pytest.approx(0.028))


def test_wastewater_n2o():
    # 100,000 people x 36.5 kg protein x 0.16 x 1.4 x 1.25 = 1,022 t N; x 0.005 x 44/28 = 8.03 t N2O
    assert tier1.wastewater_n2o_t(100_000, 36.5) == pytest.approx(1022 * 0.005 * 44 / 28, rel=1e-12)


def test_fod_first_years_by_hand():
    # 1,000 t in year 0 only, k = 0.1: DDOCm = 1000 x 0.138 x 0.5 x 1 = 69 t; year 1 decomposes
    # 69 x (1 - e^-0.1), year 2 69 e^-0.1 (1 - e^-0.1); CH4 = decomposed x 0.5 x 16/12
    k = 0.1
    assert tier1.fod_ch4_t({0: 1000.0}, 0, k) == 0.0
    assert tier1.fod_ch4_t({0: 1000.0}, 1, k) == pytest.approx(69 * (1 - math.exp(-k)) * 0.5 * 16 / 12, rel=1e-12)
    assert tier1.fod_ch4_t({0: 1000.0}, 2, k) == pytest.approx(
        69 * math.exp(-k) * (1 - math.exp(-k)) * 0.5 * 16 / 12, rel=1e-12)


def test_fod_equals_the_mass_balance_at_constant_deposition():
    # at steady state DDOCma = D/(1 - e^-k) and what decomposes each year is D: FOD = mass balance
    deposits = {y: 60_000.0 for y in range(400)}
    mass_balance = 60_000 * 0.138 * 0.5 * 1.0 * 0.5 * 16 / 12  # 2,760 t CH4
    assert tier1.mass_balance_ch4_per_t() * 60_000 == pytest.approx(mass_balance, rel=1e-12)
    assert tier1.fod_ch4_t(deposits, 399, k=0.05) == pytest.approx(mass_balance, rel=1e-6)
    # a growing history emits less per tonne deposited this year: the county's factor (k 0.05,
    # +3 %/yr since 1990) is 56% of the mass balance
    assert tier1.fod_ch4_per_t(0.05, 0.03, 30) / tier1.mass_balance_ch4_per_t() == pytest.approx(0.5622, abs=1e-4)
    assert tier1.DECAY_RATE_BULK_MSW["boreal_temperate_dry"] == pytest.approx(math.log(2) / 13.86, abs=1e-3)


def test_straw_as_household_fuel_counts_ch4_n2o_and_biogenic_co2_as_memo():
    act = pd.DataFrame({"year": [2020], "sector": ["residential"], "category": ["1.A.4.b"], "item": ["straw"],
                        "quantity": [1.0], "unit": ["10^4 t"]})
    e = account(act, load_factor_set("china")).emissions.set_index("gas")
    tj = 10_000 * 11.6 / 1000  # 116 TJ
    assert e.at["co2", "emissions_t"] == pytest.approx(tj * 100.0) and bool(e.at["co2", "memo"])
    assert e.at["ch4", "emissions_t"] == pytest.approx(tj * 0.300)  # 34.8 t
    assert e.at["n2o", "emissions_t"] == pytest.approx(tj * 0.004)


def test_default_county_lists_the_new_categories():
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["inventory", str(ROOT / "models" / "lankao"), "--by", "category,gas", "--format", "csv"]) == 0
    t = pd.read_csv(io.StringIO(out.getvalue()), dtype={"category": str})
    rows = set(zip(t["category"], t["gas"]))
    assert {("4.C.1", "co2"), ("3.A.2", "n2o"), ("3.C.1", "ch4"), ("3.C.5", "n2o"), ("4.D", "n2o")} <= rows
    n2o = t.set_index(["category", "gas"])["emissions_t"]
    # 3.C.5: 22,000 t N x 0.005107143 t N2O/t N = 112.36 t
    assert n2o["3.C.5", "n2o"] == pytest.approx(22_000 * 0.005107143, rel=1e-9)
    # 4.C.1: 3,000 t x 0.417824 t CO2/t = 1,253.5 t
    assert n2o["4.C.1", "co2"] == pytest.approx(3_000 * 0.417824, rel=1e-9)


SCENARIO = """name: targets_by_hand
model: {model}
base_year: 2020
pathway:
  years: [2020, 2030]
  gdp: {{growth: 0.06}}
"""


def test_national_targets_by_hand_for_the_default_county(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO.format(model=ROOT / "models" / "lankao"))
    assert main(["run", str(scenario), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"]) == 0
    folder = tmp_path / "out" / "targets_by_hand" / "pathway"
    annual = pd.read_csv(folder / "annual.csv").set_index("year")
    targets = pd.read_csv(folder / "targets.csv")
    # energy-related CO2, 2020: fossil fuels burnt in end use (1.A.2-1.A.4, factor set china):
    fuel = (863_000 * 20.908e-3 * 96.69 * 0.94          # raw coal 77 + 2 + 7 + 0.3 x 10^4 t
            + 6_000 * 28.435e-3 * 108.166667 * 0.93     # coke
            + 8_100 * 389.31e-3 * 56.1 * 0.99           # natural gas 3200 + 800 + 1500 + 2600 x 10^4 m3
            + 100_000 * 42.652e-3 * 74.066667 * 0.98    # diesel 0.4 + 1.2 + 5.8 + 0.2 + 2.4 x 10^4 t
            + 1_000 * 41.816e-3 * 77.366667 * 0.98      # fuel oil
            + 42_000 * 43.07e-3 * 69.3 * 0.98           # gasoline
            + 11_000 * 50.179e-3 * 63.066667 * 0.98     # LPG
            + 100 * 43.07e-3 * 71.5 * 0.98)             # kerosene
    # + the power sector (inventory-only run: its rows as they are, all gases) + net purchased
    # electricity 68,500 x 10^4 kWh x 0.6369 t/MWh (Henan)
    # 1.A.1 (AR5: CH4 28, N2O 265): coal unit 14.3 x 10^4 t at 20.908 GJ/t, CH4 1 / N2O 1.5 kg/TJ
    # (IPCC 2006 Vol.2 Table 2.2); start-up diesel 60 t, CH4 3 / N2O 0.6 kg/TJ; waste plant 12.6 x 10^4 t
    # at 0.417824 t fossil CO2/t, CH4 0.2 kg/kt, N2O 50 g/t (Vol.5 Table 5.3/5.6); straw plant
    # 18.7 x 10^4 t at 11.6 GJ/t, biogenic CO2 (memo), CH4 30 / N2O 4 kg/TJ
    coal_tj, diesel_tj, straw_tj = 143_000 * 20.908e-3, 60 * 42.652e-3, 187_000 * 11.6e-3
    power_by_hand = (coal_tj * 96.69 * 0.94 + coal_tj * (1e-3 * 28 + 1.5e-3 * 265)
                     + diesel_tj * 74.066667 * 0.98 + diesel_tj * (3e-3 * 28 + 0.6e-3 * 265)
                     + 126_000 * (0.417824 + 0.2e-6 * 28 + 50e-6 * 265)
                     + straw_tj * (30e-3 * 28 + 4e-3 * 265))
    power = annual.at[2020, "power_co2_t"]
    assert power == pytest.approx(power_by_hand, rel=1e-9)
    energy_co2 = fuel + power + 685_000 * 0.6369
    assert annual.at[2020, "energy_co2_t"] == pytest.approx(energy_co2, rel=1e-9)
    ci_2020 = energy_co2 / 4_000_000  # t CO2 per 10^4 CNY
    assert annual.at[2020, "co2_intensity_t_per_10k_cny"] == pytest.approx(ci_2020, rel=1e-9)
    # 2030: GDP 4e6 x 1.06^10; against 2005 (model.yaml: 2.001 t per 10^4 CNY), the target is -65%
    ci_2030 = annual.at[2030, "energy_co2_t"] / (4_000_000 * 1.06 ** 10)
    row = targets[(targets["target"] == "carbon_intensity_reduction") & (targets["year"] == 2030)].iloc[0]
    assert row["value"] == pytest.approx(1 - ci_2030 / 2.001, rel=1e-9)
    assert row["limit"] == 0.65 and bool(row["met"]) == (1 - ci_2030 / 2.001 >= 0.65)
    assert "energy-related CO2" in row["definition"]
    row = targets[(targets["target"] == "carbon_intensity_reduction") & (targets["year"] == 2025)].iloc[0]
    assert row["value"] == pytest.approx(1 - annual.at[2025, "co2_intensity_t_per_10k_cny"] / ci_2020, rel=1e-9)
    assert targets["definition"].str.len().gt(0).all()
