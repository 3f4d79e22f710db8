"""Pathway figures: emission pathway with its peak, comparison of runs, LMDI waterfall,
targets dashboard (from ``<run>/pathway/``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from carbon.plots.data import MissingData, Run, as_run, peak_target_year, truthy
from carbon.plots.style import (
    PEAK_COLOUR,
    SERIES_COLOURS,
    TARGET_COLOUR,
    TEN_THOUSAND,
    TOTAL_COLOUR,
    Labels,
    colour,
    legend_below,
    new_figure,
    run_title,
    thousands,
    wrap_lines,
)

VIEWS = ("scope1", "scope12")
TOTAL_COLUMN = {"scope1": "co2e_t_scope1", "scope12": "co2e_t_scope12"}
EMISSION_UNITS = {"t", "tco2e", "t co2e", "tco2", "t co2", "10^4 t co2e", "10^4 tco2e", "10^4 t"}
#: Indicator columns of ``annual.csv`` a target may refer to (matched by name).
INDICATORS = (
    "carbon_intensity_t_per_10k_cny",
    "energy_intensity_tce_per_10k_cny",
    "non_fossil_share",
    "renewable_share_electricity",
    "co2e_t_scope1",
    "co2e_t_scope12",
    "energy_tce",
    "power_co2_t",
    "carbon_price_cny_per_t",
)


def peak_info(run: Run, view: str) -> dict:
    """The ``peak.json`` entry of ``view`` (``{}`` when the run has no peak document)."""
    try:
        return run.document("pathway", "peak").get(view) or {}
    except MissingData:
        return {}


def status_text(L: Labels, info: dict) -> str:
    status = str(info.get("status") or "")
    return L(f"status_{status}") if status else ""


def peak_label(L: Labels, info: dict) -> str:
    """``peak 2028: 245.3 (10^4 t CO2e), peaked`` - the text written next to the peak marker, with
    the plateau (``plateau 2027–2031``) when the maximum lies on one of more than one year; a
    ``declining`` path reads ``peak 2020: ... declining from the base year``."""
    year, level = info.get("peak_year"), info.get("peak_co2e_t")
    status = status_text(L, info)
    if year is None or level is None or (isinstance(level, float) and math.isnan(level)):
        return f"{L('not_peaked')}" if not status else status
    text = f"{L('peak')} {int(year)}: {float(level) / TEN_THOUSAND:,.1f}"
    span = plateau_span(info)
    if span and info.get("status") == "plateau":
        text += f"\n{status} {span[0]}–{span[1]}"
    elif span:
        text += (f"\n{status}, " if status else "\n") + f"{L('status_plateau')} {span[0]}–{span[1]}"
    elif status:
        text += f"\n{status}"
    return text


def plateau_span(info: dict) -> tuple[int, int] | None:
    """The plateau of a ``peak.json`` entry if it spans more than one year (whatever the status:
    a ``peaked`` or ``declining`` path may have sat on a plateau), else None."""
    plateau = info.get("plateau")
    if plateau and len(plateau) == 2 and plateau[0] is not None and plateau[1] is not None:
        a, b = int(plateau[0]), int(plateau[1])
        if b > a:
            return a, b
    return None


def _targets(run: Run) -> pd.DataFrame | None:
    try:
        return run.table("pathway", "targets", required=("target", "year", "value", "limit", "unit", "met"))
    except MissingData:
        return None


def pathway_areas(run: Run | str, view: str = "scope1", lang: str = "en") -> Figure:
    """Emissions by sector (stacked areas) with the total line, the peak marked and labelled
    (year, level, status) and emission targets marked; one accounting view; 10^4 t CO2e.

    Parameters
    ----------
    run
        A run folder with ``pathway/by_sector.csv`` and ``pathway/annual.csv``.
    view
        ``scope1`` or ``scope12``.
    """
    run = as_run(run)
    L = Labels(lang)
    by_sector = run.table("pathway", "by_sector", required=("year", "view", "sector", "co2e_t"))
    frame = by_sector[by_sector["view"] == view]
    if frame.empty:
        raise MissingData(
            f"pathway/by_sector.csv has no rows of view {view!r}",
            file=run.path,
            expected=" or ".join(VIEWS),
            found=", ".join(sorted(by_sector["view"].astype(str).unique())),
        )
    wide = frame.pivot_table(index="year", columns="sector", values="co2e_t", aggfunc="sum", fill_value=0.0)
    wide = wide[wide.sum().sort_values(ascending=False).index]
    years = wide.index.to_numpy()
    fig, ax = new_figure(height=3.8)
    pos = wide.clip(lower=0) / TEN_THOUSAND
    neg = wide.clip(upper=0) / TEN_THOUSAND
    ax.stackplot(
        years,
        pos.T.to_numpy(),
        labels=[L.name(s) for s in wide.columns],
        colors=[colour("sector", s) for s in wide.columns],
        alpha=0.85,
        linewidth=0,
    )
    if (neg.to_numpy() < 0).any():
        ax.stackplot(
            years, neg.T.to_numpy(), colors=[colour("sector", s) for s in wide.columns], alpha=0.85, linewidth=0
        )
        ax.axhline(0, color="black", linewidth=0.6)
    try:
        annual = run.table("pathway", "annual", required=("year", TOTAL_COLUMN[view]))
        total = annual.set_index("year")[TOTAL_COLUMN[view]] / TEN_THOUSAND
    except MissingData:
        total = wide.sum(axis=1) / TEN_THOUSAND
    ax.plot(total.index, total.to_numpy(), color=TOTAL_COLOUR, linewidth=1.8, label=L("total"))
    info = peak_info(run, view)
    span = plateau_span(info)
    if span:
        ax.axvspan(span[0], span[1], color=PEAK_COLOUR, alpha=0.08, linewidth=0)
    year = info.get("peak_year")
    top = float(total.max())
    if year is not None:
        level = float(info.get("peak_co2e_t", total.get(year, np.nan) * TEN_THOUSAND)) / TEN_THOUSAND
        ax.plot([year], [level], marker="o", markersize=7, color=PEAK_COLOUR, zorder=5, linestyle="none")
        right = year > years.min() + 0.6 * (years.max() - years.min())
        ax.annotate(
            peak_label(L, info),
            xy=(year, level),
            xytext=(-12 if right else 12, 16),
            textcoords="offset points",
            ha="right" if right else "left",
            va="bottom",
            fontsize=8,
            color=PEAK_COLOUR,
            fontweight="bold",
            gid="peak-label",
            arrowprops={"arrowstyle": "-", "color": PEAK_COLOUR, "linewidth": 0.8},
        )
    else:
        ax.text(
            0.99,
            0.97,
            peak_label(L, info) if info else L("not_peaked"),
            transform=ax.transAxes,
            ha="right",
            va="top",
            color=PEAK_COLOUR,
            fontweight="bold",
            gid="peak-label",
        )
    targets = _targets(run)
    if targets is not None:
        peak_targets = targets[
            targets["target"].astype(str).str.contains("peak", case=False)
            & (targets["unit"].astype(str).str.strip() == "year")
        ]
        for row in peak_targets.itertuples():
            ax.axvline(
                float(row.limit),
                color=TARGET_COLOUR if truthy(row.met) else PEAK_COLOUR,
                linestyle="--",
                linewidth=1.2,
                label=f"{L('target')}: {L.name(row.target)} {int(row.limit)}",
            )
        rows = targets[targets["unit"].astype(str).str.strip().str.lower().isin(EMISSION_UNITS)]
        for i, row in enumerate(rows.itertuples()):
            scale = 1.0 if str(row.unit).startswith("10^4") else 1 / TEN_THOUSAND
            ax.plot(
                [row.year],
                [row.limit * scale],
                marker="v",
                markersize=8,
                linestyle="none",
                color=TARGET_COLOUR if truthy(row.met) else PEAK_COLOUR,
                zorder=6,
                label=f"{L('target')}: {L.name(row.target)}",
            )
            top = max(top, row.limit * scale)
    ax.set_ylim(min(0.0, float(neg.sum(axis=1).min()) * 1.1), top * 1.22)
    ax.set_xlim(years.min(), years.max())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel(L("year"))
    ax.set_ylabel(L("co2e_10k"))
    ax.set_title(run_title(fig, L("title_pathway", view=L.name(view)), run.label(L.lang), room=0.6), loc="left")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper")
    return fig


def peak_target(run: Run) -> int | None:
    """The run's peak target year: a target named ``*peak*`` in ``targets.csv`` (None without)."""
    return peak_target_year(_targets(run))


def target_year(runs: Sequence[Run], default: int = 2030) -> int:
    """The peak target year of the runs: the first run's :func:`peak_target`, else 2030."""
    for run in runs:
        year = peak_target(run)
        if year is not None:
            return year
    return default


def compare_pathways(runs: Sequence[Run | str], view: str = "scope1", lang: str = "en") -> Figure:
    """Total emissions of every run on one chart with peak markers and the target year shaded;
    10^4 t CO2e."""
    L = Labels(lang)
    runs = [as_run(r) for r in runs]
    with_data = [r for r in runs if r.has("pathway", "annual.csv")]
    if len(with_data) > SMALL_MULTIPLES:
        return _pathway_multiples(with_data, view, L)
    fig, ax = new_figure(height=3.3 + 0.17 * min(len(runs), 30))
    drawn = 0
    col = TOTAL_COLUMN[view]
    years_all: list[int] = []
    for run in runs:
        try:
            annual = run.table("pathway", "annual", required=("year", col))
        except MissingData:
            continue
        c = SERIES_COLOURS[drawn % len(SERIES_COLOURS)]
        style = "-" if drawn < len(SERIES_COLOURS) else "--"
        series = annual.set_index("year")[col] / TEN_THOUSAND
        years_all += list(series.index)
        info = peak_info(run, view)
        label = run.label(L.lang)
        if info.get("status") == "declining" and info.get("peak_year") is not None:
            label += f" ({status_text(L, info)} {int(info['peak_year'])})"
        elif info.get("peak_year") is not None:
            label += f" ({L('peak')} {int(info['peak_year'])})"
        elif info:
            label += f" ({status_text(L, info)})"
        ax.plot(series.index, series.to_numpy(), color=c, linewidth=1.6, linestyle=style, label=label)
        if info.get("peak_year") is not None:
            y = int(info["peak_year"])
            level = float(info.get("peak_co2e_t", series.get(y, np.nan) * TEN_THOUSAND)) / TEN_THOUSAND
            ax.plot(
                [y],
                [level],
                marker="o",
                color=c,
                markersize=6,
                markeredgecolor="white",
                zorder=5,
                linestyle="none",
                gid="peak-marker",
            )
        drawn += 1
    if not drawn:
        raise MissingData("no run has a pathway", expected="pathway/annual.csv in the run folders")
    ty = target_year(runs)
    ax.axvspan(ty - 0.5, ty + 0.5, color=TARGET_COLOUR, alpha=0.15, linewidth=0, label=f"{L('target_year')} {ty}")
    ax.set_xlim(min(years_all), max(max(years_all), ty + 0.5))
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel(L("year"))
    ax.set_ylabel(L("co2e_10k"))
    ax.set_title(L("title_compare_pathway", view=L.name(view)), loc="left")
    legend_below(fig, *ax.get_legend_handles_labels())
    return fig


#: More runs than this are drawn as small multiples (one panel per run, the others in grey).
SMALL_MULTIPLES = 6


def _pathway_multiples(runs: Sequence[Run], view: str, L: Labels) -> Figure:
    """One small panel per run: the run in colour with its peak, every other run in light grey
    behind it, the same axes everywhere (10^4 t CO2e)."""
    col = TOTAL_COLUMN[view]
    series = {
        r.name: r.table("pathway", "annual", required=("year", col)).set_index("year")[col] / TEN_THOUSAND for r in runs
    }
    ncols = 3
    nrows = -(-len(runs) // ncols)
    fig, axes = new_figure(height=0.6 + 1.85 * nrows, ncols=ncols, nrows=nrows, sharex=True, sharey=True, squeeze=False)
    top = max(float(s.max()) for s in series.values())
    ty = target_year(runs)
    for i, ax in enumerate(axes.flat):
        if i >= len(runs):
            ax.set_visible(False)
            continue
        run = runs[i]
        for other, s in series.items():
            if other != run.name:
                ax.plot(s.index, s.to_numpy(), color="#d0d0d0", linewidth=0.8)
        s = series[run.name]
        c = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        ax.plot(s.index, s.to_numpy(), color=c, linewidth=1.6)
        info = peak_info(run, view)
        if info.get("peak_year") is not None:
            y = int(info["peak_year"])
            ax.plot(
                [y],
                [float(s.get(y, np.nan))],
                marker="o",
                color=c,
                markersize=4,
                markeredgecolor="white",
                linestyle="none",
                gid="peak-marker",
            )
        ax.axvspan(ty - 0.5, ty + 0.5, color=TARGET_COLOUR, alpha=0.15, linewidth=0)
        ax.set_title(wrap_lines(run.label(L.lang), 38), loc="left", fontsize=7, fontweight="normal")
        ax.set_ylim(0, top * 1.05)
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        if i % ncols == 0:
            ax.set_ylabel(L("co2e_10k"), fontsize=7)
        if i >= len(runs) - ncols:
            ax.set_xlabel(L("year"))
    fig.suptitle(L("title_compare_pathway", view=L.name(view)), x=0.01, ha="left", fontweight="bold")
    return fig


def lmdi_waterfall(run: Run | str, lang: str = "en") -> Figure:
    """LMDI decomposition as a waterfall: start total, one bar per factor's effect, end total;
    10^4 t CO2e. Increases red, decreases green. The totals are those of the decomposed identity
    (end-use sectors' energy emissions, electricity at the grid factor) when the run records them."""
    run = as_run(run)
    L = Labels(lang)
    lmdi = run.table("pathway", "lmdi", required=("factor", "effect_t", "start", "end"))
    start, end = int(lmdi["start"].iloc[0]), int(lmdi["end"].iloc[0])
    if "total_start_t" in lmdi:  # the decomposed identity's own total (end-use energy emissions)
        base = float(lmdi["total_start_t"].iloc[0])
    else:
        try:
            annual = run.table("pathway", "annual", required=("year", "co2e_t_scope1")).set_index("year")
            base = float(annual.loc[start, "co2e_t_scope1"])
        except (MissingData, KeyError):
            base = float("nan")
    effects = lmdi["effect_t"].to_numpy() / TEN_THOUSAND
    if math.isnan(base):
        base = 0.0
    base /= TEN_THOUSAND
    labels = [f"{start}"] + [L.name(f) for f in lmdi["factor"]] + [f"{end}"]
    fig, ax = new_figure(height=3.4)
    x = np.arange(len(labels))
    running = base
    ax.bar(0, base, color="#636363", width=0.6)
    ax.text(0, base, f"{base:,.1f}", ha="center", va="bottom", fontsize=7.5)
    for i, e in enumerate(effects, start=1):
        bottom = running if e >= 0 else running + e
        ax.bar(i, abs(e), bottom=bottom, width=0.6, color=PEAK_COLOUR if e > 0 else TARGET_COLOUR)
        ax.plot([i - 1 + 0.3, i - 0.3], [running, running], color="#636363", linewidth=0.7)
        ax.text(i, max(running, running + e), f"{e:+,.1f}", ha="center", va="bottom", fontsize=7.5)
        running += e
    n = len(labels) - 1
    ax.plot([n - 1 + 0.3, n - 0.3], [running, running], color="#636363", linewidth=0.7)
    ax.bar(n, running, color="#252525", width=0.6)
    ax.text(n, running, f"{running:,.1f}", ha="center", va="bottom", fontsize=7.5)
    ax.set_xticks(x, labels, rotation=20 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center")
    ax.grid(axis="x", visible=False)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_ylabel(L("co2e_10k"))
    ax.set_ylim(0, max(base, running, *(base + np.cumsum(effects))) * 1.15)
    ax.set_title(L("title_lmdi", start=start, end=end), loc="left")
    return fig


def _indicator_for(target: str, annual: pd.DataFrame) -> str | None:
    name = target.lower()
    for col in INDICATORS:
        if col in annual.columns:
            stem = col.split("_t_")[0].split("_tce_")[0].split("_cny")[0]
            if stem in name or name in col:
                return col
    return None


def _fmt(value: float, unit: object, sign: bool = False) -> str:
    """A target value for a label: years as integers, large numbers with separators."""
    v = float(value)
    if str(unit).strip() == "year":
        return f"{v:+.0f}" if sign else f"{v:.0f}"
    if abs(v) >= 1000:
        return f"{v:+,.0f}" if sign else f"{v:,.0f}"
    return f"{v:+.3g}" if sign else f"{v:.3g}"


def targets_dashboard(run: Run | str, lang: str = "en") -> Figure:
    """One panel per target: the indicator over time against its limit at the target year
    (green met, red missed), with the margin written; units from ``targets.csv``."""
    run = as_run(run)
    L = Labels(lang)
    targets = run.table("pathway", "targets", required=("target", "year", "value", "limit", "unit", "met"))
    if targets.empty:
        raise MissingData("pathway/targets.csv has no targets", file=run.path)
    try:
        annual = run.table("pathway", "annual", required=("year",)).set_index("year")
    except MissingData:
        annual = pd.DataFrame()
    n = len(targets)
    ncols = 2 if n > 1 else 1
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(height=2.2 * nrows + 0.4, ncols=ncols, nrows=nrows, squeeze=False)
    for ax, row in zip(axes.flat, targets.itertuples()):
        ok = truthy(row.met)
        c = TARGET_COLOUR if ok else PEAK_COLOUR
        col = _indicator_for(str(row.target), annual.reset_index()) if not annual.empty else None
        same_scale = (
            col is not None
            and row.year in annual.index
            and np.isclose(float(annual.loc[row.year, col]), float(row.value), rtol=1e-6)
        )
        if same_scale:
            series = annual[col]
            ax.plot(series.index, series.to_numpy(), color="#3b3b3b", linewidth=1.4)
            ax.plot([row.year], [row.value], marker="o", color="#3b3b3b", linestyle="none")
            ax.axhline(row.limit, color=c, linestyle="--", linewidth=1.0)
            ax.plot([row.year], [row.limit], marker="D", color=c, linestyle="none")
            ax.set_xlabel(L("year"))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        else:
            ax.axhline(0, color="#bdbdbd", linewidth=1.0)
            ax.plot([row.value], [0], marker="o", markersize=8, color="#3b3b3b", linestyle="none")
            ax.plot([row.limit], [0], marker="D", markersize=8, color=c, linestyle="none")
            ax.annotate(
                _fmt(row.value, row.unit),
                (row.value, 0),
                xytext=(0, 9),
                textcoords="offset points",
                ha="center",
                fontsize=7.5,
            )
            ax.annotate(
                f"{L('limit')} {_fmt(row.limit, row.unit)}",
                (row.limit, 0),
                xytext=(0, -14),
                textcoords="offset points",
                ha="center",
                fontsize=7.5,
                color=c,
            )
            is_year = str(row.unit).strip() == "year"
            lo, hi = min(row.value, row.limit), max(row.value, row.limit)
            if is_year:  # a peak year on its limit: a few years either side, not 5 % of 2030
                pad = max((hi - lo) * 0.5, 3.0)
            else:
                pad = (hi - lo) * 0.5 or abs(hi) * 0.05 or 1.0
            ax.set_xlim(lo - pad, hi + pad)
            ax.set_ylim(-1, 1)
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
            ax.grid(axis="y", visible=False)
            if is_year or hi >= 1000:
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p, y=is_year: f"{v:.0f}" if y else f"{v:,.0f}"))
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=is_year))
        margin = getattr(row, "margin", float("nan"))
        if L.lang == "zh":
            status = ("✓ 达标" if ok else "✗ 未达标") + f", 余量 {_fmt(margin, row.unit, sign=True)}"
        else:
            status = ("✓ met" if ok else "✗ missed") + f", margin {_fmt(margin, row.unit, sign=True)}"
        ax.set_title(f"{L.name(row.target)} ({row.year})\n{status}", loc="left", fontsize=8.5, color=c)
        if same_scale:
            ax.set_ylabel(L.name(row.unit))
        else:
            ax.set_xlabel(L.name(row.unit))
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(
        run_title(fig, L("title_targets"), run.label(L.lang), size=10),
        x=0.01,
        ha="left",
        fontweight="bold",
        fontsize=10,
    )
    return fig
