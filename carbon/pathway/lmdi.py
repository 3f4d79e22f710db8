"""LMDI-I decomposition (Ang 2005) of any identity C = sum_i prod_k x_ki.

Additive: dC_k = sum_i L(C_i^T, C_i^0) ln(x_ki^T / x_ki^0), with the logarithmic mean
L(a, b) = (a - b) / (ln a - ln b), L(a, a) = a; the effects sum exactly to C^T - C^0.
Multiplicative: D_k = exp(dC_k / L(C^T, C^0)) (equal to Ang's weighted form), whose product is
exactly C^T / C^0.

Zero values (Ang & Liu 2007, the limit of the small-value strategy): a group absent in the base
year (C_i^0 = 0 < C_i^T) gives its whole C_i^T to the factors that are zero in the base year,
shared equally; a group that disappears gives -C_i^0 to the factors that are zero at the end; a
group zero in both years gives nothing. So the effects still sum exactly to the change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.errors import InputError


def log_mean(a, b):
    """Logarithmic mean L(a, b) = (a - b)/(ln a - ln b), L(a, a) = a; elementwise, a, b > 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (a - b) / (np.log(a) - np.log(b))
    return np.where(np.isclose(a, b, rtol=1e-12, atol=0.0), a, out)


def _year(frame: pd.DataFrame, factors: list[str], year: int) -> pd.DataFrame:
    rows = frame[frame["year"] == year]
    if rows.empty:
        raise InputError(f"no rows for year {year}", key="year", expected="rows for the start and end years")
    if rows["group"].duplicated().any():
        raise InputError(f"a group appears twice in year {year}", key="group",
                         found=rows.loc[rows["group"].duplicated(), "group"].iloc[0])
    return rows.set_index("group")[factors]


def decompose(frame: pd.DataFrame, factors: list[str], start: int, end: int,
              kind: str = "additive") -> pd.Series:
    """LMDI-I effects of each factor on the change of C = sum over groups of the factors' product.

    Parameters
    ----------
    frame
        Columns ``year``, ``group`` and one column per factor (values >= 0).
    factors
        The factor columns k, in order.
    start, end
        Base year 0 and final year T.
    kind
        ``additive`` (effects in C's unit, summing to C^T - C^0) or ``multiplicative`` (ratios
        whose product is C^T / C^0).

    Returns
    -------
    pandas.Series of effects indexed by factor name.
    """
    if kind not in ("additive", "multiplicative"):
        raise InputError(f"unknown decomposition kind {kind!r}", key="kind", expected="additive or multiplicative")
    missing = [c for c in ["year", "group", *factors] if c not in frame.columns]
    if missing:
        raise InputError(f"decomposition frame lacks column {missing[0]!r}", expected="year, group and the factors")
    if (frame[factors] < 0).any().any() or frame[factors].isna().any().any():
        raise InputError("decomposition factors must be numbers >= 0", expected="values >= 0")
    x0 = _year(frame, factors, start)
    xt = _year(frame, factors, end)
    groups = x0.index.union(xt.index)
    x0 = x0.reindex(groups, fill_value=0.0).to_numpy(dtype=float)
    xt = xt.reindex(groups, fill_value=0.0).to_numpy(dtype=float)
    c0, ct = x0.prod(axis=1), xt.prod(axis=1)
    effects = np.zeros(len(factors))
    both = (c0 > 0) & (ct > 0)
    if both.any():
        weight = log_mean(ct[both], c0[both])
        effects += (weight[:, None] * np.log(xt[both] / x0[both])).sum(axis=0)
    for i in np.flatnonzero((c0 == 0) & (ct > 0)):  # a group that appears
        zero = x0[i] == 0
        effects[zero] += ct[i] / zero.sum()
    for i in np.flatnonzero((c0 > 0) & (ct == 0)):  # a group that disappears
        zero = xt[i] == 0
        effects[zero] -= c0[i] / zero.sum()
    if kind == "additive":
        return pd.Series(effects, index=factors, name="effect")
    total0, totalt = c0.sum(), ct.sum()
    if total0 <= 0 or totalt <= 0:
        raise InputError("a multiplicative decomposition needs positive totals in both years",
                         found=f"C^0 = {total0}, C^T = {totalt}")
    return pd.Series(np.exp(effects / log_mean(totalt, total0)), index=factors, name="ratio")
