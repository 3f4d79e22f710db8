"""Project carbon assessment (issue 15): numbers by hand, entry verdicts at the boundary, a
pipeline screened by hand, the energy model's response, and the CLI's outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from carbon.assess import ProjectSection, entry_verdict, impact, project_activity_rows, ramp_shares, screen
from carbon.assess.compute import best_combination
from carbon.assess.thresholds import threshold_of
from carbon.cli import main
from carbon.pathway.indicators import peaked_by
from carbon.pathway.peak import Peak
from carbon.runner import prepare
from carbon.scenario import Scenario, load_project
from carbon.stages.assess import assess, run
from carbon.stages.pathway import project as project_pathway

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lankao"
NO_DRAWS = {"uncertainty": {"draws": 0}}
# a falling county: GDP flat, industry -5 %/yr energy intensity; peak = base year 2020 (declining)
FALLING = {"years": [2020, 2027], "gdp": {"growth": 0.0}, "sectors": {"industry": {"intensity": -0.05}}}
# 1000 t of raw coal in 1.A.2 (china factor set, AR5):
#   CO2 1000 t x 20.908 GJ/t = 20.908 TJ x 96.69 t/TJ x 0.94 = 1900.298849 t
#   CH4 20.908 TJ x 10 kg/TJ = 0.20908 t x 28 = 5.85424 t CO2e; N2O 20.908 x 1.5 kg = 0.031362 t x 265 = 8.31093
COAL_T_CO2E_PER_T = (1900.298849 + 5.85424 + 8.31093) / 1000
GRID = 0.6369  # t CO2/MWh, models/lankao/factors_henan.csv


def scenario(tmp: Path, pathway: dict, name: str = "s", **extra) -> Scenario:
    path = tmp / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump(
            {"name": name, "model": str(MODEL), "inventory": NO_DRAWS, "pathway": pathway, **extra}, sort_keys=False
        )
    )
    return Scenario.from_file(path)


def plant(name="plant", coal_10k_t=20.0, elec_10k_kwh=10000.0, start=2022, ramp=(0.5,), **extra) -> ProjectSection:
    energy = {}
    if coal_10k_t:
        energy["raw_coal"] = {"quantity": coal_10k_t, "unit": "10^4 t"}
    if elec_10k_kwh:
        energy["electricity"] = {"quantity": elec_10k_kwh, "unit": "10^4 kWh"}
    return ProjectSection.model_validate(
        {
            "name": name,
            "sector": "food",
            "product": "food_processing",
            "start_year": start,
            "ramp_up": list(ramp),
            "output": {"quantity": 1_000_000, "unit": "t"},
            "energy": energy,
            "value_added_10k_cny": 100_000,
            **extra,
        }
    )


def test_ramp_and_rows_by_hand():
    p = plant(start=2022, ramp=(0.25, 0.75))
    assert ramp_shares(p, range(2020, 2026)).tolist() == [0, 0, 0.25, 0.75, 1, 1]
    rows = project_activity_rows(p, [2021, 2022, 2023, 2024])
    coal = rows[rows["item"] == "raw_coal"].set_index("year")["quantity"]
    assert coal.to_dict() == pytest.approx({2022: 5.0, 2023: 15.0, 2024: 20.0})  # 20 x 0.25, 0.75, 1
    # on-site renewables cut purchases: 10000 x 10^4 kWh = 100,000 MWh - 30,000 MWh = 70,000 MWh
    net = project_activity_rows(plant(onsite_renewable_mwh=30_000, ramp=()), [2022])
    assert net.set_index("item").at["electricity", "quantity"] == pytest.approx(7000.0)


def test_project_adds_its_emissions_from_its_start_year_and_moves_the_peak(tmp_path):
    s = scenario(tmp_path, FALLING)
    p = plant()  # 20 x 10^4 t coal, 10000 x 10^4 kWh = 100,000 MWh, from 2022, 50 % in 2022
    full = 200_000 * COAL_T_CO2E_PER_T + 100_000 * GRID  # 382,892.804 + 63,690 = 446,582.804 t CO2e
    assert full == pytest.approx(446_582.804, abs=1e-3)
    without, with_ = run(s), run(s.with_values({"projects": [p.model_dump()]}))
    a, b = without.annual.set_index("year"), with_.annual.set_index("year")
    delta = b["co2e_t_scope12"] - a["co2e_t_scope12"]
    assert delta.to_dict() == pytest.approx(
        {2020: 0, 2021: 0, 2022: full / 2, **{y: full for y in range(2023, 2028)}}, rel=1e-9, abs=1e-6
    )
    assert (b.loc[2020] == a.loc[2020]).all()  # the base year (= the inventory) is unchanged
    # without: declining from 2020 (3.682 Mt); with: 2022 3.503 + 0.223 = 3.726 Mt,
    # 2023 3.420 + 0.447 = 3.866 Mt (the highest), 2024 3.341 + 0.447 = 3.787 Mt: peak 2023
    assert (without.peak.peak_year, without.peak.status) == (2020, "declining")
    by_hand = a["co2e_t_scope12"] + pd.Series({2022: full / 2, **{y: full for y in range(2023, 2028)}}).reindex(
        a.index, fill_value=0.0
    )
    assert int(by_hand.idxmax()) == 2023
    assert (with_.peak.peak_year, with_.peak.status) == (2023, "peaked")
    assert with_.peak.peak_value == pytest.approx(a.at[2023, "co2e_t_scope12"] + full, rel=1e-9)
    # the assessment reports the same figures; cumulative to 2030 = the horizon's end here (2027)
    result = assess(s, [p])
    doc = result.documents["plant"]
    assert (doc["peak_year_without"], doc["peak_year_with"]) == (2020, 2023)
    assert doc["full_capacity_co2e_t"] == pytest.approx(full, rel=1e-9)
    assert doc["intensity"] == pytest.approx(full / 1_000_000)  # t CO2e per t of food
    assert doc["intensity_t_per_10k_cny"] == pytest.approx(full / 100_000)
    assert doc["cumulative_2030_delta_t"] is None  # 2030 is beyond the 2020-2027 horizon
    assert doc["cumulative_delta_t"] == pytest.approx(full * 5.5, rel=1e-9)
    assert doc["annual_emissions_t"][2022] == pytest.approx(full / 2, rel=1e-9)


def test_energy_model_sees_the_projects_electricity(tmp_path):
    s = scenario(tmp_path, {"years": [2020, 2025], "milestones": [2025]}, energy={"days": 2})
    p = plant(coal_10k_t=0.0, elec_10k_kwh=20000.0, start=2023, ramp=())  # 200,000 MWh from 2023
    with_s = s.with_values({"projects": [p.model_dump()]})
    without, with_ = run(s), run(with_s)
    model, _ = prepare(s.runs()[0])
    from carbon.pathway.assemble import purchases_mwh

    purchases = purchases_mwh(project_pathway(model, s).inventory.energy, list(range(2020, 2026)))
    purchases_with = purchases_mwh(project_pathway(model, with_s).inventory.energy, list(range(2020, 2026)))
    assert purchases_with[2025] - purchases[2025] == pytest.approx(200_000.0)
    assert purchases_with[2020] == purchases[2020]
    # the energy model's load at a milestone = calibrated base load x existing purchases(m) /
    # purchases(base) + the project's own MWh (a new load is added, not scaled with the county's)
    load = {
        r: run_.outputs["energy"].tables["years"].set_index("year")["load_mwh"]
        for r, run_ in (("without", without), ("with", with_))
    }
    assert load["with"][2020] == pytest.approx(load["without"][2020])
    assert load["with"][2025] - load["without"][2025] == pytest.approx(200_000.0, rel=1e-6)
    # the pathway's power CO2 moves by the energy model's own change x the base-year calibration k
    k = without.outputs["energy"].summary["calibration_co2_factor"]
    assert with_.outputs["energy"].summary["calibration_co2_factor"] == pytest.approx(k)
    d_model = (
        with_.outputs["energy"].summary["local_co2_t_2025"] - without.outputs["energy"].summary["local_co2_t_2025"]
    )
    d_path = (
        with_.annual.set_index("year").at[2025, "power_co2_t"]
        - without.annual.set_index("year").at[2025, "power_co2_t"]
    )
    assert load["with"][2025] > load["without"][2025]
    assert d_path == pytest.approx(d_model * k, rel=1e-9)


@pytest.mark.parametrize(
    ("intensity", "verdict"), [(0.12, "advanced"), (0.1200001, "meets"), (0.25, "meets"), (0.2500001, "fails")]
)
def test_entry_verdict_at_the_boundary(intensity, verdict):
    th = threshold_of("food", "food_processing")  # 0.25 entry, 0.12 advanced (illustrative)
    assert (th.threshold, th.advanced) == (0.25, 0.12)
    assert entry_verdict(intensity, th.threshold, th.advanced) == verdict


def test_entry_verdict_of_a_project_on_its_threshold(tmp_path):
    # coal only: 1000 t of coal = 1914.46402 t CO2e; output set so the intensity is exactly 0.25 t/t
    s = scenario(tmp_path, {"years": [2020, 2022]})
    co2e = 1000 * COAL_T_CO2E_PER_T  # 1914.464019 t CO2e/yr
    below = plant(
        name="below", coal_10k_t=0.1, elec_10k_kwh=0.0, output={"quantity": co2e / 0.25 * 1.000001, "unit": "t"}
    )
    above = plant(
        name="above", coal_10k_t=0.1, elec_10k_kwh=0.0, output={"quantity": co2e / 0.25 * 0.999999, "unit": "t"}
    )
    docs = assess(s, [below, above]).documents
    assert docs["below"]["intensity"] == pytest.approx(0.25, rel=2e-6)
    assert docs["below"]["intensity"] < 0.25 and docs["below"]["entry_verdict"] == "meets"
    assert docs["above"]["intensity"] > 0.25
    assert docs["above"]["meets_entry"] is False and docs["above"]["entry_verdict"] == "fails"


def _peak(year, value, status="peaked"):
    return Peak(year, status, value, (year, year), False, False, 2020, 2060, 0.01)


def test_impact_headroom_and_allowances_by_hand():
    years = [2020, 2021, 2022, 2023]
    without = pd.DataFrame({"year": years, "co2e_t_scope12": [100.0, 110.0, 105.0, 90.0]})
    with_ = pd.DataFrame({"year": years, "co2e_t_scope12": [100.0, 110.0, 125.0, 110.0]})
    # the pathway's one rule: peaked (status peaked/declining) by 2021: without yes (2021), with no (2022)
    a, b = _peak(2021, 110.0), _peak(2022, 125.0)
    assert (peaked_by(a.status, a.peak_year, 2021), peaked_by(b.status, b.peak_year, 2021)) == (True, False)
    out = impact(without, with_, a, b, peaked_without=True, peaked_with=False, peak_cap_t=120.0)
    assert out["peak_delta_t"] == 15.0  # 125 - 110
    assert out["headroom_t"] == 10.0  # 120 - 110
    assert out["headroom_share"] == 1.5  # 15 / 10: takes more than the headroom
    assert out["allowances_needed_t"] == 5.0  # 125 - 120
    assert out["cumulative_delta_t"] == 40.0  # 20 + 20
    assert out["meets_peak_target_without"] is True and out["meets_peak_target_with"] is False


def test_pipeline_ranking_and_combination_by_hand():
    # intensities 3, 1, 2 t/10^4 CNY; peak deltas 50, 80, 10 t
    rows = pd.DataFrame(
        {"project": ["a", "b", "c"], "intensity_t_per_10k_cny": [3.0, 1.0, 2.0], "peak_delta_t": [50.0, 80.0, 10.0]}
    )
    ranked = screen(rows)
    assert ranked["rank_intensity"].tolist() == [3, 1, 2]
    assert ranked["rank_peak_impact"].tolist() == [2, 3, 1]
    # the county has 100 t of headroom; peak deltas add: b (80) fits, c (+10 = 90) fits, a (+50) does not
    delta = dict(zip(rows["project"], rows["peak_delta_t"]))
    assert best_combination(ranked, lambda names: sum(delta[n] for n in names) <= 100).kept == ["b", "c"]


def test_the_combination_respects_entry_verdicts():
    # same pipeline; c (intensity rank 2) fails its entry threshold
    rows = screen(
        pd.DataFrame(
            {
                "project": ["a", "b", "c"],
                "intensity_t_per_10k_cny": [3.0, 1.0, 2.0],
                "peak_delta_t": [50.0, 80.0, 10.0],
                "meets_entry": [True, True, False],
            }
        )
    )
    delta = dict(zip(rows["project"], rows["peak_delta_t"]))
    tried = []

    def fits(names):
        tried.append(list(names))
        return sum(delta[n] for n in names) <= 100

    # excluded (the default): b (80) kept, c never tried, a (80 + 50 = 130 > 100) rejected
    out = best_combination(rows, fits)
    assert (out.kept, out.failed_entry, out.rejected, out.entry_excluded) == (["b"], ["c"], ["a"], True)
    assert tried == [["b"], ["b", "a"]]
    # flagged instead: c is tried (80 + 10 = 90 fits) and kept, but named as failing entry
    out = best_combination(rows, fits, exclude_failing_entry=False)
    assert (out.kept, out.failed_entry, out.rejected, out.entry_excluded) == (["b", "c"], ["c"], ["a"], False)


def test_pipeline_of_the_example_projects(tmp_path):
    """The four example projects on the falling county (energy model off): the data centre moves
    the peak; the food factory fails its entry threshold; the screening is consistent."""
    s = scenario(
        tmp_path,
        {
            "years": [2020, 2035],
            "gdp": {"growth": 0.05},
            "sectors": {"industry": {"driver": "gdp", "intensity": -0.06}},
        },
        targets={"peak_by": 2025},
    )
    projects = [load_project(f) for f in sorted((MODEL / "projects").glob("*.yaml"))]
    result = assess(s, projects)
    docs = result.documents
    assert docs["food_factory"]["meets_entry"] is False
    # food: 1.5 x 10^4 t coal = 15 x 1914.46402 = 28,716.96 t + 15,000 MWh x 0.6369 = 9,553.5 t: 38,270.46 t
    # over 100,000 t of product = 0.3827 t/t > 0.25
    assert docs["food_factory"]["intensity"] == pytest.approx((15 * 1914.46402 + 15_000 * GRID) / 100_000)
    # the county declines from 2020 (3.68 Mt); the data centre's 357 kt/yr from 2031 (ramp 0.3, 0.6, 0.9
    # from 2028) makes 2031 the highest year: the peak moves 2020 -> 2031, past peak_by 2025
    assert (docs["data_centre"]["peak_year_without"], docs["data_centre"]["peak_year_with"]) == (2020, 2031)
    assert docs["data_centre"]["meets_peak_target_with"] is False
    table = result.table.set_index("project")
    assert list(table.index) == [p.name for p in projects] + ["pipeline"]
    # the pipeline adds the projects' emissions (the energy model is off: every row is linear)
    total = sum(docs[p.name]["annual_emissions_t"][2032] for p in projects)
    assert docs["pipeline"]["annual_emissions_t"][2032] == pytest.approx(total, rel=1e-9)
    assert "data_centre" not in result.combination
    # the decomposition of the pipeline (four projects, two buying electricity) adds up to its difference
    pipe = result.decomposition["pipeline"]
    delta = result.annual["pipeline"].set_index("year")["delta_t"]
    for year, rows in pipe.groupby("year"):
        assert rows["delta_t"].sum() == pytest.approx(delta[year], rel=1e-9)
    # 2031 (the peak year with them): furniture's gas, the biomass plant's diesel and straw (CH4, N2O), the food
    # factory's coal; electricity bought: furniture 12,000 - 2,000 on site + food 15,000 + biomass 15,000 + data
    # centre 560,000 + 900 battery losses = 600,900 MWh x 0.6369 = 382,713.21 t
    rows = pipe[pipe["year"] == 2031].set_index("fuel")
    assert rows.index.tolist() == ["diesel", "natural_gas", "other_primary_solid_biomass", "raw_coal", "electricity"]
    assert rows.at["electricity", "delta_t"] == pytest.approx(600_900 * GRID, rel=1e-9)
    assert rows.at["raw_coal", "delta_t"] == pytest.approx(15 * 1914.464019, rel=1e-9)
    # the food factory fails its entry threshold: left out of the combination and named
    assert set(result.combination) == {"biomass_plant", "furniture_plant"}
    assert docs["pipeline"]["failing_entry"] == ["food_factory"] and docs["pipeline"]["failing_entry_excluded"]
    assert docs["pipeline"]["rejected_for_peak_target"] == ["data_centre"]
    assert table["in_combination"].tolist()[:4] == [p.name in ("biomass_plant", "furniture_plant") for p in projects]


def test_cli_writes_every_output(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text(
        yaml.safe_dump({"name": "s", "model": str(MODEL), "inventory": NO_DRAWS, "pathway": {"years": [2020, 2031]}})
    )
    out = tmp_path / "out"
    files = [str(MODEL / "projects" / "food_factory.yaml"), str(MODEL / "projects" / "furniture_plant.yaml")]
    assert main(["assess", *files, "--scenario", str(s), "-o", str(out), "--peak-cap-t", "5e6"]) == 0
    doc = json.loads((out / "food_factory" / "assessment.json").read_text(encoding="utf-8"))
    for key in (
        "annual_emissions_t",
        "county_delta_t",
        "intensity",
        "entry_threshold",
        "advanced_value",
        "meets_entry",
        "peak_year_without",
        "peak_year_with",
        "peak_t_without",
        "peak_t_with",
        "cumulative_2030_delta_t",
        "headroom_share",
        "allowances_needed_t",
        "emissions_by_scope_gas",
    ):
        assert key in doc
    csv = pd.read_csv(out / "projects.csv")
    assert csv["project"].tolist() == ["food_factory", "furniture_plant", "pipeline"]
    sheet = (out / "sheet.html").read_text(encoding="utf-8")
    assert "准入值" in sheet and "Entry threshold" in sheet
    from openpyxl import load_workbook

    assert load_workbook(out / "assessment.xlsx").sheetnames == [
        "assessment 评价",
        "projects 项目",
        "decomposition 分解",
    ]
    assert (out / "pathways.png").stat().st_size > 0 and (out / "intensity.png").stat().st_size > 0


def test_own_emissions_at_each_years_grid_factor_equal_the_county_change_without_energy_model(tmp_path):
    """The project's own emissions: its purchases at each year's grid factor (0.6369 in 2020,
    0.5 in 2025, linear between: 2023 = 0.6369 - 3/5 x 0.1369 = 0.55476); with the energy model
    off the county's change is the same number, year by year."""
    s = scenario(tmp_path, {"years": [2020, 2025], "grid_factor": {2025: 0.5}, "gdp": {"growth": 0.0}})
    p = plant(coal_10k_t=0.0, elec_10k_kwh=20000.0, start=2023, ramp=())  # 200,000 MWh from 2023
    doc = assess(s, [p]).documents["plant"]
    own, county = doc["annual_emissions_t"], doc["county_delta_t"]
    assert own[2022] == 0.0
    assert own[2023] == pytest.approx(200_000 * (GRID - 3 / 5 * (GRID - 0.5)), rel=1e-9)
    assert own[2025] == pytest.approx(200_000 * 0.5, rel=1e-9)
    assert county == pytest.approx(own, rel=1e-9)
