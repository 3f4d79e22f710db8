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
        if not self.energy:
            raise ValueError("a project needs at least one energy use")
        if "electricity" in self.energy and dimension(self.energy["electricity"].unit) != "energy":
            raise ValueError("electricity is given in kWh, MWh or 10^4 kWh")
        return self
