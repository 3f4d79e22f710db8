"""Why two scenarios differ: the difference of scope 1 + 2 emissions in a year, decomposed by
sector and by driver (LMDI between scenarios), and the power system's own account (imports,
storage, new builds) from the energy model's tables; as short sentences in English or Chinese.

Between-scenario LMDI (Ang 2005, additive LMDI-I with the reference scenario in the place of the
base year): emissions are split into groups with an exact identity per group,

- end-use sector s (direct emissions and purchased heat): C_s = G x (C_s / G), G the GDP;
- purchased electricity: C_p = D x (N / D) x (C_p / N), D the county's electricity use, N its net
  purchases (C_p / N is the grid factor);
- local generation: C_l = D x ((D - N) / D) x (C_l / (D - N));

so the drivers are economic activity, the emission intensity of end uses, electricity demand,
the supply mix (purchased against local) and the carbon intensity of electricity. The effects of
each group sum exactly to its difference, so all effects sum to the total difference. A group
whose factors are not all positive in both scenarios gives its whole difference to its
intensity. By fuel (``pathway/by_fuel``): end-use fuels, the rest of scope 1 as non-energy,
local generation and purchases; these too add up to the difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon.pathway.lmdi import decompose
from carbon.plots.data import MissingData, Run
from carbon.report.text import fmt_number, name, text

TON = 1e-4  # t -> 10^4 t
KEY_YEARS = (2025, 2030)
ELECTRICITY = ("purchased_electricity", "power")
#: Drivers in the order sentences list them.
DRIVERS = ("activity", "end_use_intensity", "electricity_demand", "electricity_mix", "electricity_intensity")


@dataclass
class Explanation:
    """Why ``run`` differs from ``reference`` in ``year``: totals (t CO2e, scope 1 + 2), effects
    by sector and by driver (t CO2e, each summing to the difference) and the power system's
    differences (MWh, MW, t)."""

    run: str
    reference: str
    year: int
    total: float
    total_reference: float
    by_sector: dict[str, float]
    by_driver: dict[str, float]
    by_fuel: dict[str, float] = field(default_factory=dict)
    power: dict[str, float] = field(default_factory=dict)
    generation: dict[str, float] = field(default_factory=dict)
    capacity: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def difference(self) -> float:
        return self.total - self.total_reference

    def title(self, lang: str = "en") -> str:
        return text(
            "why_title",
            lang,
            run=self.labels.get(self.run, self.run),
            ref=self.labels.get(self.reference, self.reference),
            year=self.year,
        )

    def sentences(self, lang: str = "en", top: int = 4) -> list[str]:
        """Short sentences with the numbers (10^4 t CO2e; GWh and MW for the power system)."""
        ref = self.labels.get(self.reference, self.reference)
        out = [
            text(
                "why_total",
                lang,
                year=self.year,
                value=fmt_number(self.total * TON, 1),
                ref=ref,
                ref_value=fmt_number(self.total_reference * TON, 1),
                delta=fmt_number(self.difference * TON, 1, sign=True),
            )
        ]
        sectors = _items(self.by_sector, lang, top)
        if sectors:
            out.append(text("why_sectors", lang, items=sectors))
        fuels = _items(self.by_fuel, lang, top)
        if fuels:
            out.append(text("why_fuels", lang, items=fuels))
        drivers = self.by_driver
        if drivers:
            items = "; ".join(
                f"{text(f'driver_{k}', lang)} {fmt_number(v * TON, 1, sign=True)}"
                for k, v in sorted(drivers.items(), key=lambda kv: -abs(kv[1]))
                if abs(v * TON) >= 0.05
            )
            out.append(
                text(
                    "why_drivers", lang, items=items or "-", total=fmt_number(sum(drivers.values()) * TON, 1, sign=True)
                )
            )
        if self.power:
            p = self.power
            parts = [
                text(
                    f"why_power_{k}",
                    lang,
                    value=fmt_number(v / 1000, 1, sign=True)
                    if not k.endswith("_t")
                    else fmt_number(v * TON, 1, sign=True),
                )
                for k, v in p.items()
                if abs(v) >= 500  # 0.5 GWh or 0.05 x 10^4 t: less is noise at the rounding shown
            ]
            gen = _items({k: v / 1000 for k, v in self.generation.items() if abs(v) >= 500}, lang, top, scale=1.0)
            if gen:
                parts.append(text("why_power_generation", lang, items=gen))
            cap = _items({k: v for k, v in self.capacity.items() if abs(v) >= 0.5}, lang, top, scale=1.0, decimals=0)
            if cap:
                parts.append(text("why_power_builds", lang, items=cap))
            if parts:
                out.append(text("why_power", lang, year=self.year, items="; ".join(parts)))
        return out


def _items(values: dict[str, float], lang: str, top: int, scale: float = TON, decimals: int = 1) -> str:
    """``industry −20.4, purchased electricity +33.1`` (largest first; the rest as one item)."""
    ordered = sorted(values.items(), key=lambda kv: -abs(kv[1]))
    shown = [(k, v) for k, v in ordered[:top] if abs(v * scale) >= 0.05]
    rest = sum(v for _, v in ordered[len(shown) :])
    parts = [f"{name(k, lang)} {fmt_number(v * scale, decimals, sign=True)}" for k, v in shown]
    if len(ordered) > len(shown) and abs(rest * scale) >= 0.05:
        parts.append(f"{text('why_other', lang)} {fmt_number(rest * scale, decimals, sign=True)}")
    return ", ".join(parts)


def _year_row(run: Run, year: int) -> tuple[pd.Series, pd.Series]:
    annual = run.table("pathway", "annual", required=("year", "co2e_t_scope12")).set_index("year")
    by_sector = run.table("pathway", "by_sector", required=("year", "view", "sector", "co2e_t"))
    rows = by_sector[(by_sector["year"] == year) & (by_sector["view"] == "scope12")]
    if year not in annual.index or rows.empty:
        raise MissingData(f"no pathway year {year}", file=run.path, expected=f"year {year}", found="absent")
    return annual.loc[year], rows.groupby("sector")["co2e_t"].sum()


def _fuels(run: Run, year: int) -> pd.Series:
    """Scope 1 + 2 emissions by fuel in ``year`` (``pathway/by_fuel``; empty for older runs)."""
    try:
        table = run.table("pathway", "by_fuel", required=("year", "fuel", "co2e_t"))
    except MissingData:
        return pd.Series(dtype=float)
    return table[table["year"] == year].groupby("fuel")["co2e_t"].sum()


def _drivers(run: Run, year: int) -> pd.Series:
    try:
        d = run.table("pathway", "drivers", required=("year", "gdp_10k_cny")).set_index("year")
        return d.loc[year]
    except (MissingData, KeyError):
        return pd.Series(dtype=float)


def driver_effects(
    ref: tuple[pd.Series, pd.Series, pd.Series], run: tuple[pd.Series, pd.Series, pd.Series]
) -> dict[str, float]:
    """LMDI effects (t CO2e) of the drivers between two scenarios' ``(annual row, emissions by
    sector, drivers row)`` of one year; they sum exactly to the difference of the sector totals."""
    effects = dict.fromkeys(DRIVERS, 0.0)
    (a0, s0, d0), (a1, s1, d1) = ref, run
    sectors = sorted(set(s0.index) | set(s1.index))
    g0 = float(d0.get("gdp_10k_cny", a0.get("gdp_10k_cny", np.nan)))
    g1 = float(d1.get("gdp_10k_cny", a1.get("gdp_10k_cny", np.nan)))
    have_elec = all(k in a0.index and k in a1.index for k in ("electricity_mwh", "net_imports_mwh"))

    def lmdi(x0: dict[str, float], x1: dict[str, float], names: dict[str, str], fallback: str) -> None:
        c0, c1 = np.prod(list(x0.values())), np.prod(list(x1.values()))
        values = [*x0.values(), *x1.values()]
        if not all(np.isfinite(v) and v > 0 for v in values):
            effects[fallback] += c1 - c0
            return
        frame = pd.DataFrame([{"year": 0, "group": "g", **x0}, {"year": 1, "group": "g", **x1}])
        for factor, effect in decompose(frame, list(x0), 0, 1).items():
            effects[names[factor]] += float(effect)

    for s in sectors:
        c0, c1 = float(s0.get(s, 0.0)), float(s1.get(s, 0.0))
        if have_elec and s in ELECTRICITY:
            dem0, dem1 = float(a0["electricity_mwh"]), float(a1["electricity_mwh"])
            n0, n1 = float(a0["net_imports_mwh"]), float(a1["net_imports_mwh"])
            if s == "purchased_electricity":
                q0, q1 = n0, n1
            else:
                q0, q1 = dem0 - n0, dem1 - n1
            x0 = {"demand": dem0, "share": q0 / dem0 if dem0 else np.nan, "intensity": c0 / q0 if q0 else np.nan}
            x1 = {"demand": dem1, "share": q1 / dem1 if dem1 else np.nan, "intensity": c1 / q1 if q1 else np.nan}
            if c0 == 0 and c1 == 0:
                continue
            lmdi(
                x0,
                x1,
                {"demand": "electricity_demand", "share": "electricity_mix", "intensity": "electricity_intensity"},
                "electricity_intensity",
            )
        else:
            if c0 == 0 and c1 == 0:
                continue
            x0 = {"gdp": g0, "intensity": c0 / g0 if g0 else np.nan}
            x1 = {"gdp": g1, "intensity": c1 / g1 if g1 else np.nan}
            lmdi(x0, x1, {"gdp": "activity", "intensity": "end_use_intensity"}, "end_use_intensity")
    return effects


def power_differences(ref: Run, run: Run, year: int) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """The power system's differences in ``year`` from the energy model's tables (empty when a
    run has no energy model or not that year): load, purchases, sales, storage throughput and
    the system's CO2 (t, imports included); generation by technology (MWh); installed capacity
    by technology (MW)."""
    try:
        y0 = ref.table("energy", "years", required=("year",)).set_index("year")
        y1 = run.table("energy", "years", required=("year",)).set_index("year")
        a0 = ref.table("energy", "annual", required=("year", "technology"))
        a1 = run.table("energy", "annual", required=("year", "technology"))
    except MissingData:
        return {}, {}, {}
    if year not in y0.index or year not in y1.index:
        return {}, {}, {}
    power: dict[str, float] = {}
    for col, key in (("load_mwh", "load"), ("imports_mwh", "imports"), ("exports_mwh", "exports")):
        if col in y0.columns and col in y1.columns:
            power[key] = float(y1.at[year, col] - y0.at[year, col])

    def by_tech(frame: pd.DataFrame, col: str, kind: str | None = None) -> pd.Series:
        rows = frame[frame["year"] == year]
        if kind is not None and "kind" in rows.columns:
            rows = rows[rows["kind"] == kind]
        return rows.groupby("technology")[col].sum() if col in rows.columns else pd.Series(dtype=float)

    dis = by_tech(a1, "discharge_mwh").sum() - by_tech(a0, "discharge_mwh").sum()
    if abs(dis) > 0:
        power["storage"] = float(dis)
    if "emissions_t" in y0.columns and "emissions_t" in y1.columns:
        power["emissions_t"] = float(y1.at[year, "emissions_t"] - y0.at[year, "emissions_t"])
    g0, g1 = by_tech(a0, "generation_mwh", "generator"), by_tech(a1, "generation_mwh", "generator")
    generation = g1.sub(g0, fill_value=0.0)
    capacity: dict[str, float] = {}
    try:
        c0 = ref.table("energy", "capacity", required=("year", "technology", "total_mw"))
        c1 = run.table("energy", "capacity", required=("year", "technology", "total_mw"))
        t0 = c0[c0["year"] == year].groupby("technology")["total_mw"].sum()
        t1 = c1[c1["year"] == year].groupby("technology")["total_mw"].sum()
        capacity = {str(k): float(v) for k, v in t1.sub(t0, fill_value=0.0).items()}
    except MissingData:
        pass
    return power, {str(k): float(v) for k, v in generation.items()}, capacity


def explain(ref: Run, run: Run, year: int, labels: dict[str, str] | None = None) -> Explanation:
    """Why ``run`` differs from ``ref`` in ``year`` (:class:`MissingData` when a run lacks the year)."""
    a0, s0 = _year_row(ref, year)
    a1, s1 = _year_row(run, year)
    by_sector = {s: float(s1.get(s, 0.0) - s0.get(s, 0.0)) for s in sorted(set(s0.index) | set(s1.index))}
    by_driver = driver_effects((a0, s0, _drivers(ref, year)), (a1, s1, _drivers(run, year)))
    f0, f1 = _fuels(ref, year), _fuels(run, year)
    by_fuel = {f: float(f1.get(f, 0.0) - f0.get(f, 0.0)) for f in sorted(set(f0.index) | set(f1.index))}
    power, generation, capacity = power_differences(ref, run, year)
    return Explanation(
        run.name,
        ref.name,
        year,
        float(s1.sum()),
        float(s0.sum()),
        by_sector,
        by_driver,
        by_fuel if len(f0) and len(f1) else {},
        power,
        generation,
        capacity,
        labels or {},
    )


def explain_all(
    runs: Sequence[Run], reference: str, years: Sequence[int] = KEY_YEARS, labels: dict[str, str] | None = None
) -> list[Explanation]:
    """An explanation of each run against the reference in each of ``years`` it has."""
    by_name = {r.name: r for r in runs}
    ref = by_name.get(reference)
    if ref is None:
        return []
    out = []
    for run in runs:
        if run.name == reference:
            continue
        for year in years:
            try:
                out.append(explain(ref, run, year, labels))
            except MissingData:
                continue
    return out
