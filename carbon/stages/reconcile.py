"""The base year as each room sees it (``reconciliation.csv`` of every run).

Rows: total CO2e scope 1 + 2, scope 1, scope 2, power-sector CO2e (local generation), net
purchased electricity, energy (tce, calorific). Columns: the inventory (THE base year), the
pathway's first year, the energy model's base year (before calibration), the market's coverage
of the power sector (its emissions at price 0), and each one's difference from the inventory,
which is zero unless ``explained`` says why. A room the run does not have is blank.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carbon.pathway.assemble import purchases_mwh
from carbon.pathway.power import is_power
from carbon.units import KGCE_PER_KWH_CALORIFIC

COLUMNS = ["quantity", "unit", "inventory", "pathway", "energy_model", "market", "pathway_minus_inventory",
           "energy_model_minus_inventory", "market_minus_inventory", "explained"]
LABELS = {"co2e_scope12": ("total CO2e, scope 1 + 2", "t CO2e"), "co2e_scope1": ("scope 1 CO2e", "t CO2e"),
          "co2e_scope2": ("scope 2 CO2e (purchased electricity and heat)", "t CO2e"),
          "power_co2e": ("power sector (local generation) CO2e", "t CO2e"),
          "net_purchases": ("net purchased electricity", "MWh"), "energy": ("energy, calorific method", "tce")}


def reconciliation(
    emissions: pd.DataFrame,
    energy: pd.DataFrame,
    *,
    annual: pd.DataFrame | None = None,
    calibration: Any = None,
    renewable_mwh: float = 0.0,
    market_firms: pd.DataFrame | None = None,
    energy_years: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The reconciliation table of a run (see the module docstring).

    ``emissions`` and ``energy`` are the inventory's tables (their first year is the base year); ``annual`` the pathway's
    (its first year); ``calibration`` the coupling's :class:`~carbon.coupling.power.Calibration`
    of a pathway run; ``renewable_mwh`` the pathway's local renewable output in the base year;
    ``market_firms`` the coupled market's firms table; ``energy_years`` an energy-only run's
    ``years`` table with a ``local_co2_t`` column (its own dispatch, not calibrated).
    """
    year = int(emissions["year"].min()) if len(emissions) else None
    e = emissions[~emissions["memo"].astype(bool) & (emissions["year"] == year)]
    energy = energy[energy["year"] == year]
    inv = {
        "co2e_scope12": float(e["co2e_t"].sum()),
        "co2e_scope1": float(e.loc[e["scope"] == 1, "co2e_t"].sum()),
        "co2e_scope2": float(e.loc[e["scope"] == 2, "co2e_t"].sum()),
        "power_co2e": float(e.loc[is_power(e["category"]), "co2e_t"].sum()),
        "net_purchases": float(purchases_mwh(energy, [year]).iloc[0]),
        "energy": float(energy.loc[~energy["biogenic"].astype(bool), "energy_tce"].sum()),
    }
    path: dict[str, float] = {}
    if annual is not None:
        a = annual.iloc[0]
        path = {"co2e_scope12": a["co2e_t_scope12"], "co2e_scope1": a["co2e_t_scope1"],
                "co2e_scope2": a["scope2_co2e_t"], "power_co2e": a["power_co2_t"],
                "net_purchases": a["net_imports_mwh"], "energy": a["energy_tce"]}
    model: dict[str, float] = {}
    notes: dict[str, list[str]] = {k: [] for k in LABELS}
    if calibration is not None:
        model = {"power_co2e": calibration.model_local_co2_t, "net_purchases": calibration.model_net_imports_mwh}
        notes["power_co2e"].append(
            "energy model: its own dispatch of the existing plants, CO2 only; the pathway scales every year by "
            f"k = {calibration.co2_factor:.6g} (energy/calibration.csv)")
        notes["net_purchases"].append(
            "energy model: base-year load calibrated to the inventory's purchases within 0.1 %; the rest is the "
            "net import offset of energy/calibration.csv")
    if energy_years is not None and len(energy_years):
        first = energy_years.iloc[0]
        if int(first["year"]) == year:
            model = {"power_co2e": float(first["local_co2_t"]),
                     "net_purchases": float(first["imports_mwh"] - first["exports_mwh"])}
            for key in model:
                notes[key].append("energy-only run: the model's own dispatch, not calibrated to the inventory "
                                  "(a pathway run calibrates it)")
    mkt: dict[str, float] = {}
    if market_firms is not None:
        rows = market_firms[(market_firms["firm"] == "power") & (market_firms["period"] == year)]
        if len(rows):  # the power firm's emissions at price 0 = at the market's price + its abatement
            mkt["power_co2e"] = float(rows["emissions"].iloc[0] + rows["abatement"].iloc[0])
            notes["power_co2e"].append("market: the power firm is the energy model's local generation at price 0")
    if renewable_mwh > 0:
        notes["energy"].append(
            f"pathway counts local wind, solar and other renewable power as primary electricity "
            f"({renewable_mwh * KGCE_PER_KWH_CALORIFIC:,.1f} tce at {KGCE_PER_KWH_CALORIFIC} kgce/kWh), which the "
            "inventory's activity does not list")
    rows_out = []
    for key, (label, unit) in LABELS.items():
        i = inv[key]
        pth, m, k = float(path.get(key, np.nan)), model.get(key, np.nan), mkt.get(key, np.nan)
        rows_out.append({"quantity": label, "unit": unit, "inventory": i, "pathway": pth, "energy_model": m,
                         "market": k, "pathway_minus_inventory": pth - i, "energy_model_minus_inventory": m - i,
                         "market_minus_inventory": k - i, "explained": "; ".join(notes[key])})
    return pd.DataFrame(rows_out, columns=COLUMNS)


def unexplained(table: pd.DataFrame, rtol: float = 1e-6) -> pd.DataFrame:
    """Rows of a reconciliation table with a difference larger than ``rtol`` (relative to the
    inventory) and no explanation."""
    scale = table["inventory"].abs().clip(lower=1.0)
    diff = table[["pathway_minus_inventory", "energy_model_minus_inventory", "market_minus_inventory"]].abs()
    big = diff.gt(rtol * scale, axis=0).any(axis=1)
    explained = table["explained"].astype("string").fillna("").str.strip()
    return table[big & (explained == "")]
