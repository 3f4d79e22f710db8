"""Link to the energy model: a stepwise MAC curve of the power sector.

The energy model solves the power system at a list of carbon prices and reports the
power sector's emissions at each (a table with columns ``carbon_price_cny_per_t`` and
``emissions_t``). Emissions fall in steps as the price rises: the abatement observed between
two sampled prices is credited at the higher price (a conservative step curve: the LP's
dispatch may change anywhere in between, but it is only known to have changed there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbon.errors import InputError

PRICE_COLUMN = "carbon_price_cny_per_t"
EMISSIONS_COLUMN = "emissions_t"


@dataclass(frozen=True)
class StepMac:
    """A stepwise MAC curve: ``baseline`` (unit) and ``steps`` [(cost CNY/unit, quantity unit)]."""

    baseline: float
    steps: tuple[tuple[float, float], ...]

    def abatement(self, price: float) -> float:
        """Abatement (unit) at a carbon price (CNY/unit): steps with cost <= price."""
        return float(sum(q for c, q in self.steps if c <= price))


def mac_from_energy(table: pd.DataFrame | list, *, tolerance: float = 1e-9, file=None) -> StepMac:
    """Turn the energy model's emissions at a list of carbon prices into a stepwise MAC curve.

    Parameters
    ----------
    table
        Columns ``carbon_price_cny_per_t`` (CNY/t) and ``emissions_t`` (t), one row per price,
        or a list of ``[price, emissions]`` pairs. The lowest price is the baseline (use 0).
    tolerance
        Relative rise in emissions between prices accepted as solver noise (it is flattened).
    file
        File the table came from, for error messages.

    Returns
    -------
    StepMac
        Baseline = emissions at the lowest price; one step per price where emissions fall:
        cost = that price, quantity = the fall since the previous price.
    """
    if isinstance(table, pd.DataFrame):
        missing = {PRICE_COLUMN, EMISSIONS_COLUMN} - set(table.columns)
        if missing:
            raise InputError(
                "the energy model's MAC table lacks columns",
                file=file,
                expected=f"columns {PRICE_COLUMN}, {EMISSIONS_COLUMN}",
                found=", ".join(map(str, table.columns)),
            )
        prices = pd.to_numeric(table[PRICE_COLUMN], errors="coerce").to_numpy(dtype=float)
        emissions = pd.to_numeric(table[EMISSIONS_COLUMN], errors="coerce").to_numpy(dtype=float)
    else:
        try:
            pairs = np.asarray(table, dtype=float).reshape(-1, 2)
        except (TypeError, ValueError):
            raise InputError(
                "a MAC curve is a list of [price, emissions] pairs of numbers",
                file=file,
                expected="[[0, 1000], [100, 800], ...]",
                found=str(table)[:200],
            ) from None
        prices, emissions = pairs[:, 0], pairs[:, 1]
    if len(prices) == 0:
        raise InputError("the energy model's MAC table is empty", file=file, expected="one row per price")
    order = np.argsort(prices, kind="stable")
    prices, emissions = prices[order], emissions[order]
    if np.any(np.diff(prices) <= 0) or prices[0] < 0 or not np.all(np.isfinite(prices)):
        raise InputError(
            "carbon prices of a MAC curve must be distinct, finite and not negative",
            file=file,
            found=list(prices),
        )
    if np.any(emissions < 0) or not np.all(np.isfinite(emissions)):
        raise InputError(
            "emissions of a MAC curve must be finite and not negative",
            file=file,
            found=list(emissions),
        )
    scale = max(float(emissions.max()), 1.0)
    rises = np.diff(emissions)
    if np.any(rises > tolerance * scale):
        k = int(np.argmax(rises))
        raise InputError(
            "emissions rise with the carbon price; a MAC curve needs falling emissions",
            file=file,
            key=f"row {k + 2}",
            expected=f"emissions at {prices[k + 1]} CNY/t <= those at {prices[k]} CNY/t",
            found=float(emissions[k + 1]),
        )
    emissions = np.minimum.accumulate(emissions)
    falls = -np.diff(emissions)
    steps = tuple((float(p), float(q)) for p, q in zip(prices[1:], falls) if q > 0)
    return StepMac(float(emissions[0]), steps)


def read_mac_csv(path) -> StepMac:
    """Read an energy-model MAC table from CSV and convert it (see :func:`mac_from_energy`)."""
    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError("MAC curve file not found", file=path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read MAC curve CSV: {exc}", file=path) from None
    except OSError as exc:  # a folder, a name too long, no permission
        raise InputError(
            f"cannot read MAC curve CSV: {exc.strerror or type(exc).__name__}", file=path, expected="a CSV file"
        ) from None
    return mac_from_energy(table, file=path)


def attach_power_curve(section, firm_id: str, table: pd.DataFrame):
    """A copy of a market section whose firm ``firm_id`` takes the energy model's MAC curve.

    Parameters
    ----------
    section
        A validated :class:`~carbon.market.schema.MarketSection` with a list of firms.
    firm_id
        The power-sector firm (it keeps its allocation; its baseline becomes the curve's
        emissions at the lowest price unless it lists one).
    table
        The energy model's table (``carbon_price_cny_per_t``, ``emissions_t``).
    """
    from carbon.market.schema import MacSection

    if isinstance(section.firms, str):
        raise InputError(
            "attach the power curve to a market whose firms are listed in the file",
            key="firms",
            found=section.firms,
        )
    ids = [f.id for f in section.firms]
    if firm_id not in ids:
        from carbon.schema import did_you_mean

        raise InputError(
            f"unknown firm {firm_id!r}",
            key="firms",
            expected="a firm of the market",
            found=firm_id,
            hint=did_you_mean(firm_id, ids),
        )
    step = mac_from_energy(table)  # validates the table
    curve = [[float(p), float(e)] for p, e in zip(table[PRICE_COLUMN], table[EMISSIONS_COLUMN])]
    firms = []
    for firm in section.firms:
        if firm.id == firm_id:
            update: dict = {"mac": MacSection(curve=curve)}
            if firm.baseline is None and (firm.output is None or firm.intensity is None):
                update["baseline"] = step.baseline
            firm = firm.model_copy(update=update)
        firms.append(firm)
    return section.model_copy(update={"firms": firms})
