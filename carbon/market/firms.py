"""Reading covered firms: a list in the market file, or a CSV with one row per firm
(or per firm and period, with a ``period`` column)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.market.schema import FirmSection
from carbon.schema import did_you_mean, validate

PER_PERIOD = (
    "baseline",
    "allocation",
    "output",
    "intensity",
    "power_supply_mwh",
    "power_generation_mwh",
    "heat_supply_gj",
    "load_factor",
    "mac_slope",
    "mac_intercept",
)
SCALAR = (
    "id",
    "sector",
    "historical",
    "obligation",
    "gap_share",
    "unit_type",
    "cooling",
    "cooling_factor",
    "heat_ratio",
    "heat_factor",
    "load_factor_correction",
    "mac_curve",
)
COLUMNS = ("period",) + SCALAR + PER_PERIOD


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _clean(value):
    if _empty(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def _per_period_records(table: pd.DataFrame, periods: list[int], path: Path) -> list[tuple[int, dict]]:
    """One record per firm from rows per firm and period (vectorised with pandas)."""
    first_row = table.reset_index().groupby("id", sort=False)["index"].min() + 2
    counts = table.groupby(["id", "period"], sort=False).size()
    per_firm = table.groupby("id", sort=False)["period"].nunique()
    bad = per_firm[per_firm != len(periods)].index.tolist() + counts[counts > 1].index.get_level_values(0).tolist()
    if bad:
        firm_id = bad[0]
        rows = (table.index[table["id"] == firm_id] + 2).tolist()
        raise InputError(
            f"firm {firm_id!r} does not have exactly one row per period",
            file=path,
            key=f"rows {rows}",
            expected=str(periods),
            found=sorted(table.loc[table["id"] == firm_id, "period"].tolist()),
        )
    ids = first_row.index
    columns: dict[str, list] = {}
    for column in table.columns:
        if column in ("id", "period"):
            continue
        if column in PER_PERIOD:
            wide = table.pivot(index="id", columns="period", values=column).reindex(index=ids, columns=periods)
            empty = wide.isna()
            partly = empty.any(axis=1) & ~empty.all(axis=1)
            if partly.any():
                firm_id = partly[partly].index[0]
                raise InputError(
                    f"column {column!r} is empty in some periods of firm {firm_id!r}",
                    file=path,
                    key=f"rows of firm {firm_id!r}",
                )
            values = wide.to_numpy(dtype=float).tolist()
            columns[column] = [None if e else v for v, e in zip(values, empty.all(axis=1))]
        else:
            distinct = table.groupby("id", sort=False)[column].nunique(dropna=True).reindex(ids)
            if (distinct > 1).any():
                firm_id = distinct[distinct > 1].index[0]
                raise InputError(
                    f"column {column!r} differs between periods of firm {firm_id!r}",
                    file=path,
                    key=f"rows of firm {firm_id!r}",
                    expected="one value",
                    found=sorted(map(str, table.loc[table["id"] == firm_id, column].dropna().unique())),
                )
            firstvalid = table.groupby("id", sort=False)[column].first().reindex(ids)
            columns[column] = [_clean(v) for v in firstvalid.tolist()]
    records = []
    for k, firm_id in enumerate(ids):
        record = {"id": firm_id}
        for column, values in columns.items():
            if values[k] is not None:
                record[column] = values[k]
        records.append((int(first_row.iloc[k]), record))
    return records


def read_firms_csv(path: Path, periods: list[int]) -> list[FirmSection]:
    """Read firms from a CSV file; per-period fields become lists ordered by ``periods``.

    Raises :class:`InputError` for a missing file, an unknown column, a period not in the
    market, a firm missing a period, or a bad value (naming the row).
    """
    try:
        table = pd.read_csv(path, dtype={"id": str, "sector": str, "unit_type": str}, keep_default_na=True)
    except FileNotFoundError:
        raise InputError("firms file not found", file=path, expected="a CSV file of firms") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the firms CSV: {exc}", file=path) from None
    except OSError as exc:  # a folder, a name too long, no permission
        raise InputError(
            f"cannot read the firms CSV: {exc.strerror or type(exc).__name__}",
            file=path,
            expected="a CSV file of firms",
        ) from None
    for column in table.columns:
        if column not in COLUMNS:
            raise InputError(
                f"unknown column {column!r}",
                file=path,
                expected="columns among: " + ", ".join(COLUMNS),
                hint=did_you_mean(column, COLUMNS),
            )
    if "id" not in table.columns:
        raise InputError("the firms CSV has no 'id' column", file=path, expected="an 'id' column")
    records: list[dict] = []
    if "period" in table.columns:
        outside = np.nonzero(~table["period"].isin(periods).to_numpy())[0]
        if len(outside):
            row = int(outside[0])
            raise InputError(
                f"period {table['period'].iloc[row]} is not a period of the market",
                file=path,
                key=f"row {row + 2}",
                expected=f"one of {periods}",
                found=table["period"].iloc[row],
            )
        records.extend(_per_period_records(table, periods, path))
    else:
        for row, values in enumerate(table.to_dict("records"), start=2):
            records.append((row, {k: _clean(v) for k, v in values.items() if not _empty(v)}))
    firms = []
    for row, record in records:
        mac = {}
        if "mac_slope" in record:
            mac["slope"] = record.pop("mac_slope")
        if "mac_intercept" in record:
            mac["intercept"] = record.pop("mac_intercept")
        if "mac_curve" in record:
            mac["curve"] = str(Path(path).parent / str(record.pop("mac_curve")))
        if mac:
            record["mac"] = mac
        if "id" in record:
            record["id"] = str(record["id"])
        firms.append(validate(FirmSection, record, file=path, prefix=f"row {row}"))
    return firms
