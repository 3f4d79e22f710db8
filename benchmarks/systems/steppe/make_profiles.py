"""Write ``energy/profiles.csv`` of the steppe benchmark system (seeded: the file is reproducible).

Uses the profile generator of ``carbon init`` (:func:`carbon.energy.profiles.generate`) with
parameters of a made-up place, not the default county's: pvlib clear-sky sun at 40.8 N,
111.7 E with a cloudiness factor (daily clear-sky index), a windier seeded AR(1)/Weibull wind
series, a load with a winter (heating) peak, and Henan's time-of-use periods on a lower flat
price. Every number is illustrative.

Usage::

    python benchmarks/systems/steppe/make_profiles.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from carbon.energy.profiles import ProfileParameters, generate
from carbon.files import write_text_atomic

PARAMETERS = ProfileParameters(
    seed=18_2026,
    year=2025,
    latitude_deg=40.8,
    longitude_deg=111.7,
    altitude_m=1050.0,
    annual_demand_mwh=2.6e6,  # MWh a year
    peak_load_mw=470.0,
    summer_amplitude=0.04,
    winter_amplitude=0.14,  # heating in winter
    weekend_factor=0.97,
    sun="pvlib",
    ghi_kwh_per_m2_year=1650.0,  # kWh/m2 a year
    clearness_mean=1.1,  # cloudiness factor: the daily clear-sky index's logistic mean
    clearness_sd=1.2,
    wind_capacity_factor=0.30,
    wind_weibull_shape=1.9,
    wind_autocorrelation=0.96,
    wind_seasonal_amplitude=0.18,
    wind_diurnal_amplitude=0.08,
    flat_price_cny_per_mwh=400.0,  # CNY/MWh
)


def main() -> int:
    """Write the profiles and print their key figures."""
    frame = generate(PARAMETERS)
    out = HERE / "energy" / "profiles.csv"
    write_text_atomic(out, frame.to_csv(index=False, lineterminator="\n"))
    print(f"wrote {out} ({len(frame)} rows)")
    print(f"  annual load {frame['load_mw'].sum() / 1e6:.4f} TWh, peak {frame['load_mw'].max():.1f} MW")
    print(f"  capacity factors: solar {frame['solar'].mean():.4f}, wind {frame['wind'].mean():.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
