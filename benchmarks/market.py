"""Benchmarks of the quota market (prints figures; not a test).

    .venv/bin/python benchmarks/market.py [--firms 10000] [--periods 40]

1. Whole command: ``carbon market FILE -o DIR`` on N firms × T periods (a market file and a
   firms CSV), medians of --repeat runs, in this process and as a new process.
2. Equilibrium: N firms × T periods with banking, a 5 % discount rate, CCER-style offsets
   (5 % of emissions, a supply curve) and an auction with a reserve price; time of the
   equilibrium alone, of the tables, and of the registry (ledger + invariant checks).
   With --msr (default) also the same market with a stability reserve (fixed point).
3. Agents: 1,000 firms x 1,000 rounds of the continuous double auction (automatic orders
   per round), median time of --repeat seeds, efficiency and price error; --agents-only
   runs this part alone.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from carbon.cli import main as cli_main
from carbon.market import clear, simple_market
from carbon.market.agents import simulate
from carbon.market.intertemporal import solve_path
from carbon.market.schema import AgentsSection


def national_market(n: int, t: int, seed: int = 0):
    """A synthetic national market: baselines 1e4–1e6 t, slopes so that MACs span 0–500 CNY/t."""
    rng = np.random.default_rng(seed)
    baseline = rng.lognormal(np.log(1e5), 1.0, n)[:, None] * (1 + 0.01 * np.arange(t))[None, :]
    slope = rng.uniform(50, 500, n)[:, None] / baseline
    intercept = rng.uniform(0, 40, n)[:, None] * np.ones((1, t))
    cap_path = np.linspace(0.97, 0.70, t)
    free = baseline[:, :1] * cap_path[None, :] * rng.uniform(0.85, 1.0, n)[:, None]
    total = baseline.sum(axis=0)
    return simple_market(
        baseline,
        slope,
        free,
        intercept=intercept,
        periods=np.arange(2021, 2021 + t),
        discount_rate=0.05,
        banking=True,
        initial_bank=0.02 * total[0],
        auction_volume=0.02 * total,
        reserve_price=np.full(t, 30.0),
        offset_limit=0.05,
        offset_basis="emissions",
        offset_cost=np.tile([20.0, 60.0, 120.0], (t, 1)),
        offset_qty=np.tile(0.004 * total[:, None], (1, 3)),
    )


def write_market_files(inp, folder: Path) -> Path:
    """The market as a market file and a firms CSV (one row per firm and period) in ``folder``."""
    N, T = inp.n_firms, inp.n_periods
    firms = pd.DataFrame(
        {
            "id": np.tile([f"f{i:05d}" for i in range(N)], T),
            "period": np.repeat(inp.periods, N),
            "baseline": inp.baseline.T.reshape(-1),
            "allocation": inp.free.T.reshape(-1),
            "mac_slope": inp.slope.T.reshape(-1),
            "mac_intercept": inp.intercept.T.reshape(-1),
        }
    )
    firms.to_csv(folder / "firms.csv", index=False)
    total = inp.baseline.sum(axis=0)
    market = {
        "unit": "tCO2",
        "periods": [int(p) for p in inp.periods],
        "discount_rate": float(inp.discount_rate),
        "banking": True,
        "initial_bank": float(inp.initial_bank),
        "auction": {"volume": [float(v) for v in inp.auction_volume], "reserve_price": 30.0},
        "offsets": {
            "limit": 0.05,
            "basis": "emissions",
            "curve": [
                [20.0, float(0.004 * total[0])],
                [60.0, float(0.004 * total[0])],
                [120.0, float(0.004 * total[0])],
            ],
        },
        "firms": "firms.csv",
    }
    path = folder / "market.yaml"
    path.write_text(yaml.safe_dump(market, sort_keys=False), encoding="utf-8")
    return path


def whole_command(inp, repeat: int) -> tuple[list[float], list[float], dict[str, int]]:
    """Times (s) of ``carbon market FILE -o DIR`` on the market: in this process (parsing,
    input building, clearing, registry, writing) and as a new process (plus start-up)."""
    inner, outer = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        file = write_market_files(inp, tmp)
        out = tmp / "out"
        for _ in range(repeat):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                code = cli_main(["market", str(file), "-o", str(out)])
            inner.append(time.perf_counter() - start)
            assert code == 0
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "carbon.cli", "market", str(file), "-o", str(out)],
                check=True,
                capture_output=True,
            )
            outer.append(time.perf_counter() - start)
        sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    return inner, outer, sizes


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--agent-firms", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=1_000)
    parser.add_argument(
        "--msr",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the market with a stability reserve",
    )
    parser.add_argument("--agents-only", action="store_true", help="time agent mode only")
    args = parser.parse_args()
    if args.agents_only:
        agents(args.agent_firms, args.rounds, args.repeat)
        return

    inp = national_market(args.firms, args.periods)
    path = solve_path(inp)
    t_solve = best_of(lambda: solve_path(inp), args.repeat)
    t_tables = best_of(lambda: clear(inp, ledger=False), args.repeat)
    start = time.perf_counter()
    r = clear(inp)  # timed once: the run whose figures are printed
    t_full = time.perf_counter() - start
    print(f"equilibrium: {args.firms:,} firms x {args.periods} periods, banking, offsets, auction floor")
    print(f"  segments of the price path       {len(path.segments)}")
    print(f"  price first / last period         {path.price[0]:.4f} / {path.price[-1]:.4f} CNY/t")
    print(f"  offsets used / bank max           {r.periods['offsets'].sum():.4g} / {r.periods['bank'].max():.4g} t")
    print(f"  solve (equilibrium path)          {t_solve:.3f} s   (target < 2 s)")
    print(f"  clear without registry (tables)   {t_tables:.3f} s")
    print(f"  clear with registry ({len(r.ledger):,} ledger rows) {t_full:.3f} s")

    inner, outer, sizes = whole_command(inp, args.repeat)
    print(f"whole command: carbon market FILE -o DIR ({args.firms:,} firms x {args.periods} periods, registry)")
    print(f"  in this process, median of {args.repeat}      {statistics.median(inner):.3f} s   (target < 5 s)")
    print(f"  as a new process, median of {args.repeat}     {statistics.median(outer):.3f} s")
    print("  files: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sizes.items()))
    print(f"  load average (1, 5, 15 min)        {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    if args.msr:
        from carbon.market.inputs import MsrParams

        total = inp.baseline.sum(axis=0)[0]
        # a reserve scaled to this market: thresholds 2 % and 3 % of the first year's emissions
        msr = MsrParams(0.0, 0.24, 0.03 * total, 0.02 * total, 0.005 * total, 0.005 * total, 0.05 * total)
        start = time.perf_counter()
        rm = clear(inp.with_(msr=msr), ledger=False)
        print(
            f"  with a stability reserve (fixed point)  {time.perf_counter() - start:.3f} s, "
            f"intake {rm.periods['reserve_intake'].sum():.4g} t"
        )

    agents(args.agent_firms, args.rounds, args.repeat)


def agents(n: int, rounds: int, repeat: int) -> None:
    """Agent mode on ``n`` firms (one period, no auction): ``rounds`` rounds of the automatic
    orders per round, median time of ``repeat`` seeds, efficiency and closing-price error
    against the exact equilibrium of the same allowances; then Cliff's one order per round."""
    small = national_market(n, 1, seed=1).with_(auction_volume=np.zeros(1))
    times, rows = [], []
    for seed in range(repeat):
        start = time.perf_counter()
        res = simulate(small, AgentsSection(rounds=rounds, seed=seed))
        times.append(time.perf_counter() - start)
        rows.append(res.periods.iloc[0])
    k = int(res.summary["orders_per_round"])
    print(f"agents: {n:,} firms x {rounds:,} rounds of {k} orders (ZIP traders, continuous double auction)")
    for seed, (t, row) in enumerate(zip(times, rows)):
        print(
            f"  seed {seed}: {t:.3f} s, efficiency {row['efficiency']:.4f}, closing price {row['price']:.2f} vs "
            f"equilibrium {row['equilibrium_price']:.2f} (error {row['price_error']:+.1%}; "
            f"mean of all trades {row['mean_trade_price']:.2f})"
        )
    print(f"  median time of {repeat} seeds          {statistics.median(times):.3f} s   (target: seconds)")
    print(f"  load average (1, 5, 15 min)        {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    start = time.perf_counter()
    one = simulate(small, AgentsSection(rounds=rounds, seed=0, orders_per_round=1)).periods.iloc[0]
    print(
        f"  one order per round (Cliff's market): {time.perf_counter() - start:.3f} s, "
        f"efficiency {one['efficiency']:.4f}, price error {one['price_error']:+.1%}"
    )


if __name__ == "__main__":
    main()
