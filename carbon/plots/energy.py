"""Energy-system figures from ``<run>/energy/``: capacity by milestone, annual generation mix,
dispatch on representative days, hourly price heatmap, load and net-load duration curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from carbon.errors import InputError
from carbon.plots.data import MissingData, Run, as_run, hourly_year
from carbon.plots.pathway import peak_target
from carbon.plots.style import TOTAL_COLOUR, Labels, colour, new_figure, run_title, thousands

#: Technologies drawn below zero in the mix and the dispatch (energy leaving the county or
#: going into storage).
EXPORT_PREFIXES = ("grid_export",)
VARIABLE_RENEWABLES = ("wind", "solar")
DISPATCH_EXTRA = {"shift_up_mw", "shift_down_mw", "interrupt_mw", "shed_mw", "load_mw", "price_cny_per_mwh"}


def _legend_right(fig: Figure, ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    seen: dict[str, object] = {}
    for h, lab in zip(handles, labels):
        seen.setdefault(lab, h)
    fig.legend(list(seen.values()), list(seen.keys()), loc="outside right upper")


def _tech_order(techs: Sequence[str]) -> list[str]:
    """Firm to variable: coal, gas, ..., wind, solar; storage and grid last."""
    rank = {
        "coal": 0,
        "gas": 1,
        "oil": 2,
        "nuclear": 3,
        "biomass": 4,
        "waste": 5,
        "hydro": 6,
        "geothermal": 7,
        "wind": 8,
        "solar": 9,
        "battery": 10,
        "storage": 10,
        "pumped_hydro": 10,
        "grid_import": 11,
        "grid_export": 12,
    }

    def key(t: str) -> tuple[int, str]:
        low = t.lower()
        for base in sorted(rank, key=len, reverse=True):
            if low == base or low.startswith(base + "_"):
                return rank[base], low
        return 8, low

    return sorted(techs, key=key)


def capacity_bars(run: Run | str, lang: str = "en") -> Figure:
    """Installed capacity (MW) per technology at each milestone year, stacked bars; grid export
    (the same line as import) is left out, storage energy (MWh) written above the bars."""
    run = as_run(run)
    L = Labels(lang)
    cap = run.table("energy", "capacity", required=("year", "technology", "total_mw"))
    cap = cap[~cap["technology"].astype(str).str.startswith(EXPORT_PREFIXES)]
    wide = cap.pivot_table(index="year", columns="technology", values="total_mw", aggfunc="sum", fill_value=0.0)
    wide = wide[_tech_order([t for t in wide.columns if wide[t].abs().sum() > 0])]
    fig, ax = new_figure(height=3.4)
    x = np.arange(len(wide))
    bottom = np.zeros(len(wide))
    for tech in wide.columns:
        values = wide[tech].to_numpy()
        ax.bar(
            x,
            values,
            bottom=bottom,
            width=0.6,
            color=colour("technology", tech),
            label=L.name(tech),
            edgecolor="white",
            linewidth=0.4,
            hatch="//" if tech.startswith("grid") else None,
        )
        bottom += values
    labels = [str(y) for y in wide.index]
    storage = False
    if "total_mwh" in cap.columns:
        mwh = cap.groupby("year")["total_mwh"].sum(min_count=1)
        if (mwh.fillna(0) > 0).any():
            storage = True
            labels = [f"{y}\n{mwh.get(y, 0.0):,.0f}" if pd.notna(mwh.get(y)) else f"{y}\n–" for y in wide.index]
    ax.set_xticks(x, labels)
    ax.set_ylim(0, bottom.max() * 1.1)
    ax.grid(axis="x", visible=False)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    below = "; 下行: 储能容量 (MWh)" if L.lang == "zh" else "; below: storage energy capacity (MWh)"
    ax.set_xlabel(L("year") + (below if storage else ""))
    ax.set_ylabel(L("mw"))
    ax.set_title(run_title(fig, L("title_capacity"), run.label(L.lang), room=0.65), loc="left")
    _legend_right(fig, ax)
    return fig


def generation_mix(run: Run | str, lang: str = "en") -> Figure:
    """Annual generation per technology (GWh) at each milestone year: generation and imports
    stacked above zero, exports below, storage left out (it shifts energy), the load as a marker."""
    run = as_run(run)
    L = Labels(lang)
    annual = run.table("energy", "annual", required=("year", "technology", "generation_mwh"))
    kind = annual["kind"].astype(str) if "kind" in annual.columns else pd.Series("generator", index=annual.index)
    frame = annual[kind != "storage"]
    wide = (
        frame.pivot_table(index="year", columns="technology", values="generation_mwh", aggfunc="sum", fill_value=0.0)
        / 1e3
    )
    wide = wide[_tech_order([t for t in wide.columns if wide[t].abs().sum() > 0])]
    fig, ax = new_figure(height=3.4)
    x = np.arange(len(wide))
    up, down = np.zeros(len(wide)), np.zeros(len(wide))
    for tech in wide.columns:
        values = wide[tech].to_numpy()
        if tech.startswith(EXPORT_PREFIXES):
            ax.bar(
                x,
                -values,
                bottom=down,
                width=0.6,
                color=colour("technology", tech),
                label=L.name(tech),
                edgecolor="#9e9e9e",
                linewidth=0.4,
                hatch="//",
            )
            down -= values
        else:
            ax.bar(
                x,
                values,
                bottom=up,
                width=0.6,
                color=colour("technology", tech),
                label=L.name(tech),
                edgecolor="white",
                linewidth=0.4,
                hatch="//" if tech.startswith("grid") else None,
            )
            up += values
    try:
        years = run.table("energy", "years", required=("year", "load_mwh")).set_index("year")
        load = years["load_mwh"].reindex(wide.index).to_numpy() / 1e3
        ax.hlines(load, x - 0.34, x + 0.34, color=TOTAL_COLOUR, linewidth=2.2, label=L("load"), zorder=4)
    except MissingData:
        pass
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, [str(y) for y in wide.index])
    ax.grid(axis="x", visible=False)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel(L("year"))
    ax.set_ylabel(L("gwh"))
    ax.set_title(run_title(fig, L("title_generation"), run.label(L.lang), room=0.65), loc="left")
    _legend_right(fig, ax)
    return fig


def _dispatch(run: Run, year: int | None) -> tuple[pd.DataFrame, int]:
    d = run.table("energy", "dispatch", required=("year", "hour", "load_mw"))
    years = sorted(int(y) for y in d["year"].unique())
    if year is None:
        year = hourly_year(peak_target(run), years)
    elif year not in years:
        raise InputError(
            "no dispatch for this year",
            file=run.path / "energy" / "dispatch.csv",
            key="year",
            expected=", ".join(map(str, years)),
            found=year,
        )
    d = d[d["year"] == year]
    if "node" in d.columns:
        # several nodes: add them up (the county's total)
        num = d.select_dtypes("number").columns.difference(["year", "hour", "step", "weight", "price_cny_per_mwh"])
        agg = {c: "sum" for c in num}
        agg.update({c: "first" for c in ("weight", "price_cny_per_mwh") if c in d.columns})
        d = d.groupby("hour", as_index=False).agg(agg)
    return d.sort_values("hour").reset_index(drop=True), int(year)


def _gen_columns(d: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(positive columns, negative columns) of a dispatch table."""
    pos, neg = [], []
    for c in d.columns:
        if not c.endswith("_mw") or c in DISPATCH_EXTRA or c.endswith("_soc_mwh"):
            continue
        if c.endswith("_charge_mw") or c.startswith(EXPORT_PREFIXES):
            neg.append(c)
        else:
            pos.append(c)
    return pos, neg


def _tech_of(column: str) -> str:
    for suffix in ("_discharge_mw", "_charge_mw", "_mw"):
        if column.endswith(suffix):
            return column[: -len(suffix)]
    return column


def _date(start: pd.Timestamp, day: int, L: Labels) -> str:
    """Day ``day`` (0-based) of the year as ``09 Apr`` (en) or ``4月9日`` (zh)."""
    d = start + pd.Timedelta(days=int(day))
    return f"{d.month}月{d.day}日" if L.lang == "zh" else d.strftime("%d %b")


def _net_load(d: pd.DataFrame) -> pd.Series:
    """Load minus wind and solar generation per row of a dispatch table, MW."""
    wind_solar = [c for c in d.columns if c.endswith("_mw") and c.startswith(VARIABLE_RENEWABLES)]
    return d["load_mw"] - d[wind_solar].sum(axis=1)


def pick_days(d: pd.DataFrame, n: int = 3) -> list[int]:
    """Days to show: the day of highest net load, of lowest net load and the most weighted day."""
    day = d["hour"] // 24
    per_day = _net_load(d).groupby(day).mean()
    chosen = [int(per_day.idxmax()), int(per_day.idxmin())]
    if "weight" in d.columns:
        w = d["weight"].groupby(day).sum()
        for k in w.sort_values(ascending=False).index:
            if int(k) not in chosen:
                chosen.append(int(k))
                break
    return sorted(chosen[:n])


def dispatch_days(
    run: Run | str, year: int | None = None, days: Sequence[int] | None = None, lang: str = "en"
) -> Figure:
    """Hourly dispatch on chosen days (day of year, 0-based): generation stacked above zero,
    storage charging and exports below, the load as a line; MW.

    Parameters
    ----------
    year
        Milestone year (default :func:`~carbon.plots.data.hourly_year`: the peak target year,
        else the first).
    days
        Days of the year to show; default :func:`pick_days` (highest and lowest net load, most
        weighted representative day).
    """
    run = as_run(run)
    L = Labels(lang)
    d, year = _dispatch(run, year)
    all_days = sorted((d["hour"] // 24).unique())
    days = list(days) if days is not None else pick_days(d)
    missing = [k for k in days if k not in all_days]
    if missing:
        raise InputError(
            "no dispatch on these days",
            file=run.path / "energy" / "dispatch.csv",
            key="days",
            expected=f"days among {all_days[:12]}{' ...' if len(all_days) > 12 else ''}",
            found=missing,
        )
    sub = d[(d["hour"] // 24).isin(days)].reset_index(drop=True)
    x = np.arange(len(sub))
    pos, neg = _gen_columns(sub)
    order = _tech_order([_tech_of(c) for c in pos])
    pos = sorted(pos, key=lambda c: order.index(_tech_of(c)))
    fig, ax = new_figure(height=3.6)
    up, down = np.zeros(len(sub)), np.zeros(len(sub))
    for c in pos:
        v = sub[c].clip(lower=0).to_numpy()
        if v.sum() <= 1e-9:
            continue
        tech = _tech_of(c)
        ax.fill_between(x, up, up + v, step="mid", color=colour("technology", tech), label=L.name(tech), linewidth=0)
        up += v
    for c in neg:
        v = sub[c].clip(lower=0).to_numpy()
        if v.sum() <= 1e-9:
            continue
        tech = _tech_of(c)
        lab = L.name(tech) + ((" 充电" if L.lang == "zh" else " charging") if c.endswith("_charge_mw") else "")
        ax.fill_between(
            x,
            down - v,
            down,
            step="mid",
            color=colour("technology", tech),
            label=lab,
            linewidth=0,
            hatch="//",
            edgecolor="white",
            alpha=0.8,
        )
        down -= v
    ax.step(x, sub["load_mw"].to_numpy(), where="mid", color=TOTAL_COLOUR, linewidth=1.5, label=L("load"))
    ax.axhline(0, color="black", linewidth=0.6)
    for k in range(1, len(days)):
        ax.axvline(24 * k - 0.5, color="#636363", linewidth=0.8, linestyle=":")
    start = pd.Timestamp(f"{year}-01-01")
    ticks = [24 * k + h for k in range(len(days)) for h in (0, 6, 12, 18)]
    ax.set_xticks(ticks, [f"{h:02d}" for _ in days for h in (0, 6, 12, 18)])
    for k, day in enumerate(days):
        date = _date(start, day, L)
        ax.text(24 * k + 11.5, 1.01, date, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7.5)
    ax.set_xlim(-0.5, len(sub) - 0.5)
    ax.set_xlabel(L("hour"))
    ax.set_ylabel(L("power_mw"))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_title(run_title(fig, L("title_dispatch", year=year), run.label(L.lang), room=0.65), loc="left", pad=14)
    _legend_right(fig, ax)
    return fig


def price_heatmap(run: Run | str, year: int | None = None, lang: str = "en") -> Figure:
    """Electricity price (CNY/MWh, the balance constraint's dual) by day (rows) and hour (columns);
    with representative days, one row per representative day."""
    run = as_run(run)
    L = Labels(lang)
    d, year = _dispatch(run, year)
    if "price_cny_per_mwh" not in d.columns:
        raise MissingData(
            "energy/dispatch.csv has no price column", file=run.path, expected="price_cny_per_mwh", found="absent"
        )
    day = d["hour"] // 24
    grid = d.assign(day=day, h=d["hour"] % 24).pivot_table(index="day", columns="h", values="price_cny_per_mwh")
    grid = grid.reindex(columns=range(24))
    n = len(grid)
    fig, ax = new_figure(height=min(6.0, 1.6 + 0.16 * n) if n < 60 else 5.0)
    im = ax.imshow(grid.to_numpy(), aspect="auto", cmap="viridis", interpolation="nearest")
    cb = fig.colorbar(im, ax=ax, pad=0.02)
    cb.set_label(L("price_mwh"))
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    ax.set_xlabel(L("hour"))
    start = pd.Timestamp(f"{year}-01-01")
    step = max(1, n // 14)
    rows = list(range(0, n, step))
    ax.set_yticks(rows, [_date(start, grid.index[r], L) for r in rows])
    ax.set_ylabel(L("day") + (" (典型日)" if L.lang == "zh" and n < 365 else " (representative)" if n < 365 else ""))
    ax.grid(False)
    ax.set_title(run_title(fig, L("title_price_heatmap", year=year), run.label(L.lang)), loc="left")
    return fig


def duration_curves(run: Run | str, year: int | None = None, lang: str = "en") -> Figure:
    """Load and net load (load minus wind and solar) sorted from highest to lowest against the
    hours of the year they stand for (representative days weighted); MW."""
    run = as_run(run)
    L = Labels(lang)
    d, year = _dispatch(run, year)
    w = d["weight"].to_numpy() if "weight" in d.columns else np.ones(len(d))
    fig, ax = new_figure(height=3.2)
    for values, label, style in (
        (d["load_mw"].to_numpy(), L("load"), "-"),
        (_net_load(d).to_numpy(), L("net_load"), "--"),
    ):
        order = np.argsort(-values)
        ax.plot(
            np.cumsum(w[order]),
            values[order],
            linestyle=style,
            color=TOTAL_COLOUR,
            linewidth=1.5,
            label=label,
            drawstyle="steps-pre",
        )
    ax.axhline(0, color="#636363", linewidth=0.6)
    ax.set_xlim(0, w.sum())
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel(L("hours"))
    ax.set_ylabel(L("power_mw"))
    ax.set_title(run_title(fig, L("title_duration", year=year), run.label(L.lang)), loc="left")
    ax.legend(loc="upper right")
    return fig
