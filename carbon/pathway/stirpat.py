"""STIRPAT (I = a P^b A^c T^d) fitted by least squares on logarithms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.errors import InputError


@dataclass(frozen=True)
class StirpatFit:
    """An ordinary least-squares fit of ln I = ln a + sum_k b_k ln X_k.

    ``coef``: ``const`` (ln a) and the elasticities by driver name; ``std_err``: their standard
    errors (classical OLS, s^2 (X'X)^-1); ``r2`` and ``adj_r2`` on the logarithms; ``n`` the
    observations; ``dof`` the residual degrees of freedom (n - k - 1).
    """

    coef: pd.Series
    std_err: pd.Series
    r2: float
    adj_r2: float
    n: int
    dof: int

    @property
    def t_values(self) -> pd.Series:
        """Coefficient / standard error."""
        return (self.coef / self.std_err).rename("t")

    def table(self) -> pd.DataFrame:
        """``term, coef, std_err, t`` (one row per coefficient)."""
        return pd.DataFrame({"term": self.coef.index, "coef": self.coef.to_numpy(),
                             "std_err": self.std_err.to_numpy(), "t": self.t_values.to_numpy()})


def fit_stirpat(frame: pd.DataFrame, impact: str = "I",
                drivers: list[str] | tuple[str, ...] = ("P", "A", "T")) -> StirpatFit:
    """Fit ln I = ln a + sum_k b_k ln X_k by ordinary least squares.

    Values must be positive; there must be more rows than coefficients. Returns a
    :class:`StirpatFit`: ``fit.coef["P"]`` is the population elasticity, ``fit.std_err``,
    ``fit.r2`` and ``fit.n`` what a regression reports.
    """
    drivers = list(drivers)
    cols = [impact, *drivers]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InputError(f"STIRPAT frame lacks column {missing[0]!r}", expected=", ".join(cols))
    data = frame[cols].astype(float)
    if (data <= 0).any().any() or data.isna().any().any():
        raise InputError("STIRPAT needs positive values (it fits logarithms)", expected="values > 0")
    if len(data) <= len(drivers) + 1:
        raise InputError("too few observations for STIRPAT", expected=f"more than {len(drivers) + 1} rows",
                         found=len(data))
    logs = np.log(data.to_numpy())
    y = logs[:, 0]
    design = np.column_stack([np.ones(len(data)), logs[:, 1:]])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    n, k = design.shape
    dof = n - k
    resid = y - design @ coef
    ss_res = float(resid @ resid)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    cov = ss_res / dof * np.linalg.pinv(design.T @ design)
    index = ["const", *drivers]
    return StirpatFit(coef=pd.Series(coef, index=index, name="coefficient"),
                      std_err=pd.Series(np.sqrt(np.clip(np.diag(cov), 0.0, None)), index=index, name="std_err"),
                      r2=r2, adj_r2=1.0 - (1.0 - r2) * (n - 1) / dof, n=n, dof=dof)
