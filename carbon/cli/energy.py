"""``carbon energy``: solve a model's power system from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from carbon.errors import InputError

if TYPE_CHECKING:  # the engine is imported inside the handlers: `carbon --help` stays fast
    import pandas as pd

    from carbon.energy.schema import EnergySection

EPILOG = """examples:
  carbon energy lankao                         # 8760 hours of 2025, settings' carbon price
  carbon energy models/lankao --days 24        # 24 representative days (fast)
  carbon energy lankao --days 24 --carbon-price 100 -o results/energy-100
  carbon energy lankao --days 12 --years 2025 2030 2035 --foresight perfect
  carbon energy lankao --days 24 --co2-cap 900000 --diagnose
  carbon energy lankao --days 24 --mac 0,50,100,200,400    # emissions at carbon prices
"""


def register(subparsers) -> None:
    """Add the ``energy`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "energy",
        help="least-cost capacity and hourly dispatch of the power system (Pyomo + HiGHS)",
        description="Solve the source-grid-load-storage model of MODEL/energy/ and print a summary.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", metavar="MODEL", help="model folder (or a name under models/)")
    p.add_argument(
        "--year",
        type=int,
        default=None,
        help="year to solve (default: the base year 2025); a later year retires old plants and grows the load "
        "by --demand-growth (default 0: the base year's load)",
    )
    p.add_argument("--years", type=int, nargs="+", default=None, metavar="Y",
                   help="milestone years (load grows only with --demand-growth)")
    p.add_argument(
        "--foresight",
        choices=["myopic", "perfect"],
        default="myopic",
        help="milestones solved in turn or at once",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--hours",
        type=int,
        nargs="?",
        const=0,
        default=None,
        metavar="N",
        help="hourly (all hours, or the first N)",
    )
    group.add_argument("--days", type=int, default=None, metavar="K", help="K representative days")
    p.add_argument("--peak-day", action="store_true", help="keep the day of peak load as a representative day")
    p.add_argument("--cyclic-days", action="store_true", help="storage cyclic within each representative day")
    p.add_argument("--carbon-price", type=float, default=None, metavar="P", help="carbon price, CNY/t")
    p.add_argument("--co2-cap", type=float, default=None, metavar="T", help="annual CO2 cap, t")
    p.add_argument(
        "--demand-growth",
        type=float,
        default=None,
        metavar="G",
        help="annual load growth after the base year (0.03 = 3 %%; default 0)",
    )
    p.add_argument(
        "--mac",
        default=None,
        metavar="P1,P2,...",
        help="also report emissions at these carbon prices (CNY/t)",
    )
    p.add_argument("--solver", default=None, help="HiGHS algorithm: ipm, simplex, pdlp, choose")
    p.add_argument("--time-limit", type=float, default=None, metavar="S", help="HiGHS time limit, s")
    p.add_argument("--diagnose", action="store_true", help="after an infeasible solve, report what is missing")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="write the tables as CSV to DIR",
    )
    p.set_defaults(func=handler)


def model_folder(name: str) -> Path:
    """``name`` as a folder, or ``models/<name>``; :class:`InputError` if neither exists."""
    path = Path(name)
    if path.is_dir():
        return path
    if (Path("models") / name).is_dir():
        return Path("models") / name
    raise InputError("model not found", key=name, expected="a model folder such as models/lankao", found=name)


def section_from_args(args: argparse.Namespace) -> EnergySection:
    """The ``energy:`` section the command line describes."""
    from carbon.energy.schema import EnergySection
    from carbon.schema import validate

    data: dict = {"foresight": args.foresight, "diagnose": args.diagnose}
    if args.years:
        data["years"] = args.years
    elif args.year is not None:
        data["years"] = [args.year]
    if args.hours is not None:
        if args.hours:
            data["hours"] = args.hours
        else:
            data["settings"] = {"resolution": {"mode": "hours", "hours": None}}
    if args.days is not None:
        data["days"] = args.days
    if args.peak_day:
        data.setdefault("settings", {}).setdefault("resolution", {})["peak_day"] = True
    if args.cyclic_days:
        data["storage_linking"] = "cyclic"
    if args.carbon_price is not None:
        data["carbon_price"] = args.carbon_price
    if args.co2_cap is not None:
        data["co2_cap"] = args.co2_cap
    if args.demand_growth is not None:
        data["demand_growth"] = args.demand_growth
    if args.mac:
        try:
            data["mac_prices"] = [float(v) for v in args.mac.split(",") if v.strip()]
        except ValueError:
            raise InputError(
                "cannot read --mac",
                expected="comma-separated numbers such as 0,50,100",
                found=args.mac,
            ) from None
    options = {}
    if args.solver:
        options["solver"] = args.solver
    if args.time_limit is not None:
        options["time_limit"] = args.time_limit
    if options:
        data["solver_options"] = options
    return validate(EnergySection, data, file="command line", prefix="energy")


def handler(args: argparse.Namespace) -> int:
    """Run ``carbon energy``; print the summary; write CSVs with ``-o``. Returns 0."""
    from carbon.results import StageOutput, write_folder
    from carbon.stages.energy import run_energy  # imported here: Pyomo loads only for this command

    section = section_from_args(args)
    folder = model_folder(args.model)
    result, curve, *_ = run_energy(section, folder)  # (result, MAC curve, resolved quantities)
    print(format_summary(result, curve))
    if args.output is not None:
        tables = result.tables()
        if curve is not None:
            tables["mac_curve"] = curve
        write_folder(Path(args.output), {"": StageOutput(tables=tables)})
        print(f"wrote {len(tables)} tables to {args.output}")
    return 0


def format_summary(result, curve: pd.DataFrame | None = None) -> str:
    """A short text summary: per year the key figures, then capacities."""
    import pandas as pd

    size, timings = result.size, result.timings
    lines = [(
        f"status {result.status}; objective {result.objective_cny / 1e6:,.2f} million CNY; "
        f"LP {size.get('columns', 0):,} columns x {size.get('rows', 0):,} rows; "
        f"{timings.get('total_s', 0):.2f} s (HiGHS {timings.get('solve_s', 0):.2f} s)"
    )]
    years = result.years
    lines.append(
        f"{'year':>6} {'load GWh':>10} {'CO2 kt':>10} {'RE share':>9} {'import GWh':>11} {'unserved MWh':>13} "
        f"{'CO2 shadow CNY/t':>17} {'cost CNY/MWh':>13}"
    )
    for r in years.itertuples():
        lines.append(
            f"{r.year:>6} {r.load_mwh / 1e3:>10.1f} {r.emissions_t / 1e3:>10.1f} {r.renewable_share:>9.1%} "
            f"{r.imports_mwh / 1e3:>11.1f} {r.unserved_mwh:>13.1f} {r.co2_shadow_price_cny_per_t:>17.1f} "
            f"{r.system_cost_cny_per_mwh:>13.1f}"
        )
    cap = result.capacity
    lines.append(f"{'year':>6} {'technology':<14} {'existing MW':>12} {'new MW':>9} {'total MW':>9} {'total MWh':>10}")
    for r in cap.itertuples():
        if r.total_mw > 0 or r.new_mw > 0:
            mwh = "" if pd.isna(r.total_mwh) else f"{r.total_mwh:.1f}"
            lines.append(
                f"{r.year:>6} {r.technology:<14} {r.existing_mw:>12.1f} {r.new_mw:>9.1f} {r.total_mw:>9.1f} {mwh:>10}"
            )
    if curve is not None:
        lines.append(f"{'year':>6} {'carbon price CNY/t':>19} {'CO2 kt':>10} {'abatement kt':>13}")
        for r in curve.itertuples():
            lines.append(
                f"{r.year:>6} {r.carbon_price_cny_per_t:>19.1f} {r.emissions_t / 1e3:>10.1f} "
                f"{r.abatement_t / 1e3:>13.1f}"
            )
    return "\n".join(lines)


