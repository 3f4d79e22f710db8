"""Units of an allowance: a mass of CO2 (carbon market) or an energy (energy-use rights)."""

from __future__ import annotations

import re

from carbon import units
from carbon.errors import UnitError

_GAS = re.compile(r"^(?P<base>.+?)(?:CO2e|CO2eq|CO2)$")


def allowance_unit(text: str) -> str:
    """Dimension of an allowance unit: ``mass`` (``tCO2``, ``ktCO2e``) or ``energy`` (``tce``).

    Raises ``ValueError`` (turned into a clear input error by the schema) for anything else.
    """
    match = _GAS.match(text.strip())
    base = match["base"] if match else text.strip()
    try:
        dim = units.dimension(base)
    except UnitError:
        raise ValueError(
            f"unknown allowance unit {text!r}; use a mass of CO2 (tCO2, tCO2e, ktCO2) or an energy (tce, 10^4 tce, MWh)"
        ) from None
    if dim not in ("mass", "energy"):
        raise ValueError(f"an allowance unit is a mass of CO2 or an energy, not {dim} ({text!r})")
    return dim
