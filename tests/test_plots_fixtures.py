"""Small run folders for the figure and report tests, written to the documented contracts.

The pathway tables follow the contract of issue 5 (``pathway/annual.csv``, ``by_sector.csv``,
``peak.json``, ``targets.csv``, ``lmdi.csv``) and the Monte Carlo aggregate its
(``peak_year_distribution.csv``, ``bands.csv``, ``summary.json``); the numbers are made up
but hand-checkable: scope 1 peaks in 2028 at 2.40e6 t, scope 1+2 in 2029.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
YEARS = list(range(2020, 2041))
SECTORS = {"industry": 0.36, "transport": 0.17, "power": 0.14, "agriculture": 0.18, "residential": 0.1, "waste": 0.05}
PEAK_SCOPE1 = (2028, 2.40e6)
PEAK_SCOPE12 = (2029, 2.86e6)


def _curve(peak_year: int, peak: float, start: float) -> np.ndarray:
    """Rises linearly to ``peak`` in ``peak_year``, then falls 2 % a year."""
    out = []
    for y in YEARS:
        if y <= peak_year:
            out.append(start + (peak - start) * (y - YEARS[0]) / (peak_year - YEARS[0]))
        else:
            out.append(peak * 0.98 ** (y - peak_year))
    return np.array(out)


def write_pathway(run: Path) -> None:
    """Write ``run/pathway/*`` following the pathway contract."""
    folder = run / "pathway"
    folder.mkdir(parents=True, exist_ok=True)
    s1 = _curve(*PEAK_SCOPE1, 1.86e6)
    s12 = _curve(*PEAK_SCOPE12, 2.26e6)
    n = len(YEARS)
    gdp = 3.5e6 * 1.05 ** np.arange(n)
    energy = 7.0e5 * 1.02 ** np.arange(n)
    annual = pd.DataFrame(
        {
            "year": YEARS,
            "population": 7.7e5 * 1.002 ** np.arange(n),
            "gdp_10k_cny": gdp,
            "energy_tce": energy,
            "energy_tce_coal_substitution": energy * 1.1,
            "co2e_t_scope1": s1,
            "co2e_t_scope12": s12,
            "power_co2_t": 3.0e5 * 0.97 ** np.arange(n),
            "carbon_price_cny_per_t": np.linspace(60, 200, n),
            "non_fossil_share": np.linspace(0.12, 0.35, n),
            "renewable_share_electricity": np.linspace(0.3, 0.7, n),
            "carbon_intensity_t_per_10k_cny": s1 / gdp,
            "energy_intensity_tce_per_10k_cny": energy / gdp,
        }
    )
    annual.to_csv(folder / "annual.csv", index=False)
    rows = []
    for view, total in (("scope1", s1), ("scope12", s12)):
        for sector, share in SECTORS.items():
            for y, t in zip(YEARS, total):
                rows.append({"year": y, "view": view, "sector": sector, "co2e_t": t * share})
    pd.DataFrame(rows).to_csv(folder / "by_sector.csv", index=False)
    peak = {
        "scope1": {
            "peak_year": PEAK_SCOPE1[0],
            "status": "peaked",
            "peak_co2e_t": PEAK_SCOPE1[1],
            "plateau": [2027, 2029],
            "max_reattained_later": False,
            "rebound_before_peak": False,
        },
        "scope12": {
            "peak_year": PEAK_SCOPE12[0],
            "status": "plateau",
            "peak_co2e_t": PEAK_SCOPE12[1],
            "plateau": [2028, 2031],
            "max_reattained_later": False,
            "rebound_before_peak": False,
        },
    }
    (folder / "peak.json").write_text(json.dumps(peak, indent=2))
    a = annual.set_index("year")
    ci25 = float(a.loc[2025, "carbon_intensity_t_per_10k_cny"])
    nf30 = float(a.loc[2030, "non_fossil_share"])
    targets = pd.DataFrame(
        [
            {
                "target": "carbon_intensity",
                "year": 2025,
                "value": ci25,
                "limit": 0.60,
                "unit": "t/10^4 CNY",
                "met": ci25 <= 0.60,
                "margin": 0.60 - ci25,
            },
            {
                "target": "energy_intensity_reduction",
                "year": 2025,
                "value": 0.135,
                "limit": 0.135,
                "unit": "fraction",
                "met": True,
                "margin": 0.0,
            },
            {
                "target": "non_fossil_share",
                "year": 2030,
                "value": nf30,
                "limit": 0.25,
                "unit": "fraction",
                "met": nf30 >= 0.25,
                "margin": nf30 - 0.25,
            },
            {"target": "peak_by", "year": 2030, "value": 2028, "limit": 2030, "unit": "year", "met": True, "margin": 2},
            {
                "target": "emission_cap",
                "year": 2035,
                "value": float(a.loc[2035, "co2e_t_scope1"]),
                "limit": 2.3e6,
                "unit": "t CO2e",
                "met": bool(a.loc[2035, "co2e_t_scope1"] <= 2.3e6),
                "margin": 2.3e6 - float(a.loc[2035, "co2e_t_scope1"]),
            },
        ]
    )
    targets.to_csv(folder / "targets.csv", index=False)
    change = float(a.loc[2030, "co2e_t_scope1"] - a.loc[2020, "co2e_t_scope1"])
    effects = {
        "population": 0.05,
        "affluence": 1.10,
        "energy_intensity": -0.55,
        "energy_mix": -0.20,
        "emission_factor": -0.10,
    }
    scale = change / sum(effects.values())
    lmdi = pd.DataFrame(
        [
            {"factor": f, "effect_t": e * scale, "ratio": 1 + e * scale / 1.86e6, "start": 2020, "end": 2030}
            for f, e in effects.items()
        ]
    )
    lmdi.to_csv(folder / "lmdi.csv", index=False)


def write_aggregate(folder: Path) -> None:
    """Write a Monte Carlo aggregate (``peak_year_distribution.csv``, ``bands.csv``, ``summary.json``)."""
    folder.mkdir(parents=True, exist_ok=True)
    probs = {2026: 0.04, 2027: 0.12, 2028: 0.30, 2029: 0.22, 2030: 0.14, 2031: 0.08, 2032: 0.04}
    rows = [{"year": y, "probability": p} for y, p in probs.items()]
    dist = pd.DataFrame(rows)
    dist["cumulative"] = dist["probability"].cumsum()
    not_peaked = round(1 - dist["probability"].sum(), 10)
    dist = pd.concat(
        [dist, pd.DataFrame([{"year": np.nan, "probability": not_peaked, "cumulative": 1.0}])], ignore_index=True
    )
    dist.to_csv(folder / "peak_year_distribution.csv", index=False)
    rows = []
    for view, (peak_year, peak) in (("scope1", PEAK_SCOPE1), ("scope12", PEAK_SCOPE12)):
        mid = _curve(peak_year, peak, 1.86e6 if view == "scope1" else 2.26e6)
        for i, (y, m) in enumerate(zip(YEARS, mid)):
            spread = 0.01 + 0.006 * i
            rows.append(
                {
                    "year": y,
                    "view": view,
                    "p5": m * (1 - 2 * spread),
                    "p25": m * (1 - spread),
                    "p50": m,
                    "p75": m * (1 + spread),
                    "p95": m * (1 + 2 * spread),
                }
            )
    pd.DataFrame(rows).to_csv(folder / "bands.csv", index=False)
    # the summary's probability (0.80) differs from the distribution's (0.82) so tests can tell
    # which one a chart shows
    (folder / "summary.json").write_text(json.dumps({"p_peak_by_2030": 0.80, "samples": 200}))


MARKET_SECTION = {
    "unit": "tCO2",
    "periods": [2021, 2022, 2023],
    "auction": {"volume": 1000.0, "reserve_price": 40.0},
    "ceiling": {"price": 150.0, "quantity": 2000.0},
    "firms": [
        {"id": "plant-a", "sector": "power", "mac": {"slope": 0.004, "intercept": 20.0}},
        {"id": "plant-b", "sector": "power", "mac": {"slope": 0.008, "intercept": 10.0}},
        {"id": "kiln", "sector": "building_materials", "mac": {"steps": [[45.0, 3000.0], [90.0, 5000.0]]}},
    ],
}


def write_manifest(run: Path, name: str, *, markets: bool = False, status: str = "ok") -> None:
    """A manifest as ``carbon run`` writes it (the parts the figures read)."""
    run.mkdir(parents=True, exist_ok=True)
    scenario = {
        "name": name,
        "base_year": 2020,
        "model": "models/lankao",
        "description": f"fixture {name}",
        "inventory": {"factors": "china", "gwp": "AR5"},
    }
    if markets:
        scenario["markets"] = {"carbon": MARKET_SECTION}
    manifest = {
        "run": name,
        "status": status,
        "error": None,
        "hash": "0123456789abcdef",
        "seed": None,
        "git_commit": "deadbeef",
        "scenario": scenario,
        "scenario_file": "scenarios/fixture.yaml",
        "summary": {
            "inventory": {
                "co2e_t": 2.26e6,
                "scope1_co2e_t": 1.86e6,
                "scope2_co2e_t": 4.0e5,
                "energy_tce": 7.0e5,
                "factor_set": "china",
                "gwp": "AR5",
            }
        },
        "timings_s": {"total": 0.2},
        "versions": {"carbon": "0.1.0", "python": "3.11"},
    }
    (run / "manifest.json").write_text(json.dumps(manifest, indent=2))


def write_inventory(run: Path, scale: float = 1.0) -> None:
    """A small inventory: 4 sectors, 3 gases, scope 2 electricity; 2020."""
    folder = run / "inventory"
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        # sector, category, item, gas, scope, memo, co2e_t, energy_tce
        ("power", "1.A.1", "raw_coal", "co2", 1, False, 300000.0, 112000.0),
        ("power", "1.A.1", "raw_coal", "n2o", 1, False, 1300.0, 0.0),
        ("industry", "1.A.2", "raw_coal", "co2", 1, False, 450000.0, 160000.0),
        ("industry", "1.A.2", "electricity", "co2", 2, False, 250000.0, 84000.0),
        ("transport", "1.A.3.b", "diesel", "co2", 1, False, 320000.0, 137000.0),
        ("transport", "1.A.3.b", "diesel", "n2o", 1, False, 5000.0, 0.0),
        ("agriculture", "3.A.1", "other_cattle", "ch4", 1, False, 180000.0, 0.0),
        ("agriculture", "3.C.4", "synthetic_n_fertiliser", "n2o", 1, False, 100000.0, 0.0),
        ("residential", "1.A.4.b", "wood", "co2", 1, True, 50000.0, 20000.0),
    ]
    frame = pd.DataFrame(rows, columns=["sector", "category", "item", "gas", "scope", "memo", "co2e_t", "energy_tce"])
    frame["co2e_t"] *= scale
    frame.insert(0, "year", 2020)
    frame["row"] = range(len(frame))
    frame.drop(columns="energy_tce").to_csv(folder / "emissions.csv", index=False)
    energy = frame[frame["energy_tce"] > 0][["row", "year", "sector", "category", "item", "memo", "energy_tce"]]
    energy = energy.rename(columns={"memo": "biogenic"}).drop_duplicates("row")
    energy.to_csv(folder / "energy.csv", index=False)
    live = frame[~frame["memo"]]
    if (run / "manifest.json").is_file():  # the key figures of the manifest follow the table
        manifest = json.loads((run / "manifest.json").read_text())
        manifest["summary"]["inventory"]["co2e_t"] = float(live["co2e_t"].sum())
        (run / "manifest.json").write_text(json.dumps(manifest, indent=2))
    live.groupby("sector", as_index=False)["co2e_t"].sum().to_csv(folder / "by_sector.csv", index=False)
    live.groupby("gas", as_index=False)["co2e_t"].sum().to_csv(folder / "by_gas.csv", index=False)
    live.groupby("scope", as_index=False)["co2e_t"].sum().to_csv(folder / "by_scope.csv", index=False)


TECHS = ["coal", "wind", "solar", "solar_new", "grid_import", "grid_export", "battery"]


def write_energy(run: Path) -> None:
    """A small solved power system: 2 milestones, 2 representative days of 24 hours."""
    folder = run / "energy"
    folder.mkdir(parents=True, exist_ok=True)
    cap_rows, annual_rows, years_rows, dispatch = [], [], [], []
    for k, year in enumerate((2025, 2030)):
        for tech, mw in zip(TECHS, (60, 430, 244, 400 + 200 * k, 600, 400, 100 + 50 * k)):
            cap_rows.append(
                {
                    "year": year,
                    "technology": tech,
                    "existing_mw": mw,
                    "new_mw": 0.0,
                    "total_mw": mw,
                    "existing_mwh": 4 * mw if tech == "battery" else np.nan,
                    "new_mwh": np.nan,
                    "total_mwh": 4 * mw if tech == "battery" else np.nan,
                }
            )
        hours = np.arange(48)
        h = hours % 24
        load = 300 + 80 * np.sin((h - 6) / 24 * 2 * np.pi) + 20 * k
        solar = np.clip(np.sin((h - 6) / 12 * np.pi), 0, None) * 250
        wind = 120 + 60 * np.cos(hours / 7)
        coal = np.full(48, 50.0)
        charge = np.where((h >= 10) & (h < 14), 60.0, 0.0)
        discharge = np.where((h >= 18) & (h < 22), 55.0, 0.0)
        net = load - solar - wind - coal - discharge + charge
        imp, exp = np.clip(net, 0, None), np.clip(-net, 0, None)
        day = np.where(hours < 24, 10, 200)
        dispatch.append(
            pd.DataFrame(
                {
                    "year": year,
                    "node": "county",
                    "step": hours,
                    "hour": day * 24 + h,
                    "weight": 182.5,
                    "load_mw": load,
                    "price_cny_per_mwh": 250 + 100 * (h >= 17) + 30 * k,
                    "coal_mw": coal,
                    "wind_mw": wind,
                    "solar_mw": solar * 0.4,
                    "solar_new_mw": solar * 0.6,
                    "grid_import_mw": imp,
                    "grid_export_mw": exp,
                    "battery_charge_mw": charge,
                    "battery_discharge_mw": discharge,
                    "battery_soc_mwh": np.cumsum(charge - discharge).clip(0),
                    "shift_up_mw": 0.0,
                    "shift_down_mw": 0.0,
                    "interrupt_mw": 0.0,
                    "shed_mw": 0.0,
                }
            )
        )
        frame = dispatch[-1]
        for tech in TECHS:
            kind = "storage" if tech == "battery" else tech if tech.startswith("grid") else "generator"
            col = "battery_discharge_mw" if tech == "battery" else f"{tech}_mw"
            annual_rows.append(
                {
                    "year": year,
                    "technology": tech,
                    "kind": kind,
                    "carrier": tech,
                    "generation_mwh": float((frame[col] * frame["weight"]).sum()),
                    "emissions_t": float((frame["coal_mw"] * frame["weight"]).sum() * 0.9) if tech == "coal" else 0.0,
                }
            )
        years_rows.append(
            {
                "year": year,
                "load_mwh": float((load * 182.5).sum()),
                "emissions_t": 9.0e5 - 1e5 * k,
                "renewable_share": 0.6 + 0.05 * k,
                "system_cost_cny_per_mwh": 235.0 + 10 * k,
            }
        )
    pd.DataFrame(cap_rows).to_csv(folder / "capacity.csv", index=False)
    pd.DataFrame(annual_rows).to_csv(folder / "annual.csv", index=False)
    pd.DataFrame(years_rows).to_csv(folder / "years.csv", index=False)
    pd.concat(dispatch).to_csv(folder / "dispatch.csv", index=False)
    mac = pd.DataFrame(
        {
            "year": 2025,
            "carbon_price_cny_per_t": [0.0, 50.0, 100.0, 200.0],
            "emissions_t": [1.0e6, 0.98e6, 0.95e6, 0.9e6],
        }
    )
    mac["abatement_t"] = 1.0e6 - mac["emissions_t"]
    mac.to_csv(folder / "mac_curve.csv", index=False)
    (folder / "summary.json").write_text(json.dumps({"status": "optimal", "local_co2_t": 9.0e5, "co2_incl_imports_t": 1.0e6}))


def write_market(run: Path, name: str = "carbon", agents: bool = True) -> None:
    """A 3-period, 3-firm market (equilibrium tables plus agent-mode trades)."""
    folder = run / "market" / name
    folder.mkdir(parents=True, exist_ok=True)
    periods = [2021, 2022, 2023]
    pd.DataFrame(
        {
            "period": periods,
            "price": [55.0, 60.0, 72.0],
            "emissions": [9.0e5, 8.8e5, 8.5e5],
            "abatement": [2e4, 3e4, 4e4],
            "offsets": [0.0, 0.0, 0.0],
            "bank": [5000.0, 8000.0, 0.0],
            "unit": "tCO2",
        }
    ).to_csv(folder / "periods.csv", index=False)
    rows = []
    for p in periods:
        for firm, sector, alloc, em, ab in (
            ("plant-a", "power", 5.0e5, 5.2e5, 9000.0),
            ("plant-b", "power", 3.0e5, 2.9e5, 6000.0),
            ("kiln", "building_materials", 7.5e4, 7.0e4, 3000.0),
        ):
            rows.append(
                {
                    "period": p,
                    "firm": firm,
                    "sector": sector,
                    "allocation": alloc,
                    "emissions": em,
                    "abatement": ab,
                    "net_purchase": em - alloc,
                }
            )
    pd.DataFrame(rows).to_csv(folder / "firms.csv", index=False)
    if agents:
        pd.DataFrame(
            {
                "period": [2021, 2021, 2021, 2022, 2022, 2023],
                "round": [1, 5, 9, 2, 8, 4],
                "buyer": ["plant-a"] * 6,
                "seller": ["kiln"] * 6,
                "price": [90.0, 70.0, 58.0, 66.0, 61.0, 72.0],
                "quantity": [100.0] * 6,
            }
        ).to_csv(folder / "trades.csv", index=False)


def make_full_run(path: Path, name: str = "full") -> Path:
    """A run folder with every stage: inventory, energy, one market, pathway."""
    write_manifest(path, name, markets=True)
    write_inventory(path)
    write_energy(path)
    write_market(path)
    write_pathway(path)
    return path


def make_batch(path: Path, light: bool = False) -> Path:
    """A results folder: a run with a market, a run with inventory and pathway, an inventory-only run, a failed
    run, 3 Monte Carlo samples and their aggregate. ``light``: the first run has only an inventory."""
    write_manifest(path / "policy", "policy", markets=not light)  # everything but the power system
    write_inventory(path / "policy")
    if not light:
        write_market(path / "policy", agents=False)
        write_pathway(path / "policy")
    write_manifest(path / "baseline", "baseline")  # inventory and pathway only
    write_inventory(path / "baseline")
    write_pathway(path / "baseline")
    base = pd.read_csv(path / "baseline" / "pathway" / "annual.csv")
    base["co2e_t_scope1"] *= 1.1
    base.to_csv(path / "baseline" / "pathway" / "annual.csv", index=False)
    write_manifest(path / "inventory_only", "inventory_only")
    write_inventory(path / "inventory_only", scale=0.9)
    write_manifest(path / "broken", "broken", status="error")
    for i, scale in enumerate((0.95, 1.0, 1.07)):
        write_manifest(path / f"mc__s{i:04d}", f"mc__s{i:04d}")
        write_inventory(path / f"mc__s{i:04d}", scale)
    write_aggregate(path / "mc")
    pd.DataFrame(
        {
            "run": ["policy", "baseline", "inventory_only", "broken"],
            "status": ["ok", "ok", "ok", "error"],
            "inventory.co2e_t": [2.26e6, 2.26e6, 2.0e6, None],
        }
    ).to_csv(path / "summary.csv", index=False)
    return path


def test_fixture_contract(tmp_path):
    write_pathway(tmp_path)
    write_aggregate(tmp_path / "agg")
    annual = pd.read_csv(tmp_path / "pathway" / "annual.csv")
    assert annual["co2e_t_scope1"].idxmax() == YEARS.index(PEAK_SCOPE1[0])
    assert np.isclose(annual["co2e_t_scope1"].max(), PEAK_SCOPE1[1])
    dist = pd.read_csv(tmp_path / "agg" / "peak_year_distribution.csv")
    assert np.isclose(dist["probability"].sum(), 1.0)
    assert dist["year"].isna().sum() == 1
