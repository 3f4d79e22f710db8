"""Activity x emission factor accounting (IPCC 2006 Tier 1 method).

For each activity row and gas:

- energy (GJ) = quantity x NCV (or quantity itself when it is given in an energy unit);
- energy (tce) = quantity x standard-coal coefficient (or energy / 29.3076 GJ/tce);
- CO2 (t) = energy x CO2 factor x oxidation fraction, for fuels (factor per unit of energy);
- gas (t) = quantity x factor, for non-fuel items (factor per head, per ha, per t, per MWh);
- CO2e (t) = gas x GWP; CO2 from biomass is a memo item, left out of every total.

Purchased electricity and heat are scope 2 unless the row says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon import units
from carbon.errors import InputError
from carbon.inventory.activity import validate_activity
from carbon.inventory.factors import (
    ENERGY_ITEMS_SCOPE2,
    GASES,
    FactorSet,
    category_matches,
    gwp_values,
)
from carbon.schema import did_you_mean
from carbon.units import KGCE_PER_KWH_CALORIFIC

GJ_PER_TCE = units.KGCE_GJ * 1000.0
COLUMNS = ["year", "sector", "category", "item", "gas", "scope", "memo", "quantity", "unit",
           "energy_tj", "energy_tce", "emissions_t", "co2e_t"]


@dataclass
class Inventory:
    """Result of :func:`account`.

    ``emissions`` is the tidy table (columns :data:`COLUMNS` + ``row``, the activity row it came
    from, and ``factor_uncertainty``); ``energy`` has one row per activity row with its energy
    in TJ and tce and whether it is biomass.
    """

    emissions: pd.DataFrame
    energy: pd.DataFrame
    factor_set: str
    gwp: str
    electricity_method: str
    factors_file: str | None = None

    def totals(self, by: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
        """CO2e (t) summed by the given columns (memo items excluded); gas masses too when by gas."""
        frame = self.emissions[~self.emissions["memo"]]
        by = list(by)
        if not by:
            return pd.DataFrame({"co2e_t": [frame["co2e_t"].sum()]})
        cols = ["co2e_t", "emissions_t"] if "gas" in by else ["co2e_t"]
        return frame.groupby(by, sort=True)[cols].sum().reset_index()

    def total_co2e_t(self, scope: int | None = None) -> float:
        """Total CO2e (t), memo items excluded, for one scope or all."""
        frame = self.emissions[~self.emissions["memo"]]
        if scope is not None:
            frame = frame[frame["scope"] == scope]
        return float(frame["co2e_t"].sum())

    def energy_tce(self, by: list[str] | None = None):
        """Energy use in tce, biomass excluded (as Chinese energy statistics count it)."""
        frame = self.energy[~self.energy["biogenic"]]
        if not by:
            return float(frame["energy_tce"].sum())
        return frame.groupby(by, sort=True)["energy_tce"].sum().reset_index()

    def summary(self) -> dict[str, float | str | None]:
        """Key figures for a run's manifest and the batch summary."""
        memo = self.emissions[self.emissions["memo"]]
        return {
            "factor_set": self.factor_set,
            "gwp": self.gwp,
            "co2e_t": self.total_co2e_t(),
            "scope1_co2e_t": self.total_co2e_t(1),
            "scope2_co2e_t": self.total_co2e_t(2),
            "biogenic_co2_memo_t": float(memo["emissions_t"].sum()),
            "energy_tce": self.energy_tce(),
            "electricity_method": self.electricity_method,
        }


@dataclass(frozen=True)
class _Coefficients:
    gj: float  # GJ per unit of quantity (nan: not an energy item)
    tce: float  # tce per unit of quantity
    gas: dict  # gas -> (t per unit of quantity, relative uncertainty of the factor)
    biogenic: bool


def _most_specific(rows: list, kind: str, category: str, key_dim: str | None = None):
    """The factor row of ``kind`` whose category is the most specific match (None if none)."""
    best, depth = None, -1
    for row in rows:
        if row.factor != kind or (key_dim is not None and row.key_dim != key_dim):
            continue
        if category_matches(row.category, category) and len(row.category) > depth:
            best, depth = row, len(row.category)
    return best


def _resolve(item: str, category: str, unit: str, rows: list, set_name: str) -> _Coefficients:
    """Coefficients turning one quantity of ``item`` in ``unit`` into energy and gas masses.

    ``rows`` are the factor-table records (namedtuples) of the item.
    """
    try:
        q = units.parse(unit)
    except InputError as err:
        raise err.at(key="column unit") from None

    def conversion(kind: str) -> float:
        row = _most_specific(rows, kind, category, q.dimension)
        return np.nan if row is None else row.value * units.parse(row.unit).size * q.size

    gj = q.size if q.dimension == "energy" else conversion("ncv")
    tce_gj = conversion("tce")
    if np.isnan(gj) and not np.isnan(tce_gj):
        gj = tce_gj
    tce = (tce_gj if not np.isnan(tce_gj) else gj) / GJ_PER_TCE
    gas: dict[str, tuple[float, float]] = {}
    for g in GASES:
        row = _most_specific(rows, g, category)
        if row is None:
            continue
        f = units.parse(row.unit)
        per = f.dimension.split("/")[1]
        if per == "energy":
            if np.isnan(gj):
                kinds = sorted({r.key_dim for r in rows if r.factor == "ncv"} | {"energy"})
                raise InputError(f"unit {unit!r} is of the wrong kind for {item} in {category}", key="column unit",
                                 expected=f"a unit of {' or '.join(kinds)} (set {set_name} has calorific values for those)",
                                 found=f"{unit} ({q.dimension})")
            coef = gj * row.value * f.size
        elif per == q.dimension:
            coef = q.size * row.value * f.size
        else:
            raise InputError(f"unit {unit!r} is of the wrong kind for {item} in {category}", key="column unit",
                             expected=f"a unit of {per} (the {g} factor is in {row.unit})",
                             found=f"{unit} ({q.dimension})")
        if g == "co2":
            ox = _most_specific(rows, "oxidation", category)
            coef *= 1.0 if ox is None else ox.value * units.parse(ox.unit).size
        gas[g] = (coef, row.uncertainty)
    if not gas:
        cats = sorted({r.category for r in rows} - {""}) or ["none"]
        raise InputError(f"no emission factor for {item!r} in category {category}", key="column item",
                         expected=f"a co2, ch4 or n2o factor for {item} in set {set_name} for category {category} "
                         "(or add one with a factor file)",
                         found="factors for categories " + ", ".join(cats))
    return _Coefficients(gj, tce, gas, any(r.biogenic for r in rows))


def account(activity: pd.DataFrame, factors: FactorSet, gwp: str = "AR5", *, file=None,
            validated: bool = False) -> Inventory:
    """Emissions of an activity table with a factor set and a GWP set.

    Parameters
    ----------
    activity
        Long-form activity table (see :mod:`carbon.inventory.activity`).
    factors
        The factor set (see :func:`carbon.inventory.factors.load_factor_set`).
    gwp
        ``SAR``, ``AR4``, ``AR5``, ``AR6`` or ``AR6-split`` (100-year).
    """
    act = activity if validated else validate_activity(activity, file)
    gwps = gwp_values(gwp)
    by_item: dict[str, list] = {}
    for record in factors.table.itertuples(index=False):
        by_item.setdefault(record.item, []).append(record)
    item, category, unit = (_categorical(act[c]) for c in ("item", "category", "unit"))
    combined = (item.codes.astype(np.int64) * len(category.categories) + category.codes) * len(unit.categories) \
        + unit.codes
    uniq, first, keys = np.unique(combined, return_index=True, return_inverse=True)
    n_keys = len(uniq)
    gj, tce = np.empty(n_keys), np.empty(n_keys)
    bio = np.empty(n_keys, dtype=bool)
    coef = {g: np.full(n_keys, np.nan) for g in GASES}
    unc = {g: np.full(n_keys, np.nan) for g in GASES}
    for k, i in enumerate(first):
        it, cat, un = item[i], category[i], unit[i]
        rows = by_item.get(it)
        if rows is None:
            raise InputError(f"unknown item {it!r}", file=file, key=f"row {i + 2}, column item",
                             expected=f"a fuel, animal, crop or product of factor set {factors.name}",
                             found=it, hint=did_you_mean(it, by_item))
        try:
            c = _resolve(it, cat, un, rows, factors.name)
        except InputError as err:
            err.key = f"row {i + 2}, {err.key}"  # _resolve names the column
            raise err.at(file) from None
        gj[k], tce[k], bio[k] = c.gj, c.tce, c.biogenic
        for g, (value, u) in c.gas.items():
            coef[g][k], unc[g][k] = value, u
    qty = act["quantity"].to_numpy()
    energy_tj = qty * gj[keys] / 1000.0
    energy_tce = qty * tce[keys]
    biogenic = bio[keys]
    is_scope2 = np.isin(item.categories, ENERGY_ITEMS_SCOPE2)[item.codes]
    default_scope = np.where(is_scope2, 2, 1)
    if "scope" in act:
        given = act["scope"].to_numpy(dtype=float)
        scope = np.where(np.isnan(given), default_scope, given).astype(np.int64)
    else:
        scope = default_scope.astype(np.int64)
    nonfossil_category = np.array([c[:1] in ("3", "4") for c in category.categories], dtype=bool)[category.codes]
    biogenic_ch4 = biogenic | nonfossil_category
    idx_parts, gas_parts, mass_parts, co2e_parts, unc_parts = [], [], [], [], []
    for order, g in enumerate(GASES):
        c = coef[g][keys]
        idx = np.flatnonzero(~np.isnan(c))
        mass = qty[idx] * c[idx]
        if g == "ch4" and "ch4" not in gwps:
            factor = np.where(biogenic_ch4[idx], gwps["ch4_biogenic"], gwps["ch4_fossil"])
        else:
            factor = gwps[g]
        idx_parts.append(idx)
        gas_parts.append(np.full(len(idx), order, dtype=np.int8))
        mass_parts.append(mass)
        co2e_parts.append(mass * factor)
        unc_parts.append(unc[g][keys][idx])
    rows_all, gas_all = np.concatenate(idx_parts), np.concatenate(gas_parts)
    perm = np.lexsort((gas_all, rows_all))
    rows_, gas_codes = rows_all[perm], gas_all[perm]
    emissions = pd.DataFrame({
        "year": act["year"].to_numpy()[rows_],
        "sector": _take(act["sector"], rows_), "category": _take(category, rows_),
        "item": _take(item, rows_),
        "gas": pd.Categorical.from_codes(gas_codes, categories=list(GASES)),
        "scope": scope[rows_], "memo": (gas_codes == 0) & biogenic[rows_],
        "quantity": qty[rows_], "unit": _take(unit, rows_),
        "energy_tj": energy_tj[rows_], "energy_tce": energy_tce[rows_],
        "emissions_t": np.concatenate(mass_parts)[perm], "co2e_t": np.concatenate(co2e_parts)[perm],
        "row": rows_, "factor_uncertainty": np.concatenate(unc_parts)[perm],
    })
    energy = pd.DataFrame({
        "row": np.arange(len(act)), "year": act["year"].to_numpy(), "sector": _categorical(act["sector"]),
        "category": category, "item": item, "biogenic": biogenic,
        "energy_tj": energy_tj, "energy_tce": energy_tce,
        "activity_uncertainty": act["uncertainty"].to_numpy() if "uncertainty" in act else np.nan,
    })
    return Inventory(emissions, energy, factors.name, gwp, _electricity_method(factors), factors.user_file)


def _categorical(col: pd.Series) -> pd.Categorical:
    """A text column as a pandas Categorical (validated tables already hold one)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.array
    return pd.Categorical(col.astype(object))


def _take(values, rows: np.ndarray) -> pd.Categorical:
    cat = _categorical(values) if not isinstance(values, pd.Categorical) else values
    return pd.Categorical.from_codes(cat.codes[rows], categories=cat.categories)


def _electricity_method(factors: FactorSet) -> str:
    t = factors.table
    row = t[(t["factor"] == "tce") & (t["item"] == "electricity")]
    if row.empty:
        return "electricity at 3.6 MJ/kWh (calorific equivalent)"
    r = row.iloc[-1]
    kind = "calorific equivalent" if abs(r["value"] - KGCE_PER_KWH_CALORIFIC) < 5e-4 and r["unit"] == "kgce/kWh" else "user value"
    return f"electricity at {r['value']:g} {r['unit']} ({kind})"
