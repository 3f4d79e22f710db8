"""The power sector of a pathway from the energy system model, calibrated to the base year.

The base year of a pathway *is* the inventory of the base year. The energy model's base year is
the existing system (nothing new is built) and is calibrated to the inventory:

1. **Load.** The base year's load level is set so that the model's net imports (imports minus
   exports) equal the inventory's net purchased electricity: L <- L + (purchases - net imports),
   a few solves until they agree within 0.1 %. Later milestones scale that load with the
   pathway's end-use electricity (use(m) / use(base year)).
2. **What remains** is carried as a calibration written to ``energy/calibration.csv``: the net
   import offset (purchases minus the model's net imports in the base year, added in every
   year) and the emission factor k = inventory power-sector CO2e / the model's local CO2 in the
   base year (every year's local CO2 and fuel are the model's times k). So the pathway's base
   year equals the inventory to rounding, and later years follow the model's changes.

A :class:`~carbon.pathway.power.PowerPath` table has one row per year (see that module).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from carbon.coupling.cache import SolveCache
from carbon.coupling.market import MarketLink, MarketRecord, market_price_hook
from carbon.energy.inputs import YearAssumptions
from carbon.energy.milestones import solve_milestones, year_system
from carbon.energy.outputs import EnergyResult
from carbon.energy.problem import EnergyProblem, ProblemStore, modelled_load_mwh
from carbon.energy.system import EnergySystem
from carbon.errors import InputError
from carbon.pathway.power import COLUMNS, PowerPath

TOLERANCE = 1e-3
"""Relative agreement of the calibrated base year's net imports with the inventory's purchases."""
MAX_ITERATIONS = 8
FUEL_TCE_PER_T_CO2 = 0.7143 / 1.9003
"""tce per t CO2 of raw coal (China set: 20.908 GJ/t x 26.37 tC/TJ x 44/12 x 0.94 = 1.9003 t CO2/t,
0.7143 tce/t), for local fossil fuel when the inventory has no power-sector fuel to scale."""


@dataclass(frozen=True)
class PowerInputs:
    """What the pathway hands the power system; series are indexed by year."""

    milestones: tuple[int, ...]  # solved years, the base year first
    years: tuple[int, ...]  # every year of the pathway
    purchases_mwh: pd.Series  # end-use net purchased electricity (the inventory's rows), MWh
    grid_factor: pd.Series  # t CO2/MWh of grid electricity
    carbon_price: pd.Series | None  # CNY/t; None when the market sets it
    co2_cap: dict[int, float | None]  # t; None = no cap
    import_price_factor: dict[int, float]
    power_co2e_t: float  # the base year's inventory, power sector (1.A.1), t CO2e
    power_fuel_tce: pd.Series  # the inventory's power-sector fossil fuel, tce
    added_mwh: pd.Series | None = None  # new loads in the purchases (projects), MWh: added, not scaled

    @property
    def base_year(self) -> int:
        return self.milestones[0]

    def base_key(self) -> dict:
        """Plain data identifying the base year's inputs (what the load calibration depends on)."""
        b = self.base_year
        price = None if self.carbon_price is None else float(self.carbon_price[b])
        return {"year": b, "purchases": float(self.purchases_mwh[b]), "grid": float(self.grid_factor[b]),
                "price": price, "cap": self.co2_cap.get(b), "ipf": self.import_price_factor.get(b, 1.0)}

    def key(self) -> dict:
        """Plain data identifying these inputs (for the solve cache)."""
        m = list(self.milestones)
        price = None if self.carbon_price is None else [float(self.carbon_price[y]) for y in m]
        added = [0.0 if self.added_mwh is None else float(self.added_mwh.get(y, 0.0)) for y in m]
        return {"milestones": m, "purchases": [float(self.purchases_mwh[y]) for y in m], "added": added,
                "grid": [float(self.grid_factor[y]) for y in m], "price": price,
                "cap": [self.co2_cap.get(y) for y in m], "ipf": [self.import_price_factor.get(y, 1.0) for y in m]}


@dataclass(frozen=True)
class Calibration:
    """How the energy model's base year was made to agree with the inventory."""

    year: int
    demand_factor: float  # base-year load / the profile's load
    load_mwh: float
    iterations: int
    inventory_net_purchases_mwh: float
    model_net_imports_mwh: float  # at the milestone solve of the base year
    net_import_offset_mwh: float  # added to the model's net imports in every year
    inventory_power_co2e_t: float
    model_local_co2_t: float
    co2_factor: float  # k: every year's local CO2 = model x k
    co2_offset_t: float  # used only when the model's base-year local CO2 is zero

    def table(self) -> pd.DataFrame:
        """``quantity, value, unit`` rows for ``energy/calibration.csv``."""
        units = {"year": "", "demand_factor": "", "load_mwh": "MWh", "iterations": "",
                 "inventory_net_purchases_mwh": "MWh", "model_net_imports_mwh": "MWh",
                 "net_import_offset_mwh": "MWh", "inventory_power_co2e_t": "t CO2e",
                 "model_local_co2_t": "t CO2", "co2_factor": "", "co2_offset_t": "t CO2e"}
        return pd.DataFrame([{"quantity": k, "value": float(v), "unit": units[k]} for k, v in asdict(self).items()])


def _net_imports(result: EnergyResult, year: int) -> float:
    y = result.years.set_index("year")
    return float(y.at[year, "imports_mwh"] - y.at[year, "exports_mwh"])


def calibrate_load(system: EnergySystem, inputs: PowerInputs, profile: float, store: ProblemStore | None = None,
                   store_key: str = "") -> tuple[float, int]:
    """The base year's demand factor that makes the existing system's net imports equal the
    inventory's purchases (step 1 of the module docstring); and the solves it took. With a
    ``store`` the base year's compiled problem is re-solved with each load."""
    year = inputs.base_year
    target = float(inputs.purchases_mwh[year])
    price = 0.0 if inputs.carbon_price is None else float(inputs.carbon_price[year])
    frozen = year_system(system, year, {year: float(inputs.grid_factor[year])}, frozen=True)
    base = profile  # MWh at demand factor 1
    load = base
    for i in range(1, MAX_ITERATIONS + 1):
        assumptions = YearAssumptions(price, inputs.co2_cap.get(year), load / base,
                                      inputs.import_price_factor.get(year, 1.0))
        if store is not None:
            problem = store.problem((store_key, "calibration", year), frozen, years=[year],
                                    assumptions={year: assumptions}, base_year=year)
        else:
            problem = EnergyProblem(frozen, years=[year], assumptions={year: assumptions}, base_year=year)
        result = problem.solve()
        gap = target - _net_imports(result, year)
        if abs(gap) <= TOLERANCE * max(abs(target), 1.0):
            return load / base, i
        load = max(load + gap, 1e-3 * base)
    return load / base, MAX_ITERATIONS


def power_from_energy_model(
    system: EnergySystem,
    inputs: PowerInputs,
    cache: SolveCache,
    system_key: str,
    market: MarketLink | None = None,
) -> tuple[PowerPath, Calibration, EnergyResult, MarketRecord | None]:
    """Solve the energy model at the milestones (myopic, the base year frozen and calibrated)
    and give the pathway its power sector for every year (interpolated between milestones).

    ``system_key`` identifies ``system`` for ``cache`` (its files and the scenario's changes).
    Returns the power path, the calibration, the energy result and, with ``market``, what the
    market decided at each milestone.
    """
    if (inputs.carbon_price is None) != (market is not None):
        raise ValueError("give a carbon price path or a market, not both")
    base = inputs.base_year
    profile = modelled_load_mwh(system)  # the annual load the model sees at demand factor 1, MWh
    factor, iterations = cache.get(SolveCache.key("calibration", system_key, inputs.base_key()),
                                   lambda: calibrate_load(system, inputs, profile, cache.problems, system_key))
    added = inputs.added_mwh.reindex(inputs.purchases_mwh.index, fill_value=0.0) if inputs.added_mwh is not None \
        else inputs.purchases_mwh * 0.0
    existing = inputs.purchases_mwh - added
    use = existing / existing[base] if existing[base] > 0 else existing * 0.0 + 1.0
    milestones = list(inputs.milestones)
    # the county's existing demand grows with its end-use electricity; a new load (a project)
    # adds its own MWh, not a multiple of them
    assumptions = {m: YearAssumptions(0.0 if inputs.carbon_price is None else float(inputs.carbon_price[m]),
                                      inputs.co2_cap.get(m), factor * float(use[m]) + float(added[m]) / profile,
                                      inputs.import_price_factor.get(m, 1.0)) for m in milestones}

    def solve() -> tuple[EnergyResult, MarketRecord | None]:
        record = MarketRecord() if market else None
        hook = market_price_hook(market, record) if market and record is not None else None
        result, _ = solve_milestones(system, milestones, assumptions, base_year=base,
                                     grid_factor={m: float(inputs.grid_factor[m]) for m in milestones},
                                     price_hook=hook, frozen_years={base}, store=cache.problems,
                                     store_key=system_key)
        return result, record

    key = SolveCache.key("milestones", system_key, inputs.key(), factor, market.key() if market else None)
    result, record = cache.get(key, solve)
    if result.status != "optimal":
        raise InputError(f"the energy model ended {result.status}", key="energy")
    y = result.years.set_index("year")
    local = result.local_co2_t().reindex(y.index, fill_value=0.0)
    model_net_b = _net_imports(result, base)
    offset = float(inputs.purchases_mwh[base]) - model_net_b
    model_co2_b = float(local[base])
    if model_co2_b > 0:
        k, co2_offset = inputs.power_co2e_t / model_co2_b, 0.0
    else:
        k, co2_offset = 1.0, inputs.power_co2e_t
    calibration = Calibration(base, factor, float(y.at[base, "load_mwh"]), iterations, float(inputs.purchases_mwh[base]),
                              model_net_b, offset, inputs.power_co2e_t, model_co2_b, k, co2_offset)
    local_co2 = local * k + co2_offset
    fuel_b = float(inputs.power_fuel_tce[base])
    fuel_per_co2 = fuel_b / inputs.power_co2e_t if inputs.power_co2e_t > 0 and fuel_b > 0 else FUEL_TCE_PER_T_CO2
    points = pd.DataFrame({
        "demand_mwh": y["load_mwh"], "local_co2_t": local_co2,
        "imports_mwh": y["imports_mwh"] + offset, "exports_mwh": y["exports_mwh"],
        "renewable_mwh": y["renewable_share"] * y["load_mwh"],
        "local_fuel_tce": local_co2 * fuel_per_co2,
        "carbon_price_cny_per_t": y["carbon_price_cny_per_t"],
    })
    years = list(inputs.years)
    table = pd.DataFrame({"year": years})
    for column in points.columns:
        table[column] = np.interp(years, points.index.to_numpy(), points[column].to_numpy())
    table["replaced_fuel_tce"] = inputs.power_fuel_tce.reindex(years, fill_value=0.0).to_numpy()
    return PowerPath(table[COLUMNS], milestones), calibration, result, record
