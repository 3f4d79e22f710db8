"""Honest peak verdicts: declining paths, plateaus, targets judged on a plateau, and the Monte
Carlo's median peak year against the peak of the median path (all numbers worked by hand)."""

import json

import numpy as np
import pandas as pd
import pytest

from carbon.batch import aggregate, peak_distribution
from carbon.pathway.indicators import check_targets
from carbon.pathway.peak import Peak, detect_peak, verdict
from carbon.pathway.schema import TargetsSection


def series(values, start=2020):
    return pd.Series(values, index=range(start, start + len(values)), dtype=float)


# 2020-2040 in t CO2e: rises to 3.08 Mt in 2027, highest 3.1 Mt in 2031, 3.075 Mt in 2035, then
# falls. thr = 0.99 x 3.1e6 = 3.069e6: 2026 (2.9e6) and 2036 (3.0e6) are below it, 2027-2035
# above, so the plateau is 2027-2035.
PLATEAU = [2.5e6, 2.6e6, 2.7e6, 2.75e6, 2.8e6, 2.85e6, 2.9e6,  # 2020-2026
           3.08e6, 3.085e6, 3.09e6, 3.095e6, 3.1e6, 3.095e6, 3.09e6, 3.085e6, 3.075e6,  # 2027-2035
           3.0e6, 2.9e6, 2.8e6, 2.7e6, 2.6e6]  # 2036-2040


def test_declining_from_the_base_year():
    p = detect_peak(series([3.1e6, 3.0e6, 2.9e6, 2.7e6]))
    assert (p.status, p.peak_year, p.plateau, p.on_plateau) == ("declining", 2020, (2020, 2020), False)
    assert p.verdict() == "declining from the base year 2020 (3.1 Mt)"


def test_declining_that_starts_on_a_plateau():
    # thr = 0.99 x 100 = 99: 2021 (99.5) and 2022 (99.2) are within 1 % of the base year, 2023 is not
    p = detect_peak(series([100, 99.5, 99.2, 90]))
    assert (p.status, p.peak_year, p.plateau, p.on_plateau) == ("declining", 2020, (2020, 2022), True)
    assert p.verdict(lambda v: f"{v:.0f} t") == "declining from the base year 2020 (100 t), within 1% of it until 2022"


def test_flat_from_the_base_year_is_a_plateau_not_a_decline():
    # the last value 99.2 is still within 1 % of the base year's 100: the decline is not confirmed
    p = detect_peak(series([100, 99.5, 99.2]))
    assert (p.status, p.peak_year, p.plateau) == ("plateau", 2020, (2020, 2022))


def test_peak_on_a_plateau_names_the_plateau():
    p = detect_peak(series(PLATEAU))
    assert (p.status, p.peak_year, p.plateau, p.on_plateau) == ("peaked", 2031, (2027, 2035), True)
    assert p.verdict() == "peaked on a plateau 2027-2035 within 1% of the maximum (highest in 2031 at 3.1 Mt)"
    # the same path ending in 2035 is still within 1 % at its end: a plateau, peak not confirmed
    q = detect_peak(series(PLATEAU[:16]))
    assert (q.status, q.peak_year, q.plateau, q.on_plateau) == ("plateau", 2031, (2027, 2035), True)
    assert q.verdict() == ("plateau 2027-2035 within 1% of the maximum (highest in 2031 at 3.1 Mt): "
                           "peak not confirmed by 2035")


def test_plain_peak_and_rising_verdicts():
    p = detect_peak(series([2.5e6, 2.8e6, 3.1e6, 2.9e6, 2.6e6]))
    assert (p.status, p.on_plateau, p.verdict()) == ("peaked", False, "peaked in 2022 at 3.1 Mt")
    r = detect_peak(series([2.5e6, 2.8e6, 3.0e6, 3.1e6], start=2057))
    assert (r.status, r.peak_year) == ("not_peaked", None)
    assert r.verdict() == "not peaked by 2060 (still rising, 3.1 Mt in 2060)"


def test_verdict_of_a_peak_json_entry():
    p = detect_peak(series(PLATEAU))
    doc = {**p.as_dict(), "peak_co2e_t": p.peak_value}
    assert doc["on_plateau"] is True and doc["verdict"] == p.verdict()
    assert verdict(json.loads(json.dumps(doc))) == p.verdict()
    assert Peak.from_dict(doc) == p
    # an entry written before the new keys: tolerance 1 %, level from peak_co2e_t
    old = {"peak_year": 2028, "status": "peaked", "peak_co2e_t": 3.1e6, "plateau": [2028, 2028]}
    assert verdict(old) == "peaked in 2028 at 3.1 Mt"


def targets_row(values, peak_by=2030):
    annual = pd.DataFrame({"year": list(range(2020, 2020 + len(values)))})
    peaks = {"scope12": detect_peak(series(values))}
    section = TargetsSection(peak_by=peak_by, carbon_intensity=[], energy_intensity=[], non_fossil_share=[])
    table = check_targets(annual, peaks, section)
    assert list(table.columns) == ["target", "year", "value", "limit", "unit", "met", "margin", "note", "definition"]
    return table.set_index("target").loc["peak_by"]


def test_peak_target_on_a_plateau_says_so():
    row = targets_row(PLATEAU)
    # the maximum 2031 is one year late, so the target is missed, but the note says the plateau began 2027
    assert (row["value"], row["met"], row["margin"]) == (2031, False, -1)
    assert row["note"] == "plateau 2027-2035 within 1%: the maximum (2031) is 1 year after 2030, the plateau begins 2027"
    # by 2032 it is met, and the note says how long the plateau lasts
    row = targets_row(PLATEAU, peak_by=2032)
    assert row["met"] and row["note"] == ("plateau 2027-2035 within 1%: the maximum (2031) is 1 year before 2032, "
                                          "the plateau lasts until 2035")


def test_peak_target_of_declining_plain_and_rising_paths():
    row = targets_row([3.1e6, 3.0e6, 2.9e6])
    assert (row["value"], row["met"], row["margin"]) == (2020, True, 10)
    assert row["note"] == "declining from the base year 2020 (3.1 Mt)"
    row = targets_row([2.5e6, 3.1e6, 2.9e6])
    assert row["met"] and row["note"] == ""
    row = targets_row([2.5e6, 2.9e6, 3.1e6])
    assert not row["met"] and np.isnan(row["value"]) and row["note"].startswith("not peaked by 2022")


def test_peak_distribution_counts_declining_at_the_base_year():
    peaks = [{"peak_year": 2020, "status": "declining"}, {"peak_year": 2022, "status": "peaked"},
             {"peak_year": 2021, "status": "plateau"}, {"peak_year": None, "status": "not_peaked"}]
    dist = peak_distribution(peaks, [2020, 2021, 2022, 2023])
    years = dist[dist["status"] == "peaked"].set_index("year")
    assert years["probability"].to_dict() == {2020: 0.25, 2021: 0.0, 2022: 0.25, 2023: 0.0}
    assert years.at[2022, "cumulative"] == 0.5
    assert dist[dist["status"] != "peaked"].set_index("status")["probability"].to_dict() == {
        "plateau": 0.25, "not_peaked": 0.25}
    assert dist["probability"].sum() == 1.0


# Seven samples, 2020-2026. Their peaks: A 2021, B 2022, C 2025, G 2023 (peaked), D declining
# (counts as 2020), E not peaked, F plateau (highest 2025, still within 1 % in 2026).
SAMPLES = {
    "A": [10, 30, 20, 21, 22, 23, 5],
    "B": [10, 11, 30, 21, 22, 23, 5],
    "C": [10, 11, 12, 13, 14, 30, 5],
    "D": [40, 35, 30, 25, 20, 15, 10],
    "E": [1, 2, 3, 4, 5, 6, 7],
    "F": [10, 11, 12, 13, 20, 20.1, 20.05],
    "G": [10, 11, 12, 30, 22, 23, 5],
}
# The year-by-year median (4th of 7): 2020 10, 2021 11, 2022 12, 2023 21, 2024 20, 2025 23, 2026 5,
# so the median path peaks in 2025. The median of the five peak years 2020, 2021, 2022, 2023,
# 2025 is 2022. P(peak <= 2022) = 3/7, P(peak <= 2023) = 4/7: half have peaked by 2023.
MEDIAN_PATH = [10, 11, 12, 21, 20, 23, 5]


@pytest.fixture
def monte_carlo(tmp_path):
    rows = []
    for i, values in enumerate(SAMPLES.values()):
        name = f"mc__s{i:04d}"
        folder = tmp_path / name / "pathway"
        folder.mkdir(parents=True)
        p = detect_peak(series(values))
        doc = {**p.as_dict(), "peak_co2e_t": p.peak_value}
        (folder / "peak.json").write_text(json.dumps({"scope1": doc, "scope12": doc}))
        pd.DataFrame({"year": range(2020, 2027), "co2e_t_scope1": values, "co2e_t_scope12": values}).to_csv(
            folder / "annual.csv", index=False)
        rows.append({"run": name, "pathway.scope12_status": p.status})
    assert aggregate(tmp_path, rows) == ["mc"]
    return tmp_path / "mc"


def test_monte_carlo_median_peak_year_is_not_the_peak_of_the_median_path(monte_carlo):
    statuses = [detect_peak(series(v)).status for v in SAMPLES.values()]
    assert statuses == ["peaked", "peaked", "peaked", "declining", "not_peaked", "plateau", "peaked"]
    bands = pd.read_csv(monte_carlo / "bands.csv")
    assert bands[bands["view"] == "scope12"]["p50"].tolist() == MEDIAN_PATH
    summary = json.loads((monte_carlo / "summary.json").read_text())
    for suffix in ("", "_scope12", "_scope1"):
        assert summary[f"median_peak_year{suffix}"] == 2022
        assert summary[f"median_peak_year_samples{suffix}"] == 5
        assert summary[f"peak_year_of_median_path{suffix}"] == 2025
        assert summary[f"peak_status_of_median_path{suffix}"] == "peaked"
        assert summary[f"half_peaked_by{suffix}"] == 2023
        assert summary[f"p_declining{suffix}"] == pytest.approx(1 / 7)
        assert summary[f"p_peak_by_2030{suffix}"] == pytest.approx(5 / 7)  # plateau and not peaked never count
    assert summary["peak_of_median_path"] == "peaked in 2025 at 0.0 Mt"
    dist = pd.read_csv(monte_carlo / "peak_year_distribution.csv")
    years = dist[dist["status"] == "peaked"].set_index("year")
    assert years.at[2020, "probability"] == pytest.approx(1 / 7)  # the declining sample
    assert years.at[2022, "cumulative"] == pytest.approx(3 / 7)


def test_fan_chart_labels_both_peaks(monte_carlo):
    from carbon.plots import uncertainty

    fig = uncertainty.fan_chart(monte_carlo, "scope12")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "peak of the median path (2025)" in labels and "median peak year (2022)" in labels
    marker = next(ln for ln in fig.axes[0].get_lines() if ln.get_gid() == "peak-of-median-path")
    assert list(marker.get_xdata()) == [2025]
    zh = uncertainty.fan_chart(monte_carlo, "scope12", lang="zh")
    labels = [t.get_text() for t in zh.axes[0].get_legend().get_texts()]
    assert "中位路径峰值 (2025)" in labels and "达峰年份中位数 (2022)" in labels


def test_status_labels_exist_in_both_languages():
    from carbon.plots.style import Labels

    assert Labels("en")("status_declining") == "declining from the base year"
    assert Labels("zh")("status_declining") == "自基年起下降"
