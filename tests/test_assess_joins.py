"""Project assessment (issue 15), the parts that join other rooms: the LMDI decomposition of the
with/without difference, the project as a firm of an allowance market, process emissions and
on-site storage, and bad project files. Numbers worked out by hand in the comments."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from carbon.assess import ProjectSection
from carbon.assess.compute import process_emission_rows, project_activity_rows, purchased_electricity
from carbon.cli import main
from carbon.pathway.peak import detect_peak
from carbon.pathway.schema import TargetsSection
from carbon.runner import prepare
from carbon.scenario import Scenario
from carbon.stages.assess import added_emissions, assess, decompose_difference, own_inventory, run, with_projects
from carbon.stages.pathway import project as project_pathway

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lankao"
NO_DRAWS = {"uncertainty": {"draws": 0}}
FALLING = {"years": [2020, 2027], "gdp": {"growth": 0.0}, "sectors": {"industry": {"intensity": -0.05}}}
# 1000 t of raw coal in 1.A.2 (china factor set, AR5), see tests/test_assess.py:
# CO2 1900.298849 + CH4 5.85424 + N2O 8.31093 = 1914.464019 t CO2e
COAL_1000_T = 1900.298849 + 5.85424 + 8.31093
GRID = 0.6369  # t CO2/MWh, models/lankao/factors_henan.csv
# process: 100 t CO2 + 2 t CH4 x 28 + 0.1 t N2O x 265 (AR5) = 100 + 56 + 26.5 = 182.5 t CO2e
PROCESS = {"category": "2.H", "co2_t": 100, "ch4_t": 2, "n2o_t": 0.1}
PROCESS_AR5 = 182.5
# storage: 300 cycles x 4 MWh x (1/0.8 - 1) = 300 MWh of losses a year, bought from the grid
STORAGE = {"power_mw": 1.5, "energy_mwh": 4, "round_trip_efficiency": 0.8, "cycles_per_year": 300}
LOSSES_MWH = 300.0


def scenario(tmp: Path, pathway: dict, name: str = "s", **extra) -> Scenario:
    path = tmp / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump(
            {"name": name, "model": str(MODEL), "inventory": NO_DRAWS, "pathway": pathway, **extra}, sort_keys=False
        )
    )
    return Scenario.from_file(path)


def plant(name="plant", coal_10k_t=0.1, elec_mwh=0.0, start=2022, ramp=(), **extra) -> ProjectSection:
    energy = {"raw_coal": {"quantity": coal_10k_t, "unit": "10^4 t"}} if coal_10k_t else {}
    if elec_mwh:
        energy["electricity"] = {"quantity": elec_mwh, "unit": "MWh"}
    return ProjectSection.model_validate(
        {
            "name": name,
            "sector": "food",
            "product": "food_processing",
            "start_year": start,
            "ramp_up": list(ramp),
            "output": {"quantity": 10_000, "unit": "t"},
            "energy": energy,
            "value_added_10k_cny": 1000,
            **extra,
        }
    )


# ---------------------------------------------------------------- decomposition


def test_decomposition_by_sector_and_fuel_adds_up_to_the_difference(tmp_path):
    s = scenario(tmp_path, FALLING)
    # 20 x 10^4 t coal = 200 x 1914.464019 = 382,892.804 t; 100,000 MWh x 0.6369 = 63,690 t; from 2022, 50 % in 2022
    p = plant(coal_10k_t=20.0, elec_mwh=100_000.0, ramp=(0.5,))
    result = assess(s, [p])
    frame = result.decomposition["plant"]
    # years: the milestone 2025 in 2020-2027, the peak year with (2023, tests/test_assess.py) and the last year
    assert sorted(set(frame["year"])) == [2023, 2025, 2027]
    rows = frame[frame["year"] == 2025].set_index(["sector", "fuel"])
    assert set(rows.index) == {("industry", "raw_coal"), ("purchased_electricity", "electricity")}
    coal = rows.loc[("industry", "raw_coal")]
    assert coal["delta_t"] == pytest.approx(200 * COAL_1000_T, rel=1e-9)
    assert coal["activity_effect_t"] == pytest.approx(200 * COAL_1000_T, rel=1e-9)  # more coal, same factor
    assert coal["factor_effect_t"] == pytest.approx(0.0, abs=1e-6)
    elec = rows.loc[("purchased_electricity", "electricity")]
    assert elec["activity_with"] - elec["activity_without"] == pytest.approx(100_000.0)  # MWh
    assert elec["delta_t"] == pytest.approx(100_000 * GRID, rel=1e-9)
    # exact: effects add up to each row's change, rows add up to the county's change in that year
    assert (frame["activity_effect_t"] + frame["factor_effect_t"]).to_numpy() == pytest.approx(
        frame["delta_t"].to_numpy(), rel=1e-9, abs=1e-6
    )
    delta = result.annual["plant"].set_index("year")["delta_t"]
    for year, rows in frame.groupby("year"):
        assert rows["delta_t"].sum() == pytest.approx(delta[year], rel=1e-9, abs=1e-6)
    doc = result.documents["plant"]["decomposition"]
    assert doc[2025][0]["fuel"] == "raw_coal"  # biggest move first
    # the pipeline has its own decomposition, and it too adds up
    pipe = result.decomposition["pipeline"]
    assert pipe.groupby("year")["delta_t"].sum().to_dict() == pytest.approx(
        result.annual["pipeline"].set_index("year")["delta_t"].loc[sorted(set(pipe["year"]))].to_dict()
    )


def test_decomposition_with_the_energy_model_is_its_own_difference(tmp_path):
    s = scenario(tmp_path, {"years": [2020, 2025], "milestones": [2025]}, energy={"days": 2})
    p = plant(coal_10k_t=0.0, elec_mwh=200_000.0, start=2023)
    without, with_ = run(s), run(with_projects(s, [p]))
    model, _ = prepare(s.runs()[0])
    base = project_pathway(model, s).inventory.emissions
    frame = decompose_difference(without, with_, [2025], base, added_emissions(model, s, [p]))
    a, b = without.annual.set_index("year"), with_.annual.set_index("year")
    # the energy model answers the new load with its own builds and dispatch (here it builds renewables
    # and imports less); the rows are exactly its changes, and they add up to the county's change
    assert frame["delta_t"].sum() == pytest.approx(
        b.at[2025, "co2e_t_scope12"] - a.at[2025, "co2e_t_scope12"], rel=1e-9, abs=1e-6
    )
    rows = frame.set_index(["sector", "fuel"])
    d_net = max(0.0, b.at[2025, "net_imports_mwh"]) - max(0.0, a.at[2025, "net_imports_mwh"])
    assert rows.at[("purchased_electricity", "electricity"), "delta_t"] == pytest.approx(
        d_net * a.at[2025, "grid_factor_t_per_mwh"], rel=1e-9
    )
    # its new builds are renewables: local fossil generation emits the same, so no power row
    assert b.at[2025, "power_co2_t"] == pytest.approx(a.at[2025, "power_co2_t"], rel=1e-12)
    assert ("power", "local_generation") not in rows.index
    assert (frame["activity_effect_t"] + frame["factor_effect_t"]).to_numpy() == pytest.approx(
        frame["delta_t"].to_numpy(), rel=1e-9, abs=1e-6
    )


# ---------------------------------------------------------------- the allowance market


def market(method: str = "explicit") -> dict:
    # one firm A: 10,000 t, MAC = 0.1 CNY/t per t abated, 9,800 t free: it abates 200 t at 0.1 x 200 = 20 CNY/t
    firm = {"id": "A", "sector": "other", "baseline": 10_000.0, "mac": {"slope": 0.1}}
    if method == "explicit":
        allocation, firm["allocation"] = {"method": "explicit"}, 9_800.0
    else:
        allocation, firm["output"] = {"method": "benchmark", "benchmark": {"other": 9.8}}, 1000.0
    return {"periods": [2025], "banking": False, "allocation": allocation, "firms": [firm]}


@pytest.mark.parametrize(
    ("method", "allocation_t"),
    [
        ("explicit", 10_000 * 0.1),  # the project file's benchmark 0.1 t/t x 10,000 t
        ("benchmark", 10_000 * 0.12),  # the market has no benchmark for food: the sector's advanced value 0.12 t/t
    ],
)
def test_the_project_joins_the_market_as_a_firm(tmp_path, method, allocation_t):
    s = scenario(tmp_path, {"years": [2020, 2026]}, market=market(method))
    bench = {"market": {"benchmark": 0.1}} if method == "explicit" else {}
    p = plant(elec_mwh=0.0, process=PROCESS, storage=STORAGE, **bench)
    # the project emits 1914.464019 (coal) + 182.5 (process) + 300 MWh x 0.6369 = 191.07 (storage losses)
    e = COAL_1000_T + PROCESS_AR5 + LOSSES_MWH * GRID  # 2288.034019 t CO2e
    doc = assess(s, [p]).documents["plant"]
    assert doc["full_capacity_co2e_t"] == pytest.approx(e, rel=1e-9)
    m = doc["market"]["market"]
    firm = m["firms"]["project_plant"]
    assert firm["emissions"][2025] == pytest.approx(e, rel=1e-9)
    assert firm["allocation"][2025] == pytest.approx(allocation_t)
    # no MAC: it buys all it lacks; A abates 200 + (e - allocation) at 0.1 CNY/t per t
    assert firm["net_purchase"][2025] == pytest.approx(e - allocation_t, rel=1e-9)
    assert doc["allowances_to_buy_t"] == pytest.approx(e - allocation_t, rel=1e-9)
    assert m["price_without"][2025] == pytest.approx(20.0, rel=1e-9)
    assert m["price_with"][2025] == pytest.approx(0.1 * (200 + e - allocation_t), rel=1e-9)
    assert m["price_delta"][2025] == pytest.approx(0.1 * (e - allocation_t), rel=1e-9)


def test_a_project_with_a_mac_abates_and_a_scenario_with_projects_joins_them(tmp_path):
    # MAC 0.1 CNY/t per t for both: the 200 + e - 1000 t of abatement is shared equally (equal slopes)
    p = plant(elec_mwh=0.0, market={"benchmark": 0.1, "mac_slope": 0.1}).model_dump(mode="json")
    s = scenario(tmp_path, {"years": [2020, 2026]}, market=market(), projects=[p])
    firms = run(s).outputs["market"].tables["firms"].set_index("firm")  # `carbon run` joins them too
    short = 200 + COAL_1000_T - 1000  # 1114.464019 t to abate in all
    assert firms.at["project_plant", "abatement"] == pytest.approx(short / 2, rel=1e-6)
    assert firms.at["A", "abatement"] == pytest.approx(short / 2, rel=1e-6)


def test_a_project_may_stay_out_of_the_market(tmp_path):
    s = scenario(tmp_path, {"years": [2020, 2026]}, market=market())
    p = plant(market={"join": False})
    doc = assess(s, [p]).documents["plant"]
    assert doc["market"] == {} and doc["allowances_to_buy_t"] is None
    firms = run(with_projects(s, [p])).outputs["market"].tables["firms"]
    assert list(firms["firm"].astype(str)) == ["A"]


# ---------------------------------------------------------------- process emissions and storage


def test_process_emissions_by_gas_through_the_gwp_set(tmp_path):
    p = plant(process=PROCESS)
    rows = process_emission_rows([p], [2021, 2022, 2023], {"co2": 1, "ch4": 25, "n2o": 298})  # AR4
    assert rows.groupby("year")["co2e_t"].sum().to_dict() == pytest.approx({2022: 179.8, 2023: 179.8})  # 100+50+29.8
    split = process_emission_rows([p], [2022], {"co2": 1, "ch4_fossil": 29.8, "ch4_biogenic": 27.0, "n2o": 273})
    assert split["co2e_t"].sum() == pytest.approx(100 + 2 * 29.8 + 0.1 * 273)  # AR6-split: process CH4 is fossil
    s = scenario(tmp_path, FALLING)
    inv = own_inventory(s, p).set_index(["item", "gas"])
    assert inv.at[("process_plant", "ch4"), "co2e_t"] == pytest.approx(56.0)  # AR5: 2 x 28
    # a project of process emissions only (no energy use) is assessed too: 182.5 t over 10,000 t of product
    only = plant(name="kiln", coal_10k_t=0.0, process=PROCESS)
    assert own_inventory(s, only)["co2e_t"].sum() == pytest.approx(PROCESS_AR5)
    assert project_activity_rows(only, [2022]).empty
    # in the pathway from the start year, in scope 1 of the project's sector, unchanged base year
    without, with_ = run(s), run(with_projects(s, [p]))
    d = with_.annual.set_index("year")["co2e_t_scope1"] - without.annual.set_index("year")["co2e_t_scope1"]
    assert d.to_dict() == pytest.approx(
        {2020: 0, 2021: 0, **{y: COAL_1000_T + PROCESS_AR5 for y in range(2022, 2028)}}, rel=1e-9, abs=1e-6
    )


def test_storage_raises_purchases_by_its_losses_and_cuts_the_peak_load(tmp_path):
    p = plant(coal_10k_t=0.0, elec_mwh=10_000.0, storage=STORAGE, peak_load_mw=5.0)
    assert purchased_electricity(p, "MWh") == pytest.approx(10_000 + LOSSES_MWH)  # 10,300 MWh
    rows = project_activity_rows(p, [2022])
    assert rows.set_index("item").at["electricity", "quantity"] == pytest.approx(10_300.0)
    # on-site solar first: 10,000 - 4,000 + 300 = 6,300 MWh
    assert purchased_electricity(
        plant(coal_10k_t=0.0, elec_mwh=10_000.0, storage=STORAGE, onsite_renewable_mwh=4000), "MWh"
    ) == pytest.approx(6300.0)
    s = scenario(tmp_path, FALLING)
    doc = assess(s, [p]).documents["plant"]
    assert doc["storage_losses_mwh"] == pytest.approx(LOSSES_MWH)
    assert doc["annual_emissions_t"][2024] == pytest.approx(10_300 * GRID, rel=1e-9)
    # peak: 5 MW - min(1.5 MW, 4 MWh / 2 h = 2 MW) = 3.5 MW
    assert (doc["peak_load_mw"], doc["peak_load_with_storage_mw"]) == (5.0, pytest.approx(3.5))
    # energy-limited: 2 MWh over a 2-hour peak gives 1 MW: 5 - min(1.5, 1) = 4 MW
    small = plant(coal_10k_t=0.0, elec_mwh=10.0, storage={**STORAGE, "energy_mwh": 2}, peak_load_mw=5.0)
    from carbon.assess.compute import peak_load_mw

    assert peak_load_mw(small)["peak_load_with_storage_mw"] == pytest.approx(4.0)
    # storage alone (no electricity use listed) still buys its losses: 300 x 2 x 0.25 = 150 MWh
    alone = plant(storage={**STORAGE, "energy_mwh": 2})
    assert project_activity_rows(alone, [2022]).set_index("item").at["electricity", "quantity"] == pytest.approx(150.0)


# ---------------------------------------------------------------- bad project files


GOOD = {
    "name": "p",
    "sector": "food",
    "product": "food_processing",
    "start_year": 2022,
    "output": {"quantity": 10_000, "unit": "t"},
    "energy": {"raw_coal": {"quantity": 0.1, "unit": "10^4 t"}},
    "value_added_10k_cny": 1000,
}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"process": {"category": "1.A.2", "co2_t": 5}}, ["process.category", "IPCC category 2"]),
        ({"process": {"co2_t": -5}}, ["process.co2_t", "greater than or equal to 0"]),
        ({"storage": {**STORAGE, "round_trip_efficiency": 1.5}}, ["storage.round_trip_efficiency", "1"]),
        ({"storage": {"power_mw": 1}}, ["storage.energy_mwh"]),
        ({"market": {"market": "ets"}}, ["unknown market 'ets'"]),
        ({"market": {"benchmark": 0.1, "mac": 3}}, ["market.mac"]),
    ],
)
def test_bad_project_files_give_one_message_and_exit_2(tmp_path, capsys, change, words):
    s = tmp_path / "s.yaml"
    s.write_text(
        yaml.safe_dump(
            {
                "name": "s",
                "model": str(MODEL),
                "inventory": NO_DRAWS,
                "pathway": {"years": [2020, 2026]},
                "market": market(),
            }
        )
    )
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump({**GOOD, **change}))
    assert main(["assess", str(f), "--scenario", str(s), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("error") == 1
    for w in words:
        assert w in err
    assert not (tmp_path / "out").exists()


def test_a_project_cannot_join_a_market_of_tce(tmp_path, capsys):
    m = {**market(), "unit": "tce"}
    s = tmp_path / "s.yaml"
    s.write_text(
        yaml.safe_dump(
            {"name": "s", "model": str(MODEL), "inventory": NO_DRAWS, "pathway": {"years": [2020, 2026]}, "market": m}
        )
    )
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(GOOD))
    assert main(["assess", str(f), "--scenario", str(s), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "tCO2 or tCO2e, not of tce" in err and "join: false" in err


def test_the_cli_writes_the_decomposition_and_the_market(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text(
        yaml.safe_dump(
            {
                "name": "s",
                "model": str(MODEL),
                "inventory": NO_DRAWS,
                "pathway": {"years": [2020, 2026]},
                "market": market(),
            }
        )
    )
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump({**GOOD, "market": {"benchmark": 0.1}}))
    out = tmp_path / "out"
    assert main(["assess", str(f), "--scenario", str(s), "-o", str(out)]) == 0
    d = pd.read_csv(out / "p" / "decomposition.csv")
    assert d.groupby("year")["delta_t"].sum()[2025] == pytest.approx(COAL_1000_T, rel=1e-9)
    sheet = (out / "sheet.html").read_text(encoding="utf-8")
    assert "排放变化分解" in sheet and "配额市场" in sheet and "raw_coal" in sheet
    from openpyxl import load_workbook

    assert load_workbook(out / "assessment.xlsx").sheetnames == [
        "assessment 评价",
        "projects 项目",
        "decomposition 分解",
        "market 市场",
    ]


# ---------------------------------------------------------------- one rule: has the pathway peaked


def test_one_rule_for_has_the_pathway_peaked():
    from carbon import batch
    from carbon.assess import compute
    from carbon.pathway import indicators
    from carbon.pathway.indicators import has_peaked, peaked_by
    from carbon.stages import assess as stage

    assert [has_peaked(s) for s in ("peaked", "declining", "plateau", "not_peaked")] == [True, True, False, False]
    assert peaked_by("declining", 2020, 2025) and peaked_by("peaked", 2030, 2030) and peaked_by("peaked", 2031, None)
    assert not peaked_by("peaked", 2031, 2030) and not peaked_by("plateau", 2027, 2030)
    assert not peaked_by("not_peaked", None, None)
    # the batch statistics count the same samples: declining at the base year, plateau and not-peaked out
    peaks = [
        {"status": "declining", "peak_year": 2020},
        {"status": "plateau", "peak_year": 2027},
        {"status": "peaked", "peak_year": 2028},
        {"status": "not_peaked", "peak_year": None},
    ]
    assert batch.peaked_years(peaks) == [2020, 2028]
    # the three users give one verdict: a path declining from 2020 has peaked by 2030, a plateau
    # (100 from 2025 to 2030, peak not confirmed) has not: the batch statistics, the targets table
    # and the assessment (its peaked run, and meets_peak_target without a cap)
    years = list(range(2020, 2031))
    declining = detect_peak(pd.Series([100.0 - 2 * i for i in range(11)], index=years))
    plateau = detect_peak(pd.Series([80, 85, 90, 95, 98, *[100.0] * 6], index=years))
    assert (declining.status, plateau.status) == ("declining", "plateau")
    for pk, verdict in ((declining, True), (plateau, False)):
        assert batch.peaked_years([pk.as_dict()]) == ([2020] if verdict else [])
        table = indicators.check_targets(pd.DataFrame({"year": years}), {"scope12": pk}, TargetsSection(peak_by=2030))
        assert bool(table.set_index("target").at["peak_by", "met"]) is verdict
        peaked = stage.peaked(SimpleNamespace(peak=pk), 2030)
        assert peaked is verdict and compute.meets_peak_target(peaked, pk.peak_value, None) is verdict


def test_validate_checks_a_scenario_projects_market_join(tmp_path, capsys):
    """`carbon validate` joins a scenario's projects to their markets: an unknown one is one message, exit 2."""
    body = {
        "name": "s",
        "model": str(MODEL),
        "inventory": NO_DRAWS,
        "pathway": {"years": [2020, 2026]},
        "market": market(),
        "projects": [GOOD],
    }
    s = tmp_path / "s.yaml"
    s.write_text(yaml.safe_dump(body))
    assert main(["validate", str(s)]) == 0
    s.write_text(yaml.safe_dump({**body, "projects": [{**GOOD, "market": {"market": "ets"}}]}))
    capsys.readouterr()
    assert main(["validate", str(s)]) == 2
    err = capsys.readouterr().err
    assert "unknown market 'ets'" in err and "Traceback" not in err


# ---------------------------------------------------------------- review fixes: GWP, grid factor, units


def test_a_process_only_project_takes_the_models_gwp(tmp_path):
    """No energy rows: the GWP set is the scenario's inventory.gwp, else the model's (not AR5)."""
    s = scenario(tmp_path, FALLING)
    model, _ = prepare(s.runs()[0])
    ar6 = replace(model, gwp="AR6")
    kiln = plant(name="kiln", coal_10k_t=0.0, process=PROCESS)
    # AR6: 100 t CO2 + 2 t CH4 x 27.9 + 0.1 t N2O x 273 = 100 + 55.8 + 27.3 = 183.1 t CO2e
    assert own_inventory(s, kiln, ar6)["co2e_t"].sum() == pytest.approx(183.1)
    by_year = added_emissions(ar6, s, [kiln]).groupby("year")["co2e_t"].sum()
    assert by_year.to_dict() == pytest.approx({y: 183.1 for y in range(2022, 2028)})
    # the scenario's choice comes first: AR4 100 + 2 x 25 + 0.1 x 298 = 179.8 t CO2e
    s4 = scenario(tmp_path, FALLING, name="s4", inventory={**NO_DRAWS, "gwp": "AR4"})
    assert own_inventory(s4, kiln, ar6)["co2e_t"].sum() == pytest.approx(179.8)


def test_the_firm_emits_at_each_years_grid_factor_and_the_pipeline_buys_allowances(tmp_path):
    """The grid falls from 0.6369 (2020) to 0.5 t/MWh (2025): a project buying 10,000 MWh emits
    10,000 x 0.5 = 5,000 t in the 2025 period of the market (not 6,369 at the base year's factor),
    as its annual_emissions_t say. Allocation 10,000 t x 0.1 = 1,000 t each, no MAC: it buys
    4,000 t; A abates 200 + 4,000 t at 0.1 CNY/t per t -> 420 CNY/t. With the coal project too
    (1,914.464019 t, buys 914.464019 t) the pipeline buys 4,914.464019 t at
    0.1 x (200 + 4,914.464019) = 511.4464019 CNY/t."""
    s = scenario(tmp_path, {"years": [2020, 2026], "grid_factor": {2025: 0.5}}, market=market())
    coal = plant(name="coal", market={"benchmark": 0.1})
    elec = plant(name="elec", coal_10k_t=0.0, elec_mwh=10_000.0, market={"benchmark": 0.1})
    result = assess(s, [coal, elec])
    doc = result.documents["elec"]
    m = doc["market"]["market"]
    assert doc["annual_emissions_t"][2025] == pytest.approx(5_000.0, rel=1e-9)
    assert m["firms"]["project_elec"]["emissions"][2025] == pytest.approx(5_000.0, rel=1e-9)
    assert doc["allowances_to_buy_t"] == pytest.approx(4_000.0, rel=1e-9)
    assert m["price_with"][2025] == pytest.approx(420.0, rel=1e-9)
    pipe = result.documents["pipeline"]
    assert pipe["allowances_to_buy_t"] == pytest.approx(4_000.0 + COAL_1000_T - 1_000.0, rel=1e-9)
    assert pipe["market"]["market"]["price_with"][2025] == pytest.approx(0.1 * (200 + 4_914.464019), rel=1e-9)
    row = result.table.set_index("project").loc["pipeline"]
    assert row["allowances_to_buy_t"] == pytest.approx(4_914.464019, rel=1e-9)


def test_a_project_joins_a_market_of_ktco2(tmp_path):
    """A market in ktCO2: A 10 kt, 9.8 kt free, MAC 100 CNY/kt per kt. The coal project emits
    1,914.464019 t = 1.914464019 kt, 1,000 t = 1 kt free: it buys 0.914464019 kt (914.464019 t),
    A abates 0.2 + 0.914464019 kt at 100 CNY/kt per kt -> 111.4464019 CNY/kt."""
    firm = {"id": "A", "sector": "other", "baseline": 10.0, "mac": {"slope": 100.0}, "allocation": 9.8}
    kt = {"unit": "ktCO2", "periods": [2025], "banking": False, "allocation": {"method": "explicit"}, "firms": [firm]}
    s = scenario(tmp_path, {"years": [2020, 2026]}, market=kt)
    doc = assess(s, [plant(market={"benchmark": 0.1})]).documents["plant"]
    m = doc["market"]["market"]
    assert m["firms"]["project_plant"]["emissions"][2025] == pytest.approx(COAL_1000_T / 1000, rel=1e-9)
    assert m["firms"]["project_plant"]["allocation"][2025] == pytest.approx(1.0, rel=1e-9)
    assert doc["allowances_to_buy_t"] == pytest.approx(COAL_1000_T - 1000, rel=1e-9)
    assert m["price_with"][2025] == pytest.approx(100 * (0.2 + (COAL_1000_T - 1000) / 1000), rel=1e-9)
