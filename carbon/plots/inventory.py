"""Inventory figures: base-year emissions by sector and gas, the energy flow fuel -> sector,
and the comparison of the runs of a batch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter

from carbon.errors import InputError
from carbon.plots.data import MissingData, Run, as_run, sample_group, truthy
from carbon.plots.style import (
    GAS_COLOURS,
    SCOPE_COLOURS,
    TEN_THOUSAND,
    Labels,
    colour,
    legend_below,
    new_figure,
    thousands,
)

#: The segments of an inventory bar: scope-1 gases, then purchased electricity and heat.
SEGMENTS = ("co2", "ch4", "n2o", "scope2")


def _emissions(run: Run) -> pd.DataFrame:
    frame = run.table("inventory", "emissions", required=("year", "sector", "gas", "scope", "co2e_t"))
    if "memo" in frame.columns:
        frame = frame[~frame["memo"].map(truthy)]
    return frame


def base_year(run: Run, frame: pd.DataFrame) -> int:
    """The scenario's base year when the table has it, else the table's first year."""
    years = sorted(frame["year"].dropna().astype(int).unique())
    if not years:
        raise InputError("the inventory has no rows", file=run.path / "inventory" / "emissions.csv")
    wanted = run.scenario.get("base_year")
    return int(wanted) if wanted in years else int(years[0])


def segment_table(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """t CO2e per ``by`` (rows) and segment (columns ``co2, ch4, n2o, ..., scope2``)."""
    scope = frame["scope"].astype(str).str.strip()
    seg = np.where(scope == "1", frame["gas"].astype(str).str.lower(), "scope2")
    table = frame.assign(segment=seg).pivot_table(
        index=by, columns="segment", values="co2e_t", aggfunc="sum", fill_value=0.0
    )
    cols = [c for c in SEGMENTS if c in table.columns] + sorted(c for c in table.columns if c not in SEGMENTS)
    return table[cols]


def _segment_style(seg: str, L: Labels) -> dict:
    if seg == "scope2":
        return {
            "color": SCOPE_COLOURS["2"],
            "label": ("外购电力和热力 (范围二)" if L.lang == "zh" else "purchased electricity & heat (scope 2)"),
        }
    return {
        "color": GAS_COLOURS.get(seg, colour("gas", seg)),
        "label": L.name(seg) + (" (范围一)" if L.lang == "zh" else " (scope 1)"),
    }


def _stacked_barh(ax, table: pd.DataFrame, L: Labels, names: Sequence[str]) -> None:
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for seg in table.columns:
        values = table[seg].to_numpy() / TEN_THOUSAND
        st = _segment_style(seg, L)
        ax.barh(
            y, values, left=left, height=0.68, color=st["color"], label=st["label"], edgecolor="white", linewidth=0.4
        )
        left += values
    span = left.max() if len(left) else 1.0
    for yi, total in zip(y, left):
        ax.text(total + span * 0.01, yi, f"{total:,.1f}", va="center", fontsize=7.5)
    ax.set_yticks(y, list(names))
    ax.invert_yaxis()
    ax.set_xlim(0, span * 1.12)
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(L("co2e_10k"))


def sector_gas_bars(run: Run | str, lang: str = "en") -> Figure:
    """Base-year emissions by sector (bars) split by gas, scope 2 apart; 10^4 t CO2e.

    Parameters
    ----------
    run
        A run folder with ``inventory/emissions.csv``.
    lang
        ``en`` or ``zh``.
    """
    run = as_run(run)
    L = Labels(lang)
    frame = _emissions(run)
    year = base_year(run, frame)
    table = segment_table(frame[frame["year"] == year], "sector")
    table = table.loc[table.sum(axis=1).sort_values(ascending=False).index]
    fig, ax = new_figure(height=0.9 + 0.3 * len(table))
    _stacked_barh(ax, table, L, [L.name(s) for s in table.index])
    total = table.to_numpy().sum() / TEN_THOUSAND
    ax.set_title(L("title_sector_gas", year=year) + f"  ({L('total')} {total:,.1f})", loc="left")
    ax.legend(loc="lower right", ncols=1)
    return fig


def _ribbon(ax, x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float], color: str) -> None:
    """A band from (x0, y0 bottom..top) to (x1, y1 bottom..top) with S-shaped edges."""
    xm = (x0 + x1) / 2
    verts = [
        (x0, y0[0]),
        (xm, y0[0]),
        (xm, y1[0]),
        (x1, y1[0]),
        (x1, y1[1]),
        (xm, y1[1]),
        (xm, y0[1]),
        (x0, y0[1]),
        (x0, y0[0]),
    ]
    codes = [
        MplPath.MOVETO,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.LINETO,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CLOSEPOLY,
    ]
    ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=color, edgecolor="none", alpha=0.55))


def energy_flows(run: Run, min_share: float = 0.015) -> tuple[pd.DataFrame, int]:
    """Energy (tce, biomass excluded as in Chinese statistics) per fuel and sector of the base
    year; fuels and sectors under ``min_share`` of the total are merged into ``other``."""
    frame = run.table("inventory", "energy", required=("year", "sector", "item", "energy_tce"))
    year = base_year(run, frame)
    frame = frame[frame["year"] == year]
    if "biogenic" in frame.columns:
        frame = frame[~frame["biogenic"].map(truthy)]
    flows = frame.groupby(["item", "sector"], as_index=False)["energy_tce"].sum()
    flows = flows[flows["energy_tce"] > 0]
    if flows.empty:
        raise MissingData("the inventory has no energy use", file=run.path / "inventory" / "energy.csv")
    total = flows["energy_tce"].sum()
    for col in ("item", "sector"):
        share = flows.groupby(col)["energy_tce"].sum() / total
        small = set(share[share < min_share].index)
        if len(small) > 1:
            flows[col] = flows[col].where(~flows[col].isin(small), "other")
    flows = flows.groupby(["item", "sector"], as_index=False)["energy_tce"].sum()
    return flows, year


def energy_sankey(run: Run | str, lang: str = "en") -> Figure:
    """Energy flow of the base year from fuel (left) to sector (right), 10^4 tce.

    A hand-drawn alluvial diagram: node heights are proportional to energy; ribbons take the
    fuel's colour. Biomass is excluded, as in the energy totals.
    """
    run = as_run(run)
    L = Labels(lang)
    flows, year = energy_flows(run)
    fuels = flows.groupby("item")["energy_tce"].sum().sort_values(ascending=False)
    fuels = pd.concat([fuels.drop("other", errors="ignore"), fuels.filter(["other"])])
    sectors = flows.groupby("sector")["energy_tce"].sum().sort_values(ascending=False)
    sectors = pd.concat([sectors.drop("other", errors="ignore"), sectors.filter(["other"])])
    total = float(fuels.sum())
    gap = 0.02 * total
    fig, ax = new_figure(height=4.6)
    xl, xr, w = 0.0, 1.0, 0.035

    def positions(series: pd.Series) -> dict[str, list[float]]:
        pos, y = {}, 0.0
        height = total + gap * (len(series) - 1)
        for key, value in series.items():
            top = height - y
            pos[key] = [top - value, top]
            y += value + gap
        return pos

    left, right = positions(fuels), positions(sectors)
    fuel_fill = {k: v[1] for k, v in left.items()}
    sector_fill = {k: v[1] for k, v in right.items()}
    order = {k: i for i, k in enumerate(sectors.index)}
    for fuel in fuels.index:
        rows = flows[flows["item"] == fuel].sort_values("sector", key=lambda s: s.map(order))
        for _, row in rows.iterrows():
            v = row["energy_tce"]
            y0 = (fuel_fill[fuel] - v, fuel_fill[fuel])
            y1 = (sector_fill[row["sector"]] - v, sector_fill[row["sector"]])
            fuel_fill[fuel] -= v
            sector_fill[row["sector"]] -= v
            _ribbon(ax, xl + w, xr - w, y0, y1, colour("fuel", fuel))
    for key, (lo, hi) in left.items():
        ax.add_patch(Rectangle((xl, lo), w, hi - lo, color=colour("fuel", key), label=L.name(key)))
        ax.text(
            xl - 0.012,
            (lo + hi) / 2,
            f"{L.name(key)}  {(hi - lo) / TEN_THOUSAND:,.1f}",
            ha="right",
            va="center",
            fontsize=7.5,
        )
    for key, (lo, hi) in right.items():
        ax.add_patch(Rectangle((xr - w, lo), w, hi - lo, color=colour("sector", key)))
        ax.text(
            xr + 0.012,
            (lo + hi) / 2,
            f"{(hi - lo) / TEN_THOUSAND:,.1f}  {L.name(key)}",
            ha="left",
            va="center",
            fontsize=7.5,
        )
    height = total + gap * (max(len(fuels), len(sectors)) - 1)
    ax.set_xlim(-0.32, 1.32)
    ax.set_ylim(-0.01 * height, height * 1.06)
    ax.text(xl + w / 2, height * 1.03, "燃料品种" if L.lang == "zh" else "fuel", ha="center", fontweight="bold")
    ax.text(xr - w / 2, height * 1.03, "部门" if L.lang == "zh" else "sector", ha="center", fontweight="bold")
    ax.set_axis_off()
    ax.set_title(L("title_sankey", year=year) + f"; {L('total')} {total / TEN_THOUSAND:,.1f}", loc="left")
    return fig


def compare_inventory(runs: Sequence[Run | str], lang: str = "en") -> Figure:
    """Total emissions of several runs side by side (bars split by gas, scope 2 apart), 10^4 t CO2e.

    Parameters
    ----------
    runs
        Run folders with ``inventory/emissions.csv`` (at least one).
    """
    L = Labels(lang)
    runs = [as_run(r) for r in runs]
    rows, labels = {}, {}
    for run in runs:
        try:
            frame = _emissions(run)
        except MissingData:
            continue
        year = base_year(run, frame)
        labels[run.name] = run.label(lang)
        rows[run.name] = segment_table(frame[frame["year"] == year].assign(all="all"), "all").iloc[0]
    if not rows:
        raise MissingData("no run has an inventory", expected="inventory/emissions.csv in a run folder")
    table = pd.DataFrame(rows).T.fillna(0.0)
    if len(table) > 1 and np.allclose(table.to_numpy(), table.to_numpy()[0], rtol=1e-12, atol=1e-9):
        raise MissingData(
            f"the {len(table)} runs have the same base-year inventory ({table.iloc[0].sum() / TEN_THOUSAND:,.1f} "
            "10^4 t CO2e): nothing to compare"
        )
    table = table[[c for c in SEGMENTS if c in table.columns] + [c for c in table.columns if c not in SEGMENTS]]
    fig, ax = new_figure(height=1.5 + 0.3 * len(table))
    _stacked_barh(ax, table, L, [labels[n] for n in table.index])
    ax.set_title(L("title_compare_inventory"), loc="left")
    handles, labels = ax.get_legend_handles_labels()
    legend_below(fig, handles, labels, max_cols=2)
    return fig


def inventory_samples(runs: Sequence[Run | str], lang: str = "en") -> Figure:
    """Histogram of total emissions across the Monte Carlo samples of one scenario, with the
    median and the 2.5-97.5 % interval marked; 10^4 t CO2e."""
    L = Labels(lang)
    runs = [as_run(r) for r in runs]
    totals = []
    for run in runs:
        value = (run.manifest.get("summary") or {}).get("inventory", {}).get("co2e_t")
        if value is None:
            try:
                value = float(_emissions(run)["co2e_t"].sum())
            except MissingData:
                continue
        totals.append(float(value) / TEN_THOUSAND)
    if len(totals) < 2:
        raise MissingData("fewer than two samples with an inventory", expected="Monte Carlo sample runs")
    values = np.array(totals)
    if np.ptp(values) <= 1e-9 * max(1.0, abs(values).max()):
        raise MissingData(
            f"the {len(values)} samples have the same inventory total ({values[0]:,.1f} 10^4 t CO2e): "
            "the samples vary something else (see the fan chart and the peak-year histogram)"
        )
    fig, ax = new_figure(height=3.0)
    ax.hist(values, bins=min(30, max(8, len(values) // 4)), color="#9ecae1", edgecolor="white")
    lo, med, hi = np.percentile(values, [2.5, 50, 97.5])
    for x, style in ((lo, ":"), (med, "-"), (hi, ":")):
        ax.axvline(x, color="#08519c", linestyle=style, linewidth=1.2)
    ax.text(
        med,
        ax.get_ylim()[1] * 0.97,
        f" {L('median')} {med:,.1f}\n 95%: {lo:,.1f} – {hi:,.1f}",
        va="top",
        ha="left",
        fontsize=7.5,
        color="#08519c",
    )
    ax.set_xlabel(L("co2e_10k"))
    ax.set_ylabel(L("samples"))
    ax.set_title(L("title_inventory_samples", name=sample_group(runs[0].name)) + f" (n = {len(values)})", loc="left")
    return fig
