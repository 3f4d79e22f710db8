"""``carbon market FILE``: clear a market file (or a scenario's markets) from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Clear a quota market (carbon allowances in tCO2 or energy-use rights in tce) and write its
tables: periods, firms, ledger, balances (and trades in agent mode), plus summary.json. Tables
of more than 100,000 rows are Parquet files (<name>.parquet), the others CSV; --format csv
writes every table as CSV. FILE is a market file, or a scenario with a `market:` or `markets:` section
(one sub-folder of DIR per market).
"""

EPILOG = """\
examples:
  carbon market scenarios/market_example.yaml -o results/market_example
  carbon market my_market.yaml                      # writes results/my_market-market/
  carbon market my_market.yaml --mode agents --seed 7 -o results/agents_seed7
"""


def register(subparsers) -> None:
    """Add the ``market`` command to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "market",
        help="clear a quota market (equilibrium or agent-based trading) and write its tables",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="market file or scenario (YAML)")
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default=None,
        help="output folder (default: results/<FILE stem>-market); replaced atomically",
    )
    parser.add_argument("--mode", choices=("equilibrium", "agents"), default=None, help="override the file's mode")
    parser.add_argument("--seed", type=int, default=None, help="seed of agent-based trading")
    parser.add_argument(
        "--format",
        choices=("auto", "csv"),
        default="auto",
        help="tables: auto (more than 100,000 rows as Parquet, the rest CSV; default) or csv (all CSV)",
    )
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the command; returns the exit code (errors propagate as CarbonError)."""
    # imported here: `carbon --help` stays fast
    from carbon.market.loader import parse_market, parse_markets, read_yaml
    from carbon.results import StageOutput, table_format, write_folder
    from carbon.stages.market import run_stage

    path = Path(args.file)
    data = read_yaml(path)
    scenario = isinstance(data, dict) and ("market" in data or "markets" in data)
    if isinstance(data, dict) and not scenario and "model" in data:
        from carbon.errors import InputError

        raise InputError("this scenario has no market", file=path, expected="a market file, or a scenario with a "
                         "'market:' or 'markets:' section", found="a scenario without either",
                         hint="run it with carbon run, or add a market section")
    if scenario:
        markets = parse_markets(data, file=path)
    else:
        markets = {"market": parse_market(data, file=path)}
    nested = scenario and "markets" in data
    outputs = {}
    for name, section in markets.items():
        if args.mode is not None:
            section = section.model_copy(update={"mode": args.mode})
        if args.seed is not None:
            section = section.model_copy(update={"agents": section.agents.model_copy(update={"seed": args.seed})})
        prefix = (f"markets.{name}" if nested else "market") if scenario else None
        outputs[name] = run_stage(section, path.parent, file=path, prefix=prefix)
    target = Path(args.output) if args.output else Path("results") / f"{path.stem}-market"
    with table_format(args.format):
        write_folder(target, {(name if nested else ""): StageOutput(tables=out.tables, documents={"summary": out.summary})
                              for name, out in outputs.items()})
    for name, out in outputs.items():
        print(_summary_text(name if nested else path.stem, out.summary))
    print(f"wrote {target}")
    return 0


def _summary_text(name: str, s: dict) -> str:
    unit = s.get("unit", "")
    slug = s.get("unit_slug") or unit.lower()
    head = (
        f"{name}: {s.get('firms')} firms, {s.get('first_period')}-{s.get('last_period')}, "
        f"mode {s.get('mode', 'equilibrium')}, unit {unit}"
    )
    lines = [head]
    for key, label in (
        (f"price_first_cny_per_{slug}", f"price, first period   CNY/{unit}"),
        (f"price_last_cny_per_{slug}", f"price, last period    CNY/{unit}"),
        (f"emissions_total_{slug}", f"emissions, all periods {unit}"),
        (f"abatement_total_{slug}", f"abatement, all periods {unit}"),
        (f"offsets_total_{slug}", f"offsets used           {unit}"),
        (f"bank_end_{slug}", f"bank at the end        {unit}"),
        ("abatement_cost_total_cny", "abatement cost         CNY"),
        ("efficiency", "efficiency (realised / maximum gains)"),
    ):
        if key in s:
            lines.append(f"  {label:<40} {s[key]:>16,.4f}")
    if s.get("ignored_in_agent_mode"):
        lines.append(f"  note: agent mode does not model {s['ignored_in_agent_mode']} (equilibrium mode does)")
    return "\n".join(lines)
