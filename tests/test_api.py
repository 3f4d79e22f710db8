"""The scripting interface (issue 17): carbon.run / run_batch, Scenario.from_file().with_values(),
the docstring examples, and mypy on the public modules."""

from __future__ import annotations

import doctest
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import carbon
import carbon.api
import carbon.scenario
from carbon.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def test_run_a_file_returns_the_run_with_its_tables(tmp_path):
    run = carbon.run(ROOT / "scenarios" / "inventory" / "base.yaml", out_dir=tmp_path)
    assert run.ok and run.path == tmp_path / "inventory" and (tmp_path / "inventory" / "manifest.json").is_file()
    # the calibrated base year of the default county: 3.68 Mt CO2e scope 1+2 (models/lankao/CALIBRATION.md)
    assert run.summary["inventory.co2e_t"] == pytest.approx(3_681_651.76, abs=0.01)
    emissions = run.table("inventory", "emissions")
    counted = emissions.loc[~emissions["memo"].astype(bool), "co2e_t"].sum()  # biogenic CO2 is a memo item
    assert counted == pytest.approx(run.summary["inventory.co2e_t"], rel=1e-9)


def test_with_values_follows_the_sweep_rules_and_validates_again():
    base = carbon.Scenario.from_file(ROOT / "scenarios" / "baseline.yaml")
    dear = base.with_values({"pathway.carbon_price.2030": 300, "energy.days": 2,
                             "activity.industry.raw_coal.quantity": {"scale": 0.5}})
    assert dear.pathway.carbon_price == {2020: 40.0, 2025: 70.0, 2030: 300.0, 2060: 200.0}  # one year set
    assert base.pathway.carbon_price[2030] == 100.0 and base.energy.days == 8  # the original is untouched
    assert dear.energy.days == 2 and dear.overrides["activity.industry.raw_coal.quantity"] == {"scale": 0.5}
    assert dear.file == base.file == ROOT / "scenarios" / "baseline.yaml"
    with pytest.raises(InputError, match="energy.days"):
        base.with_values({"energy.days": -3})
    with pytest.raises(InputError, match="set both in overrides and in with_values"):
        carbon.Scenario.from_file(ROOT / "scenarios" / "inventory" / "coal_to_gas.yaml").with_values(
            {k: 1 for k in carbon.Scenario.from_file(ROOT / "scenarios" / "inventory" / "coal_to_gas.yaml").overrides})


def test_a_scenario_object_expands_like_its_file():
    file = ROOT / "scenarios" / "price_storage_sweep.yaml"
    from_object = carbon.Scenario.from_file(file).runs()
    from_file = carbon.scenario.expand(file)
    assert [r.name for r in from_object] == [r.name for r in from_file]
    assert [r.scenario.as_data() for r in from_object] == [r.scenario.as_data() for r in from_file]


def test_run_batch_of_a_scenario_object_and_run_refuses_several_runs(tmp_path):
    sweep = carbon.Scenario.from_file(ROOT / "scenarios" / "inventory" / "gwp_sweep.yaml")
    with pytest.raises(InputError, match="several runs"):
        carbon.run(sweep, out_dir=tmp_path)
    batch = carbon.run_batch(sweep.with_values({"inventory.uncertainty.draws": 0}), tmp_path)
    assert batch.runs == sorted(r.name for r in sweep.runs()) and (batch.summary["status"] == "ok").all()
    assert len(batch.summary) == len(batch.runs) >= 2


def _doctest(obj, globs: dict) -> None:
    finder, runner = doctest.DocTestFinder(recurse=False), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(obj, globs=globs)
    assert tests and any(t.examples for t in tests)
    for test in tests:
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} docstring example(s) of {obj.__name__} failed"


def test_docstring_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    _doctest(carbon.api, {"tmp": tmp_path})
    _doctest(carbon.Scenario, {"Scenario": carbon.Scenario})


def _markdown_examples(path: Path) -> doctest.DocTest:
    return doctest.DocTestParser().get_doctest(path.read_text(encoding="utf-8"), {}, path.name, str(path), 0)


DOC_PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_readme_and_docs_examples_run(tmp_path, monkeypatch):
    """Every ``>>>`` example in the README and docs/ runs, from a folder holding the repository's
    scenarios and models (outputs land in tmp_path)."""
    for name in ("scenarios", "models", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    ran = []
    for page in DOC_PAGES:
        test = _markdown_examples(page)
        if test.examples:
            runner.run(test)
            ran.append(page.name)
    assert "README.md" in ran and len(ran) >= 3, ran
    assert runner.failures == 0, f"{runner.failures} documented example(s) failed (see the output above)"


def test_mypy_passes_on_the_public_modules():
    if shutil.which("mypy", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    cache = Path(tempfile.gettempdir()) / "carbon-mypy-cache"
    proc = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success" in proc.stdout and "4 source files" in proc.stdout
