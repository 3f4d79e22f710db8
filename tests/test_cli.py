"""The command line as a whole: one package, no tracebacks (internal error: one line, exit 1;
--debug for the traceback), logging switches, and the batch summary driven by the stages' key
figures (any years, missing columns, failed runs)."""

from __future__ import annotations

import logging
import math
import subprocess
import sys

import pandas as pd
import pytest

from carbon.cli import build_parser, main
from carbon.cli.run import format_summary
from carbon.errors import InputError

NAN = math.nan


def _boom(args):
    raise ZeroDivisionError("float division\nby zero")


def _bad_input(args):
    raise InputError("bad thing", key="x.y", expected="good", found="bad")




@pytest.fixture
def doctor_is(monkeypatch):
    """Make ``carbon doctor`` call ``func`` instead (a command that crashes on purpose)."""

    def use(func):
        from carbon.cli import doctor

        monkeypatch.setattr(doctor, "_cmd_doctor", func)

    return use


def test_every_command_is_registered():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == {"run", "validate", "init", "list", "show", "inventory", "energy", "market", "plot",
                                "report", "compare", "doctor", "assess", "accounts", "explore"}


def test_internal_error_is_one_line_and_exit_1(doctor_is, capsys):
    doctor_is(_boom)
    assert main(["doctor"]) == 1
    err = capsys.readouterr().err
    assert err == ("internal error: ZeroDivisionError: float division by zero "
                   "(rerun with --debug for the traceback)\n")


@pytest.mark.parametrize("argv", [["--debug", "doctor"], ["doctor", "--debug"]])
def test_debug_prints_the_traceback(doctor_is, capsys, argv):
    doctor_is(_boom)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError" in err and "_boom" in err


def test_carbon_error_is_still_exit_2_with_its_message(doctor_is, capsys):
    doctor_is(_bad_input)
    assert main(["doctor"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: x.y: bad thing") and "Traceback" not in err


@pytest.mark.parametrize("argv, level", [(["doctor"], logging.WARNING), (["-v", "doctor"], logging.INFO),
                                         (["doctor", "--verbose"], logging.INFO),
                                         (["--debug", "doctor"], logging.DEBUG)])
def test_verbose_and_debug_set_the_carbon_logger(doctor_is, capsys, argv, level):
    def log(args):
        logging.getLogger("carbon.test").info("hello %s", "info")
        logging.getLogger("carbon.test").debug("hello debug")
        return 0

    doctor_is(log)
    assert main(argv) == 0
    assert logging.getLogger("carbon").level == level
    err = capsys.readouterr().err
    assert ("INFO carbon.test: hello info" in err) == (level <= logging.INFO)
    assert ("DEBUG carbon.test: hello debug" in err) == (level <= logging.DEBUG)


def test_help_does_not_import_the_engine():
    code = ("import sys; from carbon.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('pandas', 'numpy', 'pyomo.environ', 'matplotlib', 'pydantic') "
            "if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def _summary(**columns) -> pd.DataFrame:
    base = {"run": ["a", "b"], "status": ["ok", "ok"]}
    return pd.DataFrame({**base, **columns})


def test_summary_shows_the_years_the_pathway_reports():
    frame = _summary(**{
        "pathway.scope12_peak_year": [2028, NAN],
        "pathway.scope12_status": ["peaked", "not_peaked"],
        "pathway.scope12_peak_co2e_t": [2.5e6, 3.1e6],
        "pathway.co2e_t_scope12_2035": [2.0e6, 3.1e6],
        "pathway.co2e_t_scope12_2030": [2.4e6, 3.0e6],
        "pathway.targets_met": ["3/4", "1/4"],
    })
    text = format_summary(frame)
    header = text.splitlines()[1]
    assert "2030" in header and "2035" in header and "2060" not in text and "t CO2e x 10^4" in text
    assert header.index("2030") < header.index("2035")
    assert "200.0" in text and "310.0" in text  # 2.0e6 t = 200 x 10^4 t; 3.1e6 t
    assert "targets failed" not in text and "verdict" not in text


def test_summary_shows_verdicts_and_failed_targets_when_present():
    frame = _summary(**{
        "pathway.scope12_peak_year": [2028, 2033],
        "pathway.scope12_status": ["peaked", "peaked"],
        "pathway.scope12_peak_co2e_t": [2.5e6, 3.1e6],
        "pathway.co2e_t_scope12_2040": [2.0e6, 3.0e6],
        "pathway.targets_met": ["4/4", "2/4"],
        "pathway.targets_failed": [NAN, "peak_by;carbon_intensity"],
        "pathway.verdict": ["Peaks in 2028, every target met.", "Peaks in 2033, three years late."],
    })
    text = format_summary(frame)
    assert "targets failed:\n- b: peak by, carbon intensity" in text
    assert "- a: Peaks in 2028, every target met." in text and "- b: Peaks in 2033, three years late." in text


def test_summary_never_crashes_on_missing_columns_or_failed_runs():
    frame = pd.DataFrame({
        "run": ["good", "broken"],
        "status": ["ok", "failed"],
        "pathway.scope12_status": ["peaked", NAN],
        "pathway.scope12_peak_year": [2030.0, NAN],
        "error": [NAN, "internal error: KeyError: 'x'"],
        "kind": [NAN, "internal"],
    })
    text = format_summary(frame)
    assert "good" in text and "failed runs:\n- broken: internal error: KeyError: 'x'" in text
    # a failed run alone: NaN everywhere, no pathway block
    assert "broken" in format_summary(frame.iloc[[1]])
    # only a run column
    assert format_summary(pd.DataFrame({"run": ["x"]}))


def test_monte_carlo_line_uses_the_samples_peak_by_or_2030():
    rows = {
        "run": [f"mc__s{i:04d}" for i in range(4)],
        "status": ["ok", "ok", "ok", "failed"],
        "pathway.scope12_status": ["peaked", "peaked", "not_peaked", NAN],
        "pathway.scope12_peak_year": [2028, 2033, NAN, NAN],
    }
    text = format_summary(pd.DataFrame(rows))
    assert "3/4 samples ok, P(peak <= 2030) = 0.25" in text
    text = format_summary(pd.DataFrame({**rows, "pathway.peak_by": [2035, 2035, 2035, NAN]}))
    assert "P(peak <= 2035) = 0.50" in text
    # a declining sample has peaked (in its base year) and a plateau has not, as in the aggregate:
    # peaked 2028 + declining 2020 = 2 of 4 samples by 2030
    rows["pathway.scope12_status"] = ["peaked", "plateau", "declining", NAN]
    rows["pathway.scope12_peak_year"] = [2028, 2025, 2020, NAN]
    assert "3/4 samples ok, P(peak <= 2030) = 0.50" in format_summary(pd.DataFrame(rows))
    assert "3/4 个样本成功, P(达峰年份 <= 2030) = 0.50" in format_summary(pd.DataFrame(rows), lang="zh")


def test_inventory_runs_and_market_prices():
    frame = pd.DataFrame({
        "run": ["inv"], "status": ["ok"], "inventory.factor_set": ["china"], "inventory.gwp": ["AR5"],
        "inventory.co2e_t": [1.0e6], "market.price_first_cny_per_tco2": [40.0],
    })
    text = format_summary(frame)
    assert "inventories (base year):" in text and "100.00" in text and "40.0-" in text
    assert "factor sets: china; GWP: AR5 (100-year)" in text


def _files(folder) -> dict[str, object]:
    """Every file of a results folder by path: text, JSON without timings (keys ending ``_s``)."""
    import json
    from pathlib import Path

    def untimed(value):
        if isinstance(value, dict):
            return {k: untimed(v) for k, v in value.items() if not k.endswith("_s") and k != "git_commit"}
        return value

    out: dict[str, object] = {}
    for path in sorted(Path(folder).rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_dir() or name == "summary.csv":  # its timing columns differ
            continue
        out[name] = untimed(json.loads(path.read_text())) if path.suffix == ".json" else path.read_bytes()
    return out


def test_the_command_line_and_pandas_default_text_storage_write_the_same_files(tmp_path, root):
    """The command line keeps text columns as Python strings; the Python API in a fresh process
    keeps pandas' default (Arrow with pandas 3): the same run folders, byte for byte."""
    scenarios = [str(root / "scenarios" / "baseline.yaml"), str(root / "scenarios" / "market_example.yaml")]
    assert main(["run", *scenarios, "-o", str(tmp_path / "cli"), "-q", "--jobs", "1"]) == 0
    code = (
        "import sys, pandas as pd, carbon\n"
        "print(pd.Series(['a']).dtype.storage)\n"
        "carbon.run_batch(sys.argv[1:-1], sys.argv[-1], jobs=1)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *scenarios, str(tmp_path / "api")], capture_output=True, text=True, check=True
    )
    if int(pd.__version__.split(".")[0]) >= 3:  # the API's side really kept the other storage
        assert done.stdout.split()[0] == "pyarrow"
    cli, api = _files(tmp_path / "cli"), _files(tmp_path / "api")
    assert sorted(cli) == sorted(api) and len(cli) > 40
    assert [name for name in cli if cli[name] != api[name]] == []
