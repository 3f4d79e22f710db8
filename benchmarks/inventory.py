"""Time to account 1,000,000 activity rows (target: under 2 s on a 2-core machine).

Rows are drawn from the default model's 51 activity rows with random quantities and 20,000
sectors, so the table has many distinct rows but the realistic few hundred (item, category,
unit) keys. Prints the median of repeated runs, split into validation and accounting.

    python benchmarks/inventory.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.inventory import account, load_factor_set, validate_activity
from carbon.model import load_model

ROOT = Path(__file__).resolve().parents[1]


def make_rows(n: int, seed: int = 0) -> pd.DataFrame:
    base = load_model(ROOT / "models" / "lankao").activity
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), n)
    frame = base.iloc[pick][["category", "item", "unit"]].reset_index(drop=True)
    frame.insert(0, "sector", np.char.add("s", (np.arange(n) % 20000).astype(str)))
    frame.insert(0, "year", 2000 + (np.arange(n) // 20000) % 60)
    frame["quantity"] = rng.uniform(0, 100, n)
    # one row per (year, sector, category, item): drop the few accidental duplicates
    return frame.drop_duplicates(["year", "sector", "category", "item"], ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = make_rows(args.rows)
    factors = load_factor_set("china")
    validate_times, account_times = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        act = validate_activity(frame)
        t1 = time.perf_counter()
        inv = account(act, factors, "AR5", validated=True)
        t2 = time.perf_counter()
        validate_times.append(t1 - t0)
        account_times.append(t2 - t1)
    v, a = statistics.median(validate_times), statistics.median(account_times)
    print(f"rows: {len(frame):,} activity rows -> {len(inv.emissions):,} emission rows")
    print(f"validate: {v:.3f} s   account: {a:.3f} s   total: {v + a:.3f} s (median of {args.repeat})")
    print(f"target: total under 2 s -> {'met' if v + a < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
