"""Reproducible hourly profiles of the default county: load, solar, wind and the
time-of-use import tariff.

``python -m carbon.energy.profiles [--out models/lankao/energy/profiles.csv]`` writes the table;
the same parameters and seed give the same file byte for byte. Every parameter is in
:class:`ProfileParameters` and documented in ``models/lankao/ENERGY.md``.

- Load: a daily shape (night trough, morning and evening peaks), a weekday/weekend factor and
  a seasonal factor (summer cooling peak, smaller winter heating bump), times seeded AR(1)
  noise, then scaled affinely so the annual energy and the peak match the targets.
- Solar (default county, ``sun="formula"``): clear-sky output from the sun's elevation at the
  county's latitude and longitude (declination, equation of time, hour angle; Meinel air-mass
  attenuation) times a seeded daily clearness process (AR(1) through a logistic map) with hourly
  noise; scaled so the capacity factor matches the target (clipped at 1 per MW). Kept so the
  committed ``models/lankao/energy/profiles.csv`` is reproduced byte for byte.
- Solar (``sun="pvlib"``, what ``carbon init`` uses): :func:`solar_profile_pvlib`, sun positions
  and Ineichen clear-sky irradiance from pvlib at the coordinates, a seeded cloudiness model,
  Erbs decomposition, transposition to a south-facing tilted plane and a performance ratio; not
  scaled to a target: the full-load hours follow from the place and the assumptions.
- Wind: a seeded AR(1) Gaussian process with hourly autocorrelation, mapped through its
  normal CDF to a Weibull speed distribution (shape k, seasonal scale), through a generic
  turbine power curve (cut-in, rated, cut-out); the Weibull scale is found by bisection so the
  capacity factor matches the target.
- Tariff: Henan's commercial and industrial time-of-use periods from 2024-06-01 (peak
  16:00-24:00; valley 00:00-06:00, and 11:00-14:00 in Mar-May and Sep-Nov; flat otherwise;
  peak : flat : valley = 1.69 : 1 : 0.46) applied to an illustrative flat price.
"""

from __future__ import annotations

import argparse
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from carbon.files import atomic_file

HOURS = 8760


@dataclass(frozen=True)
class ProfileParameters:
    """Parameters of the generator (units in the names)."""

    seed: int = 20250101
    year: int = 2025
    latitude_deg: float = 34.82
    longitude_deg: float = 114.82
    timezone_meridian_deg: float = 120.0
    annual_demand_mwh: float = 3.0e6
    peak_load_mw: float = 580.0
    load_noise_sd: float = 0.03
    load_noise_autocorrelation: float = 0.9
    weekend_factor: float = 0.95
    summer_amplitude: float = 0.12
    winter_amplitude: float = 0.06
    solar_capacity_factor: float = 0.13
    clearness_mean: float = 0.9
    clearness_sd: float = 1.0
    clearness_autocorrelation: float = 0.6
    solar_hourly_noise_sd: float = 0.08
    wind_capacity_factor: float = 0.24
    wind_weibull_shape: float = 2.0
    wind_autocorrelation: float = 0.97
    wind_seasonal_amplitude: float = 0.12
    wind_cut_in_m_s: float = 3.0
    wind_rated_m_s: float = 12.0
    wind_cut_out_m_s: float = 25.0
    wind_diurnal_amplitude: float = 0.0
    sun: str = "formula"
    timezone: str = "Asia/Shanghai"
    altitude_m: float = 70.0
    pv_tilt_deg: float = 30.0
    pv_performance_ratio: float = 0.80
    ghi_kwh_per_m2_year: float = 1400.0
    flat_price_cny_per_mwh: float = 450.0
    peak_ratio: float = 1.69
    valley_ratio: float = 0.46


def _ar1(rng: np.random.Generator, n: int, rho: float) -> np.ndarray:
    """Stationary AR(1) with unit variance: z_t = rho z_{t-1} + sqrt(1 - rho^2) e_t."""
    e = rng.standard_normal(n)
    z = np.empty(n)
    z[0] = e[0]
    scale = np.sqrt(1.0 - rho * rho)
    for t in range(1, n):
        z[t] = rho * z[t - 1] + scale * e[t]
    return z


def _calendar(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", periods=HOURS, freq="h")


def load_profile(p: ProfileParameters, rng: np.random.Generator) -> np.ndarray:
    """Hourly load, MW: shape x weekday x season x noise, scaled to energy and peak."""
    stamps = _calendar(p.year)
    hour = stamps.hour.to_numpy() + 0.5
    doy = stamps.day_of_year.to_numpy()
    daily = (
        0.75
        + 0.20 * np.exp(-((hour - 10.0) ** 2) / 8.0)
        + 0.28 * np.exp(-((hour - 19.5) ** 2) / 6.0)
        + 0.08 * np.exp(-((hour - 14.5) ** 2) / 10.0)
    )
    weekly = np.where(stamps.day_of_week.to_numpy() >= 5, p.weekend_factor, 1.0)
    seasonal = (
        1.0
        + p.summer_amplitude * np.maximum(np.cos(2 * np.pi * (doy - 205) / 365), 0) ** 2
        + p.winter_amplitude * np.maximum(np.cos(2 * np.pi * (doy - 15) / 365), 0) ** 2
    )
    noise = 1.0 + p.load_noise_sd * _ar1(rng, HOURS, p.load_noise_autocorrelation)
    shape = daily * weekly * seasonal * noise
    shape = shape / shape.mean()
    mean = p.annual_demand_mwh / HOURS
    k = (p.peak_load_mw / mean - 1.0) / (shape.max() - 1.0)
    return mean * (1.0 + k * (shape - 1.0))


def sun_elevation_sine(p: ProfileParameters) -> np.ndarray:
    """Sine of the sun's elevation at the middle of each hour (clock time of the time zone)."""
    stamps = _calendar(p.year)
    n = stamps.day_of_year.to_numpy()
    b = 2 * np.pi * (n - 81) / 364
    equation_of_time_min = 9.87 * np.sin(2 * b) - 7.53 * np.cos(b) - 1.5 * np.sin(b)
    solar_time = (
        stamps.hour.to_numpy() + 0.5 + (p.longitude_deg - p.timezone_meridian_deg) / 15 + equation_of_time_min / 60
    )
    declination = np.radians(23.45) * np.sin(2 * np.pi * (284 + n) / 365)
    omega = np.radians(15.0 * (solar_time - 12.0))
    phi = np.radians(p.latitude_deg)
    return np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(declination) * np.cos(omega)


def _scale_to_mean(raw: np.ndarray, target: float) -> np.ndarray:
    lo, hi = 0.0, 10.0 / max(raw.mean(), 1e-9)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.minimum(raw * mid, 1.0).mean() < target:
            lo = mid
        else:
            hi = mid
    return np.minimum(raw * 0.5 * (lo + hi), 1.0)


def solar_profile(p: ProfileParameters, rng: np.random.Generator) -> np.ndarray:
    """Available PV output per MW: clear sky x daily clearness x hourly noise, scaled to CF."""
    s = np.clip(sun_elevation_sine(p), 0.0, None)
    air_mass = np.where(s > 0.01, 1.0 / np.maximum(s, 0.01), np.inf)
    clear_sky = np.where(s > 0.01, s * 0.7 ** (air_mass**0.678), 0.0)
    days = HOURS // 24
    daily = _ar1(rng, days, p.clearness_autocorrelation)
    clearness = 1.0 / (1.0 + np.exp(-(p.clearness_mean + p.clearness_sd * daily)))
    hourly = np.clip(1.0 + p.solar_hourly_noise_sd * rng.standard_normal(HOURS), 0.0, None)
    raw = clear_sky * np.repeat(clearness, 24) * hourly
    return _scale_to_mean(raw, p.solar_capacity_factor)


def solar_profile_pvlib(p: ProfileParameters, rng: np.random.Generator) -> np.ndarray:
    """Available PV output per MW (DC rating, 1 kW/m2 at standard conditions) from pvlib.

    Sun position (NREL SPA) and Ineichen clear-sky GHI with pvlib's Linke turbidity climatology
    at the middle of each local hour; a clear-sky index per day, a seeded AR(1) through a logistic
    map, times hourly noise (capped at 1.05 for cloud enhancement), scaled so the annual GHI is
    ``ghi_kwh_per_m2_year`` (the place's published resource); GHI split into beam and diffuse by the Erbs model; transposed (isotropic sky,
    albedo 0.2) to a plane tilted ``pv_tilt_deg`` facing south; times ``pv_performance_ratio``
    (temperature, inverter, soiling, wiring losses); clipped at 1 per MW.
    """
    import pvlib

    times = pd.date_range(f"{p.year}-01-01 00:30", periods=HOURS, freq="h", tz=p.timezone)
    site = pvlib.location.Location(p.latitude_deg, p.longitude_deg, tz=p.timezone, altitude=p.altitude_m)
    with warnings.catch_warnings():  # pvlib 0.16 still calls DatetimeIndex.dayofyear (deprecated in pandas 3)
        warnings.filterwarnings("ignore", message=".*dayofyear.*")
        sun = site.get_solarposition(times)
        clear = site.get_clearsky(times, model="ineichen", solar_position=sun)
        daily = _ar1(rng, HOURS // 24, p.clearness_autocorrelation)
        index = 1.0 / (1.0 + np.exp(-(p.clearness_mean + p.clearness_sd * daily)))
        hourly = np.clip(1.0 + p.solar_hourly_noise_sd * rng.standard_normal(HOURS), 0.0, None)
        kc = np.repeat(index, 24) * hourly
        clear_ghi = clear["ghi"].to_numpy()
        for _ in range(20):  # scale to the annual GHI; the cap at 1.05 makes it a fixed point
            kc = np.clip(kc * p.ghi_kwh_per_m2_year * 1000.0 / max((clear_ghi * kc).sum(), 1e-9), 0.0, 1.05)
        ghi = clear_ghi * kc
        zenith = sun["apparent_zenith"].to_numpy()
        split = pvlib.irradiance.erbs(ghi, zenith, times)
        poa = pvlib.irradiance.get_total_irradiance(p.pv_tilt_deg, 180.0, zenith, sun["azimuth"].to_numpy(),
                                                    split["dni"], ghi, split["dhi"], albedo=0.2)
        output = np.nan_to_num(np.asarray(poa["poa_global"], dtype=float)) / 1000.0 * p.pv_performance_ratio
    return np.clip(output, 0.0, 1.0)


def power_curve(speed: np.ndarray, p: ProfileParameters) -> np.ndarray:
    """Output per MW of a generic turbine: cubic from cut-in to rated, 1 to cut-out, then 0."""
    vin, vr, vout = p.wind_cut_in_m_s, p.wind_rated_m_s, p.wind_cut_out_m_s
    ramp = (speed**3 - vin**3) / (vr**3 - vin**3)
    out = np.where(speed < vin, 0.0, np.where(speed < vr, ramp, np.where(speed < vout, 1.0, 0.0)))
    return np.clip(out, 0.0, 1.0)


def wind_profile(p: ProfileParameters, rng: np.random.Generator) -> np.ndarray:
    """Available wind output per MW: AR(1) -> Weibull speeds -> power curve, scaled to CF."""
    z = _ar1(rng, HOURS, p.wind_autocorrelation)
    u = np.clip(ndtr(z), 1e-12, 1 - 1e-12)
    base = (-np.log1p(-u)) ** (1.0 / p.wind_weibull_shape)  # Weibull with unit scale
    stamps = _calendar(p.year)
    doy = stamps.day_of_year.to_numpy()
    season = 1.0 + p.wind_seasonal_amplitude * np.cos(2 * np.pi * (doy - 80) / 365)  # windy spring
    if p.wind_diurnal_amplitude:  # inland: windier in the afternoon (mixing), calmer before dawn
        season = season * (1.0 + p.wind_diurnal_amplitude * np.cos(2 * np.pi * (stamps.hour.to_numpy() - 15) / 24))
    lo, hi = 0.5, 30.0
    for _ in range(100):
        scale = 0.5 * (lo + hi)
        if power_curve(scale * season * base, p).mean() < p.wind_capacity_factor:
            lo = scale
        else:
            hi = scale
    return power_curve(0.5 * (lo + hi) * season * base, p)


def tou_price(p: ProfileParameters) -> np.ndarray:
    """Henan commercial/industrial time-of-use price of every hour, CNY/MWh."""
    stamps = _calendar(p.year)
    hour = stamps.hour.to_numpy()
    month = stamps.month.to_numpy()
    shoulder = np.isin(month, [3, 4, 5, 9, 10, 11])
    valley = (hour < 6) | (shoulder & (hour >= 11) & (hour < 14))
    peak = hour >= 16
    ratio = np.where(peak, p.peak_ratio, np.where(valley, p.valley_ratio, 1.0))
    return p.flat_price_cny_per_mwh * ratio


def generate(p: ProfileParameters | None = None) -> pd.DataFrame:
    """The hourly table: ``hour, load_mw, solar, wind, tou_price_cny_per_mwh``."""
    p = p or ProfileParameters()
    rng = np.random.default_rng(p.seed)
    load = load_profile(p, rng)
    solar = solar_profile_pvlib(p, rng) if p.sun == "pvlib" else solar_profile(p, rng)
    wind = wind_profile(p, rng)
    return pd.DataFrame(
        {
            "hour": np.arange(HOURS),
            "load_mw": np.round(load, 2),
            "solar": np.round(solar, 4),
            "wind": np.round(wind, 4),
            "tou_price_cny_per_mwh": np.round(tou_price(p), 2),
        }
    )


def main(argv: list[str] | None = None) -> int:
    """Write the default profiles (``--out``) and print their key figures."""
    parser = argparse.ArgumentParser(prog="python -m carbon.energy.profiles", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("models/lankao/energy/profiles.csv"))
    args = parser.parse_args(argv)
    p = ProfileParameters()
    frame = generate(p)
    with atomic_file(args.out) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
    print(f"wrote {args.out} ({len(frame)} rows)")
    print(f"  annual load {frame['load_mw'].sum() / 1e6:.4f} TWh, peak {frame['load_mw'].max():.1f} MW")
    print(f"  capacity factors: solar {frame['solar'].mean():.4f}, wind {frame['wind'].mean():.4f}")
    print("  parameters: " + ", ".join(f"{k}={v}" for k, v in asdict(p).items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
