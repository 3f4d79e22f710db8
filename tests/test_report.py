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
from carbon.plots import plot
from carbon.report import SECTIONS, build_report
from carbon.report.compare import compare
from carbon.report.tables import column_unit, with_units

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
    for sid, title, _ in SECTIONS:
        assert f'<section id="{sid}">' in text, sid
        assert f">{title}</h2>" in text
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
    assert "scope1" in peak and "2028" in peak and "240.00" in peak  # 2.40e6 t = 240.00 10^4 t
    assert "peak_co2e [10^4 t CO2e]" in peak


def test_excel_sheets_and_units(full_report):
    _, result = full_report
    sheets = pd.read_excel(result.xlsx, sheet_name=None, engine="openpyxl")
    assert list(sheets) == [
        "indicators",
        "peak",
        "targets",
        "lmdi",
        "pathway_by_sector",
        "inventory_by_sector",
        "inventory_by_gas",
        "inventory_by_scope",
        "inventory_emissions",
        "energy_years",
        "energy_capacity",
        "energy_annual",
        "energy_mac",
        "market_carbon_periods",
        "market_carbon_firms",
        "market_carbon_trades",
        "scenario",
        "provenance",
    ]
    assert "co2e_t_scope1 [t CO2e]" in sheets["indicators"].columns
    assert "carbon_intensity_t_per_10k_cny [t/10^4 CNY]" in sheets["indicators"].columns
    assert "gdp_10k_cny [10^4 CNY]" in sheets["indicators"].columns
    assert list(sheets["energy_capacity"].columns)[:5] == [
        "year",
        "technology",
        "existing_mw [MW]",
        "new_mw [MW]",
        "total_mw [MW]",
    ]
    assert "price [CNY/tCO2]" in sheets["market_carbon_periods"].columns
    assert "allocation [tCO2]" in sheets["market_carbon_firms"].columns
    assert sheets["inventory_by_sector"].columns.tolist() == ["sector", "co2e_t [t CO2e]"]
    assert len(sheets["indicators"]) == 21
    prov = dict(zip(sheets["provenance"]["key"], sheets["provenance"]["value"]))
    assert prov["git_commit"] == "deadbeef" and prov["versions.carbon"] == "0.1.0"


def test_column_units():
    assert column_unit("price_cny_per_mwh") == "CNY/MWh"
    assert column_unit("grid_factor_t_per_mwh") == "t/MWh"
    assert column_unit("energy_tce_coal_substitution") == "tce"
    assert column_unit("energy_intensity_tce_per_10k_cny") == "tce/10^4 CNY"
    assert column_unit("co2e_t_scope12") == "t CO2e"
    assert column_unit("total_mw") == "MW" and column_unit("total_mwh") == "MWh"
    assert column_unit("bank", "tce") == "tce" and column_unit("price", "tce") == "CNY/tce"
    assert list(with_units(pd.DataFrame(columns=["year", "sector", "co2e_t"])).columns) == [
        "year",
        "sector",
        "co2e_t [t CO2e]",
    ]


def test_report_of_an_inventory_only_run_notes_the_missing_sections(tmp_path):
    write_manifest(tmp_path / "inv", "inv")
    write_inventory(tmp_path / "inv")
    result = build_report(tmp_path / "inv")
    text = result.html.read_text(encoding="utf-8")
    assert "No pathway in this run" in text and "No power system in this run" in text
    assert "No quota market in this run" in text
    assert len(images(text)) == 2  # the two inventory figures
    sheets = pd.read_excel(result.xlsx, sheet_name=None)
    assert "inventory_by_sector" in sheets and "indicators" not in sheets


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return make_batch(tmp_path_factory.mktemp("batch") / "b")


def test_batch_report(batch, tmp_path):
    result = build_report(batch, tmp_path / "out")
    text = result.html.read_text(encoding="utf-8")
    for sid in ("runs", "comparison", "uncertainty", "notes"):
        assert f'<section id="{sid}">' in text
    assert re.findall(r'data-run="([^"]+)"', text) == ["baseline", "inventory_only", "policy"]
    assert "mc__s0000" not in re.findall(r'data-run="([^"]+)"', text)
    figs = re.findall(r'<figure data-figure="([^"]+)"', text)
    assert {"compare_inventory", "compare_pathway_scope1", "samples_mc", "mc/fan_scope1", "mc/peak_year"} <= set(figs)
    assert "failed run(s) left out: broken" in text
    sheets = pd.read_excel(result.xlsx, sheet_name=None)
    assert sheets["runs"].columns.tolist()[:3] == ["run", "status", "inventory_co2e_t [t CO2e]"]
    assert sorted(sheets["indicators"]["run"].unique()) == ["baseline", "policy"]
    assert sorted(sheets["inventory_by_sector"]["run"].unique()) == ["baseline", "inventory_only", "policy"]
    assert "p50 [t CO2e]" in sheets["mc_bands"].columns
    assert sheets["mc_peak_year"]["probability"].sum() == pytest.approx(1.0)


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
    assert "inventory CO2e (10^4 t CO2e)" in out and "peak year, scope1" in out
    table = pd.read_csv(tmp_path / "c" / "compare.csv", index_col="indicator")
    assert list(table.columns) == ["baseline", "inventory_only"]
    assert table.loc["peak year, scope1", "baseline"] == "2028"
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
    assert sorted(sheets["inventory_by_gas"]["run"].unique()) == names
    assert "co2e_t [t CO2e]" in sheets["inventory_by_gas"].columns
