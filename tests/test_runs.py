"""End-to-end runs: reproducibility, failures in a batch, resume, Dask, atomic writes."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from carbon import results
from carbon.cli import main
from carbon.runner import run_batch

MODEL = Path(__file__).resolve().parents[1] / "models" / "lankao"

MC = """name: mc
model: MODEL
inventory: {uncertainty: {draws: 500, seed: 5}}
samples:
  n: 3
  seed: 11
  activity.power.raw_coal.quantity: {dist: normal, mean: 1.0, sd: 0.05, relative: true}
"""


def scenario(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text.replace("MODEL", str(MODEL)), encoding="utf-8")
    return path


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of a results folder; manifests without their timings."""
    files = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "manifest.json":
                doc = json.loads(data)
                doc.pop("timings_s")
                data = json.dumps(doc, sort_keys=True).encode()
            files[str(path.relative_to(out))] = data
    return files


def test_same_seed_gives_the_same_files(tmp_path):
    src = scenario(tmp_path / "s", "mc.yaml", MC)
    run_batch([src], tmp_path / "a", jobs=1)
    run_batch([src], tmp_path / "b", jobs=2)
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    # summary.csv + 3 runs x (manifest + decisions.csv + reconciliation.csv + 7 inventory tables)
    assert len(a) == 1 + 3 * 10
    assert all(f"mc__s{i:04d}/decisions.csv" in a and f"mc__s{i:04d}/reconciliation.csv" in a for i in range(3))
    assert a == b
    # the three samples differ from each other (the draws took effect)
    totals = pd.read_csv(tmp_path / "a" / "summary.csv")["inventory.co2e_t"]
    assert totals.nunique() == 3


def test_broken_scenario_is_reported_and_the_others_finish(tmp_path, capsys):
    folder = tmp_path / "s"
    scenario(folder, "good.yaml", "name: good\nmodel: MODEL\n")
    scenario(folder, "syntax.yaml", "name: syntax\nmodel: [unclosed\n")
    scenario(folder, "override.yaml", "name: override\nmodel: MODEL\noverrides: {activity.power.raw_coal.quantity: -1}\n")
    code = main(["run", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1", "--quiet"])
    assert code == 2
    summary = pd.read_csv(tmp_path / "out" / "summary.csv").set_index("run")
    assert summary.loc["good", "status"] == "ok"
    assert summary.loc["syntax", "status"] == "failed" and "YAML syntax error" in summary.loc["syntax", "error"]
    assert "negative quantity" in summary.loc["override", "error"]
    assert (tmp_path / "out" / "good" / "inventory" / "emissions.csv").is_file()
    failed = json.loads((tmp_path / "out" / "override" / "manifest.json").read_text())
    assert failed["status"] == "failed" and failed["traceback"] is None
    out = capsys.readouterr().out
    assert "failed runs:" in out and "- syntax:" in out


def test_resume_skips_complete_runs_and_reruns_changed_ones(tmp_path):
    folder = tmp_path / "s"
    scenario(folder, "a.yaml", "name: a\nmodel: MODEL\ninventory: {uncertainty: {draws: 0}}\n")
    scenario(folder, "b.yaml", "name: b\nmodel: MODEL\ninventory: {uncertainty: {draws: 0}}\n")
    out = tmp_path / "out"
    run_batch([folder], out, jobs=1)
    stamp = {n: (out / n / "manifest.json").stat().st_mtime_ns for n in "ab"}
    scenario(folder, "b.yaml", "name: b\nmodel: MODEL\ninventory: {gwp: AR6, uncertainty: {draws: 0}}\n")
    summary = run_batch([folder], out, jobs=1, resume=True).set_index("run")
    assert (out / "a" / "manifest.json").stat().st_mtime_ns == stamp["a"]  # untouched
    assert (out / "b" / "manifest.json").stat().st_mtime_ns != stamp["b"]  # re-run: its inputs changed
    assert summary.loc["b", "inventory.gwp"] == "AR6" and summary.loc["a", "inventory.gwp"] == "AR5"


def test_dask_local_cluster_gives_the_same_files(tmp_path):
    pytest.importorskip("distributed")
    src = scenario(tmp_path / "s", "mc.yaml", MC)
    run_batch([src], tmp_path / "proc", jobs=2)
    run_batch([src], tmp_path / "dask", dask_local=2)
    assert snapshot(tmp_path / "proc") == snapshot(tmp_path / "dask")


def test_a_crash_while_writing_leaves_no_half_run_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    table = pd.DataFrame({"x": [1]})

    def boom(folder, output):
        (folder / "partial.csv").parent.mkdir(parents=True, exist_ok=True)
        (folder / "partial.csv").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(results, "write_stage", boom)
    with pytest.raises(OSError):
        results.write_run(out / "run", {"run": "run"}, {"inventory": results.StageOutput(tables={"t": table})})
    assert list(out.iterdir()) == []


def test_cli_inventory_csv_matches_the_run_folder(tmp_path, capsys):
    assert main(["inventory", str(MODEL), "--by", "sector", "--format", "csv"]) == 0
    printed = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    run_batch([scenario(tmp_path / "s", "b.yaml", "name: b\nmodel: MODEL\n")], tmp_path / "out", jobs=1)
    written = pd.read_csv(tmp_path / "out" / "b" / "inventory" / "by_sector.csv")
    pd.testing.assert_frame_equal(printed, written)
    # the table format names the factor set and GWP with the total
    assert main(["inventory", str(MODEL), "--factors", "ipcc2006", "--gwp", "AR6"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("factor set: ipcc2006") and "GWP: AR6" in text


def test_console_script_exit_code_and_no_traceback(tmp_path):
    bad = scenario(tmp_path, "bad.yaml", "name: bad\nmodel: MODEL\ninventory: {gwp: AR9}\n")
    proc = subprocess.run([sys.executable, "-m", "carbon.cli", "validate", str(bad)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "inventory.gwp" in proc.stderr


def test_scheduler_address_runs_on_an_existing_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    src = scenario(tmp_path / "s", "mc.yaml", MC)
    run_batch([src], tmp_path / "proc", jobs=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run_batch([src], tmp_path / "remote", scheduler=cluster.scheduler_address)
    assert snapshot(tmp_path / "proc") == snapshot(tmp_path / "remote")


def test_cli_reads_a_yearbook_energy_balance(tmp_path, capsys):
    path = tmp_path / "balance.csv"
    path.write_text("sector,category,raw_coal,electricity\n单位,,万吨,万千瓦时\n"
                    "industry,1.A.2,2,1000\nresidential,1.A.4.b,0.5,\n", encoding="utf-8")
    assert main(["inventory", str(path), "--year", "2020", "--by", "item", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    totals = {r["item"]: r["co2e_t"] for r in doc["totals"]}
    # electricity: 1e7 kWh = 10,000 MWh x 0.5366 t/MWh = 5366 t
    assert totals["electricity"] == pytest.approx(5366.0)
    # coal: 2.5e4 t x 20.908 GJ/t x 96.69 t/TJ x 0.94 / 1000 = 47,507.5 t CO2, + CH4 and N2O:
    # industry 2e4 t x 20.908 GJ/t = 418.16 TJ x (10 kg CH4 x 28 + 1.5 kg N2O x 265) / 1000;
    # residential 0.5e4 t = 104.54 TJ x (300 x 28 + 1.5 x 265) / 1000 (Tables 2.3 and 2.5)
    co2 = 2.5e4 * 20.908e-3 * 96.69 * 0.94
    other = 418.16 * (10 * 28 + 1.5 * 265) / 1000 + 104.54 * (300 * 28 + 1.5 * 265) / 1000
    assert totals["raw_coal"] == pytest.approx(co2 + other)
    assert doc["factor_set"] == "china" and doc["gwp"] == "AR5"
