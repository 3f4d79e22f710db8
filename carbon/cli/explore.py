"""``carbon explore``: the interactive results explorer (one self-contained HTML file)."""

from __future__ import annotations

import argparse

EPILOG = """examples:
  carbon explore results/                 results/explorer.html (open it in a browser, offline)
  carbon explore results/ --lang zh       the page opens in Chinese (it can switch language)
  carbon explore results/ -o plan/explorer.html
  carbon explore results/baseline         one run
The page holds plotly.js and the data: pick the view (pathway, Monte Carlo fan, inventory, capacity and
generation, dispatch day, market), indicator, scenarios, years and breakdown; hover for values;
download the numbers shown as CSV. Monte Carlo samples are shown as percentile bands."""


def register(subparsers) -> None:
    """Add the ``explore`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "explore",
        help="write an interactive results explorer (one HTML file that works offline)",
        description="Write an interactive explorer of a results folder of `carbon run` (or of one run folder): "
        "one self-contained HTML file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="RESULTS_DIR", help="results folder of carbon run, or a run folder")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="HTML file to write, or a folder for FOLDER/explorer.html (default RESULTS_DIR/explorer.html)",
    )
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language the page opens in (default en)")
    p.set_defaults(func=_cmd_explore)


def _cmd_explore(args: argparse.Namespace) -> int:
    from carbon.explore import build_explorer

    print(f"wrote {build_explorer(args.path, args.output, lang=args.lang)}")
    return 0
