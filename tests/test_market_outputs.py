"""Large tables as Parquet, small ones as CSV; readers find either (carbon.results)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carbon import results
from carbon.cli import main
from carbon.errors import InputError
from carbon.results import open_run, read_table, table_format, write_run, write_table


def _frame(n):
    return pd.DataFrame(
        {
            "period": np.repeat([2021, 2022], n // 2),
            "firm": pd.Categorical(np.tile([f"f{i}" for i in range(n // 2)], 2)),
            "value": np.linspace(0.0, 1.0, n) / 3.0,
        }
    )


def test_a_large_table_is_parquet_and_reads_back_as_from_csv(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "LARGE_TABLE_ROWS", 10)
    frame = _frame(40)
    written = write_table(frame, tmp_path / "firms.csv")
    assert written == tmp_path / "firms.parquet" and not (tmp_path / "firms.csv").exists()
    back = read_table(tmp_path / "firms.csv")  # the .csv name finds the Parquet file
    expected = frame.assign(firm=frame["firm"].astype(str))
    pd.testing.assert_frame_equal(back, expected)  # floats exact, text as read_csv gives it
    # a small table stays CSV
    assert write_table(frame.head(10), tmp_path / "periods.csv") == tmp_path / "periods.csv"
    # --format csv: every table as CSV
    with table_format("csv"):
        assert write_table(frame, tmp_path / "all.csv") == tmp_path / "all.csv"
    with pytest.raises(InputError, match="unknown table format"), table_format("xlsx"):
        pass


def test_parquet_files_are_reproducible_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "LARGE_TABLE_ROWS", 10)
    a = write_table(_frame(40), tmp_path / "a" / "t.csv").read_bytes()
    b = write_table(_frame(40), tmp_path / "b" / "t.csv").read_bytes()
    assert a == b


def test_open_run_lists_and_reads_parquet_tables(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "LARGE_TABLE_ROWS", 10)
    out = results.StageOutput(tables={"firms": _frame(40), "periods": _frame(4)})
    write_run(tmp_path / "run", {"run": "r", "status": "ok"}, {"market": out})
    run = open_run(tmp_path / "run")
    assert run.tables("market") == ["firms", "periods"]
    assert (tmp_path / "run" / "market" / "firms.parquet").is_file()
    assert (tmp_path / "run" / "market" / "periods.csv").is_file()
    assert len(run.table("market", "firms")) == 40


def test_carbon_market_format_option(tmp_path, monkeypatch):
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "scenarios" / "market_example.yaml"
    monkeypatch.setattr(results, "LARGE_TABLE_ROWS", 20)  # periods: 10 rows; ledger: hundreds
    auto, csv = tmp_path / "auto", tmp_path / "csv"
    assert main(["market", str(example), "-o", str(auto)]) == 0
    assert (auto / "carbon" / "ledger.parquet").is_file() and (auto / "carbon" / "periods.csv").is_file()
    assert main(["market", str(example), "-o", str(csv), "--format", "csv"]) == 0
    assert (csv / "carbon" / "ledger.csv").is_file() and not (csv / "carbon" / "ledger.parquet").exists()
    pd.testing.assert_frame_equal(read_table(auto / "carbon" / "ledger.csv"), read_table(csv / "carbon" / "ledger.csv"))
