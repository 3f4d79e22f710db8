"""Issue 11: names cannot escape or clobber the output folder, YAML bombs are refused quickly,
``--resume`` re-runs when a file outside the model changes, and writes fail cleanly."""

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from carbon import results
from carbon.cli import main
from carbon.errors import InputError
from carbon.files import SAFE_NAME, check_name
from carbon.model import read_yaml
from carbon.runner import load_batch, run_batch
from carbon.scenario import expand

ROOT = Path(__file__).parents[1]
MODEL = ROOT / "models" / "lankao"
BAD = Path(__file__).parent / "data" / "bad"
NO_DRAWS = "inventory: {uncertainty: {draws: 0}}\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text.replace("MODEL", str(MODEL)), encoding="utf-8")
    return path


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# --- names: nothing escapes, nothing clobbers ---------------------------------------------------

@pytest.mark.parametrize("name", ["../x", "../../x", "/tmp/x", "a/b", "..", "a..b", ".hidden", "summary.csv",
                                  "README.md", "readme.MD", "figures", "", "x" * 201, "a\\b", "a b"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(InputError):
        check_name(name)


def test_a_market_named_to_escape_is_refused_and_writes_nothing(tmp_path, capsys):
    src = write(tmp_path / "s", "m.yaml", "name: m\nmodel: MODEL\nmarkets:\n  /tmp/escape_abs:\n    unit: tCO2\n"
                "    periods: [2021]\n    firms: [{id: f, baseline: 100, allocation: 90, mac: {slope: 0.01}}]\n")
    before = files_under(tmp_path)
    assert main(["validate", str(src)]) == 2
    assert main(["market", str(src), "-o", str(tmp_path / "out" / "m")]) == 2
    assert main(["run", str(src), "-o", str(tmp_path / "out"), "--quiet", "-j", "1"]) == 2
    err = capsys.readouterr().err
    assert "market name" in err and "Traceback" not in err
    assert not Path("/tmp/escape_abs").exists()
    assert files_under(tmp_path) - before <= {"out", "out/summary.csv"}


def test_write_folder_refuses_a_stage_outside_the_folder(tmp_path):
    out = tmp_path / "results" / "run"
    with pytest.raises(InputError, match="leave the output folder"):
        results.write_folder(out, {"../../escaped": results.StageOutput(documents={"x": {}})})
    assert not (tmp_path / "escaped").exists()
    assert [p.name for p in (tmp_path / "results").iterdir()] == []  # the temporary folder is gone too


def test_two_sweep_keys_with_the_same_last_part_stay_inside_the_results(tmp_path):
    """The two keys collide on ``quantity``, so run names carry the whole keys: one of them
    holds ``/../../../`` and must neither name a folder outside nor replace one."""
    victim = tmp_path / "x"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    src = write(tmp_path / "s" / "a" / "b", "collide.yaml", "name: collide\nmodel: MODEL\n" + NO_DRAWS +
                "sweep:\n  activity.power/../../../x.quantity: [1]\n  activity.power.raw_coal.quantity: [2, 3]\n")
    names = [s.name for s in expand(src)]
    assert len(names) == 2 and all(SAFE_NAME.match(n) and ".." not in n for n in names)
    out = tmp_path / "s" / "a" / "b" / "results"
    code = main(["run", str(src), "-o", str(out), "--quiet", "-j", "1"])
    assert code == 2  # the key matches no activity row: every run fails, cleanly
    assert (victim / "keep.txt").read_text() == "precious"
    assert {p.name for p in out.iterdir()} == {*names, "summary.csv"}


def test_sample_and_sweep_names_are_safe_folder_names(tmp_path):
    src = write(tmp_path, "mc.yaml", "name: mc\nmodel: MODEL\n" + NO_DRAWS + "sweep:\n  activity.power.raw_coal.unit: [10^4 t, 't/../../x']\n"
                "samples:\n  n: 3\n  activity.power.raw_coal.quantity: {dist: uniform, low: 0.9, high: 1.1, relative: true}\n")
    names = [s.name for s in expand(src)]
    assert len(names) == 6 and all(SAFE_NAME.match(n) and ".." not in n for n in names)


def test_a_plain_run_named_like_a_monte_carlo_scenario_is_an_input_error(tmp_path):
    mc = write(tmp_path, "mc.yaml", "name: mc\nmodel: MODEL\n" + NO_DRAWS +
               "samples:\n  n: 2\n  activity.power.raw_coal.quantity: {dist: uniform, low: 0.9, high: 1.1, relative: true}\n")
    plain = write(tmp_path, "plain.yaml", "name: mc\nmodel: MODEL\n" + NO_DRAWS)
    specs, failed = load_batch([mc, plain])
    assert [s.name for s in specs] == ["mc__s0000", "mc__s0001"]
    assert len(failed) == 1 and "Monte Carlo aggregate folder" in failed[0]["error"]
    sample_like = write(tmp_path / "other", "s.yaml", "name: mc__s0001\nmodel: MODEL\n")
    with pytest.raises(InputError, match="Monte Carlo samples"):
        expand(sample_like)


def test_two_runs_of_one_folder_are_an_input_error(tmp_path):
    a = write(tmp_path / "a", "x.yaml", "name: same\nmodel: MODEL\n" + NO_DRAWS)
    b = write(tmp_path / "b", "x.yaml", "name: SAME\nmodel: MODEL\n" + NO_DRAWS)
    specs, failed = load_batch([a, b])
    assert len(specs) == 1 and len(failed) == 1 and "already used" in failed[0]["error"]


def test_an_output_folder_of_other_files_is_never_replaced(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    assert main(["market", str(ROOT / "scenarios" / "market_example.yaml"), "-o", str(mine)]) == 2
    assert "not written by carbon" in capsys.readouterr().err
    assert (mine / "thesis.docx").read_text() == "years of work"


# --- YAML bombs ---------------------------------------------------------------------------------

def test_billion_laughs_is_refused_within_a_second_and_a_few_mb():
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(InputError, match="too large once its aliases are expanded"):
        read_yaml(BAD / "billion_laughs.yaml")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5e6


def test_moderate_aliases_still_load(tmp_path):
    path = write(tmp_path, "ok.yaml", "base: &b {x: 1, y: [1, 2, 3]}\nfirst: *b\nsecond: *b\n")
    assert read_yaml(path)["second"] == {"x": 1, "y": [1, 2, 3]}


# --- resume that cannot lie, and clean-up -------------------------------------------------------

MARKET = """name: mkt
model: MODEL
inventory: {uncertainty: {draws: 0}}
market:
  unit: tCO2
  periods: [2021, 2022]
  firms: firms.csv
"""


def test_resume_reruns_when_a_firms_csv_changes(tmp_path):
    folder = tmp_path / "s"
    src = write(folder, "mkt.yaml", MARKET)
    firms = folder / "firms.csv"
    firms.write_text("id,baseline,allocation,mac_slope\na,1000,900,0.01\nb,2000,1900,0.02\n")
    out = tmp_path / "out"
    first = run_batch([src], out, jobs=1)
    assert first.loc[0, "status"] == "ok", first.loc[0, "error"]
    manifest = out / "mkt" / "manifest.json"
    hash_1 = json.loads(manifest.read_text())["hash"]
    stamp = manifest.stat().st_mtime_ns
    run_batch([src], out, jobs=1, resume=True)
    assert manifest.stat().st_mtime_ns == stamp  # unchanged inputs: served from the folder
    firms.write_text("id,baseline,allocation,mac_slope\na,1000,500,0.01\nb,2000,1900,0.02\n")
    run_batch([src], out, jobs=1, resume=True)
    assert json.loads(manifest.read_text())["hash"] != hash_1  # the firms file changed: computed again
    assert manifest.stat().st_mtime_ns != stamp


def test_resume_removes_leftover_temporary_folders(tmp_path):
    src = write(tmp_path / "s", "inv.yaml", "name: inv\nmodel: MODEL\n" + NO_DRAWS)
    out = tmp_path / "out"
    (out / ".tmp-inv-abc123" / "inventory").mkdir(parents=True)
    (out / ".old-inv-999").mkdir()
    (out / ".tmp-inv-abc123" / "inventory" / "half.csv").write_text("x")
    run_batch([src], out, jobs=1, resume=True)
    assert sorted(p.name for p in out.iterdir()) == ["inv", "summary.csv"]


def test_a_summary_that_cannot_be_written_is_a_clean_error(tmp_path, monkeypatch, capsys):
    src = write(tmp_path / "s", "inv.yaml", "name: inv\nmodel: MODEL\n" + NO_DRAWS)

    def full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("carbon.runner.write_text_atomic", full)
    assert main(["run", str(src), "-o", str(tmp_path / "out"), "--quiet", "-j", "1"]) == 2
    err = capsys.readouterr().err
    assert "cannot write summary.csv: No space left on device" in err and "Traceback" not in err


def test_a_run_folder_that_cannot_be_written_fails_that_run_only(tmp_path, monkeypatch):
    src = write(tmp_path / "s", "inv.yaml", "name: inv\nmodel: MODEL\n" + NO_DRAWS)

    def readonly(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("carbon.runner.write_run", readonly)
    summary = run_batch([src], tmp_path / "out", jobs=1)
    assert summary.loc[0, "status"] == "failed" and "Permission denied" in summary.loc[0, "error"]


# --- small regressions of the crash list --------------------------------------------------------

def test_messages_stay_short():
    text = str(InputError("bad", found="x" * 40_000, expected="y" * 40_000, file="z" * 5000))
    assert len(text) < 1200


def test_sd_of_minus_zero_is_zero(tmp_path):
    src = write(tmp_path, "sd.yaml", "name: sd\nmodel: MODEL\n" + NO_DRAWS + "samples:\n  n: 2\n"
                "  activity.power.raw_coal.quantity: {dist: normal, mean: 1.0, sd: -0.0, relative: true}\n")
    assert main(["validate", str(src)]) == 0


@pytest.mark.parametrize("item", ["industry.raw_coal", "transport.diesel", "industry.electricity"])
def test_a_zero_quantity_keeps_the_pathway_valid(tmp_path, item):
    src = write(tmp_path, "zero.yaml", f"name: zero\nextends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
                f"overrides:\n  activity.{item}.quantity: 0\n")
    assert main(["validate", str(src)]) == 0


def test_an_allowed_key_lifts_its_range_and_is_recorded(tmp_path):
    text = "name: fast\nmodel: MODEL\n" + NO_DRAWS + "pathway:\n  years: [2020, 2022]\n  gdp: {growth: 0.4}\n"
    with pytest.raises(InputError, match="0.4 is outside the plausible range"):
        expand(write(tmp_path / "a", "fast.yaml", text))
    (spec,) = expand(write(tmp_path / "b", "fast.yaml", text + "allow: [pathway.gdp.growth]\n"))
    assert spec.scenario.as_data()["allow"] == ["pathway.gdp.growth"]


def test_an_oversized_batch_runs_with_max_runs(tmp_path):
    src = write(tmp_path, "big.yaml", "name: big\nmodel: MODEL\n" + NO_DRAWS + "sweep:\n  inventory.gwp: [AR4, AR5, AR6]\n")
    with pytest.raises(InputError, match="expands to 3 runs"):
        expand(src, max_runs=2)
    assert main(["validate", str(src), "--max-runs", "3"]) == 0


def test_a_batch_holds_run_names_not_runs(tmp_path):
    import tracemalloc
    from collections.abc import Iterator

    from carbon.runner import check_batch

    file = write(tmp_path / "s", "mc.yaml", "name: many\nmodel: MODEL\n" + NO_DRAWS
                 + "samples:\n  n: 300\n  seed: 1\n  activity.power.raw_coal.quantity: "
                 "{dist: normal, mean: 1.0, sd: 0.05, relative: true}\n")
    tracemalloc.start()
    batch, failed = check_batch([file])
    checked = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    held = load_batch([file])[0]
    listed = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert failed == [] and len(batch.names) == 300 and len(held) == 300
    assert isinstance(batch.specs(), Iterator)
    assert [s.name for s in batch.specs()] == list(batch.names)
    assert checked < 0.25 * listed  # the names of 300 runs, not 300 validated scenarios


def test_a_unit_slip_in_activity_is_refused_per_resident(tmp_path, capsys):
    # raw coal of industry written in t where the model means 10^4 t: x 10^4 -> ~15,000 t CO2e per resident
    slip = write(tmp_path, "slip.yaml", "name: slip\nmodel: MODEL\n" + NO_DRAWS
                 + "overrides:\n  activity.industry.raw_coal.quantity: {scale: 10000}\n")
    assert main(["validate", str(slip)]) == 2
    err = capsys.readouterr().err
    assert "per resident" in err and "allow" in err
    allowed = write(tmp_path, "ok.yaml", "name: ok\nmodel: MODEL\n" + NO_DRAWS
                    + "overrides:\n  activity.industry.raw_coal.quantity: {scale: 10000}\nallow: [activity.quantity]\n")
    assert main(["validate", str(allowed)]) == 0


@pytest.mark.parametrize("key, value, slip", [
    ("energy.technologies.battery.capex_cny_per_kw", 260000, "per MW"),
    ("energy.technologies.battery.energy_capex_cny_per_kwh", 360000, "per MW"),
    ("market.offsets.price", -5, "never negative"),
])
def test_cost_and_price_slips_are_named(key, value, slip):
    from carbon.plausible import scenario_problems

    data: dict = {}
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    found = scenario_problems(data)
    assert len(found) == 1 and slip in str(found[0])
    assert scenario_problems(data, allow=[key]) == []
