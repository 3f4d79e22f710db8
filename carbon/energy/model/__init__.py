"""The Pyomo model of the source-grid-load-storage system, one module per constraint family.

:func:`build_model` declares variables, constraints and objective from :class:`ModelData`;
each family states its rows as arrays through :class:`~carbon.energy.model.linear.LinearModel`
(``m.linear``), which declares the Pyomo constraints and keeps the arrays for compiling.
``extra_constraints(model, data)`` lets researchers add their own Pyomo constraints before
solving (the model is then compiled by Pyomo's standard-form writer).
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
from carbon.energy.model.linear import LinearModel
from carbon.energy.model.objective import add_objective
from carbon.energy.model.policy import add_policies
from carbon.energy.model.storage import add_storage
from carbon.energy.model.variables import Columns, add_variables, capacity_terms

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


def build_model(
    d: ModelData, extra_constraints: ExtraConstraints | None = None, arrays_only: bool = False
) -> pyo.ConcreteModel:
    """Build the Pyomo model (garbage collector paused while building); ``m.linear`` keeps its
    arrays and ``m.columns`` the column numbers of its variables. With ``arrays_only`` no Pyomo
    variable, constraint or objective is declared: only ``m.linear``'s arrays (for a new
    program's data, ~10x faster)."""
    with PauseGC():
        m = pyo.ConcreteModel(name="carbon_energy")
        m.linear = LinearModel(m, arrays_only)
        m.columns = add_variables(m, d)
        for family in CONSTRAINT_FAMILIES:
            family(m, d, m.columns)
        add_objective(m, d, m.columns)
        if extra_constraints is not None and not arrays_only:
            extra_constraints(m, d)
            m.linear.complete = False  # the hook may add rows or change bounds: Pyomo compiles
    return m


__all__ = ["CONSTRAINT_FAMILIES", "Columns", "ExtraConstraints", "LinearModel", "build_model", "capacity_terms"]
