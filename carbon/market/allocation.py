"""Free allocation rules: grandfathering, output benchmarks and China's power-sector rule.

All functions are pure and vectorised; quantities are in the market's unit (tCO2 or tce),
arrays are shaped (firms, periods) unless stated otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from carbon.market.rules import DEFAULT_CORRECTIONS, china_power_corrections


def grandfathering(pool: np.ndarray, historical: np.ndarray) -> np.ndarray:
    """Share a free pool in proportion to historical emissions.

    Parameters
    ----------
    pool
        Free allowances to share in each period, shape (periods,), unit.
    historical
        Historical emissions of each firm, shape (firms,), unit.

    Returns
    -------
    numpy.ndarray
        Free allocation, shape (firms, periods): ``pool_t * h_i / sum(h)``.
    """
    historical = np.asarray(historical, dtype=float)
    total = historical.sum()
    if total <= 0:
        shares = np.full(historical.shape, 1.0 / max(len(historical), 1))
    else:
        shares = historical / total
    return shares[:, None] * np.asarray(pool, dtype=float)[None, :]


def benchmark(output: np.ndarray, intensity: np.ndarray) -> np.ndarray:
    """Output-based allocation: output × benchmark intensity (unit per output unit)."""
    return np.asarray(output, dtype=float) * np.asarray(intensity, dtype=float)


def load_factor_correction(load_factor: np.ndarray, params: Mapping[str, float] | None = None) -> np.ndarray:
    """China's load-factor correction for conventional coal units.

    With the parameters of a correction table (``params``, :data:`carbon.market.rules.LOAD_PARAMETERS`;
    default: those of :data:`carbon.market.rules.DEFAULT_CORRECTIONS`):
    1 for F >= upper; 1 + slope_1·(100·upper − 100F) for middle <= F < upper;
    intercept_2 + slope_2·(100·middle − 100F) for lower <= F < middle; base^(exponent_0 − exponent_1·F)
    below ``lower``. The shipped values: 0.85, 0.0014, 0.80, 1.007, 0.0016, 0.75, 1.015, 16, 20.
    """
    if params is None:
        params = china_power_corrections(DEFAULT_CORRECTIONS).load
    p = params
    f = np.asarray(load_factor, dtype=float)
    return np.select(
        [f >= p["upper"], f >= p["middle"], f >= p["lower"]],
        [
            np.ones_like(f),
            1.0 + p["slope_1"] * (100.0 * p["upper"] - 100.0 * f),
            p["intercept_2"] + p["slope_2"] * (100.0 * p["middle"] - 100.0 * f),
        ],
        default=p["base"] ** (p["exponent_0"] - p["exponent_1"] * f),
    )


def china_power(
    power_supply_mwh: np.ndarray,
    heat_supply_gj: np.ndarray,
    power_benchmark: np.ndarray,
    heat_benchmark: np.ndarray,
    cooling_factor: np.ndarray,
    heat_factor: np.ndarray,
    load_factor: np.ndarray,
    correct_load: np.ndarray,
    load_params: Mapping[str, float] | None = None,
) -> np.ndarray:
    """China's national ETS allocation of a generating unit, unit (tCO2).

    allocation = B_power · power supplied · F_cooling · F_heat · F_load + B_heat · heat supplied,
    with F_load from :func:`load_factor_correction` where ``correct_load`` is true (else 1).

    Parameters
    ----------
    power_supply_mwh, heat_supply_gj
        Power (MWh) and heat (GJ) supplied, shape (units, periods).
    power_benchmark, heat_benchmark
        Benchmarks of each unit's type, tCO2/MWh and tCO2/GJ, shape (units,) or, when they
        change by year, (units, periods).
    cooling_factor, heat_factor
        Correction factors, shape (units,).
    load_factor
        Load factor F (fraction), shape (units, periods).
    correct_load
        Whether the load-factor correction applies, shape (units,).
    load_params
        Parameters of the load-factor correction (a correction table's ``load``).
    """
    f_load = np.where(np.asarray(correct_load, bool)[:, None], load_factor_correction(load_factor, load_params), 1.0)
    power = (
        by_period(power_benchmark)
        * power_supply_mwh
        * np.asarray(cooling_factor, float)[:, None]
        * np.asarray(heat_factor, float)[:, None]
        * f_load
    )
    return power + by_period(heat_benchmark) * heat_supply_gj


def by_period(values, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Per-unit values as (units, 1) to broadcast over periods, or (units, periods) as given;
    with ``shape`` (units, periods), broadcast to it as a new float array."""
    values = np.asarray(values, float)
    values = values[:, None] if values.ndim == 1 else values
    return values if shape is None else np.broadcast_to(values, shape).astype(float)
