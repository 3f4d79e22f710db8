"""The peak rule, applied to an annual emission series.

Given a series v indexed by year and a tolerance ``tol`` (default 0.01): let vmax be its maximum,
``peak_year`` the earliest year attaining vmax and thr = (1 - tol) * vmax.

- If ``peak_year`` is the last year, the status is ``not_peaked`` (no peak year).
- Otherwise, if the last value >= thr, the status is ``plateau`` (peak year reported, not
  confirmed); otherwise ``peaked``.

Also reported: the plateau (the longest unbroken run of years around the maximum with values
>= thr), whether the maximum is attained again later, and whether there was a rebound before
the peak (years i < j < peak with v_j < (1 - tol) * v_i).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.errors import InputError


@dataclass(frozen=True)
class Peak:
    """Result of :func:`detect_peak` (values in the series' unit)."""

    peak_year: int | None
    status: str  # "peaked", "plateau" or "not_peaked"
    peak_value: float
    plateau: tuple[int, int]
    max_reattained_later: bool
    rebound_before_peak: bool

    def as_dict(self) -> dict:
        return {"peak_year": self.peak_year, "status": self.status, "peak_value": self.peak_value,
                "plateau": list(self.plateau), "max_reattained_later": self.max_reattained_later,
                "rebound_before_peak": self.rebound_before_peak}


def detect_peak(series: pd.Series, tol: float = 0.01) -> Peak:
    """Peak year, status and plateau of an annual series (see the module docstring for the rule)."""
    if not 0 <= tol < 1:
        raise InputError("peak tolerance must be in [0, 1)", key="tol", found=tol)
    s = pd.Series(series, dtype=float).sort_index()
    if s.empty or s.isna().any():
        raise InputError("peak detection needs a complete annual series", expected="values for every year",
                         found="an empty series" if s.empty else f"missing values in {list(s.index[s.isna()])}")
    years = np.asarray(s.index, dtype=int)
    v = s.to_numpy()
    vmax = v.max()
    k = int(np.argmax(v))  # earliest index attaining the maximum
    thr = (1.0 - tol) * vmax
    if k == len(v) - 1:
        status, peak_year = "not_peaked", None
    elif v[-1] >= thr:
        status, peak_year = "plateau", int(years[k])
    else:
        status, peak_year = "peaked", int(years[k])
    lo = k
    while lo > 0 and v[lo - 1] >= thr:
        lo -= 1
    hi = k
    while hi < len(v) - 1 and v[hi + 1] >= thr:
        hi += 1
    running_max = np.maximum.accumulate(v[:k]) if k else np.array([])
    rebound = bool(k > 1 and np.any(v[1:k] < (1.0 - tol) * running_max[:-1]))
    return Peak(peak_year, status, float(vmax), (int(years[lo]), int(years[hi])),
                bool(np.any(v[k + 1 :] == vmax)), rebound)
