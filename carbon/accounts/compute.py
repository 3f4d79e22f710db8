"""The accounts table: one row per entity and period, from the scopes, output, metered
scope 2, grading, the market's registry and the credit ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.accounts.grading import grade
from carbon.accounts.schema import GradingRule

COLUMNS = ["entity", "period", "scope1_t", "scope2_t", "total_t", "intensity", "grade"]
"""The first columns of ``accounts.csv`` (the issue's), more follow."""


def accounts(
    scopes: pd.DataFrame,
    entities: pd.DataFrame,
    production: pd.DataFrame,
    benchmarks: pd.DataFrame,
    rule: GradingRule,
    metered: pd.DataFrame | None = None,
    market: pd.DataFrame | None = None,
    credits: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per entity and period (every year an entity has activity).

    ``intensity`` is on the rule's basis (t CO2e scope 1+2 per 10^4 CNY of value added, or per
    unit of output), ``intensity_value_added`` and ``intensity_output`` both; ``change`` is the
    relative change of ``intensity`` on the entity's previous period (NaN when that period is
    absent); ``ratio`` = intensity / benchmark of the entity's sector; ``grade`` by
    :func:`carbon.accounts.grading.grade`.

    ``metered``: :func:`carbon.accounts.hourly.metered_scope2` rows; ``market``: the market's
    firm table (``period, firm, allocation, surrendered, offsets``) joined on ``market_firm``;
    ``credits``: ``period, entity, credits_held_t, credits_surrendered_t``.
    """
    frame = scopes.rename(columns={"year": "period"}).copy()
    frame["total_t"] = frame["scope1_t"] + frame["scope2_t"]
    ent = entities.set_index("entity")
    for col in ("name", "kind", "sector", "town"):
        frame[col] = frame["entity"].map(ent[col])
    prod = production.rename(columns={"year": "period"})
    frame = frame.merge(prod, on=["entity", "period"], how="left")
    va = frame["value_added_10k_cny"].astype(float)
    out = frame["output"].astype(float)
    frame["intensity_value_added"] = np.divide(frame["total_t"], va, out=np.full(len(frame), np.nan), where=va > 0)
    frame["intensity_output"] = np.divide(frame["total_t"], out, out=np.full(len(frame), np.nan), where=out > 0)
    frame["intensity"] = frame[f"intensity_{rule.basis}"]
    frame["intensity_unit"] = (
        "t CO2e per 10^4 CNY"
        if rule.basis == "value_added"
        else "t CO2e per " + frame["output_unit"].fillna("unit").astype(str)
    )
    frame = frame.sort_values(["entity", "period"], ignore_index=True)
    prev = frame.groupby("entity")["intensity"].shift(1)
    prev_period = frame.groupby("entity")["period"].shift(1)
    consecutive = prev_period == frame["period"] - 1
    frame["change"] = np.where(consecutive & (prev > 0), frame["intensity"] / prev - 1.0, np.nan)
    bench = benchmarks[benchmarks["basis"] == rule.basis].set_index("sector")["benchmark"]
    frame["benchmark"] = frame["sector"].map(bench).astype(float)
    frame["ratio"] = frame["intensity"] / frame["benchmark"]
    frame["grade"] = grade(frame["ratio"], frame["change"], rule)
    if metered is not None and len(metered):
        m = metered.rename(columns={"year": "period"})
        frame = frame.merge(m, on=["entity", "period"], how="left")
    if market is not None and len(market):
        firm = frame["entity"].map(ent["market_firm"]).fillna("")
        mk = market.rename(
            columns={
                "firm": "market_firm",
                "allocation": "allowances_allocated",
                "surrendered": "allowances_surrendered",
                "offsets": "offsets_surrendered",
                "bank": "allowances_banked",
            }
        )
        keep = ["allowances_allocated", "allowances_surrendered", "offsets_surrendered", "allowances_banked"]
        mk = mk[["period", "market_firm", *[c for c in keep if c in mk.columns]]]
        frame = frame.assign(market_firm=firm).merge(mk, on=["period", "market_firm"], how="left")
    if credits is not None and len(credits):
        frame = frame.merge(credits, on=["entity", "period"], how="left")
        for col in ("credits_held_t", "credits_surrendered_t"):
            frame[col] = frame[col].fillna(0.0)
    first = [*COLUMNS, "name", "kind", "sector", "town"]
    return frame[first + [c for c in frame.columns if c not in first]]
