"""China's national ETS rule tables, shipped as data (``carbon/data/china_ets_power.csv``).

The power sector's supply (tCO2/MWh) and heat (tCO2/GJ) benchmarks by unit class and year,
each row with its source (the Ministry of Ecology and Environment's allocation implementation
plans). A market file selects a table by name: ``allocation: {method: china_power, rules:
china_2019_2020}``; explicit ``benchmarks`` override it by unit type.

The plans' correction factors (cooling mode, heat supply, load factor of conventional coal
units) are a second table, ``carbon/data/china_ets_power_corrections.csv``, selected by
``allocation.corrections`` (default: the ``rules`` name, else :data:`DEFAULT_CORRECTIONS`);
a firm's own ``cooling_factor`` / ``heat_factor`` override them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.schema import did_you_mean

RULE_TABLE = "china_ets_power.csv"
RULE_SETS = ("china_2019_2020", "china_2021_2022")
"""Names of the shipped rule tables."""
CORRECTION_TABLE = "china_ets_power_corrections.csv"
DEFAULT_CORRECTIONS = "china_2021_2022"
"""Correction set used when a market names neither ``corrections`` nor ``rules``."""
LOAD_PARAMETERS = (
    "upper",
    "slope_1",
    "middle",
    "intercept_2",
    "slope_2",
    "lower",
    "base",
    "exponent_0",
    "exponent_1",
)
"""Parameters of the load-factor correction (see :func:`carbon.market.allocation.load_factor_correction`)."""


@dataclass(frozen=True)
class Corrections:
    """One plan's correction factors of the power benchmark.

    ``cooling``: factor by cooling mode (``air``, ``water``); ``heat_slope`` s: the heat-supply
    factor 1 − s × heat-supply ratio, for ``heat_unit_types``; ``load``: the load-factor
    correction's parameters (:data:`LOAD_PARAMETERS`), for ``load_unit_types``.
    """

    name: str
    cooling: dict[str, float]
    heat_slope: float
    heat_unit_types: tuple[str, ...]
    load: dict[str, float]
    load_unit_types: tuple[str, ...]


def read_rule_table() -> pd.DataFrame:
    """The shipped table: ``rules, year, unit_type, power_t_per_mwh, heat_t_per_gj, source``."""
    with resources.files("carbon.data").joinpath(RULE_TABLE).open("rb") as fh:
        return pd.read_csv(fh)


def china_power_benchmarks(
    name: str, periods, *, key: str = "allocation.rules"
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Benchmarks of rule set ``name`` per unit type: (power t/MWh, heat t/GJ), each (T,).

    Raises :class:`InputError` for an unknown name, or a period the rule set does not cover.
    """
    rows = _rows_of(read_rule_table(), name, "rule table", key)
    years = sorted(int(y) for y in rows["year"].unique())
    missing = [int(p) for p in periods if int(p) not in years]
    if missing:
        raise InputError(
            f"rule table {name!r} has no benchmarks for {missing[0]}",
            key=key,
            expected=f"periods among {', '.join(map(str, years))}",
            found=[int(p) for p in periods],
        )
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for unit_type, group in rows.groupby("unit_type", sort=True):
        by_year = group.set_index("year")
        power = np.array([float(by_year.loc[int(p), "power_t_per_mwh"]) for p in periods])
        heat = np.array([float(by_year.loc[int(p), "heat_t_per_gj"]) for p in periods])
        out[str(unit_type)] = (power, heat)
    return out


def _rows_of(table: pd.DataFrame, name: str, what: str, key: str) -> pd.DataFrame:
    """The rows of rule set ``name`` in a shipped table; :class:`InputError` naming the known sets."""
    rows = table[table["rules"] == name]
    if rows.empty:
        names = tuple(dict.fromkeys(table["rules"]))
        raise InputError(
            f"unknown {what}", key=key, expected=" or ".join(names), found=name, hint=did_you_mean(name, names)
        )
    return rows


def read_correction_table() -> pd.DataFrame:
    """The shipped corrections: ``rules, correction, mode, unit_types, parameter, value, source``."""
    with resources.files("carbon.data").joinpath(CORRECTION_TABLE).open("rb") as fh:
        return pd.read_csv(fh, keep_default_na=False)


def china_power_corrections(name: str, *, key: str = "allocation.corrections") -> Corrections:
    """The correction factors of rule set ``name``; :class:`InputError` for an unknown name."""
    rows = _rows_of(read_correction_table(), name, "correction table", key)
    cooling = rows[rows["correction"] == "cooling"]
    heat = rows[rows["correction"] == "heat_supply"]
    load = rows[rows["correction"] == "load_factor"]
    return Corrections(
        name=name,
        cooling={str(m): float(v) for m, v in zip(cooling["mode"], cooling["value"], strict=True)},
        heat_slope=float(heat["value"].iloc[0]),
        heat_unit_types=tuple(str(heat["unit_types"].iloc[0]).split()),
        load={str(p): float(v) for p, v in zip(load["parameter"], load["value"], strict=True)},
        load_unit_types=tuple(str(load["unit_types"].iloc[0]).split()),
    )
