"""The ``ceads`` factor set and the full yearbook balance reproduce a published CEADs inventory.

Data (tests/data/ceads/, see README.md there): CEADs' Henan 2019 provincial energy inventory (17
fossil fuels x 47 sectors + the transformation rows, non-energy use and losses, physical units)
and CEADs' Henan 2019 CO2 inventory (Mt CO2 per fuel, row TotalEmissions). The ``ceads`` factors
were read off the 2017 workbooks of Henan and Jiangsu (carbon/data/factors_ceads.csv), so 2019 is
an out-of-sample check of the factors and of the balance rules (thermal power and heating inputs
counted in 1.A.1, other transformation rows and losses not counted, non-energy use subtracted
from the chemical industries).
"""
from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from carbon.cli import main
from carbon.inventory import account, load_factor_set, read_activity

DATA = Path(__file__).resolve().parent / "data" / "ceads"
BALANCE = DATA / "henan_2019_balance.csv"
ITEMS = ["raw_coal", "washed_coal", "other_washed_coal", "briquettes", "coke", "coke_oven_gas", "other_gas",
         "other_coking_products", "crude_oil", "gasoline", "kerosene", "diesel", "fuel_oil", "lpg", "refinery_gas",
         "other_petroleum_products", "natural_gas"]


@pytest.fixture(scope="module")
def cli_co2() -> pd.Series:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["inventory", str(BALANCE), "--year", "2019", "--factors", "ceads", "--by", "item,gas",
                     "--format", "csv"])
    assert code == 0
    table = pd.read_csv(io.StringIO(out.getvalue()))
    return table[table["gas"] == "co2"].set_index("item")["emissions_t"] / 1e6


def test_ceads_factors_reproduce_ceads_henan_2019_per_fuel_and_in_total(cli_co2):
    published = pd.read_csv(DATA / "henan_2019_co2.csv").set_index("item")["co2_mt"]
    assert list(published.index) == ITEMS
    ours = cli_co2.reindex(ITEMS, fill_value=0.0)
    for item in ITEMS:
        if published[item] == 0:
            assert ours[item] == 0, item  # no cleaned coal is burnt: CEADs and we count 0
        else:
            assert ours[item] == pytest.approx(published[item], rel=0.01), item
    assert ours.sum() == pytest.approx(published.sum(), rel=0.005)
    assert published.sum() == pytest.approx(430.218, abs=0.001)  # Mt CO2, Henan 2019 fossil fuels


def test_raw_coal_by_hand_power_counts_transformation_inputs_once():
    """Raw coal of the power sector: final use + thermal power + heating supply inputs, x 1.726295 t/t."""
    act = read_activity(BALANCE, year=2019)
    inv = account(act, load_factor_set("ceads"), validated=True)
    e = inv.emissions
    coal = e[(e["item"] == "raw_coal") & (e["gas"] == "co2") & e["category"].astype(str).str.startswith("1.A.1.a")]
    # thermal power 9950.8 + heating supply 1773.91 (+ the sector's own final use) x 10^4 t
    final = act[(act["item"] == "raw_coal") & (act["category"] == "1.A.1.a")]["quantity"].sum()
    assert coal["emissions_t"].sum() == pytest.approx((9950.8 + 1773.91 + final) * 1e4 * 1.726295, rel=1e-9)
    # coal washing (6472.25 in, products out) is not counted: no row of category 'transformation' survives
    assert set(act["category"].astype(str)) <= {c for c in act["category"].astype(str) if c[:1] == "1"}


def test_non_energy_use_is_taken_from_the_chemical_industries():
    act = read_activity(BALANCE, year=2019)
    raw = pd.read_csv(BALANCE, skiprows=[1])
    chem = raw[raw["category"] == "1.A.2.c"]
    nat = "natural_gas"
    before = chem[nat].fillna(0).sum()
    non_energy = float(raw.loc[raw["category"] == "non_energy", nat].iloc[0])  # 3.72 x 10^8 m3
    after = act[(act["item"] == nat) & (act["category"] == "1.A.2.c")]["quantity"].sum()
    assert after == pytest.approx(before - non_energy, rel=1e-9)
    # raw coal: non-energy use 1012.86 x 10^4 t exceeds the chemical industries' use: all of it goes
    assert act[(act["item"] == "raw_coal") & (act["category"] == "1.A.2.c")].empty
    assert float(raw.loc[raw["category"] == "non_energy", "raw_coal"].iloc[0]) > chem["raw_coal"].fillna(0).sum()


def test_the_output_states_the_balance_method():
    out = io.StringIO()
    with redirect_stdout(out):
        main(["inventory", str(BALANCE), "--year", "2019", "--factors", "ceads", "--by", "item"])
    text = out.getvalue()
    assert "sectoral approach" in text and "non-energy use subtracted" in text and "factor set: ceads" in text


def test_the_three_sets_differ_from_ceads_as_documented(cli_co2):
    """china and ipcc2006 on the same balance: the gap to CEADs by set (documented in docs/inventory.md)."""
    act = read_activity(BALANCE, year=2019)
    totals = {}
    for name in ("china", "ipcc2006"):
        e = account(act, load_factor_set(name), validated=True).emissions
        totals[name] = e[(e["gas"] == "co2") & ~e["memo"]]["emissions_t"].sum() / 1e6
    ceads = cli_co2.sum()
    # china +5.1%: raw coal 1.90 t CO2/t (GB/T NCV x national carbon content x 0.94) against CEADs' 1.46-1.79
    # (+11% on raw coal), other gas -61%, other petroleum products burnt in final use (CEADs: none)
    assert totals["china"] / ceads - 1 == pytest.approx(0.051, abs=0.002)
    # ipcc2006 +25.3%: raw coal as other bituminous coal, 25.8 GJ/t x 94.6 t/TJ = 2.44 t/t (+43% on raw coal)
    assert totals["ipcc2006"] / ceads - 1 == pytest.approx(0.253, abs=0.002)
