"""China's national ETS rule tables, shipped as data (``carbon/data/china_ets_power.csv``).

The power sector's power (tCO2/MWh) and heat (tCO2/GJ) benchmarks by unit class and year,
each row with its source (the Ministry of Ecology and Environment's allocation plans) and the
quantity the power benchmark multiplies (``power_basis``: ``supply``, 供电量, until 2022;
``generation``, 发电量, from 2023). A market file selects a table by name: ``allocation:
{method: china_power, rules: china_2019_2020}``; explicit ``benchmarks`` override it by unit type.

The plans' correction factors (cooling mode, heat supply, load factor of conventional coal
units; the 2023-2024 plan keeps only a peak-shaving correction by load factor) are a second
table, ``carbon/data/china_ets_power_corrections.csv``, selected by ``allocation.corrections``
(default: the ``rules`` name, else :data:`DEFAULT_CORRECTIONS`); a firm's own
``cooling_factor`` / ``heat_factor`` override them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.schema import did_you_mean

RULE_TABLE = "china_ets_power.csv"
RULE_SETS = ("china_2019_2020", "china_2021_2022", "china_2023_2024")
"""Names of the shipped rule tables."""
UNIT_CLASSES = ("coal_above_300mw", "coal_300mw_and_below", "coal_unconventional", "gas")
"""The unit classes of the shipped tables (the plans' classes I-IV)."""
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

    ``cooling``: factor by cooling mode (``air``, ``water``; empty when the plan has none);
    ``heat_slope`` s: the heat-supply factor 1 − s × heat-supply ratio, for ``heat_unit_types``
    (None and () when the plan has none); ``load``: the load-factor correction's parameters
    (:data:`LOAD_PARAMETERS`), for ``load_unit_types``; ``load_by_default``: it applies to every
    unit of those types unless a unit says ``load_factor_correction: false`` (2023-2024 plan),
    else only to units flagged ``load_factor_correction: true``.
    """

    name: str
    cooling: dict[str, float]
    heat_slope: float | None
    heat_unit_types: tuple[str, ...]
    load: dict[str, float]
    load_unit_types: tuple[str, ...]
    load_by_default: bool


def read_rule_table() -> pd.DataFrame:
    """The shipped table: ``rules, year, unit_type, power_t_per_mwh, heat_t_per_gj, power_basis, source``."""
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


def china_power_basis(name: str, *, key: str = "allocation.rules") -> str:
    """What rule set ``name``'s power benchmark multiplies: ``supply`` (MWh supplied, 供电量) or
    ``generation`` (MWh generated, 发电量)."""
    (basis,) = set(_rows_of(read_rule_table(), name, "rule table", key)["power_basis"])
    return str(basis)


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
    params = {str(p): float(v) for p, v in zip(load["parameter"], load["value"], strict=True)}
    return Corrections(
        name=name,
        cooling={str(m): float(v) for m, v in zip(cooling["mode"], cooling["value"], strict=True)},
        heat_slope=float(heat["value"].iloc[0]) if len(heat) else None,
        heat_unit_types=tuple(str(heat["unit_types"].iloc[0]).split()) if len(heat) else (),
        load={p: params[p] for p in LOAD_PARAMETERS},
        load_unit_types=tuple(str(load["unit_types"].iloc[0]).split()),
        load_by_default=bool(params["by_default"]),
    )
