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

LABELS = (  # key, English, Chinese
    ("intensity", "Carbon intensity (t CO2e per unit output)", "单位产品碳排放"),
    ("intensity_t_per_10k_cny", "Carbon intensity (t CO2e per 10^4 CNY value added)", "单位增加值碳排放"),
    ("entry_threshold", "Entry threshold", "准入值"),
    ("advanced_value", "Advanced value", "先进值"),
    ("entry_verdict", "Entry verdict", "准入结论"),
    ("full_capacity_co2e_t", "Emissions at full capacity (t CO2e/yr, scope 1+2)", "达产年排放量"),
    ("peak_year_without", "County peak year without the project", "无项目达峰年份"),
    ("peak_year_with", "County peak year with the project", "有项目达峰年份"),
    ("peak_t_without", "Peak level without (t CO2e)", "无项目峰值"),
    ("peak_t_with", "Peak level with (t CO2e)", "有项目峰值"),
    ("cumulative_2030_delta_t", "Added emissions to 2030 (t CO2e)", "至2030年累计新增排放"),
    ("cumulative_2060_delta_t", "Added emissions to 2060 (t CO2e)", "至2060年累计新增排放"),
    ("meets_peak_target_with", "County still meets its peak target", "是否仍满足达峰目标"),
    ("headroom_share", "Share of the headroom under the peak cap", "占峰值目标剩余空间比例"),
    ("allowances_needed_t", "Allowances or offsets needed (t CO2e)", "需配额或抵消量"),
)


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
    for key, en, zh in LABELS:
        rows.append({"figure": en, "指标": zh, **{name: doc.get(key) for name, doc in documents.items()}})
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
        path.write_text(json.dumps(_json_ready(doc), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        assessment.annual[name].to_csv(folder / "annual.csv", index=False, lineterminator="\n")
        files += [path, folder / "annual.csv"]
    table = assessment.table
    table.to_csv(out / "projects.csv", index=False, lineterminator="\n")
    sheet = sheet_frame(assessment.documents)
    files += [out / "projects.csv", _html(out / "sheet.html", sheet, assessment, scenario_name),
              _xlsx(out / "assessment.xlsx", sheet, table)]
    files += _figures(out, assessment)
    return files


def _html(path: Path, sheet: pd.DataFrame, assessment, scenario_name: str) -> Path:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in sheet.columns)
    body = "".join("<tr>" + "".join(f"<td>{_text(v)}</td>" for v in row) + "</tr>"
                   for row in sheet.itertuples(index=False))
    combo = ", ".join(assessment.combination) or "none 无"
    illustrative = any(d.get("threshold_illustrative") for d in assessment.documents.values())
    note = ("<p><b>Thresholds marked illustrative 准入值为示例</b>: see carbon/data/entry_thresholds.csv "
            "for the source of each.</p>") if illustrative else ""
    text = (f"<!doctype html><html><head><meta charset='utf-8'><title>Project carbon assessment 项目碳排放评价"
            f"</title><style>body{{font-family:sans-serif;max-width:60em}}td,th{{border:1px solid #999;"
            f"padding:2px 6px}}table{{border-collapse:collapse}}</style></head><body>"
            f"<h1>Project carbon assessment 固定资产投资项目碳排放评价</h1>"
            f"<p>Scenario 情景: {html.escape(scenario_name)}. Emissions scope 1+2, t CO2e. "
            f"排放为范围一和范围二，单位吨二氧化碳当量。</p><table><tr>{head}</tr>{body}</table>"
            f"<p>Projects that together still meet the peak target 仍满足达峰目标的项目组合: "
            f"{html.escape(combo)}</p>{note}</body></html>\n")
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(path: Path, sheet: pd.DataFrame, table: pd.DataFrame) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "assessment 评价"
    for frame, sheet_ws in ((sheet, ws), (table, wb.create_sheet("projects 项目"))):
        sheet_ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet_ws.append([None if (isinstance(v, float) and math.isnan(v)) else
                             (v if isinstance(v, (int, float, str, bool)) or v is None else str(v)) for v in row])
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
