"""Every broken input in tests/data/bad gives the exact message the user sees, exit code 2,
and no traceback. Each case's expected message is the file tests/data/bad/<case>.expected."""

from pathlib import Path

import pytest

from carbon.cli import main

BAD = Path(__file__).parent / "data" / "bad"

CASES = {
    "yaml_syntax": ["validate", "yaml_syntax.yaml"],
    "unknown_key": ["validate", "unknown_key.yaml"],
    "wrong_type": ["validate", "wrong_type.yaml"],
    "missing_model": ["validate", "missing_model.yaml"],
    "extends_cycle": ["validate", "extends_cycle_a.yaml"],
    "bad_gwp": ["validate", "bad_gwp.yaml"],
    "bad_distribution": ["validate", "bad_distribution.yaml"],
    "empty_sweep": ["validate", "empty_sweep.yaml"],
    "override_collision": ["validate", "override_collision.yaml"],
    "unknown_override": ["validate", "unknown_override.yaml"],
    "empty_scenario": ["validate", "empty_scenario.yaml"],
    "missing_file": ["run", "no_such_scenario.yaml", "-o", "unused", "--quiet"],
    "unknown_fuel": ["inventory", "unknown_fuel.csv"],
    "unknown_unit": ["inventory", "unknown_unit.csv"],
    "wrong_kind_unit": ["inventory", "wrong_kind_unit.csv"],
    "negative_quantity": ["inventory", "negative_quantity.csv"],
    "empty_table": ["inventory", "empty_table.csv"],
    "duplicate_rows": ["inventory", "duplicate_rows.csv"],
    "bad_category": ["inventory", "bad_category.csv"],
    "missing_column": ["inventory", "missing_column.csv"],
    "bad_year": ["inventory", "bad_year.csv"],
    "bad_factor_unit": ["inventory", "activity_ok.csv", "--factors-file", "bad_factor_unit.csv"],
    "factor_without_source": ["inventory", "activity_ok.csv", "--factors-file", "factor_without_source.csv"],
    "pathway_unknown_sector": ["validate", "pathway_unknown_sector.yaml"],
    "pathway_mix_sum": ["validate", "pathway_mix_sum.yaml"],
    "pathway_years_backwards": ["validate", "pathway_years_backwards.yaml"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_message(case, monkeypatch, capsys):
    monkeypatch.chdir(BAD)
    code = main(CASES[case])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (BAD / f"{case}.expected").read_text(encoding="utf-8")


def test_every_case_has_its_expected_message_and_no_other():
    assert sorted(p.stem for p in BAD.glob("*.expected")) == sorted(CASES)
