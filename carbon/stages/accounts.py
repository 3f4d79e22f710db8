"""The accounts stage: the accounts room fed with the inventory's factor and GWP sets, the
energy model's dispatch and the quota market (pure: it never prints or writes).

Entity scope 1 and 2 come from running the county's inventory machinery (same factor set, GWP
set and grid factor) on each entity's activity rows, so entity numbers are the county's numbers
by construction; the rest of the county is the county inventory minus the entities.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbon.accounts import tables as tb
from carbon.accounts.compute import accounts as account_table
from carbon.accounts.entity import by_fuel_and_gas, reconcile, scopes, with_entities
from carbon.accounts.grading import green_credit
from carbon.accounts.hourly import hourly_factors, metered_scope2
from carbon.accounts.inclusive import book, issue
from carbon.accounts.schema import GRADES, AccountsFile, AccountsSection, absolute_paths
from carbon.errors import CarbonError, InputError
from carbon.inventory.accounting import account
from carbon.market.schema import MarketSection
from carbon.model import Model, apply_overrides, load_model, read_yaml
from carbon.results import StageOutput, read_table, table_path
from carbon.scenario import InventoryOptions, Scenario
from carbon.schema import validate
from carbon.stages.inventory import compute, factor_set_of, grid_factor_of

METERED_TOLERANCE = 0.01
"""Metered electricity may exceed the entity's electricity row of the year by this share at most."""


def load_accounts(path: str | Path) -> AccountsFile:
    """Read and validate a ``carbon accounts`` file (paths relative to it)."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(
            "an accounts file is a mapping",
            file=path,
            expected="keys such as model, entities, activity",
            found=type(data).__name__,
        )
    return validate(AccountsFile, absolute_paths(data, path.parent.resolve()), file=path)


def _with_metered(act: pd.DataFrame, metered: pd.DataFrame, entities: pd.DataFrame, file) -> pd.DataFrame:
    """Activity rows plus an electricity row (kWh) for each metered entity-year without one (the
    metered total is then the year's electricity); metered readings may cover part of a year
    with an electricity row, but more than 1 % above it is an InputError."""
    if metered.empty:
        return act
    sums = metered.groupby(["entity", "year"])["kwh"].sum()
    elec = act[act["item"] == "electricity"]
    category = entities.set_index("entity")["category"]
    sector = entities.set_index("entity")["inventory_sector"]
    extra = []
    for (entity, year), kwh in sums.items():
        rows = elec[(elec["entity"] == entity) & (elec["year"] == year)]
        if rows.empty:
            extra.append(
                {
                    "entity": entity,
                    "year": int(year),
                    "month": 0,
                    "sector": sector[entity],
                    "category": category[entity],
                    "item": "electricity",
                    "unit": "kWh",
                    "quantity": float(kwh),
                }
            )
            continue
        given = sum(q * _kwh(u) for q, u in zip(rows["quantity"], rows["unit"]))
        if kwh > (1 + METERED_TOLERANCE) * given:
            raise InputError(
                "metered electricity exceeds the entity's electricity of the year",
                file=file,
                key=f"entity {entity}, year {year}",
                expected=f"metered readings summing to at most the activity's {given:,.0f} kWh "
                "(or no electricity row: the metered total is used)",
                found=f"{kwh:,.0f} kWh metered",
            )
    return pd.concat([act, pd.DataFrame(extra)], ignore_index=True) if extra else act


TAG = "\x1f"
"""Joins entity and sector in the sector label of the inventory call (the inventory keeps one row
per year, sector, category and item; the sector is a label only, factors go by category and item)."""


def _account_entities(act: pd.DataFrame, factor_set, gwp: str, file) -> tuple[Any, np.ndarray]:
    """The inventory's accounting of every entity's activity (months added up): the inventory
    result, whose ``sector`` is the row's inventory sector again, and the entity of each row."""
    keys = ["entity", "year", "sector", "category", "item", "unit"]
    frame = act.assign(line=np.arange(len(act)))
    agg = frame.groupby(keys, sort=False, as_index=False).agg(quantity=("quantity", "sum"), line=("line", "min"))
    dup = agg.duplicated(["entity", "year", "sector", "category", "item"])
    if dup.any():
        r = agg[dup].iloc[0]
        raise InputError(
            "an entity's item is given in two units in one year",
            file=file,
            key=f"row {int(r['line']) + 2}",
            expected="one unit per entity, year, category and item",
            found=f"{r['item']} in {r['unit']} too",
        )
    rows = pd.DataFrame(
        {
            "year": agg["year"].astype(int),
            "sector": agg["entity"] + TAG + agg["sector"],
            "category": agg["category"],
            "item": agg["item"],
            "quantity": agg["quantity"],
            "unit": agg["unit"],
        }
    )
    try:
        inv = account(rows, factor_set, gwp, file=file)
    except InputError as err:  # name the file's row, not the summed row
        if err.key and err.key.startswith("row "):
            head, _, rest = err.key.partition(",")
            n = int(head.split()[1]) - 2
            if 0 <= n < len(agg):
                err.key = f"row {int(agg['line'].iloc[n]) + 2}" + ("," + rest if rest else "")
        raise
    for table in (inv.emissions, inv.energy):
        table["sector"] = table["sector"].astype(str).str.split(TAG).str[1]
    return inv, agg["entity"].to_numpy()


def _kwh(unit: str) -> float:
    from carbon import units

    return units.factor(unit, "kWh")


def energy_factors(dispatch: pd.DataFrame, annual: pd.DataFrame, grid_factor: float) -> dict[int, pd.DataFrame]:
    """Hourly factors by year from an energy result's ``dispatch`` and ``annual`` tables (nodes summed)."""
    out = {}
    for year, part in dispatch.groupby("year", sort=True):
        mw = [c for c in part.columns if c.endswith("_mw")]
        summed = part.groupby("step", sort=True).agg({"hour": "first", "weight": "first", **{c: "sum" for c in mw}})
        a = annual[annual["year"] == year]
        gen = a["generation_mwh"].astype(float)
        techs = pd.DataFrame(
            {
                "technology": a["technology"].astype(str),
                "kind": a["kind"].astype(str),
                "co2_t_per_mwh": np.divide(a["emissions_t"].astype(float), gen, out=np.zeros(len(a)), where=gen > 0),
                "cost_cny_per_mwh": np.divide(
                    a["variable_cost_cny"].astype(float), gen, out=np.zeros(len(a)), where=gen > 0
                ),
            }
        )
        frame = hourly_factors(summed.reset_index(drop=True), techs, grid_factor)
        frame.insert(0, "year", int(year))
        out[int(year)] = frame
    return out


def _factors(
    section: AccountsSection, model: Model, grid: float, energy: StageOutput | None
) -> dict[int, pd.DataFrame]:
    hourly = section.hourly
    if hourly is not None and hourly.run is not None:
        folder = Path(hourly.run) / "energy"
        dispatch, annual = table_path(folder, "dispatch"), table_path(folder, "annual")
        if not dispatch.is_file() or not annual.is_file():
            raise InputError(
                "the run folder has no energy dispatch",
                file=hourly.run,
                key="accounts.hourly.run",
                expected="a run folder with energy/dispatch and energy/annual tables",
            )
        return energy_factors(read_table(dispatch), read_table(annual), grid)
    if hourly is not None and (hourly.days is not None or hourly.hours is not None):
        from carbon.energy.schema import EnergySection
        from carbon.stages.energy import run_energy

        section_e = EnergySection(days=hourly.days) if hourly.days else EnergySection(hours=hourly.hours)
        result, _, _ = run_energy(section_e, model.path)
        return energy_factors(result.dispatch, result.annual, grid)
    if energy is not None:
        return energy_factors(energy.tables["dispatch"], energy.tables["annual"], grid)
    raise InputError(
        "metered electricity needs hourly factors",
        key="accounts.hourly",
        expected="hourly.run (a run folder), hourly.days or hourly.hours (solve the model's energy "
        "system), or an energy section in the scenario",
    )


def read_tables(section: AccountsSection) -> tuple:
    """Every table the section names, read and checked (before any solve; ``carbon validate``
    calls this): entities, activity, production, metered, benchmarks, green-credit rules and the
    carbon-inclusive (methodologies, participants, actions) or None."""
    ents = tb.entities(section.entities)
    inclusive = None
    if section.actions is not None and section.participants is not None:
        methods = tb.methodologies(section.methodologies)
        parts = tb.participants(section.participants, ents)
        inclusive = (methods, parts, tb.actions(section.actions, parts, methods))
    return (
        ents,
        tb.activity(section.activity, ents),
        tb.production(section.production, ents),
        tb.metered(section.metered, ents),
        tb.benchmarks(section.benchmarks),
        tb.green_credit(section.green_credit, GRADES),
        inclusive,
    )


def run_stage(
    model: Model,
    section: AccountsSection,
    options: InventoryOptions | None = None,
    *,
    energy: StageOutput | None = None,
    markets: dict[str, MarketSection] | None = None,
    market_dir: Path | None = None,
    market_firms: pd.DataFrame | None = None,
    file: str | Path | None = None,
) -> StageOutput:
    """Accounts, reconciliation, grading, green credit and carbon-inclusive credits.

    ``energy``: the run's energy output (its dispatch gives the hourly factors); ``markets``:
    the scenario's markets (for docking, relative paths from ``market_dir``); ``market_firms``:
    the run's market firm table (allowances of entities that are market firms) when not docking.
    """
    options = options or InventoryOptions()
    ents, act, prod, met, bench, credit_rules, inclusive = read_tables(section)
    factor_set = factor_set_of(model, options)
    gwp = options.gwp or model.gwp
    grid = grid_factor_of(model, options).value
    act = _with_metered(act, met, ents, section.activity)
    inv, entity_of_row = _account_entities(act, factor_set, gwp, section.activity)
    rows = with_entities(inv.emissions, entity_of_row)
    scope = scopes(rows)
    # the inventory's own tce rule (biomass excluded), with the entity of each energy row
    tagged = replace(inv, energy=inv.energy.assign(entity=entity_of_row[inv.energy["row"].to_numpy(dtype=int)]))
    scope = scope.merge(tagged.energy_tce(by=["entity", "year"]), on=["entity", "year"], how="left")
    county = compute(model, options, keep=True)
    rest, recon = reconcile(rows, county.emissions, file=section.activity)
    out: dict[str, pd.DataFrame] = {}
    metered = None
    if not met.empty:
        factors = _factors(section, model, grid, energy)
        shift = section.hourly.shift_share if section.hourly else 0.1
        metered = metered_scope2(met, factors, grid, shift)
        out["metered"] = metered
        out["hourly_factors"] = pd.concat(factors.values(), ignore_index=True)
    credits_by_entity = None
    firms_table = market_firms
    summary: dict[str, Any] = {}
    if inclusive is not None:
        methods, parts, acts = inclusive
        credits = issue(acts, methods, grid, section.discount)
        used, firms, sell = None, (), 0.0
        if section.docking is not None:
            from carbon.coupling.accounts import dock

            d = section.docking
            market, mdir, prefix = _docking_market(d, markets, market_dir)
            sell = d.sell_share
            offered = (credits.groupby("year")["credits_t"].sum() * sell).to_dict()
            docked = dock(market, mdir, offered, d.price, d.limit, file=file, prefix=prefix)
            used, firms = docked.used, tuple(docked.result.firms["firm"].astype(str).unique())
            firms_table = docked.result.firms
            out.update(
                {
                    "docking": docked.offers,
                    "market_periods": docked.result.periods,
                    "market_firms": docked.result.firms,
                    "market_ledger": docked.result.ledger,
                }
            )
            summary["credits_used_t"] = float(docked.offers["credits_used_t"].sum())
        ledger = book(credits, sell, used, firms)
        out.update({"credits": credits, "credit_ledger": ledger.ledger, "credit_balances": ledger.balances})
        summary["credits_issued_t"] = float(credits["credits_t"].sum())
        credits_by_entity = _entity_credits(ledger, parts, ents)
    table = account_table(scope, ents, prod, bench, section.grading, metered, firms_table, credits_by_entity)
    loans = ents.set_index("entity")["loan_10k_cny"]
    out.update(
        {
            "accounts": table,
            "scope1_by_fuel": by_fuel_and_gas(rows),
            "rest_of_county": rest,
            "reconciliation": recon,
            "green_credit": green_credit(table, loans, credit_rules, section.grading),
        }
    )
    totals = recon[recon["scope"] == "all"]
    entities_t, county_t = float(totals["entities_co2e_t"].sum()), float(totals["county_co2e_t"].sum())
    summary.update(
        {
            "entities": int(ents.shape[0]),
            "accounts": len(table),
            # both over every year of the reconciliation (the CLI prints them together)
            "entities_co2e_t": entities_t,
            "entities_share": entities_t / county_t if county_t else float("nan"),
            "reconciliation_max_abs_difference_t": float(recon["difference_t"].abs().max()) if len(recon) else 0.0,
        }
    )
    for g in GRADES:
        summary[f"accounts_{g}"] = int((table["grade"] == g).sum())
    return StageOutput(tables=out, summary=summary)


def _docking_market(
    d, markets: dict[str, MarketSection] | None, market_dir: Path | None
) -> tuple[MarketSection, Path, str]:
    """The market the credits dock into: the docking's scenario file, else the run's."""
    if d.scenario is not None:
        scenario = Scenario.from_file(d.scenario)
        markets, market_dir = scenario.all_markets(), Path(d.scenario).parent
    if not markets:
        raise InputError(
            "docking needs a quota market",
            key="accounts.docking",
            expected="a scenario with market: or markets: (docking.scenario, or the run's)",
        )
    name = d.market if d.market is not None else ("" if "" in markets else None)
    if name is None:
        if len(markets) != 1:
            raise InputError(
                "which market do the credits dock into?",
                key="accounts.docking.market",
                expected="one of " + ", ".join(sorted(markets)),
            )
        name = next(iter(markets))
    if name not in markets:
        raise InputError(
            f"unknown market {name!r}",
            key="accounts.docking.market",
            expected="one of " + ", ".join(sorted(k or "market" for k in markets)),
        )
    prefix = f"markets.{name}" if name else "market"
    return markets[name], Path(market_dir or "."), prefix


def _entity_credits(ledger, parts: pd.DataFrame, ents: pd.DataFrame) -> pd.DataFrame:
    """Credits held by participants linked to an entity, and surrendered by an entity's market firm."""
    bal = ledger.balances
    link = dict(zip(parts["participant"], parts["entity"]))
    held = bal[bal["kind"] == "participant"].assign(entity=lambda f: f["account"].map(link))
    held = (
        held[held["entity"].fillna("") != ""].groupby(["entity", "period"])["holding_t"].sum().rename("credits_held_t")
    )
    firm_of = {f: e for e, f in zip(ents["entity"], ents["market_firm"]) if f}
    led = ledger.ledger
    sur = led[(led["event"] == "surrender") & led["from"].isin(firm_of)].assign(entity=lambda f: f["from"].map(firm_of))
    sur = sur.groupby(["entity", "period"])["quantity_t"].sum().rename("credits_surrendered_t")
    frame = pd.concat([held, sur], axis=1).fillna(0.0).reset_index()
    if frame.empty:
        return pd.DataFrame(columns=["entity", "period", "credits_held_t", "credits_surrendered_t"])
    return frame.rename(columns={"level_0": "entity", "level_1": "period"})


def run_file(path: str | Path) -> tuple[AccountsFile, StageOutput]:
    """The accounts of a ``carbon accounts`` file: its model (or its scenario's model with the
    scenario's overrides and inventory options, its energy section's dispatch when asked, and its
    markets for docking)."""
    spec = load_accounts(path)
    try:
        if spec.scenario is not None:
            scenario = Scenario.from_file(spec.scenario)
            model = apply_overrides(load_model(scenario.model), scenario.overrides)
            out = run_stage(
                model,
                spec,
                scenario.inventory,
                markets=scenario.all_markets(),
                market_dir=Path(spec.scenario).parent,
                file=path,
            )
        else:
            assert spec.model is not None
            out = run_stage(load_model(spec.model), spec, InventoryOptions(), file=path)
    except CarbonError as exc:
        raise exc.at(path) from None
    return spec, out
