"""The carbon price from the quota market, milestone by milestone (``carbon_price: from_market``).

At each milestone year m, in order (myopic, like the energy model's milestones):

1. the energy model for year m, with what earlier milestones built, is solved at a list of
   carbon prices: the power sector's emissions at each price are its MAC curve;
2. the scenario's ``market:`` is cleared for the single period m (per-period values of the
   firms, auction and offsets taken at m, no banking between milestones), with the power sector
   as the firm ``power`` whose MAC is that curve and whose free allocation is
   ``power_free_allocation`` x its emissions at price 0;
3. the energy model for year m is solved again at the market's price, and what it builds
   stays for the next milestones.

So the price the energy model uses in year m is the market's price of year m. The power
sector's emissions are the energy model's (local generation and imports at the grid factor of
``technologies.csv``), as its carbon price applies to both.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

from carbon.errors import InputError

POWER_FIRM = "power"
PERIOD_DICTS = ("auction", "offsets", "ceiling", "penalty")


def market_for_period(market: dict, year: int, curve: pd.DataFrame, free_share: float) -> dict:
    """The one-period market of ``year``: lists of per-period values cut at ``year`` and the
    power firm added with the energy model's curve (a pure function of plain data)."""
    data = copy.deepcopy(market)
    periods = list(data.get("periods") or [])
    earlier = [i for i, p in enumerate(periods) if p <= year]
    if not earlier:
        raise InputError(f"the market has no period at or before {year}", key="market.periods",
                         expected=f"periods covering the pathway's milestones (first {year})", found=periods)
    i, n = earlier[-1], len(periods)

    def cut(value):
        return value[i] if isinstance(value, list) and len(value) == n and not isinstance(value[0], list) else value

    firms = data.get("firms")
    if not isinstance(firms, list):
        raise InputError("with carbon_price: from_market the market's firms must be listed in the scenario",
                         key="market.firms", expected="a list of firms", found=type(firms).__name__)
    if any(f.get("id") == POWER_FIRM for f in firms):
        raise InputError(f"the firm id {POWER_FIRM!r} is the power sector, which the energy model supplies",
                         key="market.firms", expected="no firm with that id")
    data["firms"] = [{k: cut(v) for k, v in f.items()} for f in firms]
    for key in PERIOD_DICTS:
        if isinstance(data.get(key), dict):
            data[key] = {k: cut(v) for k, v in data[key].items()}
    baseline = float(curve["emissions_t"].iloc[0])
    data["firms"].append({"id": POWER_FIRM, "sector": "power",
                          "mac": {"curve": curve[["carbon_price_cny_per_t", "emissions_t"]].values.tolist()},
                          "allocation": free_share * baseline})
    data["periods"] = [year]
    data["banking"] = False
    data["initial_bank"] = 0
    data.pop("msr", None)
    return data


def clear_period(market: dict, base_dir: Path) -> tuple[float, dict[str, pd.DataFrame]]:
    """Clear a one-period market; return its price (CNY/unit) and its tables (periods, firms)."""
    from carbon.market.schema import MarketSection
    from carbon.market.stage import run_stage

    out = run_stage(MarketSection.model_validate(market), base_dir, prefix="market")
    return float(out.tables["periods"]["price"].iloc[0]), {k: out.tables[k] for k in ("periods", "firms")}


def solve_milestones(system, milestones: list[int], assumptions: dict, grid_factor: dict[int, float],
                     base_year: int, market: dict | None = None):
    """Solve the milestones one after another (myopic), keeping what each builds.

    In year m the grid import's emission factor is the pathway's grid factor of m, so the
    carbon price charges imports at the grid's factor of that year. With ``market`` (keys
    ``section``, ``prices``, ``free_share``, ``base_dir``) each milestone's carbon price comes
    from the market (steps 1-3 of the module docstring); else from ``assumptions``.

    Returns the combined energy result and the market's ``periods`` and ``firms`` tables (None
    without a market).
    """
    from carbon.energy.inputs import YearAssumptions
    from carbon.energy.milestones import combine, record_builds
    from carbon.energy.problem import EnergyProblem, mac_curve
    from carbon.energy.system import with_changes

    imports = [name for name, kind in system.technologies["kind"].items() if kind == "grid_import"]
    built: dict = {}
    results, rows = [], []
    for m in milestones:
        a = assumptions[m]
        system_m = with_changes(system, technologies={g: {"co2_t_per_mwh": grid_factor[m]} for g in imports})
        price = 0.0 if market else a.carbon_price
        problem = EnergyProblem(system_m, years=[m], base_year=base_year, built=dict(built),
                                assumptions={m: YearAssumptions(price, a.co2_cap, a.demand_factor, a.import_price_factor)})
        if market:
            curve = mac_curve(system_m, market["prices"], problem=problem)
            price, tables = clear_period(market_for_period(market["section"], m, curve, market["free_share"][m]),
                                         Path(market["base_dir"]))
            problem.set_carbon_price(price, m)
            rows.append(tables)
        result = problem.solve()
        record_builds(problem, result, m, built)
        results.append(result)
    tables = {k: pd.concat([r[k] for r in rows], ignore_index=True) for k in ("periods", "firms")} if rows else None
    return combine(results), tables
