"""``carbon market FILE``: end-to-end runs, atomic output, clear errors with exit code 2."""

from __future__ import annotations

import argparse
import filecmp
from pathlib import Path

import pandas as pd
import pytest

from carbon.cli.market import register
from carbon.errors import CarbonError, display_path
from carbon.market.loader import parse_markets, read_yaml
from carbon.stages.market import run_stage

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "market_example.yaml"

MARKET = """\
unit: tCO2
periods: [2021, 2022, 2023]
discount_rate: 0.05
firms:
  - {id: A, baseline: 100, mac: {slope: 1}, allocation: [80, 70, 60]}
  - {id: B, baseline: 100, mac: {slope: 2}, allocation: [80, 70, 60]}
"""


def run(argv: list[str], capsys=None) -> int:
    """What the CLI main does: parse, dispatch, turn a CarbonError into exit code 2."""
    parser = argparse.ArgumentParser(prog="carbon")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CarbonError as exc:
        print(f"error: {exc}")
        return 2


def test_market_file_writes_tables_and_summary(tmp_path, capsys):
    f = tmp_path / "m.yaml"
    f.write_text(MARKET)
    out = tmp_path / "out"
    assert run(["market", str(f), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "price, first period" in text and "wrote" in text
    for name in ("periods", "firms", "ledger", "balances"):
        assert (out / f"{name}.csv").exists()
    periods = pd.read_csv(out / "periods.csv")
    assert list(periods.columns[:14]) == [
        "period",
        "price",
        "emissions",
        "abatement",
        "offsets",
        "bank",
        "auction_sold",
        "auction_unsold",
        "ceiling_sold",
        "reserve_intake",
        "reserve_release",
        "reserve_holdings",
        "reserve_invalidated",
        "auction_revenue",
    ]
    firms = pd.read_csv(out / "firms.csv")
    for col in (
        "period",
        "firm",
        "allocation",
        "emissions",
        "abatement",
        "offsets",
        "obligation",
        "net_purchase",
        "abatement_cost",
        "compliance_cost",
        "bank",
    ):
        assert col in firms.columns
    # Hotelling: λ = 180 / (1.5 · 3.1525)
    assert periods["price"].iloc[0] == pytest.approx(180 / (1.5 * 3.1525), rel=1e-12)
    # a second run replaces the folder (atomically) and leaves no temporary folders behind
    assert run(["market", str(f), "-o", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.yaml", "out"]


def test_same_input_gives_identical_files(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(MARKET)
    assert run(["market", str(f), "-o", str(tmp_path / "a")]) == 0
    assert run(["market", str(f), "-o", str(tmp_path / "b")]) == 0
    for name in ("periods.csv", "firms.csv", "ledger.csv", "balances.csv", "summary.json"):
        assert filecmp.cmp(tmp_path / "a" / name, tmp_path / "b" / name, shallow=False)


def test_bundled_example_trades_carbon_and_energy_use_rights(tmp_path, capsys):
    out = tmp_path / "ex"
    assert run(["market", str(EXAMPLE), "-o", str(out)]) == 0
    carbon = pd.read_csv(out / "carbon" / "periods.csv")
    energy = pd.read_csv(out / "energy_use_rights" / "periods.csv")
    assert set(carbon["unit"]) == {"tCO2"} and set(energy["unit"]) == {"tce"}
    assert (carbon["price"] > 0).all() and (energy["price"] > 0).all()
    # CCER offsets never exceed 5 % of obligations
    assert (carbon["offsets"] <= 0.05 * carbon["obligation"] + 1e-6).all()
    data = read_yaml(EXAMPLE)
    assert data["model"] == "../models/lankao" and data["base_year"] == 2020
    stage = run_stage(parse_markets(data, file=EXAMPLE)["carbon"], EXAMPLE.parent)
    assert set(stage.tables) == {"periods", "firms", "ledger", "balances"}
    assert stage.summary["unit"] == "tCO2"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            MARKET.replace("baseline: 100, mac: {slope: 1}", "baseline: -100, mac: {slope: 1}"),
            "firms[0].baseline: baseline must not be negative",
        ),
        (
            MARKET.replace("periods: [2021, 2022, 2023]", "periods: [2021, 2023, 2022]"),
            "periods: periods must be strictly increasing",
        ),
        (
            MARKET + "offsets: {limit: 1.2}\n",
            "offsets.limit: the offset limit is a share in [0, 1]",
        ),
        (
            MARKET + "auction: {volume: 1, reserve_price: 90}\nceiling: {price: 50}\n",
            "the floor (auction reserve price) is above the ceiling",
        ),
        (MARKET + "allocation: {firms: {C: 10}}\n", "unknown firm 'C' in the allocation list"),
        (MARKET + "discount_rate: [\n", "YAML syntax error"),
        (
            MARKET.replace("allocation: [80, 70, 60]}\n  - {id: B", "allocation: [80, 70]}\n  - {id: B"),
            "a per-period list needs one value per period",
        ),
    ],
)
def test_bad_market_files_exit_with_code_2_and_one_message(tmp_path, capsys, text, message):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    assert run(["market", str(f), "-o", str(tmp_path / "out")]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"error: {display_path(f)}")  # relative when near the working folder
    assert message in out
    assert "Traceback" not in out
    assert not (tmp_path / "out").exists()


def test_missing_file_is_an_input_error(tmp_path, capsys):
    assert run(["market", str(tmp_path / "nope.yaml")]) == 2
    assert "file not found" in capsys.readouterr().out


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        run(["market", "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text and "--mode" in text and "--seed" in text


def test_agent_mode_from_the_command_line_is_reproducible(tmp_path, capsys):
    f = tmp_path / "m.yaml"
    f.write_text(MARKET + "agents: {rounds: 300, seed: 1, lot: 1}\n")
    for name in ("a", "b"):
        assert run(["market", str(f), "--mode", "agents", "--seed", "9", "-o", str(tmp_path / name)]) == 0
    for name in ("periods.csv", "firms.csv", "ledger.csv", "trades.csv", "summary.json"):
        assert filecmp.cmp(tmp_path / "a" / name, tmp_path / "b" / name, shallow=False)
    assert "efficiency" in capsys.readouterr().out
    assert run(["market", str(f), "--mode", "agents", "--seed", "10", "-o", str(tmp_path / "c")]) == 0
    assert not filecmp.cmp(tmp_path / "a" / "trades.csv", tmp_path / "c" / "trades.csv", shallow=False)
