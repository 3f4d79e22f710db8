"""Schema of a market file (also the ``market:`` section of a scenario).

Every section rejects unknown keys (:class:`carbon.schema.Section`). A value marked
*per period* is either one number used in every period or a list with one number per period.
Quantities are in the market's ``unit`` (``tCO2`` for a carbon market, ``tce`` for energy-use
rights); prices in CNY per unit of the market (CNY/tCO2, CNY/tce), nominal in each period.
"""

from __future__ import annotations

import itertools
from typing import Literal

from pydantic import Field, field_validator, model_validator

from carbon.schema import Section

PerPeriod = float | list[float]
"""One number for every period, or a list with one number per period."""


def _non_negative(value: PerPeriod | None, what: str = "value") -> PerPeriod | None:
    if value is None:
        return value
    values = value if isinstance(value, list) else [value]
    for v in values:
        if v < 0:
            raise ValueError(f"{what} must not be negative (found {v})")
    return value


class MacSection(Section):
    """Marginal abatement cost (MAC) curve of a firm, CNY per unit abated.

    Exactly one of: ``slope`` (with optional ``intercept``: MAC(a) = intercept + slope·a for
    abatement a in [0, baseline]), ``steps`` (a stepwise curve ``[[cost, quantity], ...]``) or
    ``curve`` (the energy model's table of emissions at carbon prices, ``[[price, emissions],
    ...]`` or the path of a CSV with columns ``carbon_price_cny_per_t, emissions_t``).
    """

    slope: PerPeriod | None = Field(None, description="MAC slope, CNY per unit per unit abated")
    intercept: PerPeriod = Field(0.0, description="MAC at zero abatement, CNY per unit")
    steps: list[tuple[float, float]] | None = Field(
        None, description="stepwise MAC: [cost CNY/unit, quantity unit] pairs"
    )
    curve: str | list[tuple[float, float]] | None = Field(
        None,
        description="energy-model curve: [carbon price CNY/unit, emissions unit] or a CSV path",
    )

    @field_validator("slope", "intercept")
    @classmethod
    def _check_slope(cls, value):
        return _non_negative(value, "a MAC slope or intercept")

    @field_validator("steps")
    @classmethod
    def _check_steps(cls, value):
        for cost, quantity in value or []:
            if cost < 0 or quantity < 0:
                raise ValueError(f"MAC steps need cost >= 0 and quantity >= 0 (found {cost}, {quantity})")
        return value

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [name for name in ("slope", "steps", "curve") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "a MAC needs exactly one of 'slope' (with optional 'intercept'), 'steps' or 'curve'"
                + (f"; found {', '.join(given)}" if given else "")
            )
        return self


class FirmSection(Section):
    """A covered entity (a firm, a plant or a generating unit).

    Per-period fields take one number or one number per period. ``baseline`` may be left
    out when ``output`` and ``intensity`` are given (baseline = output × intensity) or when the
    MAC is an energy-model ``curve`` (baseline = emissions at the lowest price).
    """

    id: str = Field(description="unique identifier of the firm")
    sector: str = Field("other", description="sector name (used by benchmark rules)")
    baseline: PerPeriod | None = Field(None, description="business-as-usual emissions (or energy use) per period, unit")
    mac: MacSection | Literal["none"] | None = Field(
        None, description="marginal abatement cost curve; 'none' (or absent) = fixed emissions"
    )
    allocation: PerPeriod | None = Field(None, description="free allocation per period, unit")
    historical: float | None = Field(
        None, description="historical emissions for grandfathering, unit (default: first baseline)"
    )
    output: PerPeriod | None = Field(None, description="product output per period (benchmark rule)")
    intensity: PerPeriod | None = Field(None, description="emissions per unit of output, unit per output unit")
    obligation: Literal["standard", "china_gap_cap", "china_gas"] = Field("standard", description="surrender rule")
    gap_share: float = Field(
        0.20,
        ge=0.0,
        lt=1.0,
        description="share of verified emissions above allocation to surrender",
    )
    unit_type: str | None = Field(None, description="power unit type (china_power benchmarks)")
    power_supply_mwh: PerPeriod | None = Field(None, description="power supplied per period, MWh")
    power_generation_mwh: PerPeriod | None = Field(
        None, description="power generated per period, MWh (the basis of the china_2023_2024 rules)"
    )
    heat_supply_gj: PerPeriod | None = Field(None, description="heat supplied per period, GJ")
    cooling: Literal["air", "water"] | None = Field(
        None, description="cooling mode; its factor comes from the correction table (air 1.05)"
    )
    cooling_factor: float | None = Field(
        None, gt=0.0, description="cooling-mode correction factor (overrides 'cooling'; default 1)"
    )
    heat_ratio: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="heat-supply ratio, fraction; heat factor = 1 − slope × ratio from the correction table",
    )
    heat_factor: float | None = Field(
        None, gt=0.0, description="heat-supply correction factor (overrides 'heat_ratio'; default 1)"
    )
    load_factor: PerPeriod | None = Field(None, description="load (output) factor F, fraction")
    load_factor_correction: bool | None = Field(
        None,
        description="apply the conventional-coal load-factor correction (default: as the correction table "
        "says: every conventional coal unit under china_2023_2024, only flagged units before)",
    )

    @field_validator(
        "baseline",
        "allocation",
        "output",
        "intensity",
        "historical",
        "power_supply_mwh",
        "power_generation_mwh",
        "heat_supply_gj",
    )
    @classmethod
    def _check_non_negative(cls, value, info):
        return _non_negative(value, f"{info.field_name}")

    @field_validator("load_factor")
    @classmethod
    def _check_load_factor(cls, value):
        values = value if isinstance(value, list) else [value] if value is not None else []
        for v in values:
            if not 0.0 < v <= 1.0:
                raise ValueError(f"a load factor is a fraction in (0, 1] (found {v})")
        return value

    @model_validator(mode="after")
    def _baseline_known(self):
        from_curve = isinstance(self.mac, MacSection) and self.mac.curve is not None
        if self.baseline is None and not from_curve and (self.output is None or self.intensity is None):
            raise ValueError(f"firm {self.id!r} needs 'baseline' (or both 'output' and 'intensity', or a MAC 'curve')")
        return self


class UnitBenchmark(Section):
    """China power-sector benchmarks of one unit type."""

    power: float = Field(ge=0.0, description="power benchmark, unit per MWh supplied")
    heat: float = Field(0.0, ge=0.0, description="heat benchmark, unit per GJ supplied")


class PreBorrowingSection(Section):
    """Pre-borrowing of later allocation for compliance (预支), China's 2021–2022 plan.

    A firm whose shortfall (obligation − free allocation) in an eligible period is at least
    ``threshold`` × its verified emissions receives ``share`` × the shortfall for that period's
    compliance, deducted from its allocation of ``from_period``. Defaults: the plan's 10 % and
    50 % (国环规气候〔2023〕1号, flexible compliance); every period but the last, each from the next.
    """

    threshold: float = Field(0.10, ge=0.0, le=1.0, description="shortfall / verified emissions to qualify")
    share: float = Field(0.50, gt=0.0, le=1.0, description="share of the shortfall that may be pre-borrowed")
    periods: list[int] | None = Field(None, description="eligible periods (default: all but the last)")
    from_period: int | None = Field(
        None, description="period whose allocation is lowered (default: the next period; the plan: 2023)"
    )


class AllocationSection(Section):
    """How free allocation is computed when firms do not list it.

    ``explicit``: firms' ``allocation`` (or this block's ``firms`` mapping);
    ``grandfathering``: the ``pool`` shared in proportion to historical emissions;
    ``benchmark``: output × ``benchmark`` (one value, or one per sector);
    ``china_power``: China's national ETS rule with ``benchmarks`` by unit type.
    """

    method: Literal["explicit", "grandfathering", "benchmark", "china_power"] = "explicit"
    pool: PerPeriod | None = Field(None, description="free pool per period (grandfathering), unit")
    benchmark: float | dict[str, float] | None = Field(
        None, description="benchmark intensity, unit per output unit (one, or by sector)"
    )
    benchmarks: dict[str, UnitBenchmark] | None = Field(None, description="china_power benchmarks by unit type")
    rules: Literal["china_2019_2020", "china_2021_2022", "china_2023_2024"] | None = Field(
        None,
        description="china_power: a shipped rule table of benchmarks by unit type and year "
        "(carbon/data/china_ets_power.csv); 'benchmarks' override it by unit type",
    )
    corrections: Literal["china_2019_2020", "china_2021_2022", "china_2023_2024"] | None = Field(
        None,
        description="china_power: the shipped correction factors (carbon/data/china_ets_power_corrections.csv); "
        "default: the 'rules' name, else china_2021_2022",
    )
    pre_borrowing: bool | PreBorrowingSection = Field(
        False,
        description="China 2021-2022 pre-borrowing: a firm whose shortfall is at least 'threshold' of its "
        "verified emissions draws 'share' of it from a later period's allocation (true = the plan's values)",
    )
    firms: dict[str, PerPeriod] | None = Field(
        None, description="explicit free allocation by firm id (overrides the firms' own)"
    )

    @field_validator("pool")
    @classmethod
    def _pool(cls, value):
        return _non_negative(value, "pool")

    @field_validator("benchmark")
    @classmethod
    def _benchmark(cls, value):
        values = value.values() if isinstance(value, dict) else [value] if value is not None else []
        for v in values:
            if v < 0:
                raise ValueError(f"a benchmark must not be negative (found {v})")
        return value

    @field_validator("firms")
    @classmethod
    def _firms(cls, value):
        for v in (value or {}).values():
            _non_negative(v, "an allocation")
        return value


class AuctionSection(Section):
    """Allowances auctioned each period; unsold allowances at the reserve price are removed."""

    volume: PerPeriod = Field(0.0, description="allowances offered per period, unit")
    reserve_price: PerPeriod = Field(0.0, description="auction reserve price (floor), CNY/unit")

    @field_validator("volume", "reserve_price")
    @classmethod
    def _nn(cls, value, info):
        return _non_negative(value, info.field_name)


class CeilingSection(Section):
    """Price ceiling: allowances sold at ``price``; ``quantity`` null = unlimited."""

    price: PerPeriod = Field(description="trigger price, CNY/unit")
    quantity: PerPeriod | None = Field(None, description="cost-containment reserve per period, unit (null = unlimited)")

    @field_validator("price", "quantity")
    @classmethod
    def _nn(cls, value, info):
        return _non_negative(value, info.field_name)


class PenaltySection(Section):
    """Penalty per unit not surrendered. Without make-good it acts as a price cap."""

    price: PerPeriod = Field(description="penalty, CNY per unit not surrendered")
    make_good: bool = Field(True, description="missing units must still be surrendered later")

    @field_validator("price")
    @classmethod
    def _nn(cls, value):
        return _non_negative(value, "price")


class OffsetsSection(Section):
    """Offset credits (CCER, carbon-inclusive credits) usable up to a share of a basis."""

    limit: float = Field(0.05, description="usable share of the basis, fraction in [0, 1]")
    basis: Literal["emissions", "allocation"] = Field(
        "emissions", description="'emissions' (China CCER: share of the obligation) or 'allocation'"
    )
    supply: PerPeriod | None = Field(None, description="offsets available per period, unit (null = unlimited)")
    price: PerPeriod = Field(0.0, description="offset price, CNY/unit")
    curve: list[tuple[float, float]] | None = Field(
        None, description="supply curve per period: [price CNY/unit, quantity unit] steps"
    )

    @field_validator("limit")
    @classmethod
    def _limit(cls, value):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"the offset limit is a share in [0, 1] (found {value})")
        return value

    @field_validator("supply", "price")
    @classmethod
    def _nn(cls, value, info):
        return _non_negative(value, info.field_name)

    @field_validator("curve")
    @classmethod
    def _curve(cls, value):
        for price, quantity in value or []:
            if price < 0 or quantity < 0:
                raise ValueError(f"offset curve steps need price >= 0 and quantity >= 0 (found {price}, {quantity})")
        return value


class MsrSection(Section):
    """Market stability reserve acting on circulation at the end of the previous period.

    Defaults are the EU ETS values in force since 2024 (Decision (EU) 2015/1814 as amended
    by Decision (EU) 2023/852 and Directive (EU) 2023/959, which sets the 400 million holding
    limit from 2024), in allowances (tCO2).
    """

    initial_holdings: float = Field(0.0, ge=0.0, description="reserve holdings before the first period, unit")
    intake_rate: float = Field(
        0.24, ge=0.0, le=1.0, description="share of circulation taken in above the upper threshold"
    )
    upper_threshold: float = Field(1_096_000_000.0, ge=0.0, description="upper circulation threshold, unit")
    lower_threshold: float = Field(833_000_000.0, ge=0.0, description="lower circulation threshold, unit")
    release_threshold: float = Field(400_000_000.0, ge=0.0, description="release when circulation is below, unit")
    release_amount: float = Field(100_000_000.0, ge=0.0, description="allowances released, unit")
    holding_limit: float | None = Field(400_000_000.0, ge=0.0, description="holdings above are invalidated, unit")

    @model_validator(mode="after")
    def _thresholds(self):
        if self.lower_threshold > self.upper_threshold:
            raise ValueError(
                f"msr lower_threshold ({self.lower_threshold}) is above upper_threshold ({self.upper_threshold})"
            )
        return self


class AgentsSection(Section):
    """Agent-based trading: a continuous double auction of ZIP traders (Cliff 1997), see docs/market.md."""

    rounds: int = Field(1000, ge=1, description="trading rounds per period")
    orders_per_round: int | None = Field(
        None, ge=1, description="orders submitted per round (default: automatic, one per 10 firms, at least 1)"
    )
    seed: int = Field(0, ge=0, description="seed of the random generator")
    lot: float | None = Field(None, gt=0.0, description="allowances per order, unit (default: automatic)")


class MarketSection(Section):
    """One quota market: its unit, periods, rules and covered firms."""

    unit: str = Field("tCO2", description="unit of an allowance: tCO2, tCO2e, tce, ...")
    periods: list[int] = Field(description="compliance periods (years), increasing")
    discount_rate: float = Field(0.0, gt=-1.0, description="annual discount rate of holders, fraction")
    banking: bool = Field(True, description="allowances may be carried into later periods")
    borrowing: bool | float | list[float] = Field(
        False,
        description="borrowing from later periods: false, true (unlimited) or a maximum per period, unit",
    )
    initial_bank: float = Field(0.0, ge=0.0, description="allowances in circulation before the first period, unit")
    allowances_valid_after_horizon: bool = Field(
        True, description="allowances left at the end stay valid (banked); false = cancelled"
    )
    allocation: AllocationSection = Field(default_factory=AllocationSection)
    auction: AuctionSection | None = None
    ceiling: CeilingSection | None = None
    penalty: PenaltySection | None = None
    offsets: OffsetsSection | None = None
    msr: MsrSection | None = None
    firms: list[FirmSection] | str = Field(description="covered firms, or the path of a CSV of them")
    mode: Literal["equilibrium", "agents"] = "equilibrium"
    agents: AgentsSection = Field(default_factory=AgentsSection)

    @field_validator("periods")
    @classmethod
    def _periods(cls, value):
        if not value:
            raise ValueError("at least one period is needed")
        for a, b in itertools.pairwise(value):
            if b <= a:
                raise ValueError(f"periods must be strictly increasing (found {a} then {b})")
        return value

    @field_validator("borrowing")
    @classmethod
    def _borrowing(cls, value):
        if not isinstance(value, bool):
            _non_negative(value, "a borrowing limit")
        return value

    @field_validator("unit")
    @classmethod
    def _unit(cls, value):
        from carbon.market.units import allowance_unit

        allowance_unit(value)
        return value

    @model_validator(mode="after")
    def _banking_borrowing(self):
        if not self.banking and self.borrowing not in (False, 0, 0.0):
            raise ValueError("borrowing needs banking: set banking: true or borrowing: false")
        return self
