"""Errors users can cause in the energy inputs: clear messages naming file, key, expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from carbon.energy import EnergySection, EnergySystem, load_system, with_changes
from carbon.energy.technologies import ATTRIBUTES, crf
from carbon.errors import InputError
from carbon.schema import validate
from carbon.stages.energy import run_stage

MODEL = Path(__file__).resolve().parents[1] / "models" / "lankao"


@pytest.fixture
def model(tmp_path) -> Path:
    target = tmp_path / "county"
    shutil.copytree(MODEL / "energy", target / "energy")
    return target


def _edit_technologies(model: Path, edit) -> None:
    path = model / "energy" / "technologies.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(table)
    table.to_csv(path, index=False)


def test_capital_recovery_factor():
    # crf(6 %, 20 yr) = 0.06 x 1.06^20 / (1.06^20 - 1) = 0.0871846
    assert crf(0.06, 20) == pytest.approx(0.0871846, rel=1e-6)
    assert crf(0.0, 25) == pytest.approx(0.04)


def test_bad_column_is_named_with_a_suggestion(model):
    def rename(t):
        t.columns = ["existing_mv" if c == "existing_mw" else c for c in t.columns]

    _edit_technologies(model, rename)
    with pytest.raises(InputError) as err:
        load_system(model)
    text = str(err.value)
    assert "technologies.csv" in text and "unknown column 'existing_mv'" in text
    assert "did you mean 'existing_mw'?" in text


def test_unknown_kind_negative_capacity_and_bad_number(model):
    def kind(t):
        t.loc[0, "kind"] = "generater"

    _edit_technologies(model, kind)
    with pytest.raises(InputError) as err:
        load_system(model)
    assert "row 2 (wind), column kind" in str(err.value) and "did you mean 'generator'?" in str(err.value)
    shutil.copy(MODEL / "energy" / "technologies.csv", model / "energy" / "technologies.csv")

    def negative(t):
        t.loc[2, "existing_mw"] = "-5"

    _edit_technologies(model, negative)
    with pytest.raises(InputError) as err:
        load_system(model)
    assert "negative existing_mw" in str(err.value) and "technology solar" in str(err.value)
    shutil.copy(MODEL / "energy" / "technologies.csv", model / "energy" / "technologies.csv")

    def text(t):
        t.loc[1, "capex_cny_per_kw"] = "cheap"

    _edit_technologies(model, text)
    with pytest.raises(InputError) as err:
        load_system(model)
    assert "row 3, column capex_cny_per_kw" in str(err.value) and "not a number" in str(err.value)


def test_missing_profile_column(model):
    def profile(t):
        t.loc[0, "profile"] = "wnd"

    _edit_technologies(model, profile)
    with pytest.raises(InputError) as err:
        load_system(model)
    text = str(err.value)
    assert "profile column 'wnd' not found" in text and "technology wind" in text
    assert "did you mean 'wind'?" in text


def test_missing_load_column_and_bad_profile_value(model):
    path = model / "energy" / "profiles.csv"
    frame = pd.read_csv(path)
    frame.rename(columns={"load_mw": "load"}).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_system(model)
    assert "column load_mw" in str(err.value)
    frame.loc[5, "solar"] = 1.5
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_system(model)
    assert "availability outside 0-1" in str(err.value)


def test_unknown_technology_in_override_and_unknown_settings_key():
    system = load_system(MODEL)
    with pytest.raises(InputError) as err:
        with_changes(system, technologies={"batery": {"capex_cny_per_kw": 1}})
    assert "unknown technology 'batery'" in str(err.value) and "did you mean 'battery'?" in str(err.value)
    with pytest.raises(InputError) as err:
        with_changes(system, settings={"discount_rte": 0.05})
    assert "unknown key 'discount_rte'" in str(err.value) and "did you mean 'discount_rate'?" in str(err.value)


def test_section_schema_rejects_typos_and_bad_values():
    with pytest.raises(InputError) as err:
        validate(EnergySection, {"carbon_prize": 100}, file="s.yaml", prefix="energy")
    assert "energy.carbon_prize" in str(err.value) and "did you mean 'carbon_price'?" in str(err.value)
    with pytest.raises(InputError) as err:
        validate(EnergySection, {"hours": 24, "days": 4}, file="s.yaml", prefix="energy")
    assert "either hours or days" in str(err.value)
    with pytest.raises(InputError) as err:
        validate(
            EnergySection,
            {"technologies": {"battery": {"existing_mw": -1}}},
            file="s.yaml",
            prefix="energy",
        )
    assert "energy.technologies.battery.existing_mw" in str(err.value)
    with pytest.raises(InputError):
        run_stage(EnergySection(technologies={"nuclear": {"existing_mw": 1}}), MODEL)


def test_attribute_table_documents_every_column():
    system = load_system(MODEL)
    assert set(system.technologies.columns) == set(ATTRIBUTES.index)
    assert ATTRIBUTES["description"].str.len().min() > 5


def test_in_memory_system_with_blank_cells():
    s = EnergySystem.from_frames([{"name": "g", "kind": "generator", "existing_mw": None}], {"load_mw": [1.0]})
    assert s.technologies.at["g", "existing_mw"] == 0.0
    assert s.technologies.at["g", "max_mw"] == float("inf")


def test_plain_rows_are_the_tables_own_dict_of_rows():
    # The checks and the model's inputs read the technologies as plain dicts; the fast
    # column-wise conversion must give exactly pandas' to_dict("index"): same keys in the same
    # order, same Python types, NaN where a cell is blank (annual_capex_cny_per_mw here).
    import math

    from carbon.energy.technologies import plain_rows

    table = with_changes(load_system(MODEL), technologies={"grid_import": {"co2_t_per_mwh": 0.5}}).technologies
    mine, theirs = plain_rows(table), table.to_dict("index")
    assert list(mine) == list(theirs) == list(table.index)
    assert mine["grid_import"]["co2_t_per_mwh"] == 0.5
    blanks = 0
    for name, row in theirs.items():
        assert list(mine[name]) == list(row)
        for column, value in row.items():
            got = mine[name][column]
            assert type(got) is type(value), (name, column)
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(got)
                blanks += 1
            else:
                assert got == value, (name, column)
    assert blanks > 0  # the comparison covered blank cells too


def test_every_constraint_is_documented():
    # Each constraint family of a model that uses every feature must have its equation in
    # docs/energy.md (and in its docstring): a new constraint without documentation fails here.
    import numpy as np
    import pyomo.environ as pyo

    from carbon.energy import EnergyProblem

    hours = 48
    techs = [
        {
            "name": "pv",
            "kind": "generator",
            "carrier": "solar",
            "expandable": True,
            "max_mw": 50,
            "profile": "sun",
            "min_load": 0.1,
        },
        {
            "name": "coal",
            "kind": "generator",
            "carrier": "coal",
            "existing_mw": 50,
            "vom_cny_per_mwh": 300,
            "co2_t_per_mwh": 1,
            "node": "b",
        },
        {"name": "store", "kind": "storage", "expandable": True, "energy_to_power_min": 1, "energy_to_power_max": 8},
    ]
    settings = {
        "hours_per_year": hours,
        "demand_response": {"shift_mw": 1},
        "min_renewable_share": 0.1,
        "reserve_margin": 0.1,
        "resolution": {"mode": "days", "days": 2},
    }
    profiles = {"load_mw": np.full(hours, 10.0), "sun": np.tile(np.r_[np.zeros(12), np.ones(12)], 2)}
    lines = [{"name": "ab", "from_node": "county", "to_node": "b", "capacity_mw": 100}]
    s = EnergySystem.from_frames(techs, profiles, settings, lines=lines)
    problem = EnergyProblem(s)
    names = {c.local_name for c in problem.model.component_objects(pyo.Constraint)}
    docs = (MODEL.parents[1] / "docs" / "energy.md").read_text(encoding="utf-8")
    assert len(names) >= 17
    for name in sorted(names):
        assert f"`{name}" in docs, f"constraint {name} is not documented in docs/energy.md"
