"""Monte Carlo over pathways: the distribution of the peak year and percentile bands.

Every sample counts in the denominator: P(peak <= year) is the share of all samples whose
emissions peaked (status ``peaked``) in or before that year; samples on a plateau or not yet
peaked never count as having peaked.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.pathway.stage import VIEWS
from carbon.results import StageOutput, write_folder
from carbon.scenario import sample_scenario

PERCENTILES = (5, 25, 50, 75, 95)


def peak_distribution(peaks: list[dict], years: list[int]) -> pd.DataFrame:
    """``year, status, probability, cumulative`` from the samples' peak documents of one view."""
    n = len(peaks)
    peaked = [p["peak_year"] for p in peaks if p["status"] == "peaked"]
    counts = pd.Series(peaked, dtype=float).value_counts()
    prob = np.array([counts.get(float(y), 0) / n for y in years])
    rows = pd.DataFrame({"year": years, "status": "peaked", "probability": prob, "cumulative": np.cumsum(prob)})
    rest = pd.DataFrame([{"year": np.nan, "status": s, "probability": sum(p["status"] == s for p in peaks) / n,
                          "cumulative": np.nan} for s in ("plateau", "not_peaked")])
    return pd.concat([rows, rest], ignore_index=True)


def bands(annuals: list[pd.DataFrame]) -> pd.DataFrame:
    """Percentile bands (5/25/50/75/95) of each view's emissions, t CO2e, by year."""
    out = []
    for view in VIEWS:
        stack = np.vstack([a[f"co2e_t_{view}"].to_numpy() for a in annuals])
        q = np.percentile(stack, PERCENTILES, axis=0)
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
        summary: dict = {"samples": len(names), "samples_ok": len(ok)}
        for view in VIEWS:
            dist = peak_distribution([d[view] for d in docs], years)
            tables["peak_year_distribution" if view == "scope12" else f"peak_year_distribution_{view}"] = dist
            by = dist[(dist["status"] == "peaked") & (dist["year"] <= 2030)]["probability"].sum()
            summary[f"p_peak_by_2030_{view}"] = float(by)
        summary["p_peak_by_2030"] = summary["p_peak_by_2030_scope12"]
        write_folder(out_dir / base, {"": StageOutput(tables=tables, documents={"summary": summary})},
                     {"manifest": {"kind": "monte_carlo", "scenario": base, "runs": names, **summary}})
        written.append(base)
    return written
