"""``carbon assess``: project carbon assessment and low-carbon entry (issue 15)."""

from __future__ import annotations

import argparse

EPILOG = """example:
  carbon assess models/lankao/projects/*.yaml --scenario scenarios/baseline.yaml -o results/assess"""


def register(subparsers) -> None:
    """Add the ``assess`` command to an argparse subparsers object."""
    p = subparsers.add_parser(
        "assess",
        help="assess investment projects: emissions, entry threshold, peak impact",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("projects", nargs="+", metavar="PROJECT", help="project files (YAML)")
    p.add_argument("--scenario", required=True, metavar="SCENARIO", help="the scenario run with and without")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--peak-cap-t",
        type=float,
        default=None,
        metavar="T",
        help="the county's peak target level, t CO2e scope 1+2 (for headroom and allowances)",
    )
    p.add_argument(
        "--try-failing-entry",
        action="store_true",
        help="let projects that fail their entry threshold into the combination that still meets the "
        "peak target (flagged); by default they are left out",
    )
    p.set_defaults(func=_cmd_assess)


def _cmd_assess(args: argparse.Namespace) -> int:
    from pathlib import Path

    from carbon.report.assessment import write_assessment
    from carbon.scenario import Scenario, load_project
    from carbon.stages.assess import assess

    projects = [load_project(p) for p in args.projects]
    scenario = Scenario.from_file(args.scenario)
    result = assess(scenario, projects, peak_cap_t=args.peak_cap_t, exclude_failing_entry=not args.try_failing_entry)
    write_assessment(Path(args.out), result, scenario.name)
    for row in result.table.itertuples(index=False):
        entry = "" if row.project == "pipeline" else f", entry {row.entry_verdict}"
        print(
            f"{row.project}: {row.full_capacity_co2e_t:,.0f} t CO2e/yr{entry}; peak {row.peak_year_without}"
            f" -> {row.peak_year_with}, {row.peak_t_without:,.0f} -> {row.peak_t_with:,.0f} t; "
            f"meets peak target: {row.meets_peak_target_with}"
        )
    print(f"still meets the peak target together: {', '.join(result.combination) or 'none'}")
    screening = result.screening
    if screening is not None and screening.failed_entry:
        how = "left out" if screening.entry_excluded else "tried, flagged"
        print(f"fail their entry threshold ({how}): {', '.join(screening.failed_entry)}")
    print(f"wrote {args.out}/")
    return 0
