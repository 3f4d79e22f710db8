"""Scenario files: extends, validation messages, sweeps, samples, overrides."""

from pathlib import Path

import pytest

from carbon.errors import InputError
from carbon.model import apply_overrides, load_model
from carbon.scenario import expand, load

MODEL = Path(__file__).resolve().parents[1] / "models" / "lankao"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.replace("MODEL", str(MODEL)), encoding="utf-8")
    return path


def test_extends_chain_merges_recursively(tmp_path):
    write(tmp_path, "a.yaml", "name: a\nmodel: MODEL\ninventory: {factors: ipcc2006, gwp: AR4}\n")
    write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\ninventory: {gwp: AR6}\n")
    c = write(tmp_path, "c.yaml", "extends: b.yaml\ndescription: third\n")
    scenario = load(c)  # a typed, frozen Scenario now
    assert scenario.name == "c"  # names are never inherited; the file stem is the default
    assert scenario.inventory.factors == "ipcc2006" and scenario.inventory.gwp == "AR6"
    assert scenario.model == str(MODEL)


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "a.yaml", "name: a\nmodel: MODEL\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\n")
    with pytest.raises(InputError, match="extends cycle") as err:
        load(tmp_path / "a.yaml")
    assert err.value.found == "a.yaml -> b.yaml -> a.yaml"


def test_misspelt_key_gets_a_suggestion(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nmodel: MODEL\ninventroy: {gwp: AR5}\n")
    with pytest.raises(InputError) as err:
        load(path)
    assert err.value.key == "inventroy" and err.value.hint == "did you mean 'inventory'?"
    path = write(tmp_path, "t.yaml", "name: t\nmodel: MODEL\ninventory: {gwp: AR7}\n")
    with pytest.raises(InputError) as err:
        load(path)
    assert err.value.key == "inventory.gwp" and "'AR5'" in err.value.message


def test_sweep_is_a_cartesian_product_with_named_runs(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nmodel: MODEL\nsweep:\n  inventory.gwp: [AR4, AR5]\n"
                 "  activity.power.raw_coal.quantity: [10, 20.5, 30]\n")
    runs = expand(path)
    assert len(runs) == 6
    assert runs[0].name == "s__quantity=10__gwp=AR4"  # keys in sorted order
    assert runs[-1].scenario.inventory.gwp == "AR5"
    assert runs[-1].scenario.overrides == {"activity.power.raw_coal.quantity": 30}


def test_samples_are_reproducible_and_relative(tmp_path):
    text = ("name: mc\nmodel: MODEL\nsamples:\n  n: 5\n  seed: 3\n"
            "  activity.power.raw_coal.quantity: {dist: uniform, low: 0.9, high: 1.1, relative: true}\n")
    a, b = expand(write(tmp_path, "a.yaml", text)), expand(write(tmp_path, "b.yaml", text))
    assert [r.scenario.overrides for r in a] == [r.scenario.overrides for r in b]
    assert [r.name for r in a] == [f"mc__s{i:04d}" for i in range(5)]
    scale = a[2].scenario.overrides["activity.power.raw_coal.quantity"]["scale"]
    assert 0.9 <= scale <= 1.1
    model = apply_overrides(load_model(MODEL), a[2].scenario.overrides)
    coal = model.activity[(model.activity["sector"] == "power") & (model.activity["item"] == "raw_coal")]
    assert coal["quantity"].iloc[0] == pytest.approx(14.3 * scale)  # the model's 14.3 x 10^4 t scaled


def test_distribution_parameters_are_checked(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nmodel: MODEL\nsamples:\n  n: 2\n"
                 "  activity.power.raw_coal.quantity: {dist: normal, mean: 1}\n")
    with pytest.raises(InputError, match="takes exactly mean, sd"):
        load(path)


def test_override_collision_with_sweep_is_an_error(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nmodel: MODEL\noverrides: {activity.power.raw_coal.quantity: 1}\n"
                 "sweep: {activity.power.raw_coal.quantity: [1, 2]}\n")
    with pytest.raises(InputError, match="set both in overrides and in sweep"):
        load(path)


def test_override_with_category_and_errors():
    model = load_model(MODEL)
    changed = apply_overrides(model, {"activity.agriculture.swine@3.A.2.quantity": 1.0})
    act = changed.activity
    assert act[(act["item"] == "swine") & (act["category"] == "3.A.2")]["quantity"].iloc[0] == 1.0
    assert act[(act["item"] == "swine") & (act["category"] == "3.A.1")]["quantity"].iloc[0] == 420000
    with pytest.raises(InputError, match="several categories"):
        apply_overrides(model, {"activity.agriculture.swine.quantity": 1.0})
    with pytest.raises(InputError, match="matches no activity row") as err:
        apply_overrides(model, {"activity.power.raw_coel.quantity": 1.0})
    assert err.value.hint == "did you mean 'power.raw_coal'?"


def test_model_yaml_is_checked_by_its_schema(tmp_path):
    import shutil

    folder = tmp_path / "county"
    shutil.copytree(MODEL, folder)
    spec = (folder / "model.yaml").read_text(encoding="utf-8")
    (folder / "model.yaml").write_text(spec.replace("  activity:", "  activty:"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_model(folder)
    assert err.value.key == "inventory.activty" and "did you mean 'activity'" in str(err.value)
    (folder / "model.yaml").write_text(spec.replace("base_year: 2020", 'base_year: "2020"'), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_model(folder)
    assert err.value.key == "base_year"
    (folder / "model.yaml").write_text(spec, encoding="utf-8")
    assert load_model(folder).population == 777278  # as written, an integer


def test_a_kept_model_is_read_again_when_a_byte_of_its_files_changes(tmp_path):
    # load_model keeps the last models read (a Monte Carlo reads the same folder for every
    # sample); an edit that keeps the file's size, made within the file system's timestamp
    # resolution, must still be seen, and a caller changing its table must not change the next.
    import shutil

    folder = tmp_path / "county"
    shutil.copytree(MODEL, folder)
    first = load_model(folder)
    coal = (first.activity["item"] == "raw_coal") & (first.activity["sector"] == "power")
    assert first.activity.loc[coal, "quantity"].tolist() == [14.3]
    first.activity.loc[coal, "quantity"] = 0.0  # the caller's own copy
    again = load_model(folder)
    assert again.activity.loc[coal, "quantity"].tolist() == [14.3]
    assert again.activity is not first.activity
    text = (folder / "activity.csv").read_text(encoding="utf-8")
    assert "raw_coal,14.3,10^4 t" in text
    (folder / "activity.csv").write_text(text.replace("raw_coal,14.3,10^4 t", "raw_coal,17.3,10^4 t"), encoding="utf-8")
    edited = load_model(folder)  # same size, same second
    assert edited.activity.loc[coal, "quantity"].tolist() == [17.3]
    spec = (folder / "model.yaml").read_text(encoding="utf-8")
    (folder / "model.yaml").write_text(spec.replace("base_year: 2020", "base_year: 2021"), encoding="utf-8")
    assert load_model(folder).base_year == 2021
