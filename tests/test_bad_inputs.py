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
    # issue 11: inputs that crashed the engine
    "deep_yaml": ["validate", "deep_yaml.yaml"],
    "billion_laughs": ["validate", "billion_laughs.yaml"],
    "duplicate_key": ["validate", "duplicate_key.yaml"],
    "override_string": ["validate", "override_string.yaml"],
    "override_factor_list": ["validate", "override_factor_list.yaml"],
    "override_unit_bool": ["validate", "override_unit_bool.yaml"],
    "override_huge": ["validate", "override_huge.yaml"],
    "mac_not_numeric": ["market", "market_mac_not_numeric.yaml", "-o", "unused_out"],
    "mac_overflow": ["market", "market_mac_overflow.yaml", "-o", "unused_out"],
    "firms_folder": ["market", "market_firms_folder.yaml", "-o", "unused_out"],
    "extends_too_long": ["validate", "extends_too_long.yaml"],
    "year_overflow": ["inventory", "year_overflow.csv"],
    "year_1e30": ["inventory", "year_1e30.csv"],
    "uniform_infinite": ["validate", "uniform_infinite.yaml"],
    "output_is_file": ["run", "output_is_file.yaml", "-o", "a_file.txt", "--quiet"],
    "name_reserved": ["validate", "name_reserved.yaml"],
    "name_readme": ["validate", "name_readme.yaml"],
    "market_name_escape": ["validate", "market_name_escape.yaml"],
    "market_name_escape_cli": ["market", "market_name_escape.yaml", "-o", "unused_out"],
    "sweep_keys_collide": ["validate", "sweep_keys_collide.yaml"],
    "model_too_long": ["validate", "model_too_long.yaml"],
    "factors_file_too_long": ["validate", "factors_file_too_long.yaml"],
    "firms_too_long": ["market", "firms_too_long.yaml", "-o", "unused_out"],
    "huge_sweep": ["validate", "huge_sweep.yaml"],
    "samples_huge": ["validate", "samples_huge.yaml"],
    # issue 11: plausible mistakes that gave silently wrong results
    "gdp_growth_percent": ["validate", "gdp_growth_percent.yaml"],
    "grid_factor_g_per_kwh": ["validate", "grid_factor_g_per_kwh.yaml"],
    "grid_override_g_per_kwh": ["validate", "grid_override_g_per_kwh.yaml"],
    "carbon_price_negative": ["validate", "carbon_price_negative.yaml"],
    "carbon_price_beyond_horizon": ["validate", "carbon_price_beyond_horizon.yaml"],
    "activity_year_1820": ["inventory", "activity_year_1820.csv"],
    "activity_other_year": ["validate", "activity_other_year.yaml"],
    "coal_in_kwh": ["inventory", "coal_in_kwh.csv"],
    "energy_year_1990": ["energy", "../../../models/lankao", "--year", "1990", "--days", "1"],
    "market_without_market": ["market", "market_without_market.yaml", "-o", "unused_out"],
    "nested_typo": ["validate", "nested_typo.yaml"],
    "two_mistakes": ["validate", "two_mistakes.yaml"],
    # issue 15: project files of carbon assess
    "project_no_start_year": ["assess", "project_no_start_year.yaml", "--scenario", "unused.yaml", "-o", "unused_out"],
    "project_negative_energy": ["assess", "project_negative_energy.yaml", "--scenario", "unused.yaml", "-o",
                                "unused_out"],
    "project_unknown_sector": ["assess", "project_unknown_sector.yaml", "--scenario", "unused.yaml", "-o",
                               "unused_out"],
    "project_output_wrong_kind": ["assess", "project_output_wrong_kind.yaml", "--scenario", "unused.yaml", "-o",
                                  "unused_out"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_message(case, monkeypatch, capsys):
    monkeypatch.chdir(BAD)
    code = main(CASES[case])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "internal error" not in err
    assert err == (BAD / f"{case}.expected").read_text(encoding="utf-8")
    assert not (BAD / "unused_out").exists() and not (BAD / "unused").exists()


def test_every_case_has_its_expected_message_and_no_other():
    assert sorted(p.stem for p in BAD.glob("*.expected")) == sorted(CASES)
