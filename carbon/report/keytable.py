"""The key indicators of the named scenarios side by side: the first table of a batch report,
of ``carbon compare`` and of the Word annex.

Read from each run folder (``pathway/annual.csv``, ``pathway/peak.json``,
``pathway/targets.csv``); emissions scope 1 + 2 in 10^4 t CO2e, energy in 10^4 tce.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from carbon.plots.data import MissingData, Run, truthy
from carbon.report.text import fmt_number, name, text, unit_text

KEY_YEARS = (2025, 2030, 2035, 2060)
TON = 1e-4  # t -> 10^4 t
VIEW = "scope12"


@dataclass
class Row:
    """One indicator: a key, its kind (``number``, ``year``, ``status``, ``target``), a unit and
    the value of each run (numbers for ``number``/``year``; dicts for ``status``/``target``)."""

    key: str
    kind: str
    unit: str | None
    values: dict[str, object] = field(default_factory=dict)
    fmt: dict[str, object] = field(default_factory=dict)  # placeholders of the label

    def label(self, lang: str) -> str:
        """The row label in ``lang`` with its unit."""
        if self.kind == "target":
            base = f"{name(self.fmt['target'], lang)} {self.fmt['year']}"
        else:
            base = text(f"key_{self.key.split(':')[0]}", lang, **self.fmt)
        return f"{base} [{unit_text(self.unit, lang)}]" if self.unit else base


@dataclass
class KeyTable:
    """The key indicators of ``runs`` (display names by run name) against ``reference``."""

    runs: list[str]
    labels: dict[str, str]
    rows: list[Row]
    reference: str | None

    def numbers(self) -> pd.DataFrame:
        """The numeric rows as a frame (rows = keys, columns = runs)."""
        return pd.DataFrame(
            {r: {row.key: row.values.get(r) for row in self.rows if row.kind in ("number", "year")} for r in self.runs}
        )

    def differences(self) -> pd.DataFrame:
        """Numeric rows minus the reference run's (rows = keys, columns = the other runs)."""
        if self.reference is None:
            return pd.DataFrame()
        nums = self.numbers().apply(pd.to_numeric, errors="coerce")
        others = [r for r in self.runs if r != self.reference]
        return nums[others].sub(nums[self.reference], axis=0)

    def display(self, lang: str = "en", differences: bool = True) -> pd.DataFrame:
        """Rows as shown (text cells, units in the row labels), columns = run labels; with the
        difference from the reference as extra rows ``Δ ...`` when ``differences``."""
        out: dict[str, dict[str, str]] = {}
        cols = [self.labels[r] for r in self.runs]
        for row in self.rows:
            out[row.label(lang)] = {self.labels[r]: cell(row, row.values.get(r), lang) for r in self.runs}
        if differences and self.reference is not None and len(self.runs) > 1:
            diff = self.differences()
            ref = self.labels[self.reference]
            for row in self.rows:
                if row.kind != "number" or row.key not in diff.index:
                    continue
                label = text("key_difference", lang, what=row.label(lang), ref=ref)
                out[label] = {
                    self.labels[r]: ("—" if r == self.reference else fmt_number(diff.at[row.key, r], 1, sign=True))
                    for r in self.runs
                }
        frame = pd.DataFrame(out).T
        return frame.reindex(columns=cols)


def cell(row: Row, value: object, lang: str) -> str:
    """One cell of the key table as text in ``lang``."""
    if value is None:
        return "-"
    if row.kind == "year":
        return fmt_number(value, 0).replace(",", "")
    if row.kind == "number":
        return fmt_number(value, 1)
    if row.kind == "status":
        info = value if isinstance(value, dict) else {}
        status = text(f"status_{info.get('status')}", lang) if info.get("status") else "-"
        plateau = info.get("plateau") or []
        if len(plateau) == 2 and plateau[0] is not None and plateau[1] is not None and plateau[1] > plateau[0]:
            status += text("key_plateau_span", lang, first=plateau[0], last=plateau[1])
        return status
    if row.kind == "target":
        info = value if isinstance(value, dict) else {}
        verdict = text("target_met" if info.get("met") else "target_missed", lang)
        return f"{verdict} ({margin_text(info.get('margin'), str(info.get('unit') or ''), lang)})"
    return str(value)


def margin_text(margin: object, unit: str, lang: str) -> str:
    """A target's margin with its unit: shares in percentage points, years in years."""
    try:
        m = float(margin)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "-"
    if unit.startswith("share"):
        return f"{fmt_number(m * 100, 1, sign=True)} {text('pp', lang)}"
    if unit == "year":
        return f"{fmt_number(m, 0, sign=True)} {text('years', lang)}"
    return f"{fmt_number(m, sign=True)} {unit_text(unit, lang)}"


def key_table(
    runs: Sequence[Run], reference: str | None = None, lang: str = "en", drop_empty: bool = False
) -> KeyTable:
    """The key indicators of ``runs`` (those with a pathway; others get ``-``).

    ``reference``: the run whose values the others are compared with (default ``baseline``
    when there is one, else the first run); an unknown name is an error. ``drop_empty``: leave
    out the runs without any key indicator.
    """
    from carbon.errors import InputError

    names = [r.name for r in runs]
    if reference is not None and reference not in names:
        raise InputError(
            "unknown reference run", key="--reference", expected=f"one of {', '.join(names)}", found=reference
        )
    if reference is None and names:
        reference = "baseline" if "baseline" in names else names[0]
    labels: dict[str, str] = {}
    for r in runs:
        label = r.label(lang)
        labels[r.name] = label if label not in labels.values() else r.name
    rows: dict[str, Row] = {}

    def put(key: str, kind: str, unit: str | None, run: str, value: object, **fmt: object) -> None:
        rows.setdefault(key, Row(key, kind, unit, fmt=fmt)).values[run] = value

    for run in runs:
        try:
            annual = run.table("pathway", "annual", required=("year", f"co2e_t_{VIEW}"))
        except MissingData:
            continue
        a = annual.set_index("year")
        years = [int(y) for y in a.index]
        first = years[0]
        try:
            peak = (run.document("pathway", "peak") or {}).get(VIEW) or {}
        except MissingData:
            peak = {}
        put("peak_year", "year", None, run.name, peak.get("peak_year"))
        level = peak.get("peak_co2e_t")
        put("peak_level", "number", "10^4 t CO2e", run.name, None if level is None else float(level) * TON)
        put("peak_status", "status", None, run.name, {"status": peak.get("status"), "plateau": peak.get("plateau")})
        for y in KEY_YEARS:
            if y in a.index:
                put(f"emissions:{y}", "number", "10^4 t CO2e", run.name, float(a.at[y, f"co2e_t_{VIEW}"]) * TON, year=y)
        for last in (2030, years[-1]):
            if last in a.index and last > first:
                total = float(a.loc[first:last, f"co2e_t_{VIEW}"].sum()) * TON
                put(f"cumulative:{first}-{last}", "number", "10^4 t CO2e", run.name, total, first=first, last=last)
        if "energy_tce" in a.columns:
            for y in (2025, 2030):
                if y in a.index:
                    put(f"energy:{y}", "number", "10^4 tce", run.name, float(a.at[y, "energy_tce"]) * TON, year=y)
        try:
            targets = run.table("pathway", "targets", required=("target", "year", "met"))
        except MissingData:
            continue
        for t in targets.itertuples(index=False):
            info = {"met": truthy(t.met), "margin": getattr(t, "margin", None), "unit": getattr(t, "unit", "")}
            put(f"target:{t.target}:{t.year}", "target", None, run.name, info, target=t.target, year=int(t.year))
    order = {"peak_year": 0, "peak_level": 1, "peak_status": 2, "emissions": 3, "cumulative": 4, "energy": 5}
    ordered = sorted(rows.values(), key=lambda r: (order.get(r.key.split(":")[0], 9), r.key))
    if drop_empty and ordered:  # runs without a pathway (an inventory or a market only) have no key indicator
        names = [n for n in names if any(n in row.values for row in ordered)]
        if reference not in names:
            reference = "baseline" if "baseline" in names else names[0] if names else None
    return KeyTable(names, labels, ordered, reference)


def failed_targets(table: KeyTable, run: str, lang: str = "en") -> list[str]:
    """The targets ``run`` misses, by name and year, in ``lang``."""
    return [
        row.label(lang)
        for row in table.rows
        if row.kind == "target" and isinstance(row.values.get(run), dict) and not row.values[run]["met"]
    ]
