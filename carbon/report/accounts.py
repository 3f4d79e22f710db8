"""The accounts section of a run report, as HTML (drawn from ``<run>/accounts``; nothing solved)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import glossary
from carbon.results import read_table, table_path


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = table_path(folder, name)
    return read_table(path) if path.is_file() else None


def _cell(value: object) -> str:
    """A cell as the report's other tables write it (:func:`carbon.report.tables.format_cell`), escaped."""
    from carbon.report.tables import format_cell

    return html.escape(format_cell(value.item() if isinstance(value, np.generic) else value))


HEADERS = {"intensity": "account_intensity", "change": "account_change", "ratio": "account_ratio"}
"""Columns whose glossary key differs from their name (``intensity`` is energy intensity there)."""


def _head(column: str, lang: str) -> str:
    """A column's header in ``lang``, its mathtext (``CO$_2$e``) as HTML."""
    text = glossary.term(HEADERS.get(column, column), lang)
    return re.sub(r"\$_(\w+)\$", r"<sub>\1</sub>", html.escape(text)).replace("$", "")


def _table(frame: pd.DataFrame, lang: str) -> str:
    head = "".join(f"<th>{_head(c, lang)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<table class='accounts'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def accounts_section(run: str | Path, lang: str = "en") -> str:
    """HTML body of the accounts section of a run (``run`` is the run folder, or an accounts folder
    written by ``carbon accounts``); an empty string when the run has no accounts."""
    run = Path(run)
    folder = run / "accounts" if (run / "accounts").is_dir() else run
    acc = _read(folder, "accounts")
    if acc is None:
        return ""

    def text(key: str, **fmt: object) -> str:
        return html.escape(glossary.term(key, lang, kind="text").format(**fmt)).replace("CO$_2$e", "CO<sub>2</sub>e")

    parts = []
    rec = _read(folder, "reconciliation")
    if rec is not None and len(rec):
        for row in rec[rec["scope"].astype(str) == "all"].itertuples(index=False):
            parts.append(
                "<p>"
                + text(
                    "accounts_reconciled",
                    year=int(row.year),
                    entities=f"{row.entities_co2e_t:,.0f}",
                    share=f"{row.entities_share:.1%}",
                    rest=f"{row.rest_co2e_t:,.0f}",
                    county=f"{row.county_co2e_t:,.0f}",
                    difference=f"{row.difference_t:.2g}",
                )
                + "</p>"
            )
    cols = [
        c
        for c in ("entity", "period", "scope1_t", "scope2_t", "total_t", "intensity", "change", "ratio", "grade")
        if c in acc.columns
    ]
    shown = acc[cols].copy()
    shown["grade"] = shown["grade"].map(lambda g: glossary.term(g, lang))
    parts.append(_table(shown, lang))
    gc = _read(folder, "green_credit")
    if gc is not None and len(gc):
        parts.append(f"<h3>{text('accounts_green_credit')}</h3>")
        parts.append(_table(gc.assign(grade=gc["grade"].map(lambda g: glossary.term(g, lang))), lang))
    met = _read(folder, "metered")
    if met is not None and len(met):
        parts.append(f"<h3>{text('accounts_metered')}</h3>")
        parts.append(_table(met, lang))
    credits = _read(folder, "credits")
    if credits is not None and len(credits):
        parts.append(f"<h3>{text('accounts_inclusive')}</h3>")
        by = credits.groupby(["year", "methodology"], as_index=False)[["reduction_t", "credits_t"]].sum()
        by["methodology"] = by["methodology"].map(lambda m: glossary.term(m, lang))
        parts.append(_table(by, lang))
        dock = _read(folder, "docking")
        if dock is not None and len(dock):
            columns = [
                "period",
                "credits_offered_t",
                "credits_used_t",
                "offsets_used_t",
                "obligation_t",
                "allowance_price_cny_per_t",
            ]
            parts.append(_table(dock.loc[dock["credits_offered_t"] > 0, columns], lang))
    parts.append(f"<p><i>{text('accounts_illustrative')}</i></p>")
    return "\n".join(parts)
