"""Monte Carlo over a batch (floor 3, beside the runner): the distribution of the peak year and percentile bands.

Every sample counts in the denominator. A sample *has peaked* if its status is ``peaked`` (in
its peak year) or ``declining`` (it falls from the base year, so it peaked at or before it: it
counts as peaking in the base year). Samples on a ``plateau`` (peak not confirmed) or
``not_peaked`` never count as having peaked. P(peak <= year) is the share of all samples that
have peaked in or before that year.

Two different numbers describe "the" peak of a batch, and the summary keeps them apart:

- the *median peak year*: the median of the peak years of the samples that have peaked
  (``peaked`` and ``declining``, the latter at the base year); plateau and not-peaked samples
  are left out of it, and ``median_peak_year_samples`` says over how many samples it is taken.
  ``half_peaked_by`` is the first year by which at least half of *all* samples have peaked
  (None if fewer than half ever do): the year where P(peak <= year) reaches 50 %.
- the *peak of the median path*: :func:`detect_peak` applied to the p50 band, i.e. the peak of
  the year-by-year median emissions, which is not the median of the samples' peak years.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.pathway.assemble import VIEWS
from carbon.pathway.indicators import has_peaked
from carbon.pathway.peak import detect_peak
from carbon.results import StageOutput, write_folder
from carbon.scenario import sample_scenario

PERCENTILES = (5, 25, 50, 75, 95)


def peaked_years(peaks: list[dict]) -> list[int]:
    """Peak years of the samples that have peaked (a ``declining`` sample's peak year is the
    first year, as :func:`~carbon.pathway.peak.detect_peak` reports it)."""
    return [int(p["peak_year"]) for p in peaks if has_peaked(p["status"])]


def peak_distribution(peaks: list[dict], years: list[int]) -> pd.DataFrame:
    """``year, status, probability, cumulative`` from the samples' peak documents of one view.

    One row per year (status ``peaked``: the share of all samples that have peaked in that year,
    ``declining`` samples counted in the first year of ``years``, the base year; ``cumulative``
    is P(peak <= year)), then one row each for ``plateau`` and ``not_peaked`` without a year.
    The probabilities sum to 1.
    """
    n = len(peaks)
    counts = pd.Series(peaked_years(peaks), dtype=float).value_counts()
    prob = np.array([counts.get(float(y), 0) / n for y in years])
    rows = pd.DataFrame({"year": years, "status": "peaked", "probability": prob, "cumulative": np.cumsum(prob)})
    rest = pd.DataFrame(
        [
            {"year": np.nan, "status": s, "probability": sum(p["status"] == s for p in peaks) / n, "cumulative": np.nan}
            for s in ("plateau", "not_peaked")
        ]
    )
    return pd.concat([rows, rest], ignore_index=True)


def _year(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def peak_summary(peaks: list[dict], band_p50: pd.Series, years: list[int], by: int = 2030) -> dict:
    """The peak numbers of one view of a Monte Carlo aggregate (keys without the view suffix):

    ``p_peak_by_<by>``, ``p_declining``, ``median_peak_year`` (None if no sample has peaked;
    a year with .5 if the two middle years differ), ``median_peak_year_samples``,
    ``half_peaked_by``, ``peak_year_of_median_path``, ``peak_status_of_median_path``,
    ``peak_of_median_path`` (the verdict sentence). The median path is judged with the samples'
    tolerance (the largest if they differ). See the module docstring.
    """
    n = len(peaks)
    done = peaked_years(peaks)
    dist = peak_distribution(peaks, years)
    rows = dist[dist["status"] == "peaked"]
    half = rows.loc[rows["cumulative"] >= 0.5 - 1e-12, "year"]
    median_path = detect_peak(band_p50, max(float(p.get("tol", 0.01)) for p in peaks))
    return {
        f"p_peak_by_{by}": float(rows.loc[rows["year"] <= by, "probability"].sum()),
        "p_declining": sum(p["status"] == "declining" for p in peaks) / n,
        "median_peak_year": _year(np.median(done)) if done else None,
        "median_peak_year_samples": len(done),
        "half_peaked_by": int(half.iloc[0]) if len(half) else None,
        "peak_year_of_median_path": median_path.peak_year,
        "peak_status_of_median_path": median_path.status,
        "peak_of_median_path": median_path.verdict(),
    }


def percentiles(annuals: list[pd.DataFrame], column: str) -> np.ndarray:
    """The :data:`PERCENTILES` of ``column`` over the samples' annual tables, by year (linear
    interpolation): shape (len(PERCENTILES), years)."""
    stack = np.vstack([a[column].to_numpy(dtype=float) for a in annuals])
    return np.percentile(stack, PERCENTILES, axis=0)


def bands(annuals: list[pd.DataFrame]) -> pd.DataFrame:
    """Percentile bands (5/25/50/75/95) of each view's emissions, t CO2e, by year."""
    out = []
    for view in VIEWS:
        q = percentiles(annuals, f"co2e_t_{view}")
        frame = pd.DataFrame({"year": annuals[0]["year"].to_numpy(), "view": view})
        for p, values in zip(PERCENTILES, q):
            frame[f"p{p}"] = values
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def aggregate(out_dir: str | Path, rows: list[dict]) -> list[str]:
    """Write ``out_dir/<scenario>/`` for every Monte Carlo scenario of a batch whose sample runs
    have a pathway; return the names written. Failed samples are left out and counted."""
    out_dir = Path(out_dir)
    groups: dict[str, list[str]] = {}
    for row in rows:
        base = sample_scenario(row["run"])
        if base is not None and "pathway.scope12_status" in row:
            groups.setdefault(base, []).append(row["run"])
    written = []
    for base, names in sorted(groups.items()):
        names = sorted(names)
        ok = [n for n in names if (out_dir / n / "pathway" / "peak.json").is_file()]
        if not ok:
            continue
        annuals = [pd.read_csv(out_dir / n / "pathway" / "annual.csv") for n in ok]
        docs = [json.loads((out_dir / n / "pathway" / "peak.json").read_text()) for n in ok]
        years = annuals[0]["year"].to_list()
        tables = {"bands": bands(annuals)}
        tols = {float(d["scope12"].get("tol", 0.01)) for d in docs}
        summary: dict = {"samples": len(names), "samples_ok": len(ok), "peak_tol": max(tols)}
        for view in VIEWS:
            dist = peak_distribution([d[view] for d in docs], years)
            tables["peak_year_distribution" if view == "scope12" else f"peak_year_distribution_{view}"] = dist
            p50 = tables["bands"].query("view == @view").set_index("year")["p50"]
            summary.update({f"{k}_{view}": v for k, v in peak_summary([d[view] for d in docs], p50, years).items()})
        for key in (
            "p_peak_by_2030",
            "p_declining",
            "median_peak_year",
            "median_peak_year_samples",
            "half_peaked_by",
            "peak_year_of_median_path",
            "peak_status_of_median_path",
            "peak_of_median_path",
        ):
            summary[key] = summary[f"{key}_scope12"]
        write_folder(
            out_dir / base,
            {"": StageOutput(tables=tables, documents={"summary": summary})},
            {"manifest": {"kind": "monte_carlo", "scenario": base, "runs": names, **summary}},
        )
        written.append(base)
    return written
