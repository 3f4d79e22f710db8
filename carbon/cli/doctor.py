"""``carbon doctor``: check that the solver works."""

from __future__ import annotations

import argparse
import sys

from carbon import __version__
from carbon.errors import InputError


def register(subparsers) -> None:
    """Add the ``doctor`` command to an argparse subparsers object."""
    doc = subparsers.add_parser("doctor", help="check that the solver works")
    doc.set_defaults(func=_cmd_doctor)


def _cmd_doctor(args: argparse.Namespace) -> int:
    """Solve a two-variable LP with HiGHS through Pyomo and say what works."""
    import pyomo.environ as pyo

    print(f"carbon {__version__}, Python {sys.version.split()[0]}")
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 4))
    m.y = pyo.Var(bounds=(0, 3))
    m.c = pyo.Constraint(expr=m.x + m.y >= 5)
    m.o = pyo.Objective(expr=2 * m.x + 3 * m.y)
    solver = pyo.SolverFactory("appsi_highs")
    if not solver.available(exception_flag=False):
        raise InputError("HiGHS is not available to Pyomo", expected="pip install highspy")
    result = solver.solve(m)
    ok = abs(pyo.value(m.o) - 11.0) < 1e-9  # x = 4, y = 1: 2*4 + 3*1 = 11
    print(f"HiGHS via Pyomo: {result.solver.termination_condition}, objective {pyo.value(m.o):g} "
          f"({'correct' if ok else 'WRONG, expected 11'})")
    return 0 if ok else 1
