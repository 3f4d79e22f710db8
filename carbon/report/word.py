"""The plan's quantitative annex as an editable Word file (``report.docx``, python-docx): the key
indicators, the missed targets and the why notes, the main tables as real Word tables and the
main figures with numbered captions, in English or Chinese."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from carbon import __version__
from carbon.errors import InputError
from carbon.plots import FigureJob, figures, freeze_layout, render
from carbon.plots.captions import caption
from carbon.plots.data import Aggregate, Batch, Run
from carbon.report.keytable import KeyTable, failed_targets
from carbon.report.tables import ReportTables, Table, format_cell, shown_runs
from carbon.report.text import number_format, text
from carbon.report.why import Explanation
from carbon.results import atomic_file

#: Figures of a run that go into the annex (the rest stay in the HTML report).
RUN_FIGURES = ("pathway_scope12", "pathway_lmdi", "pathway_targets", "energy_capacity", "energy_generation")
#: Tables of a run that go into the annex as Word tables.
RUN_TABLES = ("peak", "targets", "lmdi", "energy_years")
DOCX_DPI = 150
WIDTH_IN = 6.3
CJK_FONT = "Noto Sans CJK SC"


class _Numbers:
    """Running numbers of tables and figures (captions "Table 3", "表3")."""

    def __init__(self) -> None:
        self.table = 0
        self.figure = 0


def _set_fonts(doc, lang: str) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for style_name in ("Normal", "Caption", "Title", "Heading 1", "Heading 2", "Heading 3"):
        try:
            style = doc.styles[style_name]
        except KeyError:
            continue
        if style_name == "Normal":
            style.font.size = Pt(10.5)
        if lang == "zh":
            rpr = style.element.get_or_add_rPr()
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = rpr.makeelement(qn("w:rFonts"), {})
                rpr.append(fonts)
            fonts.set(qn("w:eastAsia"), CJK_FONT)


def _caption(doc, label: str) -> None:
    doc.add_paragraph(label, style="Caption")


def _word_table(doc, frame: pd.DataFrame, index: str | None = None) -> None:
    """A frame as a Word table (header row bold; numbers right-aligned, rounded by column)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cols = list(frame.columns)
    ncols = len(cols) + (1 if index is not None else 0)
    table = doc.add_table(rows=1, cols=ncols)
    table.style = "Table Grid"
    head = table.rows[0].cells
    names = ([index] if index is not None else []) + [str(c) for c in cols]
    for cell, name in zip(head, names):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
    decimals = {
        c: number_format(frame[c])[1]
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        else None
        for c in cols
    }
    for label, rec in zip(frame.index, frame.itertuples(index=False)):
        cells = table.add_row().cells
        values = ([str(label)] if index is not None else []) + [
            f"{v:,.{decimals[c]}f}"
            if isinstance(v, float) and decimals[c] is not None and not math.isnan(v)
            else format_cell(v)
            for c, v in zip(cols, rec)
        ]
        for i, (cell, value) in enumerate(zip(cells, values)):
            cell.text = value
            if i >= (1 if index is not None else 0) and value[:1] in "+-0123456789":
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    size = Pt(8 if ncols > 6 else 9)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = size


def _table(doc, table: Table, lang: str, n: _Numbers) -> None:
    n.table += 1
    _caption(doc, text("docx_table", lang, n=n.table, title=table.title(lang)))
    _word_table(doc, table.display(lang))


def _figures(doc, jobs: Sequence[FigureJob], lang: str, n: _Numbers, notes: list[str]) -> int:
    import matplotlib.pyplot as plt
    from docx.shared import Inches

    count = 0
    for job, fig, note in render(jobs):
        if fig is None:
            notes.append(note)
            continue
        try:
            fig.set_dpi(DOCX_DPI)
            freeze_layout(fig)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=DOCX_DPI, metadata={"Software": None})
        finally:
            plt.close(fig)
        buf.seek(0)
        doc.add_picture(buf, width=Inches(WIDTH_IN))
        n.figure += 1
        count += 1
        _caption(doc, text("docx_figure", lang, n=n.figure, title=caption(job.name, lang, job.caption)))
    return count


def _key(doc, key: KeyTable, lang: str, n: _Numbers, why: Sequence = ()) -> None:
    n.table += 1
    _caption(doc, text("docx_table", lang, n=n.table, title=text("table_key_indicators", lang)))
    _word_table(doc, key.display(lang, differences=len(key.runs) > 1), index=text("indicator", lang))
    if key.reference is not None and len(key.runs) > 1:
        doc.add_paragraph(text("key_reference", lang, ref=key.labels[key.reference]))
    missed = [(r, failed_targets(key, r, lang)) for r in key.runs]
    if any(f for _, f in missed):
        doc.add_heading(text("key_missed", lang), level=2)
        for r, failed in missed:
            if failed:
                doc.add_paragraph(f"{key.labels[r]}: {'; '.join(failed)}", style="List Bullet")
    if why:
        doc.add_heading(text("section_why", lang), level=2)
        for ex in why:
            p = doc.add_paragraph()
            p.add_run(ex.title(lang)).bold = True
            for sentence in ex.sentences(lang):
                doc.add_paragraph(sentence, style="List Bullet")


def write_docx(
    obj: Run | Batch | Aggregate,
    path: Path,
    lang: str,
    tables: ReportTables,
    key: KeyTable | None,
    figure_lang: str,
    notes: list[str],
    why: Sequence[Explanation] = (),
) -> int:
    """Write ``report.docx``: the key indicators (and differences, missed targets, why notes),
    the main tables and figures, with numbered captions in ``lang``; returns the number of
    figures. ``figure_lang``: the language the figures can be drawn in (``en`` without a CJK font);
    ``why``: the why notes of a batch."""
    try:
        import docx
    except ImportError:
        raise InputError(
            "cannot write Word files", expected="python-docx installed (pip install python-docx)", found="missing"
        ) from None
    doc = docx.Document()
    _set_fonts(doc, lang)
    n = _Numbers()
    jobs, _ = figures(obj, figure_lang)
    count = 0
    if isinstance(obj, Run):
        title = text("title_run", lang, name=obj.label(lang))
    elif isinstance(obj, Batch):
        title = text("title_batch", lang, name=obj.name)
    else:
        title = text("title_aggregate", lang, name=obj.name)
    doc.add_heading(title, level=0)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    doc.add_paragraph(text("report_meta", lang, version=__version__, stamp=stamp, path=str(obj.path)))
    if key is not None and key.rows:
        doc.add_heading(text("section_key", lang), level=1)
        _key(doc, key, lang, n, why)
    if isinstance(obj, Run):
        doc.add_heading(text("section_indicators", lang), level=1)
        count += _figures(doc, [j for j in jobs if j.name in RUN_FIGURES], lang, n, notes)
        for t in tables.runs[obj.path]:
            if t.key in RUN_TABLES:
                _table(doc, t, lang, n)
    elif isinstance(obj, Batch):
        cmp = [j for j in jobs if j.family == "comparison"]
        if cmp:
            doc.add_heading(text("section_comparison", lang), level=1)
            count += _figures(doc, cmp, lang, n, notes)
        unc = [j for j in jobs if j.family == "uncertainty"]
        mc = [t for t in tables.sheets if t.key == "monte_carlo"]
        if unc or mc:
            doc.add_heading(text("section_uncertainty", lang), level=1)
            for t in mc:
                _table(doc, t, lang, n)
            count += _figures(doc, unc, lang, n, notes)
        for run in shown_runs(obj):
            doc.add_heading(
                text("run_heading", lang, name=key.labels.get(run.name, run.name) if key else run.name), level=1
            )
            count += _figures(
                doc, [j for j in jobs if j.group == run.name and j.name in RUN_FIGURES[:3]], lang, n, notes
            )
            for t in tables.runs[run.path]:
                if t.key in ("targets",):
                    _table(doc, t, lang, n)
    else:
        doc.add_heading(text("section_uncertainty", lang), level=1)
        for t in tables.sheets:
            if t.key == "monte_carlo":
                _table(doc, t, lang, n)
        count += _figures(doc, jobs, lang, n, notes)
    with atomic_file(path, suffix=".docx") as tmp:
        doc.save(tmp)
    return count
