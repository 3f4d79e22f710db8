"""``carbon compare``: the planner's numbers of several runs side by side (with differences
from a reference run), fitted to the terminal, and a pathway chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from carbon.errors import InputError
from carbon.glossary import display_width, wrap
from carbon.plots import parse_formats
from carbon.plots.data import Aggregate, Batch, Run, open_path
from carbon.plots.style import use_language
from carbon.report.keytable import KeyTable, failed_targets, key_table
from carbon.report.text import fmt_number, name, text
from carbon.results import atomic_file

#: Other indicators of the manifests: (glossary text key of the row label, source, key, scale).
INDICATORS: tuple[tuple[str, str, str, float], ...] = (
    ("cmp_inventory_co2e", "inventory", "co2e_t", 1e-4),
    ("cmp_inventory_scope1", "inventory", "scope1_co2e_t", 1e-4),
    ("cmp_inventory_scope2", "inventory", "scope2_co2e_t", 1e-4),
    ("cmp_inventory_energy", "inventory", "energy_tce", 1e-4),
    ("cmp_factor_set", "inventory", "factor_set", 1.0),
    ("cmp_gwp", "inventory", "gwp", 1.0),
    ("cmp_power_renewable_share", "energy", "renewable_share", 1.0),
    ("cmp_power_system_cost", "energy", "system_cost_cny_per_mwh", 1.0),
    ("cmp_power_total_cost", "energy", "objective_cny", 1e-8),
)


@dataclass
class CompareResult:
    """The comparison table, its text, the files written and notes."""

    table: pd.DataFrame
    text: str
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def expand_runs(paths: Sequence[str | Path]) -> list[Run]:
    """Run folders from paths: a run folder itself, or every run (not Monte Carlo samples) of a results folder."""
    runs: list[Run] = []
    for p in paths:
        obj = open_path(p)
        if isinstance(obj, Run):
            runs.append(obj)
        elif isinstance(obj, Batch):
            runs += [r for r in obj.runs if r.ok and not r.is_sample]
        elif isinstance(obj, Aggregate):
            raise InputError(
                "a Monte Carlo aggregate cannot be compared",
                file=p,
                expected="run folders or results folders",
                found="an aggregate folder",
            )
    if not runs:
        raise InputError("nothing to compare", expected="at least one run folder", found=", ".join(map(str, paths)))
    return runs


def indicator_table(runs: Sequence[Run], lang: str = "en") -> pd.DataFrame:
    """Rows = indicators (unit in the label), columns = runs: the base-year and power-system
    figures of the runs' manifests (the key indicators are :func:`carbon.report.keytable.key_table`)."""
    cols: dict[str, dict[str, object]] = {}
    names = [r.name for r in runs]
    for run in runs:
        label = run.name if names.count(run.name) == 1 else str(run.path)
        summary = run.manifest.get("summary") or {}
        col: dict[str, object] = {"status": run.manifest.get("status")}
        for row, stage, key, scale in INDICATORS:
            value = (summary.get(stage) or {}).get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = value * scale
            if value is not None:
                col[text(row, lang)] = value
        for stage, data in sorted(summary.items()):
            if stage.startswith("market"):
                for k, v in sorted(data.items()):
                    if k.startswith(("price_first_cny_per_", "price_last_cny_per_")):
                        unit = k.rsplit("_per_", 1)[1]
                        which = "first" if "first" in k else "last"
                        market = name(stage.removeprefix("market/") or "market", lang)
                        col[text(f"cmp_price_{which}", lang, market=market, unit=unit)] = v
        cols[label] = col
    return pd.DataFrame(cols)


def planner_table(runs: Sequence[Run], reference: str | None = None, lang: str = "en") -> tuple[KeyTable, pd.DataFrame]:
    """The key indicators with differences from the reference (text cells, rows = indicators,
    columns = run labels), then the other indicators that differ between the runs (the
    inventory when it differs, the power system, market prices)."""
    key = key_table(runs, reference, lang)
    frame = key.display(lang, differences=len(runs) > 1)
    extra = indicator_table(runs, lang).drop(index=["status"], errors="ignore")
    extra.columns = [key.labels.get(c, c) for c in extra.columns]
    varying = [i for i in extra.index if extra.loc[i].astype(str).nunique() > 1 or len(runs) == 1]
    extra = extra.loc[varying].map(
        lambda v: fmt_number(v) if isinstance(v, (int, float)) else ("-" if v is None else str(v))
    )
    if len(frame):
        frame = pd.concat([frame, extra.reindex(columns=frame.columns).fillna("-")])
    else:
        frame = extra
    return key, frame


def _pad(s: str, width: int, right: bool = True) -> str:
    gap = " " * max(0, width - display_width(s))
    return gap + s if right else s + gap


def format_table(table: pd.DataFrame, width: int = 100, label_width: int = 44, cell_width: int = 22) -> str:
    """The comparison as text that fits ``width`` terminal columns: row labels wrapped to
    ``label_width``, run names and long cells wrapped to ``cell_width``, and the runs in as
    many blocks (each repeating the row labels) as the width needs."""
    if table.empty:
        return "(nothing to compare)"
    cells = table.map(lambda v: "-" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    label_w = min(label_width, max(display_width(str(i)) for i in cells.index))
    widths = {c: max(10, min(cell_width, max(display_width(v) for v in cells[c]))) for c in cells.columns}
    blocks, current, used = [], [], label_w
    for c in cells.columns:
        if current and used + 2 + widths[c] > width:
            blocks.append(current)
            current, used = [], label_w
        current.append(c)
        used += 2 + widths[c]
    blocks.append(current)
    out = []
    for block in blocks:
        heads = {c: wrap(str(c), widths[c]) for c in block}
        depth = max(len(h) for h in heads.values())
        lines = []
        for k in range(depth):
            lines.append(
                " " * label_w
                + "".join(
                    "  " + _pad(heads[c][k - depth + len(heads[c])] if k >= depth - len(heads[c]) else "", widths[c])
                    for c in block
                )
            )
        lines.append("-" * (label_w + sum(2 + widths[c] for c in block)))
        for label, row in cells[block].iterrows():
            parts = [wrap(str(label), label_w)] + [wrap(row[c], widths[c]) for c in block]
            height = max(len(p) for p in parts)
            for k in range(height):
                line = _pad(parts[0][k] if k < len(parts[0]) else "", label_w, right=False)
                line += "".join("  " + _pad(p[k] if k < len(p) else "", widths[c]) for p, c in zip(parts[1:], block))
                lines.append(line)
        out.append("\n".join(line.rstrip() for line in lines))
    return "\n\n".join(out)


def compare(
    paths: Sequence[str | Path],
    out: str | Path = "compare",
    formats: str | Sequence[str] = ("png",),
    lang: str = "en",
    reference: str | None = None,
    width: int | None = None,
) -> CompareResult:
    """Compare runs: the planner's numbers (``compare.csv``: peak, 2025-2060 emissions,
    cumulative emissions, each target met or missed, differences from the reference run) and a
    pathway chart (small multiples beyond six runs).

    Parameters
    ----------
    paths
        Run folders, or results folders (all their runs but Monte Carlo samples).
    out
        Output folder.
    lang
        ``en`` or ``zh``.
    reference
        The run the others are compared with (default ``baseline`` when there is one, else the first).
    width
        Width of the printed table (default: the terminal's).
    """
    import shutil

    from carbon.plots import inventory as inv
    from carbon.plots import pathway as pw
    from carbon.plots.driver import FigureJob, save_figures

    fmts = parse_formats(formats)
    runs = expand_runs(paths)
    used, message = use_language(lang)
    notes = [message] if message else []
    key, table = planner_table(runs, reference, lang)
    out_dir = Path(out)
    files: list[Path] = []
    target = out_dir / "compare.csv"
    with atomic_file(target, suffix=".csv") as tmp:
        table.to_csv(tmp, index_label=text("indicator", lang), lineterminator="\n")
    files.append(target)
    if any((r.path / "pathway" / "annual.csv").is_file() for r in runs):
        charts = [
            FigureJob(f"compare_pathway_{v}", "comparison", partial(pw.compare_pathways, runs, v, used))
            for v in pw.VIEWS
        ]
    else:
        notes.append("no run has a pathway: the overlay shows the inventories")
        charts = [FigureJob("compare_inventory", "comparison", partial(inv.compare_inventory, runs, used))]
    written, skipped = save_figures(charts, out_dir, fmts, used)
    cols = max(40, width or shutil.get_terminal_size((100, 24)).columns)
    head = text("key_reference", lang, ref=key.labels[key.reference]) if key.reference and len(runs) > 1 else ""
    body = format_table(table, cols)
    missed = [f"- {key.labels[r]}: {'; '.join(f)}" for r in key.runs if (f := failed_targets(key, r, lang))]
    if missed:
        body += f"\n\n{text('key_missed', lang)}:\n" + "\n".join(missed)
    lines = []
    for line in ((head + "\n\n" if head else "") + body).splitlines():
        lines += wrap(line, cols) if display_width(line) > cols else [line]
    return CompareResult(table, "\n".join(lines), files + written, notes + skipped)
