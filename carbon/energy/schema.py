"""Schemas of the energy inputs: ``settings.yaml`` and a scenario's ``energy:`` section.

Both reject unknown keys (typos fail at load time) and document every field with its unit.
Precedence, highest first: command line > scenario ``energy:`` section > model ``settings.yaml``
> the defaults written here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from carbon.schema import Section

YearValue = float | dict[int, float]
"""A number for every year, or a mapping ``{year: number}`` (years not listed use the nearest
earlier listed year, or the first one)."""


class DemandResponse(Section):
    """Flexible load at the default node."""

    shift_mw: float | None = Field(None, ge=0, description="Load that may move out of or into each hour, MW.")
    shift_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Alternatively, the share of each hour's load that may move (0-1).",
    )
    shift_cost_cny_per_mwh: float = Field(0.0, ge=0, description="Cost of the energy moved out of an hour, CNY/MWh.")
    interruptible_mw: float = Field(0.0, ge=0, description="Load that may be interrupted in any hour, MW.")
    interruptible_cost_cny_per_mwh: float = Field(0.0, ge=0, description="Cost of interrupted energy, CNY/MWh.")

    @model_validator(mode="after")
    def _one_shift(self) -> DemandResponse:
        if self.shift_mw is not None and self.shift_share is not None:
            raise ValueError("give either shift_mw or shift_share, not both")
        return self


class Resolution(Section):
    """Time resolution of the dispatch."""

    mode: Literal["hours", "days"] = Field(
        "hours", description="`hours`: every hour of the profiles; `days`: K representative days."
    )
    hours: int | None = Field(
        None,
        gt=0,
        description="Use only the first N hours of the profiles (hours mode); default all.",
    )
    days: int = Field(24, gt=0, description="Number K of representative days (days mode).")
    peak_day: bool = Field(False, description="Days mode: keep the day of peak load as its own representative day.")
    storage_linking: Literal["chronological", "cyclic"] = Field(
        "chronological",
        description="Days mode: `chronological` carries the state of charge through the year's "
        "sequence of days (Kotzur et al. 2018); `cyclic` makes storage cyclic within each day.",
    )


class EnergySettings(Section):
    """The model's ``energy/settings.yaml``."""

    discount_rate: float = Field(0.06, ge=0, lt=1, description="Real discount rate for annualising capital (0-1).")
    hours_per_year: float = Field(
        8760.0,
        gt=0,
        description="Hours the modelled horizon stands for: each modelled hour weighs "
        "hours_per_year / modelled hours (hours mode), so costs and emissions are annual.",
    )
    default_node: str = Field("county", description="Node of technologies with a blank `node`.")
    value_of_lost_load_cny_per_mwh: float = Field(
        30000.0, gt=0, description="Cost of unserved energy (shedding), CNY/MWh."
    )
    allow_shedding: bool = Field(True, description="Whether load may be shed at the value of lost load.")
    demand_response: DemandResponse = Field(default_factory=DemandResponse)
    co2_cap_t: float | None = Field(None, ge=0, description="Annual CO2 cap, t; none if blank.")
    carbon_price_cny_per_t: float = Field(0.0, description="Carbon price on emissions, CNY/t.")
    min_renewable_share: float | None = Field(
        None, ge=0, le=1, description="Minimum share of annual load met by renewable output (0-1)."
    )
    renewable_carriers: list[str] = Field(
        default_factory=lambda: ["wind", "solar", "biomass", "waste", "hydro", "geothermal"],
        description="Carriers counted as renewable.",
    )
    reserve_margin: float | None = Field(
        None, ge=0, description="Firm capacity must exceed (1 + margin) x peak load (0.15 = 15%)."
    )
    resolution: Resolution = Field(default_factory=Resolution)
    solver_options: dict[str, Any] = Field(
        default_factory=dict,
        description="HiGHS options (e.g. solver: ipm | simplex | pdlp, time_limit: seconds).",
    )


class TechnologyOverride(Section):
    """Changes to one row of ``technologies.csv`` (any numeric or flag column)."""

    existing_mw: float | None = Field(None, ge=0)
    max_mw: float | None = Field(None, ge=0)
    expandable: bool | None = None
    capex_cny_per_kw: float | None = Field(None, ge=0)
    lifetime_years: float | None = Field(None, gt=0)
    annual_capex_cny_per_mw: float | None = Field(None, ge=0)
    fom_cny_per_mw_year: float | None = Field(None, ge=0)
    vom_cny_per_mwh: float | None = None
    co2_t_per_mwh: float | None = Field(None, ge=0)
    min_load: float | None = Field(None, ge=0, le=1)
    capacity_credit: float | None = Field(None, ge=0, le=1)
    energy_capex_cny_per_kwh: float | None = Field(None, ge=0)
    annual_energy_capex_cny_per_mwh: float | None = Field(None, ge=0)
    existing_mwh: float | None = Field(None, ge=0)
    efficiency_charge: float | None = Field(None, gt=0, le=1)
    efficiency_discharge: float | None = Field(None, gt=0, le=1)
    standing_loss_per_hour: float | None = Field(None, ge=0, lt=1)
    energy_to_power_min: float | None = Field(None, ge=0)
    energy_to_power_max: float | None = Field(None, ge=0)


class EnergySection(Section):
    """The ``energy:`` section of a scenario (all optional; the model's files give the rest)."""

    base_year: int | None = Field(
        None, description="Year of the model's profiles and existing capacity (default: the model's base year)."
    )
    years: list[int] | None = Field(
        None, description="Milestone years to solve (e.g. [2025, 2030, 2035]); default [base_year]."
    )
    foresight: Literal["myopic", "perfect"] = Field(
        "myopic",
        description="`myopic`: solve milestones in turn, keeping what was built; `perfect`: "
        "optimise all milestones at once (discounted to base_year).",
    )
    hours: int | None = Field(None, gt=0, description="Hours resolution: the first N hours (default all).")
    days: int | None = Field(None, gt=0, description="Representative-days resolution with K days.")
    storage_linking: Literal["chronological", "cyclic"] | None = Field(
        None, description="Storage across representative days (see settings.resolution)."
    )
    carbon_price: YearValue | None = Field(None, description="Carbon price, CNY/t (or {year: CNY/t}).")
    co2_cap: YearValue | None = Field(None, description="Annual CO2 cap, t (or {year: t}).")
    demand_growth: float = Field(0.0, gt=-1, description="Annual growth rate of load after base_year (0.03 = 3 %/yr).")
    demand_twh: dict[int, float] | None = Field(
        None, description="Annual demand per year, TWh (scales the load profile); overrides growth."
    )
    import_price_factor: YearValue | None = Field(
        None, description="Multiplier on grid import prices (or {year: factor})."
    )
    technologies: dict[str, TechnologyOverride] = Field(
        default_factory=dict, description="Per-technology changes to technologies.csv."
    )
    settings: dict[str, Any] = Field(default_factory=dict, description="Changes to settings.yaml (validated like it).")
    solver_options: dict[str, Any] = Field(default_factory=dict, description="HiGHS options.")
    diagnose: bool = Field(False, description="After an infeasible solve, locate what is missing.")
    mac_prices: list[float] | None = Field(
        None, description="Carbon prices (CNY/t) at which to report emissions: the MAC curve."
    )

    @model_validator(mode="after")
    def _one_resolution(self) -> EnergySection:
        if self.hours is not None and self.days is not None:
            raise ValueError("give either hours or days, not both")
        if self.years is not None and (not self.years or sorted(set(self.years)) != list(self.years)):
            raise ValueError("years must be a non-empty increasing list")
        return self


def value_in(value: YearValue | None, year: int) -> float | None:
    """The value of a :data:`YearValue` in ``year`` (step-wise: latest listed year <= year)."""
    if value is None or isinstance(value, (int, float)):
        return value
    if not value:
        return None
    years = sorted(value)
    chosen = years[0]
    for y in years:
        if y <= year:
            chosen = y
    return float(value[chosen])
