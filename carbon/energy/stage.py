"""The energy stage of a run: model folder + scenario ``energy:`` section -> tables.

Pure: reads the model's input files, solves, returns a :class:`~carbon.results.StageOutput`;
it never prints or writes (the runner writes ``<run>/energy/*.csv|json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from carbon.energy.inputs import YearAssumptions
from carbon.energy.milestones import assumptions_for, solve_milestones
from carbon.energy.outputs import EnergyResult
from carbon.energy.problem import EnergyProblem, mac_curve
from carbon.energy.schema import EnergySection
from carbon.energy.system import EnergySystem, load_system, with_changes
from carbon.results import StageOutput


def resolve_system(section: EnergySection, model_dir: Path) -> EnergySystem:
    """Load ``model_dir/energy`` and apply the section (precedence: section > settings.yaml).

    Applies ``technologies`` overrides, ``settings`` changes, then the resolution shortcuts
    (``hours``, ``days``, ``storage_linking``) and ``solver_options``.
    """
    system = load_system(model_dir)
    settings = dict(section.settings)
    resolution = dict(settings.get("resolution", {}))
    if section.days is not None:
        resolution.update(mode="days", days=section.days)
    if section.hours is not None:
        resolution.update(mode="hours", hours=section.hours)
    if section.storage_linking is not None:
        resolution["storage_linking"] = section.storage_linking
    if resolution:
        settings["resolution"] = resolution
    if section.solver_options:
        settings["solver_options"] = {**settings.get("solver_options", {}), **section.solver_options}
    return with_changes(system, technologies=section.technologies, settings=settings, file="energy section")


def run_energy(section: EnergySection, model_dir: Path) -> tuple[EnergyResult, pd.DataFrame | None]:
    """Solve the section's milestone years; with ``mac_prices`` also the MAC curve per year."""
    system = resolve_system(section, Path(model_dir))
    years = section.years or [section.base_year]
    assumptions = assumptions_for(system, section, years)
    result, built = solve_milestones(
        system,
        years,
        assumptions,
        foresight=section.foresight,
        base_year=section.base_year,
        diagnose=section.diagnose,
    )
    curve = None
    if section.mac_prices:
        frames = []
        for y in years:
            earlier = {key: value for key, value in built.items() if key[1] < y}
            a = assumptions[y]
            problem = EnergyProblem(
                system,
                years=[y],
                assumptions={y: YearAssumptions(0.0, a.co2_cap, a.demand_factor, a.import_price_factor)},
                base_year=section.base_year,
                built=earlier,
            )
            frame = mac_curve(system, section.mac_prices, problem=problem)
            frame.insert(0, "year", y)
            frames.append(frame)
        curve = pd.concat(frames, ignore_index=True)
    return result, curve


def run_stage(section: EnergySection, model_dir: Path) -> StageOutput:
    """The energy stage for the runner.

    Returns tables ``capacity, dispatch, annual, costs, years`` (and ``mac_curve`` when
    ``mac_prices`` is set), the key figures as ``summary`` and ``documents["summary"]``.
    Raises :class:`~carbon.errors.InputError` or :class:`~carbon.errors.SolverError`.
    """
    result, curve = run_energy(section, model_dir)
    tables = result.tables()
    if curve is not None:
        tables["mac_curve"] = curve
    summary: dict[str, Any] = result.summary()
    summary["foresight"] = section.foresight
    summary["years"] = ",".join(str(y) for y in (section.years or [section.base_year]))
    document = {
        **summary,
        "per_year": result.years.to_dict(orient="records"),
        "section": section.model_dump(mode="json"),
    }
    return StageOutput(tables=tables, summary=summary, documents={"summary": document})
