"""One resolver for every quantity a user can set in more than one place.

Homes, and who decides (a conflict between two homes of the same layer is an error that names
both keys; a scenario's value beats the model's files, and the decision is recorded):

- **base year**: ``base_year``, ``pathway.years[0]`` and ``energy.base_year`` must agree;
  none given: the model's ``base_year``.
- **grid emission factor** (t CO2/MWh of grid electricity, scope 2 and the energy model's grid
  import): its one home is the inventory's factor (``co2`` of ``electricity`` in the factor
  set, the model's or scenario's factor file, or ``overrides: factors.co2.electricity``). A
  pathway's ``grid_factor`` gives the later years (linear in between); it may repeat the base
  year only with the same value. ``energy.technologies.<grid import>.co2_t_per_mwh`` and a
  value in ``technologies.csv`` that differs are errors.
- **carbon price** (CNY/t): one of ``pathway.carbon_price`` (linear between years, or
  ``from_market``), ``energy.carbon_price`` (step-wise), ``energy.settings.carbon_price_cny_per_t``;
  none: the model's ``energy/settings.yaml`` (else 0).
- **CO2 cap** (t): one of ``energy.co2_cap``, ``energy.settings.co2_cap_t``; none: the model's
  settings.
- **electricity demand**: in a pathway run, the pathway's end-use electricity (``energy.demand_*``
  is an error); else ``energy.demand_twh`` or ``energy.demand_growth``.
- **resolution and solver options**: ``energy.days|hours|storage_linking|solver_options`` or the
  same keys under ``energy.settings``, not both.

Every decision is a :class:`Decision`; the run writes them to ``decisions.csv`` and its
manifest, and the ``carbon.resolve`` logger reports them (``carbon -v``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbon.energy.schema import EnergySettings, value_in
from carbon.errors import InputError
from carbon.scenario import Scenario

log = logging.getLogger("carbon.resolve")

PATHWAY_ONLY_ENERGY_KEYS = {
    "years": "pathway.milestones",
    "demand_twh": "the pathway's end-use electricity",
    "demand_growth": "the pathway's end-use electricity",
    "mac_prices": "pathway.market_prices",
    "foresight": "myopic milestones (perfect foresight is for energy-only runs)",
    "diagnose": "an energy-only run (carbon energy --diagnose)",
}
"""``energy:`` keys a pathway run decides elsewhere, and where."""

SHORTCUTS = (
    ("days", ("resolution", "days")),
    ("hours", ("resolution", "hours")),
    ("storage_linking", ("resolution", "storage_linking")),
    ("solver_options", ("solver_options",)),
    ("carbon_price", ("carbon_price_cny_per_t",)),
    ("co2_cap", ("co2_cap_t",)),
)
"""``energy.<key>`` and the ``energy.settings`` key it shortcuts: setting both is a conflict."""


@dataclass(frozen=True)
class Decision:
    """How one quantity was decided: its value in a year (None = every year) and where from."""

    quantity: str
    year: int | None
    value: Any
    unit: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class GridFactor:
    """The inventory's grid factor: value (t CO2/MWh) and where it comes from."""

    value: float
    source: str


@dataclass(frozen=True)
class Resolved:
    """The decided values of one run."""

    base_year: int
    years: tuple[int, ...]  # the years the values below are given for
    grid_factor: dict[int, float]  # t CO2/MWh
    carbon_price: dict[int, float] | None  # CNY/t; None when the market sets it
    co2_cap: dict[int, float | None]  # t
    decisions: tuple[Decision, ...]

    def table(self) -> pd.DataFrame:
        """``quantity, year, value, unit, source, note`` (``decisions.csv``)."""
        rows = [asdict(d) for d in self.decisions]
        frame = pd.DataFrame(rows, columns=["quantity", "year", "value", "unit", "source", "note"])
        frame["year"] = frame["year"].astype("Int64")
        frame["value"] = frame["value"].map(lambda v: v if isinstance(v, str) else ("" if v is None else f"{v:.10g}"))
        return frame


def _conflict(what: str, a: str, b: str, file: str | None, found: str | None = None) -> InputError:
    return InputError(f"the {what} is set in two places: {a} and {b}", file=file, key=b,
                      expected=f"one of {a} or {b} (see the resolver rules in carbon/resolve.py)", found=found)


def _nested(data: dict, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def resolve(
    scenario: Scenario,
    *,
    model_base_year: int,
    grid: GridFactor,
    settings: EnergySettings | None = None,
    technologies: pd.DataFrame | None = None,
    file: str | Path | None = None,
) -> Resolved:
    """Decide every multi-home quantity of ``scenario`` (see the module docstring).

    ``settings`` and ``technologies`` are the model's energy files when the run has an energy
    model. Raises :class:`InputError` on a conflict, naming both keys.
    """
    f = None if file is None else str(file)
    decisions: list[Decision] = []
    energy, pathway = scenario.energy, scenario.pathway

    # base year
    given = [(k, v) for k, v in (("base_year", scenario.base_year),
                                 ("pathway.years", pathway.years[0] if pathway else None),
                                 ("energy.base_year", energy.base_year if energy else None)) if v is not None]
    for key, value in given[1:]:
        if value != given[0][1]:
            raise _conflict("base year", given[0][0], key, f, found=f"{given[0][1]} and {value}")
    base_year, source = (given[0][1], given[0][0]) if given else (model_base_year, "model.yaml base_year")
    decisions.append(Decision("base_year", None, base_year, "year", source))

    # the years values are needed for
    if pathway:
        years = tuple(range(pathway.years[0], pathway.years[1] + 1))
    elif energy and energy.years:
        years = tuple(energy.years)
    else:
        years = (base_year,)
    early = [y for y in years if not base_year <= y <= 2100]
    if early:
        raise InputError(f"energy year {early[0]} is outside {base_year}-2100", file=f, key="energy.years",
                         expected=f"years from the base year {base_year} (the system the model describes) to 2100",
                         found=early[0], hint="the energy model projects forward from its base year; it cannot "
                         "solve an earlier year")
    shown = _shown_years(scenario, years)

    if energy is not None:
        for key, path in SHORTCUTS:
            short, long = getattr(energy, key), _nested(energy.settings, path)
            if short not in (None, {}) and long is not None:
                raise _conflict(key.replace("_", " "), f"energy.{key}", "energy.settings." + ".".join(path), f)
        if pathway is not None:
            for key, home in PATHWAY_ONLY_ENERGY_KEYS.items():
                if key in energy.model_fields_set:
                    raise InputError(f"energy.{key} does not apply to a pathway run", file=f, key=f"energy.{key}",
                                     expected=f"remove it: a pathway run takes this from {home}")

    grid_factor = _grid(scenario, grid, base_year, years, technologies, f, decisions, shown)
    price = _price(scenario, settings, years, f, decisions, shown)
    cap = _cap(scenario, settings, years, f, decisions, shown)
    if energy is not None:
        if pathway is not None:
            decisions.append(Decision("electricity_demand", None, "pathway", "MWh", "pathway end-use electricity",
                                      "base year calibrated to the inventory's net purchases (energy/calibration.csv)"))
        elif energy.demand_twh:
            decisions.append(Decision("electricity_demand", None, "demand_twh", "TWh", "energy.demand_twh"))
        else:
            decisions.append(Decision("electricity_demand", None, energy.demand_growth, "1/yr",
                                      "energy.demand_growth" if "demand_growth" in energy.model_fields_set
                                      else "default (no growth)", "load profile x (1 + growth)^(year - base year)"))
    resolved = Resolved(base_year, years, grid_factor, price, cap, tuple(decisions))
    for d in resolved.decisions:
        log.info("%s%s = %s %s (from %s)%s", d.quantity, "" if d.year is None else f"[{d.year}]", d.value, d.unit,
                 d.source, f"; {d.note}" if d.note else "")
    return resolved


def _shown_years(scenario: Scenario, years: tuple[int, ...]) -> list[int]:
    """The years whose values are recorded one by one: milestones (or all, when few)."""
    if scenario.pathway is not None:
        return sorted({years[0], *scenario.pathway.milestones, years[-1]})
    return list(years)


def _grid(scenario: Scenario, grid: GridFactor, base_year: int, years: tuple[int, ...],
          technologies: pd.DataFrame | None, f: str | None, decisions: list[Decision], shown: list[int]) -> dict[int, float]:
    energy, pathway = scenario.energy, scenario.pathway
    if technologies is not None:
        imports = technologies.index[technologies["kind"] == "grid_import"]
        for name in imports:
            if energy is not None and name in energy.technologies and energy.technologies[name].co2_t_per_mwh is not None:
                raise InputError("the grid factor has one home: the inventory's electricity factor", file=f,
                                 key=f"energy.technologies.{name}.co2_t_per_mwh",
                                 expected="overrides: {factors.co2.electricity: t/MWh} for the base year, "
                                 "pathway.grid_factor for later years")
            csv = technologies.at[name, "co2_t_per_mwh"]
            if pd.notna(csv) and csv != 0 and abs(float(csv) - grid.value) > 1e-9:
                raise InputError("the grid factor has one home: the inventory's electricity factor",
                                 key=f"technologies.csv {name}.co2_t_per_mwh", found=f"{csv} vs {grid.value} ({grid.source})",
                                 expected="a blank co2_t_per_mwh for the grid import (it takes the inventory's factor)")
    path = {base_year: grid.value}
    if pathway is not None and pathway.grid_factor:
        for year, value in pathway.grid_factor.items():
            if year == base_year and abs(value - grid.value) > 1e-9:
                raise InputError("the base year's grid factor is set in two places", file=f,
                                 key=f"pathway.grid_factor.{year}", found=f"{value} vs {grid.value} ({grid.source})",
                                 expected="no base-year value in pathway.grid_factor (the inventory's factor is the "
                                 "base year; change it with overrides: {factors.co2.electricity: ...})")
            if year < base_year:
                raise InputError("a grid factor before the base year", file=f, key=f"pathway.grid_factor.{year}",
                                 expected=f"years from {base_year} on")
            path[int(year)] = float(value)
    known = sorted(path)
    values = np.interp(years, known, [path[y] for y in known])
    out = {int(y): float(v) for y, v in zip(years, values)}
    for y in shown:
        src = grid.source if y == base_year else (
            "pathway.grid_factor" if len(known) > 1 else f"{grid.source} (held constant)")
        decisions.append(Decision("grid_factor", y, out[y], "t CO2/MWh", src,
                                  "" if y in path else "linear between the given years"))
    return out


def _price(scenario: Scenario, settings: EnergySettings | None, years: tuple[int, ...], f: str | None,
           decisions: list[Decision], shown: list[int]) -> dict[int, float] | None:
    energy, pathway = scenario.energy, scenario.pathway
    homes = []
    if pathway is not None and pathway.carbon_price is not None:
        homes.append("pathway.carbon_price")
    if energy is not None and energy.carbon_price is not None:
        homes.append("energy.carbon_price")
    if energy is not None and "carbon_price_cny_per_t" in energy.settings:
        homes.append("energy.settings.carbon_price_cny_per_t")
    if len(homes) > 1:
        raise _conflict("carbon price", homes[0], homes[1], f)
    home = homes[0] if homes else None
    if home == "pathway.carbon_price" and pathway is not None:
        if pathway.carbon_price == "from_market":
            if energy is None:
                raise InputError("carbon_price: from_market needs the energy model", file=f, key="pathway.carbon_price",
                                 expected="an energy: section (the power sector's MAC comes from it)")
            if scenario.market is None:
                raise InputError("carbon_price: from_market needs the scenario's market: section", file=f,
                                 key="pathway.carbon_price",
                                 expected="a market: section with the covered firms (the power sector is added)")
            decisions.append(Decision("carbon_price", None, "from_market", "CNY/t", "pathway.carbon_price",
                                      "the market clears at each milestone (market/periods.csv)"))
            return None
        assert isinstance(pathway.carbon_price, dict)
        known = sorted(pathway.carbon_price)
        values = np.interp(years, known, [pathway.carbon_price[y] for y in known])
        out = {int(y): float(v) for y, v in zip(years, values)}
        rule = "linear between the given years, flat outside"
    elif home == "energy.carbon_price" and energy is not None:
        out = {y: float(value_in(energy.carbon_price, y) or 0.0) for y in years}
        rule = "step-wise: the latest given year"
    elif home is not None and energy is not None:
        out = {y: float(energy.settings["carbon_price_cny_per_t"]) for y in years}
        rule = "constant"
    elif settings is not None:
        home = "model energy/settings.yaml carbon_price_cny_per_t"
        out = {y: float(settings.carbon_price_cny_per_t) for y in years}
        rule = "constant"
    else:
        home, rule = "default (none set)", "no carbon price"
        out = {y: 0.0 for y in years}
    for y in shown:
        decisions.append(Decision("carbon_price", y, out[y], "CNY/t", home, rule))
    return out


def _cap(scenario: Scenario, settings: EnergySettings | None, years: tuple[int, ...], f: str | None,
         decisions: list[Decision], shown: list[int]) -> dict[int, float | None]:
    energy = scenario.energy
    if energy is None:
        return {y: None for y in years}
    if energy.co2_cap is not None:
        out = {y: value_in(energy.co2_cap, y) for y in years}
        home = "energy.co2_cap"
    elif "co2_cap_t" in energy.settings:
        value = energy.settings["co2_cap_t"]
        out = {y: None if value is None else float(value) for y in years}
        home = "energy.settings.co2_cap_t"
    else:
        value = settings.co2_cap_t if settings is not None else None
        out = {y: value for y in years}
        home = "model energy/settings.yaml co2_cap_t"
    for y in shown:
        decisions.append(Decision("co2_cap", y, out[y], "t CO2", home, "" if out[y] is not None else "no cap"))
    return out
