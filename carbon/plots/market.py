"""Quota-market figures from ``<run>/market/<name>/``: price path with floor, ceiling and bank;
allocation against emissions per firm; MAC curves with the clearing price; transaction prices
of agent-based trading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from carbon.errors import InputError
from carbon.plots.data import MissingData, Run, as_run
from carbon.plots.style import (
    BAND_COLOUR,
    PEAK_COLOUR,
    SERIES_COLOURS,
    TARGET_COLOUR,
    TOTAL_COLOUR,
    Labels,
    colour,
    legend_below,
    new_figure,
    run_title,
    thousands,
)


def market_section(run: Run, market: str) -> dict:
    """The market's resolved section from the manifest (``{}`` when absent)."""
    sc = run.scenario
    if market and isinstance(sc.get("markets"), dict):
        return sc["markets"].get(market) or {}
    return sc.get("market") or {}


def allowance_unit(periods: pd.DataFrame, section: dict) -> str:
    """``t`` for tCO2/tCO2e markets, ``tce`` for energy-use rights (the unit on the axes)."""
    unit = str(periods["unit"].iloc[0]) if "unit" in periods.columns and len(periods) else str(section.get("unit", "t"))
    low = unit.lower().replace(" ", "")
    if low.startswith("tco2"):
        return "t"
    return unit


def _unit_label(unit: str) -> str:
    return {"t": "t CO$_2$"}.get(unit, unit)


def _per_period(value: object, periods: list[int]) -> np.ndarray | None:
    """A scalar, list or {period: value} mapping as one value per period (None when unset)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return np.full(len(periods), float(value))
    if isinstance(value, list) and len(value) == len(periods):
        return np.array(value, dtype=float)
    if isinstance(value, dict):
        keys = sorted(int(k) for k in value)
        out = []
        for p in periods:
            chosen = max([k for k in keys if k <= p], default=keys[0])
            out.append(float(value.get(chosen, value.get(str(chosen)))))
        return np.array(out)
    return None


def _periods(run: Run, market: str) -> pd.DataFrame:
    return run.table(run.market_stage(market), "periods", required=("period", "price"))


def _title(fig: Figure, key: str, market: str, run: Run, L: Labels, **fmt: object) -> str:
    return run_title(fig, L(key, market=L.name(market or "market"), **fmt), run.label(L.lang))


def market_price(run: Run | str, market: str = "", lang: str = "en") -> Figure:
    """Allowance price per period (CNY per unit) with the floor (auction reserve price) and
    ceiling (cost-containment trigger) as a band, and the bank on a second axis (bars)."""
    run = as_run(run)
    L = Labels(lang)
    p = _periods(run, market)
    section = market_section(run, market)
    unit = allowance_unit(p, section)
    periods = p["period"].astype(int).tolist()
    fig, ax = new_figure(height=3.3)
    if "bank" in p.columns:
        ax2 = ax.twinx()
        ax2.bar(periods, p["bank"].to_numpy(), color="#c6dbef", width=0.6, label=L("bank"), zorder=0)
        ax2.set_ylabel(f"{L('bank')} ({_unit_label(unit)})")
        ax2.yaxis.set_major_formatter(FuncFormatter(thousands))
        ax2.grid(False)
        ax2.spines["right"].set_visible(True)
        ax2.set_ylim(0, max(1.0, float(p["bank"].max()) * 2.2))
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
    else:
        ax2 = None
    floor = _per_period((section.get("auction") or {}).get("reserve_price"), periods)
    ceiling = _per_period((section.get("ceiling") or {}).get("price"), periods)
    if floor is not None and ceiling is not None:
        ax.fill_between(periods, floor, ceiling, step="mid", color=TARGET_COLOUR, alpha=0.08, linewidth=0)
    if floor is not None and floor.max() > 0:
        ax.step(periods, floor, where="mid", color=TARGET_COLOUR, linestyle="--", linewidth=1.1, label=L("floor"))
    if ceiling is not None:
        ax.step(periods, ceiling, where="mid", color=PEAK_COLOUR, linestyle="--", linewidth=1.1, label=L("ceiling"))
    ax.plot(
        periods,
        p["price"].to_numpy(),
        color=TOTAL_COLOUR,
        marker="o",
        markersize=4,
        linewidth=1.8,
        label=L("price_t", unit=unit).split(" (")[0],
    )
    top = max(float(p["price"].max()), float(ceiling.max()) if ceiling is not None else 0.0)
    ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(L("year"))
    ax.set_ylabel(L("price_t", unit=unit))
    handles, labels = ax.get_legend_handles_labels()
    if ax2 is not None:
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=len(labels))
    ax.set_title(_title(fig, "title_market_price", market, run, L), loc="left")
    return fig


def firm_positions(
    run: Run | str, market: str = "", period: int | None = None, top: int = 12, lang: str = "en"
) -> Figure:
    """Allocation against emissions per firm (bars) and the net purchase (diamond) in one
    period (default the last); the ``top`` largest emitters, the rest added up as "other"."""
    run = as_run(run)
    L = Labels(lang)
    firms = run.table(run.market_stage(market), "firms", required=("period", "firm", "allocation", "emissions"))
    unit = allowance_unit(_periods(run, market), market_section(run, market))
    periods = sorted(firms["period"].unique())
    period = int(periods[-1]) if period is None else int(period)
    f = firms[firms["period"] == period].copy()
    if f.empty:
        raise InputError(
            "no firm rows for this period",
            file=run.path / run.market_stage(market) / "firms.csv",
            key="period",
            expected=", ".join(map(str, periods)),
            found=period,
        )
    if "net_purchase" not in f.columns:
        f["net_purchase"] = f["emissions"] - f["allocation"]
    f = f.sort_values("emissions", ascending=False)
    if len(f) > top:
        rest = f.iloc[top - 1 :]
        other = {
            "firm": L("other_firms", n=len(rest)),
            "allocation": rest["allocation"].sum(),
            "emissions": rest["emissions"].sum(),
            "net_purchase": rest["net_purchase"].sum(),
        }
        f = pd.concat([f.iloc[: top - 1], pd.DataFrame([other])], ignore_index=True)
    y = np.arange(len(f))
    fig, ax = new_figure(height=1.2 + 0.42 * len(f))
    ax.barh(y - 0.2, f["allocation"].to_numpy(), height=0.38, color=BAND_COLOUR, label=L("allocation"))
    ax.barh(y + 0.2, f["emissions"].to_numpy(), height=0.38, color="#636363", label=L("emissions"))
    ax.plot(
        f["net_purchase"].to_numpy(),
        y,
        marker="D",
        linestyle="none",
        color=PEAK_COLOUR,
        markersize=5,
        label=L("net_purchase"),
    )
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_yticks(y, [L.name(s) for s in f["firm"]])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel(f"{L('emissions')}, {L('allocation')} ({_unit_label(unit)})")
    ax.legend(loc="lower right")
    ax.set_title(_title(fig, "title_firms", market, run, L, period=period), loc="left")
    return fig


def _scenario_file(run: Run, name: str) -> Path | None:
    """A file named in the scenario: relative to the scenario file, else as given (None when
    neither exists)."""
    candidates = [Path(name)]
    scenario_file = run.manifest.get("scenario_file")
    if scenario_file:
        candidates.insert(0, Path(scenario_file).parent / name)
    return next((path for path in candidates if path.is_file()), None)


def _firm_specs(run: Run, market: str) -> list[dict]:
    """Firm entries of the market section; a CSV of firms is read relative to the scenario file."""
    section = market_section(run, market)
    firms = section.get("firms")
    if isinstance(firms, list):
        return firms
    path = _scenario_file(run, firms) if isinstance(firms, str) else None
    if path is not None:
        out = []
        for row in pd.read_csv(path).to_dict("records"):
            mac = {}
            if pd.notna(row.get("mac_slope")):
                mac = {"slope": row["mac_slope"], "intercept": row.get("mac_intercept") or 0.0}
            out.append({"id": row.get("id"), "mac": mac})
        return out
    return []


def _curve_points(spec: dict, run: Run, t: int, baseline: float, pmax: float) -> tuple[np.ndarray, np.ndarray] | None:
    """(abatement, MAC) points of one firm's curve in period index ``t`` (None if not drawable)."""
    mac = spec.get("mac")
    if not isinstance(mac, dict):
        return None
    if mac.get("slope") is not None:
        slope = mac["slope"][t] if isinstance(mac["slope"], list) else float(mac["slope"])
        inter = mac.get("intercept") or 0.0
        inter = inter[t] if isinstance(inter, list) else float(inter)
        if slope <= 0:
            return None
        amax = min(baseline, max(0.0, (pmax - inter) / slope)) if baseline > 0 else max(0.0, (pmax - inter) / slope)
        a = np.array([0.0, amax])
        return a, inter + slope * a
    if mac.get("steps"):
        steps = sorted((float(c), float(q)) for c, q in mac["steps"])
        xs, ys, cum = [0.0], [steps[0][0]], 0.0
        for c, q in steps:
            xs += [cum, cum + q]
            ys += [c, c]
            cum += q
        return np.array(xs), np.array(ys)
    curve = mac.get("curve")
    if curve is not None:
        if isinstance(curve, str):
            path = _scenario_file(run, curve)
            if path is None:
                return None
            table = pd.read_csv(path)
            pts = table.iloc[:, :2].to_numpy(dtype=float)
        else:
            pts = np.array(curve, dtype=float)
        pts = pts[np.argsort(pts[:, 0])]
        abatement = pts[0, 1] - pts[:, 1]
        return abatement, pts[:, 0]
    return None


def _reach(pts: tuple[np.ndarray, np.ndarray], pmax: float) -> float:
    """Abatement at which a curve reaches ``pmax`` (its end when it never does)."""
    x, y = np.asarray(pts[0], float), np.asarray(pts[1], float)
    above = np.nonzero(y >= pmax)[0]
    if len(above) == 0:
        return float(x.max()) if len(x) else 0.0
    k = int(above[0])
    if k == 0:
        return float(x[0])
    return float(np.interp(pmax, [y[k - 1], y[k]], [x[k - 1], x[k]])) if y[k] > y[k - 1] else float(x[k])


def mac_curves(run: Run | str, market: str = "", period: int | None = None, lang: str = "en") -> Figure:
    """Each firm's marginal abatement cost curve (CNY per unit against abatement) with the
    clearing price of the period and each firm's abatement at that price marked; the power
    sector's curve from the energy model (``energy/mac_curve.csv``) is added when present."""
    run = as_run(run)
    L = Labels(lang)
    p = _periods(run, market)
    unit = allowance_unit(p, market_section(run, market))
    periods = p["period"].astype(int).tolist()
    period = periods[-1] if period is None else int(period)
    if period not in periods:
        raise InputError(
            "no such period",
            file=run.path / run.market_stage(market) / "periods.csv",
            key="period",
            expected=", ".join(map(str, periods)),
            found=period,
        )
    t = periods.index(period)
    price = float(p.loc[p["period"] == period, "price"].iloc[0])
    firms = run.table(run.market_stage(market), "firms", required=("period", "firm", "emissions", "abatement"))
    f = firms[firms["period"] == period].set_index("firm")
    pmax = max(price * 2.5, 100.0)
    fig, ax = new_figure(height=3.8)
    drawn, xmax = 0, 0.0
    for spec in _firm_specs(run, market):
        fid = spec.get("id")
        if fid not in f.index:
            continue
        baseline = float(f.loc[fid, "emissions"] + f.loc[fid, "abatement"])
        pts = _curve_points(spec, run, t, baseline, pmax)
        if pts is None:
            continue
        c = SERIES_COLOURS[drawn % len(SERIES_COLOURS)]
        xmax = max(xmax, _reach(pts, pmax))
        ax.plot(pts[0], pts[1], color=c, linewidth=1.5, label=L.name(fid), drawstyle="default")
        ax.plot([float(f.loc[fid, "abatement"])], [price], marker="o", color=c, markersize=5, linestyle="none")
        drawn += 1
    if unit == "t" and run.has("energy", "mac_curve.csv"):
        mc = run.table("energy", "mac_curve", required=("year", "carbon_price_cny_per_t", "abatement_t"))
        years = sorted(mc["year"].unique())
        year = max([y for y in years if y <= period], default=years[0])
        m = mc[mc["year"] == year].sort_values("carbon_price_cny_per_t")
        ax.plot(
            m["abatement_t"],
            m["carbon_price_cny_per_t"],
            color=colour("technology", "coal"),
            linewidth=1.5,
            linestyle="--",
            marker=".",
            label=f"{'电力系统 (能源模型)' if L.lang == 'zh' else 'power system (energy model)'} {year}",
        )
        xmax = max(xmax, _reach((m["abatement_t"].to_numpy(), m["carbon_price_cny_per_t"].to_numpy()), pmax))
        drawn += 1
    if not drawn:
        raise MissingData(
            "no MAC curve can be drawn from this run",
            file=run.path,
            expected="firms with a slope, steps or curve MAC in the manifest, or energy/mac_curve.csv",
        )
    ax.axhline(
        price,
        color=PEAK_COLOUR,
        linewidth=1.2,
        linestyle=":",
        label=f"{'出清价格' if L.lang == 'zh' else 'clearing price'} {price:,.1f}",
    )
    ax.set_ylim(0, pmax)
    ax.set_xlim(0, xmax * 1.05 if xmax > 0 else None)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel(f"{L('abatement')} ({_unit_label(unit)})")
    ax.set_ylabel(L("mac", unit=unit))
    legend_below(fig, *ax.get_legend_handles_labels())
    ax.set_title(_title(fig, "title_mac", market, run, L, period=period), loc="left")
    return fig


def trade_prices(run: Run | str, market: str = "", lang: str = "en") -> Figure:
    """Transaction prices of agent-based trading in the order they happened, coloured by
    period, with each period's mean price and, when recorded, the equilibrium price."""
    run = as_run(run)
    L = Labels(lang)
    stage = run.market_stage(market)
    trades = run.table(stage, "trades", required=("period", "price"))
    if trades.empty:
        raise MissingData("no trades were made", file=run.path / stage / "trades.csv")
    p = _periods(run, market)
    unit = allowance_unit(p, market_section(run, market))
    trades = trades.sort_values(["period"] + (["round"] if "round" in trades.columns else [])).reset_index(drop=True)
    fig, ax = new_figure(height=3.3)
    x0 = 0
    eq = "equilibrium_price" if "equilibrium_price" in p.columns else None
    for i, (period, group) in enumerate(trades.groupby("period", sort=True)):
        x = np.arange(x0, x0 + len(group))
        c = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        ax.plot(x, group["price"].to_numpy(), marker="o", markersize=3.5, linewidth=0.8, color=c, alpha=0.9)
        mean = float(
            (group["price"] * group.get("quantity", 1)).sum()
            / group.get("quantity", pd.Series(1, index=group.index)).sum()
        )
        ax.hlines(mean, x[0] - 0.4, x[-1] + 0.4, color=c, linewidth=2.0, label=L("mean_price") if i == 0 else None)
        if eq:
            ev = float(p.loc[p["period"] == period, eq].iloc[0])
            ax.hlines(
                ev,
                x[0] - 0.4,
                x[-1] + 0.4,
                color=TOTAL_COLOUR,
                linestyle="--",
                linewidth=1.2,
                label=L("equilibrium") if i == 0 else None,
            )
        ax.text(
            (x[0] + x[-1]) / 2,
            1.0,
            str(period),
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=7,
        )
        if x0:
            ax.axvline(x0 - 0.5, color="#bdbdbd", linewidth=0.6)
        x0 += len(group)
    ax.set_xlim(-0.8, x0 - 0.2)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(L("trade"))
    ax.set_ylabel(L("price_t", unit=unit))
    ax.legend(loc="upper right")
    ax.set_title(_title(fig, "title_trades", market, run, L), loc="left", pad=12)
    return fig
