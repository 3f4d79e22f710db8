"""What the explorer shows, read from a results folder through :mod:`carbon.results`.

:func:`explorer_data` returns one JSON-ready dict: the named runs (Monte Carlo samples are not
listed one by one) with their tables as column arrays in the run folder's own units, and for
each Monte Carlo scenario the 5/25/50/75/95th percentiles of every indicator by year. The page
scales for display (``factor`` of each indicator) and names things through the glossary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbon.batch import PERCENTILES, percentiles
from carbon.errors import InputError
from carbon.plots.data import display_name, hourly_year, peak_target_year
from carbon.results import (
    BatchResult,
    RunResult,
    open_batch,
    open_run,
    read_json,
    read_manifest,
    read_table,
    table_path,
)
from carbon.scenario import sample_scenario

DISPATCH_DECIMALS = 4
"""Decimals kept of the hourly dispatch (MW, MWh, CNY/MWh): 0.1 kW is far below what a chart
shows, and the file stays small. Every other table keeps full precision."""


@dataclass(frozen=True)
class Indicator:
    """A quantity the page can chart: ``column`` of a run table, shown as ``column x factor`` in
    ``unit`` (a glossary name, e.g. ``10^4 t co2e``; for a market ``price`` or ``quantity``,
    which the market's own unit makes concrete)."""

    column: str
    unit: str
    factor: float = 1.0


PATHWAY = (
    Indicator("co2e_t_scope12", "10^4 t co2e", 1e-4),
    Indicator("co2e_t_scope1", "10^4 t co2e", 1e-4),
    Indicator("scope2_co2e_t", "10^4 t co2e", 1e-4),
    Indicator("energy_co2_t", "10^4 t co2", 1e-4),
    Indicator("power_co2_t", "10^4 t co2", 1e-4),
    Indicator("energy_tce", "10^4 tce", 1e-4),
    Indicator("energy_tce_coal_substitution", "10^4 tce", 1e-4),
    Indicator("energy_tce_assessed", "10^4 tce", 1e-4),
    Indicator("electricity_mwh", "10^4 kwh", 0.1),
    Indicator("net_imports_mwh", "10^4 kwh", 0.1),
    Indicator("population", "10^4 persons", 1e-4),
    Indicator("gdp_10k_cny", "10^4 cny"),
    Indicator("carbon_intensity_t_per_10k_cny", "t/10^4 cny"),
    Indicator("co2_intensity_t_per_10k_cny", "t/10^4 cny"),
    Indicator("energy_intensity_tce_per_10k_cny", "tce/10^4 cny"),
    Indicator("energy_intensity_assessed_tce_per_10k_cny", "tce/10^4 cny"),
    Indicator("non_fossil_share", "%", 100.0),
    Indicator("renewable_share_electricity", "%", 100.0),
    Indicator("grid_factor_t_per_mwh", "t/mwh"),
    Indicator("carbon_price_cny_per_t", "cny/t co2"),
)
"""Indicators of ``pathway/annual.csv`` in the order the page offers them; a numeric column
not listed here is offered after them, unscaled."""

SECTOR_COLUMNS = {"scope1": "co2e_t_scope1", "scope12": "co2e_t_scope12"}
"""``pathway/by_sector.csv`` views and the ``annual.csv`` total each one breaks down."""

POWER = (
    Indicator("total_mw", "mw"),
    Indicator("generation_mwh", "10^4 kwh", 0.1),
    Indicator("curtailment_mwh", "10^4 kwh", 0.1),
    Indicator("emissions_t", "10^4 t co2", 1e-4),
    Indicator("total_mwh", "mwh"),
)
"""Power-system indicators by milestone year and technology (``energy/capacity.csv``:
``total_mw``, ``total_mwh``; ``energy/annual.csv``: the others)."""

GRID = ("grid_import", "grid_export")
"""Technologies of the connection to the grid: their carrier is shown as the technology, and the
page draws exports below zero (electricity leaving the county)."""

MARKET = (
    Indicator("price", "price"),
    Indicator("emissions", "quantity", 1e-4),
    Indicator("free_allocation", "quantity", 1e-4),
    Indicator("abatement", "quantity", 1e-4),
    Indicator("offsets", "quantity", 1e-4),
    Indicator("bank", "quantity", 1e-4),
    Indicator("auction_sold", "quantity", 1e-4),
    Indicator("non_compliance", "quantity", 1e-4),
)
"""Columns of ``market/<market>/periods.csv`` (units per market: t CO2 or tce)."""


def _values(series: pd.Series, decimals: int | None = None) -> list[Any]:
    """A column as a JSON list: numbers (NaN and infinities as None), booleans, or text."""
    if pd.api.types.is_bool_dtype(series):
        return [bool(v) for v in series]
    if pd.api.types.is_numeric_dtype(series):
        array = series.to_numpy(dtype=float)
        if decimals is not None:
            array = np.round(array, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        return [
            None if not math.isfinite(v) else (int(v) if v.is_integer() and abs(v) < 2**53 else v)
            for v in array.tolist()
        ]
    return [None if (isinstance(v, float) and math.isnan(v)) else str(v) for v in series]


def _number(value: Any) -> float | int | None:
    """A JSON number, or None for anything else (NaN, text, absent)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if isinstance(value, float) and not math.isfinite(value) else value


def columns(frame: pd.DataFrame, decimals: int | None = None) -> dict[str, list[Any]]:
    """A table as ``{column: [values]}`` (the page's compact form of a table)."""
    return {str(c): _values(frame[c], decimals) for c in frame.columns}


def _numeric(frame: pd.DataFrame, exclude: tuple[str, ...] = ()) -> list[str]:
    return [
        str(c)
        for c in frame.columns
        if c not in exclude and pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]


def _label(run: RunResult) -> dict[str, str]:
    """The run's display name in each language (:func:`carbon.plots.data.display_name`: its
    ``label:``, else its name, then the swept values), the same as in reports and figures."""
    scenario = dict(run.scenario) if isinstance(run.scenario, dict) else {}
    if "label" not in scenario and run.manifest.get("label"):
        scenario["label"] = run.manifest["label"]
    return {lang: display_name(run.name, scenario, lang) for lang in ("en", "zh")}


def _has(run: RunResult, stage: str, name: str) -> bool:
    return table_path(run.path / stage, name).is_file()


def _pathway(run: RunResult) -> dict[str, Any]:
    annual = run.table("pathway", "annual")
    out: dict[str, Any] = {"annual": columns(annual[["year", *_numeric(annual, ("year",))]])}
    if _has(run, "pathway", "by_sector"):
        frame = run.table("pathway", "by_sector")
        sectors: dict[str, dict[str, list[Any]]] = {}
        for view, group in frame.groupby("view", sort=True):
            wide = group.pivot_table(index="year", columns="sector", values="co2e_t", aggfunc="sum")
            wide = wide.reindex(annual["year"].to_numpy())
            sectors[str(view)] = {str(s): _values(wide[s]) for s in wide.columns}
        out["sectors"] = sectors
    return out


def _energy(run: RunResult) -> dict[str, Any]:
    """Capacity and annual figures by year and technology (nodes summed), the hourly dispatch
    and the milestone its view opens on (:func:`~carbon.plots.data.hourly_year`)."""
    out: dict[str, Any] = {}
    frames = []
    if _has(run, "energy", "annual"):
        annual = run.table("energy", "annual")
        keys = [c for c in ("year", "technology", "carrier") if c in annual.columns]
        values = [c for c in ("generation_mwh", "curtailment_mwh", "emissions_t") if c in annual.columns]
        frames.append(annual.groupby(keys, sort=True, dropna=False)[values].sum(min_count=1).reset_index())
    if _has(run, "energy", "capacity"):
        capacity = run.table("energy", "capacity")
        values = [c for c in ("total_mw", "total_mwh") if c in capacity.columns]
        frames.append(capacity.groupby(["year", "technology"], sort=True)[values].sum(min_count=1).reset_index())
    if frames:
        tech = frames[0] if len(frames) == 1 else frames[0].merge(frames[1], on=["year", "technology"], how="outer")
        tech = tech.sort_values(["year", "technology"], kind="stable").reset_index(drop=True)
        if "carrier" not in tech.columns:
            tech["carrier"] = tech["technology"]
        tech["carrier"] = tech["carrier"].fillna(tech["technology"])
        grid = tech["technology"].isin(GRID)  # imports and exports are both "electricity": keep them apart
        tech.loc[grid, "carrier"] = tech.loc[grid, "technology"]
        if len(tech):
            out["technology"] = columns(tech)
    if _has(run, "energy", "dispatch"):
        hourly = dispatch(run.table("energy", "dispatch"))
        out["dispatch"] = columns(hourly, DISPATCH_DECIMALS)
        targets = run.table("pathway", "targets") if _has(run, "pathway", "targets") else None
        years = sorted(int(y) for y in hourly["year"].unique())
        out["dispatch_year"] = hourly_year(peak_target_year(targets), years) if years else None
    return out


def dispatch(frame: pd.DataFrame) -> pd.DataFrame:
    """The hourly dispatch of every node summed (MW and MWh; the price is the mean over the
    nodes, CNY/MWh), by year and hour of the year, with ``day`` = hour // 24; columns that are
    zero throughout are left out."""
    keys = ["year", "hour"]
    values = [c for c in _numeric(frame, ("year", "hour", "step", "weight")) if c != "price_cny_per_mwh"]
    agg: dict[str, Any] = {c: "sum" for c in values}
    if "weight" in frame.columns:
        agg["weight"] = "first"
    if "price_cny_per_mwh" in frame.columns:
        agg["price_cny_per_mwh"] = "mean"
    out = frame.groupby(keys, sort=True)[list(agg)].agg(agg).reset_index()
    out.insert(2, "day", out["hour"] // 24)
    keep = [
        c
        for c in out.columns
        if c in (*keys, "day", "weight", "price_cny_per_mwh", "load_mw") or (out[c].fillna(0) != 0).any()
    ]
    return out[keep]


def _markets(run: RunResult) -> dict[str, Any]:
    base = run.path / "market"
    if not base.is_dir():
        return {}
    stages = (
        ["market"]
        if table_path(base, "periods").is_file()
        else [f"market/{p.name}" for p in sorted(base.iterdir()) if p.is_dir() and table_path(p, "periods").is_file()]
    )
    out = {}
    for stage in stages:
        periods = run.table(stage, "periods")
        name = stage.split("/", 1)[1] if "/" in stage else "carbon"
        unit = str(periods["unit"].iloc[0]) if "unit" in periods.columns and len(periods) else "tCO2"
        out[name] = {
            "units": market_units(unit),
            "periods": columns(periods[["period", *_numeric(periods, ("period",))]]),
        }
    return out


def market_units(unit: str) -> dict[str, str]:
    """Glossary unit names of a market whose allowance is ``unit`` (``tCO2`` or ``tce``): the
    price (CNY per allowance) and quantities (10^4 allowances)."""
    key = unit.strip().lower().replace(" ", "")
    if key in ("tco2", "t", "tco2e"):
        return {"price": "cny/t co2", "quantity": "10^4 t co2"}
    return {"price": f"cny/{key}", "quantity": f"10^4 {key}"}


INVENTORY = (
    Indicator("co2e_t", "10^4 t co2e", 1e-4),
    Indicator("energy_tce", "10^4 tce", 1e-4),
)
"""Base-year inventory indicators: emissions (``inventory/emissions.csv``, memo items left out)
by sector, item (fuel or activity), gas and scope; energy (``inventory/energy.csv``) by sector
and item."""


def _inventory(run: RunResult) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if _has(run, "inventory", "emissions"):
        frame = run.table("inventory", "emissions")
        if "memo" in frame.columns:
            frame = frame[~frame["memo"].astype(str).str.strip().str.lower().isin(("true", "1", "yes"))]
        keys = [c for c in ("year", "sector", "item", "gas", "scope") if c in frame.columns]
        grouped = frame.groupby(keys, sort=True)["co2e_t"].sum().reset_index()
        out["emissions"] = columns(grouped.astype({"scope": str}) if "scope" in grouped else grouped)
    if _has(run, "inventory", "energy"):
        frame = run.table("inventory", "energy")
        keys = [c for c in ("year", "sector", "item") if c in frame.columns]
        out["energy"] = columns(frame.groupby(keys, sort=True)["energy_tce"].sum().reset_index())
    return out


def _run(run: RunResult) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": run.name, "label": _label(run)}
    inventory = _inventory(run)
    if inventory:
        entry["inventory"] = inventory
    if _has(run, "pathway", "annual"):
        entry.update(_pathway(run))
    entry.update(_energy(run))
    markets = _markets(run)
    if markets:
        entry["markets"] = markets
    return entry


def fan(batch: BatchResult, scenario: str, samples: list[str]) -> dict[str, Any] | None:
    """The Monte Carlo fan of ``scenario``: every numeric ``annual.csv`` column's percentiles by
    year over the ok samples (:func:`carbon.batch.percentiles`, the rule of the batch's own
    ``bands.csv``), and ``peak`` holds the aggregate's
    P(peak by 2030) and median peak year of each emission column (``summary.json``). None when no
    sample has a pathway."""
    annuals = []
    for name in samples:  # read without open_run: 200 samples need only their annual table
        manifest = read_manifest(batch.path / name) or {}
        annual = table_path(batch.path / name / "pathway", "annual")
        if manifest.get("status", "ok") == "ok" and annual.is_file():
            annuals.append(read_table(annual))
    if not annuals:
        return None
    years = annuals[0]["year"].to_numpy()
    annuals = [a for a in annuals if np.array_equal(a["year"].to_numpy(), years)]
    names = [c for c in _numeric(annuals[0], ("year",)) if all(c in a.columns for a in annuals)]
    out: dict[str, Any] = {"name": scenario, "samples": len(annuals), "year": _values(annuals[0]["year"])}
    out["bands"] = {
        column: {f"p{p}": _values(pd.Series(v)) for p, v in zip(PERCENTILES, percentiles(annuals, column))}
        for column in names
    }
    summary = batch.path / scenario / "summary.json"
    if summary.is_file():
        figures = read_json(summary)
        out["peak"] = {
            column: {key: _number(figures.get(f"{key}_{view}")) for key in ("p_peak_by_2030", "median_peak_year")}
            for view, column in SECTOR_COLUMNS.items()
            if isinstance(figures, dict) and f"p_peak_by_2030_{view}" in figures
        }
    return out


def _open(path: Path) -> tuple[BatchResult | None, list[RunResult], dict[str, list[str]]]:
    """The batch (None for a single run folder), its named runs and its Monte Carlo samples by
    scenario."""
    if (path / "manifest.json").is_file():
        run = open_run(path)
        if run.manifest.get("kind") == "monte_carlo":
            raise InputError(
                "not a results folder",
                file=path,
                expected="a results folder of carbon run, or a run",
                found="a Monte Carlo aggregate folder",
                hint="explore the results folder that holds it",
            )
        return None, [run], {}
    batch = open_batch(path)
    if not batch.runs:
        raise InputError(
            "nothing to explore", file=path, expected="a results folder with run folders", found="no run folders"
        )
    samples: dict[str, list[str]] = {}
    for name in batch.runs:
        base = sample_scenario(name)
        if base is not None:
            samples.setdefault(base, []).append(name)
    return batch, [batch.run(name) for name in batch.runs if sample_scenario(name) is None], samples


def explorer_data(path: str | Path) -> dict[str, Any]:
    """Everything the explorer page shows, from a results folder of ``carbon run`` (or one run
    folder): ``runs`` (named runs, each with ``annual``, ``sectors``, ``technology``,
    ``dispatch`` and ``markets`` as present, run-folder units), ``fans`` (Monte Carlo
    percentiles by scenario) and the indicator lists.

    :class:`~carbon.errors.InputError` when ``path`` is not a results or run folder.
    """
    path = Path(path)
    batch, named, groups = _open(path)
    entries = [_run(r) for r in named if r.ok]
    fans = []
    for scenario, samples in sorted(groups.items()):
        entry = fan(batch, scenario, sorted(samples)) if batch is not None else None
        if entry is not None:
            fans.append(entry)
    failed = sorted(r.name for r in named if not r.ok)
    if not entries and not fans:
        raise InputError(
            "nothing to explore",
            file=path,
            expected="at least one run that finished",
            found=f"{len(failed)} failed run(s)" if failed else "no run with tables",
        )
    return {
        "source": path.resolve().name,
        "runs": entries,
        "fans": fans,
        "failed": failed,
        "indicators": {
            "pathway": _indicators(PATHWAY, entries, fans),
            "power": [vars(i) for i in POWER],
            "inventory": [vars(i) for i in INVENTORY],
            "market": [vars(i) for i in MARKET],
        },
        "percentiles": list(PERCENTILES),
    }


def _indicators(known: tuple[Indicator, ...], runs: list[dict], fans: list[dict]) -> list[dict[str, Any]]:
    """The pathway indicators present in some run or fan: the known ones in order, then any
    other numeric column (unscaled, no unit)."""
    present: dict[str, None] = {}
    for entry in runs:
        present.update(dict.fromkeys(c for c in entry.get("annual", {}) if c != "year"))
    for entry in fans:
        present.update(dict.fromkeys(entry["bands"]))
    out = [vars(i) for i in known if i.column in present]
    listed = {i.column for i in known}
    out += [{"column": c, "unit": "", "factor": 1.0} for c in present if c not in listed]
    return out
