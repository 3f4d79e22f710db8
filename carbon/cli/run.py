"""``carbon run | validate``: run scenario batches, check scenario files; the batch summary."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING

from carbon.errors import CarbonError

if TYPE_CHECKING:
    import pandas as pd

EPILOG_RUN = """examples:
  carbon run scenarios/                      every scenario of the folder, on all cores
  carbon run scenarios/baseline.yaml -o out  one scenario, results in out/
  carbon run scenarios/ --resume             skip runs already complete with the same inputs
  carbon run scenarios/ --dask-local 2       on a local Dask cluster of 2 workers
exit code: 0 all runs succeeded, 2 some run failed on bad input, 1 an internal error."""

#: Emissions of a pathway in a year, in the batch summary (scope 1 + 2, t CO2e).
YEAR_COLUMN = re.compile(r"^pathway\.co2e_t_scope12_(\d{4})$")
#: Monte Carlo: the probability of peaking by this year when the samples carry no ``pathway.peak_by``.
DEFAULT_PEAK_BY = 2030


def register(subparsers) -> None:
    """Add the ``run`` and ``validate`` commands to an argparse subparsers object."""
    run = subparsers.add_parser(
        "run",
        help="run scenario files or folders as a batch",
        epilog=EPILOG_RUN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders of them")
    run.add_argument("-o", "--output", default="results", metavar="DIR", help="results folder (default: results)")
    run.add_argument("-j", "--jobs", type=int, default=None, metavar="N", help="local processes (default: all cores)")
    dask = run.add_mutually_exclusive_group()
    dask.add_argument("--scheduler", metavar="ADDRESS", help="send runs to this Dask scheduler (tcp://host:port)")
    dask.add_argument("--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers")
    run.add_argument("--resume", action="store_true", help="skip runs already complete with the same inputs")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    run.add_argument(
        "--max-runs",
        type=int,
        default=None,
        metavar="N",
        help="allow a scenario file to expand to up to N runs (default 10,000)",
    )
    run.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the printed summary (default en)")
    run.add_argument(
        "--format",
        choices=("auto", "csv"),
        default="auto",
        help="auto: tables over 100,000 rows as Parquet, the rest CSV (default); csv: all CSV",
    )
    run.set_defaults(func=_cmd_run)

    val = subparsers.add_parser(
        "validate",
        help="check scenario files without running them",
        epilog="example:\n  carbon validate scenarios/*.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    val.add_argument("files", nargs="+", metavar="FILE", help="scenario files or folders")
    val.add_argument(
        "--max-runs",
        type=int,
        default=None,
        metavar="N",
        help="allow a scenario file to expand to up to N runs (default 10,000)",
    )
    val.set_defaults(func=_cmd_validate)


def _cmd_run(args: argparse.Namespace) -> int:
    from carbon.runner import Progress, run_batch
    from carbon.scenario import MAX_RUNS

    progress = Progress(quiet=args.quiet)
    summary = run_batch(
        args.paths,
        args.output,
        jobs=args.jobs,
        scheduler=args.scheduler,
        dask_local=args.dask_local,
        resume=args.resume,
        progress=progress,
        max_runs=args.max_runs or MAX_RUNS,
        fmt=args.format,
    )
    print(format_summary(summary, getattr(args, "lang", "en")))
    if progress.skipped:
        print(
            f"\nskipped: {progress.skipped} run{'s' if progress.skipped != 1 else ''} already complete with the "
            "same inputs (--resume)"
        )
    print(f"\nresults: {args.output}/ (summary.csv and one folder per run)")
    bad = summary[summary["status"] != "ok"]
    if bad.empty:
        return 0
    return 1 if (bad["kind"] == "internal").any() else 2


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]``, or a column of NaN when the summary has no such column."""
    import pandas as pd

    if name in frame.columns:
        return frame[name]
    return pd.Series(float("nan"), index=frame.index, dtype=object)


def _number(frame: pd.DataFrame, name: str, scale: float = 1.0) -> pd.Series:
    """A numeric column (NaN where missing or not a number) times ``scale``."""
    import pandas as pd

    return pd.to_numeric(_column(frame, name), errors="coerce") * scale


def _year(value: object) -> str:
    import pandas as pd

    number = pd.to_numeric(value, errors="coerce")
    return "-" if pd.isna(number) else f"{int(number)}"


def _text(value: object) -> str:
    """A text cell: ``-`` when missing (None, NaN or blank)."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip():
        return "-"
    return str(value)


def _t(key: str, lang: str) -> str:
    """A phrase of the summary in ``lang``: the glossary's ``run_summary_<key>``."""
    from carbon.glossary import term

    return term(f"run_summary_{key}", lang, kind="text")


def _target_names(value: object, lang: str) -> str:
    """``carbon_intensity_reduction 2025;peak_by 2030`` as ``CO2 intensity reduction 2025, peak by 2030``
    (the glossary's names in ``lang``)."""
    from carbon.glossary import term

    items = [t.strip() for t in _text(value).split(";") if t.strip() and t.strip() != "-"]
    return ", ".join(" ".join([term(t.split(" ")[0], lang), *t.split(" ")[1:]]) for t in items) or "-"


def _pathway_block(runs: pd.DataFrame, lang: str = "en") -> str:
    """The pathway runs as a table: peak, the emissions of every year the summary carries, targets."""
    import pandas as pd

    from carbon.glossary import term

    status = _column(runs, "pathway.scope12_status").map(_text)
    if lang != "en":
        status = status.map(lambda s: term(s, lang) if s != "-" else s)
    table = pd.DataFrame(
        {
            _t("run", lang): runs["run"],
            _t("peak_year", lang): _column(runs, "pathway.scope12_peak_year").map(_year),
            _t("status", lang): status,
            _t("peak", lang): _number(runs, "pathway.scope12_peak_co2e_t", 1e-4),
        }
    )
    found = [(int(m.group(1)), c) for c in runs.columns if (m := YEAR_COLUMN.match(str(c)))]
    for year, col in sorted(found):
        values = _number(runs, col, 1e-4)
        if values.notna().any():
            table[str(year)] = values  # the block's title gives the unit
    table[_t("targets_met", lang)] = _column(runs, "pathway.targets_met").map(_text)
    text = _t("pathways", lang) + ":\n" + table.to_string(index=False, float_format=lambda v: f"{v:,.1f}", na_rep="-")
    if "pathway.targets_failed" in runs.columns:  # a list below the table: names are long
        failed = [
            f"- {name}: {_target_names(v, lang)}"
            for name, v in zip(runs["run"], runs["pathway.targets_failed"])
            if _target_names(v, lang) != "-"
        ]
        if failed:
            text += f"\n\n{_t('targets_failed', lang)}:\n" + "\n".join(failed)
    if "pathway.verdict" in runs.columns and lang == "en":
        verdicts = [f"- {name}: {_text(v)}" for name, v in zip(runs["run"], runs["pathway.verdict"]) if _text(v) != "-"]
        if verdicts:
            text += "\n\nverdicts:\n" + "\n".join(verdicts)
    return text


def _monte_carlo_line(base: str, rows: pd.DataFrame, lang: str = "en") -> str:
    """``- base: 97/100 samples ok, P(peak <= 2030) = 0.83 (scope 1 + 2)`` (or the inventory spread);
    a sample has peaked by the one rule of :func:`carbon.pathway.indicators.peaked_by`, as in the
    Monte Carlo aggregate."""
    import pandas as pd

    from carbon.pathway.indicators import peaked_by

    ok = rows[_column(rows, "status") == "ok"]
    text = f"- {base}: " + _t("samples_ok", lang).format(ok=len(ok), n=len(rows))
    if "pathway.scope12_status" in rows.columns and len(ok):
        by = _number(ok, "pathway.peak_by").fillna(DEFAULT_PEAK_BY)
        years = _number(ok, "pathway.scope12_peak_year")
        peaked = [
            peaked_by(str(status), None if pd.isna(year) else int(year), int(target))
            for status, year, target in zip(_column(ok, "pathway.scope12_status"), years, by)
        ]
        targets = sorted({int(y) for y in by})
        label = f"{targets[0]}" if len(targets) == 1 else _t("target_year", lang)
        text += ", " + _t("p_peak", lang).format(year=label, p=f"{sum(peaked) / len(rows):.2f}")
    elif "inventory.co2e_t" in rows.columns and len(ok):
        values = _number(ok, "inventory.co2e_t", 1e-4).dropna()
        if len(values):
            q = values.quantile([0.05, 0.5, 0.95])
            text += ", " + _t("inventory_spread", lang).format(
                m=f"{q[0.5]:,.1f}", lo=f"{q[0.05]:,.1f}", hi=f"{q[0.95]:,.1f}"
            )
    return text


def _inventory_block(inventory: pd.DataFrame, lang: str = "en") -> str:
    import pandas as pd

    cols = {
        "inventory.factor_set": ("factors", None),
        "inventory.gwp": ("gwp", None),
        "inventory.co2e_t": ("CO2e 10^4 t", 1e-4),
        "inventory.scope1_co2e_t": ("scope 1", 1e-4),
        "inventory.scope2_co2e_t": ("scope 2", 1e-4),
        "inventory.energy_tce": ("energy 10^4 tce", 1e-4),
    }
    table = pd.DataFrame({"run": inventory["run"], "status": _column(inventory, "status").map(_text)})
    for col, (label, scale) in cols.items():
        if col in inventory.columns and inventory[col].notna().any():
            table[label] = _number(inventory, col, scale) if scale else inventory[col]
    for col in sorted(c for c in inventory.columns if re.match(r"^market.*\.price_first_cny_per_", str(c))):
        stage, unit = col.split(".price_first_cny_per_")
        first = _number(inventory, col)
        last = _number(inventory, f"{stage}.price_last_cny_per_{unit}")
        if first.isna().all():
            continue
        label = f"{stage.removeprefix('market/') or 'market'} CNY/{unit} first-last"
        table[label] = [
            f"{a:,.1f}-{b:,.1f}" if pd.notna(a) and pd.notna(b) else f"{a:,.1f}-" if pd.notna(a) else "-"
            for a, b in zip(first, last)
        ]
    return (
        _t("inventories", lang) + ":\n" + table.to_string(index=False, float_format=lambda v: f"{v:,.2f}", na_rep="-")
    )


def format_summary(summary: pd.DataFrame, lang: str = "en") -> str:
    """The batch summary as text: pathway runs (peak, the emissions of each year the stages
    report, targets, verdict), Monte Carlo scenarios collapsed to one line each, inventory-only
    runs, then the failures. Emissions in 10^4 t CO2e (scope 1 + 2 unless said), energy in
    10^4 tce. Any column may be missing or NaN (a failed run has NaN everywhere). ``lang``
    ``zh``: the pathway block's headers, statuses and target names in Chinese (the verdict
    sentences, English only, are left out)."""
    from carbon.scenario import SAMPLE_SUFFIX

    if summary.empty or "run" not in summary.columns:
        return "no runs"
    names = summary["run"].astype(str)
    is_sample = names.str.contains(SAMPLE_SUFFIX)
    has_pathway = _column(summary, "pathway.scope12_status").notna()
    blocks = []
    runs = summary[~is_sample & has_pathway]
    if not runs.empty:
        blocks.append(_pathway_block(runs, lang))
    samples = summary[is_sample]
    if not samples.empty:
        lines = [_t("monte_carlo", lang) + ":"]
        for base, rows in samples.groupby(names[is_sample].str.replace(SAMPLE_SUFFIX, "", regex=True), sort=True):
            lines.append(_monte_carlo_line(str(base), rows, lang))
        blocks.append("\n".join(lines))
    inventory = summary[~is_sample & ~has_pathway]
    if not inventory.empty:
        blocks.append(_inventory_block(inventory, lang))
    sets = sorted(set(_column(summary, "inventory.factor_set").dropna().astype(str)))
    if sets:
        gwps = sorted(set(_column(summary, "inventory.gwp").dropna().astype(str)))
        blocks.append(_t("factor_sets", lang).format(sets=", ".join(sets), gwps=", ".join(gwps) or "-"))
    errors = summary[_column(summary, "status") != "ok"]
    if not errors.empty:
        blocks.append(
            _t("failed_runs", lang)
            + ":\n"
            + "\n".join(f"- {run}: {_text(error)}" for run, error in zip(errors["run"], _column(errors, "error")))
        )
    return "\n\n".join(blocks)


def _cmd_validate(args: argparse.Namespace) -> int:
    from carbon.errors import display_path
    from carbon.runner import validate_run
    from carbon.scaffold import placeholders
    from carbon.scenario import MAX_RUNS, iter_runs, scenario_files

    bad = 0
    for file in scenario_files(args.files):
        n = 0
        try:
            for n, spec in enumerate(iter_runs(file, args.max_runs or MAX_RUNS), start=1):
                validate_run(spec, full=n == 1)
        except CarbonError as exc:
            bad += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        print(f"ok: {file} ({n} run{'s' if n != 1 else ''})")
        if n:
            for item in placeholders(spec.model_dir):
                print(f"warning: placeholder ({display_path(spec.model_dir)}/model.yaml): {item}", file=sys.stderr)
    return 2 if bad else 0
