"""Benchmarks of batch speed, issue 18 (prints figures; not a test).

    .venv/bin/python benchmarks/batch.py [main|mc|resolve|scaling|all] [--repeat 3] [--jobs N]

``main``     the quick start's main job: ``carbon run scenarios/`` then ``carbon plot`` of its
             results (the Monte Carlo with the energy model on); and ``carbon plot`` alone.
             Target: run + plot under 60 s on 2 cores, plot alone under 15 s.
``mc``       ``carbon run scenarios/monte_carlo.yaml``: 200 samples, the energy model solved at
             every milestone of every sample. Target: under 90 s on 2 cores.
``resolve``  one process, CPU per Monte Carlo sample's milestone solves: a cold build of every
             milestone problem against the compiled problems re-used with the sample's data
             (``ProblemStore``, cold basis: the numbers of the build) and warm-started.
``scaling``  time of one pathway run as the milestones (3, 6, 12), representative days (8, 16,
             32) grow, of the Monte Carlo as the samples grow (25, 50, 100), and of the quota
             market as firms and periods grow (1x, 2x, 4x each).

Every figure is the median of ``--repeat`` runs, printed with the machine's load average
(``os.getloadavg``) before and after, since other work on the machine slows every number.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARBON = [sys.executable, "-m", "carbon.cli"]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f})"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(values: list[float]) -> str:
    return f"median {statistics.median(values):.1f} s (runs: {', '.join(f'{v:.1f}' for v in values)})"


def bench_main(repeat: int, jobs: list[str]) -> None:
    runs, plots, totals = [], [], []
    for _ in range(repeat):
        out = Path(tempfile.mkdtemp(prefix="carbon-main-"))
        try:
            print(f"  [{load()}]", flush=True)
            runs.append(timed([*CARBON, "run", "scenarios/", "-o", str(out / "results"), "-q", *jobs]))
            plots.append(timed([*CARBON, "plot", str(out / "results"), "-o", str(out / "figures"), "-q", *jobs]))
            totals.append(runs[-1] + plots[-1])
        finally:
            shutil.rmtree(out, ignore_errors=True)
    print(f"carbon run scenarios/  {median(runs)}")
    print(f"carbon plot            {median(plots)}   target < 15 s")
    print(f"main job (run + plot)  {median(totals)}   target < 60 s   [{load()}]")


def bench_mc(repeat: int, jobs: list[str]) -> None:
    times = []
    for _ in range(repeat):
        out = Path(tempfile.mkdtemp(prefix="carbon-mc-"))
        try:
            print(f"  [{load()}]", flush=True)
            times.append(timed([*CARBON, "run", "scenarios/monte_carlo.yaml", "-o", str(out), "-q", *jobs]))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    print(f"Monte Carlo, 200 samples with the energy model  {median(times)}   target < 90 s   [{load()}]")


def bench_resolve(samples: int = 20) -> None:
    import numpy as np

    from carbon.energy.inputs import YearAssumptions
    from carbon.energy.milestones import solve_milestones
    from carbon.energy.problem import ProblemStore
    from carbon.energy.schema import EnergySection
    from carbon.stages.energy import resolve_system

    section = EnergySection(days=8, technologies={"wind_new": {"max_mw": 1500}, "solar_new": {"max_mw": 2000},
                                                  "grid_import": {"existing_mw": 1000, "max_mw": 1000}})
    system = resolve_system(section, ROOT / "models" / "lankao")
    years = [2020, 2025, 2030, 2035, 2040, 2050, 2060]
    rng = np.random.default_rng(18)
    draws = []
    for _ in range(samples):
        demand = float(rng.uniform(0.8, 2.0))
        draws.append(({y: YearAssumptions(float(rng.uniform(0, 200)), None, demand * (1 + 0.02 * (y - 2020)))
                       for y in years}, {y: float(rng.uniform(0.3, 0.6)) for y in years}))
    print(f"  [{load()}] {samples} samples x {len(years)} milestones (8 representative days)")
    ways = {"cold build": None, "re-used, cold basis": ProblemStore(),
            "re-used, chained basis": ProblemStore(chain=True), "re-used, warm basis": ProblemStore(warm=True)}
    for name, store in ways.items():
        start, cpu = time.perf_counter(), time.process_time()
        highs = 0.0
        for assumptions, grid in draws:
            result, _ = solve_milestones(system, years, assumptions, base_year=2020, grid_factor=grid,
                                         frozen_years={2020}, store=store)
            highs += result.timings["solve_s"]
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{name:22s} {cpu / samples:.3f} s CPU per sample ({wall / samples:.3f} s wall; HiGHS "
              f"{highs / samples:.3f} s)")
    print(f"  [{load()}]")


def _scenario(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text.replace("BASELINE", str(ROOT / "scenarios" / "baseline.yaml"))
                    .replace("MC", str(ROOT / "scenarios" / "monte_carlo.yaml")), encoding="utf-8")
    return path


def _run(path: Path, jobs: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        out = Path(tempfile.mkdtemp(prefix="carbon-scale-"))
        try:
            times.append(timed([*CARBON, "run", str(path), "-o", str(out), "-q", *jobs]))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return statistics.median(times)


def bench_scaling(repeat: int, jobs: list[str]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="carbon-scaling-"))
    rows = []
    try:
        print(f"  [{load()}] each figure: median of {repeat} runs of `carbon run` (one process start ~1.5 s included)")
        milestones = {1: "[2030, 2045, 2060]", 2: "[2025, 2030, 2035, 2040, 2050, 2060]",
                      4: "[2023, 2025, 2027, 2030, 2033, 2035, 2038, 2040, 2045, 2050, 2055, 2060]"}
        for k, value in milestones.items():
            path = _scenario(folder, f"m{k}", f"name: m{k}\nextends: BASELINE\npathway: {{milestones: {value}}}\n")
            rows.append(("milestones", f"{k}x ({value.count(',') + 1})", _run(path, ["--jobs", "1"], repeat)))
        for k, days in {1: 8, 2: 16, 4: 32}.items():
            path = _scenario(folder, f"d{k}", f"name: d{k}\nextends: BASELINE\nenergy: {{days: {days}}}\n")
            rows.append(("representative days", f"{k}x ({days})", _run(path, ["--jobs", "1"], repeat)))
        for k, n in {1: 25, 2: 50, 4: 100}.items():
            path = _scenario(folder, f"s{k}", f"name: s{k}\nextends: MC\nsamples: {{n: {n}}}\n")
            rows.append(("Monte Carlo samples", f"{k}x ({n})", _run(path, jobs, repeat)))
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from market import national_market

        from carbon.market import clear

        sizes = [("firms", k, (2500 * k, 20)) for k in (1, 2, 4)] + [("periods", k, (5000, 10 * k)) for k in (1, 2, 4)]
        for what, k, (firms, periods) in sizes:
            market = national_market(firms, periods)
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                clear(market)
                times.append(time.perf_counter() - start)
            rows.append((f"market, {what}", f"{k}x ({firms} firms x {periods})", statistics.median(times)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'what grows':26s} {'size':22s} {'time':>8s}")
    for what, size, seconds in rows:
        print(f"{what:26s} {size:22s} {seconds:7.1f} s")
    print(f"  [{load()}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="all", choices=["main", "mc", "resolve", "scaling", "all"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    args = parser.parse_args()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    print(f"{os.cpu_count()} cores, {load()}")
    if args.what in ("resolve", "all"):
        bench_resolve()
    if args.what in ("mc", "all"):
        bench_mc(args.repeat, jobs)
    if args.what in ("main", "all"):
        bench_main(args.repeat, jobs)
    if args.what in ("scaling", "all"):
        bench_scaling(args.repeat, jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
