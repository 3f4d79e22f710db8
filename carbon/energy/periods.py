"""Time resolution: all (or the first N) hours, or K representative days.

Representative days come from a deterministic clustering of the daily profiles: Ward's
hierarchical clustering of the 24-hour shapes of load and every availability and price
profile (each scaled by its maximum), one medoid day per cluster, weight = days represented
(Kotzur et al. 2018, "Impact of different time series aggregation methods on optimal energy
system design"). The year's sequence of days is kept so storage can be linked through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage

from carbon.errors import InputError

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class TimeSlices:
    """The modelled time steps.

    Attributes
    ----------
    mode
        ``hours`` or ``days``.
    hour
        Original hour (row of profiles) of each modelled step.
    weight
        Hours each step stands for, h (sum = hours per year).
    period
        Period (day in hours mode, representative day in days mode) of each step.
    n_periods
        Number of periods.
    linking
        Storage over time: ``horizon`` (cyclic over all steps), ``cyclic`` (cyclic within each
        period) or ``chronological`` (intra-period states plus inter-day states).
    sequence
        Days mode: representative period of each original day, in calendar order.
    medoid_day
        Days mode: original day that stands for each period.
    """

    mode: str
    hour: np.ndarray
    weight: np.ndarray
    period: np.ndarray
    n_periods: int
    linking: str
    sequence: np.ndarray | None = None
    medoid_day: np.ndarray | None = None

    @property
    def n_steps(self) -> int:
        """Number of modelled steps."""
        return len(self.hour)

    def day_weights(self) -> np.ndarray:
        """Days each representative day stands for (days mode), sum = 365 for a year."""
        if self.sequence is None:
            raise ValueError("day weights exist only for representative days")
        return np.bincount(self.sequence, minlength=self.n_periods).astype(float)


def all_hours(n_rows: int, hours_per_year: float, first: int | None = None) -> TimeSlices:
    """Every hour (or the first ``first`` hours), each weighing ``hours_per_year / N``."""
    n = n_rows if first is None else first
    if n > n_rows:
        raise InputError(
            "more hours asked than the profiles hold",
            key="resolution.hours",
            expected=f"at most {n_rows}",
            found=n,
        )
    steps = np.arange(n)
    period = steps // HOURS_PER_DAY
    return TimeSlices(
        mode="hours",
        hour=steps,
        weight=np.full(n, hours_per_year / n),
        period=period,
        n_periods=int(period[-1]) + 1,
        linking="horizon",
    )


def representative_days(
    profiles: pd.DataFrame,
    k: int,
    *,
    columns: list[str] | None = None,
    hours_per_year: float = 8760.0,
    linking: str = "chronological",
    peak_day: bool = False,
) -> TimeSlices:
    """K representative days by Ward clustering of daily profiles, medoids as representatives.

    Parameters
    ----------
    profiles
        Hourly table (rows = hours, a multiple of 24).
    k
        Number of representative days.
    columns
        Profiles to cluster on (default: all columns).
    hours_per_year
        Hours the profiles stand for; step weights are scaled so they sum to it.
    linking
        ``chronological`` or ``cyclic`` (see :class:`TimeSlices`).
    peak_day
        Keep the day with the highest ``load_mw`` hour as a representative day of its own
        (weight 1 day) and cluster the others into K - 1 days, so the peak is modelled.
    """
    n_hours = len(profiles)
    if n_hours % HOURS_PER_DAY:
        raise InputError(
            "representative days need whole days of profiles",
            expected="a number of hourly rows divisible by 24",
            found=n_hours,
        )
    n_days = n_hours // HOURS_PER_DAY
    if not 1 <= k <= n_days:
        raise InputError(
            "number of representative days out of range",
            key="days",
            expected=f"1..{n_days}",
            found=k,
        )
    names = list(columns) if columns is not None else list(profiles.columns)
    blocks = []
    for name in sorted(set(names)):
        values = profiles[name].to_numpy(dtype=float)
        scale = np.abs(values).max()
        blocks.append((values / scale if scale > 0 else values).reshape(n_days, HOURS_PER_DAY))
    features = np.hstack(blocks)
    if k == n_days:
        labels = np.arange(n_days)
    elif peak_day and k > 1 and "load_mw" in profiles.columns:
        peak = int(np.argmax(profiles["load_mw"].to_numpy())) // HOURS_PER_DAY
        others = np.delete(np.arange(n_days), peak)
        labels = np.empty(n_days, dtype=int)
        labels[others] = fcluster(linkage(features[others], method="ward"), t=k - 1, criterion="maxclust") - 1
        labels[peak] = labels[others].max() + 1
    else:
        labels = fcluster(linkage(features, method="ward"), t=k, criterion="maxclust") - 1
    clusters = np.unique(labels)
    medoids = []
    for c in clusters:
        members = np.flatnonzero(labels == c)
        block = features[members]
        # the member with least total squared distance to the others = nearest the centroid
        distance = ((block - block.mean(axis=0)) ** 2).sum(axis=1)
        medoids.append(int(members[np.argmin(distance)]))
    order = np.argsort(medoids)  # periods in calendar order of their medoid
    medoid_day = np.asarray(medoids)[order]
    relabel = np.empty(len(clusters), dtype=int)
    relabel[order] = np.arange(len(clusters))
    sequence = relabel[np.searchsorted(clusters, labels)]
    counts = np.bincount(sequence, minlength=len(clusters)).astype(float)
    scale = hours_per_year / (n_days * HOURS_PER_DAY)
    n_periods = len(clusters)
    hour = (medoid_day[:, None] * HOURS_PER_DAY + np.arange(HOURS_PER_DAY)[None, :]).ravel()
    period = np.repeat(np.arange(n_periods), HOURS_PER_DAY)
    weight = np.repeat(counts * scale, HOURS_PER_DAY)
    return TimeSlices(
        mode="days",
        hour=hour,
        weight=weight,
        period=period,
        n_periods=n_periods,
        linking=linking,
        sequence=sequence,
        medoid_day=medoid_day,
    )
