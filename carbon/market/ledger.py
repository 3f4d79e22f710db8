"""Registry of carbon accounts (碳账户): every allowance movement as a ledger entry.

Accounts: one per firm, plus ``registry`` (the issuer), ``auction``, ``market`` (the
exchange's clearing account), ``reserve`` (stability reserve), ``surrendered`` and
``cancelled``. Events: ``issue`` (registry → auction / holders / reserve), ``allocate``
(registry → firm), ``reserve_in`` (issued into the reserve instead of the auction or free
allocation), ``reserve_out`` (reserve → auction), ``invalidate`` (reserve → cancelled),
``auction`` (auction → market), ``ceiling`` (registry → market, cost-containment sales),
``transfer`` (market ↔ firm), ``surrender`` (firm → surrendered), ``cancel`` (unsold or
expired allowances → cancelled), ``bank`` (allowances a firm carries into the next period,
booked from the account to itself: it records the carry-over and moves nothing),
``pre_borrow`` (registry → firm: a later period's allocation drawn for this period's compliance;
that period's ``allocate`` is lower by the same amount).

Who holds the bank is not determined by the equilibrium; the registry books it with the
firms in proportion to their free allocation of the period (or their obligation when no
one receives free allocation). The invariant

    issued = surrendered + banked + cancelled + held in reserve

and the agreement of every account with the market's solution are checked at the end of
every run; a violation raises :class:`RegistryError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.errors import CarbonError

SYSTEM_ACCOUNTS = ("registry", "auction", "market", "reserve", "surrendered", "cancelled")
EVENTS = (
    "issue",
    "allocate",
    "reserve_in",
    "reserve_out",
    "invalidate",
    "auction",
    "ceiling",
    "transfer",
    "surrender",
    "cancel",
    "bank",
    "pre_borrow",
)


class RegistryError(CarbonError):
    """The registry's allowance accounting does not balance (an internal invariant failed)."""


@dataclass
class Flows:
    """Allowance flows of a solved market, unit; per-period arrays (T,), per-firm (N, T)."""

    free: np.ndarray  # (N, T) free allocation issued
    auction_issued: np.ndarray  # (T,) newly issued for auction (release excluded)
    release: np.ndarray  # (T,) reserve → auction
    intake: np.ndarray  # (T,) issued into the reserve
    invalidated: np.ndarray  # (T,)
    auction_sold: np.ndarray  # (T,)
    ceiling_sold: np.ndarray  # (T,)
    surrendered: np.ndarray  # (N, T) allowances surrendered
    holdings: np.ndarray  # (N, T) firm holdings at period end before expiry
    expired: np.ndarray  # (N, T) cancelled at period end
    initial_bank: np.ndarray  # (N,) initial bank held by each firm
    initial_reserve: float
    pre_borrowed: np.ndarray | None = None  # (N, T) drawn from a later allocation (None = none)


@dataclass
class Registry:
    """The ledger (one row per movement) and balances (one row per account and period end)."""

    ledger: pd.DataFrame
    balances: pd.DataFrame


def book(firm_ids, periods, flows: Flows, *, allow_negative: bool = False, tolerance: float = 1e-9) -> Registry:
    """Write every movement to the ledger, compute balances and check the invariants.

    Raises
    ------
    RegistryError
        If balances disagree with the solution, an account is overdrawn (other than by
        borrowing), or issued ≠ surrendered + banked + cancelled + reserve.
    """
    N, T = flows.free.shape
    names = list(map(str, firm_ids)) + list(SYSTEM_ACCOUNTS)
    acc = {name: N + k for k, name in enumerate(SYSTEM_ACCOUNTS)}
    firms = np.arange(N)
    parts: list[tuple] = []  # (period index, event code, from, to, qty) arrays

    def add(t, event, src, dst, qty):
        qty = np.atleast_1d(np.asarray(qty, float))
        src = np.broadcast_to(np.atleast_1d(src), qty.shape)
        dst = np.broadcast_to(np.atleast_1d(dst), qty.shape)
        keep = qty > 0
        if keep.any():
            parts.append(
                (
                    np.full(keep.sum(), t),
                    np.full(keep.sum(), EVENTS.index(event)),
                    src[keep],
                    dst[keep],
                    qty[keep],
                )
            )

    add(0, "issue", acc["registry"], firms, flows.initial_bank)
    add(0, "issue", acc["registry"], acc["reserve"], flows.initial_reserve)
    prev_bank = flows.initial_bank.copy()
    pre_borrowed = np.zeros((N, T)) if flows.pre_borrowed is None else flows.pre_borrowed
    for t in range(T):
        add(t, "reserve_in", acc["registry"], acc["reserve"], flows.intake[t])
        add(t, "reserve_out", acc["reserve"], acc["auction"], flows.release[t])
        add(t, "invalidate", acc["reserve"], acc["cancelled"], flows.invalidated[t])
        add(t, "issue", acc["registry"], acc["auction"], flows.auction_issued[t])
        add(t, "allocate", acc["registry"], firms, flows.free[:, t])
        add(t, "pre_borrow", acc["registry"], firms, pre_borrowed[:, t])
        add(t, "auction", acc["auction"], acc["market"], flows.auction_sold[t])
        unsold = flows.auction_issued[t] + flows.release[t] - flows.auction_sold[t]
        add(t, "cancel", acc["auction"], acc["cancelled"], unsold)
        add(t, "ceiling", acc["registry"], acc["market"], flows.ceiling_sold[t])
        buy = flows.holdings[:, t] + flows.surrendered[:, t] - flows.free[:, t] - pre_borrowed[:, t] - prev_bank
        add(t, "transfer", acc["market"], firms, buy)
        add(t, "transfer", firms, acc["market"], -buy)
        add(t, "surrender", firms, acc["surrendered"], flows.surrendered[:, t])
        add(t, "cancel", firms, acc["cancelled"], flows.expired[:, t])
        prev_bank = flows.holdings[:, t] - flows.expired[:, t]
        add(t, "bank", firms, firms, prev_bank)

    if parts:
        t_idx, ev, src, dst, qty = (np.concatenate(x) for x in zip(*parts))
    else:
        t_idx = ev = src = dst = np.zeros(0, int)
        qty = np.zeros(0)
    n_acc = len(names)
    delta = np.zeros((n_acc, T))
    np.add.at(delta, (dst, t_idx), qty)
    np.add.at(delta, (src, t_idx), -qty)
    balance = np.cumsum(delta, axis=1)

    scale = max(float(np.abs(qty).max()) if qty.size else 1.0, 1.0)
    tol = tolerance * scale
    expected = flows.holdings - flows.expired
    _check(
        np.abs(balance[:N] - expected).max(initial=0.0) <= tol * 10,
        "firm balances in the registry differ from the market solution",
        float(np.abs(balance[:N] - expected).max(initial=0.0)),
    )
    for name in ("market", "auction"):
        _check(
            np.abs(balance[acc[name]]).max(initial=0.0) <= tol * 10,
            f"the {name} account does not end each period empty",
            float(np.abs(balance[acc[name]]).max(initial=0.0)),
        )
    _check(
        np.abs(balance[acc["surrendered"]] - np.cumsum(flows.surrendered.sum(axis=0))).max(initial=0.0) <= tol * 10,
        "surrendered allowances differ from the firms' surrenders",
        None,
    )
    if not allow_negative:
        _check(
            balance[:N].min(initial=0.0) >= -tol * 10,
            "an account is overdrawn",
            float(balance[:N].min(initial=0.0)),
        )
    _check(
        balance[acc["reserve"]].min(initial=0.0) >= -tol * 10,
        "the reserve is overdrawn",
        float(balance[acc["reserve"]].min(initial=0.0)),
    )
    issued = -balance[acc["registry"], -1]
    banked = balance[:N, -1].sum() + balance[acc["market"], -1] + balance[acc["auction"], -1]
    accounted = balance[acc["surrendered"], -1] + banked + balance[acc["cancelled"], -1] + balance[acc["reserve"], -1]
    _check(
        abs(issued - accounted) <= tol * 10 * max(N, 1),
        "issued allowances differ from surrendered + banked + cancelled + reserve",
        f"issued {issued!r}, accounted {accounted!r}",
    )

    ledger = pd.DataFrame(
        {
            "period": np.asarray(periods)[t_idx],
            "event": pd.Categorical.from_codes(ev, categories=list(EVENTS)),
            "from_account": _accounts(names, src),
            "to_account": _accounts(names, dst),
            "quantity": qty,
        }
    )
    holders = [k for k in range(n_acc) if names[k] != "registry"]
    balances = pd.DataFrame(
        {
            "period": np.repeat(np.asarray(periods), len(holders)),
            "account": _accounts(names, np.tile(np.asarray(holders), T)),
            "balance": balance[holders].T.reshape(-1),
        }
    )
    balances.loc[balances["balance"].abs() < tol, "balance"] = 0.0
    return Registry(ledger, balances)


def _accounts(names: list[str], codes: np.ndarray) -> pd.Categorical:
    """Account names by index, as a categorical (names are unique: firm ids, checked by
    :func:`carbon.market.inputs.build_inputs`, + system accounts)."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=names)


def _check(ok: bool, message: str, found) -> None:
    if not ok:
        raise RegistryError(
            f"registry invariant violated: {message}",
            found=found,
            hint="this is a bug in carbon.market; please report it with the market file",
        )
