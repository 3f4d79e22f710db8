"""Typed, array-shaped inputs of a market, built from a validated :class:`MarketSection`.

This is the only module of ``carbon.market`` that resolves paths (a firms CSV, an energy-model
MAC curve); everything downstream works on :class:`MarketInputs` arrays. Quantities are in
the market's unit (tCO2 or tce), prices in CNY per unit, nominal in each period.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from carbon.errors import InputError
from carbon.market import allocation as rules
from carbon.market.firms import read_firms_csv
from carbon.market.ledger import SYSTEM_ACCOUNTS
from carbon.market.power import mac_from_energy, read_mac_csv
from carbon.market.rules import (
    DEFAULT_CORRECTIONS,
    UNIT_CLASSES,
    china_power_basis,
    china_power_benchmarks,
    china_power_corrections,
)
from carbon.market.schema import FirmSection, MarketSection, MsrSection, PreBorrowingSection
from carbon.schema import did_you_mean


@dataclass(frozen=True)
class MsrParams:
    """Market stability reserve parameters (unit, except the intake rate)."""

    initial_holdings: float
    intake_rate: float
    upper_threshold: float
    lower_threshold: float
    release_threshold: float
    release_amount: float
    holding_limit: float  # inf = no limit

    @classmethod
    def from_section(cls, s: MsrSection) -> MsrParams:
        limit = np.inf if s.holding_limit is None else s.holding_limit
        return cls(
            s.initial_holdings,
            s.intake_rate,
            s.upper_threshold,
            s.lower_threshold,
            s.release_threshold,
            s.release_amount,
            float(limit),
        )


@dataclass(frozen=True)
class MarketInputs:
    """A market as arrays: N firms, T periods, K MAC steps, J offset supply steps.

    MAC of firm i in period t: a linear part ``intercept + slope·a`` for a in [0, lin_max]
    plus steps ``(step_cost, step_qty)`` (a firm uses one or the other). ``gap_share`` is 1
    for the standard obligation, the share for ``china_gap_cap`` and 0 for ``china_gas``.
    """

    unit: str
    periods: np.ndarray  # (T,) years
    firm_ids: np.ndarray  # (N,) str
    sectors: np.ndarray  # (N,) str
    baseline: np.ndarray  # (N, T) unit
    free: np.ndarray  # (N, T) free allocation, unit
    intercept: np.ndarray  # (N, T) CNY/unit
    slope: np.ndarray  # (N, T) CNY/unit per unit (1 where lin_max == 0)
    lin_max: np.ndarray  # (N, T) maximum linear abatement, unit
    step_cost: np.ndarray  # (N, K) CNY/unit, ascending, padded with inf
    step_qty: np.ndarray  # (N, K) unit, padded with 0
    gap_share: np.ndarray  # (N,)
    discount_rate: float = 0.0
    banking: bool = True
    borrow_limit: np.ndarray = field(default=None)  # (T,) unit, inf = unlimited
    initial_bank: float = 0.0
    valid_after_horizon: bool = True
    auction_volume: np.ndarray = field(default=None)  # (T,)
    reserve_price: np.ndarray = field(default=None)  # (T,)
    ceiling_price: np.ndarray = field(default=None)  # (T,) inf = none
    ceiling_qty: np.ndarray = field(default=None)  # (T,) inf = unlimited
    penalty_price: np.ndarray = field(default=None)  # (T,) inf = none
    penalty_caps_price: bool = False  # a penalty without make-good
    offset_limit: float = 0.0
    offset_basis: str = "emissions"
    offset_cost: np.ndarray = field(default=None)  # (T, J) ascending
    offset_qty: np.ndarray = field(default=None)  # (T, J) (inf = unlimited)
    msr: MsrParams | None = None
    pre_borrow_threshold: float | None = None  # shortfall / emissions to qualify; None = no pre-borrowing
    pre_borrow_share: float = 0.5  # share of the shortfall pre-borrowed
    pre_borrow_from: np.ndarray = field(default=None)  # (T,) index of the period deducted from, −1 = none
    pre_borrowed: np.ndarray = field(default=None)  # (N, T) pre-borrowed for period t's compliance, unit

    def __post_init__(self) -> None:
        T = len(self.periods)
        if self.pre_borrow_from is None:
            object.__setattr__(self, "pre_borrow_from", np.full(T, -1))
        if self.pre_borrowed is None:
            object.__setattr__(self, "pre_borrowed", np.zeros((len(self.firm_ids), T)))
        defaults = {
            "borrow_limit": np.zeros(T),
            "auction_volume": np.zeros(T),
            "reserve_price": np.zeros(T),
            "ceiling_price": np.full(T, np.inf),
            "ceiling_qty": np.zeros(T),
            "penalty_price": np.full(T, np.inf),
            "offset_cost": np.zeros((T, 0)),
            "offset_qty": np.zeros((T, 0)),
        }
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)

    @property
    def n_firms(self) -> int:
        return len(self.firm_ids)

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    @property
    def max_abatement(self) -> np.ndarray:
        """Largest possible abatement of each firm and period, unit, shape (N, T)."""
        return self.lin_max + self.step_qty.sum(axis=1)[:, None]

    @property
    def borrows(self) -> bool:
        """Whether holders may borrow: in some period before the last (all is repaid by then)."""
        return bool(np.any(self.borrow_limit[:-1] > 0))

    @property
    def pre_borrow_deductions(self) -> np.ndarray:
        """Allocation withheld (N, T) to repay pre-borrowing: period t's ``pre_borrowed`` at its
        ``pre_borrow_from`` period."""
        out = np.zeros((self.n_firms, self.n_periods))
        if self.pre_borrow_threshold is None:
            return out
        for t, k in enumerate(self.pre_borrow_from):
            if k >= 0:
                out[:, k] += self.pre_borrowed[:, t]
        return out

    @property
    def pre_borrow_shift(self) -> np.ndarray:
        """Change of each period's supply by pre-borrowing (T,): borrowed in t − repaid in t."""
        if self.pre_borrow_threshold is None:
            return np.zeros(self.n_periods)
        return self.pre_borrowed.sum(axis=0) - self.pre_borrow_deductions.sum(axis=0)

    def growth(self) -> np.ndarray:
        """Hotelling growth factors (1 + r)^(year − first year), shape (T,)."""
        return (1.0 + self.discount_rate) ** (self.periods - self.periods[0]).astype(float)

    def with_(self, **changes) -> MarketInputs:
        """A copy with some fields replaced."""
        return replace(self, **changes)


def simple_market(
    baseline,
    slope,
    free,
    *,
    periods=None,
    intercept=0.0,
    **kwargs,
) -> MarketInputs:
    """Build :class:`MarketInputs` of firms with linear MACs directly from arrays.

    ``baseline``, ``slope``, ``free`` and ``intercept`` broadcast to (N, T); a slope of
    ``inf`` means fixed emissions. Other keyword arguments are fields of MarketInputs.
    """
    baseline = np.atleast_1d(np.asarray(baseline, float))
    if baseline.ndim == 1:
        baseline = baseline[:, None]
    N, T = baseline.shape
    if periods is None:
        periods = np.arange(2021, 2021 + T)
    T = len(periods)
    baseline = np.broadcast_to(baseline, (N, T)).astype(float)

    slope = rules.by_period(slope, (N, T))
    fixed = ~np.isfinite(slope) | (slope <= 0)
    return MarketInputs(
        unit=kwargs.pop("unit", "tCO2"),
        periods=np.asarray(periods),
        firm_ids=np.array([f"f{i}" for i in range(N)]),
        sectors=np.array(["other"] * N),
        baseline=baseline,
        free=rules.by_period(free, (N, T)),
        intercept=rules.by_period(intercept, (N, T)),
        slope=np.where(fixed, 1.0, slope),
        lin_max=np.where(fixed, 0.0, baseline),
        step_cost=np.full((N, 0), np.inf),
        step_qty=np.zeros((N, 0)),
        gap_share=np.asarray(kwargs.pop("gap_share", np.ones(N)), float),
        **kwargs,
    )


# ---------------------------------------------------------------------------------------------
# building from a validated section


def _per_period(value, T: int, *, file, key: str, default=None) -> np.ndarray:
    """One number per period from a scalar or a list of length T."""
    if value is None:
        if default is None:
            raise InputError("required value is missing", file=file, key=key, expected="a number or a list")
        value = default
    if isinstance(value, (list, tuple)):
        if len(value) != T:
            raise InputError(
                f"a per-period list needs one value per period ({T})",
                file=file,
                key=key,
                expected=f"{T} values",
                found=f"{len(value)} values",
            )
        return np.asarray(value, dtype=float)
    return np.full(T, float(value))


def load_firms(section: MarketSection, base_dir: Path, file) -> tuple[list[FirmSection], str | Path | None]:
    """The section's firms and the file they are in: its list (in ``file``), or the CSV it
    names (relative to ``base_dir``)."""
    if isinstance(section.firms, str):
        path = _resolve(section.firms, base_dir)
        return read_firms_csv(path, list(section.periods)), path
    return list(section.firms), file


def _firm_key(section: MarketSection, pre: str, i: int, firm_id: str) -> str:
    """Where firm ``i`` is given: ``firms[i]`` of the market file, or ``firm 'id'`` of its CSV."""
    return f"{pre}firms[{i}]" if isinstance(section.firms, list) else f"firm {firm_id!r}"


def _check_firm_ids(section: MarketSection, ids: list[str], keys: list[str], *, file) -> None:
    """Firm ids are unique and name no registry account (``market``, ``auction``, ...)."""
    listed = isinstance(section.firms, list)
    first: dict[str, int] = {}
    for i, firm_id in enumerate(ids):
        key = f"{keys[i]}.id" if listed else "id"
        if firm_id in SYSTEM_ACCOUNTS:
            raise InputError(
                f"firm id {firm_id!r} clashes with a registry account name",
                file=file,
                key=key,
                found=firm_id,
                hint=f"do not name a firm {', '.join(SYSTEM_ACCOUNTS)}",
            )
        if firm_id in first:
            raise InputError(
                f"firm id {firm_id!r} appears twice",
                file=file,
                key=key,
                found=firm_id,
                hint=f"first at {keys[first[firm_id]]}" if listed else None,
            )
        first[firm_id] = i


def build_inputs(
    section: MarketSection,
    base_dir: Path | str = ".",
    *,
    file: str | Path | None = None,
    prefix: str | None = None,
) -> MarketInputs:
    """Turn a validated market section into :class:`MarketInputs`.

    Resolves the firms CSV and energy-model curves relative to ``base_dir``, expands
    per-period values, applies the allocation rule and checks cross-field consistency
    (list lengths, floor below ceiling, known firm ids), raising :class:`InputError`.
    """
    base_dir = Path(base_dir)
    pre = f"{prefix}." if prefix else ""
    periods = np.asarray(section.periods, dtype=int)
    T = len(periods)
    firms, firms_file = load_firms(section, base_dir, file)
    if not firms:
        raise InputError("a market needs at least one firm", file=file, key=f"{pre}firms")
    N = len(firms)
    ids = [f.id for f in firms]
    keys = [_firm_key(section, pre, i, firm_id) for i, firm_id in enumerate(ids)]
    _check_firm_ids(section, ids, keys, file=firms_file)

    baseline = np.zeros((N, T))
    intercept = np.zeros((N, T))
    slope = np.ones((N, T))
    lin_max = np.zeros((N, T))
    steps: list[list[tuple[float, float]]] = []
    for i, firm in enumerate(firms):
        fkey = keys[i]
        if firm.baseline is not None:
            baseline[i] = _per_period(firm.baseline, T, file=firms_file, key=f"{fkey}.baseline")
        elif firm.output is not None and firm.intensity is not None:
            baseline[i] = _per_period(firm.output, T, file=firms_file, key=f"{fkey}.output") * _per_period(
                firm.intensity, T, file=firms_file, key=f"{fkey}.intensity"
            )
        mac = firm.mac
        firm_steps: list[tuple[float, float]] = []
        if mac is None or mac == "none":
            pass
        elif mac.slope is not None:
            c = _per_period(mac.slope, T, file=firms_file, key=f"{fkey}.mac.slope")
            b = _per_period(mac.intercept, T, file=firms_file, key=f"{fkey}.mac.intercept")
            if np.all(c > 0):
                slope[i], intercept[i], lin_max[i] = c, b, baseline[i]
            elif np.all(c == 0) and np.all(b == b[0]):
                # a flat MAC: the whole baseline can be abated at the intercept
                firm_steps = [(float(b[0]), float(baseline[i].min()))]
            else:
                raise InputError(
                    "a MAC slope must be positive in every period (or zero in all)",
                    file=firms_file,
                    key=f"{fkey}.mac.slope",
                    found=list(c),
                )
        else:
            if mac.steps is not None:
                firm_steps = [(float(c), float(q)) for c, q in mac.steps if q > 0]
            else:
                curve = (
                    read_mac_csv(_resolve(mac.curve, base_dir))
                    if isinstance(mac.curve, str)
                    else mac_from_energy(mac.curve, file=firms_file)
                )
                firm_steps = list(curve.steps)
                if firm.baseline is None and (firm.output is None or firm.intensity is None):
                    baseline[i] = curve.baseline
            total = sum(q for _, q in firm_steps)
            if total > baseline[i].min() * (1 + 1e-12) + 1e-12:
                raise InputError(
                    f"firm {firm.id!r} can abate more than its baseline",
                    file=firms_file,
                    key=f"{fkey}.mac",
                    expected=f"step quantities summing to at most the baseline ({baseline[i].min():g})",
                    found=total,
                )
        steps.append(sorted(firm_steps))
    K = max((len(s) for s in steps), default=0)
    step_cost = np.full((N, K), np.inf)
    step_qty = np.zeros((N, K))
    for i, s in enumerate(steps):
        for k, (c, q) in enumerate(s):
            step_cost[i, k], step_qty[i, k] = c, q

    free = _allocation(section, firms, keys, baseline, T, file=file, firms_file=firms_file, pre=pre)
    gap_share = np.array(
        [1.0 if f.obligation == "standard" else 0.0 if f.obligation == "china_gas" else f.gap_share for f in firms]
    )

    kw: dict = {}
    if section.borrowing is True:
        kw["borrow_limit"] = np.full(T, np.inf)
    elif section.borrowing is False:
        kw["borrow_limit"] = np.zeros(T)
    else:
        kw["borrow_limit"] = _per_period(section.borrowing, T, file=file, key=f"{pre}borrowing")
    if section.auction is not None:
        kw["auction_volume"] = _per_period(section.auction.volume, T, file=file, key=f"{pre}auction.volume")
        kw["reserve_price"] = _per_period(
            section.auction.reserve_price, T, file=file, key=f"{pre}auction.reserve_price"
        )
    if section.ceiling is not None:
        kw["ceiling_price"] = _per_period(section.ceiling.price, T, file=file, key=f"{pre}ceiling.price")
        kw["ceiling_qty"] = (
            np.full(T, np.inf)
            if section.ceiling.quantity is None
            else _per_period(section.ceiling.quantity, T, file=file, key=f"{pre}ceiling.quantity")
        )
        floor = kw.get("reserve_price", np.zeros(T))
        bad = np.nonzero(floor > kw["ceiling_price"])[0]
        if len(bad):
            t = bad[0]
            raise InputError(
                f"the floor (auction reserve price) is above the ceiling in {periods[t]}",
                file=file,
                key=f"{pre}ceiling.price",
                expected=f"a ceiling of at least {floor[t]:g} CNY/unit",
                found=float(kw["ceiling_price"][t]),
            )
    if section.penalty is not None:
        kw["penalty_price"] = _per_period(section.penalty.price, T, file=file, key=f"{pre}penalty.price")
        kw["penalty_caps_price"] = not section.penalty.make_good
    if section.offsets is not None:
        o = section.offsets
        kw["offset_limit"] = o.limit
        kw["offset_basis"] = o.basis
        if o.curve is not None:
            curve = sorted(o.curve)
            kw["offset_cost"] = np.tile([c for c, _ in curve], (T, 1)).astype(float)
            kw["offset_qty"] = np.tile([q for _, q in curve], (T, 1)).astype(float)
        else:
            kw["offset_cost"] = _per_period(o.price, T, file=file, key=f"{pre}offsets.price")[:, None]
            kw["offset_qty"] = (
                np.full((T, 1), np.inf)
                if o.supply is None
                else _per_period(o.supply, T, file=file, key=f"{pre}offsets.supply")[:, None]
            )
    if section.msr is not None:
        kw["msr"] = MsrParams.from_section(section.msr)
    kw.update(_pre_borrowing(section, periods, file=file, key=f"{pre}allocation.pre_borrowing"))

    return MarketInputs(
        unit=section.unit,
        periods=periods,
        firm_ids=np.array(ids, dtype=object),
        sectors=np.array([f.sector for f in firms], dtype=object),
        baseline=baseline,
        free=free,
        intercept=intercept,
        slope=slope,
        lin_max=lin_max,
        step_cost=step_cost,
        step_qty=step_qty,
        gap_share=gap_share,
        discount_rate=section.discount_rate,
        banking=section.banking,
        initial_bank=section.initial_bank,
        valid_after_horizon=section.allowances_valid_after_horizon,
        **kw,
    )


def _pre_borrowing(section: MarketSection, periods: np.ndarray, *, file, key: str) -> dict:
    """MarketInputs fields of the pre-borrowing option (empty when it is off)."""
    option = section.allocation.pre_borrowing
    if option is False:
        return {}
    if section.allocation.rules == "china_2023_2024":
        raise InputError(
            "the 2023-2024 plan allows no pre-borrowing (Guohuan Guiqihou [2024] No. 1, section 7: "
            "2023、2024年度不可预支后续年度配额)",
            file=file,
            key=key,
            expected="pre_borrowing: false with rules: china_2023_2024",
            found=option if isinstance(option, bool) else "a pre-borrowing rule",
            hint="to study pre-borrowing as a counterfactual, give the benchmarks explicitly instead of 'rules'",
        )
    rule = option if isinstance(option, PreBorrowingSection) else PreBorrowingSection()
    years = [int(p) for p in periods]
    T = len(years)
    if rule.from_period is not None and rule.from_period not in years:
        raise InputError(
            f"pre-borrowing from {rule.from_period}, which is not a period of the market",
            file=file,
            key=f"{key}.from_period",
            expected=f"one of {years}",
            found=rule.from_period,
        )
    if rule.periods is not None:
        eligible = list(rule.periods)
        for year in eligible:
            if year not in years:
                raise InputError(
                    f"pre-borrowing period {year} is not a period of the market",
                    file=file,
                    key=f"{key}.periods",
                    expected=f"periods among {years}",
                    found=eligible,
                )
    elif rule.from_period is not None:
        eligible = [y for y in years if y < rule.from_period]
    else:
        eligible = years[:-1]
    source = np.full(T, -1)
    for year in eligible:
        t = years.index(year)
        k = t + 1 if rule.from_period is None else years.index(rule.from_period)
        if k >= T or k <= t:
            raise InputError(
                f"pre-borrowing in {year} needs a later period to deduct it from",
                file=file,
                key=f"{key}.periods" if rule.periods is not None else key,
                expected="eligible periods before 'from_period' (and before the last period)",
                found=year,
            )
        source[t] = k
    return {
        "pre_borrow_threshold": rule.threshold,
        "pre_borrow_share": rule.share,
        "pre_borrow_from": source,
    }


def _resolve(path: str, base_dir: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else base_dir / p


def _allocation(
    section: MarketSection,
    firms: list[FirmSection],
    keys: list[str],
    baseline: np.ndarray,
    T: int,
    *,
    file,
    firms_file,
    pre: str,
) -> np.ndarray:
    """Free allocation (N, T) by the section's rule, then explicit per-firm overrides.

    ``keys`` are the firms' key paths in error messages (:func:`_firm_key`).
    """
    N = len(firms)
    block = section.allocation
    method = block.method
    ids = [f.id for f in firms]
    key = f"{pre}allocation"

    def firm_key(i: int, name: str) -> str:
        return f"{keys[i]}.{name}"

    free = np.zeros((N, T))
    if method == "explicit":
        given = block.firms or {}
        for i, firm in enumerate(firms):
            if firm.id in given:
                continue
            if firm.allocation is None:
                raise InputError(
                    f"firm {firm.id!r} has no free allocation",
                    file=firms_file,
                    key=firm_key(i, "allocation"),
                    expected="an 'allocation' for every firm with method explicit (0 if none)",
                )
            free[i] = _per_period(firm.allocation, T, file=firms_file, key=firm_key(i, "allocation"))
    elif method == "grandfathering":
        pool = _per_period(block.pool, T, file=file, key=f"{key}.pool")
        hist = np.array([f.historical if f.historical is not None else baseline[i, 0] for i, f in enumerate(firms)])
        free = rules.grandfathering(pool, hist)
    elif method == "benchmark":
        if block.benchmark is None:
            raise InputError(
                "the benchmark rule needs a 'benchmark'",
                file=file,
                key=f"{key}.benchmark",
                expected="a number, or a mapping sector -> number (unit per output unit)",
            )
        for i, firm in enumerate(firms):
            if isinstance(block.benchmark, dict):
                if firm.sector not in block.benchmark:
                    raise InputError(
                        f"no benchmark for sector {firm.sector!r} of firm {firm.id!r}",
                        file=file,
                        key=f"{key}.benchmark",
                        expected="one of: " + ", ".join(block.benchmark),
                        found=firm.sector,
                        hint=did_you_mean(firm.sector, block.benchmark),
                    )
                bench = block.benchmark[firm.sector]
            else:
                bench = block.benchmark
            if firm.output is None:
                raise InputError(
                    f"firm {firm.id!r} has no output for the benchmark rule",
                    file=firms_file,
                    key=firm_key(i, "output"),
                    expected="output per period",
                )
            free[i] = rules.benchmark(_per_period(firm.output, T, file=firms_file, key=firm_key(i, "output")), bench)
    elif method == "china_power":
        benches: dict = {}
        if block.rules is not None:
            benches.update(china_power_benchmarks(block.rules, section.periods, key=f"{key}.rules"))
        for unit_type, b in (block.benchmarks or {}).items():
            benches[unit_type] = (np.full(T, b.power), np.full(T, b.heat))
        corrections = china_power_corrections(
            block.corrections or block.rules or DEFAULT_CORRECTIONS, key=f"{key}.corrections"
        )
        basis = china_power_basis(block.rules, key=f"{key}.rules") if block.rules is not None else "supply"
        if not benches:
            raise InputError(
                "the china_power rule needs 'benchmarks' by unit type",
                file=file,
                key=f"{key}.benchmarks",
                expected="{unit_type: {power: t/MWh, heat: t/GJ}}",
            )
        for i, firm in enumerate(firms):
            if firm.unit_type is None:
                if firm.allocation is None:
                    raise InputError(
                        f"firm {firm.id!r} has neither a unit_type nor an allocation",
                        file=firms_file,
                        key=firm_key(i, "unit_type"),
                        expected="a unit type of allocation.benchmarks",
                    )
                free[i] = _per_period(firm.allocation, T, file=firms_file, key=firm_key(i, "allocation"))
                continue
            if firm.unit_type not in benches:
                raise InputError(
                    f"unknown unit type {firm.unit_type!r}",
                    file=firms_file,
                    key=firm_key(i, "unit_type"),
                    expected="one of: " + ", ".join(benches),
                    found=firm.unit_type,
                    hint=did_you_mean(firm.unit_type, benches),
                )
            b_power, b_heat = benches[firm.unit_type]
            power = _power_quantity(firm, basis, T, file=firms_file, key=firm_key(i, f"power_{basis}_mwh"))
            heat = _per_period(
                firm.heat_supply_gj,
                T,
                file=firms_file,
                key=firm_key(i, "heat_supply_gj"),
                default=0.0,
            )
            load = _per_period(firm.load_factor, T, file=firms_file, key=firm_key(i, "load_factor"), default=1.0)
            f_cooling, f_heat = _power_corrections(firm, corrections, file=firms_file, key=keys[i])
            correct_load = _corrects_load(firm, corrections, file=firms_file, key=firm_key(i, "load_factor_correction"))
            # F_t = B_power,t · Q_power,t · f_cooling · f_heat · f_load,t + B_heat,t · Q_heat,t
            # (Q_power: supplied or generated, as the rule set says)
            free[i] = rules.china_power(
                power[None],
                heat[None],
                b_power[None],
                b_heat[None],
                np.array([f_cooling]),
                np.array([f_heat]),
                load[None],
                np.array([correct_load]),
                corrections.load,
            )[0]
    for firm_id, value in (block.firms or {}).items():
        if firm_id not in ids:
            raise InputError(
                f"unknown firm {firm_id!r} in the allocation list",
                file=file,
                key=f"{key}.firms.{firm_id}",
                expected="the id of a firm of this market",
                found=firm_id,
                hint=did_you_mean(firm_id, ids),
            )
        free[ids.index(firm_id)] = _per_period(value, T, file=file, key=f"{key}.firms.{firm_id}")
    return free


def _power_quantity(firm: FirmSection, basis: str, T: int, *, file, key: str) -> np.ndarray:
    """A unit's power quantity per period on the rule set's basis (``supply`` or ``generation``,
    MWh); giving only the other one is an input error (the two differ by the plant's own use)."""
    quantities = {"supply": firm.power_supply_mwh, "generation": firm.power_generation_mwh}
    other = "generation" if basis == "supply" else "supply"
    if quantities[basis] is None and quantities[other] is not None:
        raise InputError(
            f"firm {firm.id!r}: the rule set allocates on power {basis}, not {other}",
            file=file,
            key=key,
            expected=f"power_{basis}_mwh (MWh per period)",
            found=f"only power_{other}_mwh",
            hint="supply = generation − the plant's own use; give the quantity the plan names",
        )
    return _per_period(quantities[basis], T, file=file, key=key, default=0.0)


def _corrects_load(firm: FirmSection, corrections, *, file, key: str) -> bool:
    """Whether the load-factor correction applies to a unit: its own flag, else the table's
    default for its type; a flag on a shipped unit class the table does not correct (gas,
    unconventional coal) is an input error, a market's own unit types follow their flag."""
    if firm.load_factor_correction is None:
        return corrections.load_by_default and firm.unit_type in corrections.load_unit_types
    shipped = firm.unit_type in UNIT_CLASSES
    if firm.load_factor_correction and shipped and firm.unit_type not in corrections.load_unit_types:
        raise InputError(
            f"the correction table {corrections.name!r} has no load-factor correction for unit type {firm.unit_type!r}",
            file=file,
            key=key,
            expected=f"a unit type among {', '.join(corrections.load_unit_types)}",
            found=firm.unit_type,
        )
    return firm.load_factor_correction


def _power_corrections(firm: FirmSection, corrections, *, file, key: str) -> tuple[float, float]:
    """A unit's cooling and heat-supply factors: its own ``cooling_factor`` / ``heat_factor``,
    else from its ``cooling`` mode / ``heat_ratio`` and the correction table, else 1."""
    if firm.cooling_factor is not None:
        f_cooling = firm.cooling_factor
    elif firm.cooling is not None:
        if firm.cooling not in corrections.cooling:
            raise InputError(
                f"the correction table {corrections.name!r} has no cooling-mode correction",
                file=file,
                key=f"{key}.cooling",
                expected="no 'cooling' under this plan (or a unit's own 'cooling_factor')",
                found=firm.cooling,
            )
        f_cooling = corrections.cooling[firm.cooling]
    else:
        f_cooling = 1.0
    if firm.heat_factor is not None:
        f_heat = firm.heat_factor
    elif firm.heat_ratio is not None:
        if corrections.heat_slope is None or firm.unit_type not in corrections.heat_unit_types:
            raise InputError(
                f"the correction table {corrections.name!r} has no heat-supply correction for unit type "
                f"{firm.unit_type!r}",
                file=file,
                key=f"{key}.heat_ratio",
                expected=f"a unit type among {', '.join(corrections.heat_unit_types) or '(none: this plan has no heat-supply correction)'}",
                found=firm.unit_type,
                hint="give the unit's 'heat_factor' instead",
            )
        f_heat = 1.0 - corrections.heat_slope * firm.heat_ratio
    else:
        f_heat = 1.0
    return f_cooling, f_heat
