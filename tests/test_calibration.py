"""The default county's calibrated base year (2020), pinned by hand sums.

Where the numbers come from and why they are what they are: models/lankao/CALIBRATION.md
(CEADs county and city series, the published range for 2020) and models/lankao/README.md
(every activity row). Factors are the `china` set (carbon/data/factors_china.csv):
NCV GJ/t (or GJ/10^4 m3) x CO2 t/TJ x oxidation.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from carbon.model import load_model
from carbon.stages.inventory import compute

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lankao"

# Scope-1 fossil CO2 on the CEADs boundary (energy 1.A and process 2.A; biogenic CO2, urea 3.C.3,
# CH4, N2O and scope 2 left out), summed over the activity rows by fuel:
#   raw coal  (14.3 power + 77.0 industry + 2.0 services + 7.0 households + 0.3 farms) x 10^4 t
#   coke 0.6 x 10^4 t; natural gas (3200 + 800 + 1500 + 2600) x 10^4 m3
#   diesel 60 t + (0.4 + 1.2 + 5.8 + 0.2 + 2.4) x 10^4 t; fuel oil 0.1, gasoline 4.2,
#   LPG (0.15 + 0.05 + 0.3 + 0.6), kerosene 0.01 x 10^4 t; quicklime 1.5 x 10^4 t x 0.75 t/t
CEADS_BOUNDARY_CO2_T = (
    1_006_000 * 20.908e-3 * 96.69 * 0.94          # raw coal: 1,908 kt
    + 6_000 * 28.435e-3 * 108.166667 * 0.93       # coke
    + 8_100 * 389.31e-3 * 56.1 * 0.99             # natural gas
    + 100_060 * 42.652e-3 * 74.066667 * 0.98      # diesel
    + 1_000 * 41.816e-3 * 77.366667 * 0.98        # fuel oil
    + 42_000 * 43.07e-3 * 69.3 * 0.98             # gasoline
    + 11_000 * 50.179e-3 * 63.066667 * 0.98       # LPG
    + 100 * 43.07e-3 * 71.5 * 0.98                # kerosene
    + 15_000 * 0.75                               # quicklime (2.A.2)
)  # = 2,585,466 t
UREA_CO2_T = 30_000 * 0.20 * 44 / 12              # 3.C.3, IPCC default 0.20 t C per t urea
# Fossil CO2 of waste incineration (outside CEADs, which counts fossil fuels and processes only):
# the waste-to-energy plant 12.6 x 10^4 t in 1.A.1 (energy recovery) and 0.3 x 10^4 t in 4.C.1, at
# 0.417824 t CO2/t (IPCC Eastern Asia composition, carbon.inventory.tier1.incineration_co2_t)
WASTE_CO2_T = (126_000 + 3_000) * 0.417824        # = 52,645.8 + 1,253.5 t
# Scope 2: net purchases 68,500 x 10^4 kWh at the model's Henan grid factor 0.6369 t/MWh (factors_henan.csv)
# + 30 x 10^4 GJ steam at 0.11 t/GJ
SCOPE2_CO2_T = 685_000 * 0.6369 + 300_000 * 0.11  # = 469,276.5 t
# Energy (tce, biomass and biogas excluded; electricity at 0.1229 kgce/kWh, heat 0.03412 tce/GJ)
ENERGY_TCE = (1_006_000 * 0.7143 + 6_000 * 0.9714 + 8_100 * 13.3 + 100_060 * 1.4571 + 1_000 * 1.4286
              + 42_000 * 1.4714 + 11_000 * 1.7143 + 100 * 1.4714 + 685e6 * 0.1229e-3 + 300_000 * 0.03412)
# CH4 and N2O (t), every row, AR5 (CH4 28, N2O 265). Combustion: TJ (quantity x NCV of the china set,
# GJ/t or GJ/10^4 m3; wood 15.6, straw 11.6, biogas 209.08) x kg/TJ of IPCC 2006 Vol.2 Tables 2.2
# (energy industries), 2.3 (manufacturing, construction), 2.4 (commercial), 2.5 (residential and
# farms), 3.2.1/3.2.2 (road: gasoline uncontrolled, diesel, CNG, LPG) and 3.3.1 (farm machinery).
COAL, COKE, GAS, DIESEL, FUEL_OIL, GASOLINE, LPG, KEROSENE = 20.908, 28.435, 389.31, 42.652, 41.816, 43.07, 50.179, 43.07
COMBUSTION = [  # (quantity, NCV, CH4 kg/TJ, N2O kg/TJ)
    (143_000, COAL, 1, 1.5), (60, DIESEL, 3, 0.6), (187_000, 11.6, 30, 4),                  # 1.A.1
    (770_000, COAL, 10, 1.5), (6_000, COKE, 10, 1.5), (3_200, GAS, 1, 0.1),                 # 1.A.2
    (4_000, DIESEL, 3, 0.6), (1_000, FUEL_OIL, 3, 0.6), (1_500, LPG, 1, 0.1), (60_000, 15.6, 30, 4),
    (12_000, DIESEL, 3, 0.6),                                                               # 1.A.2.k
    (42_000, GASOLINE, 33, 3.2), (58_000, DIESEL, 3.9, 3.9), (800, GAS, 92, 3), (500, LPG, 62, 0.2),  # 1.A.3.b
    (20_000, COAL, 10, 1.5), (1_500, GAS, 5, 0.1), (3_000, LPG, 5, 0.1), (2_000, DIESEL, 10, 0.6),    # 1.A.4.a
    (70_000, COAL, 300, 1.5), (2_600, GAS, 5, 0.1), (6_000, LPG, 5, 0.1), (100, KEROSENE, 10, 0.6),  # 1.A.4.b
    (500, 209.08, 5, 0.1), (120_000, 11.6, 300, 4), (20_000, 15.6, 300, 4),
    (3_000, COAL, 300, 1.5), (24_000, DIESEL, 4.15, 28.6),                                  # 1.A.4.c
]
COMBUSTION_CH4_T = sum(q * ncv * 1e-3 * ch4 * 1e-3 for q, ncv, ch4, _ in COMBUSTION)
COMBUSTION_N2O_T = sum(q * ncv * 1e-3 * n2o * 1e-3 for q, ncv, _, n2o in COMBUSTION)
# Livestock, head x kg/head: enteric (IPCC 2006 Vol.4 Tables 10.10/10.11, Asia) dairy 68, other cattle
# 47, sheep 5, goats 5, swine 1; manure CH4 (Tables 10.14/10.15 at 14 C) 12, 1, 0.10, 0.11, 2, poultry
# 0.01; manure N2O per head from factors_henan.csv (GB/T 32151.22-2024, direct + indirect)
HEADS = {"dairy": 12_000, "cattle": 58_000, "sheep": 160_000, "goats": 90_000, "swine": 420_000, "poultry": 3_500_000}
ENTERIC = {"dairy": 68, "cattle": 47, "sheep": 5, "goats": 5, "swine": 1}
MANURE_CH4 = {"dairy": 12, "cattle": 1, "sheep": 0.10, "goats": 0.11, "swine": 2, "poultry": 0.01}
MANURE_N2O = {"dairy": 2.049, "cattle": 0.994, "sheep": 0.163, "goats": 0.163, "swine": 0.209, "poultry": 0.00983}
LIVESTOCK_CH4_T = sum(HEADS[a] * (ENTERIC.get(a, 0) + MANURE_CH4[a]) * 1e-3 for a in HEADS)
LIVESTOCK_N2O_T = sum(HEADS[a] * MANURE_N2O[a] * 1e-3 for a in HEADS)
# Soils, burning, rice: 22,000 t N x 0.01 x 44/28 (3.C.4, EF1) + 22,000 x 0.005107143 (3.C.5, indirect);
# 20,000 t dm burnt x 2.16 kg CH4 and 0.056 kg N2O per t (3.C.1); 800 ha x 1.30 kg/ha/day x 120 days (3.C.7)
FIELD_CH4_T = 20_000 * 2.16e-3 + 800 * 1.30e-3 * 120
FIELD_N2O_T = 22_000 * 0.01 * 44 / 28 + 22_000 * 0.005107143 + 20_000 * 0.056e-3
# Waste: landfill 60,000 t x 0.0258626 t CH4/t (first-order decay over the model's landfill history,
# derived in tests/test_climate_fod.py); wastewater 11,400 t BOD x B0 0.6 x MCF 0.3 (4.D) and 777,278
# people x 80.3 g N2O; incineration 129,000 t (126,000 in 1.A.1 + 3,000 in 4.C.1) x 0.2 kg CH4/kt, 50 g N2O/t
WASTE_CH4_T = 60_000 * 0.025862626 + 11_400 * 0.6 * 0.3 + 129_000 * 0.2e-6
WASTE_N2O_T = 777_278 * 8.03e-5 + 129_000 * 50e-6
NON_CO2_CO2E_T = (28 * (COMBUSTION_CH4_T + LIVESTOCK_CH4_T + FIELD_CH4_T + WASTE_CH4_T)
                  + 265 * (COMBUSTION_N2O_T + LIVESTOCK_N2O_T + FIELD_N2O_T + WASTE_N2O_T))
TOTAL_CO2E_T = CEADS_BOUNDARY_CO2_T + UREA_CO2_T + WASTE_CO2_T + SCOPE2_CO2_T + NON_CO2_CO2E_T
# Published range for 2020 (CALIBRATION.md): Kaifeng city 2019 x Lankao's share of Kaifeng's
# counties (11.311 x 4.718 / 24.825) and CEADs county 2017 x Henan provincial 2019 / county sum 2017
# (4.718 x 460.631 / 551.301)
PUBLISHED_RANGE_MT = (11.311 * 4.718 / 24.825, 4.718 * 460.631 / 551.301)   # (2.15, 3.94)


@pytest.fixture(scope="module")
def inv():
    return compute(load_model(MODEL), {})


def _ceads_boundary(emissions: pd.DataFrame) -> float:
    e = emissions[~emissions["memo"] & (emissions["gas"] == "co2") & (emissions["scope"] == 1)
                  & (emissions["item"] != "msw_incinerated")]
    cat = e["category"].astype(str)
    return float(e.loc[cat.str.startswith("1.") | cat.str.startswith("2."), "emissions_t"].sum())


def test_scope1_co2_on_the_ceads_boundary_is_the_hand_sum(inv):
    assert _ceads_boundary(inv.emissions) == pytest.approx(CEADS_BOUNDARY_CO2_T, rel=1e-9)
    assert CEADS_BOUNDARY_CO2_T == pytest.approx(2_585_466, abs=1)


def test_all_scope1_co2_adds_urea_and_waste_incineration(inv):
    e = inv.emissions[~inv.emissions["memo"]]
    s1 = e[(e["gas"] == "co2") & (e["scope"] == 1)]["emissions_t"].sum()
    assert s1 == pytest.approx(CEADS_BOUNDARY_CO2_T + UREA_CO2_T + WASTE_CO2_T, rel=1e-9)


def test_scope2_is_net_purchases_at_the_henan_factor(inv):
    e = inv.emissions
    assert e[e["scope"] == 2]["co2e_t"].sum() == pytest.approx(SCOPE2_CO2_T, rel=1e-9)


def test_energy_and_total_co2e(inv):
    assert inv.energy_tce() == pytest.approx(ENERGY_TCE, rel=1e-9)
    assert ENERGY_TCE == pytest.approx(1_154_596, abs=1)
    assert inv.total_co2e_t() == pytest.approx(TOTAL_CO2E_T, rel=1e-9)
    assert TOTAL_CO2E_T == pytest.approx(3_681_652, abs=1)
    # per resident (777,278, 7th census): 4.74 t CO2e
    assert inv.total_co2e_t() / 777_278 == pytest.approx(4.74, abs=0.005)


def test_scope1_co2_lies_in_the_published_range(inv):
    lower, upper = PUBLISHED_RANGE_MT
    assert (round(lower, 2), round(upper, 2)) == (2.15, 3.94)
    assert lower < _ceads_boundary(inv.emissions) / 1e6 < upper


def test_published_range_matches_the_series_file():
    v = pd.read_csv(MODEL / "calibration_series.csv").set_index(["series", "year"])["co2_mt"]
    lower = v["kaifeng_city", 2019] * v["lankao_county", 2017] / v["kaifeng_counties_sum", 2017]
    upper = v["lankao_county", 2017] * v["henan_province", 2019] / v["henan_counties_sum", 2017]
    assert (lower, upper) == pytest.approx(PUBLISHED_RANGE_MT, rel=1e-9)


def _carbon_exe() -> str | None:
    found = shutil.which("carbon")
    if found:
        return found
    candidate = Path(sys.executable).with_name("carbon")
    return str(candidate) if candidate.exists() else None


def test_cli_inventory_json_gives_the_same_totals():
    exe = _carbon_exe()
    if exe is None:
        pytest.skip("the carbon console script is not installed")
    out = subprocess.run([exe, "inventory", str(MODEL), "--by", "scope,gas", "--format", "json"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    data = json.loads(out.stdout)
    totals = {(t["scope"], t["gas"]): t["emissions_t"] for t in data["totals"]}
    assert totals[(1, "co2")] == pytest.approx(CEADS_BOUNDARY_CO2_T + UREA_CO2_T + WASTE_CO2_T, rel=1e-9)
    assert totals[(2, "co2")] == pytest.approx(SCOPE2_CO2_T, rel=1e-9)
    assert data["total_co2e_t"] == pytest.approx(TOTAL_CO2E_T, abs=1)
    assert data["energy_tce_excluding_biomass"] == pytest.approx(ENERGY_TCE, rel=1e-9)
