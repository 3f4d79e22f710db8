"""Benchmark of ``carbon plot`` on the bundled batch (prints figures; not a test).

    .venv/bin/python benchmarks/plots.py [RESULTS] [--jobs N] [--report]

Runs the bundled scenarios (``carbon run scenarios/``) into RESULTS when it holds no runs yet
(default ``results/``), then times ``carbon plot RESULTS`` (every figure of the batch: the
comparison, the Monte Carlo figures and each run's figures, PNG), and prints the number of
figures, the wall time, the CPU time of this process and its workers and the time per figure.
The target of issue 6 is under 30 s for all figures. ``--report`` also times ``carbon report``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="?", default=str(ROOT / "results"), help="results folder of the batch")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--report", action="store_true", help="also time carbon report")
    args = parser.parse_args()
    results = Path(args.results)

    from carbon.plots import plot
    from carbon.plots.data import Batch, open_path

    has_runs = results.is_dir() and any((c / "manifest.json").is_file() for c in results.iterdir() if c.is_dir())
    if not has_runs:
        from carbon.runner import Progress, run_batch

        print(f"running the bundled scenarios into {results}/ ...", flush=True)
        start = time.perf_counter()
        run_batch([str(ROOT / "scenarios")], str(results), progress=Progress(quiet=True))
        print(f"  carbon run: {time.perf_counter() - start:.1f} s")
    batch = open_path(results)
    if isinstance(batch, Batch):
        samples = sum(r.is_sample for r in batch.runs)
        print(
            f"batch {results}: {len(batch.runs)} runs ({samples} Monte Carlo samples), "
            f"{len(batch.aggregates)} aggregate(s); {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
        )
    out = Path(tempfile.mkdtemp(prefix="carbon-plot-bench-"))
    try:
        cpu0, start = cpu_seconds(), time.perf_counter()
        result = plot(results, out, "png", jobs=args.jobs)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
        n = len(result.files)
        print(
            f"carbon plot: {n} figures in {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"({wall / max(n, 1):.2f} s/figure wall, {cpu / max(n, 1):.2f} s/figure CPU); target < 30 s: "
            f"{'met' if wall < 30 else 'NOT met'}"
        )
        if args.report:
            from carbon.report import build_report

            cpu0, start = cpu_seconds(), time.perf_counter()
            rep = build_report(results, out)
            print(
                f"carbon report: {rep.figures} figures, {rep.html.stat().st_size / 1e6:.1f} MB html, "
                f"{time.perf_counter() - start:.1f} s wall, {cpu_seconds() - cpu0:.1f} s CPU"
            )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
