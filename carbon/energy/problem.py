"""Build, solve, sweep: the energy problem as one object, and :func:`solve` for one call."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.energy.adequacy import check_adequacy, hour_label
from carbon.energy.inputs import ModelData, YearAssumptions, prepare, represent, year_weights
from carbon.energy.model import ExtraConstraints, build_model
from carbon.energy.outputs import NOT_LOCAL, EnergyResult, extract
from carbon.energy.periods import TimeSlices, all_hours, representative_days
from carbon.energy.solver import CompiledProgram, Outcome
from carbon.energy.system import EnergySystem, load_system
from carbon.errors import SolverError
from carbon.memo import Kept


def time_slices(system: EnergySystem) -> TimeSlices:
    """The time steps the settings ask for (all/first hours or representative days). The last
    few are kept by the profiles table and the settings (every Monte Carlo sample of a system
    asks again); callers only read them."""
    r = system.settings.resolution
    hpy = system.settings.hours_per_year
    profiles = system.profiles

    def compute() -> TimeSlices:
        if r.mode == "days":
            return representative_days(
                profiles, r.days, hours_per_year=hpy, linking=r.storage_linking, peak_day=r.peak_day
            )
        return all_hours(len(profiles), hpy, r.hours)

    return _SLICES.get(profiles, (repr(r), hpy), compute)


_SLICES: Kept[TimeSlices] = Kept(8)


def modelled_load_mwh(system: EnergySystem, slices: TimeSlices | None = None) -> float:
    """The annual load the model sees at demand factor 1, MWh: every load column at the
    modelled steps, each weighted by the hours it stands for (all hours, the first N, or
    representative days)."""
    slices = slices or time_slices(system)
    columns = [system.load_column(n) for n in system.nodes()]
    return float(sum(slices.weight @ represent(system.profiles[c].to_numpy(), slices) for c in columns if c))


class EnergyProblem:
    """A built and compiled energy model, ready to solve and re-solve.

    Parameters
    ----------
    system
        The checked inputs.
    years
        Years modelled together (one year, or all milestones under perfect foresight).
    assumptions
        Per-year carbon price, cap, demand and price factors (default: from settings).
    slices
        Time steps (default: :func:`time_slices`).
    perfect_foresight
        Weight the years by length and discount factor (see :func:`year_weights`).
    built
        Capacity built in earlier milestones, ``{(technology, year): (MW, MWh)}``.
    extra_constraints
        ``f(model, data)`` adding a researcher's own constraints.
    options
        HiGHS options (override the settings' ``solver_options``).
    diagnose
        Add priced slacks to the balance, cap and policies (see :func:`diagnose`).
    check
        Run the adequacy check before building.
    """

    def __init__(
        self,
        system: EnergySystem,
        *,
        years: list[int] | None = None,
        assumptions: dict[int, YearAssumptions] | None = None,
        slices: TimeSlices | None = None,
        perfect_foresight: bool = False,
        base_year: int | None = None,
        built: dict | None = None,
        extra_constraints: ExtraConstraints | None = None,
        options: dict | None = None,
        diagnose: bool = False,
        check: bool = True,
    ) -> None:
        started = time.perf_counter()
        settings = system.settings
        years = list(years or [base_year or 2025])
        if assumptions is None:
            assumptions = {y: YearAssumptions(settings.carbon_price_cny_per_t, settings.co2_cap_t) for y in years}
        self.system = system
        self.built = built
        self.perfect_foresight = perfect_foresight
        self.base_year = base_year
        self.slices = slices or time_slices(system)
        weights = year_weights(years, base_year or years[0], settings.discount_rate, perfect_foresight)
        self.data: ModelData = prepare(
            system,
            self.slices,
            years,
            assumptions,
            year_weight=weights,
            built=built,
            diagnose=diagnose,
        )
        if check:
            check_adequacy(self.data)
        self.extra_constraints = extra_constraints
        self.check = check
        self.model = build_model(self.data, extra_constraints)
        self.build_seconds = time.perf_counter() - started
        self.options = {**settings.solver_options, **(options or {})}
        self.program = CompiledProgram(self.model, self.options)

    def set_carbon_price(self, price: float, year: int | None = None) -> None:
        """Change the carbon price (CNY/t) of one year (default all) without rebuilding."""
        for y in [year] if year is not None else self.data.years:
            self.model.carbon_price[y] = price
            self.data.assumptions[y] = replace(self.data.assumptions[y], carbon_price=price)
            self.program.set_cost(self.model.emissions[y], self.data.year_weight[y] * price)

    def set_co2_cap(self, cap: float | None, year: int | None = None) -> None:
        """Change the CO2 cap (t, None = no cap) of one year (default all) without rebuilding."""
        for y in [year] if year is not None else self.data.years:
            value = math.inf if cap is None else float(cap)
            self.model.cap[y] = value
            self.data.assumptions[y] = replace(self.data.assumptions[y], co2_cap=cap)
            self.program.set_row_upper(self.model.co2_cap[y], value)

    def update(
        self,
        system: EnergySystem,
        assumptions: dict[int, YearAssumptions],
        built: dict | None = None,
        warm: bool = False,
    ) -> bool:
        """Give the compiled program the data of ``system``, ``assumptions`` and ``built``
        (same years and time steps) without rebuilding the Pyomo model; False, changing
        nothing, when the new program's structure differs (then build a new problem).

        The whole program is assembled again from the new data as arrays (no Pyomo objects,
        ~10x faster than a build), so the program HiGHS solves is the one a cold build gives,
        whatever changed. Without ``warm`` it goes to a new ``Highs`` object
        (:meth:`CompiledProgram.load`) and the solve is the cold solve of that program: the
        same numbers as a build, whatever the worker solved before (a cleared ``Highs``
        object that solved other data could end a degenerate program at another optimal
        vertex). With ``warm`` only what differs is handed to the ``Highs`` object (costs and
        the objective's constant, column and row bounds, matrix coefficients) and it starts
        from its last basis (faster sweeps; a degenerate problem may then end at another
        optimal vertex). The Pyomo model keeps its first numbers: read values through
        :attr:`program`, :attr:`data` and :meth:`solve`.
        """
        if self.extra_constraints is not None or self.data.diagnose or self.program.linear is None:
            return False
        old = self.system
        if system.settings != old.settings or not (
            system.profiles is old.profiles or system.profiles.equals(old.profiles)
        ):
            return False
        started = time.perf_counter()
        years = self.data.years
        if set(assumptions) != set(years):
            return False
        data = prepare(
            system,
            self.slices,
            years,
            assumptions,
            year_weight=dict(self.data.year_weight),
            built=built,
            diagnose=False,
        )
        if self.check:
            check_adequacy(data)
        linear = build_model(data, arrays_only=True).linear
        current = self.program.linear
        if (
            linear.var_slices != current.var_slices
            or list(linear.blocks) != list(current.blocks)
            or any(not np.array_equal(b.kept, current.blocks[name].kept) for name, b in linear.blocks.items())
        ):
            return False
        form, before = linear.standard_form(), self.program.form
        A, A0 = form.A, before.A
        if A.shape != A0.shape or not (np.array_equal(A.indptr, A0.indptr) and np.array_equal(A.indices, A0.indices)):
            return False
        if warm:  # hand HiGHS only what differs; it starts from its last basis
            highs = self.program.highs
            changed = np.flatnonzero(form.cost != before.cost)
            if len(changed):
                highs.changeColsCost(len(changed), changed.astype(np.int32), form.cost[changed])
            if form.offset != before.offset:
                highs.changeObjectiveOffset(form.offset)
            changed = np.flatnonzero((form.col_lower != before.col_lower) | (form.col_upper != before.col_upper))
            if len(changed):
                highs.changeColsBounds(
                    len(changed), changed.astype(np.int32), form.col_lower[changed], form.col_upper[changed]
                )
            changed = np.flatnonzero((form.row_lower != before.row_lower) | (form.row_upper != before.row_upper))
            if len(changed):
                highs.changeRowsBounds(
                    len(changed), changed.astype(np.int32), form.row_lower[changed], form.row_upper[changed]
                )
            changed = np.flatnonzero(A.data != A0.data)
            if len(changed):
                columns = np.searchsorted(A.indptr, changed, side="right") - 1
                for k, j in zip(changed.tolist(), columns.tolist()):
                    highs.changeCoeff(int(A.indices[k]), int(j), float(A.data[k]))
        else:  # a new Highs object: the solve is the cold solve of this program, whatever came before
            self.program.load(form)
        for name, block in linear.blocks.items():  # the arrays describe the program HiGHS holds
            kept = current.blocks[name]
            kept.coefs, kept.lower, kept.upper = block.coefs, block.lower, block.upper
        current._lower, current._upper = linear._lower, linear._upper
        current.cost, current.offset = linear.cost, linear.offset
        self.program.form, self.program.offset = form, form.offset
        for y in years:
            self.model.cap[y] = _cap_value(data.assumptions[y].co2_cap)
            self.model.carbon_price[y] = data.assumptions[y].carbon_price
        self.system, self.data, self.built = system, data, built
        self.program.compile_seconds = 0.0
        self.build_seconds = time.perf_counter() - started
        self.updates = getattr(self, "updates", 0) + 1
        return True

    def local_emissions(self, x: np.ndarray, year: int | None = None) -> float:
        """CO2 of local generation in ``year`` (default the first), t: every unit's output x its
        factor, except the grid import's (imports are the grid's emissions, not the county's)."""
        d, c = self.data, self.model.columns
        i = d.years.index(d.years[0] if year is None else year)
        kind = self.system.technologies["kind"]
        return sum(
            d.co2[g] * float(np.dot(d.slices.weight, x[c.p[i, j]]))
            for j, g in enumerate(d.units)
            if d.co2[g] > 0 and kind[g] not in NOT_LOCAL
        )

    def solve(self, diagnose: bool = False) -> EnergyResult:
        """Solve; return an :class:`EnergyResult` or raise :class:`SolverError` explaining why not.

        With ``diagnose`` an infeasible problem is re-solved with priced slacks and the error
        names where and how much is missing.
        """
        outcome = self.program.solve()
        self.last_outcome = outcome
        if outcome.status != "optimal":
            raise self._failure(outcome, diagnose)
        started = time.perf_counter()
        result = extract(self.model, self.data, self.program, outcome)
        result.timings = {
            "build_s": self.build_seconds,
            "compile_s": self.program.compile_seconds,
            "solve_s": outcome.highs_seconds,
            "solve_cpu_s": self.program.last_cpu_seconds,
            "extract_s": time.perf_counter() - started,
        }
        result.timings["total_s"] = sum(v for k, v in result.timings.items() if k != "solve_cpu_s")
        return result

    def _failure(self, outcome: Outcome, diagnose: bool) -> SolverError:
        status = outcome.status
        where = self.system.file
        if status in ("infeasible", "infeasible_or_unbounded"):
            if diagnose:
                return diagnose_infeasibility(self)
            return SolverError(
                f"the energy system is infeasible ({status})",
                file=where,
                expected="a feasible system",
                found=f"HiGHS status {status} after {outcome.highs_seconds:.1f} s",
                hint="run again with --diagnose (or energy.diagnose: true) to see which hours and limits cannot be met",
            )
        if status == "unbounded":
            return SolverError(
                "the energy system is unbounded: some cost can fall without limit",
                file=where,
                hint="check for negative costs without a capacity limit (e.g. export revenue above import price with no max_mw)",
            )
        if status == "time_limit":
            return SolverError(
                f"HiGHS stopped at its time limit after {outcome.highs_seconds:.1f} s",
                file=where,
                expected="an optimal solution",
                found=status,
                hint="raise solver_options.time_limit, or solve fewer hours (--days K)",
            )
        return SolverError(f"HiGHS ended with status {status}", file=where, found=status)


def _cap_value(cap: float | None) -> float:
    return math.inf if cap is None else float(cap)


class ProblemStore:
    """Compiled problems kept for re-use with new data (at most ``size``, least recently used
    dropped): :meth:`problem` returns the stored problem of ``key`` given the new data by
    :meth:`EnergyProblem.update`, or builds one. Whoever runs many similar solves (a Monte
    Carlo worker, a calibration loop) owns one; the key only decides which problem is tried,
    the numbers always come from the data given.
    """

    def __init__(self, size: int = 16, warm: bool = False, chain: bool = False) -> None:
        self.size = size
        self.warm = warm
        self.chain = chain
        """Myopic milestones (:func:`~carbon.energy.milestones.solve_milestones`) start each year
        from the basis of the same sample's previous year: deterministic (the start depends on
        the sample only, not on what the worker solved before) and faster than a cold start."""
        self.built = 0
        self.reused = 0
        self._items: dict = {}
        self._solutions: dict = {}
        self.solutions = 64
        """Solutions kept by :meth:`solution`."""
        self.hits = 0

    @staticmethod
    def digest(content) -> str:
        """The key of ``content`` in the stored solutions (SHA-256 of its ``repr``)."""
        return hashlib.sha256(repr(content).encode()).hexdigest()

    def solution(self, key: str, compute):
        """The stored value for ``key``, the :meth:`digest` of the plain data identifying a solve
        (the problem's key and every number its data comes from), computing and storing it when
        absent. The caller digests once and may keep the key (e.g. to name a start basis)."""
        if key in self._solutions:
            self.hits += 1
            value = self._solutions.pop(key)
        else:
            value = compute()
        self._solutions[key] = value
        while len(self._solutions) > self.solutions:
            self._solutions.pop(next(iter(self._solutions)))
        return value

    def problem(
        self,
        key,
        system: EnergySystem,
        *,
        years: list[int],
        assumptions: dict[int, YearAssumptions],
        base_year: int | None = None,
        built: dict | None = None,
        options: dict | None = None,
        slices: TimeSlices | None = None,
    ) -> EnergyProblem:
        """The problem of ``system`` for ``years`` with ``assumptions`` and ``built``."""
        full = (key, tuple(years), base_year, repr(sorted((options or {}).items())), id(slices))
        problem = self._items.pop(full, None)
        if problem is not None and problem.update(system, assumptions, built, warm=self.warm):
            self.reused += 1
        else:
            problem = EnergyProblem(
                system,
                years=years,
                assumptions=assumptions,
                base_year=base_year,
                built=built,
                options=options,
                slices=slices,
            )
            self.built += 1
        self._items[full] = problem
        while len(self._items) > self.size:
            self._items.pop(next(iter(self._items)))
        return problem


def diagnose_infeasibility(problem: EnergyProblem) -> SolverError:
    """Re-solve with priced slacks on the balance, the cap and the policies; return an error
    that names the hours with missing supply (MW), the cap excess (t) and policy gaps."""
    d = problem.data
    relaxed = EnergyProblem(
        problem.system,
        years=d.years,
        assumptions=d.assumptions,
        slices=problem.slices,
        perfect_foresight=problem.perfect_foresight,
        base_year=problem.base_year,
        built=problem.built,
        extra_constraints=problem.extra_constraints,
        options=problem.options,
        diagnose=True,
        check=False,
    )
    outcome = relaxed.program.solve()
    if outcome.status != "optimal":
        return SolverError(
            f"infeasible, and the diagnosis did not solve either ({outcome.status})",
            file=problem.system.file,
        )
    m, prog = relaxed.model, relaxed.program
    missing = prog.values(m.missing, outcome.x)
    keys = list(m.missing.keys())
    lines = []
    report = pd.DataFrame(
        [(k[0], k[1], int(d.slices.hour[k[2]]), v) for k, v in zip(keys, missing) if v > 1e-6],
        columns=["year", "node", "hour", "missing_mw"],
    )
    if not report.empty:
        worst = report.sort_values("missing_mw", ascending=False).head(5)
        lines.append(
            f"supply missing in {len(report)} hour(s), {float((report['missing_mw']).sum()):.1f} MW-h in the modelled steps; worst: "
            + "; ".join(f"{hour_label(r.hour)} at {r.node}: {r.missing_mw:.1f} MW" for r in worst.itertuples())
        )
    for y, v in zip(d.years, prog.values(m.cap_excess, outcome.x)):
        if v > 1e-6:
            lines.append(
                f"CO2 cap {d.assumptions[y].co2_cap:.6g} t in {y} exceeded by {v:.6g} t (the least the system can emit is {d.assumptions[y].co2_cap + v:.6g} t)"
            )
    for (y, c), v in zip(m.policy_gap.keys(), prog.values(m.policy_gap, outcome.x)):
        if v > 1e-6:
            unit = "MWh" if c == "renewable_share" else "MW"
            lines.append(f"{c} in {y} short by {v:.6g} {unit}")
    error = SolverError(
        "the energy system is infeasible; diagnosis: " + (" | ".join(lines) or "no slack needed (numerical trouble?)"),
        file=problem.system.file,
        hint="add capacity, allow shedding, raise imports, or loosen the cap or policy named above",
    )
    error.diagnosis = report  # type: ignore[attr-defined]
    return error


def solve(
    system: EnergySystem,
    *,
    year: int = 2025,
    carbon_price: float | None = None,
    co2_cap: float | None = None,
    slices: TimeSlices | None = None,
    extra_constraints: ExtraConstraints | None = None,
    options: dict | None = None,
    diagnose: bool = False,
) -> EnergyResult:
    """Solve one year of ``system`` (the settings' carbon price and cap unless given).

    Returns an :class:`EnergyResult`; raises :class:`InputError` for an inadequate system and
    :class:`SolverError` when the solve does not end optimal.
    """
    settings = system.settings
    price = settings.carbon_price_cny_per_t if carbon_price is None else carbon_price
    cap = settings.co2_cap_t if co2_cap is None else co2_cap
    problem = EnergyProblem(
        system,
        years=[year],
        assumptions={year: YearAssumptions(price, cap)},
        slices=slices,
        extra_constraints=extra_constraints,
        options=options,
    )
    return problem.solve(diagnose=diagnose)


def mac_curve(
    system: EnergySystem | str | Path,
    prices: list[float] | np.ndarray,
    *,
    year: int = 2025,
    slices: TimeSlices | None = None,
    options: dict | None = None,
    problem: EnergyProblem | None = None,
    local_only: bool = False,
) -> pd.DataFrame:
    """Power-sector emissions at a list of carbon prices: the marginal abatement cost curve.

    The model is built once; each price changes one objective coefficient and re-solves.
    ``system`` may be a model folder (its ``energy/`` is read with :func:`load_system`).
    With ``local_only`` the emissions are those of local generation (what an emissions trading
    scheme covering generators sees), else the model's total including imports.

    Returns
    -------
    DataFrame with ``carbon_price_cny_per_t, emissions_t, abatement_t`` (t below the emissions
    at the lowest price) and ``objective_cny``, sorted by price.
    """
    if not isinstance(system, EnergySystem):
        system = load_system(system)
    problem = problem or EnergyProblem(
        system,
        years=[year],
        assumptions={year: YearAssumptions(0.0, system.settings.co2_cap_t)},
        slices=slices,
        options=options,
    )
    y = problem.data.years[0]
    rows = []
    for price in sorted(float(p) for p in prices):
        problem.set_carbon_price(price, y)
        outcome = problem.program.solve()
        if outcome.status != "optimal":
            raise problem._failure(outcome, False)
        if local_only:
            emissions = problem.local_emissions(outcome.x, y)
        else:
            emissions = float(problem.program.values(problem.model.emissions, outcome.x)[0])
        rows.append((price, emissions, outcome.objective))
    frame = pd.DataFrame(rows, columns=["carbon_price_cny_per_t", "emissions_t", "objective_cny"])
    frame.insert(2, "abatement_t", frame["emissions_t"].iloc[0] - frame["emissions_t"])
    return frame
