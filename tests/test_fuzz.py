"""Fuzzing every reader: mutated copies of the bundled scenarios, the model's files, the firms
and MAC-curve CSVs and an energy balance, fed to the command line in-process. Every case must
end with exit 0 or 2, no traceback, no "internal error", within the time limit.

CI runs ``CARBON_FUZZ_CASES`` cases (default 150, seed ``CARBON_FUZZ_SEED``, default 0). A
longer run prints its counts::

    CARBON_FUZZ_CASES=5000 python tests/test_fuzz.py
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import random
import shutil
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from carbon.cli import main

CASES = int(os.environ.get("CARBON_FUZZ_CASES", "150"))
SEED = int(os.environ.get("CARBON_FUZZ_SEED", "0"))
TIME_LIMIT_S = 60

VALUES = [0, -1, -0.0, 1e308, -1e308, float("inf"), float("nan"), 6, 636.9, 1e30, 1820, 2075, 10**20,
          "", "lots", "1e400", "../../escape", "/tmp/absolute", "x" * 5000, True, False, None, [], [1, "a"], {},
          {"scale": "x"}, {"scale": 1e308}, {"a": {"b": 1}}, "summary.csv", "README.md", "markets", "AR7"]
CELLS = ["", "abc", "1e400", "-1", "1e30", "nan", "inf", "-0.0", "0", "1820", "2075", "x" * 3000, "10^4 kWh",
         "GJ", "../x", "1,5", '"', "💥"]


class Hang(Exception):
    pass


class _Loader(yaml.SafeLoader):
    """The safe loader, reading ``!replace`` as a plain mapping (the mutated copy loses the tag)."""


_Loader.add_constructor("!replace", lambda loader, node: loader.construct_mapping(node, deep=True))


def _alarm(signum, frame):
    raise Hang


# --- mutations ----------------------------------------------------------------------------------

def _paths(node, prefix=()):
    """Every (path, value) of a YAML document."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _set(doc, path, value):
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def mutate_yaml(text: str, rng: random.Random, folder: Path) -> str:
    """One to three random changes to a YAML document (values, keys, structure, or the text)."""
    if rng.random() < 0.12:
        return _mutate_text(text, rng)
    doc = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    for _ in range(rng.randint(1, 3)):
        paths = [p for p, _ in _paths(doc) if p]
        if not paths:
            break
        path = rng.choice(paths)
        kind = rng.random()
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        if kind < 0.55:
            value = copy.deepcopy(rng.choice(VALUES))
            if value == "../../escape" and rng.random() < 0.5:
                value = str(folder / "a_folder")  # a folder where a file is expected
            _set(doc, path, value)
        elif kind < 0.75 and isinstance(parent, dict):
            key = path[-1]
            if isinstance(key, str) and len(key) > 2:
                i = rng.randrange(len(key) - 1)
                parent[key[:i] + key[i + 1] + key[i] + key[i + 2:]] = parent.pop(key)  # a typo
            else:
                parent.pop(key)
        elif kind < 0.85 and isinstance(parent, dict):
            parent.pop(path[-1])
        else:
            old = parent[path[-1]]
            if isinstance(old, (int, float)) and not isinstance(old, bool):
                _set(doc, path, rng.choice([old * 100, old / 1000, -old, old * 1e6]))  # a unit slip
            else:
                _set(doc, path, copy.deepcopy(rng.choice(VALUES)))
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _mutate_text(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    choice = rng.randrange(5)
    if choice == 0 and lines:  # a key given twice
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif choice == 1:  # cut off
        return text[: rng.randrange(len(text) + 1)]
    elif choice == 2:  # deep nesting
        depth = rng.choice([70, 300, 2000])
        lines.append("deep: " + "[" * depth + "]" * depth)
    elif choice == 3:  # aliases
        lines += ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
            f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, rng.randint(2, 8))]
    else:  # bytes that are not UTF-8
        return text + "\nnote: \udcff"
    return "\n".join(lines) + "\n"


def mutate_csv(text: str, rng: random.Random) -> str:
    """One to three random changes to a CSV table (cells, header, rows)."""
    rows = [line.split(",") for line in text.splitlines()]
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.6 and len(rows) > 1:
            r = rng.randrange(1, len(rows))
            if rows[r]:
                rows[r][rng.randrange(len(rows[r]))] = rng.choice(CELLS)
        elif kind < 0.7 and rows and rows[0]:
            c = rng.randrange(len(rows[0]))
            rows[0][c] = rng.choice(["", "quantity", "year", rows[0][c] + "x", "id"])
        elif kind < 0.8 and len(rows) > 1:
            rows.append(list(rows[rng.randrange(1, len(rows))]))
        elif kind < 0.9 and rows and len(rows[0]) > 1:
            c = rng.randrange(len(rows[0]))
            rows = [row[:c] + row[c + 1:] for row in rows]
        else:
            rows = rows[: rng.randrange(len(rows) + 1)]
    return "\n".join(",".join(row) for row in rows) + "\n"


# --- cases --------------------------------------------------------------------------------------

def _workspace(tmp: Path) -> Path:
    """A copy of the bundled inputs the cases mutate."""
    work = tmp / "work"
    shutil.copytree(ROOT / "models" / "lankao", work / "models" / "lankao")
    shutil.copytree(ROOT / "scenarios", work / "scenarios")
    shutil.copy(ROOT / "tests" / "data" / "ceads" / "henan_2019_balance.csv", work / "balance.csv")
    (work / "scenarios" / "a_folder").mkdir()
    (work / "scenarios" / "inventory" / "a_folder").mkdir()
    return work


def make_case(work: Path, rng: random.Random, i: int) -> tuple[str, list[str]]:
    """Write one mutated input into a fresh copy of the files it touches; the command to run."""
    case = work / f"case{i}"
    kind = rng.choices(["inventory_scenario", "scenario", "market", "model", "activity", "firms", "mac",
                        "balance"], weights=[5, 4, 2, 2, 3, 2, 2, 2])[0]
    out = str(case / "out")
    if kind in ("inventory_scenario", "scenario", "market"):
        src = {"inventory_scenario": rng.choice(["inventory/base.yaml", "inventory/coal_to_gas.yaml",
                                                 "inventory/gwp_sweep.yaml", "inventory/activity_uncertainty.yaml"]),
               "scenario": rng.choice(["baseline.yaml", "policy.yaml", "accelerated.yaml"]),
               "market": "market_example.yaml"}[kind]
        path = work / "scenarios" / src
        target = path.with_name(f"fuzz{i}.yaml")
        target.write_text(mutate_yaml(path.read_text(encoding="utf-8"), rng, path.parent), encoding="utf-8",
                          errors="surrogateescape")
        if kind == "inventory_scenario" and rng.random() < 0.5:
            return kind, ["run", str(target), "-o", out, "-q", "-j", "1"]
        if kind == "market" and rng.random() < 0.3:
            return kind, ["market", str(target), "-o", out]
        return kind, ["validate", str(target)]
    if kind in ("model", "activity"):
        model = case / "model"
        shutil.copytree(work / "models" / "lankao", model, ignore=shutil.ignore_patterns("energy"))
        if kind == "model":
            spec = model / "model.yaml"
            spec.write_text(mutate_yaml(spec.read_text(encoding="utf-8"), rng, model), encoding="utf-8",
                            errors="surrogateescape")
        else:
            act = model / "activity.csv"
            act.write_text(mutate_csv(act.read_text(encoding="utf-8"), rng), encoding="utf-8")
        scenario = case / "s.yaml"
        scenario.write_text(f"name: s\nmodel: {model}\ninventory: {{uncertainty: {{draws: 0}}}}\n")
        return kind, ["run", str(scenario), "-o", out, "-q", "-j", "1"]
    if kind in ("firms", "mac"):
        shutil.copytree(work / "scenarios", case / "scenarios", ignore=shutil.ignore_patterns("fuzz*"))
        name = "lankao_energy_use_firms.csv" if kind == "firms" else "lankao_power_mac.csv"
        csv = case / "scenarios" / "markets" / name
        csv.write_text(mutate_csv(csv.read_text(encoding="utf-8"), rng), encoding="utf-8")
        scenario = case / "scenarios" / "market_example.yaml"
        scenario.write_text(scenario.read_text(encoding="utf-8").replace(
            "model: ../models/lankao", f"model: {work / 'models' / 'lankao'}"), encoding="utf-8")
        if rng.random() < 0.5:
            return kind, ["market", str(scenario), "-o", out]
        return kind, ["validate", str(scenario)]
    case.mkdir()
    balance = case / "balance.csv"
    balance.write_text(mutate_csv((work / "balance.csv").read_text(encoding="utf-8"), rng), encoding="utf-8")
    return kind, ["inventory", str(balance), "--year", "2019"]


def run_case(argv: list[str]) -> tuple[str, int | None, str]:
    """``(outcome, exit code, stderr)``; outcome ``ok``, ``error`` (exit 2, clean), ``crash`` or ``hang``."""
    err = io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
    except Hang:
        return "hang", None, err.getvalue()
    except BaseException as exc:  # noqa: BLE001 - anything escaping main is a crash
        return "crash", None, f"{type(exc).__name__}: {exc}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    text = err.getvalue()
    clean = "Traceback" not in text and "internal error" not in text
    if code == 0 and clean:
        return "ok", code, text
    if code == 2 and clean:
        return "error", code, text
    return "crash", code, text


def fuzz(tmp: Path, cases: int, seed: int) -> tuple[Counter, list[tuple]]:
    """Run ``cases`` mutated inputs; the counts by outcome and the failures (crashes, hangs)."""
    work = _workspace(tmp)
    rng = random.Random(seed)
    counts: Counter = Counter()
    failures = []
    cwd = os.getcwd()
    os.chdir(tmp)  # a stray relative write would land here, never in the repository
    try:
        for i in range(cases):
            kind, argv = make_case(work, rng, i)
            outcome, code, text = run_case(argv)
            counts[outcome] += 1
            counts[f"{kind}:{outcome}"] += 1
            if outcome in ("crash", "hang"):
                failures.append((i, kind, argv, code, text[-2000:]))
            shutil.rmtree(work / f"case{i}", ignore_errors=True)
    finally:
        os.chdir(cwd)
    return counts, failures


def test_fuzz_every_reader(tmp_path):
    counts, failures = fuzz(tmp_path, CASES, SEED)
    assert not failures, "\n\n".join(f"case {i} ({kind}): {' '.join(argv)}\nexit {code}\n{text}"
                                     for i, kind, argv, code, text in failures[:5])
    assert counts["ok"] + counts["error"] == CASES
    assert counts["error"] > CASES // 10  # the mutations do reach the checks


if __name__ == "__main__":
    import tempfile

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        counts, failures = fuzz(Path(folder), CASES, SEED)
    elapsed = time.perf_counter() - started
    print(f"inputs {CASES}, clean errors {counts['error']}, ok {counts['ok']}, crashes {counts['crash']}, "
          f"hangs {counts['hang']}, {elapsed:.0f} s (seed {SEED})")
    for key in sorted(k for k in counts if ":" in k):
        print(f"  {key}: {counts[key]}")
    for i, kind, argv, code, text in failures:
        print(f"\n--- case {i} ({kind}): {' '.join(argv)}\nexit {code}\n{text}")
