"""Scope 1 and 2 of entities from their accounted activity, and the rest of the county.

The inventory accounts each entity's activity rows with the county's factor and GWP sets (the
stage does that); here the accounted rows are summed per entity, and the county inventory
minus the sum of the entities gives the ``rest of county`` per year, sector, category, item and
gas, so that entities + rest = county by construction. An entity total above the county's for
any such key (more coal in the firms than in the county) is an :class:`InputError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.errors import InputError

KEY = ["year", "sector", "category", "item", "gas"]
REST = "rest_of_county"
"""The entity name of what the county emits outside the accounts."""
TOLERANCE = 1e-9
"""Relative tolerance of the entity-within-county check and of the reconciliation."""


def with_entities(emissions: pd.DataFrame, entity_of_row: np.ndarray | pd.Series) -> pd.DataFrame:
    """The inventory's emission rows (memo items dropped) with the ``entity`` of their activity row."""
    frame = emissions[~emissions["memo"].to_numpy(dtype=bool)].copy()
    frame.insert(0, "entity", np.asarray(entity_of_row)[frame["row"].to_numpy()])
    for col in ("sector", "category", "item", "gas"):
        frame[col] = frame[col].astype(str)
    return frame


def by_fuel_and_gas(frame: pd.DataFrame) -> pd.DataFrame:
    """Emissions per ``entity, year, scope, category, item, gas``: ``emissions_t`` (mass of the
    gas) and ``co2e_t``."""
    cols = ["entity", "year", "scope", "category", "item", "gas"]
    return frame.groupby(cols, sort=True, observed=True)[["emissions_t", "co2e_t"]].sum().reset_index()


def scopes(frame: pd.DataFrame) -> pd.DataFrame:
    """Per ``entity, year``: ``scope1_t``, ``scope2_t`` (t CO2e), scope 1 by gas
    (``scope1_co2_t``, ``scope1_ch4_co2e_t``, ``scope1_n2o_co2e_t``) and ``energy_tce``."""
    out = frame.pivot_table(index=["entity", "year"], columns="scope", values="co2e_t", aggfunc="sum", fill_value=0.0)
    out = out.reindex(columns=[1, 2], fill_value=0.0)
    out.columns = ["scope1_t", "scope2_t"]
    s1 = frame[frame["scope"] == 1].pivot_table(
        index=["entity", "year"], columns="gas", values="co2e_t", aggfunc="sum", fill_value=0.0
    )
    s1 = s1.reindex(columns=["co2", "ch4", "n2o"], fill_value=0.0)
    s1.columns = ["scope1_co2_t", "scope1_ch4_co2e_t", "scope1_n2o_co2e_t"]
    out = out.join(s1, how="left").fillna(0.0)
    return out.reset_index()


def reconcile(entities: pd.DataFrame, county: pd.DataFrame, file=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rest of the county and the reconciliation, for the years of the county inventory.

    Parameters
    ----------
    entities
        :func:`with_entities` rows of every entity.
    county
        The county inventory's emission rows (``carbon.inventory`` ``emissions``).

    Returns
    -------
    rest
        Per ``year, sector, category, item, gas, scope``: ``co2e_t`` of the county minus the
        entities (>= 0).
    reconciliation
        Per ``year, scope``: ``county_co2e_t, entities_co2e_t, rest_co2e_t, difference_t``
        (entities + rest − county) and ``entities_share``.
    """
    c = county[~county["memo"].to_numpy(dtype=bool)].copy()
    for col in ("sector", "category", "item", "gas"):
        c[col] = c[col].astype(str)
    years = sorted(set(c["year"]))
    e = entities[entities["year"].isin(years)]
    keys = KEY + ["scope"]
    county_sum = c.groupby(keys, sort=True)["co2e_t"].sum()
    entity_sum = e.groupby(keys, sort=True)["co2e_t"].sum()
    joined = pd.concat({"county": county_sum, "entities": entity_sum}, axis=1).fillna(0.0)
    over = joined["entities"] > joined["county"] * (1 + TOLERANCE) + 1e-6
    if over.any():
        key = joined.index[over.to_numpy()][0]
        row = joined.loc[key]
        who = e.set_index(keys).loc[[key]] if key in entity_sum.index else None
        names = sorted(set(who["entity"])) if who is not None else []
        raise InputError(
            "the entities emit more than the county for one activity",
            file=file,
            key=", ".join(f"{k}={v}" for k, v in zip(keys, key)),
            expected="entity activity within the county inventory's activity of the same year, "
            "sector, category and item",
            found=f"entities {row['entities']:,.1f} t CO2e ({', '.join(names)}) > county {row['county']:,.1f} t CO2e",
            hint="check the entity's inventory_sector and category, its units, or the county activity",
        )
    rest = (joined["county"] - joined["entities"]).clip(lower=0.0).rename("co2e_t").reset_index()
    rest = rest[rest["co2e_t"] > 0].reset_index(drop=True)
    rows = []
    for (year, scope), part in joined.groupby(level=["year", "scope"], sort=True):
        cty, ent = float(part["county"].sum()), float(part["entities"].sum())
        rst = float(rest[(rest["year"] == year) & (rest["scope"] == scope)]["co2e_t"].sum())
        rows.append(
            {
                "year": int(year),
                "scope": int(scope),
                "county_co2e_t": cty,
                "entities_co2e_t": ent,
                "rest_co2e_t": rst,
                "difference_t": ent + rst - cty,
                "entities_share": ent / cty if cty else np.nan,
            }
        )
    recon = pd.DataFrame(rows)
    totals = recon.groupby("year", as_index=False)[
        ["county_co2e_t", "entities_co2e_t", "rest_co2e_t", "difference_t"]
    ].sum()
    totals.insert(1, "scope", "all")
    totals["entities_share"] = totals["entities_co2e_t"] / totals["county_co2e_t"]
    recon["scope"] = recon["scope"].astype(str)
    return rest, pd.concat([recon, totals], ignore_index=True)
