"""The model's climate selects the temperature-dependent IPCC 2006 Tier 1 defaults.

- Manure-management CH4 per head (3.A.2) by annual average temperature: Vol.4 Table 10.14 (Asia;
  dairy and other cattle, buffalo, swine; one column per degree, <= 10 C to >= 28 C) and
  Table 10.15 (developing countries; sheep, goats, horses, mules and asses, camels, poultry;
  cool < 15 C, temperate 15-25 C, warm > 25 C). The temperature is rounded to the whole degree
  (half up) to pick the column.
- The landfill first-order-decay rate k (4.A) by climate zone and waste type: Vol.5 Table 3.3
  (``carbon/data/landfill_decay_rate.csv``); with the model's deposition history it gives the
  base year's CH4 per tonne landfilled (:func:`carbon.inventory.tier1.fod_ch4_t`).

:func:`climate_rows` returns these as factor rows, layered between the named factor set and the
model's or scenario's factor file (which still override by key). A model without ``climate:``
keeps the set's values: the coolest column (<= 10 C) of Table 10.14/10.15 and, for landfill,
the steady-state mass balance (0.046 t CH4/t, equal to FOD at constant deposition).
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

import pandas as pd
from pydantic import Field, StrictInt

from carbon.errors import InputError
from carbon.inventory import tier1
from carbon.schema import Section, did_you_mean

# IPCC 2006 Vol.4 Ch.3 Annex 3A.5 climate zones -> the zones of Vol.5 Table 3.3 (MAT <= 20 C:
# boreal and temperate, dry if MAP/PET < 1; MAT > 20 C: tropical, dry if MAP < 1000 mm)
ZONES = {
    "boreal dry": "boreal_temperate_dry", "boreal moist": "boreal_temperate_wet",
    "cool temperate dry": "boreal_temperate_dry", "cool temperate moist": "boreal_temperate_wet",
    "warm temperate dry": "boreal_temperate_dry", "warm temperate moist": "boreal_temperate_wet",
    "tropical dry": "tropical_dry", "tropical moist": "tropical_wet", "tropical wet": "tropical_wet",
}
LANDFILL_WASTE_TYPE = "bulk_msw"  # msw_landfilled is bulk MSW (Table 3.3's bulk-waste row)
LANDFILL_ITEM = "msw_landfilled"
MANURE_CATEGORY = "3.A.2"
LANDFILL_CATEGORY = "4.A"


class ClimateSpec(Section):
    """``climate:`` of ``model.yaml``."""

    temperature_c: float = Field(ge=-30, le=35, description="annual mean temperature, C")
    zone: str = Field(description="IPCC climate zone, e.g. 'warm temperate dry' (Vol.4 Ch.3 Annex 3A.5)")

    def table_zone(self) -> str:
        """The zone of Vol.5 Table 3.3 (``boreal_temperate_dry`` ...); InputError for an unknown zone."""
        zone = " ".join(self.zone.lower().replace("_", " ").split())
        if zone not in ZONES:
            raise InputError(f"unknown climate zone {self.zone!r}", key="climate.zone",
                             expected="one of " + ", ".join(ZONES), found=self.zone, hint=did_you_mean(zone, ZONES))
        return ZONES[zone]


class LandfillSpec(Section):
    """``landfill:`` of ``model.yaml``: the deposition history of 4.A before the base year.

    Years from ``first_year`` to the year before the base year hold the base year's deposition
    x (1 + growth)^(year - base year) (an assumed history), unless ``deposits_t`` gives the year."""

    first_year: StrictInt = Field(description="first year of deposition at the sites still emitting")
    growth: float = Field(0.0, ge=-0.5, le=0.5, description="assumed growth of deposition per year before the base year")
    deposits_t: dict[int, float] = Field(default_factory=dict, description="recorded deposition by year, t")

    def history(self, base_year: int, base_deposit_t: float) -> dict[int, float]:
        """Deposition (t) of every year before ``base_year``."""
        if self.first_year >= base_year:
            raise InputError("the landfill history must start before the base year", key="landfill.first_year",
                             expected=f"a year before {base_year}", found=self.first_year)
        bad = [y for y, v in self.deposits_t.items() if y >= base_year or not v >= 0]
        if bad:
            raise InputError("landfill deposits are tonnes >= 0 of years before the base year",
                             key=f"landfill.deposits_t.{bad[0]}", expected=f"a year before {base_year}, t >= 0",
                             found=self.deposits_t[bad[0]])
        out = {y: base_deposit_t * (1.0 + self.growth) ** (y - base_year) for y in range(self.first_year, base_year)}
        out.update({int(y): float(v) for y, v in self.deposits_t.items()})
        return out


def _data(name: str) -> pd.DataFrame:
    with resources.files("carbon.data").joinpath(name).open("rb") as fh:
        return pd.read_csv(fh)


@lru_cache(maxsize=1)
def manure_table() -> pd.DataFrame:
    """Table 10.14 (Asia) and 10.15 (developing countries): item, t_min, t_max (whole degrees,
    inclusive), value kg CH4/head/yr, source."""
    return _data("manure_ch4_by_temperature.csv")


@lru_cache(maxsize=1)
def decay_table() -> pd.DataFrame:
    """Table 3.3: waste_type, zone, k (1/yr), source."""
    return _data("landfill_decay_rate.csv")


def column_temperature(temperature_c: float) -> int:
    """The whole degree whose column of Table 10.14 applies (rounded half up)."""
    return math.floor(temperature_c + 0.5)


def manure_ch4_rows(temperature_c: float) -> pd.DataFrame:
    """The manure CH4 factors (kg/head) at an annual mean temperature, one row per animal."""
    t = column_temperature(temperature_c)
    table = manure_table()
    rows = table[(table["t_min"] <= t) & (t <= table["t_max"])]
    return pd.DataFrame({"factor": "ch4", "item": rows["item"].to_numpy(), "category": MANURE_CATEGORY,
                         "value": rows["value"].to_numpy(), "unit": rows["unit"].to_numpy(),
                         "source": [f"{s} (model climate: annual mean {temperature_c:g} C)" for s in rows["source"]],
                         "biogenic": True})


def decay_rate(zone: str, waste_type: str = LANDFILL_WASTE_TYPE) -> tuple[float, str]:
    """k (1/yr) of Table 3.3 for a Table 3.3 zone and waste type, with its source."""
    t = decay_table()
    row = t[(t["zone"] == zone) & (t["waste_type"] == waste_type)]
    if row.empty:
        raise InputError(f"no decay rate for {waste_type} in {zone}", key="climate.zone",
                         expected="a zone and waste type of IPCC 2006 Vol.5 Table 3.3")
    return float(row["k"].iloc[0]), str(row["source"].iloc[0])


def landfill_ch4_per_t(k: float, history: dict[int, float], base_year: int, base_deposit_t: float) -> float:
    """t CH4 in the base year per t landfilled that year, by FOD of the history + the base year
    (IPCC defaults DOC 0.138, DOCf 0.5, MCF 1.0, F 0.5, OX 0)."""
    if base_deposit_t <= 0:
        return tier1.mass_balance_ch4_per_t()
    deposits = {**history, base_year: base_deposit_t}
    return tier1.fod_ch4_t(deposits, base_year, k) / base_deposit_t


def climate_rows(climate: ClimateSpec | None, landfill: LandfillSpec | None, base_year: int,
                 base_deposit_t: float) -> pd.DataFrame | None:
    """Factor rows the model's climate selects (None without ``climate:``).

    ``base_deposit_t``: t of MSW landfilled in the base year (the model's 4.A activity)."""
    if climate is None:
        if landfill is not None:
            raise InputError("a landfill history needs the model's climate (k of IPCC 2006 Vol.5 Table 3.3)",
                             key="landfill", expected="a climate: block with temperature_c and zone")
        return None
    parts = [manure_ch4_rows(climate.temperature_c)]
    zone = climate.table_zone()
    if landfill is not None:
        k, source = decay_rate(zone)
        history = landfill.history(base_year, base_deposit_t)
        value = landfill_ch4_per_t(k, history, base_year, base_deposit_t)
        parts.append(pd.DataFrame({
            "factor": ["ch4"], "item": [LANDFILL_ITEM], "category": [LANDFILL_CATEGORY], "value": [value],
            "unit": ["t/t"], "biogenic": [True],
            "source": [(f"IPCC 2006 Vol.5 Ch.3 first-order decay, Tier 1 (carbon.inventory.climate.landfill_ch4_per_t): "
                        f"k {k:g}/yr ({source}; model climate {climate.zone!r}), deposits since {landfill.first_year} "
                        f"(model's landfill history, growth {landfill.growth:g}/yr), DOC 0.138, DOCf 0.5, MCF 1.0, F 0.5")],
        }))
    return pd.concat(parts, ignore_index=True)
