"""Peak rule, LMDI and STIRPAT on cases computed by hand."""

import numpy as np
import pandas as pd
import pytest

from carbon.pathway.lmdi import decompose, log_mean
from carbon.pathway.peak import detect_peak
from carbon.pathway.stirpat import fit_stirpat


def series(values, start=2020):
    return pd.Series(values, index=range(start, start + len(values)), dtype=float)


def test_clear_peak():
    p = detect_peak(series([100, 110, 120, 115, 100, 90]))
    assert (p.peak_year, p.status, p.peak_value) == (2022, "peaked", 120)
    # thr = 0.99 x 120 = 118.8: only 2022 is at or above it
    assert p.plateau == (2022, 2022)
    assert not p.max_reattained_later and not p.rebound_before_peak


def test_plateau_and_tolerance_flip():
    values = [100, 118, 120, 119.5, 119, 118.9]
    # thr = 118.8 at tol 0.01: the last value 118.9 >= thr, so the peak is not confirmed
    p = detect_peak(series(values))
    assert (p.peak_year, p.status, p.plateau) == (2022, "plateau", (2022, 2025))
    # at tol 0.005, thr = 119.4: the last value is below it, so 2022 is a confirmed peak
    q = detect_peak(series(values), tol=0.005)
    assert (q.peak_year, q.status, q.plateau) == (2022, "peaked", (2022, 2023))


def test_not_peaked():
    p = detect_peak(series([100, 105, 110, 120]))
    assert p.peak_year is None and p.status == "not_peaked" and p.plateau == (2023, 2023)


def test_rebound_beyond_an_earlier_maximum():
    # 110 in 2021 falls to 100 in 2022 (below 0.99 x 110 = 108.9), then rises to 130 in 2024
    p = detect_peak(series([105, 110, 100, 120, 130, 110]))
    assert (p.peak_year, p.status) == (2024, "peaked")
    assert p.rebound_before_peak


def test_tie_earliest_year_wins():
    p = detect_peak(series([100, 120, 110, 120, 90]))
    assert p.peak_year == 2021 and p.max_reattained_later
    assert p.plateau == (2021, 2021)  # 110 in 2022 is below 118.8, breaking the run


def test_log_mean():
    assert log_mean(2.0, 2.0) == 2.0
    assert log_mean(np.e, 1.0) == pytest.approx(np.e - 1.0)  # (e - 1) / (1 - 0)


def kaya():
    # C = P x (G/P) x (E/G) x (C/E), two sectors; values chosen so every factor changes
    rows = [
        (2020, "industry", 10.0, 5.0, 0.8, 2.5), (2030, "industry", 11.0, 8.0, 0.5, 2.2),
        (2020, "services", 10.0, 4.0, 0.3, 2.0), (2030, "services", 11.0, 7.0, 0.25, 1.6),
    ]
    return pd.DataFrame(rows, columns=["year", "group", "P", "A", "E", "F"])


def test_lmdi_four_factor_kaya_is_exact():
    f = kaya()
    c0 = 10 * 5 * 0.8 * 2.5 + 10 * 4 * 0.3 * 2.0  # 100 + 24 = 124
    ct = 11 * 8 * 0.5 * 2.2 + 11 * 7 * 0.25 * 1.6  # 96.8 + 30.8 = 127.6
    add = decompose(f, ["P", "A", "E", "F"], 2020, 2030)
    assert add.sum() == pytest.approx(ct - c0, abs=1e-10)
    # population effect by hand: L(96.8, 100) ln(1.1) + L(30.8, 24) ln(1.1)
    p_effect = (log_mean(96.8, 100) + log_mean(30.8, 24)) * np.log(1.1)
    assert add["P"] == pytest.approx(p_effect, rel=1e-12)
    mul = decompose(f, ["P", "A", "E", "F"], 2020, 2030, kind="multiplicative")
    assert mul.prod() == pytest.approx(ct / c0, abs=1e-10)


def test_lmdi_fuel_absent_in_base_year():
    # gas appears in 2030 (activity 0 in 2020): its 2030 emissions 2 x 3 = 6 go to the factor that was 0
    f = pd.DataFrame([(2020, "coal", 10.0, 2.5), (2030, "coal", 8.0, 2.5),
                      (2020, "gas", 0.0, 3.0), (2030, "gas", 2.0, 3.0)], columns=["year", "group", "Q", "EF"])
    add = decompose(f, ["Q", "EF"], 2020, 2030)
    assert add.sum() == pytest.approx((20 + 6) - 25, abs=1e-10)
    # coal: L(20, 25) ln(0.8) on Q; gas: +6 on Q (the zero factor); EF unchanged everywhere
    assert add["Q"] == pytest.approx(log_mean(20, 25) * np.log(0.8) + 6)
    assert add["EF"] == pytest.approx(0.0, abs=1e-12)
    mul = decompose(f, ["Q", "EF"], 2020, 2030, kind="multiplicative")
    assert mul.prod() == pytest.approx(26 / 25, abs=1e-10)


def test_stirpat_recovers_known_exponents():
    rng = np.random.default_rng(1)
    n = 30
    P, A, T = rng.uniform(1, 10, n), rng.uniform(1, 50, n), rng.uniform(0.1, 2, n)
    frame = pd.DataFrame({"P": P, "A": A, "T": T, "I": 3.0 * P**1.2 * A**0.7 * T**0.9})
    fit = fit_stirpat(frame, "I", ["P", "A", "T"])
    assert fit.coef.to_dict() == pytest.approx({"const": np.log(3.0), "P": 1.2, "A": 0.7, "T": 0.9}, abs=1e-10)
    assert fit.r2 == pytest.approx(1.0) and fit.n == 30 and fit.dof == 26


def test_stirpat_reports_r2_standard_errors_and_n():
    """One driver, hand-checkable: x = 1, e, e^2, e^3 and ln y = 1 + 2 ln x + (+e, -e, -e, +e), e = 0.1.
    The residual pattern is orthogonal to 1 and ln x, so b = 2, ln a = 1 exactly; SSR = 4 e^2 = 0.04,
    s^2 = 0.04 / (4 - 2) = 0.02; Sxx = sum (t - 1.5)^2 = 5 for t = 0..3, so se(b) = sqrt(0.02 / 5) = 0.063246;
    SST = 4 * 5 + 0.04 = 20.04 (the fitted part 2t has sum of squares 4 Sxx = 20), R^2 = 1 - 0.04 / 20.04."""
    t = np.arange(4.0)
    noise = 0.1 * np.array([1, -1, -1, 1])
    frame = pd.DataFrame({"P": np.exp(t), "I": np.exp(1.0 + 2.0 * t + noise)})
    fit = fit_stirpat(frame, "I", ["P"])
    assert fit.coef["P"] == pytest.approx(2.0) and fit.coef["const"] == pytest.approx(1.0)
    assert fit.std_err["P"] == pytest.approx(np.sqrt(0.02 / 5))
    assert fit.r2 == pytest.approx(1 - 0.04 / 20.04) and fit.n == 4 and fit.dof == 2
    assert fit.table()["term"].tolist() == ["const", "P"]
