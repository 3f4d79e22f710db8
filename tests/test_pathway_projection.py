"""The pathway's projection computed by hand, and the coupled run's consistency."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon.errors import InputError
from carbon.inventory import account, load_factor_set, validate_activity
from carbon.pathway.projection import project_activity, project_drivers
from carbon.pathway.schema import PathwaySection
from carbon.runner import run_batch

MODEL = Path(__file__).resolve().parents[1] / "models" / "lankao"

BASE = pd.DataFrame(
    [
        (2020, "industry", "1.A.2", "raw_coal", 100.0, "t"),
        (2020, "industry", "1.A.2", "electricity", 1000.0, "MWh"),
        (2020, "residential", "1.A.4.b", "natural_gas", 10.0, "10^4 m3"),
        (2020, "agriculture", "3.A.1", "dairy_cattle", 100.0, "head"),
    ],
    columns=["year", "sector", "category", "item", "quantity", "unit"],
)

SECTION = PathwaySection.model_validate(
    {
        "years": [2020, 2022],
        "gdp": {"growth": 0.10},
        "population": {"values": {2020: 100, 2022: 110}},
        "structure": {
            2020: {"agriculture": 0.2, "industry": 0.5, "services": 0.3},
            2022: {"agriculture": 0.1, "industry": 0.6, "services": 0.3},
        },
        "sectors": {
            "industry": {"driver": "industry", "intensity": -0.1, "mix": {2022: {"raw_coal": 0.2, "electricity": 0.8}}},
            "residential": {"driver": "population", "intensity": 0.05},
            "agriculture": {"driver": "agriculture", "growth": 0.02},
        },
    }
)


def projected():
    act = validate_activity(BASE)
    inv = account(act, load_factor_set("china"))
    drivers = project_drivers(SECTION, population=None, gdp=1000.0)
    proj = project_activity(inv.energy["energy_tce"].to_numpy(), act, SECTION, drivers)
    return drivers, proj.activity.set_index(["year", "sector", "item"])["quantity"]


def test_three_sector_projection_by_hand():
    drivers, q = projected()
    # GDP 1000, 1100, 1210 (10 %/yr); population interpolated 100, 105, 110
    assert drivers["gdp_10k_cny"].to_list() == pytest.approx([1000, 1100, 1210])
    assert drivers["population"].to_list() == pytest.approx([100, 105, 110])
    # industry value added: 0.5 x 1000 = 500; 0.55 x 1100 = 605; 0.6 x 1210 = 726
    va = np.array([500, 605, 726])
    # base energy: coal 100 t x 0.7143 tce/t = 71.43 tce; electricity 1000 MWh x 0.1229 = 122.9 tce
    e0 = 71.43 + 122.9
    energy = e0 * va / 500 * np.array([1, 0.9, 0.81])  # intensity -10 %/yr
    coal_share = np.array([71.43 / e0, (71.43 / e0 + 0.2) / 2, 0.2])  # linear to the 2022 mix
    for i, year in enumerate((2020, 2021, 2022)):
        assert q[(year, "industry", "raw_coal")] == pytest.approx(energy[i] * coal_share[i] / 0.7143)
        assert q[(year, "industry", "electricity")] == pytest.approx(energy[i] * (1 - coal_share[i]) / 0.1229)
    # residential gas follows population (1.1) and intensity +5 %/yr (1.1025): 10 x 1.1 x 1.1025
    assert q[(2022, "residential", "natural_gas")] == pytest.approx(10 * 1.1 * 1.1025)
    # cattle follow agricultural value added (200 -> 0.1 x 1210 = 121) and +2 %/yr: 100 x 0.605 x 1.0404
    assert q[(2022, "agriculture", "dairy_cattle")] == pytest.approx(100 * 121 / 200 * 1.0404)


# The base year's grid factor has one home, the inventory's electricity factor: instead of
# grid_factor {2020: 0.6}, the inventory factor is overridden to 0.6 (so the hand numbers below,
# 0.6 -> 0.5 and 0.55 in 2025, stay as they were).
PATHWAY = """name: pw
model: MODEL
overrides: {factors.co2.electricity: 0.6}
pathway:
  years: [2020, 2030]
  milestones: [2025, 2030]
  gdp: {growth: 0.05}
  structure: {2020: {agriculture: 0.12, industry: 0.43, services: 0.45}}
  sectors:
    industry: {driver: industry, intensity: -0.04}
    residential: {driver: population}
  carbon_price: {2020: 50, 2030: 150}
  grid_factor: {2030: 0.5}
energy:
  hours: 48
"""


def test_coupled_run_is_consistent_and_reproducible(tmp_path):
    src = tmp_path / "pw.yaml"
    src.write_text(PATHWAY.replace("MODEL", str(MODEL)))
    run_batch([src], tmp_path / "a", jobs=1)
    run_batch([src], tmp_path / "b", jobs=1)
    run = tmp_path / "a" / "pw"
    annual = pd.read_csv(run / "pathway" / "annual.csv").set_index("year")
    by_sector = pd.read_csv(run / "pathway" / "by_sector.csv")
    # the sum of sector emissions equals the total, in both views
    for view in ("scope1", "scope12"):
        sums = by_sector[by_sector["view"] == view].groupby("year")["co2e_t"].sum()
        np.testing.assert_allclose(sums.to_numpy(), annual[f"co2e_t_{view}"].to_numpy(), rtol=1e-12)
    # power emissions follow the energy model's local emissions at each milestone. New design
    # (one coherent set of numbers): the energy model's base year is calibrated to the
    # inventory, so every year's power CO2 is the model's x k (+ an offset used only when the
    # model's base year emits nothing), k and the offset from energy/calibration.csv; the base
    # year then equals the inventory's power sector exactly (was: equal to the model's own).
    tech = pd.read_csv(run / "energy" / "annual.csv")
    local = tech[~tech["kind"].isin(["grid_import", "grid_export"])].groupby("year")["emissions_t"].sum()
    cal = pd.read_csv(run / "energy" / "calibration.csv").set_index("quantity")["value"]
    k, offset = cal["co2_factor"], cal["co2_offset_t"]
    assert cal["model_local_co2_t"] == pytest.approx(local[2020], rel=1e-12)
    assert annual.at[2020, "power_co2_t"] == pytest.approx(cal["inventory_power_co2e_t"], rel=1e-12)
    for year in (2020, 2025, 2030):
        assert annual.at[year, "power_co2_t"] == pytest.approx(local[year] * k + offset, rel=1e-12)
    # the carbon price the energy model used equals the pathway's
    years = pd.read_csv(run / "energy" / "years.csv").set_index("year")
    for year in (2020, 2025, 2030):
        assert years.at[year, "carbon_price_cny_per_t"] == pytest.approx(annual.at[year, "carbon_price_cny_per_t"])
    # scope 2 = net purchases x grid factor, interpolated 0.6 -> 0.5, plus purchased heat: the
    # pathway's scope2_co2e_t now includes purchased heat, as the inventory's scope 2 does (so
    # the two agree in reconciliation.csv); it used to be electricity only
    net = (annual["net_imports_mwh"]).clip(lower=0)
    heat = by_sector[(by_sector["view"] == "scope12") & (by_sector["sector"] == "purchased_heat")].set_index("year")
    assert annual.at[2025, "scope2_co2e_t"] == pytest.approx(net[2025] * 0.55 + heat.at[2025, "co2e_t"])
    # (the 2025 net purchases are negative with this model, so also check the base year: the
    # inventory's 685,000 MWh x the overridden 0.6)
    assert net[2020] == pytest.approx(685_000, rel=1e-9)
    assert annual.at[2020, "scope2_co2e_t"] == pytest.approx(685_000 * 0.6 + heat.at[2020, "co2e_t"])
    assert annual.at[2025, "co2e_t_scope12"] == pytest.approx(
        annual.at[2025, "co2e_t_scope1"] + annual.at[2025, "scope2_co2e_t"]
    )
    # re-running gives identical files (manifests aside: they hold timings)
    for path in sorted((tmp_path / "a").rglob("*.csv")) + sorted((tmp_path / "a").rglob("peak.json")):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes(), path
    peak = json.loads((run / "pathway" / "peak.json").read_text())
    assert set(peak) == {"scope1", "scope12"}


def test_end_use_efficiency_turns_useful_shares_into_final_energy():
    # sections are frozen: copy the industry path with its efficiency, then the section
    industry = SECTION.sectors["industry"].model_copy(update={"efficiency": {"raw_coal": 0.7, "electricity": 2.0}})
    section = SECTION.model_copy(update={"sectors": {**SECTION.sectors, "industry": industry}})
    act = validate_activity(BASE)
    inv = account(act, load_factor_set("china"))
    drivers = project_drivers(section, population=None, gdp=1000.0)
    q = project_activity(inv.energy["energy_tce"].to_numpy(), act, section, drivers).activity.set_index(
        ["year", "sector", "item"]
    )["quantity"]
    # useful energy 2020: 71.43 tce x 0.7 + 122.9 tce x 2.0 = 295.801 tce; x 1.452 (value added) x 0.81
    useful = (71.43 * 0.7 + 122.9 * 2.0) * 1.452 * 0.81
    assert q[(2022, "industry", "raw_coal")] == pytest.approx(useful * 0.2 / 0.7 / 0.7143)
    assert q[(2022, "industry", "electricity")] == pytest.approx(useful * 0.8 / 2.0 / 0.1229)


def test_monte_carlo_peak_distribution_counts_every_sample():
    from carbon.batch import peak_distribution

    peaks = [
        {"peak_year": 2025, "status": "peaked"},
        {"peak_year": 2030, "status": "peaked"},
        {"peak_year": 2028, "status": "plateau"},
        {"peak_year": None, "status": "not_peaked"},
    ]
    dist = peak_distribution(peaks, list(range(2024, 2032)))
    peaked = dist[dist["status"] == "peaked"].set_index("year")
    # 4 samples: one peaked in 2025, one in 2030; the plateau and the not-peaked never count
    assert peaked.at[2025, "probability"] == 0.25 and peaked.at[2029, "cumulative"] == 0.25
    assert peaked.at[2030, "cumulative"] == 0.5
    rest = dist[dist["status"] != "peaked"].set_index("status")["probability"]
    assert rest.to_dict() == {"plateau": 0.25, "not_peaked": 0.25}


def test_only_monte_carlo_samples_are_aggregated(tmp_path):
    # A sweep over a key starting with "s" (pw__sd=0.005) once passed for a sample group
    # because the test was '"__s" in name'; only <scenario>__sNNNN names are samples.
    from carbon.batch import aggregate
    from carbon.scenario import sample_scenario

    assert sample_scenario("mc__s0007") == "mc" and sample_scenario("a__b__s12345") == "a__b"
    assert sample_scenario("pw__sd=0.005") is None and sample_scenario("pw__s7") is None
    names = ("pw__sd=0.005", "pw__sd=0.02", "mc__s0000", "mc__s0001")
    for name in names:  # finished pathway runs, each peaking in 2025
        folder = tmp_path / name / "pathway"
        folder.mkdir(parents=True)
        peak = {"peak_year": 2025, "status": "peaked"}
        (folder / "peak.json").write_text(json.dumps({"scope1": peak, "scope12": peak}))
        pd.DataFrame({"year": [2024, 2025, 2026], "co2e_t_scope1": [1, 2, 1], "co2e_t_scope12": [2, 3, 2]}).to_csv(
            folder / "annual.csv", index=False
        )
    rows = [{"run": name, "pathway.scope12_status": "peaked"} for name in names]
    assert aggregate(tmp_path, rows) == ["mc"]
    assert not (tmp_path / "pw").exists()


MARKET = (
    PATHWAY.replace(
        "  carbon_price: {2020: 50, 2030: 150}\n",
        "  carbon_price: from_market\n  market_prices: [0, 50, 100, 200, 400]\n  power_free_allocation: {2020: 0.8}\n",
    )
    + """market:
  unit: tCO2
  periods: [2020, 2025, 2030]
  firms:
    - {id: furniture, sector: industry, baseline: [100000, 100000, 100000], mac: {slope: 0.002}, allocation: [90000, 80000, 70000]}
"""
)


def test_market_price_is_the_price_the_energy_model_uses(tmp_path):
    src = tmp_path / "m.yaml"
    src.write_text(MARKET.replace("MODEL", str(MODEL)))
    summary = run_batch([src], tmp_path / "out", jobs=1)
    assert summary.loc[0, "status"] == "ok", summary.loc[0, "error"]
    run = tmp_path / "out" / "pw"
    market = pd.read_csv(run / "market" / "periods.csv").set_index("period")
    energy = pd.read_csv(run / "energy" / "years.csv").set_index("year")
    annual = pd.read_csv(run / "pathway" / "annual.csv").set_index("year")
    firms = pd.read_csv(run / "market" / "firms.csv").set_index(["period", "firm"])
    allocation = {2020: 90000, 2025: 80000, 2030: 70000}
    for year in (2020, 2025, 2030):
        price = market.at[year, "price"]
        assert energy.at[year, "carbon_price_cny_per_t"] == pytest.approx(price, rel=1e-12)
        assert annual.at[year, "carbon_price_cny_per_t"] == pytest.approx(price, rel=1e-12)
        # furniture abates until its MAC 0.002 x a equals the price: a = price / 0.002
        assert firms.loc[(year, "furniture"), "abatement"] == pytest.approx(price / 0.002, rel=1e-6)
        # the cap binds: emissions = furniture's 90,000 (80,000, 70,000) + 0.8 x power emissions at price 0
        power0 = firms.loc[(year, "power"), "emissions"] + firms.loc[(year, "power"), "abatement"]
        assert market.at[year, "emissions"] == pytest.approx(allocation[year] + 0.8 * power0, rel=1e-6)
    # the pathway interpolates the market's prices between milestones
    assert annual.at[2022, "carbon_price_cny_per_t"] == pytest.approx(
        market.at[2020, "price"] + 0.4 * (market.at[2025, "price"] - market.at[2020, "price"])
    )


def test_stirpat_cross_check_reports_elasticities(tmp_path):
    # a history made from I = 2 x P^1 x A^0.8 x T^0.9 exactly: the fit recovers the exponents
    years = np.arange(2005, 2021)
    P = 700000 + 5000 * (years - 2005)
    A = 1.0 + 0.2 * (years - 2005)
    T = 1.2 - 0.03 * (years - 2005)
    pd.DataFrame({"year": years, "I": 2 * P * A**0.8 * T**0.9, "P": P, "A": A, "T": T}).to_csv(
        tmp_path / "history.csv", index=False
    )
    src = tmp_path / "s.yaml"
    src.write_text(
        PATHWAY.replace("MODEL", str(MODEL)).replace("energy:\n  hours: 48\n", "")
        + "  stirpat: {history: history.csv}\n"
    )
    summary = run_batch([src], tmp_path / "out", jobs=1).iloc[0]
    assert summary["status"] == "ok", summary["error"]
    assert summary["pathway.stirpat_A"] == pytest.approx(0.8, abs=1e-9)
    assert (
        summary["pathway.stirpat_r2"] == pytest.approx(1.0) and summary["pathway.stirpat_n"] == 16
    )  # 2005-2020, an exact fit
    assert summary["pathway.stirpat_T"] == pytest.approx(0.9, abs=1e-9)
    projected = pd.read_csv(tmp_path / "out" / "pw" / "pathway" / "stirpat.csv").set_index("year")
    annual = pd.read_csv(tmp_path / "out" / "pw" / "pathway" / "annual.csv").set_index("year")
    p, a = annual.at[2030, "population"], annual.at[2030, "gdp_10k_cny"] / annual.at[2030, "population"]
    t = annual.at[2030, "energy_tce"] / annual.at[2030, "gdp_10k_cny"]
    assert projected.at[2030, "co2e_t_stirpat"] == pytest.approx(2 * p * a**0.8 * t**0.9, rel=1e-8)


def test_lmdi_effects_sum_to_the_identity_totals(tmp_path):
    src = tmp_path / "pw.yaml"
    src.write_text(PATHWAY.replace("MODEL", str(MODEL)).replace("energy:\n  hours: 48\n", ""))
    run_batch([src], tmp_path / "out", jobs=1)
    lmdi = pd.read_csv(tmp_path / "out" / "pw" / "pathway" / "lmdi.csv")
    change = lmdi["total_end_t"].iloc[0] - lmdi["total_start_t"].iloc[0]
    assert lmdi["effect_t"].sum() == pytest.approx(change, rel=1e-10)
    ratio = lmdi["total_end_t"].iloc[0] / lmdi["total_start_t"].iloc[0]
    assert lmdi["ratio"].prod() == pytest.approx(ratio, rel=1e-10)


def test_power_rows_are_1A1_and_below_only():
    from carbon.pathway.power import is_power

    categories = pd.Series(["1.A.1", "1.A.1.a", "1.A.10", "1.A.2", "1.A", None, "1.A.1"], index=range(10, 17))
    flags = is_power(categories)
    assert flags.tolist() == [True, True, False, False, False, False, True]
    assert list(flags.index) == list(range(10, 17))  # aligned with the rows it selects


def test_growth_index_compounds_the_periods_by_hand():
    from carbon.pathway.drivers import growth_index

    # 2021-2022 at +10 %, 2024 at -50 %, 2023 uncovered (0): 1, 1.1, 1.1^2, 1.1^2, 1.1^2 x 0.5
    index = growth_index({"2021-2022": 0.1, "2024": -0.5}, [2020, 2021, 2022, 2023, 2024], 2020)
    assert index.tolist() == pytest.approx([1.0, 1.1, 1.21, 1.21, 0.605], rel=1e-12)
    # a base year inside the years: earlier years stay at 1, later ones compound from it
    later = growth_index(0.1, [2019, 2020, 2021], 2020)
    assert later.tolist() == pytest.approx([1.0, 1.0, 1.1], rel=1e-12)
    with pytest.raises(InputError, match="above -1"):
        growth_index({"2021": -1.0}, [2020, 2021], 2020)


def test_a_mix_without_energy_or_without_a_unit_names_the_sector():
    act = validate_activity(BASE)
    inv = account(act, load_factor_set("china"))
    drivers = project_drivers(SECTION, population=None, gdp=1000.0)
    tce = inv.energy["energy_tce"].to_numpy()
    bad = SECTION.model_copy(deep=True)
    bad.sectors["agriculture"] = bad.sectors["agriculture"].model_copy(update={"mix": {2022: {"diesel": 1.0}}})
    with pytest.raises(InputError, match="sector 'agriculture' has no energy use to mix") as err:
        project_activity(tce, act, bad, drivers)
    assert err.value.key == "pathway.sectors.agriculture.mix"
    bad = SECTION.model_copy(deep=True)
    bad.sectors["residential"] = bad.sectors["residential"].model_copy(update={"mix": {2022: {"lpg": 1.0}}})
    with pytest.raises(InputError, match="fuel 'lpg' of the residential mix has no base-year row") as err:
        project_activity(tce, act, bad, drivers)
    assert err.value.key == "pathway.sectors.residential.mix"


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.sampled_from(["1.A", "1.A.1", "1.A.10", "4.A", "co2", "ch4", ""])), max_size=12),
    kind=st.sampled_from(["category", "object", "str"]),
)
def test_text_masks_test_each_rows_text_as_astype_str_does(values, kind):
    from carbon.pathway.text import is_text, starts_with

    column = pd.Series(values, dtype={"category": "category", "object": object, "str": "str"}[kind])
    text = column.astype(str)
    assert is_text(column, "ch4").equals(text == "ch4")
    assert is_text(column, "co2", "ch4").equals(text.isin(["co2", "ch4"]) & column.notna())
    assert starts_with(column, "1.A").equals(text.str.startswith("1.A").fillna(False).astype(bool) & column.notna())
