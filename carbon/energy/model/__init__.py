"""The Pyomo model of the source-grid-load-storage system, one module per constraint family.

:func:`build_model` declares variables, constraints and objective from :class:`ModelData`;
``extra_constraints(model, data)`` lets researchers add their own before solving.
"""

from __future__ import annotations

from collections.abc import Callable

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from carbon.energy.inputs import ModelData
from carbon.energy.model.balance import add_balance
from carbon.energy.model.capacity import add_capacity_limits
from carbon.energy.model.demand_response import add_demand_response
from carbon.energy.model.dispatch import add_availability
from carbon.energy.model.emissions import add_emissions
from carbon.energy.model.objective import add_objective
from carbon.energy.model.policy import add_policies
from carbon.energy.model.storage import add_storage
from carbon.energy.model.variables import add_variables, capacity_mw, capacity_mwh

ExtraConstraints = Callable[[pyo.ConcreteModel, ModelData], None]

CONSTRAINT_FAMILIES = (
    add_capacity_limits,
    add_availability,
    add_storage,
    add_demand_response,
    add_balance,
    add_emissions,
    add_policies,
)


def build_model(d: ModelData, extra_constraints: ExtraConstraints | None = None) -> pyo.ConcreteModel:
    """Build the Pyomo model (garbage collector paused while building)."""
    with PauseGC():
        m = pyo.ConcreteModel(name="carbon_energy")
        add_variables(m, d)
        for family in CONSTRAINT_FAMILIES:
            family(m, d)
        add_objective(m, d)
        if extra_constraints is not None:
            extra_constraints(m, d)
    return m


__all__ = ["CONSTRAINT_FAMILIES", "ExtraConstraints", "build_model", "capacity_mw", "capacity_mwh"]
