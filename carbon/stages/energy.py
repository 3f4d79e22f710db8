"""The energy stage of a run: model folder + the scenario's typed ``energy:`` section, with the
resolved carbon price, cap and grid factor -> tables (pure: it never prints or writes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from carbon.coupling.cache import SolveCache
from carbon.coupling.market import MarketLink
from carbon.coupling.power import PowerInputs, power_from_energy_model
from carbon.energy.inputs import YearAssumptions
from carbon.energy.milestones import solve_milestones, year_system
from carbon.energy.outputs import EnergyResult
from carbon.energy.problem import EnergyProblem, mac_curve, modelled_load_mwh
from carbon.energy.schema import EnergySection, value_in
from carbon.energy.system import EnergySystem, load_system, with_changes
from carbon.inventory.accounting import Inventory
from carbon.model import Model, load_model
from carbon.pathway.drivers import interpolate
from carbon.pathway.power import PowerPath, is_power
from carbon.resolve import GridFactor, Resolved, resolve
from carbon.results import StageOutput
from carbon.scenario import Scenario

SYSTEM_CACHE = 8
"""Resolved energy systems kept per process (a run asks for its system several times and the
samples of a Monte Carlo share one)."""
_SYSTEMS: dict[tuple, EnergySystem] = {}


def _stamps(model_dir: Path) -> tuple:
    """Names, sizes and modification times of the energy input files of a model folder."""
    inputs = model_dir / "energy" if (model_dir / "energy").is_dir() else model_dir
    files = sorted(p for p in inputs.glob("*") if p.is_file()) if inputs.is_dir() else []
    return (str(model_dir.resolve()), *((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files))


def _kept(key: tuple, make) -> EnergySystem:
    if key not in _SYSTEMS:
        if len(_SYSTEMS) >= SYSTEM_CACHE:
            _SYSTEMS.pop(next(iter(_SYSTEMS)))
        _SYSTEMS[key] = make()
    return _SYSTEMS[key]


def model_system(model_dir: Path) -> EnergySystem:
    """:func:`load_system` of a model folder, kept per process like :func:`resolve_system`."""
    folder = Path(model_dir)
    return _kept(("model", _stamps(folder)), lambda: load_system(folder))


def resolve_system(section: EnergySection, model_dir: Path) -> EnergySystem:
    """Load ``model_dir/energy`` and apply the section (precedence: section > settings.yaml).

    Applies ``technologies`` overrides, ``settings`` changes, then the resolution shortcuts
    (``hours``, ``days``, ``storage_linking``) and ``solver_options`` (the resolver has checked
    that a shortcut and its settings key are not both set). Kept per process for the same
    section and files (names, sizes and modification times); systems are never changed in
    place (:func:`with_changes` makes new ones).
    """
    folder = Path(model_dir)
    return _kept((section.model_dump_json(), _stamps(folder)), lambda: _resolve_system(section, folder))


def _resolve_system(section: EnergySection, model_dir: Path) -> EnergySystem:
    system = model_system(model_dir)
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


def model_grid_factor(model_dir: Path, system: EnergySystem) -> GridFactor:
    """The grid factor of a model folder without a scenario: its inventory's, or (a folder with
    only ``energy/``) the grid import's value in ``technologies.csv``."""
    if (Path(model_dir) / "model.yaml").is_file():
        from carbon.stages.inventory import grid_factor_of

        return grid_factor_of(load_model(model_dir))
    techs = system.technologies
    values = techs.loc[techs["kind"] == "grid_import", "co2_t_per_mwh"].dropna()
    return GridFactor(float(values.iloc[0]) if len(values) else 0.0, "technologies.csv (no model.yaml)")


def resolve_energy_only(section: EnergySection, model_dir: Path) -> Resolved:
    """The resolved values of an energy-only run from the command line (``carbon energy``)."""
    system = load_system(model_dir)
    grid = model_grid_factor(model_dir, system)
    base_year = 2020
    if (Path(model_dir) / "model.yaml").is_file():
        base_year = load_model(model_dir).base_year
    scenario = Scenario(name="energy", model=str(model_dir), energy=section)
    return resolve(scenario, model_base_year=base_year, grid=grid, settings=system.settings,
                   technologies=system.technologies if grid.source.startswith("inventory") else None)


def run_energy(section: EnergySection, model_dir: Path,
               resolved: Resolved | None = None) -> tuple[EnergyResult, pd.DataFrame | None, Resolved]:
    """Solve the section's milestone years; with ``mac_prices`` also the MAC curve per year."""
    resolved = resolved or resolve_energy_only(section, Path(model_dir))
    system = resolve_system(section, Path(model_dir))
    years = list(resolved.years)
    base = resolved.base_year
    profile = modelled_load_mwh(system)
    assumptions = {}
    for y in years:
        demand = (value_in(section.demand_twh, y) * 1e6 / profile if section.demand_twh
                  else (1.0 + section.demand_growth) ** (y - base))
        assumptions[y] = YearAssumptions(resolved.carbon_price[y] if resolved.carbon_price else 0.0,
                                         resolved.co2_cap[y], demand, value_in(section.import_price_factor, y) or 1.0)
    myopic = section.foresight == "myopic"
    if not myopic:  # one model over all years: the grid factor of the first year
        system = year_system(system, years[0], resolved.grid_factor, frozen=False)
    result, built = solve_milestones(system, years, assumptions, foresight=section.foresight, base_year=base,
                                     diagnose=section.diagnose, grid_factor=resolved.grid_factor if myopic else None)
    curve = None
    if section.mac_prices:
        frames = []
        for y in years:
            earlier = {key: value for key, value in built.items() if key[1] < y}
            a = assumptions[y]
            year_sys = year_system(system, y, resolved.grid_factor, frozen=False)
            problem = EnergyProblem(year_sys, years=[y], base_year=base, built=earlier,
                                    assumptions={y: YearAssumptions(0.0, a.co2_cap, a.demand_factor,
                                                                    a.import_price_factor)})
            frame = mac_curve(year_sys, section.mac_prices, problem=problem)
            frame.insert(0, "year", y)
            frames.append(frame)
        curve = pd.concat(frames, ignore_index=True)
    return result, curve, resolved


def run_stage(section: EnergySection, model_dir: Path, resolved: Resolved | None = None) -> StageOutput:
    """The energy stage of an energy-only run.

    Returns tables ``capacity, dispatch, annual, costs, years`` (and ``mac_curve`` when
    ``mac_prices`` is set), the key figures as ``summary`` and ``documents["summary"]``.
    Raises :class:`~carbon.errors.InputError` or :class:`~carbon.errors.SolverError`.
    """
    result, curve, resolved = run_energy(section, model_dir, resolved)
    tables = result.tables()
    if curve is not None:
        tables["mac_curve"] = curve
    summary: dict[str, Any] = result.summary()
    summary["foresight"] = section.foresight
    summary["years"] = ",".join(str(y) for y in resolved.years)
    document = {**summary, "per_year": result.years.to_dict(orient="records"),
                "section": section.model_dump(mode="json")}
    return StageOutput(tables=tables, summary=summary, documents={"summary": document})


def power_stage(model: Model, scenario: Scenario, resolved: Resolved, cache: SolveCache, inv: Inventory,
                purchases: pd.Series, base_dir: Path,
                added_mwh: pd.Series | None = None) -> tuple[PowerPath, Any, StageOutput, StageOutput | None]:
    """The power sector of a pathway run from the energy model (through the coupling room).

    Returns the power path, the calibration, the energy stage's output (with ``calibration``)
    and the market's output with ``carbon_price: from_market`` (else None).
    """
    section, pathway = scenario.energy, scenario.pathway
    assert section is not None and pathway is not None
    years = list(resolved.years)
    first = years[0]
    milestones = list(years) if pathway.energy_every_year else sorted({first, *pathway.milestones})
    system = resolve_system(section, model.path)
    e = inv.emissions
    power_rows = e[~e["memo"] & is_power(e["category"]) & (e["year"] == first)]
    energy = inv.energy
    power_fuel = energy[is_power(energy["category"]) & ~energy["biogenic"]].groupby("year")["energy_tce"].sum()
    inputs = PowerInputs(
        milestones=tuple(milestones), years=tuple(years), purchases_mwh=purchases,
        grid_factor=pd.Series(resolved.grid_factor), co2_cap=resolved.co2_cap,
        carbon_price=None if resolved.carbon_price is None else pd.Series(resolved.carbon_price),
        import_price_factor={m: value_in(section.import_price_factor, m) or 1.0 for m in milestones},
        power_co2e_t=float(power_rows["co2e_t"].sum()), power_fuel_tce=power_fuel.reindex(years, fill_value=0.0),
        added_mwh=added_mwh)
    link = None
    if resolved.carbon_price is None:
        assert scenario.market is not None
        free = interpolate(pathway.power_free_allocation, years, key="pathway.power_free_allocation")
        link = MarketLink(scenario.market, tuple(pathway.market_prices), {m: float(free[m]) for m in milestones},
                          Path(base_dir))
    system_key = SolveCache.key(section.model_dump(mode="json"), _stamps(Path(model.path)))
    power, calibration, result, record = power_from_energy_model(system, inputs, cache, system_key, link)
    tables = {**result.tables(), "calibration": calibration.table()}
    summary = {**result.summary(), "milestones": ",".join(map(str, milestones)),
               "calibration_demand_factor": calibration.demand_factor, "calibration_co2_factor": calibration.co2_factor}
    energy_out = StageOutput(tables=tables, summary=summary,
                             documents={"summary": {**summary, "section": section.model_dump(mode="json")}})
    market_out = None
    if record is not None:
        market_tables = record.tables()
        market_out = StageOutput(tables=market_tables,
                                 summary={"price_mean": float(market_tables["periods"]["price"].mean())})
    return power, calibration, energy_out, market_out
