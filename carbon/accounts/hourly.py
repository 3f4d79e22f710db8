"""Electricity-carbon on metered data: hourly emission factors of the county's supply.

From the energy model's dispatch of a year (one row per modelled hour: its ``hour`` of the
year, its ``weight`` and each technology's output in MW over the hour, i.e. MWh):

- average factor of hour h = (CO2 of local generation + imports x grid factor) / (local
  generation + imports), t/MWh; local generation is every unit of kind ``generator``; storage
  only moves energy in time and is left out of both sums; exports are left out (the factor is
  that of the supply the county draws on); an hour with neither: the grid factor;
- marginal factor of hour h = the CO2 factor of the marginal technology: of the generators
  and the grid import running in the hour (output > 0), the one with the highest variable cost
  per MWh (the last in the merit order; the import at its average purchase price); a tie goes to
  the higher factor. The import's factor is the grid factor.

Metered load of an hour takes the factor of the same hour of the year when the dispatch has
it (``hours`` resolution), else the weight-averaged factor of the same hour of the day over
the modelled days (representative days).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.errors import InputError

HOURS_PER_DAY = 24


def hourly_factors(dispatch: pd.DataFrame, technologies: pd.DataFrame, grid_factor: float) -> pd.DataFrame:
    """Average and marginal emission factors per modelled hour.

    Parameters
    ----------
    dispatch
        ``hour, weight`` and ``<technology>_mw`` columns (one year, one node or summed nodes).
    technologies
        ``technology, kind`` (``generator``, ``grid_import``, others ignored),
        ``co2_t_per_mwh`` (the import's is replaced by ``grid_factor``), ``cost_cny_per_mwh``.
    grid_factor
        t CO2/MWh of imports.

    Returns
    -------
    DataFrame
        ``hour, weight, local_mwh, import_mwh, local_co2_t, average_t_per_mwh,
        marginal_technology, marginal_t_per_mwh``.
    """
    techs = technologies[technologies["kind"].isin(["generator", "grid_import"])].reset_index(drop=True)
    names = [t for t in techs["technology"] if f"{t}_mw" in dispatch.columns]
    techs = techs.set_index("technology").loc[names]
    factor = np.where(techs["kind"] == "grid_import", grid_factor, techs["co2_t_per_mwh"].fillna(0.0)).astype(float)
    mwh = dispatch[[f"{t}_mw" for t in names]].to_numpy(dtype=float).clip(min=0.0)
    local = (techs["kind"] == "generator").to_numpy()
    local_mwh = mwh[:, local].sum(axis=1)
    import_mwh = mwh[:, ~local].sum(axis=1)
    local_co2 = mwh[:, local] @ factor[local]
    total = local_mwh + import_mwh
    average = np.divide(
        local_co2 + import_mwh * grid_factor, total, out=np.full(len(total), grid_factor), where=total > 0
    )
    cost = techs["cost_cny_per_mwh"].fillna(0.0).to_numpy(dtype=float)
    running = mwh > 1e-9
    rank = np.where(running, cost[None, :] + 1e-9 * factor[None, :], -np.inf)
    pick = rank.argmax(axis=1) if len(names) else np.zeros(len(dispatch), dtype=int)
    any_running = running.any(axis=1) if len(names) else np.zeros(len(dispatch), dtype=bool)
    marginal_name = np.where(any_running, np.asarray(names, dtype=object)[pick] if names else "", "grid_import")
    marginal = np.where(any_running, factor[pick] if len(names) else grid_factor, grid_factor)
    return pd.DataFrame(
        {
            "hour": dispatch["hour"].to_numpy(dtype=int),
            "weight": dispatch["weight"].to_numpy(dtype=float),
            "local_mwh": local_mwh,
            "import_mwh": import_mwh,
            "local_co2_t": local_co2,
            "average_t_per_mwh": average,
            "marginal_technology": marginal_name,
            "marginal_t_per_mwh": marginal,
        }
    )


def factors_at(factors: pd.DataFrame, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average and marginal factors (t/MWh) at hours of the year: the modelled hour itself, else
    the weight-averaged factor of the same hour of the day."""
    by_hour = factors.drop_duplicates("hour").set_index("hour")
    day_hour = factors["hour"].to_numpy() % HOURS_PER_DAY
    w = factors["weight"].to_numpy(dtype=float)
    profile = {}
    for col in ("average_t_per_mwh", "marginal_t_per_mwh"):
        v = factors[col].to_numpy(dtype=float)
        num = np.bincount(day_hour, weights=w * v, minlength=HOURS_PER_DAY)
        den = np.bincount(day_hour, weights=w, minlength=HOURS_PER_DAY)
        profile[col] = np.divide(num, den, out=np.full(HOURS_PER_DAY, np.nan), where=den > 0)
    hours = np.asarray(hours, dtype=int)
    known = np.isin(hours, by_hour.index.to_numpy())
    out = []
    for col in ("average_t_per_mwh", "marginal_t_per_mwh"):
        values = profile[col][hours % HOURS_PER_DAY]
        values[known] = by_hour.loc[hours[known], col].to_numpy(dtype=float)
        out.append(values)
    if np.isnan(out[0]).any():
        raise InputError(
            "the dispatch has no modelled step at some hour of the day",
            expected="a dispatch covering every hour of the day (24-hour days)",
            found=f"hour of day {int(hours[np.isnan(out[0])][0] % HOURS_PER_DAY)} missing",
        )
    return out[0], out[1]


def metered_scope2(
    metered: pd.DataFrame, factors: dict[int, pd.DataFrame], grid_factor: float, shift_share: float = 0.1
) -> pd.DataFrame:
    """Scope 2 of metered electricity per ``entity, year``.

    Columns: ``metered_kwh``; ``scope2_annual_factor_t`` (kWh x the annual grid factor);
    ``scope2_hourly_t`` (sum of each hour's kWh x the hour's average factor);
    ``scope2_marginal_t`` (x the marginal factor); ``hourly_minus_annual_t``;
    ``shift_change_t``: the change of ``scope2_hourly_t`` if ``shift_share`` of each hour's load
    moved to the hour of the same day with the lowest average factor (within the metered hours):
    shift_share x sum_h kWh_h x (min factor of the day − factor_h) / 1000, <= 0.

    ``factors`` maps a year to its :func:`hourly_factors` table; a metered year without one is
    an :class:`InputError`.
    """
    rows = []
    for (entity, year), g in metered.groupby(["entity", "year"], sort=True):
        if year not in factors:
            raise InputError(
                f"no hourly factors for {year}",
                key=f"metered electricity of {entity}",
                expected="a dispatch of the energy model for the year of the readings",
                found=f"dispatch years {', '.join(map(str, sorted(factors))) or 'none'}",
            )
        hours = g["hour"].to_numpy(dtype=int)
        mwh = g["kwh"].to_numpy(dtype=float) / 1000.0
        avg, marg = factors_at(factors[year], hours)
        day = hours // HOURS_PER_DAY
        lowest = pd.Series(avg).groupby(day).transform("min").to_numpy()
        rows.append(
            {
                "entity": entity,
                "year": int(year),
                "metered_kwh": float(mwh.sum() * 1000.0),
                "scope2_annual_factor_t": float(mwh.sum() * grid_factor),
                "scope2_hourly_t": float(mwh @ avg),
                "scope2_marginal_t": float(mwh @ marg),
                "hourly_minus_annual_t": float(mwh @ avg - mwh.sum() * grid_factor),
                "shift_change_t": float(shift_share * (mwh @ (lowest - avg))),
            }
        )
    cols = [
        "entity",
        "year",
        "metered_kwh",
        "scope2_annual_factor_t",
        "scope2_hourly_t",
        "scope2_marginal_t",
        "hourly_minus_annual_t",
        "shift_change_t",
    ]
    return pd.DataFrame(rows, columns=cols)
