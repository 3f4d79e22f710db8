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
# CO2e, scope 1 + 2 (AR5): the CO2 above plus CH4 (enteric, manure, rice, landfill, wastewater,
# combustion) and N2O - too many rows to sum by hand; pinned as computed. Issue 12 (full IPCC Tier 1)
# moved it from 3,546,073 by, in t CO2e:
#   + 52,645.8 waste-to-energy fossil CO2 (1.A.1) + 1,670.2 its N2O and CH4 (126,000 t x (5e-5 x 265 + 2e-7 x 28))
#   + 1,293.2 incineration without energy recovery (4.C.1: 3,000 t x (0.417824 + 5e-5 x 265 + 2e-7 x 28))
#   + 64,971.4 manure N2O (3.A.2, direct + indirect per head, factors_henan.csv, x 265)
#   + 29,774.6 indirect N2O of managed soils (3.C.5: 22,000 t N x 0.005107143 x 265)
#   + 1,506.4 field burning (3.C.1: 20,000 t dm x (0.00216 x 28 + 0.000056 x 265))
#   + 16,540.1 wastewater N2O (4.D: 777,278 people x 8.03e-5 t x 265)
#   + 1,008.0 dairy manure CH4 at 14 C (12 instead of 9 kg/head: 12,000 x 3 kg x 28), now picked by the
#     model's climate (model.yaml: 14.4 C -> the 14 C column of IPCC 2006 Vol.4 Table 10.14, Asia)
#   - 33,830.8 landfill CH4 by first-order decay (60,000 t x (0.0258626 - 0.046) x 28), now computed from
#     the model's climate (k 0.05, Vol.5 Table 3.3) and landfill history instead of the file's rounded 0.025863
#   = + 135,578.9 -> 3,681,651.9 (computed: 3,681,651.8; the 3,546,073 start was rounded)
TOTAL_CO2E_T = 3_681_652
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
    assert inv.total_co2e_t() == pytest.approx(TOTAL_CO2E_T, abs=1)
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
