"""The peak rule, applied to an annual emission series.

Given a series v indexed by year (the first year is the base year) and a tolerance ``tol``
(default 0.01): let vmax be its maximum, ``peak_year`` the earliest year attaining vmax and
thr = (1 - tol) * vmax.

- If ``peak_year`` is the last year, the status is ``not_peaked`` (still rising; no peak year).
- Otherwise, if the last value >= thr, the status is ``plateau`` (peak year reported, not
  confirmed: the path is still within ``tol`` of its maximum at the end).
- Otherwise, if ``peak_year`` is the base year, the status is ``declining`` (the path only falls
  from the base year; the peak year reported is the base year, which says the peak came at or
  before it, not that it happened in it).
- Otherwise ``peaked``.

Also reported: the plateau (the longest unbroken run of years around the maximum with values
>= thr, as a pair of years), ``on_plateau`` (that run spans more than one year, whatever the
status: a ``peaked`` path may have sat on a plateau), whether the maximum is attained again
later, and whether there was a rebound before the peak (years i < j < peak with
v_j < (1 - tol) * v_i).

:meth:`Peak.verdict` (or :func:`verdict`, which also takes a ``peak.json`` entry) gives one
short English sentence for a summary line, levels in Mt (the series is t CO2e) unless a
formatter is passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.errors import InputError

STATUSES = ("peaked", "plateau", "declining", "not_peaked")


def mt(value_t: float) -> str:
    """The default level formatter of :meth:`Peak.verdict`: t CO2e as Mt with one decimal."""
    return f"{value_t / 1e6:,.1f} Mt"


def percent(tol: float) -> str:
    """``0.01`` -> ``1%``, ``0.005`` -> ``0.5%``."""
    return f"{tol * 100:g}%"


@dataclass(frozen=True)
class Peak:
    """Result of :func:`detect_peak` (values in the series' unit).

    ``first_year`` and ``last_year`` are the series' years (``first_year`` is the base year),
    ``tol`` the tolerance the rule was applied with.
    """

    peak_year: int | None
    status: str  # "peaked", "plateau", "declining" or "not_peaked"
    peak_value: float
    plateau: tuple[int, int]
    max_reattained_later: bool
    rebound_before_peak: bool
    first_year: int | None = None
    last_year: int | None = None
    tol: float = 0.01

    @property
    def on_plateau(self) -> bool:
        """True if the maximum lies on a plateau of more than one year (values within ``tol``
        of the maximum in the years around it)."""
        return self.plateau[1] > self.plateau[0]

    @property
    def highest_year(self) -> int:
        """The earliest year attaining the maximum (also for ``not_peaked``: the last year)."""
        if self.peak_year is not None:
            return self.peak_year
        return self.last_year if self.last_year is not None else self.plateau[1]

    def verdict(self, fmt: Callable[[float], str] = mt) -> str:
        """One short English sentence, e.g. ``peaked in 2028 at 3.1 Mt``.

        ``fmt`` formats a level of the series (default :func:`mt`: t CO2e -> ``3.1 Mt``).
        The sentences, by status:

        - peaked: ``peaked in 2028 at 3.1 Mt``; on a plateau: ``peaked on a plateau 2027-2035
          within 1% of the maximum (highest in 2031 at 3.1 Mt)``
        - plateau: ``plateau 2027-2060 within 1% of the maximum (highest in 2031 at 3.1 Mt):
          peak not confirmed by 2060``; if the run around the maximum is broken and the last
          year comes back within the tolerance: ``highest in 2031 at 3.1 Mt, back within 1% of
          it by 2060: peak not confirmed``
        - declining: ``declining from the base year 2020 (3.1 Mt)``, with
          ``, within 1% of it until 2024`` when it starts on a plateau
        - not_peaked: ``not peaked by 2060 (still rising, 3.1 Mt in 2060)``
        """
        a, b = self.plateau
        level = fmt(self.peak_value)
        within = f"within {percent(self.tol)}"
        last = self.last_year if self.last_year is not None else b
        if self.status == "not_peaked":
            return f"not peaked by {last} (still rising, {level} in {self.highest_year})"
        if self.status == "declining":
            text = f"declining from the base year {self.peak_year} ({level})"
            return text + (f", {within} of it until {b}" if self.on_plateau else "")
        if self.status == "plateau":
            if b == last and self.on_plateau:
                return (f"plateau {a}-{b} {within} of the maximum (highest in {self.peak_year} at {level}): "
                        f"peak not confirmed by {last}")
            return f"highest in {self.peak_year} at {level}, back {within} of it by {last}: peak not confirmed"
        if self.on_plateau:
            return f"peaked on a plateau {a}-{b} {within} of the maximum (highest in {self.peak_year} at {level})"
        return f"peaked in {self.peak_year} at {level}"

    def as_dict(self) -> dict:
        return {"peak_year": self.peak_year, "status": self.status, "peak_value": self.peak_value,
                "plateau": list(self.plateau), "on_plateau": self.on_plateau, "tol": self.tol,
                "first_year": self.first_year, "last_year": self.last_year,
                "max_reattained_later": self.max_reattained_later,
                "rebound_before_peak": self.rebound_before_peak, "verdict": self.verdict()}

    @classmethod
    def from_dict(cls, doc: Mapping) -> Peak:
        """A :class:`Peak` from its :meth:`as_dict` (a ``peak.json`` entry; ``peak_co2e_t`` is
        accepted for ``peak_value``, missing ``tol`` is 0.01)."""
        value = doc.get("peak_value", doc.get("peak_co2e_t"))
        plateau = doc.get("plateau") or [doc.get("peak_year"), doc.get("peak_year")]
        year = doc.get("peak_year")
        return cls(None if year is None else int(year), str(doc.get("status")),
                   float("nan") if value is None else float(value),
                   (int(plateau[0]), int(plateau[1])), bool(doc.get("max_reattained_later", False)),
                   bool(doc.get("rebound_before_peak", False)),
                   doc.get("first_year"), doc.get("last_year"), float(doc.get("tol", 0.01)))


def verdict(peak: Peak | Mapping, fmt: Callable[[float], str] = mt) -> str:
    """:meth:`Peak.verdict` of a :class:`Peak` or of a ``peak.json`` entry (a mapping)."""
    return (peak if isinstance(peak, Peak) else Peak.from_dict(peak)).verdict(fmt)


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
    elif k == 0:
        status, peak_year = "declining", int(years[k])
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
                bool(np.any(v[k + 1 :] == vmax)), rebound, int(years[0]), int(years[-1]), float(tol))
