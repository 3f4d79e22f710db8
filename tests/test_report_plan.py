"""The action plan a planning office can hand on: the key indicators first and complete, the why
notes adding up to the difference (the bundled policy against the baseline in 2025), Chinese
throughout (no English snake_case in headings, table headers, captions or sheet names), every
user-facing string in the glossary, the Word annex, readable names and the planner's comparison."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from carbon import glossary
from carbon.cli import main
from carbon.plots.data import Run, display_name
from carbon.report import build_report
from carbon.report.compare import compare, format_table
from carbon.report.keytable import key_table
from carbon.report.tables import run_tables
from carbon.report.text import CATEGORY_COLUMNS
from carbon.report.why import driver_effects, explain
from carbon.scenario import expand, load_raw, sweep_key_names

ROOT = Path(__file__).resolve().parents[1]
SNAKE = re.compile(r"[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+")


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Path:
    """The bundled policy and baseline scenarios, run by ``carbon run``."""
    out = tmp_path_factory.mktemp("pair") / "results"
    files = [str(ROOT / "scenarios" / f) for f in ("baseline.yaml", "policy.yaml")]
    assert main(["run", *files, "-o", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def zh_report(pair, tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    return build_report(pair, out, lang="zh", formats=("html", "xlsx", "docx"))


# --- why notes -------------------------------------------------------------------------------


def test_why_notes_of_policy_against_baseline_in_2025_add_up(pair):
    base, policy = Run.open(pair / "baseline"), Run.open(pair / "policy")
    ex = explain(base, policy, 2025)
    a0 = pd.read_csv(pair / "baseline" / "pathway" / "annual.csv").set_index("year")
    a1 = pd.read_csv(pair / "policy" / "pathway" / "annual.csv").set_index("year")
    difference = a1.at[2025, "co2e_t_scope12"] - a0.at[2025, "co2e_t_scope12"]
    assert ex.difference == pytest.approx(difference, abs=1e-6)
    # both decompositions add up to the difference exactly (LMDI-I has no residual)
    assert sum(ex.by_sector.values()) == pytest.approx(difference, abs=1e-6)
    assert sum(ex.by_driver.values()) == pytest.approx(difference, abs=1e-6)
    assert sum(ex.by_fuel.values()) == pytest.approx(difference, abs=1e-6)
    # purchased electricity is the same number by sector and by fuel; coal falls in 2025
    assert ex.by_fuel["purchased_electricity"] == pytest.approx(ex.by_sector["purchased_electricity"], abs=1e-6)
    assert ex.by_fuel["raw_coal"] < 0
    # the main causes: electrification (more purchased electricity) against less industrial fuel
    assert ex.by_sector["purchased_electricity"] > 0 > ex.by_sector["industry"]
    assert ex.by_driver["electricity_demand"] > 0 > ex.by_driver["end_use_intensity"]
    # the power system's own account: more load, more purchases and storage discharge than the baseline
    assert ex.power["load"] > 0 and ex.power["imports"] > 0 and ex.power["storage"] > 0
    for lang in ("en", "zh"):
        sentences = ex.sentences(lang)
        shown = f"{difference / 1e4:+,.1f}"
        assert shown in sentences[0], (lang, sentences[0])
        # the numbers written per driver add up to the written total (to the rounding of 0.1)
        (driver_sentence,) = [s for s in sentences if "LMDI" in s]
        drivers = re.findall(r"([+-][\d,]+\.\d)", driver_sentence.rsplit(";", 1)[0])
        assert sum(float(d.replace(",", "")) for d in drivers) == pytest.approx(
            difference / 1e4, abs=0.05 * len(drivers)
        )
    assert "purchased electricity" in " ".join(ex.sentences("en")) and "储能放电" in " ".join(ex.sentences("zh"))


def test_lmdi_between_scenarios_worked_by_hand():
    """One end-use sector at the same GDP, electricity from purchases only.

    Reference: industry 100 t at GDP 10; electricity use D = 100 MWh, all purchased (N = 100) at
    0.5 t/MWh: 50 t. Scenario: industry 60 t; D = 200 MWh, N = 200 at 0.5: 100 t. Total 150 -> 160.
    GDP is equal, so activity gives 0 and industry's intensity gives -40; electricity's share and
    intensity do not change, so demand gives L(100, 50) ln(200/100) = (50 / ln 2) ln 2 = +50.
    """
    a0 = pd.Series({"electricity_mwh": 100.0, "net_imports_mwh": 100.0})
    a1 = pd.Series({"electricity_mwh": 200.0, "net_imports_mwh": 200.0})
    s0 = pd.Series({"industry": 100.0, "purchased_electricity": 50.0})
    s1 = pd.Series({"industry": 60.0, "purchased_electricity": 100.0})
    d = pd.Series({"gdp_10k_cny": 10.0})
    effects = driver_effects((a0, s0, d), (a1, s1, d))
    assert effects["activity"] == pytest.approx(0.0, abs=1e-12)
    assert effects["end_use_intensity"] == pytest.approx(-40.0)
    assert effects["electricity_demand"] == pytest.approx(50.0)
    assert effects["electricity_mix"] == pytest.approx(0.0, abs=1e-12)
    assert effects["electricity_intensity"] == pytest.approx(0.0, abs=1e-12)
    assert sum(effects.values()) == pytest.approx(10.0)


# --- key indicators first, complete ------------------------------------------------------------


def test_batch_report_leads_with_complete_key_indicators(pair, zh_report):
    text = zh_report.html.read_text(encoding="utf-8")
    sections = re.findall(r'<section id="([a-z0-9-]+)"', text)
    assert sections[0] == "key"
    key = text[text.index('data-table="key_indicators"') :]
    key = key[: key.index("</table>")]
    assert "2060年排放" in key and "2020–2060年累计排放" in key and "基准情景" in key and "试点规划情景" in key
    # every year of a run's indicators is shown, 2060 included
    run0 = text[text.index('id="run0-indicators"') :]
    table = run0[run0.index('data-table="indicators"') : run0.index("</table>", run0.index('data-table="indicators"'))]
    years = re.findall(r'<tr><td class="[a-z]*">(\d{4})</td>', table)
    assert years == [str(y) for y in range(2020, 2061)]
    # the cumulative emissions of the key table are the sums of the runs' annual tables
    k = key_table([Run.open(pair / "baseline")])
    total = pd.read_csv(pair / "baseline" / "pathway" / "annual.csv")["co2e_t_scope12"].sum() / 1e4
    assert k.numbers().loc["cumulative:2020-2060", "baseline"] == pytest.approx(total)


# --- Chinese throughout --------------------------------------------------------------------------


def _snake(strings) -> list[str]:
    return sorted({m for s in strings for m in SNAKE.findall(str(s))})


def test_zh_outputs_have_no_english_snake_case(zh_report):
    import html

    import docx
    import openpyxl

    text = zh_report.html.read_text(encoding="utf-8")
    shown = [
        html.unescape(re.sub(r"<[^>]+>", "", m))
        for m in re.findall(
            r"<(?:h[1-6]|th|figcaption|title)[^>]*>(.*?)</(?:h[1-6]|th|figcaption|title)>", text, re.DOTALL
        )
    ]
    assert len(shown) > 200
    assert _snake(shown) == []
    book = openpyxl.load_workbook(zh_report.xlsx)
    assert _snake(book.sheetnames) == [] and all(len(n) <= 31 for n in book.sheetnames)
    headers = [c.value for sheet in book.worksheets for c in sheet[1] if c.value is not None]
    headers += [sheet.cell(row=r, column=1).value for sheet in book.worksheets[:1] for r in range(2, sheet.max_row + 1)]
    assert _snake(headers) == []
    doc = docx.Document(zh_report.docx)
    words = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title", "Caption"))]
    words += [c.text for t in doc.tables for c in t.rows[0].cells] + [
        t.rows[i].cells[0].text for t in doc.tables[:1] for i in range(len(t.rows))
    ]
    assert _snake(words) == []


def test_zh_report_of_one_run_leads_with_its_key_indicators(pair, tmp_path):
    import html

    import openpyxl

    result = build_report(pair / "baseline", tmp_path, lang="zh")
    text = result.html.read_text(encoding="utf-8")
    assert re.findall(r'<section id="([a-z0-9-]+)"', text)[:2] == ["key", "indicators"]
    assert '<html lang="zh-CN">' in text and "碳达峰行动方案:基准情景" in text
    shown = [
        html.unescape(re.sub(r"<[^>]+>", "", m))
        for m in re.findall(
            r"<(?:h[1-6]|th|figcaption|title)[^>]*>(.*?)</(?:h[1-6]|th|figcaption|title)>", text, re.DOTALL
        )
    ]
    assert _snake(shown) == []
    book = openpyxl.load_workbook(result.xlsx)
    assert book.sheetnames[0] == "关键指标" and _snake(book.sheetnames) == []
    assert _snake(c.value for sheet in book.worksheets for c in sheet[1]) == []
    years = [c.value for c in book["逐年指标"]["A"][1:]]
    assert years == list(range(2020, 2061))  # complete: 2060 present


def test_zh_figures_have_no_english_snake_case(pair):
    """Every text of the Chinese figures of the batch and of the policy run (titles, axes, ticks,
    legends, target names)."""
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from carbon.plots import figures, render
    from carbon.plots.data import open_path
    from carbon.plots.style import use_language

    if use_language("zh")[0] != "zh":
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    jobs, _ = figures(open_path(pair), "zh")
    jobs = [j for j in jobs if j.group in ("", "policy")]
    shown, drawn = [], 0
    for _job, fig, _note in render(jobs):
        if fig is not None:
            drawn += 1
            shown += [t.get_text() for t in fig.findobj(Text)]
            plt.close(fig)
    assert drawn >= 12 and any("碳排放强度下降" in s for s in shown)  # the target panels, named in Chinese
    assert _snake(shown) == []


def test_every_user_facing_string_has_both_languages(pair):
    """Every glossary key the code asks for, every column of every run table and every category
    cell of the bundled runs has an English and a Chinese entry."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "carbon" / "report").glob("*.py"))
    source += (ROOT / "carbon" / "plots" / "captions.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'\btext\(\s*"([a-z0-9_]+)"', source))
    keys |= set(re.findall(r'"(cap_[a-z_]+)"', source))
    families = {f[:-1] for f in re.findall(r'\btext\(\s*f"([a-z_]+)\{', source)}
    missing = [
        k for k in sorted(keys) if not (glossary.has_term(k, "en", "text") and glossary.has_term(k, "zh", "text"))
    ]
    assert missing == []
    texts = glossary.table()["text"]
    for family in families:  # section_, missing_, table_, sheet_, driver_, why_power_, status_, key_ ...
        found = [k for k in texts["en"] if k.startswith(family)]
        assert found, family
        assert all(k in texts["zh"] for k in found), family
    untranslated = set()
    for name in ("baseline", "policy"):
        run = Run.open(pair / name)
        for table in run_tables(run):
            for col in table.frame.columns:
                if not glossary.has_term(col, "zh"):
                    untranslated.add(f"column {col}")
                if col in CATEGORY_COLUMNS and col != "unit":
                    for v in table.frame[col].dropna().astype(str).unique():
                        if not glossary.has_term(v, "zh"):
                            untranslated.add(f"{col} {v}")
        assert run.label("zh") != run.name  # the bundled scenarios have a Chinese label
    assert sorted(untranslated) == []


def test_a_string_without_translation_is_caught(monkeypatch):
    """The checks above fail for a key with no Chinese entry (they cannot pass on anything)."""
    assert glossary.has_term("co2e_t_scope12", "zh")
    assert not glossary.has_term("no_such_column_x", "zh")
    assert _snake(["排放量 [万吨CO2e]", "peak_year"]) == ["peak_year"]


# --- Word ----------------------------------------------------------------------------------------


def test_docx_has_the_key_table_figures_and_captions(zh_report):
    import docx

    doc = docx.Document(zh_report.docx)
    key = doc.tables[0]
    assert key.rows[0].cells[0].text == "指标"
    assert [c.text for c in key.rows[0].cells[1:]] == ["基准情景", "试点规划情景"]
    assert any(r.cells[0].text.startswith("2060年排放") for r in key.rows)
    assert len(doc.inline_shapes) >= 4  # the comparison and each run's pathway figures
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "表1 关键指标" and any(c.startswith("图1 ") for c in captions)
    assert any("与 基准情景 比较" in p.text for p in doc.paragraphs)  # the why notes


# --- names and comparison ------------------------------------------------------------------------


def test_sweep_names_keep_a_readable_key_path():
    assert sweep_key_names(["pathway.carbon_price.2030", "energy.technologies.battery.energy_capex_cny_per_kwh"]) == {
        "pathway.carbon_price.2030": "carbon_price.2030",
        "energy.technologies.battery.energy_capex_cny_per_kwh": "energy_capex_cny_per_kwh",
    }
    # two keys with the same tail keep as much of their path as tells them apart
    assert sweep_key_names(["market.price.2030", "pathway.carbon_price.2030", "energy.market.price.2030"]) == {
        "market.price.2030": "market.price.2030",
        "pathway.carbon_price.2030": "carbon_price.2030",
        "energy.market.price.2030": "energy.market.price.2030",
    }
    assert sweep_key_names(["inventory.gwp", "pathway.grid_factor.2030"]) == {
        "inventory.gwp": "gwp",
        "pathway.grid_factor.2030": "grid_factor.2030",
    }
    runs = expand(ROOT / "scenarios" / "price_storage_sweep.yaml")
    assert runs[0].name == "price_storage_sweep__energy_capex_cny_per_kwh=200__carbon_price.2030=100"
    scenario = runs[0].scenario.as_data()
    assert (
        display_name(runs[0].name, scenario, "zh")
        == "基准情景碳价与储能成本扫描 (储能容量成本(元/kWh) = 200, 碳价 2030 = 100)"
    )


def test_results_folder_follows_the_file_name_and_labels_are_not_inherited(tmp_path):
    mc = expand(ROOT / "scenarios" / "monte_carlo.yaml", max_runs=10_000)
    assert mc[0].name == "monte_carlo__s0000"  # no name: in the file -> results/monte_carlo*
    assert load_raw(ROOT / "scenarios" / "policy.yaml")["label"]["zh"] == "试点规划情景"
    # a child without a label of its own does not take its parent's
    child = tmp_path / "child.yaml"
    child.write_text(f"name: child\nextends: {ROOT / 'scenarios' / 'policy.yaml'}\n")
    assert "label" not in load_raw(child)


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_compare_gives_the_planners_numbers_and_fits_the_terminal(pair, tmp_path):
    result = compare([pair], tmp_path / "c", lang="en", width=80)
    lines = result.text.splitlines()
    assert max(_columns(line) for line in lines) <= 80
    for row in ("emissions 2030", "emissions 2060", "cumulative emissions 2020–2060", "Δ emissions 2030"):
        assert any(line.startswith(row) for line in lines), row
    assert "Pilot plan: CO2 intensity reduction 2025" in result.text  # the failed targets by name
    assert "reference scenario Baseline (current" in result.text  # wrapped to 80 columns
    zh = compare([pair], tmp_path / "z", lang="zh", width=60)
    assert max(_columns(line) for line in zh.text.splitlines()) <= 60
    csv = pd.read_csv(tmp_path / "c" / "compare.csv", index_col=0)
    assert list(csv.columns) == ["Baseline (current trends)", "Pilot plan"]
    assert csv.loc["Δ emissions 2025 [10^4 t CO2e]", "Baseline (current trends)"] == "—"


def test_format_table_wraps_into_blocks():
    table = pd.DataFrame({f"scenario {i}": ["1.0", "a long cell that wraps"] for i in range(6)}, index=["x", "y"])
    text = format_table(table, width=50)
    assert max(len(line) for line in text.splitlines()) <= 50
    # label 1 + 2 x (2 + 22) = 49 columns: 6 runs in 3 blocks of 2, each under its own rule
    assert sum(line.startswith("-----") for line in text.splitlines()) == 3


def test_report_bad_format_and_reference_exit_2(pair, tmp_path, capsys):
    assert main(["report", str(pair), "-o", str(tmp_path), "--format", "pdf"]) == 2
    assert main(["report", str(pair), "-o", str(tmp_path), "--reference", "nope"]) == 2
    err = capsys.readouterr()
    assert "unknown report format" in err.err + err.out and "unknown reference run" in err.err + err.out


def test_run_summary_in_chinese_names_the_failed_targets(pair):
    from carbon.cli.run import format_summary

    summary = pd.read_csv(pair / "summary.csv")
    zh = format_summary(summary, "zh")
    en = format_summary(summary, "en")
    assert "碳排放强度下降 2025" in zh and "carbon_intensity_reduction" not in zh
    assert "未达成目标" in zh and "已达峰" in zh
    assert "CO2 intensity reduction 2025" in en and "carbon_intensity_reduction" not in en  # names, not keys


def test_many_runs_are_drawn_as_small_multiples(tmp_path):
    from test_plots_fixtures import write_manifest, write_pathway

    from carbon.plots import pathway
    from carbon.plots.style import use_language

    use_language("en")
    runs = []
    for i in range(7):
        write_manifest(tmp_path / f"r{i}", f"r{i}")
        write_pathway(tmp_path / f"r{i}")
        runs.append(Run.open(tmp_path / f"r{i}"))
    fig = pathway.compare_pathways(runs[:3], "scope12")
    assert len(fig.axes) == 1  # a few runs: one chart with a legend
    fig = pathway.compare_pathways(runs, "scope12")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == [f"r{i}" for i in range(7)]  # one panel per run
    assert all(len(ax.get_lines()) >= 7 for ax in panels)  # the run and the six others in grey


def test_a_bad_label_is_refused(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(f"name: s\nlabel: {{fr: Base}}\nmodel: {ROOT / 'models' / 'lankao'}\n")
    assert main(["validate", str(tmp_path / "s.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "label: a label is a text or {en: ..., zh: ...}" in err


def test_without_a_cjk_font_the_figures_fall_back_to_english_and_notes_are_said_once(pair, tmp_path, monkeypatch):
    """`--lang zh` on a machine without a CJK font: tables and headings stay Chinese, the figures of
    the page and of the Word file are drawn in English (no missing-glyph boxes), and a note said by
    both renderers is logged once."""
    from carbon import report
    from carbon.report import word

    asked: list[str] = []

    def figures(obj, lang):
        asked.append(lang)
        return [], ["samples_x: skipped (a note both renderers say)"]

    monkeypatch.setattr(report, "use_language", lambda lang: ("en", "no CJK font: figures in English"))
    monkeypatch.setattr(report, "figures", figures)
    monkeypatch.setattr(word, "figures", figures)
    said: list[str] = []
    result = build_report(pair, tmp_path / "out", lang="zh", formats=("html", "docx"), log=said.append)
    assert asked == ["en", "en"]
    assert said == ["note: no CJK font: figures in English", "note: samples_x: skipped (a note both renderers say)"]
    assert "<h2>关键指标</h2>" in result.html.read_text(encoding="utf-8")
