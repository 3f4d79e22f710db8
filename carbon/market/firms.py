"""Reading covered firms: a list in the market file, or a CSV with one row per firm
(or per firm and period, with a ``period`` column)."""

from __future__ import annotations

import math
from pathlib import Path

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
    "cooling_factor",
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


def read_firms_csv(path: Path, periods: list[int]) -> list[FirmSection]:
    """Read firms from a CSV file; per-period fields become lists ordered by ``periods``.

    Raises :class:`InputError` for a missing file, an unknown column, a period not in the
    market, a firm missing a period, or a bad value (naming the row).
    """
    try:
        table = pd.read_csv(
            path, dtype={"id": str, "sector": str, "unit_type": str}, keep_default_na=True
        )
    except FileNotFoundError:
        raise InputError(
            "firms file not found", file=path, expected="a CSV file of firms"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the firms CSV: {exc}", file=path) from None
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
        index = {p: k for k, p in enumerate(periods)}
        for row, period in enumerate(table["period"], start=2):
            if period not in index:
                raise InputError(
                    f"period {period} is not a period of the market",
                    file=path,
                    key=f"row {row}",
                    expected=f"one of {periods}",
                    found=period,
                )
        for firm_id, group in table.groupby("id", sort=False):
            rows = group.index.to_numpy() + 2
            if sorted(group["period"]) != list(periods):
                raise InputError(
                    f"firm {firm_id!r} does not have exactly one row per period",
                    file=path,
                    key=f"rows {list(rows)}",
                    expected=str(periods),
                    found=sorted(group["period"].tolist()),
                )
            group = group.sort_values("period")
            record = {}
            for column in group.columns:
                if column == "period":
                    continue
                values = [_clean(v) for v in group[column]]
                if column in PER_PERIOD:
                    if all(v is None for v in values):
                        continue
                    if any(v is None for v in values):
                        raise InputError(
                            f"column {column!r} is empty in some periods of firm {firm_id!r}",
                            file=path,
                            key=f"rows {list(rows)}",
                        )
                    record[column] = values
                else:
                    distinct = {v for v in values if v is not None}
                    if len(distinct) > 1:
                        raise InputError(
                            f"column {column!r} differs between periods of firm {firm_id!r}",
                            file=path,
                            key=f"rows {list(rows)}",
                            expected="one value",
                            found=sorted(map(str, distinct)),
                        )
                    if distinct:
                        record[column] = distinct.pop()
            records.append((int(rows[0]), record))
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
        if "load_factor_correction" in record:
            record["load_factor_correction"] = str(record["load_factor_correction"]).lower() in (
                "1",
                "true",
                "yes",
            )
        firms.append(validate(FirmSection, record, file=path, prefix=f"row {row}"))
    seen: set[str] = set()
    for firm in firms:
        if firm.id in seen:
            raise InputError(
                f"firm id {firm.id!r} appears twice", file=path, key="id", found=firm.id
            )
        seen.add(firm.id)
    return firms
