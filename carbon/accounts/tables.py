"""Input tables of the accounts: reading and checking (one clear message per problem).

Every reader returns a DataFrame with the columns it documents; a missing file, a missing
column, an unknown entity, participant or methodology, a negative or non-numeric number, a
duplicate key raise :class:`~carbon.errors.InputError` naming the file, the row and the column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from carbon import units
from carbon.errors import InputError, UnitError
from carbon.schema import did_you_mean

DATA = Path(__file__).resolve().parent.parent / "data"
KINDS = ("firm", "public", "village", "household")

ENTITY_COLUMNS = ("entity", "name", "kind", "sector", "inventory_sector", "town")
ENTITY_OPTIONAL = ("category", "loan_10k_cny", "market_firm", "note")
ACTIVITY_COLUMNS = ("entity", "year", "category", "item", "quantity", "unit")
ACTIVITY_OPTIONAL = ("month", "sector", "note")
PRODUCTION_COLUMNS = ("entity", "year", "output", "output_unit", "value_added_10k_cny")
METERED_COLUMNS = ("entity", "timestamp", "kwh")
BENCHMARK_COLUMNS = ("sector", "basis", "benchmark", "unit", "source")
CREDIT_COLUMNS = ("grade", "rate_adjustment_bp", "credit_line_factor", "source")
METHOD_COLUMNS = (
    "methodology",
    "name_en",
    "name_zh",
    "unit",
    "baseline_t_per_unit",
    "baseline_kwh_per_unit",
    "project_t_per_unit",
    "project_kwh_per_unit",
    "discount",
    "source",
)
PARTICIPANT_COLUMNS = ("participant", "name", "kind", "town")
ACTION_COLUMNS = ("participant", "year", "methodology", "quantity", "unit")


def _row(i: int) -> str:
    return f"row {i + 2}"


def read(
    path: str | Path, required: tuple[str, ...], optional: tuple[str, ...] = (), what: str = "table"
) -> pd.DataFrame:
    """A CSV table with the ``required`` columns (and only those and ``optional`` ones, plus
    ``note``/``source``); :class:`InputError` if it is missing, unreadable, empty or has other columns."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} file not found", file=path, expected="an existing CSV file")
    try:
        frame = pd.read_csv(path, skipinitialspace=True, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError(f"{what} file is empty", file=path, expected="a CSV table with a header row") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the {what}: {str(exc).strip()}", file=path) from None
    known = (*required, *optional, "note", "source")
    for col in required:
        if col not in frame.columns:
            raise InputError(
                f"the {what} lacks column {col!r}",
                file=path,
                expected="columns " + ", ".join(required),
                found=", ".join(map(str, frame.columns)) or "no columns",
            )
    for col in frame.columns:
        if col not in known:
            raise InputError(
                f"unknown column {col!r} in the {what}",
                file=path,
                expected=", ".join(known),
                hint=did_you_mean(col, known),
            )
    if frame.empty:
        raise InputError(f"the {what} is empty", file=path, expected="at least one row", found="a header and no rows")
    return frame


def numbers(
    frame: pd.DataFrame,
    col: str,
    path,
    *,
    integer: bool = False,
    negative: bool = False,
    blank: float | None = None,
    what: str = "a number",
) -> np.ndarray:
    """Column ``col`` as floats; blanks take ``blank`` (None: a blank is an error)."""
    text = frame[col].astype(str).str.strip()
    values = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(dtype=float, copy=True)
    empty = (text == "").to_numpy()
    if blank is not None:
        values[empty] = blank
    check = ~empty if blank is not None else np.ones(len(values), dtype=bool)
    finite = np.isfinite(values)
    bad = check & ~finite
    if integer:
        bad |= check & finite & (values != np.floor(np.where(finite, values, 0.0)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"not {what}",
            file=path,
            key=f"{_row(i)}, column {col}",
            expected="an integer" if integer else "a finite number",
            found=text.iloc[i] or "blank",
        )
    if not negative:
        neg = check & (values < 0)
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise InputError(
                f"negative {col}", file=path, key=f"{_row(i)}, column {col}", expected=f"{col} >= 0", found=text.iloc[i]
            )
    return values


def _known(values: pd.Series, known, col: str, path, what: str) -> None:
    known = list(known)
    bad = ~values.isin(known)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"unknown {what} {values.iloc[i]!r}",
            file=path,
            key=f"{_row(i)}, column {col}",
            expected=f"one of the {what}s: " + ", ".join(map(str, known[:12])) + (" ..." if len(known) > 12 else ""),
            found=values.iloc[i],
            hint=did_you_mean(values.iloc[i], known),
        )


def _unique(frame: pd.DataFrame, cols: list[str], path, what: str) -> None:
    dup = frame.duplicated(cols)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"duplicate {what}",
            file=path,
            key=_row(i),
            expected=f"one row per {', '.join(cols)}",
            found=", ".join(str(frame.iloc[i][c]) for c in cols),
        )


def entities(path: str | Path) -> pd.DataFrame:
    """Entity table: ``entity, name, kind, sector, inventory_sector, town`` (+ ``category``, the
    IPCC category of metered electricity, default 1.A.2; ``loan_10k_cny``; ``market_firm``, the
    firm id in the quota market)."""
    frame = read(path, ENTITY_COLUMNS, ENTITY_OPTIONAL, "entity table")
    for col in ENTITY_COLUMNS:
        empty = frame[col].str.strip() == ""
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(f"blank {col}", file=path, key=f"{_row(i)}, column {col}", expected=f"a {col}")
    _unique(frame, ["entity"], path, "entity")
    _known(frame["kind"], KINDS, "kind", path, "entity kind")
    out = frame[list(ENTITY_COLUMNS)].copy()
    out["category"] = frame["category"].replace("", "1.A.2") if "category" in frame else "1.A.2"
    out["loan_10k_cny"] = numbers(frame, "loan_10k_cny", path, blank=0.0) if "loan_10k_cny" in frame else 0.0
    out["market_firm"] = frame["market_firm"].str.strip() if "market_firm" in frame else ""
    firm = out["market_firm"]
    dup = (firm != "") & firm.duplicated() if "market_firm" in frame else pd.Series(False, index=out.index)
    if dup.any():  # one market firm's allowances and credits would count in two accounts
        i = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((firm == firm.iloc[i]).to_numpy())[0])
        raise InputError(
            f"market firm {firm.iloc[i]!r} is linked to two entities",
            file=path,
            key=f"{_row(i)}, column market_firm",
            expected="each market firm in one entity at most",
            found=f"{firm.iloc[i]} for entity {out['entity'].iloc[i]} and, {_row(first)}, entity {out['entity'].iloc[first]}",
        )
    return out


def activity(path: str | Path, known: pd.DataFrame) -> pd.DataFrame:
    """Activity per entity in file order: ``entity, year, month, sector, category, item,
    quantity, unit`` (``sector``: the row's, else the entity's inventory sector; ``month`` 0 for
    a yearly row; monthly rows are accounted one by one and add up to the year)."""
    frame = read(path, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL, "entity activity table")
    _known(frame["entity"], known["entity"], "entity", path, "entity")
    out = pd.DataFrame({"entity": frame["entity"]})
    out["year"] = numbers(frame, "year", path, integer=True).astype(int)
    month = numbers(frame, "month", path, integer=True, blank=0.0).astype(int) if "month" in frame else 0
    out["month"] = month
    bad = (out["month"] < 0) | (out["month"] > 12)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "month out of range",
            file=path,
            key=f"{_row(i)}, column month",
            expected="1 to 12, or blank",
            found=int(out["month"].iloc[i]),
        )
    sector = frame["entity"].map(dict(zip(known["entity"], known["inventory_sector"])))
    if "sector" in frame:  # a row's own inventory sector (a kiln's process CO2 in ippu)
        sector = frame["sector"].str.strip().where(frame["sector"].str.strip() != "", sector)
    out["sector"] = sector
    for col in ("category", "item", "unit"):
        out[col] = frame[col].str.strip()
    out["quantity"] = numbers(frame, "quantity", path)
    _unique(out, ["entity", "year", "month", "category", "item"], path, "activity row")
    monthly = out[out["month"] > 0].groupby(["entity", "year", "category", "item"]).size()
    yearly = out[out["month"] == 0].set_index(["entity", "year", "category", "item"]).index
    both = [k for k in monthly.index if k in yearly]
    if both:
        raise InputError(
            "an item is given both by month and for the year",
            file=path,
            expected="monthly rows or one yearly row per entity, year, category and item",
            found=", ".join(map(str, both[0])),
        )
    return out


def production(path: str | Path | None, known: pd.DataFrame) -> pd.DataFrame:
    """Output and value added: ``entity, year, output, output_unit, value_added_10k_cny``."""
    cols = ["entity", "year", "output", "output_unit", "value_added_10k_cny"]
    if path is None:
        return pd.DataFrame(columns=cols)
    frame = read(path, PRODUCTION_COLUMNS, (), "production table")
    _known(frame["entity"], known["entity"], "entity", path, "entity")
    out = pd.DataFrame({"entity": frame["entity"], "year": numbers(frame, "year", path, integer=True).astype(int)})
    out["output"] = numbers(frame, "output", path, blank=np.nan)
    out["output_unit"] = frame["output_unit"]
    out["value_added_10k_cny"] = numbers(frame, "value_added_10k_cny", path, blank=np.nan)
    _unique(out, ["entity", "year"], path, "production row")
    return out


def metered(path: str | Path | None, known: pd.DataFrame) -> pd.DataFrame:
    """Metered electricity summed to clock hours: ``entity, year, hour`` (hour of the year, 0 =
    1 January 00:00), ``kwh``. Readings are hourly or 15-minute, one interval per entity; a
    duplicate or missing reading between an entity's first and last, a negative reading or a
    timestamp off the interval is an :class:`InputError`."""
    cols = ["entity", "year", "hour", "kwh"]
    if path is None:
        return pd.DataFrame(columns=cols)
    frame = read(path, METERED_COLUMNS, (), "metered electricity table")
    _known(frame["entity"], known["entity"], "entity", path, "entity")
    stamps = pd.to_datetime(frame["timestamp"].str.strip(), errors="coerce", format="mixed")
    if stamps.isna().any():
        i = int(np.flatnonzero(stamps.isna().to_numpy())[0])
        raise InputError(
            "not a timestamp",
            file=path,
            key=f"{_row(i)}, column timestamp",
            expected="a local time such as 2020-01-01 00:00 or 2020-01-01T00:15",
            found=frame["timestamp"].iloc[i],
        )
    kwh = numbers(frame, "kwh", path, negative=True)
    if (kwh < 0).any():
        i = int(np.flatnonzero(kwh < 0)[0])
        raise InputError(
            "negative metered reading",
            file=path,
            key=f"{_row(i)}, column kwh",
            expected="a reading >= 0 kWh (export is not a purchase)",
            found=frame["kwh"].iloc[i],
        )
    data = pd.DataFrame({"entity": frame["entity"], "stamp": stamps, "kwh": kwh, "row": np.arange(len(frame))})
    parts = []
    for entity, group in data.groupby("entity", sort=True):
        group = group.sort_values("stamp", kind="stable")
        dup = group["stamp"].duplicated()
        if dup.any():
            r = int(group["row"][dup].iloc[0])
            raise InputError(
                "duplicate metered reading",
                file=path,
                key=f"{_row(r)}, column timestamp",
                expected=f"one reading per interval for entity {entity}",
                found=str(group["stamp"][dup].iloc[0]),
            )
        steps = group["stamp"].diff().dropna().dt.total_seconds() / 60.0
        interval = 60.0 if steps.empty else float(steps.min())
        if interval not in (15.0, 60.0):
            r = int(group["row"].iloc[int(np.argmin(steps.to_numpy())) + 1])
            raise InputError(
                "metered interval is neither 15 minutes nor an hour",
                file=path,
                key=f"{_row(r)}, column timestamp",
                expected="hourly or 15-minute readings",
                found=f"{interval:g} minutes",
            )
        gap = steps > interval
        if gap.any():
            k = int(np.flatnonzero(gap.to_numpy())[0])
            before, after = group["stamp"].iloc[k], group["stamp"].iloc[k + 1]
            raise InputError(
                "gap in metered readings",
                file=path,
                key=f"{_row(int(group['row'].iloc[k + 1]))}, column timestamp",
                expected=f"a reading every {interval:g} minutes for entity {entity}",
                found=f"nothing between {before} and {after}",
            )
        off = group["stamp"].dt.minute % int(interval) != 0 if interval < 60 else group["stamp"].dt.minute != 0
        if off.any():
            r = int(group["row"][off].iloc[0])
            raise InputError(
                "metered timestamp off the interval",
                file=path,
                key=f"{_row(r)}, column timestamp",
                expected=f"readings on the {interval:g}-minute mark",
                found=str(group["stamp"][off].iloc[0]),
            )
        hour = group["stamp"].dt.floor("h")
        if interval < 60:  # every hour needs its four quarters
            counts = group.groupby(hour)["kwh"].size()
            partial = counts[counts != 4]
            first, last = hour.iloc[0], hour.iloc[-1]
            partial = partial[(partial.index != first) & (partial.index != last)] if len(counts) > 2 else partial
            if len(partial):
                raise InputError(
                    "incomplete metered hour",
                    file=path,
                    expected="four 15-minute readings per hour",
                    found=f"{int(partial.iloc[0])} readings in {partial.index[0]} for entity {entity}",
                )
        sums = group.groupby(hour, sort=True)["kwh"].sum()
        years = sums.index.year
        start = pd.to_datetime(pd.Series(years, index=sums.index).astype(str) + "-01-01")
        parts.append(
            pd.DataFrame(
                {
                    "entity": entity,
                    "year": years.astype(int),
                    "hour": ((sums.index - start.to_numpy()) / pd.Timedelta(hours=1)).astype(int),
                    "kwh": sums.to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[cols]


def benchmarks(path: str | Path | None) -> pd.DataFrame:
    """Sector benchmarks: ``sector, basis, benchmark, unit, source`` (basis ``value_added``: t
    CO2e per 10^4 CNY; ``output``: t CO2e per unit of output)."""
    path = path or DATA / "accounts_benchmarks.csv"
    frame = read(path, BENCHMARK_COLUMNS, (), "benchmark table")
    _known(frame["basis"], ("value_added", "output"), "basis", path, "basis")
    frame["benchmark"] = numbers(frame, "benchmark", path)
    if (frame["benchmark"] <= 0).any():
        i = int(np.flatnonzero((frame["benchmark"] <= 0).to_numpy())[0])
        raise InputError("a benchmark must be positive", file=path, key=f"{_row(i)}, column benchmark", found=0)
    _unique(frame, ["sector", "basis"], path, "benchmark")
    return frame


def green_credit(path: str | Path | None, grades: tuple[str, ...]) -> pd.DataFrame:
    """Green-credit table: ``grade, rate_adjustment_bp, credit_line_factor, source``."""
    path = path or DATA / "accounts_green_credit.csv"
    frame = read(path, CREDIT_COLUMNS, (), "green-credit table")
    _known(frame["grade"], grades, "grade", path, "grade")
    frame["rate_adjustment_bp"] = numbers(frame, "rate_adjustment_bp", path, negative=True)
    frame["credit_line_factor"] = numbers(frame, "credit_line_factor", path)
    _unique(frame, ["grade"], path, "grade")
    return frame


def methodologies(path: str | Path | None) -> pd.DataFrame:
    """Carbon-inclusive methodologies (see :mod:`carbon.accounts.inclusive`)."""
    path = path or DATA / "accounts_methodologies.csv"
    frame = read(path, METHOD_COLUMNS, (), "methodology table")
    for col in ("baseline_t_per_unit", "baseline_kwh_per_unit", "project_t_per_unit", "project_kwh_per_unit"):
        frame[col] = numbers(frame, col, path, blank=0.0)
    frame["discount"] = numbers(frame, "discount", path)
    if (frame["discount"] >= 1).any():
        i = int(np.flatnonzero((frame["discount"] >= 1).to_numpy())[0])
        raise InputError(
            "a discount is a share below 1",
            file=path,
            key=f"{_row(i)}, column discount",
            found=frame["discount"].iloc[i],
        )
    for i, unit in enumerate(frame["unit"]):
        try:
            units.parse(unit)
        except UnitError as err:
            raise InputError(
                err.message, file=path, key=f"{_row(i)}, column unit", expected=err.expected, found=unit
            ) from None
    _unique(frame, ["methodology"], path, "methodology")
    return frame


def participants(path: str | Path, known: pd.DataFrame | None = None) -> pd.DataFrame:
    """Carbon-inclusive participants: ``participant, name, kind, town`` (+ ``entity``: the account
    the participant's credits show in, e.g. a village's; a non-blank entity not in ``known``, the
    entity table, is an :class:`InputError`)."""
    frame = read(path, PARTICIPANT_COLUMNS, ("entity",), "participant table")
    _unique(frame, ["participant"], path, "participant")
    if "entity" not in frame:
        frame["entity"] = ""
    frame["entity"] = frame["entity"].str.strip()
    if known is not None:
        linked = frame["entity"] != ""
        if linked.any():
            names = frame["entity"].where(linked, known["entity"].iloc[0] if len(known) else "")
            _known(names, known["entity"], "entity", path, "entity")
    return frame


def actions(path: str | Path, known: pd.DataFrame, methods: pd.DataFrame) -> pd.DataFrame:
    """Low-carbon actions: ``participant, year, methodology, quantity, unit``; the quantity in the
    methodology's unit in ``quantity_m`` (an unknown participant or methodology, a unit of the
    wrong kind: :class:`InputError`)."""
    frame = read(path, ACTION_COLUMNS, (), "action table")
    _known(frame["participant"], known["participant"], "participant", path, "participant")
    _known(frame["methodology"], methods["methodology"], "methodology", path, "methodology")
    out = frame[list(ACTION_COLUMNS)].copy()
    out["year"] = numbers(frame, "year", path, integer=True).astype(int)
    out["quantity"] = numbers(frame, "quantity", path)
    unit_of = dict(zip(methods["methodology"], methods["unit"]))
    scale = []
    for i, (m, u) in enumerate(zip(out["methodology"], out["unit"])):
        try:
            scale.append(units.factor(u, unit_of[m]))
        except UnitError:
            raise InputError(
                f"unit {u!r} is of the wrong kind for methodology {m}",
                file=path,
                key=f"{_row(i)}, column unit",
                expected=f"a unit convertible to {unit_of[m]}",
                found=u,
            ) from None
    out["quantity_m"] = out["quantity"] * np.array(scale)
    _unique(out, ["participant", "year", "methodology"], path, "action")
    return out
