"""``carbon plot | report | compare``: figures, the action-plan report and run comparisons."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from carbon.errors import InputError

EPILOG_PLOT = """examples:
  carbon plot results/                    every figure of a batch, to results/figures/
  carbon plot results/baseline            the figures of one run, to results/baseline/figures/
  carbon plot results/ --format png,pdf   PNG and PDF (for print)
  carbon plot results/policy --year 2030 --days 15,196   dispatch on 16 Jan and 16 Jul 2030
  carbon plot results/ --lang zh -o figs  Chinese labels (needs a CJK font: apt-get install fonts-noto-cjk)
Figures whose data a run does not have (no energy:, market: or pathway) are skipped with a note
(also written to <DIR>/skipped.txt)."""

EPILOG_REPORT = """examples:
  carbon report results/baseline          results/baseline/report.html and indicators.xlsx
  carbon report results/ -o plan          a batch: key indicators, why notes, comparison, Monte Carlo, every run
  carbon report results/ --lang zh        headings, tables, sheet names, captions and figures in Chinese
  carbon report results/ --format docx    report.docx: the quantitative annex as an editable Word file
  carbon report results/ --reference policy   differences from the run policy (default: baseline)
report.html is one self-contained file (figures embedded); indicators.xlsx opens with the key
indicators, then one sheet per table with the units in the headers (emissions in 10^4 t CO2e,
energy in 10^4 tce)."""

EPILOG_COMPARE = """examples:
  carbon compare results/baseline results/policy
  carbon compare results/ -o compare --format png,svg     every run of a batch
  carbon compare results/ --reference policy --lang zh
Prints the key indicators side by side (2030/2060 emissions, cumulative emissions, peak, missed
targets, differences from the reference run), one block per screenful of runs, and writes
compare.csv and the pathway chart (small multiples beyond 6 runs) to DIR."""


def register(subparsers) -> None:
    """Add the ``plot``, ``report`` and ``compare`` subcommands to an argparse subparsers object."""
    p = subparsers.add_parser(
        "plot",
        help="draw every figure of a run or batch folder (never solves again)",
        description="Draw the figures of a run folder, a results folder of `carbon run` "
        "or a Monte Carlo aggregate folder.",
        epilog=EPILOG_PLOT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="RUN_OR_BATCH", help="run folder or results folder")
    p.add_argument("--format", default="png", metavar="FMT", help="png, svg, pdf, comma-separated (default png)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="label language (default en)")
    p.add_argument("-o", "--output", default=None, metavar="DIR", help="figures folder (default RUN_OR_BATCH/figures)")
    p.add_argument(
        "--year",
        type=int,
        default=None,
        metavar="Y",
        help="milestone year of the hourly energy figures (default: the peak target year when it is a milestone, else the first)",
    )
    p.add_argument(
        "--days",
        default=None,
        metavar="D1,D2",
        help="days of the year (0 = 1 January) of the dispatch figure (default: highest and lowest net load)",
    )
    p.add_argument(
        "-j", "--jobs", type=int, default=None, metavar="N", help="worker processes (default: all cores; 1 = none)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(func=_cmd_plot)

    r = subparsers.add_parser(
        "report",
        help="write report.html and indicators.xlsx of a run or batch",
        description="The action-plan report of a run or batch: one self-contained HTML "
        "file and an Excel workbook of the indicator tables.",
        epilog=EPILOG_REPORT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("path", metavar="RUN_OR_BATCH", help="run folder or results folder")
    r.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the whole report (default en)")
    r.add_argument("-o", "--output", default=None, metavar="DIR", help="output folder (default RUN_OR_BATCH)")
    r.add_argument(
        "--format", default="html,xlsx", metavar="FMT", help="html, xlsx, docx, comma-separated (default html,xlsx)"
    )
    r.add_argument(
        "--reference", default=None, metavar="RUN", help="run the others are compared with (default baseline)"
    )
    r.set_defaults(func=_cmd_report)

    c = subparsers.add_parser(
        "compare",
        help="key indicators of runs side by side, and an overlay chart",
        description="Compare runs: a table of key indicators (printed and written as "
        "compare.csv) and an overlay chart.",
        epilog=EPILOG_COMPARE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("paths", nargs="+", metavar="RUN", help="run folders (or results folders: all their runs)")
    c.add_argument("-o", "--output", default="compare", metavar="DIR", help="output folder (default ./compare)")
    c.add_argument("--format", default="png", metavar="FMT", help="png, svg, pdf, comma-separated (default png)")
    c.add_argument("--lang", choices=("en", "zh"), default="en", help="language (default en)")
    c.add_argument(
        "--reference", default=None, metavar="RUN", help="run the others are compared with (default baseline)"
    )
    c.add_argument("--width", type=int, default=None, metavar="N", help="terminal width (default: the terminal's)")
    c.set_defaults(func=_cmd_compare)


def _cmd_plot(args: argparse.Namespace) -> int:
    from carbon.plots import plot

    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs must be at least 1", key="--jobs", expected="a positive integer", found=args.jobs)
    days = None
    if args.days:
        try:
            days = [int(d) for d in args.days.split(",") if d.strip()]
        except ValueError:
            raise InputError(
                "days must be whole numbers", key="--days", expected="days of the year, e.g. 15,196", found=args.days
            ) from None
    result = plot(
        args.path,
        args.output,
        args.format,
        args.lang,
        jobs=args.jobs,
        year=args.year,
        days=days,
        log=None
        if args.quiet
        else (lambda line: print(line, file=sys.stderr if line.startswith("note") else sys.stdout)),
    )
    out = args.output or str(Path(args.path) / "figures")
    print(
        f"{len(result.files)} file(s) written to {out}/"
        + (f"; {len(result.notes)} note(s), see {out}/skipped.txt" if result.notes else "")
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from carbon.report import build_report

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    result = build_report(
        args.path,
        args.output,
        lang=args.lang,
        log=lambda line: print(line, file=sys.stderr),
        formats=formats,
        reference=args.reference,
    )
    for path in (result.html, result.xlsx, result.docx):
        if path is not None:
            print(f"wrote {path}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from carbon.report.compare import compare

    result = compare(
        args.paths, args.output, formats=args.format, lang=args.lang, reference=args.reference, width=args.width
    )
    print(result.text)
    for f in result.files:
        print(f"wrote {f}")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
