"""The tables of a report, read from run folders, with units in the column headers."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from carbon.errors import InputError
from carbon.pathway.peak import verdict
from carbon.plots.data import Aggregate, Batch, MissingData, Run

#: Column-name endings and their units, longest first (the naming rule of the run tables).
SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_t_per_10k_cny", "t/10^4 CNY"),
    ("_t_per_mwh", "t/MWh"),
    ("_t_per_tce", "t/tce"),
    ("_tce_per_10k_cny", "tce/10^4 CNY"),
    ("_cny_per_mwh", "CNY/MWh"),
    ("_cny_per_tco2", "CNY/t CO2"),
    ("_cny_per_tce", "CNY/tce"),
    ("_cny_per_t", "CNY/t"),
    ("_10k_cny", "10^4 CNY"),
    ("_co2e_t", "t CO2e"),
    ("_tco2", "t CO2"),
    ("_cny", "CNY"),
    ("_tce", "tce"),
    ("_tj", "TJ"),
    ("_mwh", "MWh"),
    ("_mw", "MW"),
    ("_gj", "GJ"),
    ("_t", "t"),
    ("_s", "s"),
)
NAMED_UNITS = {
    "co2e_t": "t CO2e",
    "emissions_t": "t",
    "effect_t": "t CO2e",
    "cny": "CNY",
    "weight": "h",
    "hour": "h",
    "capacity_factor": "fraction",
    "renewable_share": "fraction",
    "ratio": "-",
    "non_fossil_share": "fraction",
    "renewable_share_electricity": "fraction",
    "relative": "fraction",
    "population": "persons",
    "cycles": "-",
    "year": None,
    "period": None,
}
#: Columns of market tables counted in allowances (their unit is the market's unit).
ALLOWANCE_COLUMNS = {
    "emissions",
    "abatement",
    "offsets",
    "bank",
    "auction_sold",
    "auction_unsold",
    "ceiling_sold",
    "reserve_intake",
    "reserve_release",
    "reserve_holdings",
    "reserve_invalidated",
    "free_allocation",
    "obligation",
    "surrendered",
    "non_compliance",
    "expired",
    "allocation",
    "net_purchase",
    "quantity",
    "balance",
    "volume",
}
MONEY_COLUMNS = {"auction_revenue", "abatement_cost", "compliance_cost"}


def column_unit(col: str, allowance_unit: str | None = None) -> str | None:
    """The unit of a column from its name (``co2e_t`` -> ``t CO2e``), or None when it has none."""
    if col in NAMED_UNITS:
        return NAMED_UNITS[col]
    if allowance_unit:
        if col in ALLOWANCE_COLUMNS:
            return allowance_unit
        if col in ("price", "auction_price", "equilibrium_price"):
            return f"CNY/{allowance_unit}"
        if col in MONEY_COLUMNS:
            return "CNY"
    if re.search(r"co2e_t(_|$)", col):
        return "t CO2e"
    if re.search(r"(^|_)tce_(?!per_)", col):  # energy_tce_coal_substitution
        return "tce"
    for suffix, unit in SUFFIX_UNITS:
        if col.endswith(suffix):
            return unit
    return None


def with_units(frame: pd.DataFrame, allowance_unit: str | None = None) -> pd.DataFrame:
    """The frame with each column header followed by its unit: ``co2e_t [t CO2e]``."""
    names = {}
    for col in frame.columns:
        unit = column_unit(str(col), allowance_unit)
        names[col] = f"{col} [{unit}]" if unit else str(col)
    return frame.rename(columns=names)


@dataclass
class Table:
    """One table of a report: a key (sheet name), a title, the data (units in headers) and the
    report section it belongs to."""

    key: str
    title: str
    section: str
    frame: pd.DataFrame
    html_rows: int = 40


def _market_unit(periods: pd.DataFrame) -> str:
    """The allowance unit as the market wrote it (``tCO2``, ``tce``); unlike
    :func:`carbon.plots.market.allowance_unit` (axis labels) it keeps ``tCO2`` as written."""
    if "unit" in periods.columns and len(periods):
        return str(periods["unit"].iloc[0])
    return "unit"


def peak_table(doc: dict) -> pd.DataFrame:
    """``peak.json`` as rows per view (level also in 10^4 t CO2e), with ``on_plateau`` (the plateau
    spans more than one year) and the one-sentence ``verdict`` (:func:`carbon.pathway.peak.verdict`)."""
    rows = []
    for view, info in sorted(doc.items()):
        if not isinstance(info, dict):
            continue
        level = info.get("peak_co2e_t")
        plateau = info.get("plateau") or [None, None]
        rows.append(
            {
                "view": view,
                "status": info.get("status"),
                "peak_year": info.get("peak_year"),
                "peak_co2e_t": level,
                "peak_co2e_10k_t": level / 1e4 if isinstance(level, (int, float)) else None,
                "plateau_first": plateau[0] if len(plateau) > 0 else None,
                "plateau_last": plateau[1] if len(plateau) > 1 else None,
                "on_plateau": plateau[0] is not None and len(plateau) > 1 and plateau[1] is not None
                and plateau[1] > plateau[0],
                "max_reattained_later": info.get("max_reattained_later"),
                "rebound_before_peak": info.get("rebound_before_peak"),
                "verdict": info.get("verdict") or _verdict(info),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.rename(columns={"peak_co2e_10k_t": "peak_co2e [10^4 t CO2e]", "peak_co2e_t": "peak_co2e_t [t CO2e]"})


def _verdict(info: dict) -> str | None:
    """The verdict sentence of a ``peak.json`` entry written before it carried one."""
    try:
        return verdict(info)
    except (TypeError, ValueError, KeyError, IndexError):
        return None


def _flatten(prefix: str, value: Any, out: list[dict]) -> None:
    if isinstance(value, dict):
        for k in sorted(value):
            _flatten(f"{prefix}.{k}" if prefix else str(k), value[k], out)
    else:
        if isinstance(value, (list, tuple)):
            value = json.dumps(value)
        out.append({"key": prefix, "value": value})


def provenance_table(run: Run) -> pd.DataFrame:
    """Provenance of a run from its manifest: run, status, hash, seed, git commit, files, versions, timings."""
    m = run.manifest
    rows: list[dict] = []
    for key in ("run", "status", "error", "hash", "seed", "git_commit", "scenario_file"):
        if key in m:
            rows.append({"key": key, "value": m.get(key)})
    _flatten("versions", m.get("versions") or {}, rows)
    _flatten("timings_s", m.get("timings_s") or {}, rows)
    frame = pd.DataFrame(rows, columns=["key", "value"])
    frame["value"] = frame["value"].map(lambda v: "" if v is None else str(v))
    return frame


def scenario_table(run: Run) -> pd.DataFrame:
    """The resolved scenario as ``key, value`` rows (dotted keys)."""
    rows: list[dict] = []
    _flatten("", run.scenario, rows)
    frame = pd.DataFrame(rows, columns=["key", "value"])
    frame["value"] = frame["value"].map(lambda v: "" if v is None else str(v))
    return frame


def run_tables(run: Run) -> list[Table]:
    """Every table of a run that a report shows, in report order; absent stages give none."""
    out: list[Table] = []

    def add(
        key: str, title: str, section: str, stage: str, name: str, allowance: str | None = None, rows: int = 40
    ) -> None:
        try:
            frame = run.table(stage, name)
        except MissingData:
            return
        out.append(Table(key, title, section, with_units(frame, allowance), rows))

    add("indicators", "Indicators per year", "indicators", "pathway", "annual")
    try:
        out.append(Table("peak", "Peak of emissions", "peak", peak_table(run.document("pathway", "peak"))))
    except MissingData:
        pass
    add("targets", "Targets", "targets", "pathway", "targets")
    add("lmdi", "LMDI decomposition", "targets", "pathway", "lmdi")
    add("pathway_by_sector", "Emissions per sector and year", "indicators", "pathway", "by_sector", rows=0)
    add("inventory_by_sector", "Emissions by sector", "inventory", "inventory", "by_sector")
    add("inventory_by_gas", "Emissions by gas", "inventory", "inventory", "by_gas")
    add("inventory_by_scope", "Emissions by scope", "inventory", "inventory", "by_scope")
    add("inventory_energy", "Energy use by sector", "inventory", "inventory", "energy_by_sector")
    add("inventory_uncertainty", "Uncertainty of the total (95 % interval)", "inventory", "inventory", "uncertainty")
    add("inventory_emissions", "Emissions per activity row and gas", "inventory", "inventory", "emissions", rows=0)
    add("energy_years", "Power system per year", "energy", "energy", "years")
    add("energy_capacity", "Installed capacity", "energy", "energy", "capacity")
    add("energy_annual", "Generation, costs and emissions per technology", "energy", "energy", "annual", rows=0)
    add("energy_costs", "Costs by component", "energy", "energy", "costs")
    add("energy_mac", "Emissions of the power system at carbon prices", "energy", "energy", "mac_curve")
    for m in run.markets():
        stage = run.market_stage(m)
        tag = f"market_{m}" if m else "market"
        try:
            unit = _market_unit(run.table(stage, "periods"))
        except MissingData:
            continue
        label = m or "market"
        add(f"{tag}_periods", f"Market {label}: periods", "market", stage, "periods", unit)
        add(f"{tag}_firms", f"Market {label}: firms", "market", stage, "firms", unit, rows=0)
        add(f"{tag}_trades", f"Market {label}: trades", "market", stage, "trades", unit, rows=0)
    out.append(Table("scenario", "Resolved scenario", "scenario", scenario_table(run), 10_000))
    out.append(Table("provenance", "Provenance", "provenance", provenance_table(run), 10_000))
    return out


def shown_runs(batch: Batch) -> list[Run]:
    """The runs of a batch that a report shows (Monte Carlo samples left out: their aggregates
    stand for them)."""
    return [r for r in batch.runs if r.ok and not r.is_sample]


def batch_tables(batch: Batch, per_run: Mapping[Path, list[Table]] | None = None) -> list[Table]:
    """The tables of a batch: ``runs`` (summary.csv), every table of its :func:`shown_runs`
    stacked with a ``run`` column and the aggregates' peak-year distributions and percentile
    bands. ``per_run`` (run folder -> :func:`run_tables`) saves building the runs' tables again."""
    out: list[Table] = []
    summary = batch.summary
    if summary is not None:
        frame = with_units(summary.rename(columns=lambda c: c.replace(".", "_")))
        out.append(Table("runs", "Runs of the batch", "runs", frame, 100))
    stacked: dict[str, list[pd.DataFrame]] = {}
    meta: dict[str, Table] = {}
    for run in shown_runs(batch):
        for t in per_run[run.path] if per_run is not None else run_tables(run):
            stacked.setdefault(t.key, []).append(t.frame.assign(run=run.name)[["run", *t.frame.columns]])
            meta.setdefault(t.key, t)
    for key, frames in stacked.items():
        t = meta[key]
        out.append(Table(key, t.title, t.section, pd.concat(frames, ignore_index=True), t.html_rows))
    for agg in batch.aggregates:
        for _, name in agg.distributions():
            frame = agg.table(name)
            out.append(
                Table(
                    f"{agg.name}_{name.replace('peak_year_distribution', 'peak_year')}",
                    f"{agg.name}: {name}",
                    "uncertainty",
                    frame,
                )
            )
        if (agg.path / "bands.csv").is_file():
            bands = agg.table("bands")
            bands = bands.rename(columns={c: f"{c} [t CO2e]" for c in bands.columns if c.startswith("p")})
            out.append(Table(f"{agg.name}_bands", f"{agg.name}: percentile bands", "uncertainty", bands))
    return out


@dataclass
class ReportTables:
    """The tables of a report: the workbook's sheets, in order, and each shown run's own tables
    (by run folder) for its section of the HTML report."""

    sheets: list[Table]
    runs: dict[Path, list[Table]]


def report_tables(obj: Run | Batch | Aggregate) -> ReportTables:
    """Every table of a run, batch or aggregate, each built once."""
    if isinstance(obj, Run):
        tables = run_tables(obj)
        return ReportTables(tables, {obj.path: tables})
    if isinstance(obj, Batch):
        per_run = {run.path: run_tables(run) for run in shown_runs(obj)}
        return ReportTables(batch_tables(obj, per_run), per_run)
    sheets = []
    for name in ("peak_year_distribution", "bands"):
        try:
            sheets.append(Table(name, name, "uncertainty", obj.table(name)))
        except InputError:
            continue
    return ReportTables(sheets, {})


def format_cell(value: Any) -> str:
    """A cell for HTML: thousands separators, 4 significant digits for small numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return f"{value}" if 1800 <= value <= 2200 else f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and 1800 <= value <= 2200:
            return f"{int(value)}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 1 or value == 0:
            return f"{value:,.2f}"
        return f"{value:.4g}"
    return str(value)
