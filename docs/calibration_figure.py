"""Draw docs/figures/calibration.png: the default county's base-year CO2 against CEADs.

Reads the published series from models/lankao/calibration_series.csv (every row has its source)
and computes the model's base year with the inventory (the model's own factor set and GWP).
The published range for 2020 is derived here exactly as models/lankao/CALIBRATION.md states:

    lower = Kaifeng city inventory 2019 x Lankao's share of Kaifeng's counties in 2017
    upper = Lankao county 2017 x (Henan provincial 2017 / Henan county sum 2017)
                               x (Henan provincial 2019 / Henan provincial 2017)

Run from the repository root:  .venv/bin/python docs/calibration_figure.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lankao"
SERIES = MODEL / "calibration_series.csv"
OUT = ROOT / "docs" / "figures" / "calibration.png"


def published_range(series: pd.DataFrame) -> dict[str, float]:
    """The 2020 range the published figures support (Mt CO2), with its ingredients."""
    v = series.set_index(["series", "year"])["co2_mt"]
    share = v["lankao_county", 2017] / v["kaifeng_counties_sum", 2017]
    overstatement = v["henan_counties_sum", 2017] / v["henan_province", 2017]
    trend = v["henan_province", 2019] / v["henan_province", 2017]
    return {
        "share": share,
        "overstatement": overstatement,
        "trend": trend,
        "lower": v["kaifeng_city", 2019] * share,
        "upper": v["lankao_county", 2017] / overstatement * trend,
    }


def model_co2() -> dict[str, float]:
    """The model's base-year CO2 (Mt): the CEADs boundary (scope 1, energy 1.* and process 2.*,
    biogenic excluded) and the same plus scope 2."""
    try:
        import carbon  # noqa: F401  (installed, e.g. pip install -e .)
    except ImportError:
        sys.path.insert(0, str(ROOT))
    from carbon.stages.inventory import compute
    from carbon.model import load_model

    inv = compute(load_model(MODEL), {})
    e = inv.emissions[~inv.emissions["memo"] & (inv.emissions["gas"] == "co2")]
    cat = e["category"].astype(str)
    ceads = e[(e["scope"] == 1) & (cat.str.startswith("1.") | cat.str.startswith("2."))]
    scope2 = e[e["scope"] == 2]
    return {"ceads_boundary": ceads["emissions_t"].sum() / 1e6,
            "with_scope2": (ceads["emissions_t"].sum() + scope2["emissions_t"].sum()) / 1e6}


def main() -> Path:
    series = pd.read_csv(SERIES)
    r = published_range(series)
    m = model_co2()
    county = series[series["series"] == "lankao_county"]
    city = series[series["series"] == "kaifeng_city"]

    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=150)
    ax.plot(county["year"], county["co2_mt"], "o-", color="#4c72b0",
            label="CEADs county dataset, Lankao (night-light downscaling)")
    ax.plot(county["year"], county["co2_mt"] / r["overstatement"], "o--", color="#4c72b0", alpha=0.5,
            label=f"  same / {r['overstatement']:.3f} (Henan county sum vs provincial inventory)")
    ax.plot(city["year"], city["co2_mt"] * r["share"], "s-", color="#dd8452",
            label=f"CEADs Kaifeng city inventory x Lankao share {r['share']:.3f}")
    ax.fill_between([2019.6, 2020.4], r["lower"], r["upper"], color="0.85",
                    label=f"published range for 2020: {r['lower']:.2f}-{r['upper']:.2f} Mt")
    ax.plot([2020], [m["ceads_boundary"]], "D", color="#c44e52", ms=8,
            label=f"model 2020, CEADs boundary (scope 1 energy + process): {m['ceads_boundary']:.2f} Mt")
    ax.plot([2020], [m["with_scope2"]], "v", color="#8172b3", ms=8,
            label=f"model 2020, plus scope 2 electricity and heat: {m['with_scope2']:.2f} Mt")
    ax.set_xlim(2009.5, 2020.8)
    ax.set_ylim(0, 5.5)
    ax.set_ylabel("Mt CO2 per year")
    ax.set_title("Default county (modelled on Lankao): base year against published CO2")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, loc="lower left")
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, metadata={"Software": None})
    plt.close(fig)
    return OUT


if __name__ == "__main__":
    print(main())
