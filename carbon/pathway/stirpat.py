"""STIRPAT (I = a P^b A^c T^d) fitted by least squares on logarithms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.errors import InputError


def fit_stirpat(frame: pd.DataFrame, impact: str = "I", drivers: list[str] | tuple[str, ...] = ("P", "A", "T")) -> pd.Series:
    """Fit ln I = ln a + sum_k b_k ln X_k by ordinary least squares.

    Returns a pandas Series of coefficients indexed ``const`` (ln a) and the driver names (the
    elasticities). Values must be positive; there must be more rows than coefficients.
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
    design = np.column_stack([np.ones(len(data)), logs[:, 1:]])
    coef, *_ = np.linalg.lstsq(design, logs[:, 0], rcond=None)
    return pd.Series(coef, index=["const", *drivers], name="coefficient")
