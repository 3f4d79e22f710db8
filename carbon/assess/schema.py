"""The project file (YAML): one investment project, typed and frozen."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from carbon.schema import Section
from carbon.units import UnitError, dimension


class Output(Section):
    """Annual output at full capacity, with its unit (``t``, ``10^4 t``, ``m3``, ``MWh``...)."""

    quantity: float = Field(..., gt=0, description="output per year at full capacity")
    unit: str = Field(..., description="unit of the output, e.g. t, 10^4 t, m3, MWh")

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        try:
            dimension(value)
        except UnitError as err:
            raise ValueError(err.message) from None
        return value


class EnergyUse(Section):
    """Annual use of one fuel or of purchased electricity at full capacity, in an activity unit
    (``10^4 t`` of raw_coal, ``10^4 kWh`` of electricity, ``10^4 m3`` of natural_gas ...)."""

    quantity: float = Field(..., ge=0, description="annual quantity at full capacity (>= 0)")
    unit: str = Field(..., description="activity unit of the item, as in the model's activity.csv")


class ProcessEmissions(Section):
    """Process (non-combustion) emissions at full capacity, t of each gas per year; counted as
    scope 1 in ``category`` (IPCC 2006 Vol.3, industrial processes) and turned into CO2e with the
    run's GWP set."""

    category: str = Field("2.H", description="IPCC category of the process emissions (2.A ... 2.H)")
    co2_t: float = Field(0.0, ge=0, description="CO2, t/yr at full capacity")
    ch4_t: float = Field(0.0, ge=0, description="CH4, t/yr at full capacity (fossil)")
    n2o_t: float = Field(0.0, ge=0, description="N2O, t/yr at full capacity")

    @field_validator("category")
    @classmethod
    def _ippu(cls, value: str) -> str:
        if not (value == "2" or value.startswith("2.")):
            raise ValueError("process emissions are an IPCC category 2 (industrial processes), e.g. 2.A.2")
        return value

    def gases(self) -> dict[str, float]:
        """Gas -> t/yr, the gases given (> 0) only."""
        return {g: v for g, v in (("co2", self.co2_t), ("ch4", self.ch4_t), ("n2o", self.n2o_t)) if v > 0}


class Storage(Section):
    """On-site storage (a battery). Stated effect: it cycles ``cycles_per_year`` times, charging
    ``energy_mwh / round_trip_efficiency`` and giving back ``energy_mwh`` each time, so the
    project's purchased electricity rises by its losses, cycles x energy x (1/efficiency - 1)
    MWh/yr; discharged in the daily peak of ``peak_hours`` it cuts the project's peak load by
    min(power, energy / peak_hours) MW (never below 0)."""

    power_mw: float = Field(..., gt=0, description="charge/discharge power, MW")
    energy_mwh: float = Field(..., gt=0, description="usable energy, MWh")
    round_trip_efficiency: float = Field(0.85, gt=0, le=1, description="energy out / energy in (0-1]")
    cycles_per_year: float = Field(330.0, ge=0, le=730, description="full cycles per year (at most two a day)")
    peak_hours: float = Field(2.0, gt=0, le=24, description="length of the daily peak it discharges in, h")

    def losses_mwh(self) -> float:
        """Electricity lost in a year of cycling, MWh: cycles x energy x (1/efficiency - 1)."""
        return self.cycles_per_year * self.energy_mwh * (1.0 / self.round_trip_efficiency - 1.0)

    def peak_cut_mw(self) -> float:
        """The cut of the daily peak, MW: min(power, energy / peak_hours)."""
        return min(self.power_mw, self.energy_mwh / self.peak_hours)


class ProjectMarket(Section):
    """How the project joins an allowance market of the scenario as a firm (the coupling does it:
    :func:`carbon.coupling.market.with_project_firms`). Its covered emissions are its scope 1 + 2
    CO2e; its free allocation is output x ``benchmark``."""

    join: bool = Field(True, description="join the market (false: stay outside it)")
    market: str = Field("", description="name under the scenario's markets: ('' = its market: section)")
    benchmark: float | None = Field(
        None,
        ge=0,
        description="t CO2e per unit of output (the threshold table's unit); default: the market's "
        "benchmark for the project's sector, else the sector's advanced value",
    )
    mac_slope: float | None = Field(
        None, ge=0, description="marginal abatement cost slope, CNY/t per t abated (none: fixed emissions)"
    )
    mac_intercept: float = Field(0.0, ge=0, description="MAC at zero abatement, CNY/t")


class ProjectSection(Section):
    """One investment project: what it is, when it starts, what it uses and produces.

    Energy uses are activity rows of the inventory (same items and units as ``activity.csv``);
    ``ramp_up`` gives the share of full capacity in the first years after ``start_year`` (1.0
    after the list ends).
    """

    name: str = Field(..., description="project name")
    name_zh: str = Field("", description="project name in Chinese")
    sector: str = Field(..., description="sector of the entry-threshold table (carbon/data/entry_thresholds.csv)")
    product: str = Field(..., description="product of the entry-threshold table")
    activity_sector: str = Field("industry", description="inventory sector its activity joins (industry, services...)")
    category: str = Field("1.A.2", description="IPCC category of its combustion rows")
    town: str = Field("", description="location (town or park)")
    start_year: int = Field(..., ge=1990, le=2100, description="first year of operation")
    ramp_up: tuple[float, ...] = Field((), description="share of full capacity in the first years (0-1)")
    output: Output
    energy: dict[str, EnergyUse] = Field(default_factory=dict, description="item -> annual use at full capacity")
    onsite_renewable_mwh: float = Field(0.0, ge=0, description="own solar/wind used on site, MWh/yr (cuts purchases)")
    process: ProcessEmissions | None = Field(None, description="process emissions by gas at full capacity")
    storage: Storage | None = Field(None, description="on-site storage (raises purchases by its losses, cuts the peak)")
    peak_load_mw: float | None = Field(None, ge=0, description="the project's peak electric load, MW (before storage)")
    market: ProjectMarket | None = Field(
        None,
        description="how it joins the scenario's allowance market (default: "
        "it joins the scenario's market: section, fixed emissions)",
    )
    value_added_10k_cny: float = Field(..., gt=0, description="value added per year at full capacity, 10^4 CNY")
    investment_10k_cny: float = Field(0.0, ge=0, description="fixed-asset investment, 10^4 CNY")
    illustrative: bool = Field(True, description="the numbers are illustrative, not from a real application")

    @field_validator("ramp_up")
    @classmethod
    def _shares(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 <= s <= 1 for s in value):
            raise ValueError("ramp-up shares are between 0 and 1")
        return value

    @model_validator(mode="after")
    def _some_activity(self) -> ProjectSection:
        if not self.energy and not (self.process and self.process.gases()):
            raise ValueError("a project needs at least one energy use or process emission")
        if "electricity" in self.energy and dimension(self.energy["electricity"].unit) != "energy":
            raise ValueError("electricity is given in kWh, MWh or 10^4 kWh")
        return self
