"""Words, units and numbers of the report in one language (``en`` or ``zh``), all from the glossary.

Tables of the run folders name their columns in snake_case with the unit in the ending
(``co2e_t_scope12``); :func:`display_frame` turns them into what a reader sees: the glossary's
name of the column, the unit in brackets, tonnes shown as 10^4 t (and tce as 10^4 tce) as in
Chinese statistics, and category cells (sectors, fuels, targets, statuses) translated.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from carbon import glossary

#: Units shown scaled: (unit as the column name gives it) -> (unit shown, factor).
SCALED_UNITS: dict[str, tuple[str, float]] = {
    "t CO2e": ("10^4 t CO2e", 1e-4),
    "t CO2": ("10^4 t CO2", 1e-4),
    "t": ("10^4 t", 1e-4),
    "tce": ("10^4 tce", 1e-4),
    "CNY": ("10^4 CNY", 1e-4),
}
#: Columns whose cells are names to translate (sectors, fuels, technologies, targets, ...).
CATEGORY_COLUMNS = frozenset(
    {
        "view",
        "sector",
        "fuel",
        "item",
        "gas",
        "scope",
        "technology",
        "kind",
        "carrier",
        "target",
        "status",
        "factor",
        "component",
        "unit",
        "node",
        "firm_type",
        "category_name",
    }
)


def text(key: str, lang: str = "en", **fmt: object) -> str:
    """A phrase of the glossary (kind ``text``) in ``lang`` with ``{placeholders}`` filled."""
    out = glossary.term(key, lang, kind="text")
    return out.format(**fmt) if fmt else out


def name(key: object, lang: str = "en") -> str:
    """The name of a thing or column (kind ``name``) in ``lang``."""
    return glossary.term(key, lang)


def unit_text(unit: str, lang: str = "en") -> str:
    """A unit as shown in ``lang`` (``10^4 t CO2e`` -> ``万t CO2e``); units without an entry as written."""
    return glossary.term(unit, lang) if glossary.has_term(unit, "en") else unit


def header(col: str, unit: str | None, lang: str = "en") -> str:
    """A column header: the glossary name and the unit in brackets."""
    label = name(col, lang)
    return f"{label} [{unit_text(unit, lang)}]" if unit else label


def cell_name(value: object, lang: str) -> object:
    """A category cell translated when the glossary has it (other cells unchanged)."""
    if isinstance(value, str) and glossary.has_term(value, "en"):
        return glossary.term(value, lang)
    return value


def display_frame(frame: pd.DataFrame, lang: str = "en", allowance_unit: str | None = None) -> pd.DataFrame:
    """The frame as shown: headers translated with units, tonnes as 10^4 t, categories translated.

    >>> display_frame(pd.DataFrame({"year": [2030], "co2e_t_scope12": [41_694.0]}))
       year  emissions, scope 1+2 [10^4 t CO2e]
    0  2030                               4.1694
    """
    from carbon.report.tables import column_unit

    out = {}
    for col in frame.columns:
        c = str(col)
        series = frame[col]
        unit = column_unit(c, allowance_unit)
        if unit in SCALED_UNITS and pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            unit, factor = SCALED_UNITS[unit]
            series = series * factor
        elif pd.api.types.is_bool_dtype(series) or series.map(lambda v: isinstance(v, bool)).all() and len(series):
            series = series.map(lambda v: text("yes" if v else "no", lang) if isinstance(v, bool) else v)
        elif c in CATEGORY_COLUMNS or c.endswith("_name"):
            series = series.map(lambda v: cell_name(v, lang))
        out[header(c, unit, lang)] = series
    return pd.DataFrame(out, index=frame.index)


def number_format(values: pd.Series) -> tuple[str, int]:
    """The Excel number format of a numeric column and its decimals, from its magnitude: years
    and counts whole, large quantities with thousands separators, fractions with 3 decimals."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty:
        return "General", 0
    if (v == v.round()).all() and v.between(1800, 2200).all():
        return "0", 0
    big = float(v.abs().max())
    if big >= 1000:
        return "#,##0", 0
    if big >= 10:
        return "#,##0.0", 1
    if big >= 1:
        return "#,##0.00", 2
    return "0.000", 3


def fmt_number(value: Any, decimals: int | None = None, sign: bool = False) -> str:
    """A number for text: thousands separators; ``decimals`` or by magnitude; ``-`` when missing."""
    if value is None or isinstance(value, str):
        return "-" if value is None else value
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "-"
    if decimals is None:
        decimals = 0 if abs(v) >= 1000 else 1 if abs(v) >= 10 else 2 if abs(v) >= 0.1 else 3
    out = f"{v:,.{decimals}f}"
    if out.lstrip("-").replace("0", "").replace(".", "").replace(",", "") == "":
        out = out.lstrip("-")  # no "-0.0"
    return f"+{out}" if sign and not out.startswith("-") and out.strip("0.,") else out
