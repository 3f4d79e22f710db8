"""``carbon init | list | show``: scaffold a county, list scenario files, show a finished run."""

from __future__ import annotations

import argparse
import textwrap

EPILOG_INIT = """example:
  carbon init models/newcounty --from-balance balance.csv --lat 34.85 --lon 114.82 --year 2020
  carbon validate models/newcounty/scenarios/baseline.yaml     # lists what still needs your data
  carbon run models/newcounty/scenarios/baseline.yaml -o results/newcounty"""


def register(subparsers) -> None:
    """Add the ``init``, ``list`` and ``show`` commands to an argparse subparsers object."""
    init = subparsers.add_parser("init", help="scaffold a county model from a yearbook energy balance",
                                 epilog=EPILOG_INIT, formatter_class=argparse.RawDescriptionHelpFormatter)
    init.add_argument("folder", metavar="FOLDER", help="the new model folder, e.g. models/newcounty")
    init.add_argument("--from-balance", required=True, metavar="CSV",
                      help="the energy balance, wide layout (sectors x fuels, a units row, an electricity column)")
    init.add_argument("--lat", type=float, required=True, help="latitude of the county, degrees north")
    init.add_argument("--lon", type=float, required=True, help="longitude of the county, degrees east")
    init.add_argument("--year", type=int, default=None, help="the balance's year (when it has no year column)")
    init.add_argument("--ghi", type=float, default=1400.0, metavar="KWH_M2",
                      help="annual global horizontal irradiation, kWh/m2 (default 1400, central Henan: a placeholder)")
    init.add_argument("--seed", type=int, default=20250101, help="seed of the weather and load noise")
    init.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    init.set_defaults(func=_cmd_init)

    lst = subparsers.add_parser("list", help="scenario files of a folder: description, runs, what they extend")
    lst.add_argument("folder", nargs="?", default="scenarios", metavar="DIR", help="folder (default: scenarios)")
    lst.set_defaults(func=_cmd_list)

    show = subparsers.add_parser("show", help="a finished run's key results and decisions")
    show.add_argument("run", metavar="RUN", help="a run folder written by carbon run")
    show.set_defaults(func=_cmd_show)


def _cmd_init(args: argparse.Namespace) -> int:
    from carbon.scaffold import init_model

    report = init_model(args.folder, args.from_balance, args.lat, args.lon, args.year, ghi_kwh_per_m2_year=args.ghi,
                        seed=args.seed, force=args.force)
    print(f"wrote {report.folder}/: " + ", ".join(report.files))
    print(f"  electricity use {report.annual_demand_mwh / 1e3:,.1f} GWh; full-load hours: solar "
          f"{report.solar_full_load_hours:,.0f} h, wind {report.wind_full_load_hours:,.0f} h")
    print("placeholders to replace with the county's data (also in README.md and model.yaml):")
    for item in report.placeholders:
        print(f"  - {item}")
    print(f"next: carbon run {report.folder}/scenarios/baseline.yaml -o results/{report.folder.name}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from carbon.scenario import list_scenarios

    rows = list_scenarios(args.folder)
    for row in rows:
        runs = f"{row['runs']:,} run{'s' if row['runs'] != 1 else ''}" if row["runs"] is not None else "does not load"
        extends = f", extends {row['extends']}" if row["extends"] else ""
        print(f"{row['file']}  [{row['name']}: {runs}{extends}]")
        text = row["error"] if row["error"] else row["description"] or "(no description)"
        print(textwrap.fill(text, width=100, initial_indent="    ", subsequent_indent="    "))
    bad = sum(row["error"] is not None for row in rows)
    print(f"\n{len(rows)} scenario file{'s' if len(rows) != 1 else ''}" + (f", {bad} with errors" if bad else ""))
    return 2 if bad else 0


def _cmd_show(args: argparse.Namespace) -> int:
    from carbon.results import open_run

    run = open_run(args.run)
    print(f"run {run.name}: {run.status}")
    print(f"  scenario file: {run.manifest.get('scenario_file', '-')}")
    if run.error:
        print(f"  error: {run.error}")
    figures = {k: v for k, v in run.summary.items() if not k.endswith(("_s", ".columns", ".rows"))}  # no timings
    if figures:
        print("key results:")
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            text = f"{value:,.6g}" if isinstance(value, float) else str(value)
            print(f"  {key:<{width}}  {text}")
    if not run.decisions.empty:
        print("decisions (resolved quantities):")
        print(textwrap.indent(run.decisions.drop(columns=[c for c in ("note",) if c in run.decisions])
                              .to_string(index=False, max_colwidth=60), "  "))
    print(f"tables: {', '.join(f'{s}/ ({len(run.tables(s))})' for s in run.stages) or '-'}")
    return 0 if run.ok else 2
