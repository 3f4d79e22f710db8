"""One coherent set of numbers: the base year reconciles across rooms, every quantity has one
home (conflicts name both keys), extends keeps a parent's other years, short pathways summarise,
and the computing rooms import no other room, no CLI and no run-folder writer."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

from carbon.cli import main
from carbon.stages.reconcile import unexplained

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lankao"
ROOMS = ("inventory", "energy", "market", "pathway", "assess", "accounts")


def _write(path: Path, text: str) -> Path:
    path.write_text(text.replace("MODEL", str(MODEL)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("baseline")
    assert main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "-o", str(out), "-q", "--jobs", "1"]) == 0
    return out / "baseline"


def test_pathway_base_year_is_the_inventory(baseline):
    inventory = pd.read_csv(baseline / "inventory" / "emissions.csv")
    total = inventory.loc[~inventory["memo"], "co2e_t"].sum()
    annual = pd.read_csv(baseline / "pathway" / "annual.csv")
    assert annual.iloc[0]["year"] == 2020
    assert annual.iloc[0]["co2e_t_scope12"] == pytest.approx(total, rel=1e-6)
    manifest = json.loads((baseline / "manifest.json").read_text())
    assert manifest["summary"]["inventory"]["co2e_t"] == pytest.approx(annual.iloc[0]["co2e_t_scope12"], rel=1e-6)


def test_reconciliation_has_no_unexplained_difference(baseline):
    table = pd.read_csv(baseline / "reconciliation.csv")
    assert len(table) == 6
    assert unexplained(table).empty
    # the pathway column equals the inventory column wherever the pathway is the inventory
    for quantity in ("total CO2e, scope 1 + 2", "scope 1 CO2e", "scope 2 CO2e (purchased electricity and heat)",
                     "power sector (local generation) CO2e", "net purchased electricity"):
        row = table[table["quantity"] == quantity].iloc[0]
        assert row["pathway"] == pytest.approx(row["inventory"], rel=1e-6), quantity


def test_unexplained_catches_a_difference():
    table = pd.DataFrame({"quantity": ["x"], "unit": ["t"], "inventory": [100.0], "pathway": [101.0],
                          "energy_model": [float("nan")], "market": [float("nan")],
                          "pathway_minus_inventory": [1.0], "energy_model_minus_inventory": [float("nan")],
                          "market_minus_inventory": [float("nan")], "explained": [""]})
    assert len(unexplained(table)) == 1
    assert unexplained(table.assign(explained="a reason")).empty


def test_energy_base_year_builds_nothing_and_is_calibrated(baseline):
    capacity = pd.read_csv(baseline / "energy" / "capacity.csv")
    first = capacity[capacity["year"] == 2020]
    assert not first.empty and (first["new_mw"].abs() < 1e-6).all()
    assert (first["new_mwh"].fillna(0).abs() < 1e-6).all()
    calibration = pd.read_csv(baseline / "energy" / "calibration.csv").set_index("quantity")["value"]
    purchases = calibration["inventory_net_purchases_mwh"]
    assert purchases == pytest.approx(685_000)  # 68,500 x 10^4 kWh in activity.csv
    # the load was calibrated so the model's net imports match the purchases within 0.1 %
    assert abs(calibration["model_net_imports_mwh"] - purchases) <= 1e-3 * purchases
    # against independent files: the model's own 2020 local CO2 x k is the inventory's power
    # sector, and the pathway's 2020 net imports are the purchases of activity.csv
    annual = pd.read_csv(baseline / "energy" / "annual.csv")
    local = annual[(annual["year"] == 2020) & ~annual["kind"].isin(["grid_import", "grid_export"])]
    emissions = pd.read_csv(baseline / "inventory" / "emissions.csv")
    power = emissions[~emissions["memo"] & emissions["category"].astype(str).str.startswith("1.A.1")]
    assert local["emissions_t"].sum() * calibration["co2_factor"] == pytest.approx(power["co2e_t"].sum(), rel=1e-9)
    path = pd.read_csv(baseline / "pathway" / "power.csv").set_index("year")
    assert path.at[2020, "imports_mwh"] - path.at[2020, "exports_mwh"] == pytest.approx(685_000, rel=1e-9)


def test_decisions_are_in_the_run_folder(baseline):
    decisions = pd.read_csv(baseline / "decisions.csv")
    price = decisions[(decisions["quantity"] == "carbon_price") & (decisions["year"] == 2030)].iloc[0]
    assert float(price["value"]) == 100.0 and price["source"] == "pathway.carbon_price"
    grid = decisions[(decisions["quantity"] == "grid_factor") & (decisions["year"] == 2020)].iloc[0]
    assert float(grid["value"]) == pytest.approx(0.6369) and "factors_henan.csv" in grid["source"]
    manifest = json.loads((baseline / "manifest.json").read_text())
    assert len(manifest["decisions"]) == len(decisions)


PROBE = """name: probe
model: MODEL
pathway:
  years: [2020, 2025]
  milestones: [2025]
energy:
  days: 2
  carbon_price: 500
"""


def test_energy_carbon_price_in_a_pathway_is_used(tmp_path, capsys):
    file = _write(tmp_path / "probe.yaml", PROBE)
    assert main(["run", str(file), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"]) == 0
    annual = pd.read_csv(tmp_path / "out" / "probe" / "pathway" / "annual.csv")
    assert (annual["carbon_price_cny_per_t"] == 500.0).all()
    years = pd.read_csv(tmp_path / "out" / "probe" / "energy" / "years.csv")
    assert (years["carbon_price_cny_per_t"] == 500.0).all()
    decisions = pd.read_csv(tmp_path / "out" / "probe" / "decisions.csv")
    assert set(decisions.loc[decisions["quantity"] == "carbon_price", "source"]) == {"energy.carbon_price"}


def test_two_homes_of_the_carbon_price_are_an_error(tmp_path, capsys):
    file = _write(tmp_path / "probe.yaml", PROBE + "  settings: {carbon_price_cny_per_t: 300}\n")
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    assert "energy.carbon_price" in err and "energy.settings.carbon_price_cny_per_t" in err
    assert main(["run", str(file), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"]) == 2


def test_a_base_year_grid_factor_that_differs_from_the_inventory_is_an_error(tmp_path, capsys):
    file = _write(tmp_path / "g.yaml", "name: g\nmodel: MODEL\npathway:\n  years: [2020, 2022]\n"
                  "  grid_factor: {2020: 0.5, 2022: 0.4}\n")
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    assert "pathway.grid_factor.2020" in err and "0.6369" in err


def test_validate_catches_an_unknown_technology(tmp_path, capsys):
    file = _write(tmp_path / "t.yaml", "name: t\nmodel: MODEL\nenergy:\n  technologies:\n    wind_nw: {max_mw: 10}\n")
    assert main(["validate", str(file)]) == 2
    assert "wind_nw" in capsys.readouterr().err


def test_child_overriding_one_year_keeps_the_parents_other_years(tmp_path):
    _write(tmp_path / "parent.yaml", """name: parent
model: MODEL
pathway:
  years: [2020, 2024]
  sectors:
    commercial:
      mix:
        2022: {raw_coal: 0.1, natural_gas: 0.3, lpg: 0.05, diesel: 0.05, electricity: 0.5}
        2024: {natural_gas: 0.4, electricity: 0.6}
""")
    _write(tmp_path / "child.yaml", """name: child
extends: parent.yaml
pathway:
  sectors:
    commercial:
      mix:
        2022: {raw_coal: 0.2, natural_gas: 0.2, lpg: 0.05, diesel: 0.05, electricity: 0.5}
""")
    assert main(["run", str(tmp_path / "child.yaml"), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"]) == 0
    manifest = json.loads((tmp_path / "out" / "child" / "manifest.json").read_text())
    mix = manifest["scenario"]["pathway"]["sectors"]["commercial"]["mix"]
    assert mix["2022"]["raw_coal"] == 0.2  # the child's year
    assert mix["2024"] == {"natural_gas": 0.4, "electricity": 0.6}  # the parent's other year stays


def test_a_pathway_ending_in_2035_runs_and_summarises(tmp_path, capsys):
    file = _write(tmp_path / "short.yaml", "name: short\nmodel: MODEL\npathway:\n  years: [2020, 2035]\n"
                  "  milestones: [2030]\n  gdp: {growth: 0.05}\n")
    code = main(["run", str(file), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "2035" in out and "Traceback" not in out
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert "pathway.co2e_t_scope12_2035" in summary and "pathway.co2e_t_scope12_2060" not in summary


def _imports(path: Path) -> set[str]:
    """Modules a file imports (module level and inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("room", ROOMS)
def test_computing_rooms_import_no_other_room_no_cli_and_no_run_writer(room):
    bad = []
    for file in sorted((ROOT / "carbon" / room).rglob("*.py")):
        for name in _imports(file):
            parts = name.split(".")
            if parts[0] != "carbon" or len(parts) < 2:
                continue
            other = parts[1]
            if other in ROOMS and other != room:
                bad.append(f"{file.relative_to(ROOT)} imports {name} (another computing room)")
            if other in ("cli", "runner", "results", "stages", "coupling", "plots", "report", "scenario", "resolve"):
                bad.append(f"{file.relative_to(ROOT)} imports {name} (a floor above, or the run-folder writer)")
    assert bad == []


def test_the_import_check_can_fail(tmp_path):
    file = tmp_path / "x.py"
    file.write_text("def f():\n    from carbon.market.clearing import clear\n")
    assert "carbon.market.clearing" in _imports(file)


def test_monte_carlo_base_year_is_the_baseline_base_year(tmp_path, baseline):
    _write(tmp_path / "mc.yaml", f"name: mc2\nextends: {ROOT / 'scenarios' / 'monte_carlo.yaml'}\nsamples: {{n: 2}}\n")
    assert main(["run", str(tmp_path / "mc.yaml"), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"]) == 0
    base = pd.read_csv(baseline / "pathway" / "annual.csv").iloc[0]
    for sample in ("mc2__s0000", "mc2__s0001"):
        first = pd.read_csv(tmp_path / "out" / sample / "pathway" / "annual.csv").iloc[0]
        assert first["co2e_t_scope12"] == pytest.approx(base["co2e_t_scope12"], rel=1e-9)
        # the same energy section as the baseline (issue 18): the same power sector in the base year
        assert first["energy_tce"] == pytest.approx(base["energy_tce"], rel=1e-9)


def test_an_inventory_only_run_writes_its_reconciliation(tmp_path):
    file = _write(tmp_path / "inv.yaml", "name: inv\nmodel: MODEL\n")
    assert main(["run", str(file), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"]) == 0
    table = pd.read_csv(tmp_path / "out" / "inv" / "reconciliation.csv")
    emissions = pd.read_csv(tmp_path / "out" / "inv" / "inventory" / "emissions.csv")
    total = table[table["quantity"] == "total CO2e, scope 1 + 2"].iloc[0]
    assert total["inventory"] == pytest.approx(emissions.loc[~emissions["memo"], "co2e_t"].sum())
    assert table["pathway"].isna().all() and unexplained(table).empty


def test_an_energy_only_run_compares_its_first_year_with_the_inventory(tmp_path):
    file = _write(tmp_path / "en.yaml", "name: en\nmodel: MODEL\nenergy: {days: 2}\n")
    assert main(["run", str(file), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"]) == 0
    table = pd.read_csv(tmp_path / "out" / "en" / "reconciliation.csv").set_index("quantity")
    years = pd.read_csv(tmp_path / "out" / "en" / "energy" / "years.csv").iloc[0]
    net = table.loc["net purchased electricity"]
    assert net["energy_model"] == pytest.approx(years["imports_mwh"] - years["exports_mwh"])
    assert "not calibrated" in net["explained"]


def test_the_power_firms_mac_curve_counts_local_generation_only():
    from carbon.energy.inputs import YearAssumptions
    from carbon.energy.milestones import year_system
    from carbon.energy.problem import EnergyProblem, mac_curve
    from carbon.energy.schema import EnergySection
    from carbon.stages.energy import resolve_system

    system = year_system(resolve_system(EnergySection(days=2), MODEL), 2020, {2020: 0.6369}, frozen=True)
    problem = EnergyProblem(system, years=[2020], assumptions={2020: YearAssumptions(0.0, None, 0.8, 1.0)})
    for price in (0.0, 200.0):
        problem.set_carbon_price(price, 2020)
        result = problem.solve()
        x = problem.last_outcome.x
        annual = result.annual
        imports = float(annual.loc[annual["kind"] == "grid_import", "emissions_t"].sum())
        total = float(problem.program.values(problem.model.emissions, x)[0])
        assert imports > 0  # the county imports: the model's total carries the grid's emissions
        assert problem.local_emissions(x) == pytest.approx(float(result.local_co2_t().iloc[0]), rel=1e-6)
        assert total - problem.local_emissions(x) == pytest.approx(imports, rel=1e-6)
    local = mac_curve(system, [0.0, 200.0], problem=problem, local_only=True)["emissions_t"]
    total = mac_curve(system, [0.0, 200.0], problem=problem)["emissions_t"]
    assert (local < total - 0.5 * imports).all()


def test_the_coupled_market_power_firm_is_the_local_curve(tmp_path):
    assert main(["run", str(ROOT / "scenarios" / "policy.yaml"), "-o", str(tmp_path), "-q", "--jobs", "1"]) == 0
    firms = pd.read_csv(tmp_path / "policy" / "market" / "firms.csv")
    annual = pd.read_csv(tmp_path / "policy" / "energy" / "annual.csv")
    local = annual[~annual["kind"].isin(["grid_import", "grid_export"])].groupby("year")["emissions_t"].sum()
    total = annual.groupby("year")["emissions_t"].sum()
    power = firms[firms["firm"] == "power"].set_index("period")["emissions"]
    # the firm's emissions at the market price come from the sampled local curve: within a few
    # per cent of the model's local CO2 at that price, far below local + imports
    assert sorted(power.index) == [2020, 2025, 2030, 2035, 2040, 2050, 2060]  # every milestone (policy.yaml)
    for year, emitted in power.items():
        assert abs(emitted - local[year]) <= 0.1 * local[year]
        assert emitted < total[year] - 0.5 * (total[year] - local[year])
