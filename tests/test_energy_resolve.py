"""Re-solving a compiled energy problem with new data (issue 18): a stored problem given a
sample's demand, prices, grid factor, cap and earlier builds solves to what a cold build of the
same sample gives, and a Monte Carlo sample's numbers do not depend on what the worker solved
before."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbon.coupling.cache import SolveCache
from carbon.energy.inputs import YearAssumptions
from carbon.energy.milestones import solve_milestones, year_system
from carbon.energy.problem import EnergyProblem, ProblemStore
from carbon.energy.schema import EnergySection
from carbon.runner import load_batch, run_scenario
from carbon.stages.energy import resolve_system

ROOT = Path(__file__).resolve().parents[1]
YEARS = [2020, 2030, 2040]


@pytest.fixture(scope="module")
def system():
    section = EnergySection(days=4, technologies={"wind_new": {"max_mw": 1500}, "solar_new": {"max_mw": 2000},
                                                  "grid_import": {"existing_mw": 1000, "max_mw": 1000}})
    return resolve_system(section, ROOT / "models" / "lankao")


def samples(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        demand = rng.uniform(0.8, 1.8)
        assumptions = {y: YearAssumptions(float(rng.uniform(0, 250)), None if rng.random() < 0.7 else 2.0e6,
                                          demand * (1 + 0.02 * (y - 2020)), float(rng.uniform(0.9, 1.2)))
                       for y in YEARS}
        yield assumptions, {y: float(rng.uniform(0.3, 0.6)) for y in YEARS}


@pytest.mark.parametrize("chain", [False, True])
def test_a_stored_problem_re_solved_with_new_data_equals_a_cold_build(system, chain):
    store = ProblemStore(chain=chain)
    for assumptions, grid in samples(4):
        cold, cold_built = solve_milestones(system, YEARS, assumptions, base_year=2020, grid_factor=grid,
                                            frozen_years={2020})
        hot, hot_built = solve_milestones(system, YEARS, assumptions, base_year=2020, grid_factor=grid,
                                          frozen_years={2020}, store=store)
        assert hot.objective_cny == pytest.approx(cold.objective_cny, rel=1e-7)
        for column in ("emissions_t", "imports_mwh", "load_mwh", "renewable_share"):
            np.testing.assert_allclose(hot.years[column], cold.years[column], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(hot.capacity["total_mw"], cold.capacity["total_mw"], rtol=1e-6, atol=1e-6)
        assert hot_built.keys() == cold_built.keys()
        for key in cold_built:
            np.testing.assert_allclose(hot_built[key], cold_built[key], rtol=1e-6, atol=1e-6)
    # every sample after the first re-used the three compiled problems (the builds differ by
    # sample); a chain's first free year (2030) was solved once more, for its reference basis
    assert store.built == len(YEARS) and store.reused == 3 * len(YEARS) + (1 if chain else 0)


def test_update_changes_only_the_data_and_refuses_another_structure(system):
    a = {2030: YearAssumptions(50.0, None, 1.2, 1.0)}
    b = {2030: YearAssumptions(120.0, 3.0e6, 1.5, 1.1)}
    problem = EnergyProblem(year_system(system, 2030, {2030: 0.5}, False), years=[2030], assumptions=a,
                            base_year=2020)
    problem.solve()
    built = {("solar_new", 2025): (300.0, 0.0)}
    assert problem.update(year_system(system, 2030, {2030: 0.4}, False), b, built)
    hot = problem.solve()
    cold = EnergyProblem(year_system(system, 2030, {2030: 0.4}, False), years=[2030], assumptions=b,
                         base_year=2020, built=built).solve()
    assert hot.objective_cny == pytest.approx(cold.objective_cny, rel=1e-9)
    assert problem.data.assumptions == b and problem.built == built
    # a frozen year has fewer columns: not the same program
    assert not problem.update(year_system(system, 2030, {2030: 0.4}, True), b, built)
    assert problem.data.assumptions == b


MC = """name: mcr
extends: BASELINE
pathway:
  milestones: [2030, 2040]
energy:
  days: 4
samples:
  n: 3
  seed: 7
  pathway.gdp.growth.2021-2025: {dist: normal, mean: 1.0, sd: 0.3, relative: true}
  pathway.grid_factor.2030: {dist: uniform, low: 0.46, high: 0.58}
"""


def test_a_monte_carlo_sample_does_not_depend_on_what_its_worker_solved_before(tmp_path):
    path = tmp_path / "mc.yaml"
    path.write_text(MC.replace("BASELINE", str(ROOT / "scenarios" / "baseline.yaml")), encoding="utf-8")
    specs, _ = load_batch([path])
    specs = list(specs)
    shared = SolveCache()
    after_others = [run_scenario(spec, shared)[0] for spec in specs]
    assert shared.problems.reused > 0
    alone = run_scenario(specs[-1], SolveCache())[0]  # a fresh worker: every problem built cold
    for name, table in alone["energy"].tables.items():
        assert after_others[-1]["energy"].tables[name].equals(table), name
    for name, table in alone["pathway"].tables.items():
        assert after_others[-1]["pathway"].tables[name].equals(table), name
    # the samples differ (the draws reached the energy model)
    emissions = [out["energy"].tables["years"]["emissions_t"].iloc[-1] for out in after_others]
    assert len(set(emissions)) == 3


def test_a_reference_basis_that_cannot_be_solved_leaves_the_first_free_year_to_start_cold():
    # The first free milestone of a chain starts from the basis of that year solved with the
    # system's own data (demand factor 1). With shedding off, a system can be inadequate at
    # factor 1 (peak 100 MW > 60 + 10 MW) and adequate at a sample's 0.5: the sample must run
    # as without a store, not fail on the reference.
    from carbon.energy import EnergySystem
    from carbon.errors import InputError

    load = 60 + 40 * np.sin(np.linspace(0, 2 * np.pi, 24, endpoint=False)) ** 2  # 60-100 MW
    techs = [
        {"name": "coal", "kind": "generator", "existing_mw": 60, "vom_cny_per_mwh": 300, "co2_t_per_mwh": 0.9},
        {"name": "gas_new", "kind": "generator", "existing_mw": 0, "max_mw": 10, "expandable": True,
         "capex_cny_per_kw": 3000, "lifetime_years": 25, "vom_cny_per_mwh": 500, "co2_t_per_mwh": 0.4},
    ]
    small = EnergySystem.from_frames(techs, {"load_mw": load}, {"allow_shedding": False, "resolution": {"mode": "hours"}})
    with pytest.raises(InputError, match="inadequate"):
        solve_milestones(small, [2030], {2030: YearAssumptions(50.0, None, 1.0)}, base_year=2020)
    half = {y: YearAssumptions(50.0, None, 0.5) for y in (2020, 2030)}
    cold, _ = solve_milestones(small, [2020, 2030], half, base_year=2020, frozen_years={2020})
    store = ProblemStore(chain=True)
    hot, _ = solve_milestones(small, [2020, 2030], half, base_year=2020, frozen_years={2020}, store=store)
    # coal alone (peak 50 MW <= 60 MW): 2 years x mean load 0.5 x 80 MW x 8760 h (the 24 hours
    # stand for the year) x (300 CNY/MWh + 50 CNY/t x 0.9 t/MWh)
    assert cold.objective_cny == pytest.approx(2 * 0.5 * 80 * 8760 * (300 + 50 * 0.9))
    assert hot.objective_cny == pytest.approx(cold.objective_cny, rel=1e-9)
    assert store.built == 2



def test_a_run_does_not_depend_on_what_its_worker_ran_before():
    # the bundled 'accelerated' then 'policy' in one worker: a cleared Highs object that had
    # solved accelerated's milestones ended policy's degenerate 2050 programme at another
    # optimal vertex (curtailment 426,548 MWh against 426,545 MWh alone, split otherwise
    # between wind and solar), so a batch's numbers depended on how runs fell to workers
    specs, _ = load_batch([ROOT / "scenarios" / "accelerated.yaml", ROOT / "scenarios" / "policy.yaml"])
    accelerated, policy = list(specs)
    shared = SolveCache()
    run_scenario(accelerated, shared)
    after = run_scenario(policy, shared)[0]
    assert shared.problems.reused > 0
    alone = run_scenario(policy, SolveCache())[0]
    for stage in ("energy", "pathway", "market"):
        for name, table in alone[stage].tables.items():
            assert after[stage].tables[name].equals(table), f"{stage}/{name}"


def test_a_milestone_system_equals_the_checked_changes_of_the_table(system):
    # year_system writes the grid factor (and, frozen, no building) into a copy of the table
    # without checking it again: the same table as the checked path through with_changes
    from carbon.energy.system import with_changes

    techs = system.technologies
    grid = list(techs.index[techs["kind"] == "grid_import"])
    expandable = list(techs.index[techs["expandable"].astype(bool)])
    for factor, frozen in ((0.42, False), (0.5, True)):
        changes = {name: {"co2_t_per_mwh": factor} for name in grid}
        if frozen:
            for name in expandable:
                changes.setdefault(name, {})["expandable"] = False
        checked = with_changes(system, technologies=changes).technologies
        fast = year_system(system, 2030, {2030: factor}, frozen).technologies
        pd.testing.assert_frame_equal(fast, checked, check_exact=True)
    assert year_system(system, 2030, None, False) is system


def test_time_slices_are_kept_by_profiles_and_settings(system):
    from carbon.energy.problem import time_slices
    from carbon.energy.system import with_changes

    slices = time_slices(system)
    assert time_slices(system) is slices and slices.n_steps == 4 * 24
    six = with_changes(system, settings={"resolution": {"days": 6}})
    assert six.profiles is system.profiles and time_slices(six).n_steps == 6 * 24
