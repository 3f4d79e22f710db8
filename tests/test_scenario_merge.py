"""How ``extends``, sweeps and samples merge: year-keyed paths year by year, ``!replace`` whole."""

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon.errors import InputError
from carbon.pathway.drivers import annual_rates
from carbon.scenario import expand, load_raw

MODEL = Path(__file__).resolve().parents[1] / "models" / "lankao"
BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.replace("MODEL", str(MODEL)).replace("BASELINE", str(BASELINE)), encoding="utf-8")
    return path


def mappings(value):
    """Every mapping inside ``value``, itself included."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from mappings(v)
    elif isinstance(value, list):
        for v in value:
            yield from mappings(v)


PARENT = """name: parent
model: MODEL
pathway:
  gdp: {growth: {2021-2025: 0.06, 2026-2030: 0.05, 2031-2060: 0.03}}
  grid_factor: {2020: 0.64, 2030: 0.54, 2060: 0.15}
  sectors:
    industry:
      intensity: -0.03
      mix:
        2030: {raw_coal: 0.34, coke: 0.02, natural_gas: 0.19, electricity: 0.45}
        2060: {raw_coal: 0.12, natural_gas: 0.22, electricity: 0.66}
energy:
  technologies:
    wind_new: {max_mw: 1500}
    solar_new: {max_mw: 2000}
"""


def test_child_year_replaces_that_year_and_keeps_the_parents_other_years(tmp_path):
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "name: child\nextends: parent.yaml\npathway:\n"
                  "  grid_factor: {2030: 0.50, 2040: 0.30}\n")
    data = load_raw(child)
    assert data["pathway"]["grid_factor"] == {2020: 0.64, 2030: 0.50, 2040: 0.30, 2060: 0.15}
    assert data["pathway"]["sectors"]["industry"]["mix"][2060]["electricity"] == 0.66  # untouched paths stay


def test_period_key_replaces_the_same_period_and_the_childs_periods_hold_where_they_overlap(tmp_path):
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "name: child\nextends: parent.yaml\npathway:\n"
                  "  gdp: {growth: {2026 - 2030: 0.04, 2041-2060: 0.02}}\n")
    growth = load_raw(child)["pathway"]["gdp"]["growth"]
    assert {k.replace(" ", ""): v for k, v in growth.items()} == {
        "2021-2025": 0.06, "2026-2030": 0.04, "2031-2060": 0.03, "2041-2060": 0.02}
    rates = annual_rates(growth, list(range(2021, 2061)))
    assert rates[2025] == 0.06 and rates[2028] == 0.04 and rates[2035] == 0.03
    assert rates[2050] == 0.02  # the child's period overlaps the parent's 2031-2060: the child's rate holds


def test_a_mix_at_one_year_is_replaced_whole_and_other_years_stay(tmp_path):
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "name: child\nextends: parent.yaml\npathway:\n  sectors:\n    industry:\n"
                  "      mix:\n        2030: {raw_coal: 0.20, natural_gas: 0.30, electricity: 0.50}\n")
    industry = load_raw(child)["pathway"]["sectors"]["industry"]
    assert industry["mix"] == {2030: {"raw_coal": 0.20, "natural_gas": 0.30, "electricity": 0.50},  # no parent coke
                               2060: {"raw_coal": 0.12, "natural_gas": 0.22, "electricity": 0.66}}
    assert industry["intensity"] == -0.03


def test_replace_tag_drops_the_parents_other_years(tmp_path):
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "name: child\nextends: parent.yaml\npathway:\n"
                  "  grid_factor: !replace {2030: 0.5}\n  sectors:\n    industry:\n      mix: !replace\n"
                  "        2060: {natural_gas: 0.1, electricity: 0.9}\n")
    pathway = load_raw(child)["pathway"]
    assert pathway["grid_factor"] == {2030: 0.5}
    assert pathway["sectors"]["industry"]["mix"] == {2060: {"natural_gas": 0.1, "electricity": 0.9}}
    assert pathway["sectors"]["industry"]["intensity"] == -0.03  # only the tagged mapping is replaced


def test_replace_tag_works_on_mappings_that_are_not_year_keyed(tmp_path):
    write(tmp_path, "parent.yaml", PARENT + "inventory: {factors: china, factors_file: mine.csv}\n")
    child = write(tmp_path, "child.yaml", "name: child\nextends: parent.yaml\nenergy:\n  technologies: !replace\n"
                  "    wind_new: {max_mw: 10}\ninventory: !replace {gwp: AR6, factors_file: other.csv}\n")
    data = load_raw(child)
    assert data["energy"]["technologies"] == {"wind_new": {"max_mw": 10}}
    assert data["inventory"] == {"gwp": "AR6", "factors_file": str((tmp_path / "other.csv").resolve())}
    plain = write(tmp_path, "plain.yaml", "name: plain\nextends: parent.yaml\nenergy:\n  technologies:\n"
                  "    wind_new: {max_mw: 10}\n")
    assert load_raw(plain)["energy"]["technologies"] == {"wind_new": {"max_mw": 10}, "solar_new": {"max_mw": 2000}}


def test_three_level_chain_merges_year_by_year_at_each_level(tmp_path):
    write(tmp_path, "a.yaml", PARENT)
    write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\npathway:\n  grid_factor: {2040: 0.3}\n  sectors:\n"
          "    industry:\n      mix: !replace\n        2050: {natural_gas: 0.5, electricity: 0.5}\n")
    c = write(tmp_path, "c.yaml", "name: c\nextends: b.yaml\npathway:\n  grid_factor: {2060: 0.1}\n  sectors:\n"
              "    industry:\n      mix:\n        2060: {electricity: 1.0}\n")
    data = load_raw(c)
    assert data["name"] == "c" and data["model"] == str(MODEL)
    assert data["pathway"]["grid_factor"] == {2020: 0.64, 2030: 0.54, 2040: 0.3, 2060: 0.1}
    assert data["pathway"]["sectors"]["industry"]["mix"] == {2050: {"natural_gas": 0.5, "electricity": 0.5},
                                                             2060: {"electricity": 1.0}}


def test_sweep_value_mapping_merges_into_the_path_by_year_unless_tagged(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nextends: BASELINE\nsweep:\n"
                 "  pathway.carbon_price: [{2030: 300}, !replace {2030: 100, 2060: 100}]\n"
                 "  pathway.grid_factor.2030: [0.5]\n")
    runs = expand(path)
    assert [r.name for r in runs] == ["s__carbon_price=_2030_300___grid_factor.2030=0.5",
                                      "s__carbon_price=_replace_2030_100_2060_100___grid_factor.2030=0.5"]
    merged, replaced = (r.scenario.as_data()["pathway"]["carbon_price"] for r in runs)
    assert merged == {"2020": 40, "2025": 70, "2030": 300, "2060": 200}  # baseline's other years stay
    assert replaced == {"2030": 100, "2060": 100}
    for run in runs:
        data = run.scenario.as_data()
        assert data["pathway"]["grid_factor"] == {"2030": 0.5, "2040": 0.42, "2050": 0.28, "2060": 0.15}
        assert "!replace" not in json.dumps(data)


def test_sample_on_one_year_sets_that_year_only(tmp_path):
    path = write(tmp_path, "mc.yaml", "name: mc\nextends: BASELINE\nsamples:\n  n: 3\n  seed: 1\n"
                 "  pathway.grid_factor.2030: {dist: uniform, low: 0.9, high: 1.1, relative: true}\n")
    for run in expand(path):
        data = run.scenario.as_data()
        grid, draw = data["pathway"]["grid_factor"], data["sample"]["values"]["pathway.grid_factor.2030"]
        assert grid == {"2030": pytest.approx(0.54 * draw), "2040": 0.42, "2050": 0.28, "2060": 0.15}


def test_the_replace_marker_never_leaks(tmp_path):
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "name: child\nextends: parent.yaml\npathway:\n"
                  "  grid_factor: !replace {2030: 0.5}\n"
                  "  sectors: {industry: {mix: !replace {2060: !replace {x: 1}}}}\n"
                  "energy: {technologies: {wind_new: !replace {max_mw: 1}}, extra: !replace {a: {b: 1}}}\n"
                  "sweep: {pathway.carbon_price: [!replace {2030: 1}, {2030: 2}]}\n")
    alone = write(tmp_path, "alone.yaml", "name: alone\nmodel: MODEL\n"
                  "pathway: !replace {grid_factor: !replace {2030: 1}}\n")
    for data in (load_raw(child), load_raw(alone)):
        json.dumps(data)
        assert all(type(m) is dict for m in mappings(data))


@pytest.mark.parametrize("value, kind", [("0.5", "a single value"), ("[0.5, 0.6]", "a list")])
def test_replace_on_a_scalar_or_a_list_is_an_input_error(tmp_path, value, kind):
    path = write(tmp_path, "bad.yaml", f"name: bad\nmodel: MODEL\npathway:\n  grid_factor: !replace {value}\n")
    with pytest.raises(InputError, match="!replace marks a mapping") as err:
        load_raw(path)
    assert err.value.file.endswith("bad.yaml")
    assert err.value.key == "line 4, column 16"
    assert kind in str(err.value.found)


years = st.integers(min_value=2020, max_value=2060)
floats = st.floats(allow_nan=False, allow_infinity=False)
paths = st.dictionaries(years, floats, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parent=paths, child=paths, tagged=st.booleans())
def test_property_year_keyed_paths_merge_by_year_or_replace_whole(tmp_path, parent, child, tagged):
    def flow(path: dict) -> str:
        return yaml.safe_dump(path, default_flow_style=True).strip()

    write(tmp_path, "p.yaml", f"name: p\nmodel: MODEL\npathway:\n  grid_factor: {flow(parent)}\n")
    child_file = write(tmp_path, "c.yaml", f"name: c\nextends: p.yaml\npathway:\n"
                       f"  grid_factor: {'!replace ' if tagged else ''}{flow(child)}\n")
    merged = load_raw(child_file)["pathway"]["grid_factor"]
    assert merged == (child if tagged else {**parent, **child})
    assert type(merged) is dict
