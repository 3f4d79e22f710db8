"""Source-grid-load-storage (源网荷储) optimisation of a county's power system.

Least-cost capacity expansion and hourly dispatch in Pyomo, solved by HiGHS through
``highspy``: generators, grid import and export at the time-of-use tariff, storage, demand
response and shedding, under a carbon price or cap, over milestone years.

Public API::

    system = load_system("models/lankao")          # EnergySystem
    result = solve(system, year=2025)             # EnergyResult (tables + summary)
    curve = mac_curve(system, [0, 50, 100, 200])  # emissions at carbon prices
    output = run_stage(EnergySection(), Path("models/lankao"))  # for the runner
"""

from carbon.energy.inputs import YearAssumptions
from carbon.energy.outputs import EnergyResult
from carbon.energy.periods import TimeSlices, all_hours, representative_days
from carbon.energy.problem import EnergyProblem, mac_curve, solve, time_slices
from carbon.energy.schema import EnergySection, EnergySettings
from carbon.energy.system import EnergySystem, load_system, with_changes

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
