"""The benchmark systems under ``benchmarks/systems/`` load, solve and balance.

``benchmarks/energy.py --model benchmarks/systems/steppe`` times the energy model against
PyPSA on a second, made-up single-node system (wind, solar, a battery, coal, gas, grid import
and export, demand response). Here its folder loads, its profiles are the ones its seeded
script writes, and 48 hours of it solve with every hour's energy balanced.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from carbon.energy import EnergyProblem, load_system, with_changes

STEPPE = Path(__file__).resolve().parents[1] / "benchmarks" / "systems" / "steppe"


@pytest.fixture(scope="module")
def steppe():
    return load_system(STEPPE)


def test_steppe_has_every_kind_the_benchmark_promises(steppe):
    techs = steppe.technologies
    assert set(techs["kind"]) == {"generator", "storage", "grid_import", "grid_export"}
    assert {"wind", "solar", "coal", "gas", "battery"} <= set(techs["carrier"])
    assert len(steppe.profiles) == 8760
    dr = steppe.settings.demand_response
    assert dr.shift_share > 0 and dr.interruptible_mw > 0
    # no arbitrage through the node: export revenue below the cheapest import cost (price + CO2)
    co2_cost = steppe.settings.carbon_price_cny_per_t * techs.at["grid_import", "co2_t_per_mwh"]
    cheapest_import = steppe.profiles["tou_price_cny_per_mwh"].min() + co2_cost
    assert techs.at["grid_export", "vom_cny_per_mwh"] < cheapest_import


def test_steppe_profiles_are_what_the_seeded_script_writes():
    spec = importlib.util.spec_from_file_location("steppe_profiles", STEPPE / "make_profiles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from carbon.energy.profiles import generate

    fresh = generate(module.PARAMETERS)
    stored = load_system(STEPPE).profiles
    for column in ("load_mw", "solar", "wind", "tou_price_cny_per_mwh"):
        np.testing.assert_array_equal(stored[column].to_numpy(), fresh[column].to_numpy(), err_msg=column)


def test_steppe_solves_48_hours_with_every_hour_balanced(steppe):
    system = with_changes(steppe, settings={"resolution": {"mode": "hours", "hours": 48}})
    r = EnergyProblem(system).solve()
    assert r.status == "optimal"
    d = r.dispatch
    assert len(d) == 48
    techs = steppe.technologies
    supply = sum(d[f"{g}_mw"] for g in techs.index[techs["kind"].isin(["generator", "grid_import"])])
    exports = d["grid_export_mw"]
    storage = d["battery_discharge_mw"] - d["battery_charge_mw"]
    response = d["shift_down_mw"] - d["shift_up_mw"] + d["interrupt_mw"] + d["shed_mw"]
    np.testing.assert_allclose(supply - exports + storage + response, d["load_mw"], rtol=0, atol=1e-6)
    # the balance is not met trivially: the battery, load shifting and the grid all take part
    assert d["battery_charge_mw"].max() > 1 and d["shift_up_mw"].max() > 1
    must_run = techs.at["coal", "min_load"] * techs.at["coal", "existing_mw"]  # 0.4 x 300 = 120 MW
    assert d["grid_import_mw"].max() > 1 and d["coal_mw"].min() >= must_run - 1e-6


def _benchmark_module():
    spec = importlib.util.spec_from_file_location("bench_energy", STEPPE.parents[1] / "energy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def renamed(tmp_path):
    """The steppe system with its expandable wind and its battery under other names."""
    folder = tmp_path / "renamed"
    shutil.copytree(STEPPE, folder)
    table = folder / "energy" / "technologies.csv"
    text = table.read_text().replace("\nwind_new,", "\nwind_big,").replace("\nbattery,", "\nli_ion,")
    table.write_text(text)
    return folder


def test_benchmark_reports_the_loaded_systems_own_technologies(renamed, monkeypatch):
    bench = _benchmark_module()
    monkeypatch.setattr(bench, "MODEL", renamed)
    units, storages = bench.key_technologies(load_system(renamed).technologies)
    # steppe's expandable units: wind (renamed), solar_new and gas_new; its one storage, renamed
    assert (units, storages) == (["wind_big", "solar_new", "gas_new"], ["li_ion"])
    r = bench.run_ours("hours", 24, pyomo_compile=False)
    assert list(r["capacity"]) == ["wind_big", "solar_new", "gas_new", "li_ion", "li_ion_mwh"]
    assert r["pyomo_compile_s"] is None
    pytest.importorskip("pypsa")
    try:
        theirs = bench.run_pypsa(24)
    finally:
        logging.disable(logging.NOTSET)  # run_pypsa silences logging for its own process
    assert list(theirs["capacity"]) == list(r["capacity"])
    assert theirs["objective_cny"] == pytest.approx(bench.run_ours("hours", 24, shift=False)["objective_cny"], rel=1e-5)
