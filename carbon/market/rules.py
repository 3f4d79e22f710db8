"""China's national ETS rule tables, shipped as data (``carbon/data/china_ets_power.csv``).

The power sector's supply (tCO2/MWh) and heat (tCO2/GJ) benchmarks by unit class and year,
each row with its source (the Ministry of Ecology and Environment's allocation implementation
plans). A market file selects a table by name: ``allocation: {method: china_power, rules:
china_2019_2020}``; explicit ``benchmarks`` override it by unit type.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.schema import did_you_mean

RULE_TABLE = "china_ets_power.csv"
RULE_SETS = ("china_2019_2020", "china_2021_2022")
"""Names of the shipped rule tables."""


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
    table = read_rule_table()
    rows = table[table["rules"] == name]
    if rows.empty:
        raise InputError(
            "unknown rule table",
            key=key,
            expected=" or ".join(RULE_SETS),
            found=name,
            hint=did_you_mean(name, RULE_SETS),
        )
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
