"""The model's rows and columns as arrays, declared once and used twice.

Each constraint family states its rows as arrays (row, column, coefficient; lower and upper
bounds). :class:`LinearModel` declares them as Pyomo constraints *and* keeps the arrays, so
the program handed to HiGHS is assembled with one sparse-matrix call instead of walking
60,000 Pyomo expressions (at 8760 hours Pyomo's standard-form writer took ~2.5 s; the
assembly takes a few hundredths). ``tests/test_energy_compile.py`` checks that both give the
same matrices.

Columns are numbered in declaration order; a variable declared over a product of ordered
sets with the step innermost occupies one slice, so its columns reshape to
``(years, items, steps)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression
from scipy import sparse

from carbon.errors import SolverError

INF = math.inf


@dataclass
class Block:
    """Rows of one Pyomo constraint component.

    ``index`` holds the component's whole index; ``kept`` the positions in it that became rows
    (a row without variables is checked and left out, as Pyomo's writer does); ``start`` the
    first row in the program. ``rows`` (positions in ``index``), ``cols`` and ``coefs`` are the
    nonzero coefficients.
    """

    name: str
    index: list
    kept: np.ndarray
    start: int
    rows: np.ndarray
    cols: np.ndarray
    coefs: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass
class StandardForm:
    """The program HiGHS receives: ``min c x + offset`` s.t. ``row_lower <= A x <= row_upper``,
    ``col_lower <= x <= col_upper`` (``A`` column-wise, infinite bounds as ``inf``)."""

    A: sparse.csc_matrix
    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray


class LinearModel:
    """Columns, rows and costs of a Pyomo model as arrays (kept on the model as ``m.linear``).

    Declare variables with :meth:`var`, constraints with :meth:`rows` and the objective with
    :meth:`objective`; :meth:`standard_form` assembles the program.
    """

    def __init__(self, model: pyo.ConcreteModel, arrays_only: bool = False) -> None:
        self.model = model
        self.arrays_only = arrays_only
        """Keep the arrays only, declaring no Pyomo variables, constraints or objective (to
        re-solve a compiled program with new data: :meth:`EnergyProblem.update`)."""
        self.var_slices: dict[str, tuple[int, int]] = {}
        self.vars: list = []  # VarData by column
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self.blocks: dict[str, Block] = {}
        self.n_rows = 0
        self.cost: np.ndarray | None = None
        self.offset = 0.0
        self.complete = True
        """False when something other than these methods may have changed the model."""

    @property
    def n_cols(self) -> int:
        """Columns declared so far."""
        return len(self.vars)

    # --- columns --------------------------------------------------------------------------
    def var(self, name: str, index, shape: tuple[int, ...], lower=0.0, upper=INF, domain=pyo.Reals) -> np.ndarray:
        """Declare Pyomo variable ``name`` over ``index`` (sets or a list of keys, in column
        order) with bounds (scalars or arrays in index order; ``inf`` = none); return its
        column numbers shaped ``shape``."""
        if self.arrays_only:
            n = math.prod(shape)
            lo = np.broadcast_to(np.asarray(lower, dtype=float), (n,))
            hi = np.broadcast_to(np.asarray(upper, dtype=float), (n,))
            lb, ub = domain.bounds()
            lo = np.maximum(lo, -INF if lb is None else lb)
            hi = np.minimum(hi, INF if ub is None else ub)
            start = len(self.vars)
            self.var_slices[name] = (start, n)
            self.vars.extend([None] * n)
            self._lower.append(lo)
            self._upper.append(hi)
            return np.arange(start, start + n).reshape(shape)
        var = pyo.Var(*index, domain=domain) if isinstance(index, tuple) else pyo.Var(index, domain=domain)
        self.model.add_component(name, var)
        members = list(var.values())
        n = len(members)
        if n != math.prod(shape):
            raise ValueError(f"variable {name}: {n} members do not fill shape {shape}")
        lo = np.broadcast_to(np.asarray(lower, dtype=float), (n,))
        hi = np.broadcast_to(np.asarray(upper, dtype=float), (n,))
        lb, ub = domain.bounds()
        domain_lo = -INF if lb is None else lb
        domain_hi = INF if ub is None else ub
        lo, hi = np.maximum(lo, domain_lo), np.minimum(hi, domain_hi)
        for i in np.flatnonzero((lo != domain_lo) | (hi != domain_hi)).tolist():
            v = members[i]
            v.setlb(None if lo[i] == -INF else float(lo[i]))
            v.setub(None if hi[i] == INF else float(hi[i]))
        start = len(self.vars)
        self.var_slices[name] = (start, n)
        self.vars.extend(members)
        self._lower.append(lo)
        self._upper.append(hi)
        return np.arange(start, start + n).reshape(shape)

    # --- rows -----------------------------------------------------------------------------
    def rows(
        self,
        name: str,
        index,
        terms: Sequence[tuple],
        lower=-INF,
        upper=INF,
        pyomo_upper: Sequence | None = None,
    ) -> None:
        """Declare constraint ``name``: for the i-th key of ``index`` (a tuple of ordered Pyomo
        sets, whose product is taken in order, or a list of keys),
        ``lower[i] <= sum of coef * x[col] over the terms of row i <= upper[i]``.

        ``terms`` are ``(row, col, coef)`` triples of arrays (or scalars) broadcast together,
        rows being positions in the index. ``pyomo_upper`` (``<=`` rows only) gives Pyomo
        expressions (mutable parameters) written as the upper bounds in the Pyomo model;
        ``upper`` holds their values.
        """
        keys = _keys(index)
        n = len(keys)
        parts = [np.broadcast_arrays(np.asarray(r), np.asarray(c), np.asarray(k, dtype=float)) for r, c, k in terms]
        rows = np.concatenate([p[0].ravel() for p in parts] + [np.zeros(0)]).astype(np.int64)
        cols = np.concatenate([p[1].ravel() for p in parts] + [np.zeros(0)]).astype(np.int64)
        coefs = np.concatenate([p[2].ravel() for p in parts] + [np.zeros(0)])
        nonzero = coefs != 0
        order = np.argsort(rows[nonzero], kind="stable")
        rows, cols, coefs = rows[nonzero][order], cols[nonzero][order], coefs[nonzero][order]
        lower = np.broadcast_to(np.asarray(lower, dtype=float), (n,))
        upper = np.broadcast_to(np.asarray(upper, dtype=float), (n,))
        counts = np.bincount(rows, minlength=n)
        broken = (counts == 0) & ((lower > 1e-9) | (upper < -1e-9))
        if broken.any():
            i = int(np.flatnonzero(broken)[0])
            raise SolverError(
                f"the model is infeasible before solving: {name}[{keys[i]}] has no variables "
                f"and needs {lower[i]:.6g} <= 0 <= {upper[i]:.6g}"
            )
        kept = np.flatnonzero(counts)
        position = np.full(n, -1)
        position[kept] = np.arange(len(kept))
        block = Block(name, keys, kept, self.n_rows, position[rows], cols, coefs, lower[kept], upper[kept])
        self.blocks[name] = block
        self.n_rows += len(kept)
        if self.arrays_only:
            return
        relations = self._relations(block, counts[kept], pyomo_upper)
        skip = pyo.Constraint.Skip

        def rule(m, *key):  # a function rule: Pyomo then need not check each key against the index
            return relations.get(key if len(key) > 1 else key[0], skip)

        component = pyo.Constraint(*index, rule=rule) if isinstance(index, tuple) else pyo.Constraint(keys, rule=rule)
        self.model.add_component(name, component)

    def _relations(self, block: Block, counts: np.ndarray, pyomo_upper: Sequence | None) -> dict:
        """The rows of ``block`` as Pyomo relational expressions, by key (empty rows left out)."""
        vars_ = self.vars
        ends = np.cumsum(counts).tolist()
        cols, coefs = block.cols.tolist(), block.coefs.tolist()
        lower, upper = block.lower.tolist(), block.upper.tolist()
        relations = {}
        begin = 0
        for r, (pos, end) in enumerate(zip(block.kept.tolist(), ends)):
            body = LinearExpression(
                [
                    vars_[c] if k == 1.0 else MonomialTermExpression((k, vars_[c]))
                    for c, k in zip(cols[begin:end], coefs[begin:end])
                ]
            )
            begin = end
            lo, hi = lower[r], upper[r]
            if pyomo_upper is not None:
                relation = InequalityExpression((body, pyomo_upper[pos]), False)
            elif lo == hi:
                relation = EqualityExpression((body, lo))
            elif lo == -INF:
                relation = InequalityExpression((body, hi), False)
            elif hi == INF:
                relation = InequalityExpression((lo, body), False)
            else:
                relation = RangedExpression((lo, body, hi), (False, False))
            relations[block.index[pos]] = relation
        return relations

    # --- objective ------------------------------------------------------------------------
    def objective(self, name: str, cols, coefs, constant: float = 0.0, pyomo_coefs: dict | None = None) -> None:
        """Declare the objective ``min sum coef * x[col] + constant`` (repeated columns add up).

        ``pyomo_coefs`` maps columns to Pyomo expressions (mutable parameters) written as their
        coefficients in the Pyomo model; ``coefs`` holds their values.
        """
        cost = np.bincount(np.asarray(cols, dtype=np.int64), weights=np.asarray(coefs, float), minlength=self.n_cols)
        self.cost, self.offset = cost, float(constant)
        if self.arrays_only:
            return
        pyomo_coefs = pyomo_coefs or {}
        vars_ = self.vars
        terms = [
            MonomialTermExpression((k, vars_[c]))
            for c, k in zip(np.flatnonzero(cost).tolist(), cost[cost != 0].tolist())
            if c not in pyomo_coefs
        ]
        terms += [MonomialTermExpression((k, vars_[c])) for c, k in pyomo_coefs.items()]
        expr = LinearExpression(terms)
        self.model.add_component(name, pyo.Objective(expr=expr + constant if constant else expr, sense=pyo.minimize))

    # --- the program ----------------------------------------------------------------------
    def standard_form(self) -> StandardForm:
        """Assemble the program from the arrays (rows in declaration order)."""
        blocks = list(self.blocks.values())
        rows = np.concatenate([b.start + b.rows for b in blocks]) if blocks else np.zeros(0, np.int64)
        cols = np.concatenate([b.cols for b in blocks]) if blocks else np.zeros(0, np.int64)
        coefs = np.concatenate([b.coefs for b in blocks]) if blocks else np.zeros(0)
        A = sparse.csc_matrix((coefs, (rows, cols)), shape=(self.n_rows, self.n_cols))
        A.sum_duplicates()
        A.eliminate_zeros()
        cost = self.cost if self.cost is not None else np.zeros(self.n_cols)
        empty = np.zeros(0)
        return StandardForm(
            A=A,
            cost=cost,
            offset=self.offset,
            col_lower=np.concatenate(self._lower) if self._lower else empty,
            col_upper=np.concatenate(self._upper) if self._upper else empty,
            row_lower=np.concatenate([b.lower for b in blocks]) if blocks else empty,
            row_upper=np.concatenate([b.upper for b in blocks]) if blocks else empty,
        )

    def row_positions(self, name: str) -> np.ndarray:
        """Program row of each key of constraint ``name`` in index order (-1: no row)."""
        block = self.blocks[name]
        out = np.full(len(block.index), -1)
        out[block.kept] = block.start + np.arange(len(block.kept))
        return out


def _keys(index) -> list:
    """The keys of an index given as a tuple of ordered sets (their product) or a list."""
    if not isinstance(index, tuple):
        return list(index)
    if len(index) == 1:
        return list(index[0])
    return list(itertools.product(*index))
