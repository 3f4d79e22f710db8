"""The program assembled from the model's arrays equals Pyomo's compilation of the same model.

Each constraint family states its rows once, as arrays; :class:`LinearModel` declares the
Pyomo constraints from them and assembles the sparse matrix HiGHS receives. Here Pyomo's own
standard-form writer compiles the Pyomo model and every matrix entry, bound and cost must
agree, on systems that use every family (storage under all three linkings, demand response,
lines, shedding, policies, diagnose mode, several years).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_energy_model import PINNED_24_DAYS

from carbon.energy import (
    EnergyProblem,
    EnergySystem,
    YearAssumptions,
    load_system,
    representative_days,
    with_changes,
)
from carbon.energy.solver import CompiledProgram

DAYS = 6
HOURS = 24 * DAYS
rng = np.random.default_rng(7)
PROFILES = {
    "load_mw": 60 + 30 * np.sin(np.arange(HOURS) / 24 * 2 * np.pi) + rng.uniform(0, 10, HOURS),
    "load_mw_town": rng.uniform(5, 20, HOURS),
    "sun": np.clip(np.sin((np.arange(HOURS) % 24 - 6) / 12 * np.pi), 0, None),
    "wind": rng.uniform(0, 1, HOURS),
    "tariff": np.where(np.arange(HOURS) % 24 < 8, 300.0, 700.0),
}
TECHS = [
    {
        "name": "coal",
        "kind": "generator",
        "carrier": "coal",
        "existing_mw": 40,
        "vom_cny_per_mwh": 350,
        "co2_t_per_mwh": 0.9,
        "min_load": 0.3,
        "fom_cny_per_mw_year": 1000,
        "lifetime_years": 30,
        "existing_build_year": 2000,
    },
    {
        "name": "gas",
        "kind": "generator",
        "carrier": "gas",
        "expandable": True,
        "max_mw": 80,
        "annual_capex_cny_per_mw": 90_000,
        "vom_cny_per_mwh": 500,
        "co2_t_per_mwh": 0.4,
        "min_load": 0.1,
        "lifetime_years": 25,
    },
    {
        "name": "pv",
        "kind": "generator",
        "carrier": "solar",
        "existing_mw": 10,
        "expandable": True,
        "annual_capex_cny_per_mw": 40_000,
        "profile": "sun",
        "lifetime_years": 25,
        "node": "town",
    },
    {"name": "wind", "kind": "generator", "carrier": "wind", "existing_mw": 20, "profile": "wind"},
    {"name": "grid", "kind": "grid_import", "existing_mw": 30, "price_profile": "tariff", "co2_t_per_mwh": 0.6},
    {"name": "export", "kind": "grid_export", "existing_mw": 10, "vom_cny_per_mwh": 250},
    {
        "name": "pumped",
        "kind": "storage",
        "existing_mw": 5,
        "existing_mwh": 30,
        "efficiency_charge": 0.85,
        "efficiency_discharge": 0.85,
    },
    {
        "name": "battery",
        "kind": "storage",
        "expandable": True,
        "annual_capex_cny_per_mw": 20_000,
        "annual_energy_capex_cny_per_mwh": 15_000,
        "efficiency_charge": 0.95,
        "efficiency_discharge": 0.95,
        "standing_loss_per_hour": 0.001,
        "energy_to_power_min": 1,
        "energy_to_power_max": 4,
        "vom_cny_per_mwh": 5,
        "lifetime_years": 15,
        "node": "town",
    },
]
SETTINGS = {
    "hours_per_year": 8760,
    "demand_response": {
        "shift_share": 0.1,
        "shift_cost_cny_per_mwh": 20,
        "interruptible_mw": 3,
        "interruptible_cost_cny_per_mwh": 2000,
    },
    "min_renewable_share": 0.2,
    "reserve_margin": 0.1,
    "carbon_price_cny_per_t": 80,
}
LINES = [{"name": "county_town", "from_node": "county", "to_node": "town", "capacity_mw": 15}]


def rich_system(**changes) -> EnergySystem:
    return EnergySystem.from_frames(TECHS, PROFILES, {**SETTINGS, **changes}, lines=LINES)


def assert_same_program(problem: EnergyProblem) -> None:
    """Arrays (problem.program) against Pyomo's writer, matched by variable and constraint."""
    ours = problem.program
    assert ours.compiler == "arrays"
    pyomo = CompiledProgram(problem.model, compiler="pyomo")
    col = np.array([ours.col_of[id(v)] for v in pyomo.columns])
    row = np.array([ours.row_of[id(c)] for c in pyomo.rows])
    assert len(set(col)) == len(col) and len(set(row)) == len(row)
    a, b = ours.form, pyomo.form
    # Pyomo leaves out variables that appear nowhere; ours keeps them as empty, costless columns
    unused = np.setdiff1d(np.arange(ours.n_cols), col)
    assert a.A[:, unused].nnz == 0 and not a.cost[unused].any()
    assert row.size == ours.n_rows  # every row of ours is one of Pyomo's
    ours_A = a.A[row][:, col]
    assert ours_A.nnz == b.A.nnz
    difference = ours_A - b.A
    assert difference.nnz == 0 or abs(difference).max() < 1e-9
    np.testing.assert_allclose(a.cost[col], b.cost, rtol=1e-12, atol=1e-9)
    assert a.offset == pytest.approx(b.offset, rel=1e-12)
    for ours_bound, pyomo_bound in (
        (a.col_lower[col], b.col_lower),
        (a.col_upper[col], b.col_upper),
        (a.row_lower[row], b.row_lower),
        (a.row_upper[row], b.row_upper),
    ):
        np.testing.assert_allclose(ours_bound, pyomo_bound, rtol=1e-12, atol=1e-9)
    # and both solve to the same optimum
    first, second = ours.solve(), pyomo.solve()
    assert first.status == second.status == "optimal"
    assert first.objective == pytest.approx(second.objective, rel=1e-7)


def test_hours_with_every_family():
    problem = EnergyProblem(rich_system())
    names = set(problem.model.linear.blocks)
    assert {
        "availability",
        "min_load",
        "capacity_max",
        "energy_to_power_min",
        "energy_to_power_max",
        "soc_balance",
        "charge_limit",
        "discharge_limit",
        "soc_limit",
        "shift_balance",
        "balance",
        "emissions_definition",
        "co2_cap",
        "renewable_share",
        "reserve_margin",
    } <= names
    assert_same_program(problem)


@pytest.mark.parametrize("linking", ["chronological", "cyclic"])
def test_representative_days(linking):
    s = rich_system(resolution={"mode": "days", "days": 3, "storage_linking": linking})
    slices = representative_days(s.profiles, 3, hours_per_year=8760, linking=linking)
    problem = EnergyProblem(s, slices=slices)
    if linking == "chronological":
        assert {"soc_chain", "soc_upper", "soc_lower", "soc_high_def", "soc_low_def"} <= set(
            problem.model.linear.blocks
        )
    assert_same_program(problem)


def test_diagnose_mode_with_a_cap():
    s = rich_system(co2_cap_t=1000)
    problem = EnergyProblem(s, diagnose=True, check=False)
    assert problem.model.linear.blocks["co2_cap"].cols.size == 2  # emissions and the slack
    assert_same_program(problem)


def test_perfect_foresight_over_milestones_with_earlier_builds():
    s = rich_system()
    years = [2025, 2030, 2035]
    assumptions = {y: YearAssumptions(50.0 * i, None, 1 + 0.1 * i, 1.0) for i, y in enumerate(years)}
    problem = EnergyProblem(
        s,
        years=years,
        assumptions=assumptions,
        perfect_foresight=True,
        base_year=2025,
        built={("gas", 2020): (5.0, 0.0)},
    )
    assert_same_program(problem)


def test_default_model_at_24_days():
    system = with_changes(load_system("models/lankao"), settings={"resolution": {"mode": "days", "days": 24}})
    problem = EnergyProblem(system)
    pinned = (PINNED_24_DAYS["columns"], PINNED_24_DAYS["rows"])
    assert (problem.program.n_cols, problem.program.n_rows) == pinned
    assert_same_program(problem)


def test_sweeps_change_the_arrays_program_like_a_rebuild():
    s = rich_system()
    problem = EnergyProblem(s)
    problem.set_carbon_price(400)
    cap = 0.9 * problem.solve().summary()["co2_incl_imports_t"]  # binding at that price
    problem.set_co2_cap(cap)
    rebuilt = EnergyProblem(s, assumptions={2025: YearAssumptions(400, cap)})
    swept, fresh = problem.solve(), rebuilt.solve()
    assert swept.objective_cny == pytest.approx(fresh.objective_cny, rel=1e-7)
    assert swept.summary()["co2_incl_imports_t"] == pytest.approx(cap, rel=1e-6)
    assert problem.model.carbon_price[2025].value == 400 and problem.model.cap[2025].value == cap


def test_researchers_constraints_are_compiled_by_pyomo():
    import pyomo.environ as pyo

    def no_gas(m, d):
        m.no_gas = pyo.Constraint(expr=sum(m.new_mw["gas", b] for b in d.years) <= 0)

    problem = EnergyProblem(rich_system(), extra_constraints=no_gas)
    assert problem.program.compiler == "pyomo"
    assert problem.solve().capacity.set_index("technology").at["gas", "new_mw"] == pytest.approx(0, abs=1e-6)
