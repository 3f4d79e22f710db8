"""``carbon compare``: key indicators of several runs side by side, and an overlay chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from carbon.errors import InputError
from carbon.plots import parse_formats
from carbon.plots.data import Aggregate, Batch, MissingData, Run, open_path, truthy
from carbon.plots.style import use_language
from carbon.results import atomic_file

#: Key indicators: (row label with unit, source, key, scale).
INDICATORS: tuple[tuple[str, str, str, float], ...] = (
    ("inventory CO2e (10^4 t CO2e)", "inventory", "co2e_t", 1e-4),
    ("inventory scope 1 (10^4 t CO2e)", "inventory", "scope1_co2e_t", 1e-4),
    ("inventory scope 2 (10^4 t CO2e)", "inventory", "scope2_co2e_t", 1e-4),
    ("inventory energy (10^4 tce)", "inventory", "energy_tce", 1e-4),
    ("factor set", "inventory", "factor_set", 1.0),
    ("GWP set", "inventory", "gwp", 1.0),
    ("energy model: local generation CO2, first milestone (10^4 t)", "energy", "local_co2_t", 1e-4),
    ("power renewable share (fraction)", "energy", "renewable_share", 1.0),
    ("power system cost (CNY/MWh)", "energy", "system_cost_cny_per_mwh", 1.0),
    ("power total cost (10^8 CNY)", "energy", "objective_cny", 1e-8),
)


@dataclass
class CompareResult:
    """The comparison table, its text, the files written and notes."""

    table: pd.DataFrame
    text: str
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def expand_runs(paths: Sequence[str | Path]) -> list[Run]:
    """Run folders from paths: a run folder itself, or every run (not Monte Carlo samples) of a results folder."""
    runs: list[Run] = []
    for p in paths:
        obj = open_path(p)
        if isinstance(obj, Run):
            runs.append(obj)
        elif isinstance(obj, Batch):
            runs += [r for r in obj.runs if r.ok and not r.is_sample]
        elif isinstance(obj, Aggregate):
            raise InputError(
                "a Monte Carlo aggregate cannot be compared",
                file=p,
                expected="run folders or results folders",
                found="an aggregate folder",
            )
    if not runs:
        raise InputError("nothing to compare", expected="at least one run folder", found=", ".join(map(str, paths)))
    return runs


def indicator_table(runs: Sequence[Run]) -> pd.DataFrame:
    """Rows = indicators (unit in the label), columns = runs."""
    cols: dict[str, dict[str, object]] = {}
    names = [r.name for r in runs]
    for run in runs:
        label = run.name if names.count(run.name) == 1 else str(run.path)
        summary = run.manifest.get("summary") or {}
        col: dict[str, object] = {"status": run.manifest.get("status")}
        for row, stage, key, scale in INDICATORS:
            value = (summary.get(stage) or {}).get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = value * scale
            if value is not None:
                col[row] = value
        for stage, data in sorted(summary.items()):
            if stage.startswith("market"):
                for k, v in sorted(data.items()):
                    if k.startswith(("price_first_cny_per_", "price_last_cny_per_")):
                        unit = k.rsplit("_per_", 1)[1]
                        which = "first" if "first" in k else "last"
                        col[f"{stage} price, {which} period (CNY/{unit})"] = v
        try:
            peak = run.document("pathway", "peak")
            for view in ("scope1", "scope12"):
                info = peak.get(view) or {}
                if info:
                    col[f"peak year, {view}"] = info.get("peak_year")
                    col[f"peak status, {view}"] = info.get("status")
                    if info.get("peak_co2e_t") is not None:
                        col[f"peak level, {view} (10^4 t CO2e)"] = float(info["peak_co2e_t"]) * 1e-4
        except MissingData:
            pass
        try:
            targets = run.table("pathway", "targets", required=("target", "met"))
            met = targets["met"].map(truthy)
            col["targets met"] = f"{int(met.sum())} of {len(targets)}"
        except MissingData:
            pass
        cols[label] = col
    table = pd.DataFrame(cols)
    return table


def format_table(table: pd.DataFrame) -> str:
    """The comparison as text, numbers with thousands separators."""

    def fmt(v: object) -> str:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return "-"
        if isinstance(v, float):
            if v.is_integer() and 1800 <= v <= 2200:
                return f"{int(v)}"
            return f"{v:,.2f}" if abs(v) < 1e6 else f"{v:,.0f}"
        return str(v)

    return table.map(fmt).to_string()


def compare(
    paths: Sequence[str | Path], out: str | Path = "compare", formats: str | Sequence[str] = ("png",), lang: str = "en"
) -> CompareResult:
    """Compare runs: a table of key indicators (``compare.csv``) and an overlay chart.

    The chart overlays the emission pathways with their peaks when the runs have a pathway,
    otherwise their inventories by gas.

    Parameters
    ----------
    paths
        Run folders, or results folders (all their runs but Monte Carlo samples).
    out
        Output folder.
    """
    from carbon.plots import inventory as inv
    from carbon.plots import pathway as pw
    from carbon.plots.driver import FigureJob, save_figures

    fmts = parse_formats(formats)
    runs = expand_runs(paths)
    used, message = use_language(lang)
    notes = [message] if message else []
    table = indicator_table(runs)
    out_dir = Path(out)
    files: list[Path] = []
    target = out_dir / "compare.csv"
    with atomic_file(target, suffix=".csv") as tmp:
        table.to_csv(tmp, index_label="indicator", lineterminator="\n")
    files.append(target)
    if any((r.path / "pathway" / "annual.csv").is_file() for r in runs):
        charts = [
            FigureJob(f"compare_pathway_{v}", "comparison", partial(pw.compare_pathways, runs, v, used))
            for v in pw.VIEWS
        ]
    else:
        notes.append("no run has a pathway: the overlay shows the inventories")
        charts = [FigureJob("compare_inventory", "comparison", partial(inv.compare_inventory, runs, used))]
    written, skipped = save_figures(charts, out_dir, fmts, used)
    return CompareResult(table, format_table(table), files + written, notes + skipped)
