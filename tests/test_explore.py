"""``carbon explore``: the embedded data equals the run folders' tables, the Monte Carlo fan is
the samples' percentiles, bad input is one message with exit 2, and in a real headless browser
(Debian's chromium driven by Playwright) the page loads cleanly, follows the scenario picked and
downloads the numbers of the run folder as CSV.

The browser tests skip only when /usr/bin/chromium (apt-get install chromium) or the playwright
package (pip install -e '.[test]') is missing; they never download a browser."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbon.cli import main
from carbon.explore import build_explorer, explorer_data
from carbon.explore.data import MARKET, PATHWAY, POWER, dispatch
from carbon.explore.page import glossary_terms, plain
from carbon.glossary import has_term

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
CHROMIUM = os.environ.get("CARBON_CHROMIUM", "/usr/bin/chromium")

#: A small batch: two named runs (the baseline; the policy, which has a carbon market) and a
#: Monte Carlo of 3 samples, each on 2 representative days and one milestone (~10 s in all).
SMALL = {
    "base.yaml": f"name: base\nextends: {SCENARIOS / 'baseline.yaml'}\npathway: {{milestones: [2030]}}\n"
    "energy: {days: 2}\n",
    "pol.yaml": f"name: pol\nextends: {SCENARIOS / 'policy.yaml'}\npathway: {{milestones: [2030]}}\n"
    "energy: {days: 2}\n",
    "mcs.yaml": f"name: mcs\nextends: {SCENARIOS / 'baseline.yaml'}\npathway: {{milestones: [2030]}}\n"
    "energy: {days: 2}\nsamples:\n  n: 3\n  seed: 7\n"
    "  pathway.grid_factor.2030: {dist: uniform, low: 0.46, high: 0.58}\n",
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("explore")
    (root / "sc").mkdir()
    for name, text in SMALL.items():
        (root / "sc" / name).write_text(text, encoding="utf-8")
    out = root / "results"
    assert main(["run", str(root / "sc"), "-o", str(out), "-q", "--jobs", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def data(batch) -> dict:
    return explorer_data(batch)


def _run(data: dict, name: str) -> dict:
    return next(r for r in data["runs"] if r["name"] == name)


# ------------------------------------------------------------------------------------------
# the embedded data


def test_named_runs_are_listed_and_samples_only_as_a_fan(data):
    assert [r["name"] for r in data["runs"]] == ["base", "pol"]
    assert [(f["name"], f["samples"]) for f in data["fans"]] == [("mcs", 3)]
    assert data["failed"] == []


def test_embedded_tables_equal_the_run_folders(batch, data):
    for name in ("base", "pol"):
        run = _run(data, name)
        annual = pd.read_csv(batch / name / "pathway" / "annual.csv")
        assert run["annual"]["year"] == annual["year"].tolist()
        for column in annual.columns:  # every column, to the last bit
            assert np.array_equal(
                np.array(run["annual"][column], dtype=float), annual[column].to_numpy(dtype=float), equal_nan=True
            ), (name, column)
        by_sector = pd.read_csv(batch / name / "pathway" / "by_sector.csv")
        for (view, sector), rows in by_sector.groupby(["view", "sector"]):
            rows = rows.set_index("year").reindex(annual["year"])
            assert np.allclose(run["sectors"][view][sector], rows["co2e_t"], rtol=1e-12), (name, view, sector)
        capacity = (
            pd.read_csv(batch / name / "energy" / "capacity.csv").groupby(["year", "technology"])["total_mw"].sum()
        )
        tech = pd.DataFrame(run["technology"]).set_index(["year", "technology"])
        assert np.allclose(tech["total_mw"].reindex(capacity.index), capacity, rtol=1e-12)
        generation = (
            pd.read_csv(batch / name / "energy" / "annual.csv").groupby(["year", "technology"])["generation_mwh"].sum()
        )
        assert np.allclose(tech["generation_mwh"].reindex(generation.index), generation, rtol=1e-12)
        hourly = pd.read_csv(batch / name / "energy" / "dispatch.csv")
        shown = pd.DataFrame(run["dispatch"])
        assert len(shown) == hourly.groupby(["year", "hour"]).ngroups == 2 * 24 * 2  # 2 years x 2 days x 24 h
        # one node: the page's load is the table's, rounded to 1e-4 MW
        assert (
            np.abs(shown["load_mw"].to_numpy() - hourly.sort_values(["year", "hour"])["load_mw"].to_numpy()).max()
            <= 0.5e-4
        )
        assert (shown["day"] == shown["hour"] // 24).all()
    periods = pd.read_csv(batch / "pol" / "market" / "periods.csv")
    market = _run(data, "pol")["markets"]["carbon"]
    assert market["periods"]["period"] == periods["period"].tolist()
    assert market["periods"]["price"] == periods["price"].tolist()
    assert market["units"] == {"price": "cny/t co2", "quantity": "10^4 t co2"}
    assert "markets" not in _run(data, "base")


def test_dispatch_sums_the_nodes_and_drops_empty_columns():
    frame = pd.DataFrame(
        {
            "year": [2030] * 4,
            "node": ["a", "b", "a", "b"],
            "step": [0, 0, 1, 1],
            "hour": [30, 30, 31, 31],
            "weight": [5.0] * 4,
            "load_mw": [1.0, 2.0, 3.0, 4.0],
            "price_cny_per_mwh": [100.0, 300.0, 50.0, 50.0],
            "coal_mw": [0.0] * 4,
            "wind_mw": [1.0, 2.0, 0.5, 0.5],
        }
    )
    out = dispatch(frame)
    # hour 30: load 1 + 2 = 3 MW, wind 1 + 2 = 3 MW, price (100 + 300) / 2 = 200; day 30 // 24 = 1
    assert out["load_mw"].tolist() == [3.0, 7.0]
    assert out["wind_mw"].tolist() == [3.0, 1.0]
    assert out["price_cny_per_mwh"].tolist() == [200.0, 50.0]
    assert out["day"].tolist() == [1, 1]
    assert "coal_mw" not in out.columns


def test_fan_is_the_percentiles_of_the_samples(batch, data):
    fan = data["fans"][0]
    samples = [pd.read_csv(batch / f"mcs__s000{i}" / "pathway" / "annual.csv") for i in range(3)]
    energy = np.sort(np.vstack([s["energy_tce"].to_numpy() for s in samples]), axis=0)
    # three samples a <= b <= c: the median is b; the 5th percentile (linear, position 2 x 0.05 = 0.1)
    # is a + 0.1 (b - a); the 95th (position 1.9) is b + 0.9 (c - b)
    a, b, c = energy
    assert np.allclose(fan["bands"]["energy_tce"]["p50"], b, rtol=1e-12)
    assert np.allclose(fan["bands"]["energy_tce"]["p5"], a + 0.1 * (b - a), rtol=1e-12)
    assert np.allclose(fan["bands"]["energy_tce"]["p95"], b + 0.9 * (c - b), rtol=1e-12)
    # the emission columns are the batch's own bands.csv
    bands = pd.read_csv(batch / "mcs" / "bands.csv")
    for view, column in (("scope1", "co2e_t_scope1"), ("scope12", "co2e_t_scope12")):
        rows = bands[bands["view"] == view]
        for p in (5, 25, 50, 75, 95):
            assert fan["bands"][column][f"p{p}"] == rows[f"p{p}"].tolist()
    co2 = np.sort(np.vstack([s["co2e_t_scope12"].to_numpy() for s in samples]), axis=0)
    assert np.allclose(fan["bands"]["co2e_t_scope12"]["p50"], co2[1], rtol=1e-12)
    summary = json.loads((batch / "mcs" / "summary.json").read_text())
    assert fan["peak"]["co2e_t_scope12"] == {
        "p_peak_by_2030": summary["p_peak_by_2030_scope12"],
        "median_peak_year": summary["median_peak_year_scope12"],
    }


def test_a_failed_run_is_named_not_drawn(batch, tmp_path):
    import shutil

    copy = tmp_path / "results"
    shutil.copytree(batch, copy)
    manifest = json.loads((copy / "pol" / "manifest.json").read_text())
    (copy / "pol" / "manifest.json").write_text(json.dumps({**manifest, "status": "failed", "error": "x"}))
    sample = json.loads((copy / "mcs__s0001" / "manifest.json").read_text())
    (copy / "mcs__s0001" / "manifest.json").write_text(json.dumps({**sample, "status": "failed", "error": "x"}))
    data = explorer_data(copy)
    assert [r["name"] for r in data["runs"]] == ["base"] and data["failed"] == ["pol"]
    # the fan of the two samples left: the median of two values is their midpoint
    a, b = (pd.read_csv(copy / f"mcs__s000{i}" / "pathway" / "annual.csv")["energy_tce"] for i in (0, 2))
    assert data["fans"][0]["samples"] == 2
    assert np.allclose(data["fans"][0]["bands"]["energy_tce"]["p50"], (a + b) / 2, rtol=1e-12)


def test_parquet_tables_are_read_too(batch, tmp_path):
    import shutil

    copy = tmp_path / "results"
    shutil.copytree(batch, copy)
    annual = copy / "base" / "pathway" / "annual.csv"
    pd.read_csv(annual).to_parquet(annual.with_suffix(".parquet"), index=False)
    annual.unlink()
    assert _run(explorer_data(copy), "base")["annual"] == _run(explorer_data(batch), "base")["annual"]


def test_labels_of_the_scenarios_name_the_runs(batch, tmp_path):
    import shutil

    copy = tmp_path / "results"
    shutil.copytree(batch, copy)
    for run, label in (("pol", {"en": "Pilot plan", "zh": "试点规划情景"}), ("base", "Baseline")):
        manifest = json.loads((copy / run / "manifest.json").read_text())
        manifest["scenario"]["label"] = label
        (copy / run / "manifest.json").write_text(json.dumps(manifest))
    labels = {r["name"]: r["label"] for r in explorer_data(copy)["runs"]}
    assert labels == {"base": {"en": "Baseline", "zh": "Baseline"}, "pol": {"en": "Pilot plan", "zh": "试点规划情景"}}
    # runs of a sweep keep their swept values in the label, so they can be told apart
    from carbon.explore.data import _label
    from carbon.results import open_run

    manifest = json.loads((copy / "pol" / "manifest.json").read_text())
    (copy / "pol" / "manifest.json").write_text(json.dumps({**manifest, "run": "pol__carbon_price.2030=100"}))
    assert _label(open_run(copy / "pol")) == {"en": "Pilot plan (carbon price 2030 = 100)",
                                                   "zh": "试点规划情景 (碳价 2030 = 100)"}


def test_one_run_folder_can_be_explored(batch, data):
    single = explorer_data(batch / "pol")
    assert [r["name"] for r in single["runs"]] == ["pol"] and single["fans"] == []
    assert single["runs"][0] == _run(data, "pol")


def test_every_term_of_the_page_has_both_languages(data):
    keys = [i.column for i in (*PATHWAY, *POWER, *MARKET)] + [i.unit for i in (*PATHWAY, *POWER)]
    for run in data["runs"]:
        keys += [s for view in run["sectors"].values() for s in view]
        keys += run["technology"]["technology"] + run["technology"]["carrier"]
        keys += [c.removesuffix("_mw") for c in run["dispatch"] if c.endswith("_mw")]
        for market in run.get("markets", {}).values():
            keys += list(market["units"].values())
        keys += list(run.get("markets", {}))
    missing = sorted({k for k in keys if k not in ("price", "quantity") and not has_term(k, "zh")})
    assert not missing, f"no Chinese term in carbon/data/glossary.csv for: {missing}"
    template = (ROOT / "carbon" / "explore" / "template.html").read_text(encoding="utf-8")
    texts = {t for t in re.findall(r'text\("(\w+)"', template) if not t.endswith("_")}
    texts |= {f"explore_view_{v}" for v in ("pathway", "fan", "inventory", "power", "dispatch", "market")}
    names = set(re.findall(r'name\("([^"]+)"\)', template))
    assert len(texts) > 20 and {"mw", "load", "run", "period"} <= names
    assert not sorted(t for t in texts if not has_term(t, "zh", "text"))
    assert not sorted(n for n in names if not has_term(n, "zh"))


def test_terms_lose_their_mathtext():
    assert plain("CO$_2$e") == "CO₂e"
    assert plain("emissions (10$^4$ t CO$_2$e)") == "emissions (10⁴ t CO₂e)"
    assert plain("10^4 tce") == "10⁴ tce"
    assert glossary_terms()["name"]["zh"]["10^4 t co2e"] == "万吨CO2e"


# ------------------------------------------------------------------------------------------
# the file and the command


def _embedded(html: str, element: str) -> dict:
    match = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html, re.DOTALL)
    assert match, element
    return json.loads(match.group(1))


def test_the_page_is_one_self_contained_file(batch, data, capsys):
    assert main(["explore", str(batch)]) == 0
    page = batch / "explorer.html"
    assert capsys.readouterr().out.strip() == f"wrote {page}"
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import", html)  # nothing fetched: works offline
    assert "Plotly" in html and html.count("</script>") == 4  # plotly.js, data, glossary, the page's script
    embedded = _embedded(html, "explorer-data")
    assert embedded["runs"] == json.loads(json.dumps(data["runs"]))
    assert embedded["lang"] == "en" and '<html lang="en">' in html
    assert _embedded(html, "explorer-glossary")["text"]["zh"]["explore_view_fan"] == "蒙特卡洛区间"
    assert page.stat().st_size < 8e6  # plotly.js ~4.8 MB, this batch's data well under 1 MB


def test_output_file_and_language(batch, tmp_path):
    target = tmp_path / "plan" / "x.html"
    assert main(["explore", str(batch), "-o", str(target), "--lang", "zh"]) == 0
    html = target.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "<title>结果浏览器: results</title>" in html
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["plan", "x.html"]  # no temporary file left
    assert main(["explore", str(batch), "-o", str(tmp_path)]) == 0  # a folder: FOLDER/explorer.html
    assert (tmp_path / "explorer.html").is_file()


@pytest.mark.parametrize("case", ["missing", "empty", "file", "aggregate"])
def test_not_a_results_folder_is_one_message_and_exit_2(batch, tmp_path, capsys, case):
    path = {"missing": tmp_path / "nope", "empty": tmp_path, "file": tmp_path / "f.txt", "aggregate": batch / "mcs"}[
        case
    ]
    if case == "file":
        path.write_text("x", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    assert main(["explore", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert ("not a results folder" if case == "aggregate" else "not a batch folder") in err
    assert sorted(tmp_path.rglob("*")) == before and not (batch / "mcs" / "explorer.html").exists()


# ------------------------------------------------------------------------------------------
# in a real browser


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium) - browser checks skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]') - browser checks skipped")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, batch):
    path = build_explorer(batch)
    context = browser.new_context(accept_downloads=True, viewport={"width": 1300, "height": 850})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "blob:", "data:")) else problems.append(f"request: {r.url}"),
    )
    page.goto(path.as_uri())
    page.wait_for_function("() => document.getElementById('chart').data !== undefined")
    page.problems = problems
    yield page
    context.close()


def _plotted(page) -> list[dict]:
    return page.evaluate(
        "() => document.getElementById('chart').data.map(t => ({name: t.name, meta: t.meta || null,"
        " x: Array.from(t.x), y: Array.from(t.y)}))"
    )


def _download(page, tmp_path: Path) -> pd.DataFrame:
    with page.expect_download() as info:
        page.click("#download")
    file = tmp_path / info.value.suggested_filename
    info.value.save_as(file)
    return pd.read_csv(io.StringIO(file.read_text(encoding="utf-8-sig")))


def test_page_loads_without_errors(page):
    traces = _plotted(page)
    assert [t["meta"] for t in traces] == ["base"] and len(traces[0]["y"]) == 41  # 2020-2060
    assert page.inner_text("#title") == "Results explorer: results"
    for view in ("fan", "inventory", "power", "dispatch", "market", "pathway"):
        page.select_option("#view", view)
        assert _plotted(page), view
    page.select_option("#lang", "zh")
    assert page.inner_text("#title") == "结果浏览器: results"
    assert page.problems == []


def test_another_scenario_changes_the_chart_and_the_csv_is_the_run_folders(page, batch, tmp_path):
    before = _plotted(page)
    page.check("#scenarios input[value=pol]")
    page.uncheck("#scenarios input[value=base]")
    after = _plotted(page)
    assert [t["meta"] for t in after] == ["pol"] and after[0]["y"] != before[0]["y"]
    annual = pd.read_csv(batch / "pol" / "pathway" / "annual.csv")
    # the page shows 10^4 t CO2e: t x 1e-4
    assert np.allclose(after[0]["y"], annual["co2e_t_scope12"] * 1e-4, rtol=1e-12)
    csv = _download(page, tmp_path)
    assert list(csv.columns) == ["scenario", "series", "year", "value", "unit"]
    assert set(csv["scenario"]) == {"pol"} and set(csv["unit"]) == {"10⁴ t CO2e"}
    assert csv["year"].tolist() == annual["year"].tolist()
    assert np.allclose(csv["value"] * 1e4, annual["co2e_t_scope12"], rtol=1e-12)
    # a shorter range of years and the scope 1 indicator by sector: the sectors add up to the total
    page.select_option("#indicator", "co2e_t_scope1")
    page.select_option("#from", "2025")
    page.select_option("#to", "2030")
    page.select_option("#breakdown", "sector")
    csv = _download(page, tmp_path)
    total = csv.groupby("year")["value"].sum() * 1e4
    expected = annual.set_index("year").loc[2025:2030, "co2e_t_scope1"]
    assert total.index.tolist() == list(range(2025, 2031))
    assert np.allclose(total, expected, rtol=1e-9)
    assert page.problems == []


def test_market_and_fan_downloads_match_the_folders(page, batch, tmp_path):
    page.select_option("#view", "market")
    assert page.evaluate("() => window.explorer.state.runs") == ["pol"]  # the only run with a market
    csv = _download(page, tmp_path)
    periods = pd.read_csv(batch / "pol" / "market" / "periods.csv")
    assert csv["period"].tolist() == periods["period"].tolist()
    assert np.allclose(csv["value"], periods["price"], rtol=1e-12)
    assert set(csv["unit"]) == {"CNY/t CO2"}
    page.select_option("#view", "fan")
    summary = json.loads((batch / "mcs" / "summary.json").read_text())
    note = page.evaluate("() => document.getElementById('chart').layout.annotations[0].text")
    assert (
        note == f"P(peak ≤ 2030) = {summary['p_peak_by_2030_scope12']:.0%}; "
        f"median peak year {summary['median_peak_year_scope12']}"
    )
    csv = _download(page, tmp_path)
    bands = pd.read_csv(batch / "mcs" / "bands.csv").query("view == 'scope12'")
    for p in (5, 50, 95):
        shown = csv[(csv["scenario"] == "mcs") & (csv["series"] == f"p{p}")]
        assert np.allclose(shown["value"] * 1e4, bands[f"p{p}"], rtol=1e-12), p
    page.select_option("#view", "inventory")
    page.select_option("#breakdown", "item")
    csv = _download(page, tmp_path)
    emissions = pd.read_csv(batch / "pol" / "inventory" / "emissions.csv")
    counted = emissions[~emissions["memo"]]
    assert csv["value"].sum() * 1e4 == pytest.approx(counted["co2e_t"].sum(), rel=1e-12)
    by_item = csv.groupby("series")["value"].sum() * 1e4
    assert np.allclose(by_item, counted.groupby("item")["co2e_t"].sum().reindex(by_item.index), rtol=1e-12)
    page.select_option("#view", "power")
    page.check("#scenarios input[value=base]")
    page.uncheck("#scenarios input[value=pol]")
    page.select_option("#indicator", "generation_mwh")
    csv = _download(page, tmp_path).set_index(["series", "year"])["value"] * 10  # 10^4 kWh = 10 MWh
    annual = (
        pd.read_csv(batch / "base" / "energy" / "annual.csv").groupby(["technology", "year"])["generation_mwh"].sum()
    )
    annual[annual.index.get_level_values(0) == "grid_export"] *= -1  # exports are drawn below zero
    assert np.allclose(csv, annual.reindex(csv.index), rtol=1e-12)
    # a technology that generates nothing in any year is left out
    assert set(annual[annual != 0].index.get_level_values(0)) == set(csv.index.get_level_values(0))
    page.select_option("#view", "dispatch")
    page.check("#scenarios input[value=base]")
    assert page.input_value("#dyear") == "2030"  # opens on the peak target year, as the figures do
    page.select_option("#dyear", "2030")
    csv = _download(page, tmp_path)
    hourly = pd.read_csv(batch / "base" / "energy" / "dispatch.csv")
    day = int(page.evaluate("() => window.explorer.state.day"))
    hours = hourly[(hourly["year"] == 2030) & (hourly["hour"] // 24 == day)]
    load = csv[csv["series"] == "load"]
    assert len(load) == 24 and np.allclose(load["value"], hours["load_mw"], atol=1e-4)
    assert page.problems == []
