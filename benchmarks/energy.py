"""Benchmark of the energy model on the default county (models/lankao) or another model (--model).

Prints, for 168, 2016 and 8760 hours and for 12/24/48 representative days: build time,
solve time (as HiGHS reports it), result-extraction time, total, columns, rows and peak
memory (each case in its own process, peak resident set size); the representative-day
objective and capacities against the 8760-hour ones; and the same system built and solved
with PyPSA (optional: ``pip install pypsa``, the ``bench`` extra) with the ratio ours/PyPSA of
total time and the relative difference of the objectives.

PyPSA has no daily-balanced load shifting, so the comparison with it uses the default model
without load shifting (``shift_share: 0``); interruptible load and shedding become PyPSA
generators at their costs, the battery a Store with charger and discharger links whose
capacities are tied by an extra constraint so that one power capacity limits the power drawn
from and delivered to the grid, as in our model.

Usage::

    python benchmarks/energy.py                 # everything (about 4 minutes on 2 cores)
    python benchmarks/energy.py --quick         # 168 and 2016 hours, 12/24 days, no 8760
    python benchmarks/energy.py --case ours:8760  # one case, JSON on stdout
    python benchmarks/energy.py --highs 8760      # HiGHS alone on our matrix and on PyPSA's (MPS files)
    python benchmarks/energy.py --pairs 3         # ours vs PyPSA at 8760 h: 3 alternating pairs, medians
    python benchmarks/energy.py --model benchmarks/systems/steppe --pairs 3   # the same on another system

``--model DIR`` (default models/lankao) applies to every case, the PyPSA translation included.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODEL = ROOT / "models" / "lankao"


def key_technologies(techs) -> tuple[list[str], list[str]]:
    """The technologies whose capacities the benchmark reports: the expandable units (power,
    MW) and each storage (power MW and energy MWh), in the order of the technology table."""
    storages = [str(t) for t in techs.index[techs["kind"] == "storage"]]
    units = [str(t) for t, row in techs.iterrows() if bool(row["expandable"]) and row["kind"] != "storage"]
    return units, storages


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_ours(kind: str, size: int, shift: bool = True, pyomo_compile: bool = True) -> dict:
    """Build, solve and extract one case of our model; timings from the result. With
    ``pyomo_compile``, also the time of compiling the same model with Pyomo's standard-form
    writer (``pyomo_compile_s``, after the timed run)."""
    from carbon.energy import EnergyProblem, load_system, with_changes
    from carbon.energy.solver import CompiledProgram

    system = load_system(MODEL)
    settings: dict = {}
    if kind == "hours":
        settings["resolution"] = {"mode": "hours", "hours": size}
    else:
        settings["resolution"] = {"mode": "days", "days": size, "storage_linking": "chronological"}
    if not shift:
        settings["demand_response"] = {"shift_share": 0.0}
    system = with_changes(system, settings=settings)
    started, cpu_started = time.perf_counter(), time.process_time()
    problem = EnergyProblem(system)  # the settings' year, carbon price and cap, as solve()
    r = problem.solve()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    cap = r.capacity.set_index("technology")
    units, storages = key_technologies(system.technologies)
    peak_mb = _peak_mb()  # before the comparison below, which holds a second compiled copy
    pyomo_s = None
    if pyomo_compile:
        # for comparison: the same Pyomo model compiled by Pyomo's standard-form writer
        pyomo_started = time.perf_counter()
        CompiledProgram(problem.model, problem.options, compiler="pyomo")
        pyomo_s = time.perf_counter() - pyomo_started
    return {
        "objective_cny": r.objective_cny,
        "build_s": r.timings["build_s"],
        "compile_s": r.timings["compile_s"],
        "pyomo_compile_s": pyomo_s,
        "solve_s": r.timings["solve_s"],
        "extract_s": r.timings["extract_s"],
        "total_s": wall,
        "cpu_s": cpu,
        "highs_cpu_s": r.timings["solve_cpu_s"],
        "columns": r.size["columns"],
        "rows": r.size["rows"],
        "peak_mb": peak_mb,
        "capacity": {t: float(cap.at[t, "total_mw"]) for t in units + storages}
        | {f"{s}_mwh": float(cap.at[s, "total_mwh"]) for s in storages},
    }


def build_pypsa(size: int):
    """The model (without load shifting) as a PyPSA network over the first ``size`` hours.

    Every technology kind is translated: generators (with availability profile, minimum load,
    price profile, CO2 cost at the settings' carbon price), grid import and export (export as a
    generator running between -1 and 0), and each storage as a Store with charger and
    discharger links. Returns the network, the extra constraints (``extra_functionality``) and
    the objective's constant (fixed O&M of existing capacity, CNY).
    """
    import numpy as np
    import pandas as pd
    import pypsa

    from carbon.energy import load_system
    from carbon.energy.technologies import annual_capex

    system = load_system(MODEL)
    techs, prof, settings = system.technologies, system.profiles.iloc[:size], system.settings
    per_mw, per_mwh = annual_capex(techs, settings.discount_rate)
    carbon_price = float(settings.carbon_price_cny_per_t or 0.0)
    node = settings.default_node
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(size, name="snapshot"))
    weights = n.snapshot_weightings.astype(float) * 0 + 8760.0 / size
    weights["stores"] = 1.0  # each snapshot is one hour of storage operation
    n.snapshot_weightings = weights
    n.add("Bus", node)
    n.add("Load", "load", bus=node, p_set=prof["load_mw"].to_numpy())
    constant = 0.0
    storages = []
    for name, row in techs.iterrows():
        kind = row["kind"]
        if kind == "storage":
            storages.append(name)
            continue
        extendable = bool(row["expandable"])
        if extendable and row["existing_mw"] > 0:
            raise SystemExit(f"{name}: existing capacity of an expandable technology is not translated")
        capital = float(per_mw[name] + row["fom_cny_per_mw_year"]) if extendable else 0.0
        if not extendable:
            constant += row["fom_cny_per_mw_year"] * row["existing_mw"]
        cost = prof[row["price_profile"]].to_numpy() if row["price_profile"] else float(row["vom_cny_per_mwh"])
        if kind != "grid_export" and carbon_price and row["co2_t_per_mwh"] > 0:
            cost = cost + carbon_price * float(row["co2_t_per_mwh"])  # our model prices the emissions column
        avail = np.minimum(prof[row["profile"]].to_numpy(), 1.0) if row["profile"] else 1.0
        kwargs = {
            "bus": node,
            "p_nom": 0.0 if extendable else row["existing_mw"],
            "p_nom_extendable": extendable,
            "capital_cost": capital,
        }
        if extendable and np.isfinite(row["max_mw"]):
            kwargs["p_nom_max"] = row["max_mw"]
        if kind == "grid_export":
            n.add("Generator", name, p_max_pu=0.0, p_min_pu=-1.0, marginal_cost=cost, **kwargs)
        else:
            p_min = row["min_load"] * avail if row["min_load"] else 0.0
            n.add("Generator", name, p_max_pu=avail, p_min_pu=p_min, marginal_cost=cost, **kwargs)
    dr = settings.demand_response
    if dr.interruptible_mw > 0:
        n.add(
            "Generator",
            "interruptible",
            bus=node,
            p_nom=dr.interruptible_mw,
            marginal_cost=dr.interruptible_cost_cny_per_mwh,
        )
    if settings.allow_shedding:
        n.add(
            "Generator",
            "shed",
            bus=node,
            p_nom=float(prof["load_mw"].max()),
            p_max_pu=(prof["load_mw"] / prof["load_mw"].max()).to_numpy(),
            marginal_cost=settings.value_of_lost_load_cny_per_mwh,
        )
    for s in storages:
        b = techs.loc[s]
        if not b["expandable"] or b["existing_mw"] > 0 or b["existing_mwh"] > 0:
            raise SystemExit(f"{s}: only expandable storage without existing capacity is translated")
        n.add("Bus", s)
        n.add(
            "Store",
            s,
            bus=s,
            e_nom_extendable=True,
            e_cyclic=True,
            capital_cost=float(per_mwh[s]),
            standing_loss=float(b["standing_loss_per_hour"]),
        )
        n.add(
            "Link",
            f"{s}_charger",
            bus0=node,
            bus1=s,
            efficiency=float(b["efficiency_charge"]),
            p_nom_extendable=True,
            capital_cost=float(per_mw[s] + b["fom_cny_per_mw_year"]),
        )
        n.add(
            "Link",
            f"{s}_discharger",
            bus0=s,
            bus1=node,
            efficiency=float(b["efficiency_discharge"]),
            p_nom_extendable=True,
            # ours prices the power delivered to the grid, PyPSA a link's input (battery side)
            marginal_cost=float(b["vom_cny_per_mwh"]) * float(b["efficiency_discharge"]),
        )

    def extra(network, snapshots):
        m = network.model
        p_nom = m.variables["Link-p_nom"]
        e_nom = m.variables["Store-e_nom"]
        for s in storages:
            b = techs.loc[s]
            charger, discharger = p_nom.loc[f"{s}_charger"], p_nom.loc[f"{s}_discharger"]
            # PyPSA's link capacity limits its input; ours limits the power the storage delivers
            # to (and draws from) the grid: discharger p_nom x efficiency = charger p_nom = P
            m.add_constraints(float(b["efficiency_discharge"]) * discharger - charger == 0, name=f"{s}_power_tie")
            if b["energy_to_power_min"] > 0:
                m.add_constraints(e_nom.loc[s] - float(b["energy_to_power_min"]) * charger >= 0, name=f"{s}_e2p_min")
            if np.isfinite(b["energy_to_power_max"]):
                m.add_constraints(e_nom.loc[s] - float(b["energy_to_power_max"]) * charger <= 0, name=f"{s}_e2p_max")

    return n, extra, constant


def run_pypsa(size: int) -> dict:
    """Build and solve the PyPSA network with HiGHS (same algorithm as ours)."""
    import logging

    logging.disable(logging.WARNING)
    from carbon.energy import load_system

    started = time.perf_counter()
    n, extra, constant = build_pypsa(size)
    options = {
        "solver": "ipm" if size >= 1000 else "simplex",
        "output_flag": False,
        "random_seed": 0,
    }
    status, condition = n.optimize(solver_name="highs", solver_options=options, extra_functionality=extra)
    wall = time.perf_counter() - started
    techs = load_system(MODEL).technologies
    objective = float(n.objective) + float(getattr(n, "objective_constant", 0.0) or 0.0) + constant
    units, storages = key_technologies(techs)
    return {
        "objective_cny": objective,
        "total_s": wall,
        "status": f"{status}/{condition}",
        "columns": int(n.model.nvars) if hasattr(n.model, "nvars") else None,
        "rows": int(n.model.ncons) if hasattr(n.model, "ncons") else None,
        "peak_mb": _peak_mb(),
        "capacity": {t: float(n.generators.at[t, "p_nom_opt"]) for t in units}
        | {s: float(n.links.at[f"{s}_charger", "p_nom_opt"]) for s in storages}
        | {f"{s}_mwh": float(n.stores.at[s, "e_nom_opt"]) for s in storages},
    }


def _highs_on_file(path: str, options: dict) -> dict:
    """Read an LP/MPS file into a fresh ``Highs`` and solve it with ``options``; the run's
    figures and HiGHS's presolve line from its log."""
    import re

    import highspy

    log = f"{path}.log"
    Path(log).unlink(missing_ok=True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("log_file", log)
    for key, value in options.items():
        h.setOptionValue(key, value)
    h.readModel(path)
    lp = h.getLp()
    started = time.perf_counter()
    h.run()
    wall = time.perf_counter() - started
    info = h.getInfo()
    text = Path(log).read_text()
    presolved = re.search(r"Presolve reductions:\s*(.*)", text)
    ranges = dict(re.findall(r"^\s+(Matrix|Cost|Bound|RHS)\s+(\[.*\])", text, flags=re.MULTILINE))
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": float(info.objective_function_value),
        "highs_s": h.getRunTime(),
        "wall_s": wall,
        "rows": int(lp.num_row_),
        "columns": int(lp.num_col_),
        "nonzeros": len(lp.a_matrix_.value_),
        "presolve": presolved.group(1).strip() if presolved else "",
        "ranges": ranges,
        "warnings": [line.strip() for line in text.splitlines() if line.startswith("WARNING")],
        "ipm_iterations": int(info.ipm_iteration_count),
        "crossover_iterations": int(info.crossover_iteration_count),
        "simplex_iterations": int(info.simplex_iteration_count),
    }


def run_highs_alone(size: int) -> dict:
    """HiGHS alone on the two formulations of the same LP (ours without load shifting, and
    PyPSA's through linopy), each written to an MPS file and solved by a fresh ``Highs`` with
    the same options: the solver's own time, presolve reductions, size and iterations."""
    import logging
    import tempfile

    logging.disable(logging.WARNING)
    options = {"solver": "ipm" if size >= 1000 else "simplex", "random_seed": 0}
    with tempfile.TemporaryDirectory(prefix="carbon-bench-") as tmp:
        return _highs_alone_in(Path(tmp), size, options)


def _highs_alone_in(folder: Path, size: int, options: dict) -> dict:
    """:func:`run_highs_alone` with its MPS files in ``folder``."""
    from carbon.energy import EnergyProblem, load_system, with_changes

    system = with_changes(
        load_system(MODEL),
        settings={"resolution": {"mode": "hours", "hours": size}, "demand_response": {"shift_share": 0.0}},
    )
    ours_path = str(folder / "ours.mps")
    problem = EnergyProblem(system)
    problem.program.highs.writeModel(ours_path)
    del problem
    n, extra, constant = build_pypsa(size)
    model = n.optimize.create_model()
    extra(n, n.snapshots)
    pypsa_path = str(folder / "pypsa.mps")
    model.to_file(pypsa_path, io_api="mps")
    out = {"ours": _highs_on_file(ours_path, options), "pypsa": _highs_on_file(pypsa_path, options)}
    out["ours"]["objective_cny"] = out["ours"]["objective"]  # the MPS file keeps our offset
    out["pypsa"]["objective_cny"] = out["pypsa"]["objective"] + constant
    return out


def run_case(case: str) -> dict:
    """``ours:H`` hours, ``days:K`` representative days, ``ours-noshift:H``, ``pypsa:H``,
    ``highs:H`` (HiGHS alone on our matrix and on PyPSA's, same LP, same options)."""
    name, size = case.split(":")
    size = int(size)
    if name == "ours":
        return run_ours("hours", size)
    if name == "days":
        return run_ours("days", size)
    if name == "ours-noshift":
        return run_ours("hours", size, shift=False, pyomo_compile=False)  # PyPSA comparisons only
    if name == "pypsa":
        return run_pypsa(size)
    if name == "highs":
        return run_highs_alone(size)
    raise SystemExit(f"unknown case {case}")


def in_subprocess(case: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--case", case, "--model", str(MODEL)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    global MODEL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help="run one case and print JSON")
    parser.add_argument("--quick", action="store_true", help="skip the 8760-hour cases")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (median reported)")
    parser.add_argument("--highs", type=int, metavar="HOURS", help="only HiGHS alone on both formulations")
    parser.add_argument("--model", type=Path, default=MODEL, metavar="DIR", help="model folder (default models/lankao)")
    parser.add_argument(
        "--pairs", type=int, metavar="N", help="only ours vs PyPSA: N alternating pairs (machine load before each)"
    )
    parser.add_argument("--hours", type=int, default=8760, help="hours of the --pairs comparison (default 8760)")
    args = parser.parse_args()
    MODEL = args.model.resolve()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return 0
    if (args.highs or args.pairs) and importlib.util.find_spec("pypsa") is None:
        print("PyPSA is not installed (the bench extra): .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2
    if args.highs:
        print_highs_alone(in_subprocess(f"highs:{args.highs}"), args.highs)
        return 0
    if args.pairs:
        return compare_pairs(args.pairs, args.hours)
    hours = [168, 2016] if args.quick else [168, 2016, 8760]
    days = [12, 24] if args.quick else [12, 24, 48]

    def measure(case: str) -> dict:
        runs = [in_subprocess(case) for _ in range(args.repeat)]
        good = [r for r in runs if "error" not in r]
        if not good:
            return runs[0]
        good.sort(key=lambda r: r["total_s"])
        return good[len(good) // 2]

    results = {}
    print(
        f"{'case':<18} {'build s':>8} {'compile s':>9} {'HiGHS s':>8} {'extract s':>9} {'total s':>8} {'columns':>9} {'rows':>8} {'peak MB':>8} {'objective CNY':>16}"
    )
    for case in [f"ours:{h}" for h in hours] + [f"days:{k}" for k in days]:
        r = results[case] = measure(case)
        if "error" in r:
            print(f"{case:<18} ERROR {r['error']}")
            continue
        print(
            f"{case:<18} {r['build_s']:>8.2f} {r['compile_s']:>9.2f} {r['solve_s']:>8.2f} {r['extract_s']:>9.2f} {r['total_s']:>8.2f} {r['columns']:>9,} {r['rows']:>8,} {r['peak_mb']:>8.0f} {r['objective_cny']:>16,.0f}"
        )
    full = results.get("ours:8760")
    if full and "error" not in full:
        share = 1 - full["solve_s"] / full["total_s"]
        cpu_share = 1 - full["highs_cpu_s"] / full["cpu_s"]
        print(
            f"\n8760 h: everything but HiGHS = {share:.1%} of the wall-clock total, "
            f"{cpu_share:.1%} of the CPU time of the process (target < 10 %; wall clock suffers "
            "most from other jobs on a shared machine)"
        )
        print(
            f"8760 h: compiling from the model's arrays {full['compile_s']:.2f} s; the same Pyomo model "
            f"through Pyomo's standard-form writer {full['pyomo_compile_s']:.2f} s"
        )
        keys = list(full["capacity"])
        print(
            f"\n{'representative days':<20} {'objective vs 8760 h':>20} {'speed-up':>9} "
            + " ".join(f"{t:>12}" for t in keys)
        )
        print(f"{'8760 hours':<20} {'':>20} {'':>9} " + " ".join(f"{full['capacity'][t]:>12.1f}" for t in keys))
        for k in days:
            r = results[f"days:{k}"]
            if "error" in r:
                continue
            diff = r["objective_cny"] / full["objective_cny"] - 1
            print(
                f"{k:>3} days, chrono.    {diff:>+19.2%} {full['total_s'] / r['total_s']:>8.1f}x "
                + " ".join(f"{r['capacity'][t]:>12.1f}" for t in keys)
            )
    try:
        import pypsa  # noqa: F401
    except ImportError:
        print("\nPyPSA is not installed: skipping the comparison (pip install pypsa, or the 'bench' extra)")
        return 0
    print(
        f"\n{'PyPSA comparison (no load shifting)':<36} {'ours s':>8} {'PyPSA s':>8} {'ratio':>6} {'objective diff':>15}"
    )
    for h in hours:
        ours, theirs = measure(f"ours-noshift:{h}"), measure(f"pypsa:{h}")
        if "error" in ours or "error" in theirs:
            print(f"{h:>6} hours  ERROR {ours.get('error') or theirs.get('error')}")
            continue
        diff = ours["objective_cny"] / theirs["objective_cny"] - 1
        print(
            f"{h:>6} hours{'':<25} {ours['total_s']:>8.2f} {theirs['total_s']:>8.2f} {ours['total_s'] / theirs['total_s']:>6.2f} {diff:>+15.2e}"
        )
    print_highs_alone(in_subprocess(f"highs:{hours[-1]}"), hours[-1])
    return 0


def _load_average() -> str:
    """The machine's 1-minute load average (as ``uptime`` shows it)."""
    import os

    return f"{os.getloadavg()[0]:.2f}"


def compare_pairs(pairs: int, size: int) -> int:
    """Ours (no load shifting) and PyPSA on the same LP, ``pairs`` alternating runs, each in a
    fresh process; the load average before each run, the medians and the ratio ours/PyPSA."""
    import statistics

    print(f"{MODEL.relative_to(ROOT) if MODEL.is_relative_to(ROOT) else MODEL}, {size} hours, no load shifting")
    print(f"{'run':<12} {'load':>5} {'total s':>8} {'HiGHS s':>8} {'objective CNY':>20} {'columns':>9} {'rows':>8}")
    times: dict[str, list[float]] = {"ours": [], "pypsa": []}
    objectives = {}
    for i in range(pairs):
        for name in ("ours", "pypsa") if i % 2 == 0 else ("pypsa", "ours"):
            load = _load_average()
            r = in_subprocess(f"{'ours-noshift' if name == 'ours' else 'pypsa'}:{size}")
            if "error" in r:
                print(f"{name:<12} {load:>5} ERROR {r['error']}")
                return 1
            times[name].append(r["total_s"])
            objectives[name] = r["objective_cny"]
            highs = f"{r['solve_s']:>8.2f}" if "solve_s" in r else f"{'':>8}"
            print(
                f"{name + ' ' + str(i + 1):<12} {load:>5} {r['total_s']:>8.2f} {highs} {r['objective_cny']:>20,.2f} "
                f"{r['columns'] or 0:>9,} {r['rows'] or 0:>8,}"
            )
    ours, theirs = statistics.median(times["ours"]), statistics.median(times["pypsa"])
    diff = objectives["ours"] / objectives["pypsa"] - 1
    print(
        f"median: ours {ours:.2f} s, PyPSA {theirs:.2f} s, ratio ours/PyPSA {ours / theirs:.2f}; "
        f"objectives {objectives['ours']:,.2f} and {objectives['pypsa']:,.2f} CNY (relative difference {diff:+.1e})"
    )
    return 0


def print_highs_alone(r: dict, size: int) -> None:
    """The table of :func:`run_highs_alone`: HiGHS on our matrix and on PyPSA's."""
    if "error" in r:
        print(f"\nHiGHS alone, {size} hours: ERROR {r['error']}")
        return
    print(f"\nHiGHS alone on the two formulations of the same LP ({size} hours, MPS files, same options)")
    print(
        f"{'':<7} {'HiGHS s':>8} {'rows':>8} {'columns':>8} {'nonzeros':>9} {'IPM it':>6} {'crossover':>9} "
        f"{'simplex':>7} {'objective CNY':>16}  presolve reductions; coefficient ranges"
    )
    for name in ("ours", "pypsa"):
        x = r[name]
        ranges = ", ".join(f"{k} {v}" for k, v in x["ranges"].items())
        print(
            f"{name:<7} {x['highs_s']:>8.2f} {x['rows']:>8,} {x['columns']:>8,} {x['nonzeros']:>9,} "
            f"{x['ipm_iterations']:>6} {x['crossover_iterations']:>9} {x['simplex_iterations']:>7} "
            f"{x['objective_cny']:>16,.0f}  {x['presolve']}; {ranges}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
