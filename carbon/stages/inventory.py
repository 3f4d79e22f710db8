"""The inventory stage of a run: the model's activity with the scenario's factor choices."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd

from carbon import units
from carbon.errors import InputError
from carbon.inventory.accounting import Inventory, account
from carbon.inventory.climate import LANDFILL_CATEGORY, LANDFILL_ITEM, climate_rows
from carbon.inventory.factors import FactorSet, category_matches, load_factor_set, read_factor_file
from carbon.inventory.uncertainty import approach1, approach2, table
from carbon.memo import Kept
from carbon.model import Model, file_stamp, scale_or_replace
from carbon.pathway.text import is_text, starts_with
from carbon.plausible import check_per_resident
from carbon.resolve import GridFactor
from carbon.results import StageOutput
from carbon.scenario import InventoryOptions

_FACTOR_SETS: dict[tuple, FactorSet] = {}
FACTOR_SET_CACHE = 16


def factor_set_of(model: Model, options: InventoryOptions) -> FactorSet:
    """The factor set a run uses: the scenario's choice or the model's, the factor file on top,
    then the model's factor overrides (``factors.<factor>.<item>``).

    Kept per process for the same inputs (the factor file by name, size and modification
    time), since a run asks for it several times and a batch's runs mostly share it."""
    set_name = options.factors or model.factors
    file = options.factors_file or (str(model.factors_file) if model.factors_file else None)
    landfill_t = base_landfill_t(model)
    key = (
        set_name,
        file,
        _stamp(file),
        repr(model.climate),
        repr(model.landfill),
        model.base_year,
        landfill_t,
        repr(model.factor_overrides),
    )
    if key not in _FACTOR_SETS:
        user = read_factor_file(file) if file else None
        climate = climate_rows(model.climate, model.landfill, model.base_year, landfill_t)
        factor_set = load_factor_set(set_name, user, file, climate=climate)
        if model.factor_overrides:
            factor_set = _with_overrides(factor_set, model.factor_overrides)
        if len(_FACTOR_SETS) >= FACTOR_SET_CACHE:
            _FACTOR_SETS.pop(next(iter(_FACTOR_SETS)))
        _FACTOR_SETS[key] = factor_set
    return _FACTOR_SETS[key]


def _stamp(file: str | None) -> tuple[int, int] | None:
    """Size and modification time of a factor file (None without one, or when it cannot be read:
    reading it then reports the problem)."""
    if not file:
        return None
    try:
        return file_stamp(file)
    except OSError:
        return None


def base_landfill_t(model: Model) -> float:
    """MSW landfilled in the model's base year (4.A ``msw_landfilled`` rows), t."""
    act = model.activity
    rows = (
        (act["year"].to_numpy() == model.base_year)
        & is_text(act["item"], LANDFILL_ITEM).to_numpy()
        & starts_with(act["category"], LANDFILL_CATEGORY).to_numpy()
    )
    quantity, unit = act["quantity"].to_numpy(dtype=float)[rows], act["unit"].to_numpy()[rows]
    return float(sum(q * units.factor(str(u), "t") for q, u in zip(quantity.tolist(), unit)))


def compute(model: Model, options: InventoryOptions | None = None, *, keep: bool = False) -> Inventory:
    """Account the model's activity with the scenario's ``inventory`` options (blanks take the
    model's choices). With ``keep`` (the base year, which every Monte Carlo sample accounts
    again), the same inputs give the kept result (:data:`_INVENTORIES`); other activity (a
    sample's projected years, which never repeat) is accounted without hashing or keeping it."""
    options = options or InventoryOptions()
    factor_set, gwp = factor_set_of(model, options), options.gwp or model.gwp
    act = model.activity
    if not keep:
        return account(act, factor_set, gwp, validated=True, file=model.activity_file)
    key = (
        id(factor_set),
        gwp,
        str(model.activity_file),
        tuple(act.columns),
        tuple(map(str, act.dtypes)),
        pd.util.hash_pandas_object(act, index=True).to_numpy().tobytes(),
    )
    kept = _INVENTORIES.get(key)
    if kept is not None and kept[0] is factor_set:
        return kept[1]
    inv = account(act, factor_set, gwp, validated=True, file=model.activity_file)
    _INVENTORIES[key] = (factor_set, inv)
    while len(_INVENTORIES) > 8:
        _INVENTORIES.pop(next(iter(_INVENTORIES)))
    return inv


_INVENTORIES: dict[tuple, tuple[FactorSet, Inventory]] = {}
"""The last few base-year inventories (``compute(..., keep=True)``) by their inputs (the factor
set, the GWP set and the activity's content): every sample of a Monte Carlo accounts the same
base year twice (its inventory and its pathway's base year). Callers only read them."""


MWH_UNITS = {"t/MWh": 1.0, "kg/kWh": 1.0, "t/kWh": 1000.0, "g/kWh": 1e-3, "t/GWh": 1e-3, "t/10^4 kWh": 0.1}


def grid_factor_of(model: Model, options: InventoryOptions | None = None) -> GridFactor:
    """The grid factor of the run's inventory (``co2`` of ``electricity``, t CO2/MWh) and its
    source: the one home of the grid factor (see :mod:`carbon.resolve`). Kept per factor set."""
    fs = factor_set_of(model, options or InventoryOptions())
    return _GRID_FACTORS.get(fs, (), lambda: _grid_factor(fs))


_GRID_FACTORS: Kept[GridFactor] = Kept(FACTOR_SET_CACHE)


def _grid_factor(fs: FactorSet) -> GridFactor:
    """The one ``co2`` factor of ``electricity`` in ``fs``, t/MWh, with its source."""
    t = fs.table
    rows = t[(t["factor"] == "co2") & (t["item"] == "electricity")]
    if rows.empty:
        raise InputError(
            "the factor set has no grid factor",
            key="factors.co2.electricity",
            expected="a co2 factor of electricity (t/MWh) in the factor set or a factor file",
        )
    values = {(float(v) * MWH_UNITS.get(str(u), float("nan"))) for v, u in zip(rows["value"], rows["unit"])}
    if len(values) > 1 or any(math.isnan(v) for v in values):
        raise InputError(
            "the grid factor must be one value in t/MWh",
            key="factors.co2.electricity",
            expected="one co2 factor of electricity for every category, in t/MWh",
            found=", ".join(f"{v} {u} @{c or '-'}" for v, u, c in zip(rows["value"], rows["unit"], rows["category"])),
        )
    row = rows.iloc[-1]
    where = fs.name + (f" + {Path(fs.user_file).name}" if fs.user_file else "")
    return GridFactor(values.pop(), f"inventory factor co2.electricity ({where}: {row['source']})")


def _with_overrides(factor_set: FactorSet, rows: tuple) -> FactorSet:
    """The factor set with the scenario's factor overrides applied.

    ``factors.<f>.<item>`` changes every row of that factor and item; ``...<item>@<category>``
    changes the factor for activities in that category and below only: rows at or under the
    category change, and where no row sits exactly at it, the row those activities used (the
    most specific one above) is copied there first, so other categories keep their values.
    """
    table = factor_set.table
    for kind, item, category, value in rows:
        name = f"factors.{kind}.{item}" + (f"@{category}" if category else "")
        own = (table["factor"] == kind) & (table["item"] == item)
        if category:
            table = pd.concat([table, *_copies_at(table[own], category)], ignore_index=True)
            own = (table["factor"] == kind) & (table["item"] == item)
            own &= table["category"].map(lambda c, at=category: category_matches(at, c))
        if not own.any():
            raise InputError(
                "factor override matches no factor",
                key=f"overrides.{name}",
                expected=f"a {kind} factor of {item} in set {factor_set.name} (add new ones with a factor file)",
            )
        table = table.copy()
        table.loc[own, "value"] = [scale_or_replace(v, value, name) for v in table.loc[own, "value"]]
        table.loc[own, "source"] = "scenario override"
    return replace(factor_set, table=table)


def _copies_at(rows: pd.DataFrame, category: str) -> list[pd.DataFrame]:
    """For each key dimension without a row exactly at ``category``: a copy, placed at
    ``category``, of the most specific row that applies to it."""
    out = []
    for _, group in rows.groupby("key_dim", sort=False):
        if (group["category"] == category).any():
            continue
        applicable = group[group["category"].map(lambda c: category_matches(c, category))]
        if not applicable.empty:
            best = applicable["category"].str.len().idxmax()
            out.append(applicable.loc[[best]].assign(category=category))
    return out


def run_stage(model: Model, options: InventoryOptions, allow: tuple[str, ...] | list[str] | None = None) -> StageOutput:
    """Inventory tables and key figures for a run folder.

    The base year's totals per resident are checked (:func:`~carbon.plausible.check_per_resident`,
    lifted by ``allow``) before the Monte Carlo draws of the uncertainty, so an implausible
    inventory fails at once. The output of a kept inventory (:func:`compute` with ``keep``) is
    kept too: every sample of a Monte Carlo has the same base year."""
    inv = compute(model, options, keep=True)
    key = (repr(options), model.population, str(model.activity_file), tuple(allow or ()))
    output = _STAGES.get(inv, key, lambda: _stage(inv, model, options, allow))
    return StageOutput(  # callers may add to them
        tables=dict(output.tables), summary=dict(output.summary), documents=dict(output.documents)
    )


_STAGES: Kept[StageOutput] = Kept(8)


def _stage(inv: Inventory, model: Model, options: InventoryOptions, allow) -> StageOutput:
    summary = inv.summary()
    check_per_resident(summary, model.population, model.activity_file, allow)
    intervals = [approach1(inv)]
    if options.uncertainty.draws:
        intervals.append(approach2(inv, draws=options.uncertainty.draws, seed=options.uncertainty.seed))
    for i in intervals:
        summary[f"approach{i.approach}_lower_co2e_t"] = i.lower_t
        summary[f"approach{i.approach}_upper_co2e_t"] = i.upper_t
    emissions = inv.emissions.drop(columns=["factor_uncertainty"])
    energy = inv.energy.drop(columns=["activity_uncertainty"])
    tables = {
        "emissions": emissions,
        "by_sector": inv.totals(["sector"]),
        "by_gas": inv.totals(["gas"]),
        "by_scope": inv.totals(["scope"]),
        "energy": energy,
        "energy_by_sector": inv.energy_tce(["sector"]),
        "uncertainty": table(intervals),
    }
    return StageOutput(tables=tables, summary=summary)
