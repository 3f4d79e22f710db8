"""The technology table: its attributes (one row each, as data) and the reader of
``technologies.csv``.

:data:`ATTRIBUTES` drives the defaults, the checks and the documentation of the columns.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.schema import did_you_mean

KINDS = ("generator", "storage", "grid_import", "grid_export")

# attribute, type, unit, default, description
ATTRIBUTES = pd.DataFrame(
    [
        ("name", "str", "", None, "unique name of the technology"),
        ("kind", "str", "", None, "generator, storage, grid_import or grid_export"),
        ("carrier", "str", "", "", "wind, solar, coal, biomass, waste, electricity, battery ..."),
        ("node", "str", "", "", "node it is connected to (blank = the default node)"),
        ("existing_mw", "float", "MW", 0.0, "capacity in place (no investment cost)"),
        (
            "existing_build_year",
            "float",
            "year",
            None,
            "year the existing capacity was built (retires after lifetime_years); blank = never retires",
        ),
        ("max_mw", "float", "MW", math.inf, "upper limit on total capacity (blank = unbounded)"),
        ("expandable", "bool", "", False, "whether new capacity may be built"),
        (
            "capex_cny_per_kw",
            "float",
            "CNY/kW",
            0.0,
            "overnight investment, annualised with the discount rate over lifetime_years",
        ),
        ("lifetime_years", "float", "yr", 25.0, "economic and technical lifetime"),
        (
            "annual_capex_cny_per_mw",
            "float",
            "CNY/(MW yr)",
            None,
            "annualised investment directly (replaces capex_cny_per_kw)",
        ),
        ("fom_cny_per_mw_year", "float", "CNY/(MW yr)", 0.0, "fixed O&M on total capacity"),
        (
            "vom_cny_per_mwh",
            "float",
            "CNY/MWh",
            0.0,
            "variable cost incl. fuel; import price; export revenue (positive)",
        ),
        (
            "price_profile",
            "str",
            "",
            "",
            "profiles.csv column of hourly CNY/MWh replacing vom_cny_per_mwh",
        ),
        ("co2_t_per_mwh", "float", "t/MWh", 0.0, "CO2 per MWh of output (imports: grid factor)"),
        ("profile", "str", "", "", "profiles.csv column of available output per MW (blank = 1)"),
        ("min_load", "float", "1", 0.0, "share of available capacity that must run"),
        (
            "capacity_credit",
            "float",
            "1",
            None,
            "firm share for the reserve margin (blank: 1 without profile, 0 with)",
        ),
        ("energy_capex_cny_per_kwh", "float", "CNY/kWh", 0.0, "storage energy investment"),
        (
            "annual_energy_capex_cny_per_mwh",
            "float",
            "CNY/(MWh yr)",
            None,
            "storage energy investment, annualised",
        ),
        ("existing_mwh", "float", "MWh", 0.0, "storage energy capacity in place"),
        ("efficiency_charge", "float", "1", 1.0, "storage charging efficiency"),
        ("efficiency_discharge", "float", "1", 1.0, "storage discharging efficiency"),
        ("standing_loss_per_hour", "float", "1/h", 0.0, "share of stored energy lost each hour"),
        ("energy_to_power_min", "float", "h", 0.0, "minimum MWh per MW of storage"),
        ("energy_to_power_max", "float", "h", math.inf, "maximum MWh per MW of storage"),
        ("source", "str", "", "", "where the numbers come from"),
    ],
    columns=["attribute", "type", "unit", "default", "description"],
).set_index("attribute")

_SHARES = (
    "min_load",
    "capacity_credit",
    "efficiency_charge",
    "efficiency_discharge",
    "standing_loss_per_hour",
)


def crf(rate: float, years: float) -> float:
    """Capital recovery factor: annual payment per unit of investment, 1/yr.

    ``crf = r (1+r)^n / ((1+r)^n - 1)``, or ``1/n`` when ``r = 0``.
    """
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


def read_technologies(path: Path) -> pd.DataFrame:
    """Read ``technologies.csv`` into a typed table indexed by name (defaults filled).

    Raises :class:`InputError` naming the file, row and column of any problem.
    """
    if not path.exists():
        raise InputError("file not found", file=path, expected="a technologies.csv table")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read CSV: {exc}", file=path) from None
    return normalise_technologies(raw, file=path)


def normalise_technologies(raw: pd.DataFrame, file: Path | str | None = None) -> pd.DataFrame:
    """Check and type a raw technology table (strings) and fill the defaults."""
    raw = raw.rename(columns=lambda c: str(c).strip())
    for column in raw.columns:
        if column not in ATTRIBUTES.index:
            raise InputError(
                f"unknown column {column!r}",
                file=file,
                key=f"column {column}",
                expected="one of: " + ", ".join(ATTRIBUTES.index),
                hint=did_you_mean(column, ATTRIBUTES.index),
            )
    for column in ("name", "kind"):
        if column not in raw.columns:
            raise InputError("required column is missing", file=file, key=f"column {column}", expected=column)
    table = pd.DataFrame(index=range(len(raw)))
    for attribute, row in ATTRIBUTES.iterrows():
        values = raw[attribute] if attribute in raw.columns else pd.Series([""] * len(raw))
        table[attribute] = [
            _parse(_text(v), attribute, row["type"], row["default"], file, i) for i, v in enumerate(values)
        ]
    for i, (name, kind) in enumerate(zip(table["name"], table["kind"])):
        if not name:
            raise InputError("technology without a name", file=file, key=f"row {i + 2}", expected="a name")
        if kind not in KINDS:
            raise InputError(
                f"unknown kind {kind!r}",
                file=file,
                key=f"row {i + 2} ({name}), column kind",
                expected=" | ".join(KINDS),
                found=kind,
                hint=did_you_mean(kind, KINDS),
            )
    duplicated = table["name"][table["name"].duplicated()]
    if len(duplicated):
        raise InputError("duplicate technology name", file=file, key="column name", found=duplicated.iloc[0])
    table = table.set_index("name", drop=False)
    check_technologies(table, file)
    return table


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _parse(text: str, attribute: str, kind: str, default, file, i: int):
    if text == "":
        return default if default is not None else (np.nan if kind == "float" else "")
    if kind == "str":
        return text
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise InputError(
            "not a true/false value",
            file=file,
            key=f"row {i + 2}, column {attribute}",
            expected="true or false",
            found=text,
        )
    try:
        return float(text)
    except ValueError:
        raise InputError(
            "not a number",
            file=file,
            key=f"row {i + 2}, column {attribute}",
            expected="a number",
            found=text,
        ) from None


def check_technologies(table: pd.DataFrame, file=None) -> None:
    """Named consistency checks on a typed technology table; raise :class:`InputError`."""
    for name, row in plain_rows(table).items():
        where = f"technology {name}"
        for column in (
            "existing_mw",
            "max_mw",
            "existing_mwh",
            "capex_cny_per_kw",
            "energy_capex_cny_per_kwh",
            "fom_cny_per_mw_year",
            "co2_t_per_mwh",
            "lifetime_years",
        ):
            if row[column] < 0:
                raise InputError(
                    f"negative {column}",
                    file=file,
                    key=f"{where}, column {column}",
                    expected="a number >= 0",
                    found=row[column],
                )
        for column in _SHARES:
            value = row[column]
            if not (isinstance(value, float) and math.isnan(value)) and not 0 <= value <= 1:
                raise InputError(
                    f"{column} out of range",
                    file=file,
                    key=f"{where}, column {column}",
                    expected="a share between 0 and 1",
                    found=value,
                )
        if row["kind"] == "storage" and (row["efficiency_charge"] <= 0 or row["efficiency_discharge"] <= 0):
            raise InputError(
                "storage efficiency must be positive",
                file=file,
                key=where,
                expected="0 < efficiency <= 1",
            )
        if row["max_mw"] < row["existing_mw"]:
            raise InputError(
                "max_mw below existing_mw",
                file=file,
                key=f"{where}, column max_mw",
                expected=f">= existing_mw ({row['existing_mw']})",
                found=row["max_mw"],
            )
        if row["energy_to_power_min"] > row["energy_to_power_max"]:
            raise InputError("energy_to_power_min above energy_to_power_max", file=file, key=where)
        if row["lifetime_years"] <= 0:
            raise InputError(
                "lifetime must be positive",
                file=file,
                key=f"{where}, column lifetime_years",
                found=row["lifetime_years"],
            )


def plain_rows(table: pd.DataFrame) -> dict[str, dict]:
    """``{technology: {column: value}}`` with Python scalars, as ``table.to_dict("index")``
    gives, built column by column (a Monte Carlo worker checks and reads every milestone's
    table of each sample; pandas' row-wise conversion was most of that time)."""
    columns = {c: table[c].tolist() for c in table.columns}
    return {name: {c: values[i] for c, values in columns.items()} for i, name in enumerate(table.index)}


def apply_overrides(table: pd.DataFrame, overrides: dict, file=None) -> pd.DataFrame:
    """Copy of ``table`` with ``{technology: {column: value}}`` applied (unknown names are errors)."""
    table = table.copy()
    for name, changes in overrides.items():
        if name not in table.index:
            raise InputError(
                f"unknown technology {name!r}",
                file=file,
                key=f"energy.technologies.{name}",
                expected="one of: " + ", ".join(table.index),
                hint=did_you_mean(name, table.index),
            )
        items = changes.model_dump(exclude_none=True) if hasattr(changes, "model_dump") else dict(changes)
        for column, value in items.items():
            if column not in ATTRIBUTES.index:
                raise InputError(
                    f"unknown column {column!r}",
                    file=file,
                    key=f"energy.technologies.{name}.{column}",
                    hint=did_you_mean(column, ATTRIBUTES.index),
                )
            table[column] = table[column].astype(object)
            table.at[name, column] = value
            if ATTRIBUTES.at[column, "type"] == "float":
                table[column] = table[column].astype(float)
            elif ATTRIBUTES.at[column, "type"] == "bool":
                table[column] = table[column].astype(bool)
    check_technologies(table, file)
    return table


def annual_capex(table: pd.DataFrame, discount_rate: float) -> tuple[pd.Series, pd.Series]:
    """Annualised investment per MW and per MWh of new capacity, CNY/(MW yr) and CNY/(MWh yr).

    ``annual = capex_cny_per_kw * 1000 * crf(r, lifetime)`` unless ``annual_capex_cny_per_mw``
    is given (likewise for storage energy).
    """
    factors = np.array([crf(discount_rate, n) for n in table["lifetime_years"]])
    per_mw = table["capex_cny_per_kw"].to_numpy() * 1000.0 * factors
    per_mw = np.where(table["annual_capex_cny_per_mw"].notna(), table["annual_capex_cny_per_mw"], per_mw)
    per_mwh = table["energy_capex_cny_per_kwh"].to_numpy() * 1000.0 * factors
    per_mwh = np.where(
        table["annual_energy_capex_cny_per_mwh"].notna(),
        table["annual_energy_capex_cny_per_mwh"],
        per_mwh,
    )
    return pd.Series(per_mw, index=table.index), pd.Series(per_mwh, index=table.index)
