"""Grading of accounts and the county's green-credit picture.

Default rule (after Quzhou's industrial carbon accounts, 衢州工业企业碳账户: four colours
深绿/浅绿/黄/红 by carbon intensity against the sector benchmark, with the historical decline
as a further dimension; thresholds illustrative, see docs/accounts.md):

- ratio = intensity / sector benchmark; grade index 0 (dark green) if ratio <= b1, 1 (light
  green) if <= b2, 2 (yellow) if <= b3, else 3 (red): each bound belongs to the better grade;
- then one grade better if the intensity changed by <= ``improve`` on the previous period
  (e.g. −5 %), one worse if by >= ``worsen`` (+5 %), within dark green .. red;
- no benchmark for the sector and basis, or no intensity: ``ungraded``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.accounts.schema import GRADES, UNGRADED, GradingRule


def grade(ratio, change, rule: GradingRule) -> np.ndarray:
    """Grades (names of :data:`GRADES`, or ``ungraded``) for intensity ratios and year-on-year
    changes (NaN change: no adjustment; NaN ratio: ungraded)."""
    ratio = np.asarray(ratio, dtype=float)
    change = np.asarray(change, dtype=float)
    index = np.searchsorted(np.asarray(rule.ratio_bounds), ratio, side="left")
    index = index - (change <= rule.improve) + (change >= rule.worsen)
    index = np.clip(index, 0, len(GRADES) - 1)
    names = np.asarray(GRADES, dtype=object)[index]
    return np.where(np.isnan(ratio), UNGRADED, names)


def green_credit(accounts: pd.DataFrame, loans: pd.Series, table: pd.DataFrame, rule: GradingRule) -> pd.DataFrame:
    """Loans and interest by grade and period.

    ``accounts``: ``entity, period, grade``; ``loans``: outstanding loans by entity, 10^4 CNY;
    ``table``: ``grade, rate_adjustment_bp, credit_line_factor``. Ungraded accounts borrow at
    the base rate with a credit-line factor of 1.

    Columns: ``period, grade, entities, loans_10k_cny, rate_pct`` (base + adjustment),
    ``interest_10k_cny`` (loans x rate), ``interest_change_10k_cny`` (against the base rate),
    ``credit_line_10k_cny`` (loans x factor).
    """
    adj = dict(zip(table["grade"], table["rate_adjustment_bp"]))
    line = dict(zip(table["grade"], table["credit_line_factor"]))
    frame = accounts[["entity", "period", "grade"]].copy()
    frame["loans_10k_cny"] = frame["entity"].map(loans).fillna(0.0).to_numpy(dtype=float)
    rows = []
    for (period, g), part in frame.groupby(["period", "grade"], sort=True):
        loans_sum = float(part["loans_10k_cny"].sum())
        rate = rule.base_rate_pct + float(adj.get(g, 0.0)) / 100.0
        rows.append(
            {
                "period": int(period),
                "grade": g,
                "entities": len(part),
                "loans_10k_cny": loans_sum,
                "rate_pct": rate,
                "interest_10k_cny": loans_sum * rate / 100.0,
                "interest_change_10k_cny": loans_sum * (rate - rule.base_rate_pct) / 100.0,
                "credit_line_10k_cny": loans_sum * float(line.get(g, 1.0)),
            }
        )
    order = {g: i for i, g in enumerate((*GRADES, UNGRADED))}
    out = pd.DataFrame(
        rows,
        columns=[
            "period",
            "grade",
            "entities",
            "loans_10k_cny",
            "rate_pct",
            "interest_10k_cny",
            "interest_change_10k_cny",
            "credit_line_10k_cny",
        ],
    )
    return out.sort_values(
        ["period", "grade"], key=lambda s: s.map(order) if s.name == "grade" else s, ignore_index=True
    )
