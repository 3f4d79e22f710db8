"""The action-plan report of a run or batch: ``report.html`` (one self-contained file, figures
embedded) and ``indicators.xlsx`` (one sheet per table, units in the headers).

Everything is read from run folders; nothing is solved again.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from carbon import __version__
from carbon.errors import InputError
from carbon.plots import FigureJob, figures, freeze_layout, render
from carbon.plots.data import Aggregate, Batch, Run, open_path
from carbon.plots.style import use_language
from carbon.report.tables import ReportTables, Table, format_cell, report_tables, shown_runs
from carbon.results import atomic_file, write_text_atomic

__all__ = ["SECTIONS", "ReportResult", "build_report", "write_excel", "write_html"]

#: Sections of a run's report, in order: (id, title, figure families shown there).
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("indicators", "Pathway and indicators", ("pathway",)),
    ("peak", "Peak", ()),
    ("targets", "Targets", ()),
    ("inventory", "Inventory of the base year", ("inventory",)),
    ("energy", "Power system", ("energy",)),
    ("market", "Quota markets", ("market",)),
    ("scenario", "Resolved scenario", ()),
    ("provenance", "Provenance", ()),
)
MISSING = {
    "indicators": "No pathway in this run (pathway/ is absent: the pathway stage has not run).",
    "peak": "No peak: pathway/peak.json is absent.",
    "targets": "No targets: pathway/targets.csv is absent.",
    "inventory": "No inventory in this run.",
    "energy": "No power system in this run (the scenario has no energy: section).",
    "market": "No quota market in this run (the scenario has no market: or markets: section).",
}
HTML_DPI = 110

CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",Helvetica,Arial,sans-serif;
 margin:0 auto;max-width:1100px;padding:0 24px 48px;color:#222;line-height:1.45}
h1{font-size:1.7em;margin:24px 0 4px} h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:36px}
h3{margin-top:24px} .meta{color:#666;font-size:.9em}
nav ul{columns:3;list-style:none;padding:0} nav a{color:#1f5fa8;text-decoration:none}
figure{margin:16px 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
table{border-collapse:collapse;font-size:.82em;margin:8px 0 4px}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0} td.text,th.text{text-align:left}
.note{background:#fff8e1;border-left:4px solid #f2c12e;padding:6px 10px;margin:8px 0;font-size:.9em}
.scroll{overflow-x:auto} details{margin:12px 0} summary{cursor:pointer;font-weight:bold}
"""


@dataclass
class ReportResult:
    """Paths written by :func:`build_report` and notes on what was left out."""

    html: Path
    xlsx: Path
    notes: list[str] = field(default_factory=list)
    figures: int = 0


def _png(fig) -> str:
    fig.set_dpi(HTML_DPI)
    freeze_layout(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=HTML_DPI, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _table_html(table: Table, limit: int | None = None) -> str:
    frame = table.frame
    limit = table.html_rows if limit is None else limit
    if limit == 0:
        return (
            f'<p class="note">{html.escape(table.title)}: {len(frame):,} rows, in indicators.xlsx '
            f"(sheet {html.escape(table.key[:31])}).</p>"
        )
    shown = frame.head(limit)
    text_cols = {
        c
        for c in shown.columns
        if not pd.api.types.is_numeric_dtype(shown[c]) or str(c).startswith(("year", "period", "run"))
    }
    head = "".join(f'<th class="{"text" if c in text_cols else ""}">{html.escape(str(c))}</th>' for c in shown.columns)
    rows = []
    for rec in shown.itertuples(index=False):
        cells = "".join(
            f'<td class="{"text" if c in text_cols else ""}">{html.escape(format_cell(v))}</td>'
            for c, v in zip(shown.columns, rec)
        )
        rows.append(f"<tr>{cells}</tr>")
    more = (
        f'<p class="note">First {limit} of {len(frame):,} rows; the whole table is in indicators.xlsx '
        f"(sheet {html.escape(table.key[:31])}).</p>"
        if len(frame) > limit
        else ""
    )
    return (
        f'<h3>{html.escape(table.title)}</h3><div class="scroll"><table data-table="{html.escape(table.key)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{more}"
    )


def _figures_html(jobs: Sequence[FigureJob], notes: list[str]) -> tuple[str, int]:
    import matplotlib.pyplot as plt

    parts, n = [], 0
    for job, fig, note in render(jobs):
        if fig is None:
            notes.append(note)
            parts.append(f'<p class="note">{html.escape(note)}</p>')
            continue
        try:
            data = _png(fig)
        finally:
            plt.close(fig)
        n += 1
        parts.append(
            f'<figure data-figure="{html.escape(job.stem)}"><img alt="{html.escape(job.caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(job.caption)}</figcaption></figure>'
        )
    return "".join(parts), n


def _run_sections(
    run: Run, jobs: list[FigureJob], tables: list[Table], notes: list[str], prefix: str = "", level: int = 2
) -> tuple[str, int]:
    out, count = [], 0
    h = f"h{level}"
    for sid, title, families in SECTIONS:
        sec_jobs = [j for j in jobs if j.family in families]
        sec_tables = [t for t in tables if t.section == sid]
        if sid == "scenario":
            import yaml

            body = (
                "<p>As resolved by <code>carbon run</code> (extends, overrides and sweep values applied); "
                'also in indicators.xlsx, sheet scenario.</p><pre data-table="scenario">'
                f"{html.escape(yaml.safe_dump(run.scenario, sort_keys=True, allow_unicode=True))}</pre>"
            )
        else:
            body, n = _figures_html(sec_jobs, notes)
            count += n
            body += "".join(_table_html(t) for t in sec_tables)
            if not sec_jobs and not sec_tables:
                body = f'<p class="note">{html.escape(MISSING.get(sid, "Nothing to show."))}</p>'
        out.append(f'<section id="{prefix}{sid}"><{h}>{html.escape(title)}</{h}>{body}</section>')
    return "".join(out), count


def _document(title: str, meta: str, nav: list[tuple[str, str]], body: str) -> str:
    links = "".join(f'<li><a href="#{html.escape(i)}">{html.escape(t)}</a></li>' for i, t in nav)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        f'<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1><p class="meta">{meta}</p>'
        f"<nav><ul>{links}</ul></nav>{body}</body></html>\n"
    )


def write_html(
    obj: Run | Batch | Aggregate,
    path: Path,
    lang: str = "en",
    notes: list[str] | None = None,
    tables: ReportTables | None = None,
) -> int:
    """Write the self-contained HTML report of a run, batch or aggregate; returns the number of
    figures. ``tables`` are those of :func:`~carbon.report.tables.report_tables` (built when not given)."""
    notes = notes if notes is not None else []
    tables = tables if tables is not None else report_tables(obj)
    jobs, skipped = figures(obj, lang)
    notes += skipped
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = f"carbon {html.escape(__version__)} · written {stamp} from {html.escape(str(obj.path))}"
    count = 0
    if isinstance(obj, Run):
        body, count = _run_sections(obj, jobs, tables.runs[obj.path], notes)
        nav = [(sid, title) for sid, title, _ in SECTIONS]
        title = f"Peak-carbon action plan: {obj.name}"
        meta += f" · status {html.escape(str(obj.manifest.get('status')))}"
        if obj.scenario.get("description"):
            meta += f"<br>{html.escape(str(obj.scenario['description']))}"
    elif isinstance(obj, Aggregate):
        body, count = _figures_html(jobs, notes)
        body = f'<section id="uncertainty"><h2>Uncertainty</h2>{body}</section>'
        nav, title = [("uncertainty", "Uncertainty")], f"Monte Carlo aggregate: {obj.name}"
    else:
        runs_table = [t for t in tables.sheets if t.key == "runs"]
        parts = [
            '<section id="runs"><h2>Runs of the batch</h2>' + "".join(_table_html(t) for t in runs_table) + "</section>"
        ]
        cmp_html, n = _figures_html([j for j in jobs if j.family == "comparison"], notes)
        count += n
        parts.append(
            f'<section id="comparison"><h2>Comparison of the runs</h2>{cmp_html or "<p class=note>Fewer than two runs.</p>"}</section>'
        )
        unc_html, n = _figures_html([j for j in jobs if j.family == "uncertainty"], notes)
        count += n
        parts.append(
            '<section id="uncertainty"><h2>Uncertainty</h2>'
            + (unc_html or '<p class="note">No Monte Carlo samples or aggregates in this batch.</p>')
            + "</section>"
        )
        nav = [("runs", "Runs of the batch"), ("comparison", "Comparison"), ("uncertainty", "Uncertainty")]
        for i, run in enumerate(shown_runs(obj)):
            rj = [j for j in jobs if j.group == run.name]
            sections, n = _run_sections(run, rj, tables.runs[run.path], notes, prefix=f"run{i}-", level=3)
            count += n
            parts.append(
                f'<section id="run{i}" data-run="{html.escape(run.name)}"><h2>Run {html.escape(run.name)}</h2>'
                f"{sections}</section>"
            )
            nav.append((f"run{i}", f"Run {run.name}"))
        body = "".join(parts)
        title = f"Peak-carbon action plan: batch {obj.name}"
    if notes:
        body += (
            '<section id="notes"><h2>Notes</h2><ul>'
            + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            + "</ul></section>"
        )
        nav.append(("notes", "Notes"))
    text = _document(title, meta, nav, body)
    write_text_atomic(path, text)
    return count


def _sheet_names(keys: Sequence[str]) -> list[str]:
    out, seen = [], set()
    for key in keys:
        name = "".join("_" if ch in "[]:*?/\\" else ch for ch in key)[:31]
        base, i = name, 1
        while name in seen:
            i += 1
            name = f"{base[:28]}_{i}"
        seen.add(name)
        out.append(name)
    return out


def write_excel(tables: Sequence[Table], path: Path) -> list[str]:
    """Write one sheet per table (units in the headers) with openpyxl; returns the sheet names."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise InputError(
            "cannot write Excel files", expected="openpyxl installed (pip install openpyxl)", found="openpyxl missing"
        ) from None
    names = _sheet_names([t.key for t in tables])
    with atomic_file(path, suffix=".xlsx") as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, table in zip(names, tables):
            table.frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for i, col in enumerate(table.frame.columns, start=1):
                width = min(60, max(10, len(str(col)) + 2))
                sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = width
    return names


def build_report(
    path: str | Path, out: str | Path | None = None, lang: str = "en", log: Callable[[str], None] | None = None
) -> ReportResult:
    """Write ``report.html`` and ``indicators.xlsx`` of a run folder, batch or aggregate.

    Parameters
    ----------
    path
        A run folder, a results folder of ``carbon run`` or a Monte Carlo aggregate folder.
    out
        Output folder (default ``path``).
    lang
        Figure labels, ``en`` or ``zh`` (English is used when no CJK font is installed).
    log
        Called with each note (skipped figures, language fallback).
    """
    obj = open_path(path)
    out_dir = Path(out) if out is not None else Path(path)
    used, message = use_language(lang)
    notes: list[str] = [message] if message else []
    html_path, xlsx_path = out_dir / "report.html", out_dir / "indicators.xlsx"
    tables = report_tables(obj)
    count = write_html(obj, html_path, used, notes, tables)
    write_excel(tables.sheets, xlsx_path)
    if log:
        for n in notes:
            log(f"note: {n}")
    return ReportResult(html_path, xlsx_path, notes, count)
