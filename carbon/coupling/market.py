"""The quota market sets the power system's carbon price, milestone by milestone
(``pathway.carbon_price: from_market``).

At each milestone year m, in order (myopic, like the energy model's milestones):

1. the energy model of year m, with what earlier milestones built, is solved at a list of
   carbon prices: the emissions of LOCAL generation at each price are the power sector's MAC
   curve (China's ETS covers generators, not the grid electricity a county imports);
2. the scenario's market is cleared for the single period m (per-period values of the firms,
   auction and offsets taken at m, no banking between milestones), with the power sector as the
   firm ``power`` whose MAC is that curve and whose free allocation is
   ``power_free_allocation`` x its emissions at price 0;
3. the energy model of year m is solved at the market's price, and what it builds stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from carbon import units
from carbon.energy.problem import EnergyProblem, mac_curve
from carbon.errors import InputError
from carbon.market.clearing import clear
from carbon.market.inputs import build_inputs
from carbon.market.schema import FirmSection, MacSection, MarketSection
from carbon.market.units import _GAS, allowance_unit

POWER_FIRM = "power"
PER_PERIOD_SECTIONS = ("auction", "offsets", "ceiling", "penalty")


def _cut(value: Any, i: int, n: int) -> Any:
    """The period-``i`` value of a per-period list of length ``n`` (other values as they are)."""
    if isinstance(value, list) and len(value) == n and value and not isinstance(value[0], (list, tuple)):
        return value[i]
    return value


def _cut_section(section: Any, i: int, n: int) -> Any:
    return section.model_copy(update={k: _cut(getattr(section, k), i, n) for k in type(section).model_fields})


def market_for_period(market: MarketSection, year: int, curve: pd.DataFrame, free_share: float) -> MarketSection:
    """The one-period market of ``year`` (a typed copy): per-period lists cut at ``year`` and the
    power firm added with the energy model's curve of local generation."""
    periods = list(market.periods)
    earlier = [i for i, p in enumerate(periods) if p <= year]
    if not earlier:
        raise InputError(
            f"the market has no period at or before {year}",
            key="market.periods",
            expected=f"periods covering the pathway's milestones (first {year})",
            found=periods,
        )
    if not isinstance(market.firms, list):
        raise InputError(
            "with carbon_price: from_market the market's firms must be listed in the scenario",
            key="market.firms",
            expected="a list of firms",
            found=type(market.firms).__name__,
        )
    if any(f.id == POWER_FIRM for f in market.firms):
        raise InputError(
            f"the firm id {POWER_FIRM!r} is the power sector, which the energy model supplies",
            key="market.firms",
            expected="no firm with that id",
        )
    i, n = earlier[-1], len(periods)
    firms = [_cut_section(f, i, n) for f in market.firms]
    baseline = float(curve["emissions_t"].iloc[0])
    points = [(float(p), float(e)) for p, e in zip(curve["carbon_price_cny_per_t"], curve["emissions_t"])]
    firms.append(
        FirmSection(id=POWER_FIRM, sector="power", mac=MacSection(curve=points), allocation=free_share * baseline)
    )
    update: dict[str, Any] = {"firms": firms, "periods": [year], "banking": False, "initial_bank": 0.0, "msr": None}
    for key in PER_PERIOD_SECTIONS:
        part = getattr(market, key)
        if part is not None:
            update[key] = _cut_section(part, i, n)
    if market.allocation.firms:  # explicit allocations by firm id (e.g. a project's) cut at the period too
        cut = {k: _cut(v, i, n) for k, v in market.allocation.firms.items()}
        update["allocation"] = market.allocation.model_copy(update={"firms": cut})
    return market.model_copy(update=update)


@dataclass(frozen=True)
class MarketLink:
    """What the coupling needs to clear the market at each milestone."""

    section: MarketSection
    prices: tuple[float, ...]  # CNY/t at which the MAC curve is sampled
    free_share: dict[int, float]  # power's free allocation / its emissions at price 0, by year
    base_dir: Path  # folder of the scenario file (relative paths of the market)

    def key(self) -> dict:
        """Plain data identifying the link (for the solve cache)."""
        return {
            "section": self.section.model_dump(mode="json"),
            "prices": list(self.prices),
            "free_share": self.free_share,
            "base_dir": str(self.base_dir),
        }


@dataclass
class MarketRecord:
    """The market's price and tables at each milestone, filled while the milestones solve."""

    prices: dict[int, float] = field(default_factory=dict)
    periods: list[pd.DataFrame] = field(default_factory=list)
    firms: list[pd.DataFrame] = field(default_factory=list)
    power_baseline_t: dict[int, float] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "periods": pd.concat(self.periods, ignore_index=True),
            "firms": pd.concat(self.firms, ignore_index=True),
        }


def market_price_hook(link: MarketLink, record: MarketRecord):
    """A price hook for :func:`carbon.energy.milestones.solve_milestones`: steps 1-2 of the module
    docstring; the milestone then solves at the returned price (step 3)."""

    def hook(year: int, problem: EnergyProblem) -> float:
        curve = mac_curve(problem.system, list(link.prices), problem=problem, local_only=True)
        section = market_for_period(link.section, year, curve, link.free_share[year])
        inputs = build_inputs(section, link.base_dir, prefix="market")
        result = clear(inputs)
        periods = result.periods
        price = float(periods["price"].iloc[0])
        record.prices[year] = price
        record.power_baseline_t[year] = float(curve["emissions_t"].iloc[0])
        record.periods.append(periods)
        record.firms.append(result.firms)
        return price

    return hook


def per_tonne(unit: str, key: str = "market.unit") -> float:
    """Units of an allowance of ``unit`` per t CO2e (``tCO2e`` 1, ``ktCO2`` 0.001): a project joins
    only a market of a mass of CO2 (:func:`carbon.market.units.allowance_unit`)."""
    try:
        mass = allowance_unit(unit) == "mass"
    except ValueError:
        mass = False
    if not mass:
        raise InputError(
            f"a project joins a market of tCO2 or tCO2e, not of {unit}",
            key=key,
            expected="a mass of CO2 such as tCO2, tCO2e or ktCO2 (or market: {join: false} in the project file)",
            found=unit,
        )
    match = _GAS.match(unit.strip())
    return units.factor("t", (match["base"] if match else unit).strip())


@dataclass(frozen=True)
class ProjectFirm:
    """An investment project as a firm of an allowance market (issue 15): per-period covered
    emissions (t CO2e, scope 1 + 2), output (the benchmark's unit) and free allocation
    (output x benchmark, t CO2e per output unit), and a linear MAC (``mac_slope`` None: fixed
    emissions; CNY/t per t abated). :func:`with_project_firms` turns them into the market's unit."""

    id: str
    sector: str
    emissions_t: list[float]
    output: list[float]
    benchmark: float
    mac_slope: float | None = None
    mac_intercept: float = 0.0

    @property
    def allocation_t(self) -> list[float]:
        return [q * self.benchmark for q in self.output]


def with_project_firms(market: MarketSection, firms: list[ProjectFirm], key: str = "market") -> dict:
    """The market's ``firms`` and ``allocation`` with the projects joined (plain data for
    :meth:`carbon.scenario.Scenario.with_values` under ``key``), in the market's unit. Each project's
    free allocation (output x its benchmark, added to the supply like a new-entrant reserve) is
    written once: as the firm's own ``allocation`` where the market's rule reads it (``explicit``,
    ``china_power`` without a unit type), else by id in ``allocation.firms`` (the other firms'
    allocations are unchanged: under grandfathering its historical emissions are 0, under a
    benchmark rule without its sector the sector is added)."""
    scale = per_tonne(market.unit, f"{key}.unit")
    if not isinstance(market.firms, list):
        raise InputError(
            "to join a project to a market, its firms must be listed in the scenario",
            key=f"{key}.firms",
            expected="a list of firms",
            found=f"the file {market.firms}",
        )
    taken = {f.id for f in market.firms}
    for firm in firms:
        if firm.id in taken:
            raise InputError(
                f"the project firm id {firm.id!r} is already a firm of the market",
                key=f"{key}.firms",
                expected="a firm id not used by the market",
            )
    rows = [f.model_dump(mode="json", exclude_none=True) for f in market.firms]
    allocation = market.allocation.model_dump(mode="json", exclude_none=True)
    own_row = market.allocation.method in ("explicit", "china_power")
    fixed = dict(allocation.get("firms") or {})
    for firm in firms:
        mac = (
            "none"
            if firm.mac_slope is None
            else {"slope": firm.mac_slope / scale**2, "intercept": firm.mac_intercept / scale}
        )
        free = [a * scale for a in firm.allocation_t]
        row = {
            "id": firm.id,
            "sector": firm.sector,
            "baseline": [e * scale for e in firm.emissions_t],
            "output": firm.output,
            "mac": mac,
            "historical": 0.0,
        }
        if own_row:
            row["allocation"] = free
        else:
            fixed[firm.id] = free
        rows.append(row)
        bench = allocation.get("benchmark")
        if market.allocation.method == "benchmark" and isinstance(bench, dict) and firm.sector not in bench:
            allocation["benchmark"] = {**bench, firm.sector: firm.benchmark * scale}
    if fixed:
        allocation["firms"] = fixed
    return {f"{key}.firms": rows, f"{key}.allocation": allocation}
