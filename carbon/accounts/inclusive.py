"""Carbon-inclusive credits (碳普惠): issuance by methodology, the credit ledger, and which
offsets a market used were credits.

Issuance per participant, year and methodology (quantity q in the methodology's unit; grid
factor g in t/MWh, so g/1000 t/kWh):

    baseline  = q x (baseline_t_per_unit + baseline_kwh_per_unit x g/1000)
    project   = q x (project_t_per_unit  + project_kwh_per_unit  x g/1000)
    reduction = max(baseline − project, 0)
    credits   = reduction x (1 − discount)        (t CO2e; the discount is conservativeness)

A household PV credit is therefore kWh x g/1000 x (1 − discount).

Ledger accounts: ``registry`` (issuer), each participant, ``platform`` (the county's
carbon-inclusive platform, which buys credits and offers them in the quota market), each market
firm, ``retired`` (surrendered as offsets). Events: ``issue`` (registry → participant), ``sell``
(participant → platform), ``transfer`` (platform → firm), ``surrender`` (firm → retired). Every
row carries the ``origin`` participant, so each credit's path from household to surrender can
be read in the ledger. Invariant, for every period end and in total:

    issued = held by participants + held by the platform + held by firms + retired

A violation raises :class:`LedgerError` (an internal error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.errors import CarbonError

PLATFORM = "platform"
REGISTRY = "registry"
RETIRED = "retired"


class LedgerError(CarbonError):
    """The credit ledger does not balance (an internal invariant failed)."""


def issue(
    actions: pd.DataFrame, methods: pd.DataFrame, grid_factor: float, discount: float | None = None
) -> pd.DataFrame:
    """Credits per ``participant, year, methodology`` (see the module docstring).

    Columns: ``participant, year, methodology, quantity, unit, baseline_t, project_t,
    reduction_t, discount, credits_t``.
    """
    m = methods.set_index("methodology")
    per_kwh = grid_factor / 1000.0
    q = actions["quantity_m"].to_numpy(dtype=float)
    rows = m.loc[actions["methodology"]]
    base = q * (rows["baseline_t_per_unit"].to_numpy() + rows["baseline_kwh_per_unit"].to_numpy() * per_kwh)
    proj = q * (rows["project_t_per_unit"].to_numpy() + rows["project_kwh_per_unit"].to_numpy() * per_kwh)
    disc = np.full(len(q), discount) if discount is not None else rows["discount"].to_numpy(dtype=float)
    reduction = np.maximum(base - proj, 0.0)
    out = pd.DataFrame(
        {
            "participant": actions["participant"].to_numpy(),
            "year": actions["year"].to_numpy(dtype=int),
            "methodology": actions["methodology"].to_numpy(),
            "quantity": q,
            "unit": rows["unit"].to_numpy(),
            "baseline_t": base,
            "project_t": proj,
            "reduction_t": reduction,
            "discount": disc,
            "credits_t": reduction * (1.0 - disc),
        }
    )
    return out.sort_values(["year", "participant", "methodology"], ignore_index=True)


@dataclass
class CreditLedger:
    """Movements (``period, event, from, to, origin, quantity_t``) and balances (``period, account,
    kind, holding_t`` at each period end)."""

    ledger: pd.DataFrame
    balances: pd.DataFrame


def book(
    credits: pd.DataFrame, sell_share: float = 0.0, used: pd.DataFrame | None = None, firms: tuple[str, ...] = ()
) -> CreditLedger:
    """Book issuance, sales to the platform and surrender by market firms.

    ``credits``: :func:`issue`'s table; ``sell_share`` of each participant's credits of a period
    is sold to the platform in that period; ``used``: ``period, firm, credits_t`` surrendered as
    offsets (taken from the platform, each firm's share split over the origins in proportion
    to what they sold that period). Credits the platform does not sell stay on the platform.
    """
    issued = credits.groupby(["year", "participant"], sort=True)["credits_t"].sum()
    used = used if used is not None else pd.DataFrame(columns=["period", "firm", "credits_t"])
    rows = []
    for (year, who), amount in issued.items():
        rows.append((int(year), "issue", REGISTRY, who, who, float(amount)))
        if sell_share > 0:
            rows.append((int(year), "sell", who, PLATFORM, who, float(amount) * sell_share))
    for period, part in used.groupby("period", sort=True):
        sold = issued.loc[int(period)] * sell_share if int(period) in issued.index.get_level_values(0) else None
        total_used = float(part["credits_t"].sum())
        if total_used <= 0:
            continue
        if sold is None or float(sold.sum()) < total_used * (1 - 1e-9):
            raise LedgerError(
                f"the market used {total_used:,.3f} t of credits in {period}, more than the platform "
                f"bought ({0.0 if sold is None else float(sold.sum()):,.3f} t)"
            )
        share = sold / float(sold.sum())
        for firm, amount in zip(part["firm"], part["credits_t"]):
            if amount <= 0:
                continue
            for origin, s in share.items():
                rows.append((int(period), "transfer", PLATFORM, firm, origin, float(amount) * float(s)))
                rows.append((int(period), "surrender", firm, RETIRED, origin, float(amount) * float(s)))
    ledger = pd.DataFrame(rows, columns=["period", "event", "from", "to", "origin", "quantity_t"])
    ledger = ledger.sort_values(["period"], kind="stable", ignore_index=True)
    return CreditLedger(ledger, _balances(ledger, issued, tuple(firms)))


def _balances(ledger: pd.DataFrame, issued: pd.Series, firms: tuple[str, ...]) -> pd.DataFrame:
    """Holdings of every account at each period end, and the invariant checked."""
    participants = sorted(set(issued.index.get_level_values(1)))
    accounts = [
        *((p, "participant") for p in participants),
        (PLATFORM, "platform"),
        *((f, "firm") for f in sorted(set(firms) | set(ledger.loc[ledger["event"] == "transfer", "to"]))),
        (RETIRED, "retired"),
    ]
    periods = sorted(set(ledger["period"]))
    rows = []
    for period in periods:
        upto = ledger[ledger["period"] <= period]
        inflow = upto.groupby("to")["quantity_t"].sum()
        outflow = upto.groupby("from")["quantity_t"].sum()
        total_issued = float(upto.loc[upto["event"] == "issue", "quantity_t"].sum())
        held = 0.0
        for name, kind in accounts:
            h = float(inflow.get(name, 0.0) - outflow.get(name, 0.0))
            if h < -1e-9 * max(total_issued, 1.0):
                raise LedgerError(f"account {name} holds {h:,.6f} t of credits at the end of {period}")
            rows.append({"period": int(period), "account": name, "kind": kind, "holding_t": max(h, 0.0)})
            held += h
        if abs(held - total_issued) > 1e-9 * max(total_issued, 1.0):
            raise LedgerError(
                f"credits do not balance at the end of {period}: issued {total_issued:,.6f} t, "
                f"held and retired {held:,.6f} t"
            )
    return pd.DataFrame(rows, columns=["period", "account", "kind", "holding_t"])
