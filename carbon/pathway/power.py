"""The power sector of a pathway, year by year.

A :class:`PowerPath` table has one row per year: ``demand_mwh`` (electricity used in the county),
``local_co2_t`` (emissions of local generation, scope 1, t CO2e), ``imports_mwh``,
``exports_mwh``, ``renewable_mwh`` (local renewable generation), ``local_fuel_tce`` (fossil fuel
of local generation), ``replaced_fuel_tce`` (the inventory's power-sector fuel that the path
replaces) and ``carbon_price_cny_per_t``. Without an energy model the path comes from the
inventory (:func:`power_from_inventory`); with one, from the coupling room
(:mod:`carbon.coupling.power`), which interpolates between milestones.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from carbon.pathway.text import text_mask

POWER_CATEGORY = "1.A.1"

COLUMNS = [
    "year",
    "demand_mwh",
    "local_co2_t",
    "imports_mwh",
    "exports_mwh",
    "renewable_mwh",
    "local_fuel_tce",
    "replaced_fuel_tce",
    "carbon_price_cny_per_t",
]


def is_power(category: pd.Series) -> pd.Series:
    """Rows of the power sector: category 1.A.1 or one under it (1.A.1.a; not 1.A.10)."""
    return text_mask(category, lambda c: c == POWER_CATEGORY or c.startswith(POWER_CATEGORY + "."))


@dataclass(frozen=True)
class PowerPath:
    """The power sector over the pathway's years (see the module docstring)."""

    table: pd.DataFrame
    milestones: list[int]


def power_from_inventory(
    emissions: pd.DataFrame, purchases_mwh: pd.Series, years: list[int], carbon_price: pd.Series
) -> PowerPath:
    """Without an energy model: the inventory's power-sector rows as they are projected (held at
    their base-year level), purchased electricity as imports, and no local renewable output."""
    power = emissions[~emissions["memo"] & is_power(emissions["category"])]
    local = power.groupby("year")["co2e_t"].sum().reindex(years, fill_value=0.0)
    table = pd.DataFrame(
        {
            "year": years,
            "demand_mwh": purchases_mwh.to_numpy(),
            "local_co2_t": local.to_numpy(),
            "imports_mwh": purchases_mwh.to_numpy(),
            "exports_mwh": 0.0,
            "renewable_mwh": 0.0,
            "local_fuel_tce": 0.0,
            "replaced_fuel_tce": 0.0,
            "carbon_price_cny_per_t": carbon_price.reindex(years).to_numpy(),
        }
    )
    return PowerPath(table[COLUMNS], [])
