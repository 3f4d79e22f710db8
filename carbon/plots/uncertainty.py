"""Uncertainty figures of a Monte Carlo batch: fan chart of percentile bands and the peak-year
histogram with the cumulative probability of having peaked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from carbon.pathway.peak import detect_peak
from carbon.plots.data import Aggregate, MissingData
from carbon.plots.style import (
    BAND_COLOUR,
    PEAK_COLOUR,
    TARGET_COLOUR,
    TEN_THOUSAND,
    TEXT,
    Labels,
    new_figure,
    run_title,
    thousands,
)


def _aggregate(agg: Aggregate | str) -> Aggregate:
    from pathlib import Path

    return agg if isinstance(agg, Aggregate) else Aggregate(Path(agg))


def fan_chart(agg: Aggregate | str, view: str = "scope1", lang: str = "en") -> Figure:
    """Percentile bands of emissions over time (5-95 % and 25-75 %) with the median; 10^4 t CO2e.

    Marked: the *peak of the median path* (:func:`~carbon.pathway.peak.detect_peak` on the p50
    band; with its status when it is not ``peaked``) and, when ``summary.json`` has
    ``median_peak_year_<view>``, the *median peak year* of the samples (dotted line) - two
    different numbers (see :mod:`carbon.batch`).

    Parameters
    ----------
    agg
        A Monte Carlo aggregate folder with ``bands.csv``.
    view
        ``scope1`` or ``scope12``.
    """
    agg = _aggregate(agg)
    L = Labels(lang)
    bands = agg.table("bands", required=("year", "view", "p5", "p25", "p50", "p75", "p95"))
    b = bands[bands["view"] == view].sort_values("year")
    if b.empty:
        raise MissingData(f"bands.csv has no rows of view {view!r}", file=agg.path / "bands.csv")
    y = b["year"].to_numpy()
    s = {k: b[k].to_numpy() / TEN_THOUSAND for k in ("p5", "p25", "p50", "p75", "p95")}
    fig, ax = new_figure(height=3.4)
    ax.fill_between(y, s["p5"], s["p95"], color=BAND_COLOUR, alpha=0.18, linewidth=0, label="5–95 %")
    ax.fill_between(y, s["p25"], s["p75"], color=BAND_COLOUR, alpha=0.38, linewidth=0, label="25–75 %")
    ax.plot(y, s["p50"], color=BAND_COLOUR, linewidth=1.8, label=L("median"))
    summary = agg.summary()
    peak = detect_peak(pd.Series(b["p50"].to_numpy(), index=y), _tol(summary))
    mark = peak.highest_year
    level = float(b.set_index("year").at[mark, "p50"]) / TEN_THOUSAND
    year_text = str(mark) if peak.status == "peaked" else f"{mark}, {L(f'status_{peak.status}')}"
    if peak.status == "not_peaked":
        year_text = f"{L('status_not_peaked')} {mark}"
    ax.plot(
        [mark],
        [level],
        marker="o",
        color=PEAK_COLOUR,
        linestyle="none",
        gid="peak-of-median-path",
        label=L("peak_of_median_path", year=year_text),
    )
    median_year = summary.get(f"median_peak_year_{view}")
    if median_year is not None:
        ax.axvline(
            float(median_year),
            color=PEAK_COLOUR,
            linestyle=":",
            linewidth=1.2,
            gid="median-peak-year",
            label=L("median_peak_year", year=f"{float(median_year):g}"),
        )
    ax.set_xlim(y.min(), y.max())
    ax.set_ylim(0, float(s["p95"].max()) * 1.1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel(L("year"))
    ax.set_ylabel(L("co2e_10k"))
    ax.set_title(run_title(fig, L("title_fan", view=L.name(view)), agg.label(L.lang)), loc="left")
    ax.legend(loc="lower right")
    return fig


def _tol(summary: dict) -> float:
    tol = summary.get("peak_tol")
    return float(tol) if tol is not None else 0.01


def p_peak_by(dist: pd.DataFrame, year: int = 2030) -> float:
    """Probability of having peaked by ``year`` from a peak-year distribution (NaN year = not peaked)."""
    d = dist[pd.to_numeric(dist["year"], errors="coerce").notna()]
    return float(d.loc[pd.to_numeric(d["year"]) <= year, "probability"].sum())


def peak_histogram(agg: Aggregate | str, lang: str = "en", by: int = 2030, view: str = "") -> Figure:
    """Probability of each peak year (bars, one more bar per status without a year such as
    "not peaked"), the cumulative probability of having peaked (line, right axis) and
    P(peak <= 2030) written on the chart.

    Parameters
    ----------
    agg
        A Monte Carlo aggregate folder with ``peak_year_distribution.csv`` (or
        ``peak_year_distribution_<view>.csv``).
    view
        Accounting view of the distribution to read (see :meth:`Aggregate.distributions`;
        ``""``: ``peak_year_distribution.csv``).
    """
    agg = _aggregate(agg)
    L = Labels(lang)
    name = dict(agg.distributions()).get(view, "peak_year_distribution")
    dist = agg.table(name, required=("year", "probability"))
    years = pd.to_numeric(dist["year"], errors="coerce")
    peaked = dist[years.notna()].assign(year=years[years.notna()].astype(int)).sort_values("year")
    rest = dist[years.isna()]
    if "status" in rest.columns:
        others = (
            rest.assign(status=rest["status"].fillna("not_peaked")).groupby("status", sort=False)["probability"].sum()
        )
    else:
        others = pd.Series({"not_peaked": float(rest["probability"].sum())})
    others = others[others > 0]
    summary = agg.summary()
    p = summary.get(f"p_peak_by_{by}_{view}" if view else f"p_peak_by_{by}")
    p = float(p) if p is not None else p_peak_by(dist, by)
    nonzero = peaked.loc[peaked["probability"] > 0, "year"]
    if len(nonzero):
        lo, hi = int(nonzero.min()) - 1, max(int(nonzero.max()) + 1, by + 1)
        peaked = peaked[(peaked["year"] >= lo) & (peaked["year"] <= hi)]
    fig, ax = new_figure(height=3.3)
    x = peaked["year"].to_numpy()
    colours = [TARGET_COLOUR if v <= by else BAND_COLOUR for v in x]
    bars = ax.bar(x, peaked["probability"].to_numpy(), color=colours, width=0.8)
    early = [b for b, v in zip(bars, x) if v <= by]
    late = [b for b, v in zip(bars, x) if v > by]
    if early:
        early[0].set_label(("达峰 ≤ " if L.lang == "zh" else "peak ≤ ") + str(by))
    if late:
        late[0].set_label(("达峰 > " if L.lang == "zh" else "peak > ") + str(by))
    ticks = list(x)
    labels = [str(v) for v in x]
    xn = (x.max() if len(x) else by) + 1
    for status, prob in others.items():
        xn += 1
        text = L(f"status_{status}") if f"status_{status}" in TEXT["en"] else str(status).replace("_", " ")
        ax.bar([xn], [prob], color="#bdbdbd", width=0.8, hatch="//", edgecolor="white", label=text)
        ticks.append(xn)
        labels.append(text)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(L("probability"))
    ax.set_xlabel(L("year"))
    ax2 = ax.twinx()
    probs = pd.to_numeric(dist.loc[years.notna(), "probability"]).to_numpy()
    cum_all = np.cumsum(probs)
    cum = pd.Series(cum_all, index=years[years.notna()].astype(int).to_numpy()).reindex(x).to_numpy()
    ax2.step(x, cum, where="mid", color=PEAK_COLOUR, linewidth=1.6, label=L("cumulative"))
    ax2.set_ylim(0, 1.05)
    ax2.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax2.set_ylabel(L("cumulative"), color=PEAK_COLOUR)
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    ax.axvline(by + 0.5, color="#636363", linestyle="--", linewidth=0.9)
    ax.text(
        0.02,
        0.95,
        L("p_by_2030", p=p).replace("2030", str(by)),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=10,
        fontweight="bold",
        gid="p-peak",
        bbox={"facecolor": "white", "edgecolor": "#bdbdbd"},
    )
    step = max(1, len(x) // 14)
    keep = [i for i in range(len(ticks)) if i >= len(x) or i % step == 0]
    ax.set_xticks(
        [ticks[i] for i in keep],
        [labels[i] for i in keep],
        rotation=45 if len(keep) > 12 else 0,
        ha="right" if len(keep) > 12 else "center",
    )
    ax.grid(axis="x", visible=False)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=4)
    n = summary.get("samples_ok") or summary.get("samples")
    title = L("title_peak_hist") + (f", {L.name(view)}" if view else "")
    ax.set_title(run_title(fig, title, agg.label(L.lang) + (f" (n = {n})" if n else "")), loc="left")
    return fig
