"""The action-plan report of a run or batch: ``report.html`` (one self-contained file, figures
embedded), ``indicators.xlsx`` (the key indicators, then one sheet per table, units in the
headers) and, on request, ``report.docx`` (:mod:`carbon.report.word`), in English or Chinese.

A batch report leads with the key indicators of its scenarios side by side
(:mod:`carbon.report.keytable`) and why they differ from the reference
(:mod:`carbon.report.why`), then the comparison, the Monte Carlo section, one section per
scenario and an appendix of solver sizes and timings. Everything is read from run folders;
nothing is solved again.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from carbon import __version__
from carbon.errors import InputError
from carbon.plots import FigureJob, figures, freeze_layout, render
from carbon.plots.captions import caption
from carbon.plots.data import Aggregate, Batch, Run, open_path
from carbon.plots.style import use_language
from carbon.report.accounts import accounts_section
from carbon.report.keytable import KeyTable, failed_targets, key_table
from carbon.report.tables import ReportTables, Table, format_cell, report_tables, shown_runs
from carbon.report.text import number_format, text
from carbon.report.why import Explanation, explain_all
from carbon.results import atomic_file, write_text_atomic

__all__ = ["SECTIONS", "ReportResult", "build_report", "write_excel", "write_html"]

#: Sections of a run's report, in order: (id, figure families shown there); titles are the
#: glossary's ``section_<id>`` and the note of an empty section its ``missing_<id>``.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("indicators", ("pathway",)),
    ("peak", ()),
    ("targets", ()),
    ("inventory", ("inventory",)),
    ("energy", ("energy",)),
    ("market", ("market",)),
    ("accounts", ("accounts",)),
    ("scenario", ()),
    ("provenance", ()),
)
HTML_DPI = 110

CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",Helvetica,Arial,sans-serif;
 margin:0 auto;max-width:1100px;padding:0 24px 48px;color:#222;line-height:1.45}
h1{font-size:1.7em;margin:24px 0 4px} h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:36px}
h3{margin-top:24px} .meta{color:#666;font-size:.9em}
nav ul{columns:3;list-style:none;padding:0} nav li{break-inside:avoid;overflow-wrap:anywhere;padding-right:8px} nav a{color:#1f5fa8;text-decoration:none}
figure{margin:16px 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
table{border-collapse:collapse;font-size:.82em;margin:8px 0 4px}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0} td.text,th.text{text-align:left}
.note{background:#fff8e1;border-left:4px solid #f2c12e;padding:6px 10px;margin:8px 0;font-size:.9em}
tbody th{position:static;background:#fafafa;text-align:left;min-width:15em} td.miss{color:#b00020}
.scroll{overflow-x:auto} .why{margin:6px 0 12px} .why ul{margin:2px 0} details{margin:12px 0} summary{cursor:pointer;font-weight:bold}
"""


@dataclass
class ReportResult:
    """Paths written by :func:`build_report` and notes on what was left out."""

    html: Path | None
    xlsx: Path | None
    notes: list[str] = field(default_factory=list)
    figures: int = 0
    docx: Path | None = None


def _png(fig) -> str:
    fig.set_dpi(HTML_DPI)
    freeze_layout(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=HTML_DPI, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _cell(value: object, decimals: int | None) -> str:
    if isinstance(value, float) and decimals is not None and not math.isnan(value):
        return f"{value:,.{decimals}f}"
    return format_cell(value)


def _table_html(table: Table, lang: str, limit: int | None = -1) -> str:
    """A table as HTML in ``lang``: every row unless the table is long (then in the workbook only)."""
    limit = table.html_rows if limit == -1 else limit
    title = table.title(lang)
    if limit == 0:
        return (
            f'<p class="note" data-table="{html.escape(table.key)}">'
            + html.escape(
                text("table_in_workbook", lang, title=title, n=f"{len(table.frame):,}", sheet=table.sheet(lang))
            )
            + "</p>"
        )
    shown = table.display(lang)
    decimals = {c: number_format(shown[c])[1] if _numeric(shown[c]) else None for c in shown.columns}
    if limit is not None:
        shown = shown.head(limit)
    return (
        f"<h3>{html.escape(title)}</h3>"
        + _frame_html(shown, table.key, decimals)
        + (
            f'<p class="note">{html.escape(text("table_first_rows", lang, n=limit, total=f"{len(table.frame):,}", sheet=table.sheet(lang)))}</p>'
            if limit is not None and len(table.frame) > limit
            else ""
        )
    )


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _css(is_text: bool, value: object) -> str:
    """Cell classes: ``text`` (left-aligned), ``miss`` (a missed target, in red)."""
    missed = isinstance(value, str) and value.startswith((text("target_missed", "en"), text("target_missed", "zh")))
    return " ".join(c for c, on in (("text", is_text), ("miss", missed)) if on)


def _frame_html(frame: pd.DataFrame, key: str, decimals: dict | None = None, index: str | None = None) -> str:
    """A frame as an HTML table; ``index``: the header of a first column holding the row labels."""
    decimals = decimals or {}
    text_cols = {c for c in frame.columns if not _numeric(frame[c])}
    head = (f'<th class="text">{html.escape(index)}</th>' if index is not None else "") + "".join(
        f'<th class="{"text" if c in text_cols else ""}">{html.escape(str(c))}</th>' for c in frame.columns
    )
    rows = []
    for label, rec in zip(frame.index, frame.itertuples(index=False)):
        cells = f'<th class="text">{html.escape(str(label))}</th>' if index is not None else ""
        cells += "".join(
            f'<td class="{_css(c in text_cols, v)}">{html.escape(_cell(v, decimals.get(c)))}</td>'
            for c, v in zip(frame.columns, rec)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="scroll"><table data-table="{html.escape(key)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _figures_html(jobs: Sequence[FigureJob], notes: list[str], lang: str) -> tuple[str, int]:
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
        cap = html.escape(caption(job.name, lang, job.caption))
        parts.append(
            f'<figure data-figure="{html.escape(job.stem)}"><img alt="{cap}" '
            f'src="data:image/png;base64,{data}"><figcaption>{cap}</figcaption></figure>'
        )
    return "".join(parts), n


def _run_sections(
    run: Run,
    jobs: list[FigureJob],
    tables: list[Table],
    notes: list[str],
    lang: str,
    prefix: str = "",
    level: int = 2,
) -> tuple[str, int]:
    out, count = [], 0
    h = f"h{level}"
    for sid, families in SECTIONS:
        sec_jobs = [j for j in jobs if j.family in families]
        sec_tables = [t for t in tables if t.section == sid]
        if sid == "accounts":  # only runs that keep carbon accounts have this section
            accounts = accounts_section(run.path, lang)
            if not accounts:
                continue
            body, n = _figures_html(sec_jobs, notes, lang)
            count += n
            body += accounts
        elif sid == "scenario":
            import yaml

            body = (
                f'<p>{html.escape(text("scenario_intro", lang))}</p><pre data-table="scenario">'
                f"{html.escape(yaml.safe_dump(run.scenario, sort_keys=True, allow_unicode=True))}</pre>"
            )
        else:
            body, n = _figures_html(sec_jobs, notes, lang)
            count += n
            body += "".join(_table_html(t, lang) for t in sec_tables)
            if not sec_jobs and not sec_tables:
                body = f'<p class="note">{html.escape(text(f"missing_{sid}", lang))}</p>'
        out.append(
            f'<section id="{prefix}{sid}"><{h}>{html.escape(text(f"section_{sid}", lang))}</{h}>{body}</section>'
        )
    return "".join(out), count


def _document(title: str, meta: str, nav: list[tuple[str, str]], body: str, lang: str) -> str:
    links = "".join(f'<li><a href="#{html.escape(i)}">{html.escape(t)}</a></li>' for i, t in nav)
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        f'<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1><p class="meta">{meta}</p>'
        f"<nav><ul>{links}</ul></nav>{body}</body></html>\n"
    )


def key_section_html(key: KeyTable, lang: str, notes_why: Sequence[Explanation] = ()) -> str:
    """The key indicators (and differences from the reference), the missed targets by name and
    the why notes, as HTML."""
    frame = key.display(lang, differences=len(key.runs) > 1)
    parts = [_frame_html(frame, "key_indicators", index=text("indicator", lang))]
    if key.reference is not None and len(key.runs) > 1:
        parts.append(f'<p class="meta">{html.escape(text("key_reference", lang, ref=key.labels[key.reference]))}</p>')
    missed = []
    for r in key.runs:
        failed = failed_targets(key, r, lang)
        if failed:
            missed.append(f"<li><b>{html.escape(key.labels[r])}</b>: {html.escape('; '.join(failed))}</li>")
    if missed:
        parts.append(f"<h3>{html.escape(text('key_missed', lang))}</h3><ul>{''.join(missed)}</ul>")
    if notes_why:
        parts.append(f'<h3 id="why">{html.escape(text("section_why", lang))}</h3>')
        for ex in notes_why:
            parts.append(
                f'<div class="why" data-why="{html.escape(ex.run)}"><p><b>{html.escape(ex.title(lang))}</b></p><ul>'
                + "".join(f"<li>{html.escape(s)}</li>" for s in ex.sentences(lang))
                + "</ul></div>"
            )
    return "".join(parts)


def write_html(
    obj: Run | Batch | Aggregate,
    path: Path,
    lang: str = "en",
    notes: list[str] | None = None,
    tables: ReportTables | None = None,
    reference: str | None = None,
    key: KeyTable | None = None,
    why: Sequence[Explanation] | None = None,
    figure_lang: str | None = None,
) -> int:
    """Write the self-contained HTML report of a run, batch or aggregate; returns the number of
    figures. ``tables`` are those of :func:`~carbon.report.tables.report_tables`, ``key`` and
    ``why`` the key indicators and why notes (each built when not given); ``reference``: the run
    the others are compared with (default ``baseline``); ``figure_lang``: the language the
    figures can be drawn in (``en`` without a CJK font; default ``lang``)."""
    notes = notes if notes is not None else []
    tables = tables if tables is not None else report_tables(obj)
    jobs, skipped = figures(obj, figure_lang or lang)
    notes += skipped
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = html.escape(text("report_meta", lang, version=__version__, stamp=stamp, path=str(obj.path)))
    count = 0
    key_id = "key"
    if isinstance(obj, Run):
        key = key if key is not None else key_table([obj], lang=lang)
        sections, count = _run_sections(obj, jobs, tables.runs[obj.path], notes, lang)
        body = ""
        nav = []
        if key.rows:
            body = f'<section id="{key_id}"><h2>{html.escape(text("section_key", lang))}</h2>{key_section_html(key, lang)}</section>'
            nav.append((key_id, text("section_key", lang)))
        body += sections
        nav += [(sid, text(f"section_{sid}", lang)) for sid, _ in SECTIONS if f'id="{sid}"' in sections]
        title = text("title_run", lang, name=obj.label(lang))
        meta += " · " + html.escape(text("report_status", lang, status=str(obj.manifest.get("status"))))
        if obj.scenario.get("description") and lang == "en":
            meta += f"<br>{html.escape(str(obj.scenario['description']))}"
    elif isinstance(obj, Aggregate):
        body, count = _figures_html(jobs, notes, lang)
        body = (
            f'<section id="uncertainty"><h2>{html.escape(text("section_uncertainty", lang))}</h2>'
            + "".join(_table_html(t, lang) for t in tables.sheets if t.html_rows != 0)
            + f"{body}</section>"
        )
        nav, title = [("uncertainty", text("section_uncertainty", lang))], text("title_aggregate", lang, name=obj.name)
    else:
        shown = shown_runs(obj)
        if key is None:
            key = key_table(shown, reference, lang, drop_empty=True)
        if why is None:
            why = explain_all(shown, key.reference, labels=key.labels) if key.reference else []
        parts = [
            f'<section id="{key_id}"><h2>{html.escape(text("section_key", lang))}</h2>{key_section_html(key, lang, why)}</section>'
        ]
        nav = [(key_id, text("section_key", lang))]
        cmp_html, n = _figures_html([j for j in jobs if j.family == "comparison"], notes, lang)
        count += n
        parts.append(
            f'<section id="comparison"><h2>{html.escape(text("section_comparison", lang))}</h2>'
            f"{cmp_html or '<p class=note>' + html.escape(text('missing_comparison', lang)) + '</p>'}</section>"
        )
        nav.append(("comparison", text("section_comparison", lang)))
        unc_html, n = _figures_html([j for j in jobs if j.family == "uncertainty"], notes, lang)
        count += n
        mc_tables = "".join(
            _table_html(t, lang) for t in tables.sheets if t.section == "uncertainty" and t.html_rows != 0
        )
        parts.append(
            f'<section id="uncertainty"><h2>{html.escape(text("section_uncertainty", lang))}</h2>'
            + ((mc_tables + unc_html) or f'<p class="note">{html.escape(text("missing_uncertainty", lang))}</p>')
            + "</section>"
        )
        nav.append(("uncertainty", text("section_uncertainty", lang)))
        for i, run in enumerate(shown):
            rj = [j for j in jobs if j.group == run.name]
            sections, n = _run_sections(run, rj, tables.runs[run.path], notes, lang, prefix=f"run{i}-", level=3)
            count += n
            label = text("run_heading", lang, name=key.labels.get(run.name, run.name))
            parts.append(
                f'<section id="run{i}" data-run="{html.escape(run.name)}"><h2>{html.escape(label)}</h2>'
                f"{sections}</section>"
            )
            nav.append((f"run{i}", label))
        appendix = [t for t in tables.sheets if t.section == "appendix"]
        parts.append(
            f'<section id="appendix"><h2>{html.escape(text("section_appendix", lang))}</h2>'
            + "".join(_table_html(t, lang) for t in appendix)
            + "</section>"
        )
        nav.append(("appendix", text("section_appendix", lang)))
        body = "".join(parts)
        title = text("title_batch", lang, name=obj.name)
    if notes:
        body += (
            f'<section id="notes"><h2>{html.escape(text("section_notes", lang))}</h2><ul>'
            + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            + "</ul></section>"
        )
        nav.append(("notes", text("section_notes", lang)))
    write_text_atomic(path, _document(title, meta, nav, body, lang))
    return count


def sheet_names(tables: Sequence[Table], lang: str = "en", first: Sequence[str] = ()) -> list[str]:
    """Sheet names from the glossary (``first``: names of sheets written before the tables);
    characters Excel forbids replaced; a name used twice gets a number. An over-long name is an
    error (the glossary's sheet names are short), never cut silently."""
    out, seen = [], {n.lower() for n in first}
    for table in tables:
        name = "".join("_" if ch in "[]:*?/\\" else ch for ch in table.sheet(lang))
        base, i = name, 1
        while name.lower() in seen:
            i += 1
            name = f"{base} {i}"
        if len(name) > 31:
            raise InputError(
                "a sheet name is longer than Excel allows",
                key=f"sheet_{table.title_key or table.key}",
                expected="at most 31 characters (shorten it in carbon/data/glossary.csv)",
                found=name,
            )
        seen.add(name.lower())
        out.append(name)
    return out


def _format_sheet(sheet, frame: pd.DataFrame) -> None:
    """Number formats by column magnitude, widths, frozen header."""
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for i, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        width = min(40, max(10, int(len(str(col)) * (1.6 if _wide(str(col)) else 1.0)) + 2))
        sheet.column_dimensions[letter].width = width
        if _numeric(frame[col]):
            fmt, _ = number_format(frame[col])
            for cell in sheet[letter][1:]:
                cell.number_format = fmt


def _wide(s: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in s)


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns rounded to two decimals more than their number format shows."""
    out = frame.copy()
    for col in out.columns:
        if _numeric(out[col]) and pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(number_format(out[col])[1] + 2)
    return out


def write_excel(tables: Sequence[Table], path: Path, lang: str = "en", key: KeyTable | None = None) -> list[str]:
    """Write the workbook with openpyxl: the key indicators first (when given), then one sheet per
    table, headers and sheet names in ``lang`` with units, numbers rounded and formatted; returns
    the sheet names."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise InputError(
            "cannot write Excel files", expected="openpyxl installed (pip install openpyxl)", found="openpyxl missing"
        ) from None
    first = [text("sheet_key_indicators", lang)] if key is not None and key.rows else []
    names = sheet_names(tables, lang, first)
    with atomic_file(path, suffix=".xlsx") as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        if first:
            _key_sheet(writer, first[0], key, lang)
        for name, table in zip(names, tables):
            frame = _rounded(table.display(lang))
            frame.to_excel(writer, sheet_name=name, index=False)
            _format_sheet(writer.sheets[name], frame)
    return first + names


def _key_sheet(writer, name: str, key: KeyTable, lang: str) -> None:
    """The key indicators as a sheet: numbers as numbers (one decimal), other cells as text."""
    from openpyxl.utils import get_column_letter

    shown = key.display(lang, differences=False)
    frame = shown.copy().astype(object)
    for row in key.rows:
        if row.kind in ("number", "year"):
            label = row.label(lang)
            for r in key.runs:
                v = row.values.get(r)
                frame.at[label, key.labels[r]] = (
                    None if v is None else round(float(v), 1 if row.kind == "number" else 0)
                )
    if key.reference is not None and len(key.runs) > 1:
        diff = key.differences()
        for row in key.rows:
            if row.kind == "number" and row.key in diff.index:
                label = text("key_difference", lang, what=row.label(lang), ref=key.labels[key.reference])
                frame.loc[label] = [
                    None if r == key.reference else round(float(diff.at[row.key, r]), 1) for r in key.runs
                ]
        frame.loc[text("key_reference", lang, ref=key.labels[key.reference])] = [None] * len(key.runs)
    frame.index.name = text("indicator", lang)
    frame.to_excel(writer, sheet_name=name)
    sheet = writer.sheets[name]
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 48
    for i in range(2, len(frame.columns) + 2):
        sheet.column_dimensions[get_column_letter(i)].width = 18
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.0"
            elif isinstance(cell.value, int):
                cell.number_format = "0"


def build_report(
    path: str | Path,
    out: str | Path | None = None,
    lang: str = "en",
    log: Callable[[str], None] | None = None,
    formats: Sequence[str] = ("html", "xlsx"),
    reference: str | None = None,
) -> ReportResult:
    """Write ``report.html``, ``indicators.xlsx`` (and ``report.docx`` when asked) of a run
    folder, batch or aggregate.

    Parameters
    ----------
    path
        A run folder, a results folder of ``carbon run`` or a Monte Carlo aggregate folder.
    out
        Output folder (default ``path``).
    lang
        ``en`` or ``zh``: headings, tables, sheet names, captions and figure labels (figures
        fall back to English when no CJK font is installed).
    log
        Called with each note (skipped figures, language fallback).
    formats
        Any of ``html``, ``xlsx``, ``docx``.
    reference
        The run the others are compared with (default ``baseline`` when the batch has one).
    """
    bad = [f for f in formats if f not in ("html", "xlsx", "docx")]
    if bad or not formats:
        raise InputError("unknown report format", key="--format", expected="html, xlsx, docx", found=",".join(bad))
    if lang not in ("en", "zh"):
        raise InputError("unknown language", key="--lang", expected="en or zh", found=lang)
    obj = open_path(path)
    out_dir = Path(out) if out is not None else Path(path)
    used, message = use_language(lang)
    notes: list[str] = [message] if message else []
    html_path, xlsx_path = out_dir / "report.html", out_dir / "indicators.xlsx"
    tables = report_tables(obj)
    runs = [obj] if isinstance(obj, Run) else shown_runs(obj) if isinstance(obj, Batch) else []
    key = key_table(runs, reference, lang, drop_empty=True) if runs else None
    why = (
        explain_all(runs, key.reference, labels=key.labels) if isinstance(obj, Batch) and key and key.reference else []
    )
    count = 0
    result = ReportResult(None, None, notes)
    if "html" in formats:
        count = write_html(obj, html_path, lang, notes, tables, reference, key, why, used)
        result.html = html_path
    if "xlsx" in formats:
        write_excel(tables.sheets, xlsx_path, lang, key)
        result.xlsx = xlsx_path
    if "docx" in formats:
        from carbon.report.word import write_docx

        result.docx = out_dir / "report.docx"
        count = max(count, write_docx(obj, result.docx, lang, tables, key, used, notes, why))
    result.figures = count
    notes[:] = dict.fromkeys(notes)  # a figure skipped by both the page and the Word file: one note
    if log:
        for n in notes:
            log(f"note: {n}")
    return result
