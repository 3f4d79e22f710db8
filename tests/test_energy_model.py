"""The default county model: pinned objective and size, the stage, the CLI and the
reproducible profiles.

Pinned numbers change only with the model's data or formulation; when they do, update them
here with a comment saying why (the log below).
- 2026-11-28: first version (issue 3).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbon.cli.energy import register
from carbon.energy import EnergySection, load_system, solve, with_changes
from carbon.energy.profiles import generate
from carbon.errors import InputError
from carbon.stages.energy import run_stage

MODEL = Path(__file__).resolve().parents[1] / "models" / "lankao"

# 24 representative days, chronological storage linking, settings.yaml defaults (no carbon price)
PINNED_24_DAYS = {"objective_cny": 631_329_502.71, "columns": 9_634, "rows": 5_733}
# all 8760 hours (run with CARBON_SLOW_TESTS=1, ~35 s; also printed by benchmarks/energy.py)
PINNED_8760 = {"objective_cny": 626_465_265.22, "columns": 140_165, "rows": 61_691}


def _days(k: int):
    return with_changes(load_system(MODEL), settings={"resolution": {"mode": "days", "days": k}})


def test_default_model_24_days_pinned():
    r = solve(_days(24))
    assert r.status == "optimal"
    assert r.objective_cny == pytest.approx(PINNED_24_DAYS["objective_cny"], rel=1e-6)
    assert r.size["columns"] == PINNED_24_DAYS["columns"]
    assert r.size["rows"] == PINNED_24_DAYS["rows"]
    # invariants: costs add up to the objective; load = supply; weights = 365 days
    assert r.costs.set_index("component").at["total", "cny"] == pytest.approx(r.objective_cny, rel=1e-9)
    assert r.dispatch["weight"].sum() == pytest.approx(8760)
    annual = load_system(MODEL).profiles["load_mw"].sum()  # 3.0 TWh up to rounding
    assert r.years.at[0, "load_mwh"] == pytest.approx(annual, rel=1e-9)


@pytest.mark.skipif(
    not os.environ.get("CARBON_SLOW_TESTS"),
    reason="8760-hour solve (~35 s): set CARBON_SLOW_TESTS=1",
)
def test_default_model_8760_hours_pinned():
    r = solve(load_system(MODEL))
    assert r.objective_cny == pytest.approx(PINNED_8760["objective_cny"], rel=1e-6)
    assert r.size["columns"] == PINNED_8760["columns"]
    assert r.size["rows"] == PINNED_8760["rows"]


def test_stage_returns_tables_and_json_summary(capfd):
    section = EnergySection(
        days=4,
        years=[2025, 2030],
        carbon_price={2025: 60, 2030: 120},
        demand_growth=0.03,
        mac_prices=[0, 200],
    )
    out = run_stage(section, MODEL)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""  # the stage is pure: it never prints
    assert set(out.tables) == {"capacity", "dispatch", "annual", "costs", "years", "mac_curve"}
    cap = out.tables["capacity"]
    assert list(cap.columns) == [
        "year",
        "technology",
        "existing_mw",
        "new_mw",
        "total_mw",
        "existing_mwh",
        "new_mwh",
        "total_mwh",
    ]
    assert sorted(cap["year"].unique()) == [2025, 2030]
    json.dumps(out.summary)
    json.dumps(out.documents)
    assert all(isinstance(v, (int, float, str, bool)) for v in out.summary.values())
    assert out.summary["status"] == "optimal"
    assert {"objective_cny", "local_co2_t", "co2_incl_imports_t", "co2_shadow_price_cny_per_t", "solve_s"} <= set(out.summary)
    mac = out.tables["mac_curve"]
    assert list(mac.columns[:3]) == ["year", "carbon_price_cny_per_t", "emissions_t"]
    for _, group in mac.groupby("year"):
        assert np.all(np.diff(group["emissions_t"]) <= 1e-6)  # higher price, no more emissions
    years = out.tables["years"].set_index("year")
    annual = load_system(MODEL).profiles["load_mw"].sum()
    # The section leaves base_year blank, which now means the model's base year (2020 for
    # models/lankao, whose profiles are end-2020), not 2025 as before: 2030 is 10 years of
    # 3 % growth on the profile (was annual * 1.03**5 with the old implicit base 2025).
    assert years.at[2030, "load_mwh"] == pytest.approx(annual * 1.03**10, rel=1e-9)


def _parse(argv):
    parser = argparse.ArgumentParser(prog="carbon")
    register(parser.add_subparsers())
    return parser.parse_args(argv)


def test_cli_prints_summary_and_writes_tables(tmp_path, capsys):
    out = tmp_path / "energy"
    args = _parse(
        [
            "energy",
            str(MODEL),
            "--days",
            "4",
            "--carbon-price",
            "100",
            "--mac",
            "0,100",
            "-o",
            str(out),
        ]
    )
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "status optimal" in text and "battery" in text and "carbon price CNY/t" in text
    capacity = pd.read_csv(out / "capacity.csv")
    assert "total_mw" in capacity.columns
    assert (out / "dispatch.csv").exists() and (out / "mac_curve.csv").exists()
    # writing again replaces the files in place (no temporary folders left behind)
    assert args.func(args) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["energy"]


def test_cli_errors_are_carbon_errors():
    args = _parse(["energy", "no/such/model", "--days", "2"])
    with pytest.raises(InputError) as err:
        args.func(args)
    assert "model not found" in str(err.value)
    args = _parse(["energy", str(MODEL), "--days", "2", "--mac", "a,b"])
    with pytest.raises(InputError):
        args.func(args)


def test_profiles_are_reproducible_and_match_the_committed_file():
    frame = generate()
    committed = pd.read_csv(MODEL / "energy" / "profiles.csv")
    pd.testing.assert_frame_equal(frame, committed, check_dtype=False)
    assert len(frame) == 8760
    assert frame["load_mw"].sum() == pytest.approx(3.0e6, rel=1e-5)
    assert frame["load_mw"].max() == pytest.approx(580, abs=0.01)
    assert frame["solar"].mean() == pytest.approx(0.13, abs=5e-4)
    assert frame["wind"].mean() == pytest.approx(0.24, abs=5e-4)
    # the sun is down at midnight and up at noon every day
    assert frame["solar"].iloc[0::24].max() == 0
    assert frame["tou_price_cny_per_mwh"].iloc[17] == pytest.approx(450 * 1.69)
    assert frame["tou_price_cny_per_mwh"].iloc[3] == pytest.approx(450 * 0.46)
    assert (MODEL / "energy" / "profiles.csv").stat().st_size < 2_000_000


def test_cli_arguments_become_an_energy_section():
    from carbon.cli.energy import section_from_args

    args = _parse(
        [
            "energy",
            "lankao",
            "--year",
            "2040",
            "--days",
            "6",
            "--demand-growth",
            "0.02",
            "--co2-cap",
            "5e5",
            "--solver",
            "simplex",
        ]
    )
    section = section_from_args(args)
    # no --base-year: the section leaves it blank (None) and the run resolves it to the model's
    # base year, 2020 for models/lankao (the old CLI default was 2025)
    assert section.years == [2040] and section.base_year is None
    from carbon.stages.energy import resolve_energy_only

    assert resolve_energy_only(section, MODEL).base_year == 2020
    assert section.days == 6 and section.co2_cap == 5e5 and section.demand_growth == 0.02
    assert section.solver_options == {"solver": "simplex"}
    args = _parse(
        ["energy", "lankao", "--years", "2025", "2030", "--foresight", "perfect", "--hours", "48", "--cyclic-days"]
    )
    section = section_from_args(args)
    assert section.years == [2025, 2030] and section.foresight == "perfect"
    assert section.hours == 48 and section.storage_linking == "cyclic"
