"""One first-order-decay loop (carbon/decay.py) behind the inventory's Tier 1 landfill factor and
the pathway's landfill methane, and the per-resident check of the base year before the
inventory's Monte Carlo draws. Hand numbers."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

import carbon.stages.inventory as inventory_stage
from carbon.cli import main
from carbon.decay import decomposed
from carbon.inventory import tier1
from carbon.pathway.landfill import generation

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lankao"
HALF = math.log(2.0)  # k = ln 2: half the stock decays each year, e^-k = 0.5


def test_decay_by_hand():
    # 100 t deposited in 2000, nothing after; decay starts the year after:
    # 2000: 0; A(2000) = 100 -> 2001: 100 x 0.5 = 50; A(2001) = 50 -> 2002: 25; 2003: 12.5
    out = decomposed({2000: 100.0}, [2000, 2001, 2002, 2003], HALF)
    assert out == pytest.approx({2000: 0.0, 2001: 50.0, 2002: 25.0, 2003: 12.5}, rel=1e-12)
    # steady state before 2000 at 100 t/yr: A(1999) = 100 / (1 - 0.5) = 200 -> 2000: 100 (= D, the
    # mass balance); A(2000) = 100 + 200 x 0.5 = 200 -> 2001: 100; A(2001) = 0 + 100 -> 2002: 50
    out = decomposed({2000: 100.0}, [2000, 2001, 2002], HALF, steady_before=True)
    assert out == pytest.approx({2000: 100.0, 2001: 100.0, 2002: 50.0}, rel=1e-12)
    # years before the first deposit decompose nothing
    assert decomposed({2005: 1.0}, [2003, 2004], 0.1) == {2003: 0.0, 2004: 0.0}


def test_inventory_and_pathway_use_the_one_loop():
    # Tier 1: 25 t of waste decomposed in 2002 (above) x DOC 0.138 x DOCf 0.5 x MCF 1 x F 0.5 x 16/12
    assert tier1.fod_ch4_t({2000: 100.0}, 2002, HALF) == pytest.approx(25 * 0.138 * 0.5 * 0.5 * 16 / 12, rel=1e-12)
    gen = generation({2000: 100.0}, [2001, 2002], HALF)
    assert list(gen) == pytest.approx([50.0, 25.0], rel=1e-12)
    for module in ("carbon/inventory/tier1.py", "carbon/pathway/landfill.py"):  # no second loop left
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While)) and "exp" in ast.unparse(n)], (
            module
        )
        assert "decomposed" in {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}


def test_per_resident_check_comes_before_the_draws(tmp_path, monkeypatch, capsys):
    # raw coal of industry in t where the model means 10^4 t: ~15,000 t CO2e per resident; the
    # inventory asks for 10^6 draws, which must never start (the draws would fail this test)
    def no_draws(*args, **kwargs):
        raise AssertionError("the Monte Carlo draws ran before the plausibility check")

    monkeypatch.setattr(inventory_stage, "approach2", no_draws)
    slip = tmp_path / "slip.yaml"
    slip.write_text(
        f"name: slip\nmodel: {MODEL}\ninventory: {{uncertainty: {{draws: 1000000}}}}\n"
        "overrides:\n  activity.industry.raw_coal.quantity: {scale: 10000}\n",
        encoding="utf-8",
    )
    assert main(["run", str(slip), "-o", str(tmp_path / "out"), "-q", "--jobs", "1"]) == 2  # 1 if drawn
    printed = capsys.readouterr()
    text = printed.out + printed.err  # the batch lists failed runs with their message
    assert "per resident" in text and "allow" in text
