"""The inventory stage of a run: the model's activity with the scenario's factor choices."""

from __future__ import annotations

from dataclasses import replace

from carbon.errors import InputError
from carbon.inventory.accounting import Inventory, account
from carbon.inventory.factors import FactorSet, category_matches, load_factor_set, read_factor_file
from carbon.inventory.uncertainty import approach1, approach2, table
from carbon.model import Model, scale_or_replace
from carbon.results import StageOutput


def compute(model: Model, options: dict) -> Inventory:
    """Account the model's activity with the scenario's ``inventory`` options.

    ``options`` keys (all optional): ``factors``, ``gwp``, ``factors_file``; blanks take the
    model's choices. Factor overrides of the model (``factors.<factor>.<item>``) sit on top.
    """
    set_name = options.get("factors") or model.factors
    file = options.get("factors_file") or (str(model.factors_file) if model.factors_file else None)
    user = read_factor_file(file) if file else None
    factor_set = load_factor_set(set_name, user, file)
    if model.factor_overrides:
        factor_set = _with_overrides(factor_set, model.factor_overrides)
    return account(model.activity, factor_set, options.get("gwp") or model.gwp, validated=True,
                   file=model.activity_file)


def _with_overrides(factor_set: FactorSet, rows: tuple) -> FactorSet:
    table = factor_set.table.copy()
    for kind, item, category, value in rows:
        mask = (table["factor"] == kind) & (table["item"] == item)
        if category:
            mask &= table["category"].map(lambda c: category_matches(c, category))
        if not mask.any():
            raise InputError("factor override matches no factor", key=f"overrides.factors.{kind}.{item}",
                             expected=f"a {kind} factor of {item} in set {factor_set.name} (add new ones with a factor file)")
        table.loc[mask, "value"] = [scale_or_replace(v, value, f"factors.{kind}.{item}") for v in table.loc[mask, "value"]]
        table.loc[mask, "source"] = "scenario override"
    return replace(factor_set, table=table)


def run_stage(model: Model, options: dict) -> StageOutput:
    """Inventory tables and key figures for a run folder."""
    inv = compute(model, options)
    unc = options.get("uncertainty") or {}
    intervals = [approach1(inv)]
    if unc.get("draws", 2000):
        intervals.append(approach2(inv, draws=unc.get("draws", 2000), seed=unc.get("seed", 0)))
    summary = inv.summary()
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

