"""Project assessment, orchestrated: the scenario run with and without each project (same
scenario, seed and settings; two runs through :func:`carbon.runner.run_scenario`), the project's
own inventory at full capacity (scope, gas), its intensity against the entry threshold, an
LMDI decomposition of the with/without difference by sector and fuel, the project as a firm of
the scenario's allowance market, and the screening of a pipeline of projects.

Emissions are t CO2e, scope 1 + 2 (the pathway's ``co2e_t_scope12``) unless a column says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from carbon.assess.compute import (
    Combination,
    best_combination,
    entry_verdict,
    impact,
    meets_peak_target,
    peak_load_mw,
    process_emission_rows,
    project_activity_rows,
    purchased_electricity,
    ramp_shares,
    screen,
)
from carbon.assess.schema import ProjectSection
from carbon.assess.thresholds import Threshold, output_in, threshold_of
from carbon.coupling.market import ProjectFirm, per_tonne, with_project_firms
from carbon.errors import InputError
from carbon.inventory.activity import validate_activity
from carbon.inventory.factors import gwp_values
from carbon.model import Model
from carbon.pathway.indicators import peaked_by
from carbon.pathway.lmdi import decompose
from carbon.pathway.peak import Peak
from carbon.pathway.power import is_power
from carbon.results import StageOutput
from carbon.scenario import Scenario
from carbon.stages.inventory import compute, grid_factor_of
from carbon.units import factor

MILESTONES = (2025, 2030)
INDICATORS = (
    "co2_intensity_t_per_10k_cny",
    "energy_intensity_assessed_tce_per_10k_cny",
    "non_fossil_share",
    "renewable_share_electricity",
    "electricity_mwh",
)


@dataclass(frozen=True)
class Run:
    """The outputs of one run of the scenario with a set of projects (``scenario`` is the
    scenario as run, projects and market firms included)."""

    outputs: dict[str, StageOutput]
    scenario: Scenario

    @property
    def annual(self) -> pd.DataFrame:
        return self.outputs["pathway"].tables["annual"]

    @property
    def peak(self) -> Peak:
        return Peak.from_dict(self.outputs["pathway"].documents["peak"]["scope12"])


@dataclass
class Assessment:
    """Every project assessed alone, the pipeline (all together), the ranking and the combination
    that still meets the peak target."""

    documents: dict[str, dict]  # project name (and "pipeline") -> assessment.json
    annual: dict[str, pd.DataFrame]  # name -> year, co2e_t_without, co2e_t_with, delta_t
    table: pd.DataFrame  # projects.csv
    combination: list[str]
    thresholds: dict[str, dict] = field(default_factory=dict)
    decomposition: dict[str, pd.DataFrame] = field(default_factory=dict)  # name -> decomposition.csv
    screening: Combination | None = None


@dataclass(frozen=True)
class Own:
    """A project's own figures at full capacity: inventory rows, CO2e, threshold, output."""

    inventory: pd.DataFrame
    co2e_t: float
    threshold: Threshold
    output: float  # in the threshold's unit


def run(scenario: Scenario) -> Run:
    """One run of the scenario (it must have a pathway)."""
    from carbon.runner import run_scenario

    if scenario.pathway is None:
        raise InputError(
            "assessing a project needs a pathway",
            file=scenario.file,
            key="pathway",
            expected="a scenario with a pathway: section (the years the project runs in)",
        )
    specs = scenario.runs()
    if len(specs) != 1:
        raise InputError(
            "the scenario expands to several runs",
            file=scenario.file,
            expected="one run (no sweep)",
            found=f"{len(specs)} runs",
        )
    outputs, _ = run_scenario(specs[0])
    return Run(outputs, specs[0].scenario)


def own_inventory(scenario: Scenario, project: ProjectSection, model: Model | None = None) -> pd.DataFrame:
    """The project's emissions at full capacity in the model's base year, by fuel (and process
    gas), scope and gas (``item, scope, gas, memo, emissions_t, co2e_t``; memo items such as
    biogenic CO2 in ``memo``), with the run's factor and GWP sets (``model``: the run's model,
    prepared from the scenario when not given)."""
    if model is None:
        from carbon.runner import prepare

        model, _ = prepare(scenario.runs()[0])
    full = project.model_copy(update={"start_year": model.base_year, "ramp_up": ()})
    em = project_emissions(model, scenario, [full], [model.base_year])
    return (
        em.astype({c: str for c in ("item", "gas")})
        .groupby(["item", "scope", "gas", "memo"], as_index=False)[["emissions_t", "co2e_t"]]
        .sum()
        .sort_values(["memo", "scope", "item", "gas"], ignore_index=True)
    )


def own(scenario: Scenario, project: ProjectSection, model: Model | None = None) -> Own:
    """The project's own inventory, CO2e (scope 1 + 2, no memo items), threshold and output."""
    th = threshold_of(project.sector, project.product)
    output = output_in(project.output.quantity, project.output.unit, th)
    inv = own_inventory(scenario, project, model)
    return Own(inv, float(inv.loc[~inv["memo"], "co2e_t"].sum()), th, output)


def market_of(scenario: Scenario, project: ProjectSection) -> tuple[str, object] | None:
    """The market the project joins as a firm: ``(key, section)`` with key ``market`` or
    ``markets.<name>``, or None (no market, or ``market: {join: false}`` in the project file).
    By default a project joins the scenario's ``market:``; under ``markets:`` it joins the one
    its file names."""
    choice = project.market
    if choice is not None and not choice.join:
        return None
    name = choice.market if choice is not None else ""
    if not name:
        if scenario.market is not None:
            return "market", scenario.market
        if choice is not None and scenario.markets:
            raise InputError(
                f"project {project.name!r} does not say which market it joins",
                key="market.market",
                expected="one of " + ", ".join(sorted(scenario.markets)),
                found="''",
            )
        return None
    markets = scenario.markets or {}
    if name not in markets:
        raise InputError(
            f"project {project.name!r} joins an unknown market {name!r}",
            key="market.market",
            expected="a market under the scenario's markets: (" + (", ".join(sorted(markets)) or "none") + ")",
            found=name,
        )
    return f"markets.{name}", markets[name]


def project_firm(project: ProjectSection, mine: Own, section, emissions_t: Sequence[float]) -> ProjectFirm:
    """The project as a firm of ``section``: per period its CO2e ``emissions_t`` (its own emissions of
    the period's year, :func:`own_by_year`) and output x ramp-up share, allocation output x benchmark
    (the project file's, else the market's benchmark for its sector, else the sector's advanced
    value), a linear MAC or none."""
    periods = list(section.periods)
    share = ramp_shares(project, periods)
    bench = project.market.benchmark if project.market is not None else None
    if bench is None and section.allocation.method == "benchmark" and isinstance(section.allocation.benchmark, dict):
        bench = section.allocation.benchmark.get(project.sector)  # market unit per output unit: to t
        bench = None if bench is None else bench / per_tonne(section.unit)
    if bench is None:
        bench = mine.threshold.advanced
    choice = project.market
    return ProjectFirm(
        id=f"project_{project.name}",
        sector=project.sector,
        emissions_t=[float(e) for e in emissions_t],
        output=[float(mine.output * x) for x in share],
        benchmark=float(bench),
        mac_slope=None if choice is None else choice.mac_slope,
        mac_intercept=0.0 if choice is None else choice.mac_intercept,
    )


def with_projects(scenario: Scenario, projects: Sequence[ProjectSection]) -> Scenario:
    """The scenario with ``projects`` added to its own (typed copy, validated again); the run
    joins them to their markets (:func:`join_markets`)."""
    items = [p.model_dump(mode="python") for p in (*(scenario.projects or ()), *projects)]
    return scenario.with_values({"projects": items})


def own_by_year(
    model: Model, scenario: Scenario, project: ProjectSection, years: Sequence[int], grid: dict[int, float]
) -> list[float]:
    """The project's own emissions in each of ``years``, t CO2e scope 1 + 2 (ramp-up applied, memo
    items left out), purchased electricity at the year's grid factor ``grid`` (the resolved one,
    year -> t/MWh; a year outside it takes the nearest year's): as :func:`own_annual_t`."""
    known = pd.Series(grid, dtype=float).sort_index()
    factors = known.reindex(sorted(set(known.index) | set(years))).ffill().bfill().reindex(years)
    base = grid_factor_of(model, scenario.inventory).value  # what the accounted rows carry
    own_t = _own_t(project_emissions(model, scenario, [project], list(years)), factors, base)
    return [own_t[int(y)] for y in years]


def join_markets(
    scenario: Scenario, model: Model, mine: dict[str, Own] | None = None, *, grid: dict[int, float]
) -> Scenario:
    """The scenario with each of its projects joined to its allowance market as a firm
    (:func:`market_of`, :func:`project_firm`, :func:`carbon.coupling.market.with_project_firms`);
    the scenario itself when no project joins one. A project already a firm is left as it is.
    ``mine``: the projects' own figures by name when the caller holds them (else computed here);
    ``grid``: the run's resolved grid factor by year, t CO2/MWh."""
    joined: dict[str, tuple[object, list[ProjectFirm]]] = {}
    for p in scenario.projects or ():
        where = market_of(scenario, p)
        if where is None:
            continue
        key, section = where
        if isinstance(section.firms, list) and any(f.id == f"project_{p.name}" for f in section.firms):
            continue
        m = mine[p.name] if mine is not None and p.name in mine else own(scenario, p, model)
        emissions = own_by_year(model, scenario, p, list(section.periods), grid)
        joined.setdefault(key, (section, []))[1].append(project_firm(p, m, section, emissions))
    if not joined:
        return scenario
    values: dict = {}
    for key, (section, firms) in joined.items():
        values.update(with_project_firms(section, firms, key))
    return scenario.with_values(values)


def _market_figures(without: Run, with_: Run, projects: Sequence[ProjectSection]) -> dict:
    """The allowance price by period without and with, and each project firm's allocation,
    emissions and net purchases (the allowances it must buy; negative: it sells), by market, in
    the market's unit; ``allowances_to_buy_t`` in t CO2e."""
    out: dict = {}
    sections = with_.scenario.all_markets()
    for stage in sorted(s for s in with_.outputs if s == "market" or s.startswith("market/")):
        firms = with_.outputs[stage].tables["firms"]
        ids = [f"project_{p.name}" for p in projects]
        mine = firms[firms["firm"].astype(str).isin(ids)]
        if mine.empty:
            continue
        price_with = with_.outputs[stage].tables["periods"].set_index("period")["price"]
        price_without = (
            without.outputs[stage].tables["periods"].set_index("period")["price"]
            if stage in without.outputs
            else price_with * np.nan
        )
        out[stage] = {
            "price_without": {int(k): float(v) for k, v in price_without.items()},
            "price_with": {int(k): float(v) for k, v in price_with.items()},
            "price_delta": {int(k): float(price_with[k] - price_without.get(k, np.nan)) for k in price_with.index},
            "firms": {
                str(f): {
                    c: {int(r.period): float(getattr(r, c)) for r in rows.itertuples()}
                    for c in ("allocation", "emissions", "abatement", "net_purchase")
                }
                for f, rows in mine.groupby(mine["firm"].astype(str))
            },
            "allowances_to_buy_t": float(mine["net_purchase"].clip(lower=0.0).sum())
            / per_tonne(sections[stage.partition("/")[2]].unit),
        }
    return out


def end_use_groups(emissions: pd.DataFrame, year: int) -> pd.DataFrame:
    """End-use emissions of ``year`` by group (``sector, fuel, tce, co2e_t``): scope-1 rows by
    sector and fuel, purchased heat (scope 2 other than electricity) as sector ``purchased_heat``;
    no power sector, no memo items."""
    em = emissions[(emissions["year"] == year) & ~emissions["memo"] & ~is_power(emissions["category"])]
    em = em.assign(sector=em["sector"].astype(str), fuel=em["item"].astype(str))
    em = em[(em["scope"] == 1) | (em["fuel"] != "electricity")]
    em = em.assign(sector=em["sector"].where(em["scope"] == 1, "purchased_heat"))
    co2e = em.groupby(["sector", "fuel"])["co2e_t"].sum()
    tce = em[em["row"] >= 0].drop_duplicates("row").groupby(["sector", "fuel"])["energy_tce"].sum()
    return pd.DataFrame({"tce": tce.reindex(co2e.index, fill_value=0.0), "co2e_t": co2e}).reset_index()


def groups_of_year(end_use: pd.DataFrame, run_: Run, year: int) -> pd.DataFrame:
    """The scope 1 + 2 emissions of ``year`` as groups (``sector, fuel, activity_unit, activity,
    co2e_t``): the end-use groups (:func:`end_use_groups`; activity in tce, or the CO2e itself when a
    group burns no energy, e.g. process or farm emissions), local power generation (its fossil tce)
    and purchased electricity (net MWh x the grid factor). They add up to the pathway's
    ``co2e_t_scope12`` of the year."""
    energy = end_use["tce"] > 0
    rows = pd.DataFrame(
        {
            "sector": end_use["sector"],
            "fuel": end_use["fuel"],
            "activity_unit": np.where(energy, "tce", "t CO2e"),
            "activity": np.where(energy, end_use["tce"], end_use["co2e_t"]),
            "co2e_t": end_use["co2e_t"],
        }
    )
    power = run_.outputs["pathway"].tables["power"].set_index("year")
    a = run_.annual.set_index("year")
    local, fuel = float(power.at[year, "local_co2_t"]), float(power.at[year, "local_fuel_tce"])
    net = max(0.0, float(a.at[year, "net_imports_mwh"]))
    extra = pd.DataFrame(
        [
            ("power", "local_generation", "tce" if fuel > 0 else "t CO2e", fuel if fuel > 0 else local, local),
            ("purchased_electricity", "electricity", "MWh", net, net * float(a.at[year, "grid_factor_t_per_mwh"])),
        ],
        columns=list(rows.columns),
    )
    return pd.concat([rows, extra], ignore_index=True)


def added_emissions(model: Model, scenario: Scenario, projects: Sequence[ProjectSection]) -> pd.DataFrame:
    """The emission rows the ``projects`` add to the pathway of ``scenario`` in every year (their
    fuel rows accounted alone, and their process rows): accounting is linear in activity, so the
    run with them has the run without's end-use emissions plus these."""
    first, last = scenario.pathway.years
    return project_emissions(model, scenario, projects, list(range(first, last + 1)))


def project_emissions(
    model: Model, scenario: Scenario, projects: Sequence[ProjectSection], years: Sequence[int]
) -> pd.DataFrame:
    """The emission rows of ``projects`` in ``years`` (ramp-up applied): their fuel rows accounted
    alone with the run's factor and GWP sets (the scenario's ``inventory:`` choices, else the
    model's), and their process rows through the same GWP set."""
    rows = pd.concat([project_activity_rows(p, years) for p in projects], ignore_index=True) if projects else None
    if rows is not None and not rows.empty:  # two projects' rows of one year, sector, category and item add up
        key = ["year", "sector", "category", "item"]
        unit = rows.groupby(key)["unit"].transform("first")
        rows = (
            rows.assign(quantity=[q * factor(u, v) for q, u, v in zip(rows["quantity"], rows["unit"], unit)], unit=unit)
            .groupby([*key, "unit"], as_index=False)["quantity"]
            .sum()
        )
    frames = []
    gwp = (scenario.inventory.gwp if scenario.inventory is not None else None) or model.gwp  # as compute()
    if rows is not None and not rows.empty:
        inv = compute(replace(model, activity=validate_activity(rows)), scenario.inventory)
        frames.append(inv.emissions)
        gwp = inv.gwp
    frames.append(process_emission_rows(projects, years, gwp_values(gwp)))
    frames = [f.astype({c: str for c in ("sector", "category", "item", "gas", "unit")}) for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else process_emission_rows([], years, {})


def decompose_difference(
    without: Run, with_: Run, years: Sequence[int], base: pd.DataFrame, added: pd.DataFrame
) -> pd.DataFrame:
    """Which sectors and fuels move, with minus without, in ``years``: one row per group that
    changes (``year, sector, fuel, activity_unit, activity_without, activity_with, co2e_t_without,
    co2e_t_with, delta_t, activity_effect_t, factor_effect_t``). ``base``: the end-use emission rows
    of the run without (every year); ``added``: the rows the projects add (:func:`added_emissions`).

    Each group is C = A x (C/A); the two effects are its additive LMDI-I
    (:func:`carbon.pathway.lmdi.decompose`, the two states as base year 0 and final year 1) and add
    up exactly to its ``delta_t``; the rows of a year add up to the change of the county's scope 1 + 2
    emissions in that year."""
    out = []
    key = ["sector", "fuel"]
    for year in years:
        county, extra = end_use_groups(base, year), end_use_groups(added, year)
        both = county.merge(extra, on=key, how="outer", suffixes=("", "_added")).fillna(0.0)
        both = both.assign(tce=both["tce"] + both["tce_added"], co2e_t=both["co2e_t"] + both["co2e_t_added"])
        m = (
            groups_of_year(county, without, year)
            .merge(
                groups_of_year(both[[*key, "tce", "co2e_t"]], with_, year),
                how="outer",
                on=[*key, "activity_unit"],
                suffixes=("_without", "_with"),
            )
            .fillna(0.0)
        )
        m = m[(m["co2e_t_with"] - m["co2e_t_without"]).abs() > 1e-9 * max(1.0, float(m["co2e_t_without"].abs().max()))]
        for r in m.itertuples(index=False):
            f0 = r.co2e_t_without / r.activity_without if r.activity_without > 0 else np.nan
            f1 = r.co2e_t_with / r.activity_with if r.activity_with > 0 else np.nan
            f0, f1 = (f1 if np.isnan(f0) else f0), (f0 if np.isnan(f1) else f1)  # a factor outlives its fuel
            frame = pd.DataFrame(
                {
                    "year": [0, 1],
                    "group": ["g", "g"],
                    "activity": [r.activity_without, r.activity_with],
                    "emission_factor": [f0, f1],
                }
            )
            eff = decompose(frame, ["activity", "emission_factor"], 0, 1)
            out.append(
                (
                    year,
                    r.sector,
                    r.fuel,
                    r.activity_unit,
                    r.activity_without,
                    r.activity_with,
                    r.co2e_t_without,
                    r.co2e_t_with,
                    r.co2e_t_with - r.co2e_t_without,
                    float(eff["activity"]),
                    float(eff["emission_factor"]),
                )
            )
    cols = [
        "year",
        "sector",
        "fuel",
        "activity_unit",
        "activity_without",
        "activity_with",
        "co2e_t_without",
        "co2e_t_with",
        "delta_t",
        "activity_effect_t",
        "factor_effect_t",
    ]
    return pd.DataFrame(out, columns=cols).sort_values(["year", "sector", "fuel"], ignore_index=True)


def decomposition_years(without: Run, with_: Run) -> list[int]:
    """The years decomposed: the milestones in the horizon, the peak year with, the last year."""
    years = list(without.annual["year"].astype(int))
    chosen = {y for y in MILESTONES if y in years} | {years[-1]}
    if with_.peak.peak_year is not None:
        chosen.add(int(with_.peak.peak_year))
    return sorted(chosen)


def _delta_figures(without: Run, with_: Run) -> dict:
    """Changes of the milestone indicators and of every numeric key figure of the energy model
    and the market (new builds, cost, allowance price ...): with minus without."""
    out: dict = {}
    a, b = without.annual.set_index("year"), with_.annual.set_index("year")
    for year in MILESTONES:
        if year in a.index:
            for col in INDICATORS:
                out[f"{col}_{year}_without"] = float(a.at[year, col])
                out[f"{col}_{year}_delta"] = float(b.at[year, col] - a.at[year, col])
    for stage in sorted(set(without.outputs) & set(with_.outputs)):
        if stage in ("pathway", "inventory"):
            continue
        for key, value in without.outputs[stage].summary.items():
            other = with_.outputs[stage].summary.get(key)
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and isinstance(other, (int, float))
                and not key.endswith("_s")
                and key not in ("rows", "columns")
            ):  # no timings or sizes
                out[f"{stage}.{key}_delta"] = float(other - value)
    return out


def _by_sector_delta(without: Run, with_: Run) -> dict:
    """Which sectors move (scope 1 + 2, t CO2e) in the milestone years: with minus without."""
    a = without.outputs["pathway"].tables["by_sector"]
    b = with_.outputs["pathway"].tables["by_sector"]
    key = ["year", "view", "sector"]
    m = a.merge(b, on=key, how="outer", suffixes=("_without", "_with")).fillna(0.0)
    m = m[(m["view"] == "scope12") & m["year"].isin(MILESTONES)]
    m = m.assign(delta=m["co2e_t_with"] - m["co2e_t_without"])
    return {f"{int(r.year)}.{r.sector}": float(r.delta) for r in m.itertuples() if abs(r.delta) > 1e-9}


def peaked(run_: Run, peak_by: int | None) -> bool:
    """The pathway's one rule (:func:`carbon.pathway.indicators.peaked_by`) on a run's peak."""
    pk = run_.peak
    return peaked_by(pk.status, pk.peak_year, peak_by)


def assess(
    scenario: Scenario,
    projects: Sequence[ProjectSection],
    peak_cap_t: float | None = None,
    *,
    exclude_failing_entry: bool = True,
) -> Assessment:
    """Assess each project alone and all together against the scenario as given; the
    combination that still meets the peak target leaves out projects that fail their entry
    threshold (``exclude_failing_entry``; else they are tried and flagged)."""
    from carbon.runner import prepare

    names = [p.name for p in projects]
    if len(set(names)) != len(names):
        raise InputError(
            "two projects have the same name",
            key="name",
            expected="one name per project",
            found=", ".join(sorted({n for n in names if names.count(n) > 1})),
        )
    peak_by = scenario.targets.peak_by if scenario.targets is not None else 2030
    model, resolved = prepare(scenario.runs()[0])
    mine = {p.name: own(scenario, p, model) for p in projects}
    without = run(scenario)
    runs: dict[frozenset, Run] = {frozenset(): without}

    def run_with(chosen: Sequence[str]) -> Run:
        key = frozenset(chosen)
        if key not in runs:  # joined here with the figures at hand; the runner leaves joined firms as they are
            joined = with_projects(scenario, [p for p in projects if p.name in key])
            runs[key] = run(join_markets(joined, model, mine, grid=resolved.grid_factor))
        return runs[key]

    base = None

    def document(name: str, with_: Run, chosen: Sequence[ProjectSection], delta: pd.DataFrame) -> dict:
        nonlocal base
        from carbon.stages.pathway import project

        if base is None:  # the run without's end-use rows (the runner does not keep them)
            base = project(model, scenario).inventory.emissions
        added = added_emissions(model, scenario, chosen)
        decomposition[name] = decompose_difference(without, with_, decomposition_years(without, with_), base, added)
        market = _market_figures(without, with_, chosen)
        return {
            "name": name,
            "annual_emissions_t": own_annual_t(added, without.annual),
            "county_delta_t": {int(y): float(v) for y, v in zip(delta["year"], delta["delta_t"])},
            **impact(
                without.annual,
                with_.annual,
                without.peak,
                with_.peak,
                peaked_without=peaked(without, peak_by),
                peaked_with=peaked(with_, peak_by),
                peak_cap_t=peak_cap_t,
            ),
            "peak_by": peak_by,
            "peak_cap_t": peak_cap_t,
            **_delta_figures(without, with_),
            "by_sector_delta_t": _by_sector_delta(without, with_),
            "decomposition": _decomposition_doc(decomposition[name]),
            "market": market,
            "allowances_to_buy_t": sum(v["allowances_to_buy_t"] for v in market.values()) if market else None,
        }

    documents, annual, rows, thresholds, decomposition = {}, {}, [], {}, {}
    for p in projects:
        m = mine[p.name]
        th, co2e = m.threshold, m.co2e_t
        intensity = co2e / m.output
        verdict = entry_verdict(intensity, th.threshold, th.advanced)
        with_ = run_with([p.name])
        delta = _annual(without, with_)
        doc = document(p.name, with_, [p], delta)
        doc.update(
            project=p.model_dump(mode="json"),
            full_capacity_co2e_t=co2e,
            emissions_by_scope_gas=m.inventory.to_dict(orient="records"),
            intensity=intensity,
            intensity_unit=f"t CO2e/{th.output_unit}",
            intensity_t_per_10k_cny=co2e / p.value_added_10k_cny,
            entry_threshold=th.threshold,
            advanced_value=th.advanced,
            meets_entry=verdict != "fails",
            entry_verdict=verdict,
            threshold_illustrative=th.illustrative,
            threshold_source=th.source,
            purchased_electricity_mwh=purchased_electricity(p, "MWh"),
            storage_losses_mwh=p.storage.losses_mwh() if p.storage is not None else 0.0,
            **peak_load_mw(p),
        )
        documents[p.name] = doc
        thresholds[p.name] = {
            "intensity": intensity,
            "threshold": th.threshold,
            "advanced": th.advanced,
            "unit": th.output_unit,
        }
        annual[p.name] = delta
        rows.append(_row(doc))
    table = screen(pd.DataFrame(rows)) if rows else pd.DataFrame(rows)
    screening = None
    if projects:
        pipe = run_with(names)
        annual["pipeline"] = _annual(without, pipe)
        doc = document("pipeline", pipe, projects, annual["pipeline"])
        total = sum(d["full_capacity_co2e_t"] for d in documents.values())
        va = sum(p.value_added_10k_cny for p in projects)
        doc.update(full_capacity_co2e_t=total, intensity_t_per_10k_cny=total / va, projects=names)

        def still_meets(chosen: Sequence[str]) -> bool:
            r = run_with(chosen)
            return meets_peak_target(peaked(r, peak_by), r.peak.peak_value, peak_cap_t)

        screening = best_combination(table, still_meets, exclude_failing_entry=exclude_failing_entry)
        doc.update(
            combination_meeting_peak_target=screening.kept,
            failing_entry=screening.failed_entry,
            failing_entry_excluded=screening.entry_excluded,
            rejected_for_peak_target=screening.rejected,
        )
        documents["pipeline"] = doc
        row = _row(doc)
        row.update(rank_intensity=None, rank_peak_impact=None)
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
        table["in_combination"] = [n in screening.kept if n != "pipeline" else None for n in table["project"]]
    combination = screening.kept if screening is not None else []
    return Assessment(documents, annual, table, combination, thresholds, decomposition, screening)


def _decomposition_doc(frame: pd.DataFrame) -> dict:
    """``{year: [{sector, fuel, delta_t, activity_effect_t, factor_effect_t}, ...]}``, biggest moves first."""
    out: dict = {}
    for year, rows in frame.groupby("year"):
        rows = rows.reindex(rows["delta_t"].abs().sort_values(ascending=False, kind="stable").index)
        out[int(year)] = [
            {
                "sector": r.sector,
                "fuel": r.fuel,
                "delta_t": float(r.delta_t),
                "activity_effect_t": float(r.activity_effect_t),
                "factor_effect_t": float(r.factor_effect_t),
            }
            for r in rows.itertuples()
        ]
    return out


def own_annual_t(added: pd.DataFrame, annual: pd.DataFrame) -> dict[int, float]:
    """The projects' own emissions each year, t CO2e scope 1 + 2 (ramp-up applied): their rows
    (:func:`added_emissions`, memo items left out) with purchased electricity at each year's grid
    factor of the pathway (the rows carry the base year's). This is what the projects emit; the
    county's change (``county_delta_t``) also holds the power system's response."""
    grid = annual.set_index("year")["grid_factor_t_per_mwh"]
    return _own_t(added, grid, float(grid.iloc[0]))


def _own_t(added: pd.DataFrame, grid: pd.Series, base: float) -> dict[int, float]:
    """Scope 1 + 2 CO2e of ``added`` by year of ``grid`` (year -> t/MWh), no memo items; the scope-2
    electricity rows, accounted at the grid factor ``base``, rescaled to the year's."""
    rows = added[~added["memo"].astype(bool)] if "memo" in added else added
    year = rows["year"].astype(int)
    electricity = (rows["item"].astype(str) == "electricity") & (rows["scope"].astype(int) == 2)
    scale = np.where(electricity, (year.map(grid) / base).to_numpy(), 1.0)
    own = (rows["co2e_t"] * scale).groupby(year).sum()
    return {int(y): float(own.get(y, 0.0)) for y in grid.index}


def _annual(without: Run, with_: Run) -> pd.DataFrame:
    a = without.annual[["year", "co2e_t_scope12"]].rename(columns={"co2e_t_scope12": "co2e_t_without"})
    b = with_.annual[["year", "co2e_t_scope12"]].rename(columns={"co2e_t_scope12": "co2e_t_with"})
    m = a.merge(b, on="year")
    return m.assign(delta_t=m["co2e_t_with"] - m["co2e_t_without"])


COLUMNS = (
    "project",
    "intensity",
    "intensity_unit",
    "intensity_t_per_10k_cny",
    "entry_threshold",
    "advanced_value",
    "meets_entry",
    "entry_verdict",
    "full_capacity_co2e_t",
    "peak_year_without",
    "peak_year_with",
    "peak_t_without",
    "peak_t_with",
    "peak_delta_t",
    "cumulative_2030_delta_t",
    "cumulative_2060_delta_t",
    "meets_peak_target_with",
    "headroom_share",
    "allowances_needed_t",
    "allowances_to_buy_t",
)


def _row(doc: dict) -> dict:
    return {c: (doc["name"] if c == "project" else doc.get(c)) for c in COLUMNS}
