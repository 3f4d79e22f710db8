"""Unit registry: every quantity's unit is explicit and converted here only.

A unit is a multiple of its dimension's base unit: mass in t, volume in m3, energy in GJ,
count in head, area in ha, money in CNY, time in h. Chinese statistical multiples are written
with a power-of-ten prefix (``10^4 t``, ``10^8 m3``, ``10^4 kWh``, ``10^4 tce``) or in Chinese
(``万吨``, ``亿立方米``, ``万千瓦时``, ``万吨标准煤``). Ratios are written ``a/b`` (``GJ/t``,
``kg/TJ``, ``kgce/kWh``).

Energy in standard coal: 1 kgce = 29.3076 MJ (GB/T 2589-2020, 7,000 kcal/kg); 1 kWh = 3.6 MJ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from carbon.errors import UnitError

KGCE_GJ = 0.0293076
"""Energy of one kilogram of standard coal equivalent, GJ (GB/T 2589-2020)."""

BASE_UNITS = {
    "mass": "t",
    "volume": "m3",
    "energy": "GJ",
    "count": "head",
    "area": "ha",
    "money": "CNY",
    "time": "h",
    "power": "MW",
    "dimensionless": "1",
}

# name -> (dimension, size in the base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "g": ("mass", 1e-6),
    "kg": ("mass", 1e-3),
    "t": ("mass", 1.0),
    "kt": ("mass", 1e3),
    "Gg": ("mass", 1e3),
    "Mt": ("mass", 1e6),
    "Tg": ("mass", 1e6),
    "m3": ("volume", 1.0),
    "L": ("volume", 1e-3),
    "MJ": ("energy", 1e-3),
    "GJ": ("energy", 1.0),
    "TJ": ("energy", 1e3),
    "PJ": ("energy", 1e6),
    "kWh": ("energy", 3.6e-3),
    "MWh": ("energy", 3.6),
    "GWh": ("energy", 3.6e3),
    "TWh": ("energy", 3.6e6),
    "kgce": ("energy", KGCE_GJ),
    "tce": ("energy", KGCE_GJ * 1e3),
    "Mtce": ("energy", KGCE_GJ * 1e9),
    "head": ("count", 1.0),
    "person": ("count", 1.0),
    "ha": ("area", 1.0),
    "mu": ("area", 1.0 / 15.0),
    "km2": ("area", 100.0),
    "CNY": ("money", 1.0),
    "h": ("time", 1.0),
    "day": ("time", 24.0),
    "yr": ("time", 8760.0),
    "kW": ("power", 1e-3),
    "MW": ("power", 1.0),
    "GW": ("power", 1e3),
    "1": ("dimensionless", 1.0),
    "fraction": ("dimensionless", 1.0),
    "%": ("dimensionless", 0.01),
}

_ALIASES = {
    "tonne": "t",
    "tonnes": "t",
    "吨": "t",
    "万吨": "10^4 t",
    "立方米": "m3",
    "万立方米": "10^4 m3",
    "亿立方米": "10^8 m3",
    "千瓦时": "kWh",
    "万千瓦时": "10^4 kWh",
    "亿千瓦时": "10^8 kWh",
    "吨标准煤": "tce",
    "万吨标准煤": "10^4 tce",
    "千克标准煤": "kgce",
    "头": "head",
    "公顷": "ha",
    "亩": "mu",
    "元": "CNY",
    "万元": "10^4 CNY",
    "亿元": "10^8 CNY",
}

_PREFIX = re.compile(r"^(?:10\^(?P<pow>-?\d+)|(?P<num>\d+(?:\.\d*)?(?:e-?\d+)?))\s*(?P<rest>.+)$")


@dataclass(frozen=True)
class Unit:
    """A parsed unit: its text, dimension (``mass``, ``energy/mass``, ...) and size in base units."""

    text: str
    dimension: str
    size: float


def _simple(text: str) -> tuple[str, float]:
    name = _ALIASES.get(text, text)
    if name in _UNITS:
        return _UNITS[name]
    match = _PREFIX.match(name.replace(" ", ""))
    if match:
        rest = _ALIASES.get(match["rest"], match["rest"])
        if rest in _UNITS:
            scale = 10.0 ** int(match["pow"]) if match["pow"] else float(match["num"])
            dim, size = _UNITS[rest]
            return dim, scale * size
    raise UnitError(
        f"unknown unit {text!r}",
        expected="a unit such as t, 10^4 t, m3, 10^4 m3, kWh, 10^4 kWh, MWh, GJ, TJ, tce, "
        "10^4 tce, head, ha (or a ratio such as GJ/t)",
        found=text,
    )


@lru_cache(maxsize=4096)
def parse(text: str) -> Unit:
    """Parse a unit such as ``10^4 m3`` or ``kgce/kWh``; raise :class:`UnitError` if unknown."""
    if not isinstance(text, str) or not text.strip():
        raise UnitError("missing unit", expected="a unit such as t or 10^4 m3", found=repr(text))
    parts = [part.strip() for part in text.strip().split("/")]
    if len(parts) > 2 or not all(parts):
        raise UnitError(f"cannot read unit {text!r}", expected="a unit or one ratio a/b", found=text)
    dim, size = _simple(parts[0])
    if len(parts) == 2:
        dim_b, size_b = _simple(parts[1])
        dim, size = f"{dim}/{dim_b}", size / size_b
    return Unit(text.strip(), dim, size)


def dimension(text: str) -> str:
    """Dimension of a unit: ``mass``, ``energy``, ``energy/mass``, ..."""
    return parse(text).dimension


def factor(from_unit: str, to_unit: str) -> float:
    """Multiplier that turns a quantity in ``from_unit`` into ``to_unit``.

    Raises :class:`UnitError` when the two units are of different kinds (e.g. t and m3).
    """
    a, b = parse(from_unit), parse(to_unit)
    if a.dimension != b.dimension:
        raise UnitError(
            f"cannot convert {from_unit} to {to_unit}",
            expected=f"a unit of {b.dimension} (like {to_unit})",
            found=f"{from_unit} ({a.dimension})",
        )
    return a.size / b.size


def convert(value, from_unit: str, to_unit: str):
    """Convert a number or array from one unit to another of the same dimension."""
    return value * factor(from_unit, to_unit)


KGCE_PER_KWH_CALORIFIC = 0.1229
"""Electricity at its calorific equivalent, kgce/kWh = tce/MWh (3.6 MJ/kWh / 29.3076 MJ/kgce;
GB/T 2589-2020 Appendix A)."""
