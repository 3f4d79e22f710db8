"""Carbon-inclusive credits docked into the quota market as offsets.

The platform offers, in each market period, the credits its participants sold it that period
(issued that year) at the docking price: one more step of the market's offset supply, beside
any CCER supply the market already has. The market clears with its own offset limit (or the
docking's limit when the market has no offsets); the offsets it used are filled cheapest step
first, so the credits used in each period are known exactly, and each firm's share of them is
its share of the offsets used that period. Credits the market does not take stay on the platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import units
from carbon.errors import InputError
from carbon.market.clearing import MarketResult, clear
from carbon.market.inputs import build_inputs
from carbon.market.response import fill
from carbon.market.schema import MarketSection, OffsetsSection
from carbon.market.units import allowance_unit

DEFAULT_LIMIT = OffsetsSection.model_fields["limit"].default
"""The market's default offset limit (China's CCER rule: 5 % of a firm's obligation)."""


def _tonnes_per_unit(section: MarketSection, prefix: str) -> float:
    """Tonnes CO2e in one allowance of ``section`` (credits are t CO2e: an energy market is an InputError)."""
    unit = section.unit.strip()
    if allowance_unit(unit) != "mass":
        raise InputError(
            "carbon-inclusive credits (t CO2e) dock into a carbon market only",
            key=f"{prefix}.unit",
            expected="a market whose allowance is a mass of CO2 (tCO2, tCO2e, ktCO2)",
            found=unit,
        )
    base = re.sub(r"(CO2e|CO2eq|CO2)$", "", unit)
    return units.factor(base, "t")


@dataclass
class Docked:
    """The market cleared with the credits, and what it used of them."""

    result: MarketResult
    offers: pd.DataFrame  # period, credits_offered_t, price_cny_per_t, offsets_used_t, credits_used_t, limit_share
    used: pd.DataFrame  # period, firm, credits_t


def credits_used(offset_qty: np.ndarray, used: np.ndarray, step: np.ndarray | int) -> np.ndarray:
    """Offsets of supply step ``step`` (one, or one per period) used in each period, when ``used``
    (T,) offsets were taken cheapest step first, in column order on ties (the market's fill)."""
    taken = fill(offset_qty, used)
    steps = np.broadcast_to(np.asarray(step, dtype=int), taken.shape[:1])
    return taken[np.arange(taken.shape[0]), steps]


def dock(
    section: MarketSection,
    base_dir: Path,
    offered: dict[int, float],
    price: float,
    limit: float | None = None,
    *,
    file=None,
    prefix: str = "market",
) -> Docked:
    """Clear ``section`` with ``offered`` credits (t by period) at ``price`` CNY/t as an offset step.

    The market clears in its own unit (credits and price converted); the tables returned are in t
    and CNY/t. A market whose allowance is not a mass of CO2 (energy-use rights) is an InputError.
    """
    to_t = _tonnes_per_unit(section, prefix)
    inp = build_inputs(section, Path(base_dir), file=file, prefix=prefix)
    if section.mode != "equilibrium":
        raise InputError(
            "credits dock into a market in equilibrium mode",
            key=f"{prefix}.mode",
            expected="equilibrium",
            found=section.mode,
        )
    periods = [int(p) for p in inp.periods]
    q = np.array([float(offered.get(p, 0.0)) for p in periods])
    T = len(periods)
    cost = np.concatenate([inp.offset_cost.reshape(T, -1), np.full((T, 1), float(price) * to_t)], axis=1)
    qty = np.concatenate([inp.offset_qty.reshape(T, -1), q[:, None] / to_t], axis=1)
    order = np.argsort(cost, axis=1, kind="stable")
    cost, qty = np.take_along_axis(cost, order, axis=1), np.take_along_axis(qty, order, axis=1)
    step = np.argmax(order == cost.shape[1] - 1, axis=1)
    changes = {"offset_cost": cost, "offset_qty": qty}
    if section.offsets is None:
        changes["offset_limit"] = DEFAULT_LIMIT if limit is None else float(limit)
    docked = inp.with_(**changes)
    result = clear(docked)
    used_total = result.periods["offsets"].to_numpy(dtype=float)  # market unit
    used_credits = credits_used(qty, used_total, step)
    firms = result.firms
    share = np.divide(used_credits, used_total, out=np.zeros(T), where=used_total > 0)
    by_period = dict(zip(periods, share))
    used = pd.DataFrame(
        {
            "period": firms["period"].astype(int),
            "firm": firms["firm"].astype(str),
            "credits_t": firms["offsets"].to_numpy(dtype=float) * firms["period"].map(by_period).to_numpy() * to_t,
        }
    )
    offers = pd.DataFrame(
        {
            "period": periods,
            "credits_offered_t": q,
            "price_cny_per_t": float(price),
            "allowance_price_cny_per_t": result.periods["price"].to_numpy(dtype=float) / to_t,
            "offsets_used_t": used_total * to_t,
            "credits_used_t": used_credits * to_t,
            "obligation_t": result.periods["obligation"].to_numpy(dtype=float) * to_t,
            "limit_share": docked.offset_limit,
        }
    )
    return Docked(result, offers, used[used["credits_t"] > 0].reset_index(drop=True))
