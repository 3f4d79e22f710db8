"""A new county in an afternoon (issue 17): ``carbon init`` from a yearbook energy balance and
coordinates gives a model that validates (placeholders as warnings) and runs without editing;
the pvlib solar profile; ``carbon list``, ``carbon show`` and ``--resume`` saying ``skipped``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import carbon
from carbon.cli import main
from carbon.energy.profiles import ProfileParameters, generate

ROOT = Path(__file__).resolve().parents[1]
BALANCE = ROOT / "tests" / "data" / "county_balance.csv"
LANKAO = (34.85, 114.82)  # Lankao county seat, degrees N / E




def test_pvlib_solar_full_load_hours_at_lankao_match_henan_figures():
    """Source: FACTS.md, "typical utilisation": PV ~1,100-1,200 h in Henan (CF ~0.13), confidence L.
    The profile is not scaled to that figure: it follows from pvlib's sun positions and clear-sky
    irradiance at Lankao, an annual GHI of 1,400 kWh/m2 (class C of GB/T 31155-2014, a
    placeholder), a 30 deg south-facing plane and a performance ratio of 0.80 (1,186 h)."""
    frame = generate(ProfileParameters(sun="pvlib", latitude_deg=LANKAO[0], longitude_deg=LANKAO[1], year=2020))
    hours = frame["solar"].sum()
    assert 1100 <= hours <= 1200
    assert frame["solar"].max() <= 1.0
    noon, midnight = frame["solar"].iloc[12::24], frame["solar"].iloc[0::24]
    assert midnight.max() == 0 and (noon > 0).mean() > 0.99  # Beijing time: dark at 00:30, up at 12:30
    # summer days are longer: more hours with output in June than in December
    june, december = frame["solar"].iloc[151 * 24:181 * 24], frame["solar"].iloc[334 * 24:364 * 24]
    assert (june > 0).sum() > (december > 0).sum() * 1.3


def test_pvlib_profiles_are_seeded_and_the_default_county_keeps_its_formula():
    a = generate(ProfileParameters(sun="pvlib"))
    pd.testing.assert_frame_equal(a, generate(ProfileParameters(sun="pvlib")))
    assert not a["solar"].equals(generate(ProfileParameters(sun="pvlib", seed=1))["solar"])
    assert ProfileParameters().sun == "formula"  # models/lankao/energy/profiles.csv is reproduced by the formula


def test_init_validate_run_show(tmp_path, capsys):
    model = tmp_path / "models" / "newcounty"
    assert main(["init", str(model), "--from-balance", str(BALANCE), "--lat", "34.85", "--lon", "114.82",
                 "--year", "2020"]) == 0
    out = capsys.readouterr().out
    assert "electricity use 697.0 GWh" in out and "solar 1,186 h" in out and "- population" in out
    for rel in ("model.yaml", "activity.csv", "energy/technologies.csv", "energy/settings.yaml", "energy/profiles.csv",
                "scenarios/baseline.yaml", "README.md"):
        assert (model / rel).is_file(), rel
    readme = (model / "README.md").read_text(encoding="utf-8")
    assert "## Placeholders" in readme and "gdp_10k_cny" in readme
    # 0.6 + 4.0 + 0.12 + 0.15 + 0.9 + 1.2 = 6.97 x 10^8 kWh in the balance's electricity column
    profiles = pd.read_csv(model / "energy" / "profiles.csv")
    assert profiles["load_mw"].sum() == pytest.approx(697_000, rel=1e-5) and len(profiles) == 8760

    scenario = model / "scenarios" / "baseline.yaml"
    assert main(["validate", str(scenario)]) == 0
    captured = capsys.readouterr()
    assert "ok:" in captured.out
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: placeholder")]
    assert len(warnings) == 8 and any("population" in w for w in warnings)

    assert main(["run", str(scenario), "-o", str(tmp_path / "out"), "-j", "1", "-q"]) == 0
    run = carbon.open_run(tmp_path / "out" / "newcounty_baseline")
    assert run.ok and run.stages == ["energy", "inventory", "pathway"]
    assert run.summary["energy.status"] == "optimal"
    annual = run.table("pathway", "annual").set_index("year")
    assert annual.loc[2020, "co2e_t_scope12"] == pytest.approx(run.summary["inventory.co2e_t"], rel=1e-9)
    capsys.readouterr()

    assert main(["show", str(run.path)]) == 0
    shown = capsys.readouterr().out
    assert "run newcounty_baseline: ok" in shown and "inventory.co2e_t" in shown and "decisions" in shown
    assert "build_s" not in shown  # timings are not results

    assert main(["run", str(scenario), "-o", str(tmp_path / "out"), "-j", "1", "--resume"]) == 0
    captured = capsys.readouterr()
    assert "newcounty_baseline: skipped" in captured.err
    assert "skipped: 1 run already complete with the same inputs (--resume)" in captured.out


def test_init_refuses_bad_input_with_exit_2(tmp_path, capsys):
    no_power = tmp_path / "balance.csv"
    no_power.write_text("sector,category,raw_coal\nunit,,10^4 t\nindustry,1.A.2,5\n", encoding="utf-8")
    assert main(["init", str(tmp_path / "a"), "--from-balance", str(no_power), "--lat", "34", "--lon", "114",
                 "--year", "2020"]) == 2
    assert "no electricity column" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "b"), "--from-balance", str(BALANCE), "--lat", "134", "--lon", "114",
                 "--year", "2020"]) == 2
    assert "coordinates out of range" in capsys.readouterr().err
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(tmp_path / "c"), "--from-balance", str(BALANCE), "--lat", "34", "--lon", "114",
                 "--year", "2020"]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "Traceback" not in err
    assert (tmp_path / "c" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_list_shows_description_runs_and_extends(capsys):
    assert main(["list", str(ROOT / "scenarios")]) == 0
    out = capsys.readouterr().out
    assert "[price_storage_sweep: 6 runs, extends baseline.yaml]" in out
    assert "[monte_carlo: 200 runs, extends baseline.yaml]" in out
    assert "[baseline: 1 run]" in out and "Current trends" in out


def test_list_names_a_broken_file_and_exits_2(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("name: bad\nmodel: nowhere\n", encoding="utf-8")
    assert main(["list", str(tmp_path)]) == 2
    out = " ".join(capsys.readouterr().out.split())  # the error is wrapped over lines
    assert "does not load" in out and "model folder not found" in out and "1 with errors" in out


def test_init_with_a_thermal_power_row_runs(tmp_path):
    """A yearbook balance with the county's coal plant (inputs counted in 1.A.1, its output dropped
    by the sectoral approach): the scaffold still solves without editing (the plant itself is a
    placeholder for the user to add to energy/technologies.csv)."""
    lines = BALANCE.read_text(encoding="utf-8").splitlines()
    balance = tmp_path / "balance.csv"
    balance.write_text("\n".join([*lines[:3], "Thermal Power,1.A.1.a.i,14.3,,,0.006,,,-33000", *lines[3:]]) + "\n",
                       encoding="utf-8")
    assert main(["init", str(tmp_path / "m" / "tp"), "--from-balance", str(balance), "--lat", "34.85", "--lon",
                 "114.82", "--year", "2020"]) == 0
    run = carbon.run(tmp_path / "m" / "tp" / "scenarios" / "baseline.yaml", out_dir=tmp_path / "out")
    power = run.table("inventory", "by_sector").set_index("sector")["co2e_t"]
    # 14.3 x 10^4 t of raw coal burnt in 1.A.1: ~1.9 t CO2/t (china set) -> ~270 kt
    assert 2.4e5 < power["Thermal Power"] < 3.0e5
    annual = run.table("pathway", "annual").set_index("year")
    assert annual.loc[2020, "co2e_t_scope12"] == pytest.approx(run.summary["inventory.co2e_t"], rel=1e-9)
