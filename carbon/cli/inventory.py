"""``carbon inventory``: the emissions inventory of an activity CSV or a model folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from carbon.errors import InputError

EPILOG_INVENTORY = """examples:
  carbon inventory models/lankao
  carbon inventory models/lankao --factors ipcc2006 --gwp AR6 --by sector,gas
  carbon inventory my_activity.csv --factors-file my_factors.csv --format csv -o totals.csv
  carbon inventory energy_balance.csv --year 2020 --by item
  carbon inventory BALANCE.csv --year 2019 --factors ceads --by item,gas"""


def register(subparsers) -> None:
    """Add the ``inventory`` command to an argparse subparsers object."""
    inv = subparsers.add_parser("inventory", help="emissions inventory of an activity CSV or a model folder",
                                epilog=EPILOG_INVENTORY, formatter_class=argparse.RawDescriptionHelpFormatter)
    inv.add_argument("path", metavar="PATH", help="activity CSV (long form or energy balance) or model folder")
    inv.add_argument("--factors", choices=["china", "ipcc2006", "ceads"],
                     help="factor set (default: the model's, else china); ceads reproduces the CEADs inventories")
    inv.add_argument("--factors-file", metavar="CSV", help="user factors overriding or adding to the set")
    inv.add_argument("--gwp", choices=["SAR", "AR4", "AR5", "AR6", "AR6-split"], help="GWP set (default AR5)")
    inv.add_argument("--year", type=int, help="only this year (required for an energy balance without a year column)")
    inv.add_argument("--by", default="sector", help="group totals by columns: year, sector, category, item, gas, "
                     "scope (comma-separated; empty for the full tidy table; default: sector)")
    inv.add_argument("--format", choices=["table", "csv", "json"], default="table")
    inv.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the terminal")
    inv.set_defaults(func=_cmd_inventory)


def _cmd_inventory(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from carbon.inventory import account, load_factor_set, read_activity, read_factor_file
    from carbon.model import load_model
    from carbon.stages.inventory import compute

    path = Path(args.path)
    model = load_model(path) if path.is_dir() else None
    activity = model.activity if model else read_activity(path, year=args.year)
    method = activity.attrs.get("method")
    if args.year is not None:
        activity = activity[activity["year"] == args.year].reset_index(drop=True)
        if activity.empty:
            raise InputError(f"no activity rows for year {args.year}", file=path, key="--year")
    if model:  # the model's choices where the command line gives none, as in a run
        from carbon.scenario import InventoryOptions

        options = InventoryOptions(factors=args.factors, gwp=args.gwp, factors_file=args.factors_file)
        inv = compute(replace(model, activity=activity), options)
    else:
        user = read_factor_file(args.factors_file) if args.factors_file else None
        factor_set = load_factor_set(args.factors or "china", user, args.factors_file)
        inv = account(activity, factor_set, args.gwp or "AR5", validated=True, file=path)
    by = [b.strip() for b in args.by.split(",") if b.strip()]
    allowed = {"year", "sector", "category", "item", "gas", "scope"}
    for b in by:
        if b not in allowed:
            raise InputError(f"cannot group by {b!r}", key="--by", expected=", ".join(sorted(allowed)), found=b)
    totals = inv.totals(by) if by else inv.emissions
    head = {"factor_set": inv.factor_set, "factors_file": inv.factors_file, "gwp": inv.gwp,
            "electricity": inv.electricity_method, "total_co2e_t": inv.total_co2e_t(),
            "energy_tce_excluding_biomass": inv.energy_tce(), "method": method}
    if args.format == "csv":
        text = totals.to_csv(index=False, lineterminator="\n")
    elif args.format == "json":
        text = json.dumps({**head, "totals": totals.to_dict(orient="records")}, indent=2, default=float) + "\n"
    else:
        text = ((f"{method}\n" if method else "") + f"factor set: {inv.factor_set}" + (f" + {inv.factors_file}" if inv.factors_file else "")
                + f"   GWP: {inv.gwp} (100-year)   {inv.electricity_method}\n"
                + totals.to_string(index=False, float_format=lambda v: f"{v:,.1f}") + "\n"
                + f"total: {inv.total_co2e_t():,.1f} t CO2e (biogenic CO2 excluded); "
                + f"energy {inv.energy_tce():,.1f} tce (biomass excluded)\n")
    if args.output:
        from carbon.results import write_text_atomic

        write_text_atomic(Path(args.output), text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0
