"""The coupling room: the only place that joins two computing rooms (pathway <-> energy <->
market), through their public functions. It owns the solve cache (:class:`SolveCache`), which the
runner creates and passes down; computing rooms never see each other.
"""

from carbon.coupling.cache import SolveCache
from carbon.coupling.power import Calibration, PowerInputs, power_from_energy_model

__all__ = ["Calibration", "PowerInputs", "SolveCache", "power_from_energy_model"]
