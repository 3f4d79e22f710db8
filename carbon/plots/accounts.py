"""Figures of the carbon accounts, drawn from an accounts folder (``<run>/accounts`` or the
folder ``carbon accounts -o`` wrote): grades by sector and town, intensity against the
benchmark, the hourly emission factor profile, and carbon-inclusive credits over time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from carbon import glossary
from carbon.accounts.schema import GRADES, UNGRADED
from carbon.plots.data import MissingData
from carbon.plots.style import SERIES_COLOURS, TOTAL_COLOUR, new_figure, thousands
from carbon.results import read_table, table_path

GRADE_COLOURS = {
    "dark_green": "#1b7837",
    "light_green": "#a6dba0",
    "yellow": "#fee08b",
    "red": "#d73027",
    UNGRADED: "#bdbdbd",
}
"""The colours of the grades (the pilot's four colours)."""


def _table(folder: Path | str, name: str) -> pd.DataFrame:
    path = table_path(Path(folder), name)
    if not path.is_file():
        raise MissingData(f"no {name} table in the accounts folder", file=Path(folder), expected=f"{name}.csv")
    return read_table(path)


def _text(key: str, lang: str) -> str:
    return glossary.term(key, lang, kind="text")


def grade_map(folder: Path | str, lang: str = "en", period: int | None = None) -> Figure:
    """Accounts per grade, stacked, by sector (left) and by town (right), in one period (the last
    by default)."""
    acc = _table(folder, "accounts")
    period = int(acc["period"].max()) if period is None else period
    acc = acc[acc["period"] == period]
    fig, axes = new_figure(3.4, ncols=2)
    for ax, by, title in zip(axes, ("sector", "town"), ("accounts_grades", "accounts_grades_town")):
        counts = acc.groupby([by, "grade"]).size().unstack(fill_value=0)
        grades = [g for g in (*GRADES, UNGRADED) if g in counts.columns]
        left = np.zeros(len(counts))
        for g in grades:
            ax.barh(
                counts.index.astype(str),
                counts[g],
                left=left,
                color=GRADE_COLOURS[g],
                label=glossary.term(g, lang),
                edgecolor="white",
            )
            left += counts[g].to_numpy()
        ax.set_title(_text(title, lang), fontsize="medium")
        ax.set_yticks(range(len(counts)), [glossary.term(v, lang) for v in counts.index.astype(str)])
        ax.set_xlabel(_text("accounts_count", lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(str(period))
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 5), frameon=False)
    return fig


def intensity_distribution(folder: Path | str, lang: str = "en") -> Figure:
    """Each account's intensity over its sector benchmark (a dot per account and period, coloured
    by grade) with the grade bounds as lines (from the ratios the grades imply)."""
    acc = _table(folder, "accounts")
    acc = acc[np.isfinite(acc["ratio"].astype(float))]
    if acc.empty:
        raise MissingData("no graded account", file=Path(folder), expected="accounts with an intensity and a benchmark")
    fig, ax = new_figure(3.4)
    sectors = sorted(acc["sector"].astype(str).unique())
    y = {s: i for i, s in enumerate(sectors)}
    rng = np.random.default_rng(0)
    for g in (*GRADES, UNGRADED):
        part = acc[acc["grade"] == g]
        if part.empty:
            continue
        jitter = rng.uniform(-0.15, 0.15, len(part))
        ax.scatter(
            part["ratio"],
            part["sector"].map(y) + jitter,
            color=GRADE_COLOURS[g],
            edgecolor=TOTAL_COLOUR,
            linewidth=0.4,
            s=28,
            label=glossary.term(g, lang),
            zorder=3,
        )
    ax.axvline(1.0, color=TOTAL_COLOUR, linewidth=1.0, linestyle="--", label=glossary.term("benchmark", lang))
    ax.set_yticks(range(len(sectors)), [glossary.term(s, lang) for s in sectors])
    ax.set_xlabel(_text("accounts_ratio", lang))
    ax.set_title(_text("accounts_intensity", lang))
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    return fig


def hourly_profile(folder: Path | str, lang: str = "en", year: int | None = None) -> Figure:
    """Average and marginal emission factor by hour of the day (weight-averaged over the
    modelled days), with the annual grid factor the metered entities would otherwise use."""
    f = _table(folder, "hourly_factors")
    year = int(f["year"].max()) if year is None else year
    f = f[f["year"] == year]
    hod = f["hour"].astype(int) % 24
    w = f["weight"].astype(float)
    fig, ax = new_figure(3.2)
    for i, col in enumerate(("average_t_per_mwh", "marginal_t_per_mwh")):
        prof = (f[col] * w).groupby(hod).sum() / w.groupby(hod).sum()
        ax.step(prof.index, prof.to_numpy(), where="mid", color=SERIES_COLOURS[i], label=glossary.term(col, lang))
    try:
        met = _table(folder, "metered")
        met = met[met["year"] == year]
        if len(met) and met["metered_kwh"].sum() > 0:
            annual = float(met["scope2_annual_factor_t"].sum() / met["metered_kwh"].sum() * 1000.0)
            ax.axhline(
                annual, color=TOTAL_COLOUR, linestyle="--", linewidth=1.0, label=_text("accounts_annual_factor", lang)
            )
    except MissingData:
        pass
    ax.set_xlabel(_text("accounts_hour_of_day", lang))
    ax.set_ylabel(_text("accounts_factor", lang))
    ax.set_xticks(range(0, 24, 3))
    ax.set_title(f"{_text('accounts_hourly', lang)} ({year})")
    ax.legend(frameon=False, fontsize="small")
    return fig


def credits_over_time(folder: Path | str, lang: str = "en") -> Figure:
    """Credits issued per year by methodology (stacked bars), and those surrendered as offsets
    in the quota market (line), t CO2e."""
    credits = _table(folder, "credits")
    table = credits.pivot_table(index="year", columns="methodology", values="credits_t", aggfunc="sum", fill_value=0.0)
    fig, ax = new_figure(3.4)
    bottom = np.zeros(len(table))
    years = table.index.astype(int).to_numpy()
    for i, m in enumerate(table.columns):
        ax.bar(
            years,
            table[m],
            bottom=bottom,
            color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
            label=glossary.term(m, lang),
            width=0.6,
        )
        bottom += table[m].to_numpy()
    try:
        ledger = _table(folder, "credit_ledger")
        used = (
            ledger[ledger["event"] == "surrender"].groupby("period")["quantity_t"].sum().reindex(years, fill_value=0.0)
        )
        ax.plot(years, used.to_numpy(), color=TOTAL_COLOUR, marker="o", label=_text("accounts_credits_used", lang))
    except MissingData:
        pass
    ax.set_xticks(years)
    ax.set_xlabel(_text("accounts_year", lang))
    ax.set_ylabel(glossary.term("credits_t", lang))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_title(_text("accounts_credits", lang))
    ax.legend(frameon=False, fontsize="small", ncols=2)
    return fig


FIGURES = (
    ("accounts_grades", grade_map, "Carbon-account grades by sector and town"),
    ("accounts_intensity", intensity_distribution, "Carbon intensity of each account against its sector benchmark"),
    ("accounts_hourly_factor", hourly_profile, "Hourly emission factor of the electricity supply (t CO2/MWh)"),
    ("accounts_credits", credits_over_time, "Carbon-inclusive credits issued and surrendered (t CO2e)"),
)
"""(file name, function, caption) of each accounts figure; a figure whose table is absent is skipped."""
