"""Plausible ranges of a scenario's numbers (floor 1): names and types are checked by the
schema, magnitudes here, so a unit slip (6 for 6 %, g/kWh for t/MWh) fails before it becomes a plan.

Every rule of :data:`RULES` names a key pattern (``*`` is one part of a dotted key: a sector,
a year, a market, a list position), its plausible range and unit, and the likely slip when a
value falls outside. A value outside its range is an :class:`~carbon.errors.InputError` naming
the key, the value, the range and the slip; all of a scenario's are reported at once.

A user who really means an unusual value says so per key in the scenario's ``allow:`` list
(``allow: [pathway.gdp.growth]``: that key and everything under it); the list is part of the
scenario and so is recorded in every run's manifest. ``activity.year`` in ``allow`` accepts
activity rows of another year than the model's base year (see :func:`check_activity_years`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbon.errors import InputError, problems


def _percent(value: float) -> str | None:
    if 1 <= abs(value) <= 100:
        return f"{value:g} looks like a percentage; rates are fractions: {value / 100:g}"
    return None


def _share(value: float) -> str | None:
    if 1 < value <= 100:
        return f"{value:g} looks like a percentage; shares are fractions: {value / 100:g}"
    return None


def _grid(value: float) -> str | None:
    if 1.5 < value <= 1500:
        return f"{value:g} looks like g/kWh (= kg/MWh); in t/MWh it is {value / 1000:g}"
    return None


def _price(value: float) -> str | None:
    if value < 0:
        return "a carbon price is never negative; use 0 for none"
    if value > 5000:
        return f"{value:g} looks like CNY per 10^4 t or per kt; prices are CNY per unit (t)"
    return None


def _per_kw(value: float) -> str | None:
    if value > 50_000:
        return f"{value:g} looks like CNY per MW (or per kWh of storage as per MWh); per kW it is {value / 1000:g}"
    return None


def _coal_substitution(value: float) -> str | None:
    if 100 <= value <= 500:
        return f"{value:g} looks like gce/kWh; in kgce/kWh it is {value / 1000:g}"
    return None


@dataclass(frozen=True)
class Rule:
    """A plausible range: ``pattern`` (dotted, ``*`` = one part), ``low``-``high`` in ``unit``;
    ``slip(value)`` names the likely mistake (or None)."""

    pattern: str
    low: float
    high: float
    unit: str
    slip: Any = None

    def matches(self, key: str) -> bool:
        want, parts = self.pattern.split("."), key.split(".")
        return len(want) == len(parts) and all(w in ("*", p) for w, p in zip(want, parts))


RATE = 0.3
"""Largest plausible annual growth or change rate (|r| <= 0.3 a year)."""

RULES: tuple[Rule, ...] = (
    *(Rule(f"pathway.{d}.growth{y}", -RATE, RATE, "fraction per year", _percent)
      for d in ("population", "gdp") for y in ("", ".*")),
    *(Rule(f"pathway.sectors.*.{k}{y}", -RATE, RATE, "fraction per year", _percent)
      for k in ("intensity", "growth") for y in ("", ".*")),
    Rule("pathway.sectors.*.efficiency.*", 0.05, 6.0, "useful / final energy (heat pumps up to ~5)", _percent),
    Rule("pathway.grid_factor.*", 0.0, 1.5, "t CO2/MWh", _grid),
    Rule("pathway.grid_non_fossil_share.*", 0.0, 1.0, "share of 1", _share),
    Rule("pathway.power_free_allocation.*", 0.0, 1.5, "share of the power sector's emissions", _share),
    Rule("pathway.coal_substitution_kgce_per_kwh.*", 0.1, 0.5, "kgce/kWh", _coal_substitution),
    Rule("pathway.carbon_price.*", 0.0, 5000.0, "CNY/t", _price),
    Rule("pathway.market_prices.*", 0.0, 5000.0, "CNY/t", _price),
    Rule("energy.carbon_price", 0.0, 5000.0, "CNY/t", _price),
    Rule("energy.carbon_price.*", 0.0, 5000.0, "CNY/t", _price),
    Rule("energy.mac_prices.*", 0.0, 5000.0, "CNY/t", _price),
    Rule("energy.settings.carbon_price_cny_per_t", 0.0, 5000.0, "CNY/t", _price),
    Rule("energy.demand_growth", -RATE, RATE, "fraction per year", _percent),
    Rule("energy.technologies.*.co2_t_per_mwh", 0.0, 1.5, "t CO2/MWh", _grid),
    Rule("energy.technologies.*.capex_cny_per_kw", 0.0, 50_000.0, "CNY/kW", _per_kw),
    Rule("energy.technologies.*.energy_capex_cny_per_kwh", 0.0, 10_000.0, "CNY/kWh of storage", _per_kw),
    Rule("energy.import_price_factor", 0.0, 10.0, "multiplier on the grid tariff"),
    Rule("energy.import_price_factor.*", 0.0, 10.0, "multiplier on the grid tariff"),
    *(Rule(f"{m}.{part}.{price}{y}", 0.0, 5000.0, "CNY per allowance unit", _price)
      for m in ("market", "markets.*")
      for part, price in (("offsets", "price"), ("penalty", "price"), ("ceiling", "price"), ("auction", "reserve_price"))
      for y in ("", ".*")),
    *(Rule(f"{m}.discount_rate", 0.0, RATE, "fraction per year", _percent) for m in ("market", "markets.*")),
    *(Rule(f"{m}.offsets.limit", 0.0, 1.0, "share of the basis", _share) for m in ("market", "markets.*")),
)
"""The plausible ranges of a scenario's numbers (documented in docs and the module docstring)."""

YEARS = (1990, 2100)
"""Plausible years: base years, pathway years, the years of every time path."""

NEUTRALITY = 2060
"""A pathway's time paths may name years up to its last year or 2060 (China's carbon-neutrality
year, so a short pathway can extend a 2060 scenario and interpolate toward its points), not later."""

YEAR_KEYED = ("pathway.grid_factor", "pathway.carbon_price", "pathway.methane_capture", "pathway.structure",
              "pathway.grid_non_fossil_share", "pathway.coal_substitution_kgce_per_kwh",
              "pathway.power_free_allocation", "energy.carbon_price", "energy.co2_cap", "energy.demand_twh")
"""Paths keyed by year: each year must lie in :data:`YEARS` (and, for a pathway, not after its last year)."""


def allowed(key: str, allow: tuple[str, ...] | list[str] | None) -> bool:
    """Whether ``key`` is lifted from its plausible range by an ``allow:`` entry (the key or a parent)."""
    return any(key == a or key.startswith(a + ".") for a in allow or ())


def _flat(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [kv for k, v in value.items() for kv in _flat(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(value, (list, tuple)):
        return [kv for i, v in enumerate(value) for kv in _flat(v, f"{prefix}.{i}")]
    return [(prefix, value)]


@lru_cache(maxsize=4096)
def _rules_of(key: str) -> tuple[Rule, ...]:
    """The rules whose pattern matches ``key``, in :data:`RULES` order (kept: the samples of a
    batch repeat the same keys)."""
    return tuple(rule for rule in RULES if rule.matches(key))


def _range_text(rule: Rule) -> str:
    return f"{rule.low:g} to {rule.high:g} {rule.unit}"


def scenario_problems(data: dict, allow: tuple[str, ...] | list[str] | None = None,
                      file: str | Path | None = None) -> list[InputError]:
    """The plausibility problems of a scenario's plain data (``Scenario.as_data()``)."""
    out: list[InputError] = []
    last_year = None
    pathway = data.get("pathway")
    years = pathway.get("years") if isinstance(pathway, dict) else None
    if isinstance(years, (list, tuple)) and len(years) == 2 and isinstance(years[1], int):
        last_year = years[1]
    for key, value in _flat(data):
        if allowed(key, allow) or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        for rule in _rules_of(key):
            if not rule.low <= value <= rule.high:
                slip = rule.slip(value) if rule.slip else None
                out.append(InputError(f"{value:g} is outside the plausible range {_range_text(rule)}", file=file,
                                      key=key, expected=_range_text(rule), found=value,
                                      hint=(slip + "; " if slip else "")
                                      + f"if you mean it, add {key!r} to the scenario's allow: list"))
                break
    for path in YEAR_KEYED:
        section, name = path.split(".")
        parent = data.get(section)
        node = parent.get(name) if isinstance(parent, dict) else None
        if not isinstance(node, dict):
            continue
        for year in node:
            key = f"{path}.{year}"
            if allowed(key, allow):
                continue
            try:
                y = int(str(year).split("-")[-1])
            except ValueError:
                continue
            limit = max(last_year, NEUTRALITY) if section == "pathway" and last_year else YEARS[1]
            if not YEARS[0] <= y <= limit:
                after = section == "pathway" and last_year and YEARS[0] <= y
                out.append(InputError(f"year {y} is outside the {'pathway' if after else 'plausible'} years",
                                      file=file, key=key, expected=f"a year from {YEARS[0]} to {limit}", found=y,
                                      hint=(f"the pathway ends in {last_year}; extend pathway.years or correct the year"
                                            if after else "a typo in the year?")
                                      + f"; if you mean it, add {key!r} to the scenario's allow: list"))
    return out


def check_scenario(scenario: Any, file: str | Path | None = None) -> None:
    """Raise one :class:`InputError` naming every implausible number of a typed scenario."""
    found = scenario_problems(scenario.as_data(), getattr(scenario, "allow", None), file)
    if found:
        raise problems(found)


def check_grid_factor(value: float, source: str, allow: Any = None) -> None:
    """The resolved grid factor (t CO2/MWh) must lie in 0-1.5 unless ``factors.co2.electricity`` is allowed."""
    key = "factors.co2.electricity"
    if allowed(key, allow) or 0 <= value <= 1.5:
        return
    slip = _grid(value)
    raise InputError(f"grid factor {value:g} t/MWh is outside the plausible range 0 to 1.5 t CO2/MWh", key=key,
                     expected="0 to 1.5 t CO2/MWh", found=f"{value:g} from {source}",
                     hint=(slip + "; " if slip else "") + f"if you mean it, add {key!r} to the scenario's allow: list")


def check_activity_years(activity: pd.DataFrame, base_year: int, file: str | Path | None,
                         allow: Any = None) -> None:
    """Every activity row of a model is of its base year, unless ``activity.year`` is allowed
    (a row of another year would be summed into the base-year inventory)."""
    if allowed("activity.year", allow):
        return
    years = activity["year"].to_numpy()
    bad = np.flatnonzero(years != base_year)
    if len(bad):
        i = int(bad[0])
        raise InputError("activity of another year than the model's base year", file=file,
                         key=f"row {i + 2}, column year", expected=f"{base_year} (the model's base_year)",
                         found=int(years[i]), hint="fix the year, or add 'activity.year' to the scenario's allow: "
                         "list to keep rows of several years")


PER_RESIDENT = {"co2e_t": (0.1, 300.0, "t CO2e"), "energy_tce": (0.03, 100.0, "tce")}
"""Plausible base-year inventory per resident of a region (China's counties and cities lie
roughly within 1-100 t CO2e and 0.3-40 tce a year; the bounds leave a wide margin and catch
the slips of a factor 10^3-10^4: t for 10^4 t, kWh for 10^4 kWh)."""


def check_per_resident(totals: dict[str, float], population: float | None, file: str | Path | None,
                       allow: Any = None) -> None:
    """The base-year inventory's CO2e and energy per resident must lie in :data:`PER_RESIDENT`
    unless ``activity.quantity`` is allowed (a model without a population is not checked)."""
    if not population or allowed("activity.quantity", allow):
        return
    for key, (low, high, unit) in PER_RESIDENT.items():
        value = totals.get(key)
        if value is None or not np.isfinite(value):
            continue
        per = value / population
        if not low <= per <= high:
            raise InputError(f"the base-year inventory is implausible: {per:,.3g} {unit} per resident", file=file,
                             key="activity", expected=f"{low:g} to {high:g} {unit} per resident "
                             f"({value:,.0f} {unit} for {population:,.0f} residents)", found=f"{per:,.3g}",
                             hint="a unit slip (t for 10^4 t, kWh for 10^4 kWh) is the usual cause; if you mean "
                             "it, add 'activity.quantity' to the scenario's allow: list")


__all__ = ["PER_RESIDENT", "RULES", "YEARS", "allowed", "check_activity_years", "check_grid_factor",
           "check_per_resident", "check_scenario", "scenario_problems"]
