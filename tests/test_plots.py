"""Figures built from small run-folder fixtures; the matplotlib objects are inspected
(axis labels with units, legend entries, the peak annotation, number of series)."""

from __future__ import annotations

import json
import shutil

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from test_plots_fixtures import (
    PEAK_SCOPE1,
    PEAK_SCOPE12,
    SECTORS,
    make_batch,
    make_full_run,
    write_aggregate,
    write_inventory,
    write_manifest,
)

from carbon.errors import InputError
from carbon.explore.data import explorer_data
from carbon.plots import energy, inventory, market, pathway, style, uncertainty
from carbon.plots.data import Aggregate, Batch, MissingData, Run, hourly_year, open_path
from carbon.plots.driver import aggregate_figures


@pytest.fixture(autouse=True)
def _english():
    style.use_language("en")
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return Run.open(make_full_run(tmp_path_factory.mktemp("run") / "full"))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return open_path(make_batch(tmp_path_factory.mktemp("batch")))


def legend_texts(fig) -> list[str]:
    out = []
    for leg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]:
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    return out


# --- style -------------------------------------------------------------------------------


def test_colours_are_defined_once_and_stable():
    assert style.colour("sector", "industry") == style.SECTOR_COLOURS["industry"]
    assert style.colour("fuel", "raw_coal") == style.FUEL_COLOURS["raw_coal"]
    # a variant of a technology takes a lighter shade of its base
    assert style.colour("technology", "solar_new") == style._lighter(style.TECH_COLOURS["solar"])
    assert style.colour("technology", "solar_new") != style.colour("technology", "solar")
    # an unknown key gets a colour from its name (a checksum, so the same in every process)
    assert style.colour("sector", "unheard_of") == style._fallback("unheard_of") == "#9ab946"


def test_labels_in_both_languages():
    en, zh = style.Labels("en"), style.Labels("zh")
    assert "10$^4$ t CO$_2$e" in en("co2e_10k") and "10$^4$ t CO$_2$e" in zh("co2e_10k")
    assert zh.name("industry") == "工业" and en.name("raw_coal") == "raw coal"
    assert set(style.TEXT["en"]) == set(style.TEXT["zh"]), "every English phrase has a Chinese one"


def test_run_title_moves_a_long_run_label_under_the_title():
    fig = plt.figure(figsize=(6.7, 3))
    # room 0.9 of 6.7 in at 10 pt, 0.62 em a column: int(0.9 * 6.7 * 72 / 6.2) = int(70.03) = 70 columns
    assert style.run_title(fig, "Fan", "Baseline", size=10) == "Fan — Baseline"
    assert style.run_title(fig, "T" * 60, "L" * 7, size=10) == "T" * 60 + " — " + "L" * 7  # 70 columns: fits
    assert style.run_title(fig, "T" * 60, "L" * 8, size=10) == "T" * 60 + "\n" + "L" * 8  # 71: the label moves
    # a long label wraps at 70 columns (14 words of "word " a line) and stops after three lines
    label = " ".join(["word"] * 60)  # 299 columns: 5 lines
    title = style.run_title(fig, "Pathway", label, size=10)
    lines = title.split("\n")
    assert lines[0] == "Pathway" and len(lines) == 4 and lines[3].endswith("…")
    assert lines[1] == " ".join(["word"] * 14)  # 69 columns
    assert all(len(line.rstrip("…")) <= 70 for line in lines)
    # a Chinese character is two columns wide: 30 of them fit with " — abc", 33 do not
    assert "\n" not in style.run_title(fig, "碳" * 30, "abc", size=10)  # 60 + 3 + 3 = 66
    assert "\n" in style.run_title(fig, "碳" * 33, "abc", size=10)  # 66 + 3 + 3 = 72
    plt.close(fig)


def test_zh_without_a_cjk_font_falls_back_to_english(monkeypatch):
    monkeypatch.setattr(style, "find_cjk_font", lambda: None)
    lang, message = style.use_language("zh")
    assert lang == "en"
    assert "fonts-noto-cjk" in message


def test_zh_with_a_cjk_font_draws_chinese_labels(run):
    family = style.find_cjk_font()
    if family is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    lang, message = style.use_language("zh")
    assert (lang, message) == ("zh", None)
    fig = inventory.sector_gas_bars(run, "zh")
    ax = fig.axes[0]
    assert "排放量" in ax.get_xlabel() and "工业" in [t.get_text() for t in ax.get_yticklabels()]
    fig.canvas.draw()  # renders with the CJK font without warnings about missing glyphs


def test_unknown_language_is_an_input_error():
    with pytest.raises(InputError, match="en or zh"):
        style.use_language("fr")


# --- inventory ---------------------------------------------------------------------------


def test_sector_gas_bars(run):
    fig = inventory.sector_gas_bars(run)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "emissions (10$^4$ t CO$_2$e)"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "industry"  # largest first: 45 + 25 (scope 2) 10^4 t
    assert "residential" not in labels  # only a memo item (biogenic CO2)
    legend = legend_texts(fig)
    assert legend == [
        "CO$_2$ (scope 1)",
        "CH$_4$ (scope 1)",
        "N$_2$O (scope 1)",
        "purchased electricity & heat (scope 2)",
    ]
    # the total written at the end of the industry bar: (450000 + 250000) / 1e4
    assert "70.0" in [t.get_text() for t in ax.texts]
    assert "2020" in ax.get_title(loc="left") and "160.6" in ax.get_title(loc="left")  # total 1,606,300 t


def test_energy_sankey(run):
    fig = inventory.energy_sankey(run)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "raw coal  27.2" in texts  # 112,000 + 160,000 tce
    assert "27.2  industry" not in texts and "24.4  industry" in texts  # 160,000 + 84,000
    assert not any("wood" in t for t in texts)  # biomass is outside the energy totals
    assert "10$^4$ tce" in ax.get_title(loc="left")
    rectangles = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert len(rectangles) == 3 + 3  # fuels: raw coal, diesel, electricity; sectors: industry, transport, power


def test_compare_inventory_and_samples(batch):
    main = [r for r in batch.runs if r.ok and not r.is_sample]
    fig = inventory.compare_inventory(main)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["baseline", "inventory_only", "policy"]
    assert ax.get_xlabel() == "emissions (10$^4$ t CO$_2$e)"
    samples = [r for r in batch.runs if r.is_sample]
    fig = inventory.inventory_samples(samples)
    assert "mc" in fig.axes[0].get_title(loc="left") and "n = 3" in fig.axes[0].get_title(loc="left")
    assert fig.axes[0].get_ylabel() == "samples"
    with pytest.raises(MissingData, match="same inventory total"):
        inventory.inventory_samples(samples[:1] * 2)
    with pytest.raises(MissingData, match="same base-year inventory"):
        inventory.compare_inventory([r for r in main if r.name in ("baseline", "policy")])


# --- pathway -----------------------------------------------------------------------------


@pytest.mark.parametrize("view, peak", [("scope1", PEAK_SCOPE1), ("scope12", PEAK_SCOPE12)])
def test_pathway_areas_mark_the_peak(run, view, peak):
    fig = pathway.pathway_areas(run, view)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "emissions (10$^4$ t CO$_2$e)" and ax.get_xlabel() == "year"
    stacks = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(stacks) == len(SECTORS)
    legend = legend_texts(fig)
    assert set(SECTORS) <= set(legend) and "total" in legend
    label = next(t for t in ax.texts if t.get_gid() == "peak-label")
    year, level = peak
    assert label.get_text().startswith(f"peak {year}: {level / 1e4:,.1f}")
    assert ("peaked" if view == "scope1" else "plateau 2028–2031") in label.get_text()
    assert label.xy == (year, pytest.approx(level / 1e4))
    assert any(t.startswith("target: emission cap") for t in legend)  # emission target marked, named from the glossary


def test_pathway_without_peak_json_says_not_peaked(tmp_path, run):
    import shutil

    shutil.copytree(run.path, tmp_path / "r")
    (tmp_path / "r" / "pathway" / "peak.json").unlink()
    fig = pathway.pathway_areas(tmp_path / "r", "scope1")
    label = next(t for t in fig.axes[0].texts if t.get_gid() == "peak-label")
    assert label.get_text() == "not peaked"


def test_compare_pathways_marks_peaks_and_target_year(batch):
    runs = [r for r in batch.runs if r.ok and not r.is_sample]
    fig = pathway.compare_pathways(runs, "scope1")
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and len(ln.get_xdata()) > 1]
    assert len(lines) == 2  # baseline, policy (inventory_only has no pathway)
    legend = legend_texts(fig)
    assert legend[:2] == ["baseline (peak 2028)", "policy (peak 2028)"] and "target year 2030" in legend
    assert len([ln for ln in ax.get_lines() if ln.get_gid() == "peak-marker"]) == 2
    assert ax.get_ylabel() == "emissions (10$^4$ t CO$_2$e)"


def test_lmdi_waterfall_adds_up(run):
    fig = pathway.lmdi_waterfall(run)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2020", "population", "affluence", "energy intensity", "energy mix", "emission factor", "2030"]
    assert ax.get_ylabel() == "emissions (10$^4$ t CO$_2$e)"
    bars = ax.patches
    assert bars[0].get_height() == pytest.approx(186.0)  # 1.86e6 t in 2020
    import pandas as pd

    end = pd.read_csv(run.path / "pathway" / "annual.csv").set_index("year").loc[2030, "co2e_t_scope1"] / 1e4
    assert bars[-1].get_height() == pytest.approx(end)


def test_targets_dashboard(run):
    fig = pathway.targets_dashboard(run)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 5
    titles = [ax.get_title(loc="left") for ax in visible]
    assert titles[0].startswith("carbon intensity (2025)\n✓ met")  # the target named from the glossary
    assert titles[2].startswith("non-fossil share (2030)\n✗ missed")
    assert visible[0].get_ylabel() == "t/10^4 CNY"  # the indicator over time, in its unit
    assert visible[4].get_xlabel() == "t CO2e"


def test_a_peak_year_on_its_limit_is_shown_a_few_years_either_side(tmp_path):
    # value = limit = 2030: the axis spans 2030 +/- 3 years (it spanned 1928-2132 when the
    # padding was 5 % of the value); a peak two years early spans the two years +/- 3
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(make_full_run(tmp_path / "full"), folder)
    path = folder / "pathway" / "targets.csv"
    row = {
        "target": "peak_by",
        "year": 2030,
        "value": 2030.0,
        "limit": 2030.0,
        "unit": "year",
        "met": True,
        "margin": 0.0,
        "note": "",
        "definition": "",
    }
    pd.DataFrame([row, {**row, "value": 2028.0, "margin": 2.0}]).to_csv(path, index=False)
    fig = pathway.targets_dashboard(Run.open(folder))
    on_limit, early = [ax for ax in fig.axes if ax.get_visible()]
    assert on_limit.get_xlim() == pytest.approx((2027.0, 2033.0))
    assert early.get_xlim() == pytest.approx((2025.0, 2033.0))  # 2028 - 3 .. 2030 + 3


# --- uncertainty -------------------------------------------------------------------------


def test_fan_chart(tmp_path):
    write_aggregate(tmp_path / "mc")
    fig = uncertainty.fan_chart(tmp_path / "mc", "scope1")
    ax = fig.axes[0]
    assert legend_texts(fig)[:3] == ["5–95 %", "25–75 %", "median"]
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    assert ax.get_ylabel() == "emissions (10$^4$ t CO$_2$e)"


def test_peak_histogram_writes_the_probability(tmp_path):
    write_aggregate(tmp_path / "mc")
    fig = uncertainty.peak_histogram(tmp_path / "mc")
    ax, ax2 = fig.axes
    text = next(t for t in ax.texts if t.get_gid() == "p-peak")
    assert text.get_text() == "P(peak ≤ 2030) = 80%"  # the summary's, not recomputed (82%)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[-1] == "not peaked" and ticks[0] == "2026"
    assert ax2.get_ylabel() == "cumulative probability of having peaked"
    assert len(ax.patches) == 8  # 7 peak years + not peaked


def test_both_views_of_the_writer_are_found_even_with_equal_probabilities(tmp_path):
    # carbon.batch writes scope 1+2 as peak_year_distribution.csv and scope 1 as
    # peak_year_distribution_scope1.csv; equal P(peak <= 2030) (all samples peaked) once made
    # the reader take the first for a copy of the second and drop it.
    folder = tmp_path / "mc"
    write_aggregate(folder)
    dist = pd.read_csv(folder / "peak_year_distribution.csv")
    dist.to_csv(folder / "peak_year_distribution_scope1.csv", index=False)
    summary = {"p_peak_by_2030": 0.80, "p_peak_by_2030_scope12": 0.80, "p_peak_by_2030_scope1": 0.80}
    (folder / "summary.json").write_text(json.dumps(summary))
    agg = Aggregate(folder)
    assert agg.distributions() == [
        ("scope1", "peak_year_distribution_scope1"),
        ("scope12", "peak_year_distribution"),
    ]
    assert [job.name for job in aggregate_figures(agg) if job.name.startswith("peak_year")] == [
        "peak_year_scope1",
        "peak_year_scope12",
    ]


def test_peak_histogram_computes_p_without_summary(tmp_path):
    write_aggregate(tmp_path / "mc")
    (tmp_path / "mc" / "summary.json").unlink()
    fig = uncertainty.peak_histogram(tmp_path / "mc")
    text = next(t for t in fig.axes[0].texts if t.get_gid() == "p-peak")
    assert text.get_text() == "P(peak ≤ 2030) = 82%"  # 0.04 + 0.12 + 0.30 + 0.22 + 0.14


# --- energy ------------------------------------------------------------------------------


def test_capacity_bars(run):
    fig = energy.capacity_bars(run)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "capacity (MW)"
    legend = legend_texts(fig)
    assert legend == ["coal", "wind", "solar", "solar new", "battery", "grid import"]  # no export: same line
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2025\n400", "2030\n600"]  # storage MWh
    assert "storage energy capacity (MWh)" in ax.get_xlabel()


def test_generation_mix_exports_below_zero(run):
    fig = energy.generation_mix(run)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "electricity (GWh)"
    legend = legend_texts(fig)
    assert "grid export" in legend and "load" in legend and "battery" not in legend
    assert min(p.get_y() + p.get_height() for p in ax.patches) < 0


def test_dispatch_days(run):
    fig = energy.dispatch_days(run, 2025, [10, 200])
    ax = fig.axes[0]
    assert ax.get_ylabel() == "power (MW)" and ax.get_xlabel() == "hour of day"
    legend = legend_texts(fig)
    assert "battery charging" in legend and "load" in legend and "solar new" in legend
    assert ax.get_ylim()[0] < 0  # charging and exports below zero
    assert [t.get_text() for t in ax.texts] == ["11 Jan", "20 Jul"]
    with pytest.raises(InputError, match="no dispatch on these days"):
        energy.dispatch_days(run, 2025, [3])
    with pytest.raises(InputError, match="no dispatch for this year"):
        energy.dispatch_days(run, 2040)


def test_hourly_figures_default_to_the_peak_target_year(run, tmp_path):
    # the fixture's dispatch has 2025 and 2030; its targets.csv has peak_by in 2030
    assert pathway.peak_target(run) == 2030 and hourly_year(2030, [2025, 2030]) == 2030
    assert "2030" in energy.dispatch_days(run).axes[0].get_title(loc="left")
    assert hourly_year(2030, [2025, 2035]) == 2025  # the target year is no milestone: the first
    shutil.copytree(run.path, tmp_path / "bare")
    (tmp_path / "bare" / "pathway" / "targets.csv").unlink()  # e.g. an energy-only run
    bare = Run.open(tmp_path / "bare")
    assert pathway.peak_target(bare) is None and hourly_year(None, [2025, 2030]) == 2025
    assert "2025" in energy.price_heatmap(bare).axes[0].get_title(loc="left")
    # the explorer's dispatch view opens on the same year
    assert explorer_data(run.path)["runs"][0]["dispatch_year"] == 2030
    assert explorer_data(bare.path)["runs"][0]["dispatch_year"] == 2025


def test_price_heatmap_and_duration_curves(run):
    fig = energy.price_heatmap(run)
    assert fig.axes[1].get_ylabel() == "price (CNY/MWh)"  # the colour bar
    assert fig.axes[0].images[0].get_array().shape == (2, 24)
    fig = energy.duration_curves(run)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "hours of the year (h)" and ax.get_ylabel() == "power (MW)"
    assert len(ax.get_lines()) == 3  # load, net load, zero line
    assert ax.get_xlim()[1] == pytest.approx(48 * 182.5)


# --- market ------------------------------------------------------------------------------


def test_market_price_with_floor_ceiling_and_bank(run):
    fig = market.market_price(run, "carbon")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "price (CNY/t)"
    assert fig.axes[1].get_ylabel() == "bank (t CO$_2$)"
    assert legend_texts(fig) == ["floor", "ceiling", "price", "bank"]


def test_firm_positions_and_top_n(run):
    fig = market.firm_positions(run, "carbon")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["plant-a", "plant-b", "kiln"]
    assert legend_texts(fig) == ["net purchase", "allocation", "emissions"]
    assert "2023" in ax.get_title(loc="left")
    fig = market.firm_positions(run, "carbon", top=2)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["plant-a", "other (2 firms)"]


def test_mac_curves_with_clearing_price(run):
    fig = market.mac_curves(run, "carbon", 2022)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "marginal abatement cost (CNY/t)"
    assert ax.get_xlabel() == "abatement (t CO$_2$)"
    legend = legend_texts(fig)
    assert legend[:3] == ["plant-a", "plant-b", "kiln"]
    assert "clearing price 60.0" in legend and "power system (energy model) 2025" in legend
    with pytest.raises(InputError, match="no such period"):
        market.mac_curves(run, "carbon", 2030)


def test_trade_prices(run):
    fig = market.trade_prices(run, "carbon")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "price (CNY/t)" and ax.get_xlabel() == "trade (in order)"
    assert [t.get_text() for t in ax.texts] == ["2021", "2022", "2023"]
    assert legend_texts(fig) == ["period mean price"]


# --- missing data ------------------------------------------------------------------------


def test_missing_stage_is_missing_data(tmp_path):
    write_manifest(tmp_path / "r", "r")
    write_inventory(tmp_path / "r")
    with pytest.raises(MissingData, match="no pathway/by_sector.csv"):
        pathway.pathway_areas(tmp_path / "r")
    with pytest.raises(MissingData, match="no energy/capacity.csv"):
        energy.capacity_bars(tmp_path / "r")


def test_not_a_run_folder(tmp_path):
    with pytest.raises(InputError, match="no runs in this folder"):
        open_path(tmp_path)
    with pytest.raises(InputError, match="no such folder"):
        open_path(tmp_path / "nope")


def test_bad_table_names_file_and_columns(tmp_path):
    write_manifest(tmp_path / "r", "r")
    (tmp_path / "r" / "pathway").mkdir()
    (tmp_path / "r" / "pathway" / "by_sector.csv").write_text("year,sector\n2020,industry\n")
    with pytest.raises(InputError) as info:
        pathway.pathway_areas(tmp_path / "r")
    text = str(info.value)
    assert "by_sector.csv" in text and "expected: year, view, sector, co2e_t" in text
    assert "found:    year, sector" in text


def test_batch_discovery(batch):
    assert isinstance(batch, Batch)
    assert sorted(r.name for r in batch.runs) == [
        "baseline",
        "broken",
        "inventory_only",
        "mc__s0000",
        "mc__s0001",
        "mc__s0002",
        "policy",
    ]
    assert [a.name for a in batch.aggregates] == ["mc"]


def test_parallel_plotting_writes_the_same_files_as_serial(tmp_path):
    from carbon.plots import plot as plot_all

    results = make_full_run(tmp_path / "full")
    serial = plot_all(results, tmp_path / "serial", "png", jobs=1)
    parallel = plot_all(results, tmp_path / "parallel", "png", jobs=2)
    names = [f.relative_to(tmp_path / "serial") for f in serial.files]
    assert names == [f.relative_to(tmp_path / "parallel") for f in parallel.files] and len(names) > 4
    for name in names:
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "parallel" / name).read_bytes(), name


def test_a_save_draws_the_figure_once_with_the_pixels_of_a_plain_save(tmp_path, monkeypatch):
    """The layout runs once before the save and the save draws once (a placeholder layout
    engine made savefig draw every figure twice); the PNG is the one matplotlib's own
    constrained-layout save gives."""
    from matplotlib.figure import Figure

    from carbon.plots.driver import _save

    def figure():
        fig, ax = style.new_figure(1, 1)
        ax.plot([2020, 2030, 2060], [368.2, 416.9, 256.9], label="scope 1+2")
        ax.set_ylabel("10⁴ t CO2e")
        ax.legend()
        return fig

    plain = figure()
    plain.savefig(tmp_path / "plain.png", format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 2})
    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: (draws.append(1), original(self, renderer))[1])
    frozen = figure()
    _save(frozen, tmp_path / "frozen.png", "png")
    assert len(draws) == 1
    assert frozen.get_layout_engine() is None
    assert (tmp_path / "frozen.png").read_bytes() == (tmp_path / "plain.png").read_bytes()
