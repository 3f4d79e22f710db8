"""The public readers of run folders (``carbon.open_run``, ``carbon.open_batch``): what
``carbon.results.write_run`` writes reads back equal, and the errors name the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import carbon
from carbon.errors import InputError
from carbon.results import BatchResult, RunResult, StageOutput, open_batch, open_run, write_run, write_text_atomic


def annual(start: int, end: int, level: float) -> pd.DataFrame:
    years = list(range(start, end + 1))
    return pd.DataFrame({"year": years, "co2e_t_scope1": [level * 0.8] * len(years),
                         "co2e_t_scope12": [level + i for i in range(len(years))]})


def write_tiny_run(folder, name: str = "tiny", *, status: str = "ok", pathway: bool = True):
    outputs = {"inventory": StageOutput(tables={"by_sector": pd.DataFrame({"sector": ["industry", "households"],
                                                                           "co2e_t": [1234.5, 0.125]})},
                                        summary={"co2e_t": 1234.625})}
    if pathway:
        outputs["pathway"] = StageOutput(tables={"annual": annual(2020, 2023, 100.0)},
                                         documents={"peak": {"scope12": {"peak_year": 2023}}})
    manifest = {"run": name, "status": status, "scenario": {"name": name, "model": "m", "base_year": 2020},
                "summary": {stage: out.summary for stage, out in outputs.items()}}
    return write_run(folder / name, manifest, outputs if status == "ok" else {})


def test_a_written_run_reads_back_equal(tmp_path):
    run = open_run(write_tiny_run(tmp_path))
    assert isinstance(run, RunResult)
    assert run.name == "tiny" and run.status == "ok" and run.ok and run.path == tmp_path / "tiny"
    assert run.scenario == {"name": "tiny", "model": "m", "base_year": 2020}
    assert run.manifest["summary"]["inventory"]["co2e_t"] == 1234.625
    assert run.decisions.empty
    assert run.stages == ["inventory", "pathway"]
    assert run.tables("inventory") == ["by_sector"] and run.tables("energy") == []
    table = run.table("inventory", "by_sector")
    pd.testing.assert_frame_equal(table, pd.DataFrame({"sector": ["industry", "households"],
                                                       "co2e_t": [1234.5, 0.125]}))
    assert run.table("inventory", "by_sector") is table  # cached
    pd.testing.assert_frame_equal(run.table("pathway", "annual"), annual(2020, 2023, 100.0))
    assert run.document("pathway", "peak") == {"scope12": {"peak_year": 2023}}


def test_decisions_are_read_when_the_run_has_them(tmp_path):
    folder = write_tiny_run(tmp_path)
    write_text_atomic(folder / "decisions.csv", "quantity,value,source\ncarbon_price,50,market\n")
    decisions = open_run(folder).decisions
    assert decisions.to_dict("records") == [{"quantity": "carbon_price", "value": 50, "source": "market"}]


def test_a_missing_table_names_the_file_and_the_tables_there_are(tmp_path):
    run = open_run(write_tiny_run(tmp_path))
    with pytest.raises(InputError) as err:
        run.table("inventory", "by_gas")
    text = str(err.value)
    assert "by_gas.csv" in text and "by_sector" in text and "absent" in text
    with pytest.raises(InputError) as err:
        run.table("energy", "capacity")
    assert "capacity.csv" in str(err.value) and "inventory, pathway" in str(err.value)
    with pytest.raises(InputError, match="peek.json"):
        run.document("pathway", "peek")


def test_a_folder_without_manifest_is_not_a_run_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "empty", tmp_path / "nowhere"):
        with pytest.raises(InputError) as err:
            open_run(path)
        assert "not a run folder" in str(err.value) and "a folder written by carbon run" in str(err.value)
    with pytest.raises(InputError, match="not a batch folder"):
        open_batch(tmp_path / "empty")


def test_a_batch_gives_every_ok_runs_indicators(tmp_path):
    write_tiny_run(tmp_path, "a")
    write_tiny_run(tmp_path, "b")
    write_tiny_run(tmp_path, "inventory_only", pathway=False)
    write_tiny_run(tmp_path, "broken", status="failed")
    summary = pd.DataFrame({"run": ["a", "b", "broken", "inventory_only"], "status": ["ok", "ok", "failed", "ok"]})
    write_text_atomic(tmp_path / "summary.csv", summary.to_csv(index=False))
    batch = open_batch(tmp_path)
    assert isinstance(batch, BatchResult)
    assert batch.runs == ["a", "b", "broken", "inventory_only"]
    pd.testing.assert_frame_equal(batch.summary, summary)
    assert batch.run("b").name == "b" and batch.run("broken").status == "failed"
    with pytest.raises(InputError, match="no such run"):
        batch.run("c")
    frame = batch.indicators()
    assert list(frame.columns[:4]) == ["run", "year", "view", "co2e_t"]
    assert frame.groupby("run")["year"].apply(list).to_dict() == {"a": [2020, 2021, 2022, 2023],
                                                                   "b": [2020, 2021, 2022, 2023]}
    assert (frame["co2e_t"] == frame["co2e_t_scope12"]).all()
    scope1 = batch.indicators("scope1")
    assert (scope1["co2e_t"] == 80.0).all() and set(scope1["view"]) == {"scope1"}
    with pytest.raises(InputError, match="unknown view"):
        batch.indicators("scope3")


def test_a_monte_carlo_aggregate_is_not_a_run(tmp_path):
    write_tiny_run(tmp_path, "mc__s0000")
    from carbon.results import write_folder

    write_folder(tmp_path / "mc", {"": StageOutput(tables={"bands": pd.DataFrame({"year": [2020]})})},
                 {"manifest": {"kind": "monte_carlo", "scenario": "mc"}})
    assert open_batch(tmp_path).runs == ["mc__s0000"]


def test_the_readers_are_exported_lazily():
    assert carbon.open_run is open_run and carbon.open_batch is open_batch
    assert {"open_run", "open_batch"} <= set(carbon.__all__)
    code = "import sys, carbon; print('pandas' in sys.modules, 'carbon.results' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "False"]


def test_carbon_run_format_csv_writes_every_table_as_csv(tmp_path, monkeypatch):
    from carbon import results
    from carbon.cli import main

    model = Path(__file__).resolve().parents[1] / "models" / "lankao"
    (tmp_path / "s.yaml").write_text(f"name: s\nmodel: {model}\ninventory: {{uncertainty: {{draws: 0}}}}\n")
    monkeypatch.setattr(results, "LARGE_TABLE_ROWS", 10)  # the inventory's emission table becomes large
    assert main(["run", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "auto"), "-q", "--jobs", "1"]) == 0
    assert (tmp_path / "auto" / "s" / "inventory" / "emissions.parquet").is_file()
    assert main(["run", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "csv"), "-q", "--jobs", "1",
                 "--format", "csv"]) == 0
    run = tmp_path / "csv" / "s"
    assert not list(run.rglob("*.parquet")) and (run / "inventory" / "emissions.csv").is_file()
    auto = results.open_run(tmp_path / "auto" / "s").table("inventory", "emissions")
    csv = results.open_run(run).table("inventory", "emissions")
    assert auto["co2e_t"].sum() == pytest.approx(csv["co2e_t"].sum(), rel=1e-12)
