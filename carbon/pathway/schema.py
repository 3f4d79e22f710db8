"""The ``pathway:`` and ``targets:`` sections of a scenario."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from carbon.schema import Section

Growth = float | dict[str, float]
"""An annual rate, or ``{"2021-2025": 0.065, ...}``."""


class Driver(Section):
    """A path for population or GDP: ``growth`` (annual rates by period) or ``values`` by year."""

    growth: Growth | None = None
    values: dict[int, float] | None = None

    @model_validator(mode="after")
    def _one(self) -> Driver:
        if (self.growth is None) == (self.values is None):
            raise ValueError("give either growth (annual rates by period) or values (by year)")
        return self


class SectorPath(Section):
    """How one inventory sector's activity evolves.

    Useful energy U = sum over fuels of final energy x end-use efficiency; U(t) = U(0) x driver
    index x intensity index; each fuel's share of U moves linearly from the base year's to the
    ``mix`` milestones, and its final energy is U x share / efficiency. With every efficiency 1
    (the default) shares and intensity are on a final-energy basis.
    Non-energy activity (herds, crops, waste, products) = base x driver index x ``growth`` index.
    """

    driver: Literal["population", "gdp", "agriculture", "industry", "services", "none"] = Field(
        "gdp", description="what the sector's activity follows: population, GDP, a value-added sector, or none")
    intensity: Growth = Field(0.0, description="annual change of energy per unit of driver (-0.03 = -3 %/yr)")
    mix: dict[int, dict[str, float]] = Field(
        default_factory=dict, description="useful-energy shares by fuel at milestone years; sum 1")
    efficiency: dict[str, float] = Field(
        default_factory=dict, description="end-use efficiency by fuel (useful / final energy; heat pumps > 1); "
        "fuels not listed: 1")
    growth: Growth = Field(0.0, description="extra annual growth of non-energy activity (herds, crops, waste)")

    @field_validator("efficiency")
    @classmethod
    def _positive(cls, eff: dict) -> dict:
        for fuel, value in eff.items():
            if value <= 0:
                raise ValueError(f"the efficiency of {fuel} must be > 0")
        return eff

    @field_validator("mix")
    @classmethod
    def _shares(cls, mix: dict) -> dict:
        for year, shares in mix.items():
            if any(v < 0 for v in shares.values()):
                raise ValueError(f"negative share in the {year} mix")
            total = sum(shares.values())
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"the {year} mix sums to {total:g}, not 1")
        return mix


class Decomposition(Section):
    """Years of the LMDI decomposition (default: first and last year of the pathway)."""

    start: int | None = None
    end: int | None = None


class Stirpat(Section):
    """A STIRPAT cross-check: I = a P^b A^c T^d fitted on a historical CSV (columns ``year, I, P,
    A, T``: emissions t CO2e, population, GDP per capita 10^4 CNY/person, energy intensity
    tce/10^4 CNY), then projected with the pathway's own P, A and T."""

    history: str = Field(..., description="CSV of the historical series, relative to the scenario file")


class PathwaySection(Section):
    """Drivers of the county's activity, year by year, toward the peak."""

    years: tuple[int, int] = Field(..., description="first (base) and last year, annual steps")
    milestones: list[int] = Field(default_factory=list, description="years the energy model is solved")
    energy_every_year: bool = Field(False, description="solve the energy model every year (slow)")
    tolerance: float = Field(0.01, ge=0, lt=1, description="tolerance of the peak rule")
    population: Driver = Field(default_factory=lambda: Driver(growth=0.0))
    gdp: Driver = Field(default_factory=lambda: Driver(growth=0.0))
    structure: dict[int, dict[str, float]] = Field(
        default_factory=dict, description="value-added shares {year: {agriculture, industry, services}}")
    sectors: dict[str, SectorPath] = Field(default_factory=dict, description="per inventory sector")
    methane_capture: dict[int, float] = Field(
        default_factory=dict, description="share of landfill methane (4.A) captured, by year (interpolated)")
    grid_factor: dict[int, float] | None = Field(
        None, description="provincial grid factor path, t CO2/MWh (default: the factor set's, constant)")
    grid_non_fossil_share: dict[int, float] = Field(
        default_factory=lambda: {2020: 0.15}, description="non-fossil share of imported electricity, by year")
    coal_substitution_kgce_per_kwh: dict[int, float] = Field(
        default_factory=lambda: {2020: 0.3, 2060: 0.3},
        description="standard coal per kWh of non-fossil electricity (coal-substitution method), by year")
    carbon_price: dict[int, float] | Literal["from_market"] | None = Field(
        None, description="carbon price path, CNY/t {year: price}, or from_market")
    market_prices: list[float] = Field(
        default_factory=lambda: [0, 25, 50, 75, 100, 150, 200, 300, 400, 600],
        description="with from_market: carbon prices (CNY/t) at which the power sector's MAC curve is sampled")
    power_free_allocation: dict[int, float] = Field(
        default_factory=lambda: {2020: 0.9},
        description="with from_market: free allocation of the power sector as a share of its emissions "
        "at price 0, by year (interpolated; illustrative default 0.9)")
    decomposition: Decomposition = Field(default_factory=Decomposition)
    stirpat: Stirpat | None = Field(None, description="optional STIRPAT cross-check from a historical series")

    @model_validator(mode="after")
    def _years(self) -> PathwaySection:
        first, last = self.years
        if last <= first:
            raise ValueError(f"years must run forward: {first} to {last}")
        for m in self.milestones:
            if not first <= m <= last:
                raise ValueError(f"milestone {m} is outside the years {first}-{last}")
        if sorted(set(self.milestones)) != list(self.milestones):
            raise ValueError("milestones must be increasing and distinct")
        for year, shares in self.structure.items():
            if abs(sum(shares.values()) - 1.0) > 1e-6:
                raise ValueError(f"the {year} structure sums to {sum(shares.values()):g}, not 1")
            unknown = set(shares) - {"agriculture", "industry", "services"}
            if unknown:
                raise ValueError(f"unknown value-added sector {min(unknown)!r}: use agriculture, industry, services")
        for year, share in self.methane_capture.items():
            if not 0 <= share <= 1:
                raise ValueError(f"methane capture in {year} must be a share in [0, 1]")
        return self


class IntensityTarget(Section):
    """A reduction of an intensity (per unit GDP) by ``year`` relative to ``base``."""

    base: int
    year: int
    reduction: float = Field(..., ge=0, le=1, description="required reduction, 0.18 = -18%")


class ShareTarget(Section):
    """A minimum share by a year."""

    year: int
    min: float = Field(..., ge=0, le=1)


class CapTarget(Section):
    """An absolute cap on emissions (t CO2e, scope 1 + 2) in a year."""

    year: int
    max_t: float = Field(..., ge=0)


class TargetsSection(Section):
    """Targets checked on the pathway; the defaults are China's national 2025/2030 targets."""

    peak_by: int | None = Field(2030, description="emissions (scope 1 + 2) peak no later than this year")
    carbon_intensity: list[IntensityTarget] = Field(
        default_factory=lambda: [IntensityTarget(base=2020, year=2025, reduction=0.18),
                                 IntensityTarget(base=2005, year=2030, reduction=0.65)],
        description="energy-related CO2 (fossil fuels + net purchased electricity) per unit GDP, the national "
        "indicator; national: -18% 2020-2025, -65% 2005-2030 (needs co2_intensity_2005)")
    co2_intensity_2005: float | None = Field(
        None, gt=0, description="the 2005 CO2 intensity, t CO2 per 10^4 CNY, for a base before the pathway "
        "(default: the model's co2_intensity_2005_t_per_10k_cny)")
    energy_intensity: list[IntensityTarget] = Field(
        default_factory=lambda: [IntensityTarget(base=2020, year=2025, reduction=0.135)],
        description="energy per unit GDP as assessed (coal-substitution, new renewables and raw-material use "
        "excluded); national: -13.5% 2020-2025")
    non_fossil_share: list[ShareTarget] = Field(
        default_factory=lambda: [ShareTarget(year=2025, min=0.20), ShareTarget(year=2030, min=0.25)],
        description="non-fossil share of energy (coal-substitution method); national ~20% 2025, ~25% 2030")
    renewable_share_electricity: list[ShareTarget] = Field(
        default_factory=list, description="local renewable generation / electricity use")
    absolute_cap: list[CapTarget] = Field(default_factory=list)
