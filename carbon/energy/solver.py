"""One careful solver wrapper: Pyomo model -> standard form -> ``highspy`` -> typed outcome.

The model's own arrays (``model.linear``) give the standard form in a few hundredths of a
second at 8760 hours; a model a researcher's hook has changed is compiled by Pyomo's
standard-form writer instead (~2.5 s at that size). Either way the sparse matrix goes to
``highspy`` directly, ~5x faster than the persistent interfaces, which add rows one at a time
(STYLE.md). The compiled program keeps its ``Highs`` object, so sweeps over the carbon price
or the cap change one cost or one row bound and re-solve warm, without rebuilding.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from carbon.energy.model.linear import StandardForm
from carbon.errors import SolverError

INF = highspy.kHighsInf

DEFAULT_OPTIONS = {"output_flag": False, "random_seed": 0}
"""Options always set (users may override): quiet, deterministic."""

LARGE_MODEL_COLUMNS = 20_000
"""From this many columns the interior point method (IPX, with crossover) is used by
default; below it dual simplex (faster on small models, measured in benchmarks/energy.py)."""

_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
}


_banner_shown = False


def new_highs() -> highspy.Highs:
    """A quiet ``Highs`` object (HiGHS prints a banner to stdout on the first one in a
    process; it is sent to /dev/null so computing code never prints)."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _banner_shown = True
    return highs


@dataclass
class Outcome:
    """What a solve returned.

    Attributes
    ----------
    status
        ``optimal``, ``infeasible``, ``unbounded``, ``infeasible_or_unbounded``,
        ``time_limit``, ``iteration_limit`` or ``error``.
    objective
        Objective value, CNY (nan unless optimal).
    x, row_dual
        Column values and row duals (empty unless optimal).
    highs_seconds
        Time HiGHS reports for its run, s.
    iterations
        Simplex + IPM iterations.
    """

    status: str
    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    highs_seconds: float
    iterations: int


class CompiledProgram:
    """A Pyomo model compiled to matrices and loaded into a ``highspy.Highs`` object.

    Parameters
    ----------
    model
        A linear Pyomo model with one active objective (minimised).
    options
        HiGHS options (``solver``: ``ipm``, ``simplex``, ``pdlp``, ``choose``; ``time_limit``
        in seconds; any other HiGHS option). Unknown options raise :class:`SolverError`.
    compiler
        ``arrays``: assemble the matrices from the arrays the model kept (``model.linear``,
        see :mod:`carbon.energy.model.linear`); ``pyomo``: Pyomo's standard-form writer;
        ``auto`` (default): arrays when the model has complete ones, else Pyomo.
    """

    def __init__(self, model: pyo.ConcreteModel, options: dict | None = None, compiler: str = "auto") -> None:
        started = time.perf_counter()
        linear = getattr(model, "linear", None)
        if compiler == "auto":
            compiler = "arrays" if linear is not None and linear.complete else "pyomo"
        self.model = model
        self.compiler = compiler
        self._col_of: dict[int, int] | None = None
        self._row_of: dict[int, int] | None = None
        if compiler == "arrays":
            self.linear = linear
            form = linear.standard_form()
        else:
            self.linear = None
            form = self._from_pyomo(model)
        A = form.A
        self.n_cols, self.n_rows = A.shape[1], A.shape[0]
        self.options = {
            **DEFAULT_OPTIONS,
            "solver": "ipm" if self.n_cols >= LARGE_MODEL_COLUMNS else "simplex",
            **(options or {}),
        }
        self.load(form)
        self.compile_seconds = time.perf_counter() - started

    def load(self, form: StandardForm) -> None:
        """Give HiGHS ``form`` (same shape as the program's) in a new ``Highs`` object with the
        program's options, so the next solve depends on ``form`` alone: a ``Highs`` object
        that solved other data keeps state that clearing its solver does not reset, and a
        degenerate program could then end at another optimal vertex."""
        A = form.A
        self.form, self.offset, self.n_nonzeros = form, form.offset, int(A.nnz)
        self.highs = new_highs()
        self.highs.setOptionValue("output_flag", False)
        status = self.highs.passModel(
            self.n_cols,
            self.n_rows,
            int(A.nnz),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize),
            self.offset,
            form.cost,
            form.col_lower,
            form.col_upper,
            form.row_lower,
            form.row_upper,
            A.indptr[:-1].astype(np.int32),
            A.indices.astype(np.int32),
            A.data.astype(float),
            np.zeros(self.n_cols, dtype=np.int32),
        )
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS rejected the compiled model", found=str(status))
        self.set_options(self.options)

    def _from_pyomo(self, model: pyo.ConcreteModel) -> StandardForm:
        """Compile with Pyomo's standard-form writer (any linear model)."""
        # columns in declaration order: when every variable is used, component c occupies the
        # slice offsets[c] and values, bounds and lookups need no per-variable dictionary
        components = list(model.component_objects(pyo.Var, active=True, descend_into=True))
        order = [v for component in components for v in component.values()]
        try:
            info = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None, column_order=order)
        except (InfeasibleConstraintException, ValueError) as exc:  # a constant row that cannot hold
            raise SolverError(f"the model is infeasible before solving: {exc}") from None
        self.columns = info.columns
        self.rows = [row.constraint for row in info.rows]
        self.offsets: dict[str, tuple[int, int]] = {}
        if len(info.columns) == len(order):  # no variable was left out: columns == order
            start = 0
            for component in components:
                self.offsets[component.name] = (start, len(component))
                start += len(component)
        n_cols, n_rows = len(info.columns), len(info.rows)
        cost = np.asarray(info.c.toarray()).ravel() if info.c.shape[0] else np.zeros(n_cols)
        lower = np.array([-INF if v.lb is None else v.lb for v in info.columns], dtype=float)
        upper = np.array([INF if v.ub is None else v.ub for v in info.columns], dtype=float)
        sense = np.fromiter((r.bound_type for r in info.rows), int, n_rows)
        rhs = np.asarray(info.rhs, dtype=float)
        rhs = np.where(np.abs(rhs) >= 1e20, np.copysign(INF, rhs), rhs)
        row_lower = np.where(sense <= 0, rhs, -INF)  # bound_type -1: >=, 0: =, 1: <=
        row_upper = np.where(sense >= 0, rhs, INF)
        offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
        A = info.A.tocsc()
        return StandardForm(A, cost, offset, lower, upper, row_lower, row_upper)

    @property
    def col_of(self) -> dict[int, int]:
        """Column of each variable, by ``id`` (built on first use)."""
        if self._col_of is None:
            columns = self.linear.vars if self.linear is not None else self.columns
            self._col_of = {id(v): i for i, v in enumerate(columns)}
        return self._col_of

    @property
    def row_of(self) -> dict[int, int]:
        """Row of each constraint, by ``id`` (built on first use)."""
        if self._row_of is None:
            if self.linear is not None:
                self._row_of = {}
                for name, block in self.linear.blocks.items():
                    component = self.model.component(name)
                    for row, position in enumerate(block.kept.tolist(), start=block.start):
                        self._row_of[id(component[block.index[position]])] = row
            else:
                self._row_of = {id(c): i for i, c in enumerate(self.rows)}
        return self._row_of

    def _indices(self, component) -> np.ndarray:
        """Columns of an indexed variable in its index order (-1: not in the LP)."""
        slices = self.linear.var_slices if self.linear is not None else self.offsets
        if component.name in slices:
            start, n = slices[component.name]
            return np.arange(start, start + n)
        col_of = self.col_of
        return np.fromiter((col_of.get(id(v), -1) for v in component.values()), int, len(component))

    def _row_indices(self, component) -> np.ndarray:
        """Rows of an indexed constraint over its whole index, in order (-1: no row)."""
        if self.linear is not None and component.name in self.linear.blocks:
            return self.linear.row_positions(component.name)
        row_of = self.row_of
        return np.array(
            [row_of.get(id(component[k]), -1) if k in component else -1 for k in component.index_set()], dtype=int
        )

    def set_options(self, options: dict) -> None:
        """Set HiGHS options (kept for the next :meth:`load`); raise :class:`SolverError` naming an
        unknown or invalid one."""
        for key, value in options.items():
            status = self.highs.setOptionValue(str(key), value)
            if status != highspy.HighsStatus.kOk:
                raise SolverError(
                    f"HiGHS rejected option {key}={value!r}",
                    key=f"solver_options.{key}",
                    expected="a HiGHS option (solver, time_limit, primal_feasibility_tolerance, ...)",
                    found=value,
                )
        self.options = {**self.options, **options}  # kept for :meth:`load`

    # --- parameters that sweeps change -------------------------------------------------
    def set_cost(self, var, coefficient: float) -> None:
        """Change the objective coefficient of one variable (e.g. emissions x carbon price)."""
        component = var.parent_component()
        column = self._indices(component)[_position(component, var)] if var is not component else self.col_of[id(var)]
        self.highs.changeColCost(int(column), float(coefficient))
        self.form.cost[int(column)] = float(coefficient)  # the form describes what HiGHS holds

    def set_row_upper(self, con, upper: float) -> None:
        """Change the upper bound of a ``<=`` row (e.g. the CO2 cap)."""
        component = con.parent_component()
        row = self._row_indices(component)[_position(component, con)] if con is not component else self.row_of[id(con)]
        self.highs.changeRowBounds(int(row), -INF, float(upper))
        self.form.row_lower[int(row)], self.form.row_upper[int(row)] = -INF, float(upper)

    # --- solving ------------------------------------------------------------------------
    def solve(self) -> Outcome:
        """Run HiGHS and return the outcome; never raises on a non-optimal status."""
        before = self.highs.getRunTime()  # HiGHS's clock accumulates over runs
        cpu_before = time.process_time()
        self.highs.run()
        seconds = self.highs.getRunTime() - before
        self.last_cpu_seconds = time.process_time() - cpu_before
        status = _STATUS.get(self.highs.getModelStatus(), "error")
        info = self.highs.getInfo()
        iterations = int(info.simplex_iteration_count) + int(info.ipm_iteration_count)
        if status != "optimal":
            return Outcome(status, math.nan, np.array([]), np.array([]), seconds, iterations)
        solution = self.highs.getSolution()
        x = np.asarray(solution.col_value)
        dual = np.asarray(solution.row_dual)
        return Outcome(status, float(info.objective_function_value), x, dual, seconds, iterations)

    # --- reading results -----------------------------------------------------------------
    def values(self, component, x: np.ndarray) -> np.ndarray:
        """Values of an indexed variable in its index order (0 for columns not in the LP)."""
        idx = self._indices(component)
        out = np.zeros(len(idx))
        present = idx >= 0
        out[present] = x[idx[present]]
        return out

    def duals(self, component, row_dual: np.ndarray) -> np.ndarray:
        """Duals of an indexed constraint over its whole index, in order (d objective / d
        right-hand side; 0 where a key has no row)."""
        idx = self._row_indices(component)
        out = np.zeros(len(idx))
        present = idx >= 0
        out[present] = row_dual[idx[present]]
        return out


def _position(component, member) -> int:
    """Position of an indexed component's member in its index order."""
    return component.index_set().ord(member.index()) - 1
