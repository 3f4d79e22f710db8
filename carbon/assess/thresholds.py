"""The entry thresholds (低碳准入) per sector and product: ``carbon/data/entry_thresholds.csv``,
t CO2e (scope 1 + 2) per unit of output, with the source of every number."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from carbon.errors import InputError
from carbon.schema import did_you_mean
from carbon.units import UnitError, dimension, factor

FILE = Path(__file__).resolve().parents[1] / "data" / "entry_thresholds.csv"


@dataclass(frozen=True)
class Threshold:
    """The entry threshold and the advanced value of one product, t CO2e per ``output_unit``."""

    sector: str
    product: str
    output_unit: str
    threshold: float
    advanced: float
    illustrative: bool
    source: str


@lru_cache(maxsize=4)
def read_thresholds(path: str = str(FILE)) -> pd.DataFrame:
    """The thresholds table (one row per sector and product)."""
    return pd.read_csv(path, dtype={"sector": str, "product": str, "output_unit": str, "source": str})


def threshold_of(sector: str, product: str, table: pd.DataFrame | None = None) -> Threshold:
    """The row of ``sector`` and ``product``; an unknown one is an :class:`InputError`."""
    table = read_thresholds() if table is None else table
    if sector not in set(table["sector"]):
        raise InputError(
            f"unknown sector {sector!r}",
            key="sector",
            expected="a sector of carbon/data/entry_thresholds.csv: " + ", ".join(sorted(set(table["sector"]))),
            found=sector,
            hint=did_you_mean(sector, set(table["sector"])),
        )
    rows = table[(table["sector"] == sector) & (table["product"] == product)]
    if rows.empty:
        products = sorted(table.loc[table["sector"] == sector, "product"])
        raise InputError(
            f"unknown product {product!r} of sector {sector!r}",
            key="product",
            expected="one of " + ", ".join(products),
            found=product,
            hint=did_you_mean(product, products),
        )
    r = rows.iloc[0]
    return Threshold(
        sector,
        product,
        str(r["output_unit"]),
        float(r["threshold_t_per_unit"]),
        float(r["advanced_t_per_unit"]),
        bool(r["illustrative"]),
        str(r["source"]),
    )


def output_in(quantity: float, unit: str, threshold: Threshold) -> float:
    """The output converted to the threshold's unit; a unit of another kind is an :class:`InputError`."""
    try:
        return quantity * factor(unit, threshold.output_unit)
    except UnitError:
        raise InputError(
            f"the output unit {unit!r} is not a unit of {threshold.product}",
            key="output.unit",
            expected=f"a unit of {dimension(threshold.output_unit)} like {threshold.output_unit} "
            f"(the {threshold.sector} threshold is per {threshold.output_unit})",
            found=f"{unit} ({dimension(unit)})",
        ) from None
