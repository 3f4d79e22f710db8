"""The outputs of ``carbon assess``: ``<name>/assessment.json`` and ``<name>/annual.csv`` per
project and for the pipeline, ``projects.csv``, the figures (pathway with and without,
intensity against the thresholds) and the one-page bilingual sheet (``sheet.html`` and the same
tables in ``assessment.xlsx``)."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import pandas as pd

from carbon.files import check_name
from carbon.glossary import term

KEYS = (
    "intensity",
    "intensity_t_per_10k_cny",
    "entry_threshold",
    "advanced_value",
    "entry_verdict",
    "full_capacity_co2e_t",
    "purchased_electricity_mwh",
    "storage_losses_mwh",
    "peak_load_mw",
    "peak_load_with_storage_mw",
    "peak_year_without",
    "peak_year_with",
    "peak_t_without",
    "peak_t_with",
    "cumulative_2030_delta_t",
    "cumulative_2060_delta_t",
    "meets_peak_target_with",
    "headroom_share",
    "allowances_needed_t",
    "allowances_to_buy_t",
)
"""The figures of the sheet; their English and Chinese labels are ``assess_<key>`` in the glossary."""


def label(key: str, lang: str) -> str:
    """The sheet's label of ``key`` (glossary ``text`` row ``assess_<key>``)."""
    return term(f"assess_{key}", lang, "text")


def _json_ready(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "yes 是" if value else "no 否"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 100 else f"{value:,.0f}"
    return html.escape(str(value))


def sheet_frame(documents: dict[str, dict]) -> pd.DataFrame:
    """The key table of the sheet: one row per figure (English, Chinese), one column per project."""
    rows = []
    for key in KEYS:
        rows.append(
            {
                "figure": label(key, "en"),
                "指标": label(key, "zh"),
                **{name: doc.get(key) for name, doc in documents.items()},
            }
        )
    return pd.DataFrame(rows)


def decomposition_frame(assessment) -> pd.DataFrame:
    """Every project's decomposition of the with/without difference (one row per year, sector and
    fuel that moves), with a ``project`` column."""
    frames = [f.assign(project=name) for name, f in assessment.decomposition.items() if not f.empty]
    if not frames:
        return pd.DataFrame(
            columns=["project", "year", "sector", "fuel", "delta_t", "activity_effect_t", "factor_effect_t"]
        )
    out = pd.concat(frames, ignore_index=True)
    return out[["project", *[c for c in out.columns if c != "project"]]]


def market_frame(documents: dict[str, dict]) -> pd.DataFrame:
    """The allowance price without and with each project, and its firm's allocation, emissions and
    net purchases, by market and period."""
    rows = []
    for name, doc in documents.items():
        for market, m in (doc.get("market") or {}).items():
            firm = m["firms"].get(f"project_{name}", {})
            for period in sorted(m["price_with"]):
                rows.append(
                    {
                        "project": name,
                        "market": market,
                        "period": period,
                        "price_without": m["price_without"].get(period),
                        "price_with": m["price_with"][period],
                        "price_delta": m["price_delta"].get(period),
                        **{k: firm.get(k, {}).get(period) for k in ("allocation", "emissions", "net_purchase")},
                    }
                )
    return pd.DataFrame(rows)


def write_assessment(out: Path, assessment, scenario_name: str) -> list[Path]:
    """Write every output of an assessment into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, doc in assessment.documents.items():
        check_name(name, "project name")
        folder = out / name
        folder.mkdir(exist_ok=True)
        path = folder / "assessment.json"
        path.write_text(
            json.dumps(_json_ready(doc), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        assessment.annual[name].to_csv(folder / "annual.csv", index=False, lineterminator="\n")
        files += [path, folder / "annual.csv"]
        parts = assessment.decomposition
        if name in parts:
            parts[name].to_csv(folder / "decomposition.csv", index=False, lineterminator="\n")
            files.append(folder / "decomposition.csv")
    table = assessment.table
    table.to_csv(out / "projects.csv", index=False, lineterminator="\n")
    sheet = sheet_frame(assessment.documents)
    decomposition, market = decomposition_frame(assessment), market_frame(assessment.documents)
    files += [
        out / "projects.csv",
        _html(out / "sheet.html", sheet, assessment, scenario_name, decomposition, market),
        _xlsx(out / "assessment.xlsx", sheet, table, decomposition, market),
    ]
    files += _figures(out, assessment)
    return files


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _both(key: str) -> str:
    return html.escape(f"{term(key, 'en', 'text')} {term(key, 'zh', 'text')}")


def _html(
    path: Path, sheet: pd.DataFrame, assessment, scenario_name: str, decomposition: pd.DataFrame, market: pd.DataFrame
) -> Path:
    combo = ", ".join(assessment.combination) or "none 无"
    screening = assessment.screening
    failing = ""
    if screening is not None and screening.failed_entry:
        how = (
            "left out of the combination 不参与组合" if screening.entry_excluded else "tried and flagged 参与组合并标注"
        )
        failing = f"<p>{_both('assess_failing_entry')}: {html.escape(', '.join(screening.failed_entry))} ({how})</p>"
    illustrative = any(d.get("threshold_illustrative") for d in assessment.documents.values())
    note = (
        (
            "<p><b>Thresholds marked illustrative 准入值为示例</b>: see carbon/data/entry_thresholds.csv "
            "for the source of each.</p>"
        )
        if illustrative
        else ""
    )
    parts = ""
    if not decomposition.empty:
        shown = decomposition[["project", "year", "sector", "fuel", "delta_t", "activity_effect_t", "factor_effect_t"]]
        parts += f"<h2>{_both('assess_decomposition')}</h2>" + _table(shown)
    if not market.empty:
        parts += f"<h2>{_both('assess_market')}</h2>" + _table(market)
    text = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Project carbon assessment 项目碳排放评价"
        f"</title><style>body{{font-family:sans-serif;max-width:60em}}td,th{{border:1px solid #999;"
        f"padding:2px 6px}}table{{border-collapse:collapse}}</style></head><body>"
        f"<h1>Project carbon assessment 固定资产投资项目碳排放评价</h1>"
        f"<p>Scenario 情景: {html.escape(scenario_name)}. Emissions scope 1+2, t CO2e. "
        f"排放为范围一和范围二，单位吨二氧化碳当量。</p>{_table(sheet)}"
        f"<p>{_both('assess_combination')}: {html.escape(combo)}</p>{failing}{parts}{note}</body></html>\n"
    )
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(
    path: Path, sheet: pd.DataFrame, table: pd.DataFrame, decomposition: pd.DataFrame, market: pd.DataFrame
) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "assessment 评价"
    frames = [(sheet, ws), (table, wb.create_sheet("projects 项目"))]
    if not decomposition.empty:
        frames.append((decomposition, wb.create_sheet("decomposition 分解")))
    if not market.empty:
        frames.append((market, wb.create_sheet("market 市场")))
    for frame, sheet_ws in frames:
        sheet_ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet_ws.append(
                [
                    None
                    if (isinstance(v, float) and math.isnan(v))
                    else (v if isinstance(v, (int, float, str, bool)) or v is None else str(v))
                    for v in row
                ]
            )
    wb.save(path)
    return path


def _figures(out: Path, assessment) -> list[Path]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    first = next(iter(assessment.annual.values()))
    ax.plot(first["year"], first["co2e_t_without"] / 1e4, color="black", label="without")
    for name, frame in assessment.annual.items():
        ax.plot(frame["year"], frame["co2e_t_with"] / 1e4, label=f"with {name}")
    ax.set_xlabel("year")
    ax.set_ylabel("10^4 t CO2e (scope 1+2)")
    ax.legend(fontsize=7)
    fig.savefig(out / "pathways.png", dpi=100)
    fig2 = Figure(figsize=(7, 4))
    ax2 = fig2.add_subplot()
    names = list(assessment.thresholds)
    ratio = [assessment.thresholds[n]["intensity"] / assessment.thresholds[n]["threshold"] for n in names]
    adv = [assessment.thresholds[n]["advanced"] / assessment.thresholds[n]["threshold"] for n in names]
    ax2.bar(names, ratio, label="intensity / entry threshold")
    ax2.scatter(names, adv, color="green", marker="_", s=400, label="advanced / entry threshold")
    ax2.axhline(1.0, color="red", label="entry threshold")
    ax2.set_ylabel("ratio to the entry threshold")
    ax2.legend(fontsize=7)
    fig2.savefig(out / "intensity.png", dpi=100)
    return [out / "pathways.png", out / "intensity.png"]
