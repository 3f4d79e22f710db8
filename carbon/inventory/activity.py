"""Activity tables: validation of the long form and reading of the wide energy balance.

Long form: one row per ``year, sector, category, item`` with ``quantity`` in ``unit`` (+
optional ``scope``, ``note``, ``uncertainty``). ``category`` is an IPCC 2006 category code
(``1.A.2``, ``3.A.1``, ``4.A`` ...); ``item`` a fuel, animal, crop or product in snake_case.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import units
from carbon.errors import InputError, UnitError
from carbon.schema import did_you_mean

REQUIRED = ["year", "sector", "category", "item", "quantity", "unit"]
OPTIONAL = ["scope", "note", "uncertainty"]
CATEGORY = re.compile(r"^[1-5](\.[A-H](\.\d+(\.[a-z](\.[ivx]+)?)?)?)?$")
UNIT_ROW_LABELS = ("unit", "units", "单位")
YEARS = (1900, 2100)
"""Plausible years of activity data."""
ELECTRIC_UNIT = re.compile(r"Wh$|千瓦时$|度$")
"""Units of electricity (kWh, 10^4 kWh, MWh, GWh, 万千瓦时): for electricity and heat only."""
ELECTRIC_ITEMS = ("electricity", "heat")


def _row(i: int) -> str:
    """The CSV line of a 0-based data row (line 1 is the header)."""
    return f"row {i + 2}"


def validate_activity(frame: pd.DataFrame, file: str | Path | None = None) -> pd.DataFrame:
    """Check a long-form activity table and return it with normalised dtypes.

    Raises :class:`InputError` naming the file, the row and the column for: missing columns,
    unknown columns, an empty table, a non-integer year, a malformed IPCC category, a missing,
    non-numeric or negative quantity, an unknown unit, a scope other than 1, 2 or 3, a relative
    uncertainty outside [0, 10], and duplicate rows.
    """
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        unknown = [str(c) for c in frame.columns if c not in REQUIRED + OPTIONAL]
        raise InputError(f"activity table lacks column {missing[0]!r}", file=file,
                         expected="columns " + ", ".join(REQUIRED) + " (+ optional " + ", ".join(OPTIONAL) + ")",
                         found=", ".join(map(str, frame.columns)) or "no columns",
                         hint=f"is column {unknown[0]!r} meant to be {missing[0]!r}?" if len(unknown) == 1 else None)
    extra = [c for c in frame.columns if c not in REQUIRED + OPTIONAL]
    if extra:
        raise InputError(f"unknown column {extra[0]!r} in activity table", file=file,
                         expected=", ".join(REQUIRED + OPTIONAL), hint=did_you_mean(extra[0], REQUIRED + OPTIONAL))
    if len(frame) == 0:
        raise InputError("activity table is empty", file=file, expected="at least one row of activity data",
                         found="a header and no rows")
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col in ("sector", "category", "item", "unit"):
        out[col] = _text(frame[col], col, file)
    out["year"] = _numbers(frame["year"], "year", file, integer=True)
    _plausible_years(out["year"], frame["year"], file)
    categories = out["category"].cat.categories
    ok = np.array([bool(CATEGORY.match(c)) for c in categories], dtype=bool)
    if not ok.all():
        bad_code = int(np.flatnonzero(~ok)[0])
        i = int(np.flatnonzero(out["category"].cat.codes.to_numpy() == bad_code)[0])
        raise InputError("not an IPCC 2006 category code", file=file, key=f"{_row(i)}, column category",
                         expected="a code such as 1.A.1, 1.A.3.b, 3.A.1, 4.A", found=categories[bad_code])
    quantity = _numbers(frame["quantity"], "quantity", file)
    negative = quantity < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise InputError("negative quantity", file=file, key=f"{_row(i)}, column quantity",
                         expected="a quantity >= 0", found=quantity[i])
    out["quantity"] = quantity
    for code, unit in enumerate(out["unit"].cat.categories):
        try:
            units.parse(unit)
        except UnitError as err:
            i = int(np.flatnonzero(out["unit"].cat.codes.to_numpy() == code)[0])
            raise err.at(file, f"{_row(i)}, column unit") from None
        if ELECTRIC_UNIT.search(unit):
            rows = np.flatnonzero((out["unit"].cat.codes.to_numpy() == code)
                                  & ~out["item"].isin(ELECTRIC_ITEMS).to_numpy())
            if len(rows):
                i = int(rows[0])
                raise UnitError(f"{unit!r} is a unit of electricity, not of {out['item'].iat[i]}", file=file,
                                key=f"{_row(i)}, column unit",
                                expected="a fuel in mass, volume or energy (t, 10^4 t, 10^4 m3, GJ, tce)",
                                found=unit, hint="kWh and MWh measure electricity and heat only")
    if "scope" in frame.columns:
        scope = frame["scope"].where(frame["scope"].notna() & (frame["scope"].astype("string").str.strip() != ""))
        values = pd.to_numeric(scope, errors="coerce")
        bad = (scope.notna() & ~values.isin([1, 2, 3])).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError("scope must be 1, 2 or 3", file=file, key=f"{_row(i)}, column scope",
                             expected="1, 2 or 3 (blank: 2 for electricity and heat, else 1)", found=frame["scope"].iat[i])
        out["scope"] = values.to_numpy()
    if "uncertainty" in frame.columns:
        u = pd.to_numeric(frame["uncertainty"], errors="coerce").to_numpy(dtype=float)
        bad = (frame["uncertainty"].notna().to_numpy() & ~((u >= 0) & (u <= 10)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError("uncertainty must be a relative half-width of the 95% interval",
                             file=file, key=f"{_row(i)}, column uncertainty",
                             expected="a number in [0, 10], e.g. 0.05 for +-5%", found=frame["uncertainty"].iat[i])
        out["uncertainty"] = u
    if "note" in frame.columns:
        out["note"] = frame["note"].astype("string").fillna("").to_numpy(dtype=object)
    key = ["year", "sector", "category", "item"] + (["scope"] if "scope" in out else [])
    dup = out.duplicated(key, keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        first = out.iloc[rows[0]]
        same = rows[(out.iloc[rows][key] == first[key]).all(axis=1).to_numpy()]
        raise InputError("duplicate activity rows", file=file, key=f"{_row(int(same[0]))} and {_row(int(same[1]))}",
                         expected="one row per year, sector, category and item (add them up)",
                         found=f"{first['year']}, {first['sector']}, {first['category']}, {first['item']} twice")
    return out


def _plausible_years(years: np.ndarray, raw: pd.Series, file) -> None:
    """Years must lie in :data:`YEARS` (a year of 1e30 would overflow, 1820 is a typo)."""
    bad = (years < YEARS[0]) | (years > YEARS[1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"year outside {YEARS[0]}-{YEARS[1]}", file=file, key=f"{_row(i)}, column year",
                         expected=f"a year from {YEARS[0]} to {YEARS[1]}", found=raw.iloc[i])


def _text(col: pd.Series, name: str, file) -> pd.Categorical:
    """A text column as a categorical of stripped strings; an empty cell is an error.

    Works on the distinct values only, so it stays fast on millions of rows."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    texts = np.array([str(u).strip() for u in uniques], dtype=object)
    empty = codes < 0
    if len(texts):
        empty |= (texts == "")[np.maximum(codes, 0)]
    if empty.any():
        raise InputError(f"empty {name}", file=file, key=f"{_row(int(np.flatnonzero(empty)[0]))}, column {name}",
                         expected=f"a {name}")
    merged, categories = pd.factorize(texts)
    return pd.Categorical.from_codes(merged[codes], categories=pd.Index(categories, dtype=object))


def _numbers(col: pd.Series, name: str, file, integer: bool = False) -> np.ndarray:
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if integer:
        bad |= np.isfinite(values) & (values != np.round(values))
        values = np.where(np.abs(values) < 1e6, values, -1.0)  # the range check reports it; no int64 overflow
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name} is not {'a whole number' if integer else 'a number'}", file=file,
                         key=f"{_row(i)}, column {name}", expected="a year such as 2020" if integer else "a number",
                         found=col.iloc[i] if pd.notna(col.iloc[i]) else "an empty cell")
    return values.astype(np.int64) if integer else values


def read_activity(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read an activity CSV, in long form or in the wide energy-balance layout (``year`` for a
    balance without a year column), and validate it."""
    path = Path(path)
    raw = read_csv(path)
    if _is_balance(raw):
        activity = validate_activity(balance_to_long(raw, year=year, file=path), path)
        activity.attrs["method"] = BALANCE_METHOD
        return activity
    return validate_activity(raw, path)


def read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV file, turning a missing or unreadable file into InputError."""
    try:
        if not path.is_file():
            raise InputError("file not found", file=path, expected="an existing CSV file")
        return pd.read_csv(path, dtype={"category": "category", "sector": "category", "item": "category",
                                        "unit": "category", "note": str},  # typed: memory near the file size
                           skipinitialspace=True, comment=None)
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", file=path, expected="a CSV table with a header row") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read CSV: {str(exc).strip()}", file=path) from None
    except OSError as exc:  # a name too long, no permission
        raise InputError(f"cannot read CSV: {exc.strerror or type(exc).__name__}", file=path,
                         expected="a readable CSV file") from None


def _is_balance(raw: pd.DataFrame) -> bool:
    return "item" not in raw.columns and len(raw) > 0 and str(raw.iloc[0, 0]).strip().lower() in UNIT_ROW_LABELS


def balance_to_long(raw: pd.DataFrame, year: int | None = None, file: str | Path | None = None) -> pd.DataFrame:
    """Turn the wide county energy balance (rows = sectors, columns = fuels, a units row) into long form.

    Layout: the first column names the sector, a ``category`` column gives its IPCC code, an
    optional ``year`` column the year (else ``year`` must be given); every other column is a
    fuel. The first data row is the units row, labelled ``unit`` (or 单位). Empty and zero
    cells are dropped.

    The full yearbook balance may be entered, with the sectoral approach applied as IPCC and
    CEADs do (:data:`BALANCE_METHOD`): rows whose category is ``total``, ``transformation`` or
    ``loss`` are not counted; in thermal power, CHP and heating supply rows (``1.A.1.a.i``,
    ``.ii``, ``.iii``) the inputs (positive cells) are burnt fuel and the outputs (negative) are
    dropped; a ``non_energy`` row is subtracted from the chemical industries (``1.A.2.c``) in
    proportion to their use, floored at zero.
    """
    sector_col = raw.columns[0]
    if "category" not in raw.columns:
        raise InputError("energy balance lacks a 'category' column", file=file,
                         expected="columns: sector, category, [year,] one column per fuel; first row: units")
    units_row = raw.iloc[0]
    body = raw.iloc[1:].reset_index(drop=True)
    fuels = [c for c in raw.columns if c not in (sector_col, "category", "year")]
    if not fuels:
        raise InputError("energy balance has no fuel columns", file=file, expected="one column per fuel")
    if year is None and "year" not in raw.columns:
        raise InputError("energy balance needs a year", file=file, expected="a 'year' column or a year argument")
    parts = []
    for fuel in fuels:
        unit = units_row[fuel]
        if pd.isna(unit) or not str(unit).strip():
            raise InputError(f"no unit for fuel column {fuel!r}", file=file, key="units row",
                             expected="a unit such as 10^4 t or 10^4 m3")
        cells = body[fuel].astype("string").str.strip().replace("", pd.NA)
        qty = pd.to_numeric(cells, errors="coerce")
        bad = cells.notna() & qty.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError("not a number", file=file, key=f"row {i + 3}, column {fuel}", found=body[fuel].iat[i])
        keep = qty.notna() & (qty != 0)
        parts.append(pd.DataFrame({
            "year": body.loc[keep, "year"] if "year" in body else year,
            "sector": body.loc[keep, sector_col].astype(str).str.strip(),
            "category": body.loc[keep, "category"].astype(str).str.strip(),
            "item": fuel.strip(),
            "quantity": qty[keep],
            "unit": str(unit).strip(),
        }))
    return _sectoral_approach(pd.concat(parts, ignore_index=True))


BALANCE_SKIP = ("total", "transformation", "loss")
COMBUSTION_INPUTS = ("1.A.1.a.i", "1.A.1.a.ii", "1.A.1.a.iii")
BALANCE_METHOD = ("energy balance read by the sectoral approach (IPCC 2006 Vol.2 Ch.1; CEADs): final consumption "
                  "by sector + fuel input to thermal power and heating supply (1.A.1.a.i/.iii, counted once in "
                  "1.A.1); coal washing, coking, refineries, gas works, briquetting, losses and total rows not "
                  "counted (their products are counted where burnt); non-energy use subtracted from the chemical "
                  "industries (1.A.2.c)")


def _sectoral_approach(long: pd.DataFrame) -> pd.DataFrame:
    """Apply the balance rules of :func:`balance_to_long` to its long form (see its docstring)."""
    cat = long["category"].str.lower()
    long = long[~cat.isin(BALANCE_SKIP) & ~(long["category"].isin(COMBUSTION_INPUTS) & (long["quantity"] < 0))]
    non_energy = long["category"].str.lower() == "non_energy"
    if non_energy.any():
        use = long[non_energy].groupby(["year", "item"])["quantity"].sum()
        long = long[~non_energy].copy()
        chem = long["category"] == "1.A.2.c"
        total = long[chem].groupby(["year", "item"])["quantity"].transform("sum")
        keys = pd.MultiIndex.from_frame(long.loc[chem, ["year", "item"]])
        subtract = use.reindex(keys).fillna(0.0).to_numpy()
        scale = np.clip(1.0 - subtract / total.to_numpy(), 0.0, None)
        long.loc[chem, "quantity"] = long.loc[chem, "quantity"].to_numpy() * scale
        long = long[long["quantity"] != 0]
    return long.reset_index(drop=True)
