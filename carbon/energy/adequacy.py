"""Pre-solve adequacy check: in every hour, can load be met at all?"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from carbon.energy.inputs import ModelData
from carbon.errors import InputError

COLUMNS = ["year", "step", "hour", "load_mw", "max_supply_mw", "shortfall_mw"]


def hour_label(hour: int) -> str:
    """``hour 4380 (Jul 01 12:00)``: an hour of the profiles with its time in the profiles'
    calendar (a non-leap year, as the 8760-hour profiles)."""
    stamp = pd.Timestamp(year=2025, month=1, day=1) + pd.Timedelta(hours=int(hour) % 8760)
    return f"hour {int(hour)} ({stamp:%b %d %H:00})"


def shortfalls(d: ModelData) -> pd.DataFrame:
    """Steps where load exceeds the most the system could ever supply, MW.

    Maximum supply = sum over units (not exports) of availability x maximum capacity
    (``max_mw`` when expandable, else existing) + storage power at its maximum + interruptible
    load + load that may be shifted out. Lines are assumed unconstrained (system-wide check).
    Returns columns ``year, step, hour, load_mw, max_supply_mw, shortfall_mw`` (only short steps).
    """
    settings = d.system.settings
    rows = []
    for y in d.years:
        supply = np.zeros(d.slices.n_steps)
        for g in d.units:
            if d.sign[g] < 0:
                continue
            top = d.max_mw[g] if g in d.expandable else d.existing_mw[g, y]
            if math.isinf(top):
                return pd.DataFrame(columns=COLUMNS)
            supply = supply + d.avail[g] * top
        for s in d.storages:
            top = d.max_mw[s] if s in d.expandable else d.existing_mw[s, y]
            energy_possible = s in d.expandable or d.existing_mwh[s, y] > 0
            if math.isinf(top) and energy_possible:
                return pd.DataFrame(columns=COLUMNS)
            if energy_possible:
                supply = supply + top
        supply = supply + settings.demand_response.interruptible_mw + d.shift_limit[y]
        load = sum(d.load[y, n] for n in d.nodes)
        short = load - supply
        for t in np.flatnonzero(short > 1e-6):
            rows.append(
                (
                    y,
                    int(t),
                    int(d.slices.hour[t]),
                    float(load[t]),
                    float(supply[t]),
                    float(short[t]),
                )
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def check_adequacy(d: ModelData) -> None:
    """Raise :class:`InputError` naming the hours where load cannot be met, if shedding is off."""
    if d.system.settings.allow_shedding:
        return
    short = shortfalls(d)
    if short.empty:
        return
    worst = short.sort_values(["shortfall_mw", "step"], ascending=[False, True]).head(5)
    listing = "; ".join(
        f"{hour_label(r.hour)} in {r.year}: load {r.load_mw:.1f} MW > max supply {r.max_supply_mw:.1f} MW, short {r.shortfall_mw:.1f} MW"
        for r in worst.itertuples()
    )
    first = short.iloc[0]
    raise InputError(
        f"system inadequate: load cannot be met in {len(short)} hour(s), first {hour_label(first.hour)}",
        file=d.system.file,
        key=hour_label(worst.iloc[0].hour),
        expected="maximum available supply + imports + storage + flexible load >= load in every hour",
        found=listing,
        hint="add or allow capacity (existing_mw, max_mw, expandable), raise grid import, or set allow_shedding: true",
    )
