"""Project assessment, orchestrated: the scenario run with and without each project (same
scenario, seed and settings; two runs through :func:`carbon.runner.run_scenario`), the project's
own inventory at full capacity (scope, gas), its intensity against the entry threshold, and the
screening of a pipeline of projects.

Emissions are t CO2e, scope 1 + 2 (the pathway's ``co2e_t_scope12``) unless a column says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from carbon.assess.compute import best_combination, entry_verdict, impact, project_activity_rows, screen
from carbon.assess.schema import ProjectSection
from carbon.assess.thresholds import output_in, threshold_of
from carbon.errors import InputError
from carbon.inventory.activity import validate_activity
from carbon.pathway.peak import Peak
from carbon.results import StageOutput
from carbon.scenario import Scenario
from carbon.stages.inventory import compute

MILESTONES = (2025, 2030)
INDICATORS = ("co2_intensity_t_per_10k_cny", "energy_intensity_assessed_tce_per_10k_cny", "non_fossil_share",
              "renewable_share_electricity", "electricity_mwh")


@dataclass(frozen=True)
class Run:
    """The outputs of one run of the scenario with a set of projects."""

    outputs: dict[str, StageOutput]

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


def _with(scenario: Scenario, projects: Sequence[ProjectSection]) -> Scenario:
    """The scenario with ``projects`` added to its own (typed copy, validated again)."""
    items = [p.model_dump(mode="python") for p in (*(scenario.projects or ()), *projects)]
    return scenario.with_values({"projects": items})


def run(scenario: Scenario) -> Run:
    """One run of the scenario (it must have a pathway)."""
    from carbon.runner import run_scenario

    if scenario.pathway is None:
        raise InputError("assessing a project needs a pathway", file=scenario.file, key="pathway",
                         expected="a scenario with a pathway: section (the years the project runs in)")
    specs = scenario.runs()
    if len(specs) != 1:
        raise InputError("the scenario expands to several runs", file=scenario.file, expected="one run (no sweep)",
                         found=f"{len(specs)} runs")
    outputs, _ = run_scenario(specs[0])
    return Run(outputs)


def own_inventory(scenario: Scenario, project: ProjectSection) -> pd.DataFrame:
    """The project's emissions at full capacity in the model's base year, by fuel, scope and gas
    (``item, scope, gas, emissions_t, co2e_t``; memo items such as biogenic CO2 in ``memo``), with the
    run's factor and GWP sets."""
    from carbon.runner import prepare

    model, _ = prepare(scenario.runs()[0])
    full = project.model_copy(update={"start_year": model.base_year, "ramp_up": ()})
    rows = validate_activity(project_activity_rows(full, [model.base_year]))
    inv = compute(replace(model, activity=rows), scenario.inventory)
    return (inv.emissions.groupby(["item", "scope", "gas", "memo"], as_index=False, observed=True)
            [["emissions_t", "co2e_t"]].sum().sort_values(["memo", "scope", "item", "gas"], ignore_index=True))


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
            if (isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(other, (int, float))
                    and not key.endswith("_s") and key not in ("rows", "columns")):  # no timings or sizes
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


def assess(scenario: Scenario, projects: Sequence[ProjectSection], peak_cap_t: float | None = None) -> Assessment:
    """Assess each project alone and all together against the scenario as given."""
    names = [p.name for p in projects]
    if len(set(names)) != len(names):
        raise InputError("two projects have the same name", key="name", expected="one name per project",
                         found=", ".join(sorted({n for n in names if names.count(n) > 1})))
    peak_by = scenario.targets.peak_by if scenario.targets is not None else 2030
    without = run(scenario)
    runs: dict[frozenset, Run] = {frozenset(): without}

    def run_with(chosen: Sequence[str]) -> Run:
        key = frozenset(chosen)
        if key not in runs:
            runs[key] = run(_with(scenario, [p for p in projects if p.name in key]))
        return runs[key]

    documents, annual, rows, thresholds = {}, {}, [], {}
    for p in projects:
        th = threshold_of(p.sector, p.product)
        output = output_in(p.output.quantity, p.output.unit, th)
        inv = own_inventory(scenario, p)
        co2e = float(inv.loc[~inv["memo"], "co2e_t"].sum())
        intensity = co2e / output
        verdict = entry_verdict(intensity, th.threshold, th.advanced)
        with_ = run_with([p.name])
        doc = _document(p.name, without, with_, peak_by, peak_cap_t)
        doc.update(project=p.model_dump(mode="json"), full_capacity_co2e_t=co2e,
                   emissions_by_scope_gas=inv.to_dict(orient="records"),
                   intensity=intensity, intensity_unit=f"t CO2e/{th.output_unit}",
                   intensity_t_per_10k_cny=co2e / p.value_added_10k_cny,
                   entry_threshold=th.threshold, advanced_value=th.advanced, meets_entry=verdict != "fails",
                   entry_verdict=verdict, threshold_illustrative=th.illustrative, threshold_source=th.source)
        documents[p.name] = doc
        thresholds[p.name] = {"intensity": intensity, "threshold": th.threshold, "advanced": th.advanced,
                              "unit": th.output_unit}
        annual[p.name] = _annual(without, with_)
        rows.append(_row(doc))
    table = screen(pd.DataFrame(rows)) if rows else pd.DataFrame(rows)
    combination: list[str] = []
    if projects:
        pipe = run_with(names)
        doc = _document("pipeline", without, pipe, peak_by, peak_cap_t)
        total = sum(d["full_capacity_co2e_t"] for d in documents.values())
        va = sum(p.value_added_10k_cny for p in projects)
        doc.update(full_capacity_co2e_t=total, intensity_t_per_10k_cny=total / va, projects=names)

        def still_meets(chosen: Sequence[str]) -> bool:
            r = run_with(chosen)
            return bool(impact(without.annual, r.annual, without.peak, r.peak, peak_by=peak_by,
                               peak_cap_t=peak_cap_t)["meets_peak_target_with"])

        combination = best_combination(table, still_meets)
        doc["combination_meeting_peak_target"] = combination
        documents["pipeline"] = doc
        annual["pipeline"] = _annual(without, pipe)
        row = _row(doc)
        row.update(rank_intensity=None, rank_peak_impact=None)
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return Assessment(documents, annual, table, combination, thresholds)


def _document(name: str, without: Run, with_: Run, peak_by: int | None, peak_cap_t: float | None) -> dict:
    delta = _annual(without, with_)
    doc = {"name": name, "annual_emissions_t": {int(y): float(v) for y, v in zip(delta["year"], delta["delta_t"])},
           **impact(without.annual, with_.annual, without.peak, with_.peak, peak_by=peak_by, peak_cap_t=peak_cap_t),
           "peak_by": peak_by, "peak_cap_t": peak_cap_t, **_delta_figures(without, with_),
           "by_sector_delta_t": _by_sector_delta(without, with_)}
    return doc


def _annual(without: Run, with_: Run) -> pd.DataFrame:
    a = without.annual[["year", "co2e_t_scope12"]].rename(columns={"co2e_t_scope12": "co2e_t_without"})
    b = with_.annual[["year", "co2e_t_scope12"]].rename(columns={"co2e_t_scope12": "co2e_t_with"})
    m = a.merge(b, on="year")
    return m.assign(delta_t=m["co2e_t_with"] - m["co2e_t_without"])


COLUMNS = ("project", "intensity", "intensity_unit", "intensity_t_per_10k_cny", "entry_threshold", "advanced_value",
           "meets_entry", "entry_verdict", "full_capacity_co2e_t", "peak_year_without", "peak_year_with",
           "peak_t_without", "peak_t_with", "peak_delta_t", "cumulative_2030_delta_t", "cumulative_2060_delta_t",
           "meets_peak_target_with", "headroom_share", "allowances_needed_t")


def _row(doc: dict) -> dict:
    return {c: (doc["name"] if c == "project" else doc.get(c)) for c in COLUMNS}
