"""The tables of a report, read from run folders, with units in the column headers."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from carbon.pathway.peak import verdict
from carbon.plots.data import Aggregate, Batch, MissingData, Run
from carbon.report.text import display_frame, name, text

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


@dataclass
class Table:
    """One table of a report: a key (its id and, through the glossary, its sheet name), the
    report section it belongs to, the data as the run folder has it (snake_case columns, units
    in the names) and how many rows the HTML shows (``None``: all, ``0``: none, in the
    workbook only). ``fmt`` fills the title's placeholders (a market's name); ``allowance`` is
    the unit of a market's allowance columns."""

    key: str
    section: str
    frame: pd.DataFrame
    html_rows: int | None = None
    allowance: str | None = None
    title_key: str | None = None
    fmt: dict[str, str] = field(default_factory=dict)
    run_names: dict[str, dict[str, str]] = field(default_factory=dict)  # run -> {lang: display name}

    def title(self, lang: str = "en") -> str:
        """The table's title in ``lang`` (glossary text ``table_<key>``)."""
        return text(f"table_{self.title_key or self.key}", lang, **self._fmt(lang))

    def sheet(self, lang: str = "en") -> str:
        """The workbook sheet name in ``lang`` (glossary text ``sheet_<key>``, at most 31 characters)."""
        return text(f"sheet_{self.title_key or self.key}", lang, **self._fmt(lang))

    def _fmt(self, lang: str) -> dict[str, str]:
        out = {}
        for k, v in self.fmt.items():
            if isinstance(v, dict):  # {lang: text}
                v = v.get(lang) or v.get("en", "")
            out[k] = name(v, lang) if k == "market" else v
        return out

    def display(self, lang: str = "en") -> pd.DataFrame:
        """The frame as shown (:func:`carbon.report.text.display_frame`); in Chinese without the
        English free-text columns (notes, definitions, verdicts: they stay in the English report)."""
        frame = self.frame
        if lang != "en":
            frame = frame.drop(columns=[c for c in ENGLISH_TEXT_COLUMNS if c in frame.columns])
        if self.run_names and "run" in frame.columns:
            frame = frame.assign(run=frame["run"].map(lambda r: self.run_names.get(r, {}).get(lang, r)))
        return display_frame(frame, lang, self.allowance)


#: Columns of free English text written by the stages (shown in the English report only).
ENGLISH_TEXT_COLUMNS = ("note", "definition", "verdict", "error")


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
                "plateau_first": plateau[0] if len(plateau) > 0 else None,
                "plateau_last": plateau[1] if len(plateau) > 1 else None,
                "on_plateau": plateau[0] is not None
                and len(plateau) > 1
                and plateau[1] is not None
                and plateau[1] > plateau[0],
                "max_reattained_later": info.get("max_reattained_later"),
                "rebound_before_peak": info.get("rebound_before_peak"),
                "verdict": info.get("verdict") or _verdict(info),
            }
        )
    return pd.DataFrame(rows)


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
    """Every table of a run that a report shows, in report order; absent stages give none.
    Tables of one row per year are shown whole (2060 included); long tables (per activity row,
    per sector and year, per firm) are in the workbook only."""
    out: list[Table] = []

    def add(
        key: str,
        section: str,
        stage: str,
        name: str,
        allowance: str | None = None,
        rows: int | None = None,
        title_key: str | None = None,
        fmt: dict | None = None,
    ) -> None:
        try:
            frame = run.table(stage, name)
        except MissingData:
            return
        out.append(Table(key, section, frame, rows, allowance, title_key, fmt or {}))

    add("indicators", "indicators", "pathway", "annual")
    try:
        out.append(Table("peak", "peak", peak_table(run.document("pathway", "peak"))))
    except MissingData:
        pass
    add("targets", "targets", "pathway", "targets")
    add("lmdi", "targets", "pathway", "lmdi")
    add("pathway_by_sector", "indicators", "pathway", "by_sector", rows=0)
    add("inventory_by_sector", "inventory", "inventory", "by_sector")
    add("inventory_by_gas", "inventory", "inventory", "by_gas")
    add("inventory_by_scope", "inventory", "inventory", "by_scope")
    add("inventory_energy", "inventory", "inventory", "energy_by_sector")
    add("inventory_uncertainty", "inventory", "inventory", "uncertainty")
    add("inventory_emissions", "inventory", "inventory", "emissions", rows=0)
    add("energy_years", "energy", "energy", "years")
    add("energy_capacity", "energy", "energy", "capacity", rows=0)
    add("energy_annual", "energy", "energy", "annual", rows=0)
    add("energy_costs", "energy", "energy", "costs")
    add("energy_mac", "energy", "energy", "mac_curve")
    for m in run.markets():
        stage = run.market_stage(m)
        tag = f"market_{m}" if m else "market"
        try:
            unit = _market_unit(run.table(stage, "periods"))
        except MissingData:
            continue
        fmt = {"market": m or "market"}
        add(f"{tag}_periods", "market", stage, "periods", unit, title_key="market_periods", fmt=fmt)
        add(f"{tag}_firms", "market", stage, "firms", unit, rows=0, title_key="market_firms", fmt=fmt)
        add(f"{tag}_trades", "market", stage, "trades", unit, rows=0, title_key="market_trades", fmt=fmt)
    out.append(Table("scenario", "scenario", scenario_table(run)))
    out.append(Table("provenance", "provenance", provenance_table(run)))
    return out


def shown_runs(batch: Batch) -> list[Run]:
    """The runs of a batch that a report shows (Monte Carlo samples left out: their aggregates
    stand for them)."""
    return [r for r in batch.runs if r.ok and not r.is_sample]


#: Tables of a run stacked over the runs of a batch in its workbook (the others stay per run).
STACKED = (
    "indicators",
    "peak",
    "targets",
    "lmdi",
    "pathway_by_sector",
    "inventory_by_sector",
    "inventory_by_gas",
    "inventory_by_scope",
    "energy_years",
    "energy_capacity",
    "energy_annual",
)


def batch_tables(batch: Batch, per_run: Mapping[Path, list[Table]] | None = None) -> list[Table]:
    """The tables of a batch's workbook after its key indicators: the main tables of its
    :func:`shown_runs` stacked with a ``run`` column, then the Monte Carlo summaries
    (:func:`monte_carlo_tables`). ``per_run`` (run folder -> :func:`run_tables`) saves building
    the runs' tables again."""
    out: list[Table] = []
    stacked: dict[str, list[pd.DataFrame]] = {}
    meta: dict[str, Table] = {}
    for run in shown_runs(batch):
        for t in per_run[run.path] if per_run is not None else run_tables(run):
            if t.key not in STACKED:
                continue
            stacked.setdefault(t.key, []).append(t.frame.assign(run=run.name)[["run", *t.frame.columns]])
            meta.setdefault(t.key, t)
    names = run_names(shown_runs(batch))
    for key in STACKED:
        if key in stacked:
            t = meta[key]
            out.append(
                Table(key, t.section, pd.concat(stacked[key], ignore_index=True), 0, t.allowance, run_names=names)
            )
    return out + monte_carlo_tables(batch)


def run_names(runs: list[Run]) -> dict[str, dict[str, str]]:
    """Display names of runs by run name, in both languages."""
    return {r.name: {lang: r.label(lang) for lang in ("en", "zh")} for r in runs}


def monte_carlo_tables(batch: Batch | Aggregate) -> list[Table]:
    """One summary row per Monte Carlo scenario (samples, P(peak by the target year), median
    peak year, the 5-95 % range of the key years' emissions) and each aggregate's peak-year
    distribution and percentile bands (scope 1 + 2)."""
    aggregates = batch.aggregates if isinstance(batch, Batch) else [batch]
    rows, out, labels = [], [], {}
    for i, agg in enumerate(aggregates):
        s = agg.summary()
        label = {lang: agg.label(lang) for lang in ("en", "zh")}
        tag = {"name": label, "tag": "MC" if len(aggregates) == 1 else f"MC{i + 1}"}
        labels[agg.name] = label
        row: dict[str, Any] = {
            "run": agg.name,
            "samples": s.get("samples"),
            "samples_ok": s.get("samples_ok"),
        }
        for k in sorted(s):
            if k.startswith("p_peak_by_") and k.endswith("_scope12"):
                row[f"p_peak_by_{k.split('_')[3]}"] = s[k]
        row["median_peak_year"] = s.get("median_peak_year_scope12", s.get("median_peak_year"))
        row["peak_year_of_median_path"] = s.get("peak_year_of_median_path_scope12", s.get("peak_year_of_median_path"))
        try:
            bands = agg.table("bands", required=("year",))
            if "view" in bands.columns:
                bands = bands[bands["view"] == "scope12"]
            b = bands.set_index("year")
            for y in (2030, 2060):
                if y in b.index and {"p5", "p50", "p95"} <= set(b.columns):
                    for q in ("p5", "p50", "p95"):
                        row[f"co2e_t_{y}_{q}"] = float(b.at[y, q])
            bands = bands.rename(columns={q: f"co2e_t_{q}" for q in ("p5", "p25", "p50", "p75", "p95")})
            out.append(
                Table(
                    f"{agg.name}_bands", "uncertainty", bands.reset_index(drop=True), 0, title_key="mc_bands", fmt=tag
                )
            )
        except MissingData:
            pass
        for view, table_name in agg.distributions():
            if view in ("", "scope12"):
                dist = agg.table(table_name)
                out.insert(0, Table(f"{agg.name}_peak_year", "uncertainty", dist, 0, title_key="mc_peak_year", fmt=tag))
        rows.append(row)
    if rows:
        out.insert(0, Table("monte_carlo", "uncertainty", pd.DataFrame(rows), run_names=labels))
    return out


def internals_table(runs: list[Run]) -> pd.DataFrame:
    """Solver and timing internals of runs (the report's appendix): status, seconds per stage,
    the energy model's size and solve seconds, the code version."""
    rows = []
    for run in runs:
        m = run.manifest
        row: dict[str, Any] = {"run": run.name, "status": m.get("status")}
        for k, v in sorted((m.get("timings_s") or {}).items()):
            if isinstance(v, (int, float)):
                row[f"time_{k}_s"] = v
        energy = (m.get("summary") or {}).get("energy") or {}
        for k in ("columns", "rows", "build_s", "compile_s", "solve_s", "extract_s"):
            if isinstance(energy.get(k), (int, float)):
                row[f"energy_{k}"] = energy[k]
        row["git_commit"] = m.get("git_commit")
        rows.append(row)
    return pd.DataFrame(rows)


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
        shown = shown_runs(obj)
        per_run = {run.path: run_tables(run) for run in shown}
        sheets = batch_tables(obj, per_run)
        sheets.append(Table("internals", "appendix", internals_table(shown), run_names=run_names(shown)))
        return ReportTables(sheets, per_run)
    return ReportTables(monte_carlo_tables(obj), {})


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
