"""The report (HTML with every section and its images, Excel with the expected sheets and
columns), the comparison, and the plot/report/compare commands (exit codes, skipping)."""

from __future__ import annotations

import argparse
import base64
import re

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from test_plots_fixtures import make_batch, make_full_run, write_inventory, write_manifest

from carbon.cli.plots import register
from carbon.errors import CarbonError
from carbon.glossary import term
from carbon.plots import plot
from carbon.report import SECTIONS, build_report
from carbon.report.compare import compare
from carbon.report.tables import column_unit

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def cli(argv: list[str]) -> int:
    """The plot commands on a fresh parser, run as ``carbon.cli.main`` does (errors -> 2)."""
    parser = argparse.ArgumentParser(prog="carbon")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CarbonError as exc:
        print(f"error: {exc}")
        return 2


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    run = make_full_run(tmp_path_factory.mktemp("report") / "full")
    return run, build_report(run)


def images(text: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', text)]


def test_html_has_every_section_and_its_images(full_report):
    _, result = full_report
    text = result.html.read_text(encoding="utf-8")
    assert text.index('<section id="key">') < text.index('<section id="indicators">')  # the answer first
    for sid, _ in SECTIONS:
        if sid == "accounts":  # only in runs that keep carbon accounts (tests/test_accounts.py)
            assert '<section id="accounts">' not in text
            continue
        assert f'<section id="{sid}">' in text, sid
        assert f">{term(f'section_{sid}', 'en', 'text')}</h2>" in text
    figs = re.findall(r'<figure data-figure="([^"]+)"', text)
    assert figs == [
        "pathway_scope1",
        "pathway_scope12",
        "pathway_lmdi",
        "pathway_targets",
        "inventory_sector_gas",
        "inventory_energy_flow",
        "energy_capacity",
        "energy_generation",
        "energy_dispatch",
        "energy_price_heatmap",
        "energy_duration",
        "market_carbon_price",
        "market_carbon_firms",
        "market_carbon_mac",
        "market_carbon_trades",
    ]
    pngs = images(text)
    assert len(pngs) == len(figs) == result.figures
    assert all(p.startswith(PNG_MAGIC) and len(p) > 5000 for p in pngs)
    # self-contained: no link to any other file
    assert not re.search(r'(src|href)="(?!data:|#)', text)
    for table in (
        "indicators",
        "peak",
        "targets",
        "inventory_by_sector",
        "energy_capacity",
        "market_carbon_periods",
        "scenario",
        "provenance",
    ):
        assert f'data-table="{table}"' in text, table
    assert "deadbeef" in text  # the git commit of the provenance
    assert "fixture full" in text  # the scenario's description


def test_peak_and_targets_tables_in_html(full_report):
    _, result = full_report
    text = result.html.read_text(encoding="utf-8")
    peak = text[text.index('data-table="peak"') :]
    peak = peak[: peak.index("</table>")]
    assert "scope 1" in peak and "2028" in peak and "240.0" in peak  # 2.40e6 t = 240.0 10^4 t
    assert "peak level [10^4 t CO2e]" in peak


def test_excel_sheets_and_units(full_report):
    _, result = full_report
    sheets = pd.read_excel(result.xlsx, sheet_name=None, engine="openpyxl")
    assert list(sheets) == [
        "Key indicators",
        "Indicators per year",
        "Peak",
        "Targets",
        "LMDI",
        "Emissions by sector and year",
        "Inventory by sector",
        "Inventory by gas",
        "Inventory by scope",
        "Inventory detail",
        "Power system per year",
        "Installed capacity",
        "Generation by technology",
        "Power emissions at prices",
        "carbon allowances periods",
        "carbon allowances firms",
        "carbon allowances trades",
        "Scenario",
        "Provenance",
    ]
    ind = sheets["Indicators per year"]
    # tonnes shown as 10^4 t, energy as 10^4 tce; the whole table (every year of the fixture)
    assert "emissions, scope 1 [10^4 t CO2e]" in ind.columns
    assert "carbon intensity (all gases) per GDP [t/10^4 CNY]" in ind.columns
    assert "GDP [10^4 CNY]" in ind.columns and "energy use [10^4 tce]" in ind.columns
    assert len(ind) == 21 and ind["year"].tolist() == list(range(2020, 2041))
    assert ind["energy use [10^4 tce]"].iloc[0] == pytest.approx(70.0)  # 7.0e5 tce = 70 x 10^4 tce
    assert list(sheets["Installed capacity"].columns)[:5] == [
        "year",
        "technology",
        "existing capacity [MW]",
        "new capacity [MW]",
        "total capacity [MW]",
    ]
    assert "price [CNY/t CO2]" in sheets["carbon allowances periods"].columns  # the market's unit, as a unit
    assert "allocation [t CO2]" in sheets["carbon allowances firms"].columns
    assert sheets["Inventory by sector"].columns.tolist() == ["sector", "emissions [10^4 t CO2e]"]
    prov = dict(zip(sheets["Provenance"]["key"], sheets["Provenance"]["value"]))
    assert prov["git_commit"] == "deadbeef" and prov["versions.carbon"] == "0.1.0"
    key = sheets["Key indicators"].set_index("indicator")
    assert key.loc["peak year (scope 1+2)", "full"] == 2029
    assert key.loc["emissions 2025 [10^4 t CO2e]", "full"] == pytest.approx(
        pd.read_csv(result.html.parent / "pathway" / "annual.csv").set_index("year").at[2025, "co2e_t_scope12"] / 1e4,
        abs=0.05,
    )


def test_excel_number_formats_and_rounding(full_report):
    import openpyxl

    _, result = full_report
    book = openpyxl.load_workbook(result.xlsx)
    ind = book["Indicators per year"]
    header = [c.value for c in ind[1]]
    fmt = {h: ind.cell(row=2, column=i + 1).number_format for i, h in enumerate(header)}
    assert fmt["year"] == "0"
    assert fmt["GDP [10^4 CNY]"] == "#,##0"  # 3.5e6 x 10^4 CNY: thousands separators, no decimals
    assert fmt["emissions, scope 1+2 [10^4 t CO2e]"] == "#,##0.0"  # hundreds of 10^4 t: one decimal
    value = ind.cell(row=2, column=header.index("emissions, scope 1+2 [10^4 t CO2e]") + 1).value
    assert value == round(value, 3)  # two decimals more than shown, not 15
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_column_units():
    assert column_unit("price_cny_per_mwh") == "CNY/MWh"
    assert column_unit("grid_factor_t_per_mwh") == "t/MWh"
    assert column_unit("energy_tce_coal_substitution") == "tce"
    assert column_unit("energy_intensity_tce_per_10k_cny") == "tce/10^4 CNY"
    assert column_unit("co2e_t_scope12") == "t CO2e"
    assert column_unit("total_mw") == "MW" and column_unit("total_mwh") == "MWh"
    assert column_unit("bank", "tce") == "tce" and column_unit("price", "tce") == "CNY/tce"


def test_report_of_an_inventory_only_run_notes_the_missing_sections(tmp_path):
    write_manifest(tmp_path / "inv", "inv")
    write_inventory(tmp_path / "inv")
    result = build_report(tmp_path / "inv")
    text = result.html.read_text(encoding="utf-8")
    assert "No pathway in this run" in text and "No power system in this run" in text
    assert "No quota market in this run" in text
    assert len(images(text)) == 2  # the two inventory figures
    sheets = pd.read_excel(result.xlsx, sheet_name=None)
    assert "Inventory by sector" in sheets and "Indicators per year" not in sheets


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return make_batch(tmp_path_factory.mktemp("batch") / "b")


def test_batch_report(batch, tmp_path):
    result = build_report(batch, tmp_path / "out")
    text = result.html.read_text(encoding="utf-8")
    ids = re.findall(r'<section id="([a-z]+)">', text)
    assert ids[:3] == ["key", "comparison", "uncertainty"] and ids[-2:] == ["appendix", "notes"]
    key = text[
        text.index('data-table="key_indicators"') : text.index("</table>", text.index('data-table="key_indicators"'))
    ]
    assert ">baseline</th>" in key and ">policy</th>" in key and "Δ emissions 2030 [10^4 t CO2e]" in key
    assert re.findall(r'data-run="([^"]+)"', text) == ["baseline", "inventory_only", "policy"]
    assert "mc__s0000" not in re.findall(r'data-run="([^"]+)"', text)
    figs = re.findall(r'<figure data-figure="([^"]+)"', text)
    assert {"compare_inventory", "compare_pathway_scope1", "samples_mc", "mc/fan_scope1", "mc/peak_year"} <= set(figs)
    assert "failed run(s) left out: broken" in text
    sheets = pd.read_excel(result.xlsx, sheet_name=None)
    assert next(iter(sheets)) == "Key indicators" and "runs" not in sheets  # no dump of summary.csv
    assert sorted(sheets["Indicators per year"]["scenario"].unique()) == ["baseline", "policy"]
    assert sorted(sheets["Inventory by sector"]["scenario"].unique()) == ["baseline", "inventory_only", "policy"]
    assert "emissions, median [10^4 t CO2e]" in sheets["MC percentile bands"].columns
    assert sheets["MC peak year"]["probability"].sum() == pytest.approx(1.0)
    assert sheets["Monte Carlo summary"]["samples"].tolist() == [200]  # as the aggregate's summary.json says
    assert sheets["Solver and timings"]["scenario"].tolist() == ["baseline", "inventory_only", "policy"]


def test_plot_command_writes_every_figure_and_skips_with_notes(tmp_path, capsys):
    batch = make_batch(tmp_path / "b", light=True)
    assert cli(["plot", str(batch), "-j", "2"]) == 0
    out = capsys.readouterr()
    figures = batch / "figures"
    assert (figures / "compare_inventory.png").read_bytes().startswith(PNG_MAGIC)
    assert (figures / "baseline" / "pathway_scope1.png").is_file()
    assert (figures / "compare_pathway_scope12.png").is_file() and (figures / "samples_mc.png").is_file()
    assert (figures / "mc" / "peak_year.png").is_file()
    assert not (figures / "mc__s0000").exists()  # samples are drawn in the aggregate figures
    skipped = (figures / "skipped.txt").read_text()
    assert "inventory_only" in skipped and "no pathway/ folder" in skipped
    assert "inventory figures not repeated (the same inventory as baseline): policy" in skipped
    assert "file(s) written to" in out.out and "note:" in out.err


def test_plot_formats(tmp_path):
    write_manifest(tmp_path / "r", "r")
    write_inventory(tmp_path / "r")
    result = plot(tmp_path / "r", formats="png,svg,pdf", jobs=1)
    names = sorted(f.name for f in result.files)
    assert names == sorted(f"inventory_{n}.{e}" for n in ("sector_gas", "energy_flow") for e in ("png", "svg", "pdf"))
    folder = tmp_path / "r" / "figures"
    assert (folder / "inventory_sector_gas.svg").read_text().lstrip().startswith("<?xml")
    assert (folder / "inventory_sector_gas.pdf").read_bytes().startswith(b"%PDF")
    assert "no pathway/ folder" in (folder / "skipped.txt").read_text()


def test_plot_errors_exit_2(tmp_path, capsys):
    assert cli(["plot", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().out
    write_manifest(tmp_path / "r", "r")
    assert cli(["plot", str(tmp_path / "r"), "--format", "gif"]) == 2
    text = capsys.readouterr().out
    assert "--format: unknown figure format" in text and "expected: png, svg, pdf" in text and "found:    gif" in text


def test_plot_chosen_year_and_days(tmp_path, capsys):
    run = tmp_path / "r"
    write_manifest(run, "r")
    from test_plots_fixtures import write_energy

    write_energy(run)
    assert cli(["plot", str(run), "--year", "2030", "--days", "200", "-j", "1", "-q"]) == 0
    assert (run / "figures" / "energy_dispatch.png").is_file()
    assert cli(["plot", str(run), "--year", "2040", "-j", "1", "-q"]) == 2
    assert "no dispatch for this year" in capsys.readouterr().out
    assert cli(["plot", str(run), "--days", "ten"]) == 2
    assert "--days: days must be whole numbers" in capsys.readouterr().out


def test_plot_zh_without_font_says_how_to_install(tmp_path, monkeypatch, capsys):
    from carbon.plots import style

    monkeypatch.setattr(style, "find_cjk_font", lambda: None)
    write_manifest(tmp_path / "r", "r")
    write_inventory(tmp_path / "r")
    assert cli(["plot", str(tmp_path / "r"), "--lang", "zh", "-j", "1"]) == 0
    assert "apt-get install fonts-noto-cjk" in capsys.readouterr().err


def test_compare_command(batch, tmp_path, capsys):
    assert cli(["compare", str(batch / "baseline"), str(batch / "inventory_only"), "-o", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "base-year inventory [10^4 t CO2e]" in out and "peak year (scope 1+2)" in out
    table = pd.read_csv(tmp_path / "c" / "compare.csv", index_col="indicator")
    assert list(table.columns) == ["baseline", "inventory_only"]
    assert table.loc["peak year (scope 1+2)", "baseline"] == "2029"
    inv = table.loc["base-year inventory [10^4 t CO2e]"].astype(float)  # shown: the runs' inventories differ
    assert inv["inventory_only"] / inv["baseline"] == pytest.approx(0.9, abs=1e-3)  # the fixture scaled by 0.9
    assert (tmp_path / "c" / "compare_pathway_scope1.png").is_file()
    result = compare([batch], tmp_path / "c2")  # a batch: all its runs but the samples
    assert list(result.table.columns) == ["baseline", "inventory_only", "policy"]


def test_help_has_examples():
    parser = argparse.ArgumentParser(prog="carbon")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    for name in ("plot", "report", "compare"):
        assert "examples:" in sub.choices[name].format_help()


def test_real_run_folders_of_carbon_run(tmp_path, root):
    """End to end on folders written by ``carbon run`` (two inventory scenarios)."""
    files = [root / "scenarios" / "inventory" / name for name in ("base.yaml", "coal_to_gas.yaml")]
    if not all(f.is_file() for f in files):
        pytest.skip(f"{files} not found")
    from carbon.runner import Progress, run_batch

    summary = run_batch([str(f) for f in files], tmp_path / "results", jobs=1, progress=Progress(quiet=True))
    assert (summary["status"] == "ok").all()
    names = sorted(summary["run"])
    assert cli(["report", str(tmp_path / "results")]) == 0
    text = (tmp_path / "results" / "report.html").read_text(encoding="utf-8")
    assert re.findall(r'<section id="run\d+" data-run="([^"]+)"', text) == names
    assert '<figure data-figure="compare_inventory">' in text
    assert f'<figure data-figure="{names[0]}/inventory_sector_gas">' in text
    sheets = pd.read_excel(tmp_path / "results" / "indicators.xlsx", sheet_name=None)
    assert sorted(sheets["Inventory by gas"]["scenario"].unique()) == names
    assert "emissions [10^4 t CO2e]" in sheets["Inventory by gas"].columns
