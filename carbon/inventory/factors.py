"""Emission factor sets and GWP sets: loading, layering and lookup.

A factor table has the columns ``factor, item, category, value, unit, source`` and the
optional ``biogenic`` and ``uncertainty``. ``factor`` is ``ncv`` or ``tce`` (energy per
physical unit), ``co2``/``ch4``/``n2o`` (per unit of energy for fuels, per unit of activity
otherwise) or ``oxidation`` (fraction). A blank ``category`` applies to every IPCC category;
a code applies to that category and its sub-categories; the most specific row wins.

Sets are layered: ``china`` is ``ipcc2006`` with its own rows in place of the IPCC ones; ``ceads``
is ``china`` with the CO2 factors that reproduce the CEADs inventories (per physical unit, oxidation
by sector included; calorific values stay ``china``'s); a user's factor file is layered on top of the chosen set in the same way. Rows replace rows with
the same key (factor, item, category; for ``ncv``/``tce`` also the physical dimension they
convert, so a volumetric calorific value does not remove a mass-based one).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import units
from carbon.errors import InputError, UnitError
from carbon.schema import did_you_mean

FACTOR_KINDS = ("ncv", "tce", "co2", "ch4", "n2o", "oxidation")
GASES = ("co2", "ch4", "n2o")
FACTOR_SETS = {"ipcc2006": ("factors_ipcc2006.csv",), "china": ("factors_ipcc2006.csv", "factors_china.csv"),
               "ceads": ("factors_ipcc2006.csv", "factors_china.csv", "factors_ceads.csv")}
GWP_SETS = ("SAR", "AR4", "AR5", "AR6", "AR6-split")
REQUIRED = ["factor", "item", "category", "value", "unit", "source"]
ENERGY_ITEMS_SCOPE2 = ("electricity", "heat")


def _data_file(name: str) -> pd.DataFrame:
    with resources.files("carbon.data").joinpath(name).open("rb") as fh:
        return pd.read_csv(fh, dtype={"category": str}, keep_default_na=False, na_values={"value": [""]})


def _check_table(table: pd.DataFrame, file: str) -> pd.DataFrame:
    """Validate a factor table and normalise its columns; raise InputError naming the row."""
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise InputError(
            "factor file lacks columns",
            file=file,
            expected="columns " + ", ".join(REQUIRED) + " (+ optional biogenic, uncertainty)",
            found=", ".join(map(str, table.columns)),
        )
    known = set(REQUIRED) | {"biogenic", "uncertainty"}
    extra = [c for c in table.columns if c not in known]
    if extra:
        raise InputError(f"unknown column {extra[0]!r}", file=file, expected=", ".join(sorted(known)),
                         hint=did_you_mean(extra[0], known))
    table = table.copy()
    for col in ("factor", "item", "category", "unit", "source"):
        table[col] = table[col].fillna("").astype(str).str.strip()
    table["value"] = pd.to_numeric(table["value"], errors="coerce")
    table["biogenic"] = _booleans(table["biogenic"], file) if "biogenic" in table else False
    table["uncertainty"] = (pd.to_numeric(table["uncertainty"], errors="coerce")
                            if "uncertainty" in table else np.nan)
    for i, row in enumerate(table.itertuples(index=False), start=2):
        where = f"row {i}"
        if row.factor not in FACTOR_KINDS:
            raise InputError(f"unknown factor {row.factor!r}", file=file, key=where,
                             expected="one of " + ", ".join(FACTOR_KINDS), found=row.factor,
                             hint=did_you_mean(row.factor, FACTOR_KINDS))
        if not row.item:
            raise InputError("empty item", file=file, key=where, expected="a fuel, animal, crop or product name")
        if not np.isfinite(row.value) or row.value < 0:
            raise InputError("factor value must be a number >= 0", file=file, key=where,
                             expected="a number >= 0", found=row.value)
        if not row.source:
            raise InputError("every factor needs its source", file=file, key=where,
                             expected="the document and table the value comes from", found="an empty source")
        try:
            dim = units.dimension(row.unit)
        except UnitError as err:
            raise err.at(file, where) from None
        _check_factor_unit(row.factor, row.unit, dim, file, where)
    table["key_dim"] = [
        units.dimension(u).split("/")[-1] if f in ("ncv", "tce") else "" for f, u in zip(table.factor, table.unit)
    ]
    return table


def _check_factor_unit(kind: str, unit: str, dim: str, file: str, where: str) -> None:
    if kind == "oxidation":
        ok, expected = dim == "dimensionless", "fraction (or %)"
    elif kind in ("ncv", "tce"):
        ok = dim.startswith("energy/")
        expected = "energy per physical unit, e.g. GJ/t, TJ/Gg, GJ/10^4 m3, tce/t, kgce/kWh"
    else:
        ok, expected = dim.startswith("mass/"), "mass per unit of energy or activity, e.g. kg/TJ, t/MWh, kg/head"
    if not ok:
        raise InputError(f"unit {unit!r} does not fit factor {kind!r}", file=file, key=where,
                         expected=expected, found=f"{unit} ({dim})")


def _booleans(col: pd.Series, file: str) -> pd.Series:
    text = col.fillna("").astype(str).str.strip().str.lower()
    mapping = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}
    bad = ~text.isin(list(mapping))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("biogenic must be true or false", file=file, key=f"row {i + 2}",
                         expected="true or false", found=col.iloc[i])
    return text.map(mapping).astype(bool)


def _layer(base: pd.DataFrame, top: pd.DataFrame) -> pd.DataFrame:
    key = ["factor", "item", "category", "key_dim"]
    merged = pd.concat([base, top], ignore_index=True)
    return merged.drop_duplicates(key, keep="last").reset_index(drop=True)


@lru_cache(maxsize=8)
def _builtin(name: str) -> pd.DataFrame:
    tables = [_check_table(_data_file(f), f"carbon/data/{f}") for f in FACTOR_SETS[name]]
    out = tables[0]
    for t in tables[1:]:
        out = _layer(out, t)
    return out


def read_factor_file(path: str | Path) -> pd.DataFrame:
    """Read and validate a user factor CSV (same columns as the bundled sets)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("factor file not found", file=path, expected="an existing CSV file")
    try:
        table = pd.read_csv(path, dtype={"category": str}, keep_default_na=False, na_values={"value": [""]})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read CSV: {exc}", file=path) from None
    return _check_table(table, str(path))


@dataclass(frozen=True)
class FactorSet:
    """A resolved factor table: the named set with the user's rows on top."""

    name: str
    table: pd.DataFrame
    user_file: str | None = None


def load_factor_set(name: str, user: pd.DataFrame | None = None, user_file: str | None = None,
                    climate: pd.DataFrame | None = None) -> FactorSet:
    """The named factor set (``ipcc2006``, ``china`` or ``ceads``), then the rows the model's
    climate selects (:func:`carbon.inventory.climate.climate_rows`), then a user table on top."""
    if name not in FACTOR_SETS:
        raise InputError(f"unknown factor set {name!r}", key="inventory.factors",
                         expected="one of " + ", ".join(FACTOR_SETS), found=name,
                         hint=did_you_mean(name, FACTOR_SETS))
    table = _builtin(name)
    if climate is not None and not climate.empty:
        table = _layer(table, _check_table(climate, "the model's climate (carbon/inventory/climate.py)"))
    if user is not None:
        table = _layer(table, user)
    return FactorSet(name, table, user_file)


@lru_cache(maxsize=1)
def gwp_table() -> pd.DataFrame:
    """The bundled GWP sets (100-year), columns ``set, gas, value, source``."""
    return _data_file("gwp.csv")


def gwp_values(name: str) -> dict[str, float]:
    """GWP of each gas in a set; AR6-split has ``ch4_fossil`` and ``ch4_biogenic``."""
    table = gwp_table()
    if name not in GWP_SETS:
        raise InputError(f"unknown GWP set {name!r}", key="inventory.gwp", expected="one of " + ", ".join(GWP_SETS),
                         found=name, hint=did_you_mean(name, GWP_SETS))
    rows = table[table["set"] == name]
    return dict(zip(rows["gas"], rows["value"].astype(float)))


def category_matches(row_category: str, category: str) -> bool:
    """Whether a factor row's category applies to an activity category (blank = all)."""
    return row_category == "" or category == row_category or category.startswith(row_category + ".")
