"""Source-grid-load-storage (源网荷储) optimisation of a county's power system.

Least-cost capacity expansion and hourly dispatch in Pyomo, solved by HiGHS through
``highspy``: generators, grid import and export at the time-of-use tariff, storage, demand
response and shedding, under a carbon price or cap, over milestone years.

Public API::

    system = load_system("models/lankao")          # EnergySystem
    result = solve(system, year=2025)             # EnergyResult (tables + summary)
    curve = mac_curve(system, [0, 50, 100, 200])  # emissions at carbon prices
    output = run_stage(EnergySection(), Path("models/lankao"))  # carbon.stages.energy, for the runner
"""

import importlib

_WHERE = {
    "YearAssumptions": "inputs",
    "EnergyResult": "outputs",
    "TimeSlices": "periods",
    "all_hours": "periods",
    "representative_days": "periods",
    "EnergyProblem": "problem",
    "mac_curve": "problem",
    "solve": "problem",
    "time_slices": "problem",
    "EnergySection": "schema",
    "EnergySettings": "schema",
    "EnergySystem": "system",
    "load_system": "system",
    "with_changes": "system",
}


def __getattr__(name: str):
    """Import on first use: Pyomo loads only when the model is used, so the CLI starts fast."""
    if name in _WHERE:
        return getattr(importlib.import_module(f"carbon.energy.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'carbon.energy' has no attribute {name!r}")


__all__ = [
    "EnergyProblem",
    "EnergyResult",
    "EnergySection",
    "EnergySettings",
    "EnergySystem",
    "TimeSlices",
    "YearAssumptions",
    "all_hours",
    "load_system",
    "mac_curve",
    "representative_days",
    "solve",
    "time_slices",
    "with_changes",
]
