"""Command line: ``carbon run | validate | inventory | energy | market | doctor``.

Thin: parses arguments and calls the same public functions a notebook user calls. Any
:class:`~carbon.errors.CarbonError` is printed as one message and exits with code 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from pathlib import Path

import pandas as pd

from carbon import __version__
from carbon.errors import CarbonError, InputError

EPILOG_RUN = """examples:
  carbon run scenarios/                      every scenario of the folder, on all cores
  carbon run scenarios/baseline.yaml -o out  one scenario, results in out/
  carbon run scenarios/ --resume             skip runs already complete with the same inputs
  carbon run scenarios/ --dask-local 2       on a local Dask cluster of 2 workers
exit code: 0 all runs succeeded, 2 some run failed on bad input, 1 an internal error."""

EPILOG_INVENTORY = """examples:
  carbon inventory models/lankao
  carbon inventory models/lankao --factors ipcc2006 --gwp AR6 --by sector,gas
  carbon inventory my_activity.csv --factors-file my_factors.csv --format csv -o totals.csv
  carbon inventory energy_balance.csv --year 2020 --by item"""


def _cmd_run(args: argparse.Namespace) -> int:
    from carbon.runner import Progress, run_batch

    summary = run_batch(args.paths, args.output, jobs=args.jobs, scheduler=args.scheduler,
                        dask_local=args.dask_local, resume=args.resume, progress=Progress(quiet=args.quiet))
    print(format_summary(summary))
    print(f"\nresults: {args.output}/ (summary.csv and one folder per run)")
    bad = summary[summary["status"] != "ok"]
    if bad.empty:
        return 0
    return 1 if (bad["kind"] == "internal").any() else 2


def format_summary(summary: pd.DataFrame) -> str:
    """The batch summary as text: pathway runs (peak, 2030/2060 emissions, targets), Monte Carlo
    scenarios collapsed to one line each, inventory-only runs, then the failures. Emissions in
    10^4 t CO2e (scope 1 + 2 unless said), energy in 10^4 tce."""
    from carbon.scenario import SAMPLE_SUFFIX

    is_sample = summary["run"].str.contains(SAMPLE_SUFFIX)
    has_pathway = summary.get("pathway.scope12_status", pd.Series(index=summary.index, dtype=object)).notna()
    blocks = []
    runs = summary[~is_sample & has_pathway]
    if not runs.empty:
        table = pd.DataFrame({
            "run": runs["run"],
            "peak year": runs["pathway.scope12_peak_year"].map(lambda v: "-" if pd.isna(v) else f"{int(v)}"),
            "status": runs["pathway.scope12_status"],
            "peak 10^4 t": runs["pathway.scope12_peak_co2e_t"] * 1e-4,
            "2030 10^4 t": runs.get("pathway.co2e_t_scope12_2030") * 1e-4,
            "2060 10^4 t": runs.get("pathway.co2e_t_scope12_2060") * 1e-4,
            "targets met": runs["pathway.targets_met"],
        })
        blocks.append("pathways (scope 1 + 2, t CO2e x 10^4):\n" + table.to_string(index=False, float_format=lambda v: f"{v:,.1f}", na_rep="-"))
    samples = summary[is_sample]
    if not samples.empty:
        lines = ["Monte Carlo:"]
        for base, rows in samples.groupby(samples["run"].str.replace(SAMPLE_SUFFIX, "", regex=True), sort=True):
            ok = rows[rows["status"] == "ok"]
            text = f"- {base}: {len(ok)}/{len(rows)} samples ok"
            if "pathway.scope12_status" in rows and len(ok):
                peaked = (ok["pathway.scope12_status"] == "peaked") & (ok["pathway.scope12_peak_year"] <= 2030)
                text += f", P(peak <= 2030) = {peaked.sum() / len(rows):.2f} (scope 1 + 2)"
            elif "inventory.co2e_t" in rows and len(ok):
                q = ok["inventory.co2e_t"].quantile([0.05, 0.5, 0.95]) * 1e-4
                text += f", base-year CO2e 10^4 t: median {q[0.5]:,.1f} (90% range {q[0.05]:,.1f}-{q[0.95]:,.1f})"
            lines.append(text)
        blocks.append("\n".join(lines))
    inventory = summary[~is_sample & ~has_pathway]
    if not inventory.empty:
        cols = {"inventory.factor_set": ("factors", None), "inventory.gwp": ("gwp", None),
                "inventory.co2e_t": ("CO2e 10^4 t", 1e-4), "inventory.scope1_co2e_t": ("scope 1", 1e-4),
                "inventory.scope2_co2e_t": ("scope 2", 1e-4), "inventory.energy_tce": ("energy 10^4 tce", 1e-4)}
        table = pd.DataFrame({"run": inventory["run"], "status": inventory["status"]})
        for col, (label, scale) in cols.items():
            if col in inventory and inventory[col].notna().any():
                table[label] = inventory[col] * scale if scale else inventory[col]
        for col in sorted(c for c in inventory.columns if re.match(r"^market.*\.price_first_cny_per_", c)):
            stage, unit = col.split(".price_first_cny_per_")
            last = inventory.get(f"{stage}.price_last_cny_per_{unit}")
            if inventory[col].isna().all():
                continue
            label = f"{stage.removeprefix('market/') or 'market'} CNY/{unit} first-last"
            table[label] = [f"{a:,.1f}-{b:,.1f}" if pd.notna(a) else "-" for a, b in zip(inventory[col], last)]
        blocks.append("inventories (base year):\n" + table.to_string(index=False, float_format=lambda v: f"{v:,.2f}", na_rep="-"))
    if "inventory.factor_set" in summary and summary["inventory.factor_set"].notna().any():
        sets = ", ".join(sorted(set(summary["inventory.factor_set"].dropna()) ))
        gwps = ", ".join(sorted(set(summary["inventory.gwp"].dropna())))
        blocks.append(f"factor sets: {sets}; GWP: {gwps} (100-year)")
    errors = summary[summary["status"] != "ok"]
    if not errors.empty:
        blocks.append("failed runs:\n" + "\n".join(f"- {r.run}: {r.error}" for r in errors.itertuples()))
    return "\n\n".join(blocks)


def _cmd_validate(args: argparse.Namespace) -> int:
    from carbon.inventory.stage import compute
    from carbon.model import apply_overrides, load_model
    from carbon.scenario import expand, scenario_files

    bad = 0
    for file in scenario_files(args.files):
        try:
            specs = expand(file)
            models = {}
            for i, spec in enumerate(specs):
                if spec.data["model"] not in models:
                    models[spec.data["model"]] = load_model(spec.data["model"])
                try:
                    model = apply_overrides(models[spec.data["model"]], spec.data.get("overrides", {}))
                    if i == 0:
                        compute(model, spec.data.get("inventory", {}))
                        if "pathway" in spec.data:
                            from carbon.pathway.stage import project

                            project(model, spec.data)
                        _check_markets(spec.data, file)
                except CarbonError as exc:
                    raise exc.at(file) from None
        except CarbonError as exc:
            bad += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        print(f"ok: {file} ({len(specs)} run{'s' if len(specs) != 1 else ''})")
    return 2 if bad else 0


def _check_markets(data: dict, file: Path) -> None:
    """Build the inputs of a scenario's markets (firm files, ids, allocations), as a run would."""
    if "market" not in data and "markets" not in data:
        return
    from carbon.market.inputs import build_inputs
    from carbon.market.loader import parse_markets

    for name, section in parse_markets(data, file=file).items():
        prefix = "market" if "market" in data else f"markets.{name}"
        build_inputs(section, Path(file).parent, file=file, prefix=prefix)


def _cmd_inventory(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from carbon.inventory import account, load_factor_set, read_activity, read_factor_file
    from carbon.inventory.stage import compute
    from carbon.model import load_model

    path = Path(args.path)
    model = load_model(path) if path.is_dir() else None
    activity = model.activity if model else read_activity(path, year=args.year)
    if args.year is not None:
        activity = activity[activity["year"] == args.year].reset_index(drop=True)
        if activity.empty:
            raise InputError(f"no activity rows for year {args.year}", file=path, key="--year")
    if model:  # the model's choices where the command line gives none, as in a run
        options = {"factors": args.factors, "gwp": args.gwp, "factors_file": args.factors_file}
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
            "energy_tce_excluding_biomass": inv.energy_tce()}
    if args.format == "csv":
        text = totals.to_csv(index=False, lineterminator="\n")
    elif args.format == "json":
        text = json.dumps({**head, "totals": totals.to_dict(orient="records")}, indent=2, default=float) + "\n"
    else:
        text = (f"factor set: {inv.factor_set}" + (f" + {inv.factors_file}" if inv.factors_file else "")
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


def _cmd_doctor(args: argparse.Namespace) -> int:
    """Solve a two-variable LP with HiGHS through Pyomo and say what works."""
    import pyomo.environ as pyo

    print(f"carbon {__version__}, Python {sys.version.split()[0]}")
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 4))
    m.y = pyo.Var(bounds=(0, 3))
    m.c = pyo.Constraint(expr=m.x + m.y >= 5)
    m.o = pyo.Objective(expr=2 * m.x + 3 * m.y)
    solver = pyo.SolverFactory("appsi_highs")
    if not solver.available(exception_flag=False):
        raise InputError("HiGHS is not available to Pyomo", expected="pip install highspy")
    result = solver.solve(m)
    ok = abs(pyo.value(m.o) - 11.0) < 1e-9  # x = 4, y = 1: 2*4 + 3*1 = 11
    print(f"HiGHS via Pyomo: {result.solver.termination_condition}, objective {pyo.value(m.o):g} "
          f"({'correct' if ok else 'WRONG, expected 11'})")
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``carbon`` command."""
    parser = argparse.ArgumentParser(prog="carbon", description="Carbon peak engine: inventory, energy system, "
                                     "quota market and peak-carbon pathway of a county.")
    parser.add_argument("--version", action="version", version=f"carbon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run scenario files or folders as a batch", epilog=EPILOG_RUN,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders of them")
    run.add_argument("-o", "--output", default="results", metavar="DIR", help="results folder (default: results)")
    run.add_argument("-j", "--jobs", type=int, default=None, metavar="N", help="local processes (default: all cores)")
    dask = run.add_mutually_exclusive_group()
    dask.add_argument("--scheduler", metavar="ADDRESS", help="send runs to this Dask scheduler (tcp://host:port)")
    dask.add_argument("--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers")
    run.add_argument("--resume", action="store_true", help="skip runs already complete with the same inputs")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    run.set_defaults(func=_cmd_run)

    val = sub.add_parser("validate", help="check scenario files without running them",
                         epilog="example:\n  carbon validate scenarios/*.yaml",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    val.add_argument("files", nargs="+", metavar="FILE", help="scenario files or folders")
    val.set_defaults(func=_cmd_validate)

    inv = sub.add_parser("inventory", help="emissions inventory of an activity CSV or a model folder",
                         epilog=EPILOG_INVENTORY, formatter_class=argparse.RawDescriptionHelpFormatter)
    inv.add_argument("path", metavar="PATH", help="activity CSV (long form or energy balance) or model folder")
    inv.add_argument("--factors", choices=["china", "ipcc2006"], help="factor set (default: the model's, else china)")
    inv.add_argument("--factors-file", metavar="CSV", help="user factors overriding or adding to the set")
    inv.add_argument("--gwp", choices=["SAR", "AR4", "AR5", "AR6", "AR6-split"], help="GWP set (default AR5)")
    inv.add_argument("--year", type=int, help="only this year (required for an energy balance without a year column)")
    inv.add_argument("--by", default="sector", help="group totals by columns: year, sector, category, item, gas, "
                     "scope (comma-separated; empty for the full tidy table; default: sector)")
    inv.add_argument("--format", choices=["table", "csv", "json"], default="table")
    inv.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the terminal")
    inv.set_defaults(func=_cmd_inventory)

    doc = sub.add_parser("doctor", help="check that the solver works")
    doc.set_defaults(func=_cmd_doctor)

    from carbon.scenario import module_exists

    for module in ("carbon.energy.cli", "carbon.market.cli", "carbon.plots.cli"):
        if module_exists(module):
            importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``carbon`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CarbonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a command that stopped reading (e.g. head)
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
