"""Wall time of the bundled scenario batch, and Monte Carlo throughput on 1 and 2 processes.

Prints samples per second for the bundled Monte Carlo scenario (its first N samples) on one and
on two local processes, and the scaling efficiency (target: 2 processes >= 1.7x one).

    python benchmarks/pathway.py [--samples 60] [--skip-batch]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from carbon.runner import run_batch

ROOT = Path(__file__).resolve().parents[1]


def monte_carlo(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mc_bench.yaml"
    path.write_text(f"name: mcb\nextends: {ROOT / 'scenarios' / 'monte_carlo.yaml'}\nsamples:\n  n: {n}\n")
    return path


def timed(paths, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    summary = run_batch(paths, out, jobs=jobs)
    elapsed = time.perf_counter() - start
    failed = (summary["status"] != "ok").sum()
    if failed:
        print(f"  warning: {failed} runs failed")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--skip-batch", action="store_true", help="only the Monte Carlo throughput")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.skip_batch:
            t = timed([ROOT / "scenarios"], tmp / "batch", jobs=2)
            print(f"bundled batch (scenarios/, 2 processes): {t:.1f} s wall")
        timed([monte_carlo(tmp / "warm", 2)], tmp / "warm_out", jobs=1)  # imports and caches, not timed
        src = monte_carlo(tmp, args.samples)
        one = timed([src], tmp / "one", jobs=1)
        two = timed([src], tmp / "two", jobs=2)
        print(f"Monte Carlo, {args.samples} samples: 1 process {args.samples / one:.2f} samples/s ({one:.1f} s), "
              f"2 processes {args.samples / two:.2f} samples/s ({two:.1f} s)")
        print(f"speed-up 2 vs 1: {one / two:.2f}x (target >= 1.7x), scaling efficiency {one / two / 2:.0%}")


if __name__ == "__main__":
    main()
