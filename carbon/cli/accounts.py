"""``carbon accounts``: carbon accounts, grading, green credit and carbon-inclusive credits (issue 14)."""

from __future__ import annotations

import argparse

EPILOG = """example:
  carbon accounts models/lankao/accounts/accounts.yaml -o results/accounts"""


def register(subparsers) -> None:
    """Add the ``accounts`` command to an argparse subparsers object."""
    p = subparsers.add_parser(
        "accounts",
        help="carbon accounts of entities, grading, green credit, carbon-inclusive credits docked to the market",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="accounts file (YAML)")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=_cmd_accounts)


def _cmd_accounts(args: argparse.Namespace) -> int:
    from pathlib import Path

    from carbon.accounts.schema import GRADES
    from carbon.results import write_folder
    from carbon.stages.accounts import run_file

    spec, out = run_file(args.file)
    write_folder(Path(args.out), {"": out}, {"summary": {"name": spec.name, **out.summary}})
    s = out.summary
    print(
        f"{spec.name}: {s['entities']} entities, {s['accounts']} accounts, {s['entities_co2e_t']:,.0f} t CO2e "
        f"({s['entities_share']:.1%} of the county); grades " + ", ".join(f"{g} {s[f'accounts_{g}']}" for g in GRADES)
    )
    if "credits_issued_t" in s:
        used = f", {s['credits_used_t']:,.1f} t surrendered as offsets" if "credits_used_t" in s else ""
        print(f"carbon-inclusive credits: {s['credits_issued_t']:,.1f} t issued{used}")
    print(f"wrote {args.out}/")
    return 0
