"""Milestone years: myopic (one year after another, keeping what was built) or perfect
foresight (all milestones in one model, discounted)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

import pandas as pd

from carbon.energy.inputs import YearAssumptions
from carbon.energy.model import ExtraConstraints
from carbon.energy.outputs import EnergyResult
from carbon.energy.periods import TimeSlices
from carbon.energy.problem import EnergyProblem, ProblemStore
from carbon.energy.system import EnergySystem
from carbon.errors import CarbonError
from carbon.memo import Kept

PriceHook = Callable[[int, EnergyProblem], float]
"""``hook(year, problem) -> carbon price`` (CNY/t) called before a myopic year is solved; the
problem is built with what earlier years built and may be re-solved by the hook (a MAC curve)."""


def solve_milestones(
    system: EnergySystem,
    years: list[int],
    assumptions: dict[int, YearAssumptions],
    *,
    foresight: str = "myopic",
    base_year: int | None = None,
    slices: TimeSlices | None = None,
    options: dict | None = None,
    diagnose: bool = False,
    extra_constraints: ExtraConstraints | None = None,
    grid_factor: dict[int, float] | None = None,
    price_hook: PriceHook | None = None,
    frozen_years: Collection[int] = (),
    store: ProblemStore | None = None,
    store_key: str = "",
) -> tuple[EnergyResult, dict[tuple[str, int], tuple[float, float]]]:
    """Solve milestone years; return the combined result and what was built in each year.

    Myopic: year by year; capacity built in year b counts as existing in later years y while
    ``b + lifetime > y`` (its annualised cost is then sunk, not in the later objectives), and
    existing plants retire after ``existing_build_year + lifetime``. The objective is the sum
    of the yearly objectives. Perfect foresight: one model over all years, each year weighted
    by the years it stands for and the discount factor to ``base_year``.

    Myopic only: ``grid_factor`` sets the grid import's CO2 factor (t/MWh) of each year;
    ``price_hook`` decides each year's carbon price before it is solved (see :data:`PriceHook`);
    in ``frozen_years`` nothing new is built (a historical year is its existing system);
    with a ``store`` each year's compiled problem is re-used with the new data when one of the
    same structure is stored under ``(store_key, year, frozen)`` (same numbers as a build).
    With a chaining store, each year starts from the basis of the sample's previous year and
    the first from :func:`reference_basis` (what a year starts from depends on the sample and
    the system only, never on what the worker solved before).
    """
    base_year = base_year or years[0]
    if foresight == "perfect" and (grid_factor or price_hook or frozen_years):
        raise ValueError("grid_factor, price_hook and frozen_years are for myopic milestones")
    if foresight == "perfect":
        problem = EnergyProblem(
            system,
            years=years,
            assumptions=assumptions,
            slices=slices,
            perfect_foresight=True,
            base_year=base_year,
            options=options,
            extra_constraints=extra_constraints,
        )
        result = problem.solve(diagnose=diagnose)
        m, program, x = problem.model, problem.program, problem.last_outcome.x
        mwh = dict(zip(m.new_mwh.keys(), program.values(m.new_mwh, x).tolist()))
        built = {k: (v, mwh.get(k, 0.0)) for k, v in zip(m.new_mw.keys(), program.values(m.new_mw, x).tolist())}
        return result, built
    built: dict[tuple[str, int], tuple[float, float]] = {}
    results = []
    start: object | None = None  # the basis a year starts from (store.chain): the sample's previous year's
    start_from: str | None = None  # the content digest of the solve that gave ``start``
    for y in years:
        if store is not None and extra_constraints is None:
            key = (store_key, y, y in frozen_years)
            if store.chain and start is None and price_hook is None and y not in frozen_years:
                start, start_from = reference_basis(
                    store, key, system, y, base_year, options, slices, grid_factor is not None
                )

            def solve_year(y: int = y, key: tuple = key, start: object | None = start) -> tuple:
                problem = store.problem(
                    key,
                    year_system(system, y, grid_factor, y in frozen_years),
                    years=[y],
                    assumptions={y: assumptions[y]},
                    base_year=base_year,
                    built=dict(built),
                    options=options,
                    slices=slices,
                )
                if start is not None:
                    problem.program.highs.setBasis(start)
                if price_hook is not None:
                    problem.set_carbon_price(price_hook(y, problem), y)
                result = problem.solve(diagnose=diagnose)
                new: dict = {}
                record_builds(problem, result, y, new)
                return result, new, problem.program.highs.getBasis() if store.chain else None

            if price_hook is None:  # the same year with the same data (and start): the stored solution
                # the start basis is named by the content of the solve that gave it (the same
                # content gives the same basis), cheaper than digesting the basis itself
                content = (
                    key,
                    assumptions[y],
                    None if grid_factor is None else grid_factor.get(y),
                    sorted(built.items()),
                    sorted((options or {}).items()),
                    id(slices),
                    start_from,
                )
                digest = store.digest(content)
                result, new, basis = store.solution(digest, solve_year)
            else:
                result, new, basis = solve_year()
                digest = None
            start = basis if store.chain and price_hook is None and y not in frozen_years else None
            start_from = digest if start is not None else None
            built.update(new)
            results.append(result)
            continue
        problem = EnergyProblem(
            year_system(system, y, grid_factor, y in frozen_years),
            years=[y],
            assumptions={y: assumptions[y]},
            slices=slices,
            base_year=base_year,
            built=dict(built),
            options=options,
            extra_constraints=extra_constraints,
        )
        if price_hook is not None:
            problem.set_carbon_price(price_hook(y, problem), y)
        result = problem.solve(diagnose=diagnose)
        record_builds(problem, result, y, built)
        results.append(result)
    return combine(results), built


def reference_basis(
    store: ProblemStore,
    key: tuple,
    system: EnergySystem,
    year: int,
    base_year: int,
    options: dict | None,
    slices: TimeSlices | None,
    with_grid_factor: bool,
) -> tuple[object | None, str | None]:
    """A start for the first year of a chain (the first after the frozen ones), which has no
    previous basis of the same structure: the basis of that year's programme solved cold with
    the system's own data (the settings' carbon price and cap, the load profile as it is,
    nothing built before) and, ``with_grid_factor`` (when the samples set the grid import's
    factor), a factor of 1 t/MWh, since any non-zero factor gives the programme the same
    nonzeros as a sample's. It depends on the system and the year only, so every sample of a
    Monte Carlo starts from the same basis and each worker solves it once and keeps it by
    content. On the default county a cold start of that year took ~1,100 simplex iterations,
    this start 14-200. Returns the basis and the digest naming it (None, None when that solve
    cannot be built or does not end optimal: then the year starts cold)."""
    settings = system.settings
    assumptions = YearAssumptions(settings.carbon_price_cny_per_t, settings.co2_cap_t)
    factor = {year: 1.0} if with_grid_factor else None
    content = ("reference", key, assumptions, factor, sorted((options or {}).items()), id(slices))

    def solve() -> object | None:
        try:  # the system's own data may be inadequate where a sample's is not (shedding off)
            problem = store.problem(
                key,
                year_system(system, year, factor, False),
                years=[year],
                assumptions={year: assumptions},
                base_year=base_year,
                built={},
                options=options,
                slices=slices,
            )
        except CarbonError:
            return None
        outcome = problem.program.solve()
        return problem.program.highs.getBasis() if outcome.status == "optimal" else None

    digest = store.digest(content)
    basis = store.solution(digest, solve)
    return (basis, digest) if basis is not None else (None, None)


_YEAR_SYSTEMS: Kept[EnergySystem] = Kept(32)


def year_system(system: EnergySystem, year: int, grid_factor: dict[int, float] | None, frozen: bool) -> EnergySystem:
    """The system of one myopic year: the grid import at that year's factor; when ``frozen``,
    no technology may be built (only the existing system runs). The last few are kept (the
    samples of a Monte Carlo ask for the same ones)."""
    key = (None if grid_factor is None else float(grid_factor[year]), frozen)
    return _YEAR_SYSTEMS.get(system, key, lambda: _year_system(system, year, grid_factor, frozen))


def _year_system(system: EnergySystem, year: int, grid_factor: dict[int, float] | None, frozen: bool) -> EnergySystem:
    """The two changes written into a copy of the checked table: the grid factor is checked
    where the scenario gives it (0-1.5 t/MWh), and a technology that may not be built is
    always valid, so the table's checks (:func:`~carbon.energy.system.with_changes`) need not run again."""
    if grid_factor is None and not frozen:
        return system
    techs = system.technologies.copy()
    if grid_factor is not None:
        techs.loc[techs["kind"] == "grid_import", "co2_t_per_mwh"] = float(grid_factor[year])
    if frozen:
        techs["expandable"] = False
    return replace(system, technologies=techs)


def record_builds(problem: EnergyProblem, result: EnergyResult, year: int, built: dict) -> None:
    """Add what a single-year solve built in ``year`` to ``built`` ({(technology, year): (MW, MWh)}),
    so later myopic milestones count it as existing capacity."""
    cap = result.capacity.set_index("technology")
    for g in problem.data.expandable:
        new_mw = float(cap.at[g, "new_mw"]) - problem.data.built_mw[g, year]
        new_mwh = float(cap.at[g, "new_mwh"]) - problem.data.built_mwh[g, year] if g in problem.data.storages else 0.0
        if new_mw > 1e-9 or new_mwh > 1e-9:
            built[g, year] = (max(new_mw, 0.0), max(new_mwh, 0.0))


def combine(results: list[EnergyResult]) -> EnergyResult:
    """One result from several single-year results (tables stacked, objectives summed)."""
    if len(results) == 1:
        return results[0]
    timings: dict[str, float] = {}
    for r in results:
        for k, v in r.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    return EnergyResult(
        status="optimal",
        objective_cny=sum(r.objective_cny for r in results),
        capacity=pd.concat([r.capacity for r in results], ignore_index=True),
        dispatch=pd.concat([r.dispatch for r in results], ignore_index=True),
        annual=pd.concat([r.annual for r in results], ignore_index=True),
        costs=pd.concat([r.costs for r in results], ignore_index=True),
        years=pd.concat([r.years for r in results], ignore_index=True),
        size={k: sum(r.size.get(k, 0) for r in results) for k in ("columns", "rows", "nonzeros")},
        timings=timings,
    )
