"""Runs: one scenario end to end, and batches on local processes or a Dask cluster.

A run never raises: it returns a summary row whose ``status`` is ``ok`` or ``failed`` (with the
error), and writes its folder atomically. A batch goes on past failed runs.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from carbon import __version__
from carbon.coupling.cache import SolveCache
from carbon.errors import CarbonError, InputError
from carbon.files import check_name
from carbon.model import Model, apply_overrides, load_model, model_hash
from carbon.plausible import check_activity_years, check_grid_factor, check_per_resident
from carbon.resolve import Resolved, resolve
from carbon.results import (
    StageOutput,
    check_table_format,
    inside,
    read_manifest,
    remove_leftovers,
    table_format,
    write_run,
    write_text_atomic,
)
from carbon.scenario import (
    MAX_RUNS,
    RunSpec,
    Scenario,
    files_hash,
    iter_runs,
    sample_scenario,
    scenario_files,
    spec_hash,
)

PACKAGES = ("numpy", "pandas", "scipy", "pyomo", "highspy", "pydantic", "pyyaml")


def provenance() -> dict[str, Any]:
    """Versions of Python, this package and its main dependencies, and the git commit if any."""
    versions = {"python": platform.python_version(), "carbon": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"],
                cwd=Path(__file__).parent,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"versions": versions, "git_commit": commit}


_CACHE = SolveCache()
"""The energy solutions this worker process has computed (see :class:`SolveCache`): the runner
owns it and hands it to the stages; Monte Carlo samples and sweeps that leave the power system
unchanged reuse a solution."""


def run_scenario(spec: RunSpec, cache: SolveCache | None = None) -> tuple[dict[str, StageOutput], Resolved]:
    """Compute every stage a scenario asks for; return the stage outputs by stage name and the
    resolved values (the decisions).

    Raises :class:`CarbonError` for problems the user can fix (naming the scenario file when
    the problem is not in another file).
    """
    try:
        return _stages(spec, _CACHE if cache is None else cache)
    except CarbonError as exc:
        raise exc.at(spec.file) from None


def prepare(spec: RunSpec) -> tuple[Model, Resolved]:
    """The model with the scenario's overrides and the resolved values: everything a run does
    before its first stage (``carbon validate`` runs this too)."""
    from carbon.stages.inventory import grid_factor_of

    scenario = spec.scenario
    model = load_model(scenario.model)
    check_activity_years(model.activity, model.base_year, model.activity_file, scenario.allow)
    model = apply_overrides(model, scenario.overrides)
    settings = technologies = None
    if scenario.energy is not None:
        from carbon.stages.energy import model_system, resolve_system

        system = resolve_system(scenario.energy, model.path)
        settings, technologies = model_system(model.path).settings, system.technologies
    grid = grid_factor_of(model, scenario.inventory)
    check_grid_factor(grid.value, grid.source, scenario.allow)
    resolved = resolve(
        scenario,
        model_base_year=model.base_year,
        grid=grid,
        settings=settings,
        technologies=technologies,
        file=spec.file,
    )
    return model, resolved


def _prepared(spec: RunSpec) -> tuple[Model, Resolved, Scenario]:
    """:func:`prepare`, and the scenario with its investment projects joined to their
    allowance markets as firms (issue 15; a market they name must exist)."""
    model, resolved = prepare(spec)
    scenario = spec.scenario
    if scenario.projects:
        from carbon.stages.assess import join_markets

        scenario = join_markets(scenario, model, grid=resolved.grid_factor)
    return model, resolved, scenario


def validate_run(spec: RunSpec, full: bool = True) -> None:
    """Everything a run does up to its first solve: the model and its overrides, the resolver
    (which loads and checks the energy system), and with ``full`` the inventory, the pathway's
    projection and every market's inputs. Raises :class:`CarbonError` naming the file."""
    try:
        if not full:
            prepare(spec)
            return
        model, resolved, scenario = _prepared(spec)
        from carbon.stages.inventory import compute

        inv = compute(model, scenario.inventory, keep=True)
        check_per_resident(inv.summary(), model.population, model.activity_file, scenario.allow)
        if scenario.pathway is not None:
            from carbon.stages.pathway import project

            project(model, scenario)
        from carbon.market.inputs import build_inputs

        for name, section in scenario.all_markets().items():
            prefix = f"markets.{name}" if name else "market"
            if resolved.carbon_price is None and not name:  # from_market: the power firm comes at the solve
                continue
            build_inputs(section, Path(spec.file).parent, file=spec.file, prefix=prefix)
        if scenario.accounts is not None:
            from carbon.stages.accounts import read_tables

            read_tables(scenario.accounts)
    except CarbonError as exc:
        raise exc.at(spec.file) from None


def _stages(spec: RunSpec, cache: SolveCache) -> tuple[dict[str, StageOutput], Resolved]:
    from carbon.stages.inventory import run_stage as inventory_stage

    model, resolved, scenario = _prepared(spec)
    base_dir = Path(spec.file).parent
    # checks the base year per resident before the inventory's Monte Carlo draws
    outputs = {"inventory": inventory_stage(model, scenario.inventory, scenario.allow)}
    if scenario.pathway is not None:
        from carbon.stages.pathway import run_stage as pathway_stage

        # solves the energy model at the milestones (and clears the market with from_market)
        outputs.update(pathway_stage(model, scenario, resolved, cache, base_dir))
    elif scenario.energy is not None:
        from carbon.stages.energy import run_stage as energy_stage

        outputs["energy"] = energy_stage(scenario.energy, model.path, resolved)
    if scenario.market is not None and "market" in outputs:  # the pathway's market: cleared there
        markets = {}
    else:
        markets = scenario.all_markets()
    if markets:
        from carbon.stages.market import run_stage as market_stage

        for name, section in markets.items():
            stage, prefix = (f"market/{name}", f"markets.{name}") if name else ("market", "market")
            outputs[stage] = market_stage(section, base_dir, file=spec.file, prefix=prefix)
    if scenario.accounts is not None:
        from carbon.stages.accounts import run_stage as accounts_stage

        market = outputs.get("market")
        outputs["accounts"] = accounts_stage(
            model,
            scenario.accounts,
            scenario.inventory,
            energy=outputs.get("energy"),
            markets=scenario.all_markets(),
            market_dir=base_dir,
            file=spec.file,
            market_firms=market.tables.get("firms") if market else None,
        )
    return outputs, resolved


def _reconciliation(outputs: dict[str, StageOutput]) -> pd.DataFrame:
    """The run's reconciliation table: the pathway's (which knows every room), else the
    inventory's base year beside an energy-only run's first year."""
    if "pathway" in outputs:
        return outputs["pathway"].tables.pop("reconciliation")
    from carbon.stages.reconcile import reconciliation

    inv = outputs["inventory"].tables
    years = None
    if "energy" in outputs:  # the first year, with its local CO2 as the energy stage counted it
        energy = outputs["energy"]
        years = energy.tables["years"].head(1).assign(local_co2_t=energy.summary["local_co2_t"])
    return reconciliation(inv["emissions"], inv["energy"], energy_years=years)


def _check_finite(outputs: dict[str, StageOutput], file: str) -> None:
    """Key figures must be finite: an infinite total means an input was implausibly large."""
    for stage, out in outputs.items():
        for key, value in out.summary.items():
            if isinstance(value, float) and math.isinf(value):
                raise InputError(
                    "a result is infinite: some input is implausibly large",
                    file=file,
                    key=f"{stage}.{key}",
                    expected="finite key figures",
                    found=value,
                    hint="look for a quantity, factor or rate many orders of magnitude too large",
                )


def _flatten(outputs: dict[str, dict]) -> dict[str, Any]:
    return {
        f"{stage}.{key}": value
        for stage, summary in outputs.items()
        for key, value in summary.items()
        if isinstance(value, (int, float, str, bool)) or value is None
    }


def execute(
    spec: RunSpec, out_dir: str | Path, prov: dict | None = None, resume: bool = False, fmt: str = "auto"
) -> dict[str, Any]:
    """Run one scenario and write ``out_dir/<run>/`` (large tables as Parquet with ``fmt``
    ``auto``, everything as CSV with ``csv``); return its summary row (never raises)."""
    out_dir = Path(out_dir)
    started = time.perf_counter()
    row: dict[str, Any] = {"run": spec.name, "status": "ok", "file": spec.file}
    try:
        run_dir = inside(out_dir, out_dir / check_name(spec.name))
        digest = spec_hash(spec.scenario, model_hash(spec.model_dir) + files_hash(spec))
    except (OSError, CarbonError) as exc:
        row.update(status="failed", error=str(exc), kind="input")
        return row
    if resume:
        old = read_manifest(run_dir)
        if old and old.get("status") == "ok" and old.get("hash") == digest and old.get("table_format", "auto") == fmt:
            return {**row, **_flatten(old.get("summary", {})), "skipped": True}
    outputs: dict[str, StageOutput] = {}
    decisions: list[dict] = []
    error = kind = trace = None
    try:
        outputs, resolved = run_scenario(spec)
        _check_finite(outputs, spec.file)
        table = resolved.table()
        decisions = table.to_dict(orient="records")
        outputs[""] = StageOutput(tables={"decisions": table, "reconciliation": _reconciliation(outputs)})
    except CarbonError as exc:
        error, kind = str(exc), "input"
    except OSError as exc:  # the file system refused a file the scenario names (too long, a folder, unreadable)
        name = f"{str(exc.filename)[:200]}: " if exc.filename else ""
        error, kind = f"{spec.file}: cannot read {name}{exc.strerror or exc}", "input"
    except Exception as exc:  # noqa: BLE001 - a bug: record it, keep the batch going
        error, kind, trace = f"internal error: {type(exc).__name__}: {exc}", "internal", traceback.format_exc()
    elapsed = time.perf_counter() - started
    summaries = {stage: out.summary for stage, out in outputs.items() if stage}
    manifest = {
        "run": spec.name,
        "scenario_file": spec.file,
        "scenario": spec.scenario.as_data(),
        "decisions": decisions,
        "hash": digest,
        "seed": spec.seed,
        "status": "ok" if error is None else "failed",
        "error": error,
        "traceback": trace,
        "summary": summaries,
        "timings_s": {"total": round(elapsed, 6)},
        "table_format": fmt,
        **(prov or {}),
    }
    try:
        with table_format(fmt):
            write_run(run_dir, manifest, outputs)
    except CarbonError as exc:
        error, kind = str(exc), "input"
    except OSError as exc:
        error, kind = f"cannot write run folder {run_dir}: {exc}", "input"
    row.update(_flatten(summaries))
    if error is not None:
        row.update(status="failed", error=error, kind=kind)
    return row


class Progress:
    """Runs done/total, failures, elapsed time and an estimate, on standard error."""

    def __init__(self, quiet: bool = False, stream=None) -> None:
        self.quiet, self.total, self.done, self.failed, self.skipped = quiet, 0, 0, 0, 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def start(self, total: int) -> None:
        """Begin counting ``total`` runs."""
        self.total, self.done, self.failed, self.skipped, self.started = total, 0, 0, 0, time.monotonic()

    def update(self, row: dict) -> None:
        self.done += 1
        self.failed += row.get("status") != "ok"
        self.skipped += bool(row.get("skipped"))
        if self.quiet:
            return
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done)
        text = (
            f"[{self.done}/{self.total}] {self.failed} failed, {elapsed:.1f} s elapsed, "
            f"~{left:.1f} s left  {row['run']}: {'skipped' if row.get('skipped') else row['status']}"
        )
        if self.tty:
            self.stream.write("\r\033[K" + text + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


WINDOW = 4
"""Runs in flight per worker: the batch hands out runs as workers finish, so memory stays flat
however long the batch is."""


def _in_processes(specs: Iterator[RunSpec], total: int, out_dir, prov, resume, jobs, fmt) -> Iterable[dict]:
    if jobs <= 1 or total <= 1:
        for spec in specs:
            yield execute(spec, out_dir, prov, resume, fmt)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, total)) as pool:
        pending: set = set()
        for spec in specs:
            pending.add(pool.submit(execute, spec, out_dir, prov, resume, fmt))
            if len(pending) >= WINDOW * jobs:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
        for future in as_completed(pending):
            yield future.result()


def _on_dask(
    specs: Iterator[RunSpec], out_dir, prov, resume, scheduler: str | None, workers: int | None, fmt: str
) -> Iterable[dict]:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError("Dask is not installed", expected="pip install 'carbon-peak-engine[dask]'") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler: {exc}", key="--scheduler", found=scheduler) from None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        window = WINDOW * max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
        stream = dask_completed()
        in_flight = 0
        for spec in specs:
            stream.add(client.submit(execute, spec, str(out_dir), prov, resume, fmt, pure=False))
            in_flight += 1
            if in_flight >= window:
                yield next(stream).result()
                in_flight -= 1
        for future in stream:
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass(frozen=True)
class Batch:
    """The runs of a batch, checked but not held: ``specs()`` builds them again one at a time."""

    files: tuple[Path, ...]  # scenario files that load
    names: tuple[str, ...]  # every run name to do, in order
    skip: frozenset[int]  # positions (in file order) of runs refused for their folder
    max_runs: int

    def specs(self) -> Iterator[RunSpec]:
        """The runs, built lazily (memory does not grow with the batch)."""
        position = 0
        for file in self.files:
            for spec in iter_runs(file, self.max_runs):
                if position not in self.skip:
                    yield spec
                position += 1


def check_batch(paths: list[str | Path], max_runs: int = MAX_RUNS) -> tuple[Batch, list[dict]]:
    """Check every run of the scenario files (or folders) given, keeping only their names; a
    failed row for each file that cannot be loaded (a broken file never stops the others, and a
    file runs all of its runs or none). Two runs that would get the same folder (the same name,
    or a run named like a Monte Carlo scenario's aggregate folder) are input errors. Raises
    :class:`InputError` only when a path does not exist."""
    files: list[Path] = []
    runs: list[tuple[str, str, bool]] = []  # file, name, is a sample
    failed: list[dict] = []
    for file in scenario_files(paths):
        try:
            found = [(spec.file, spec.name, spec.seed is not None) for spec in iter_runs(file, max_runs)]
        except CarbonError as exc:
            failed.append({"run": file.stem, "status": "failed", "file": str(file), "error": str(exc), "kind": "input"})
            continue
        except (OSError, RecursionError, ValueError) as exc:  # the file system or a corner the checks missed
            failed.append(
                {
                    "run": file.stem,
                    "status": "failed",
                    "file": str(file),
                    "kind": "input",
                    "error": f"{file}: cannot load: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}",
                }
            )
            continue
        files.append(file)
        runs.extend(found)
    aggregates = {base: file for file, name, _ in runs if (base := sample_scenario(name)) is not None}
    seen: dict[str, str] = {}
    names: list[str] = []
    skip: set[int] = set()
    for position, (file, name, is_sample) in enumerate(runs):
        key = name.lower()  # one folder on a case-insensitive file system
        other = seen.get(key) or (aggregates.get(name) if not is_sample else None)
        if other is not None:
            what = "run" if key in seen else "Monte Carlo aggregate folder"
            failed.append(
                {
                    "run": name,
                    "status": "failed",
                    "file": file,
                    "kind": "input",
                    "error": f"{file}: run name {name!r} is already used by a {what} of {other}",
                }
            )
            skip.add(position)
            continue
        seen[key] = file
        names.append(name)
    return Batch(tuple(files), tuple(names), frozenset(skip), max_runs), failed


def load_batch(paths: list[str | Path], max_runs: int = MAX_RUNS) -> tuple[list[RunSpec], list[dict]]:
    """The runs of :func:`check_batch` as a list (for a notebook or a test; a batch streams them)."""
    batch, failed = check_batch(paths, max_runs)
    return list(batch.specs()), failed


def output_folder(out_dir: Path) -> Path:
    """The results folder, created; :class:`InputError` if it is a file or cannot be created."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            "the output folder is a file", file=out_dir, key="-o", expected="a folder (new or existing)", found="a file"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror or exc}", file=out_dir, key="-o") from None
    return out_dir


def run_batch(
    paths: list[str | Path],
    out_dir: str | Path = "results",
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    max_runs: int = MAX_RUNS,
    fmt: str = "auto",
) -> pd.DataFrame:
    """Run every scenario of the given files or folders; write run folders and ``summary.csv``.

    ``fmt``: ``auto`` writes tables of more than 100,000 rows as Parquet, ``csv`` every table
    as CSV (see :func:`carbon.results.write_table`).

    Returns the summary table (one row per run, sorted by run name). Runs go to local processes
    (``jobs``, default all cores), to the Dask scheduler at ``scheduler``, or to a local Dask
    cluster of ``dask_local`` workers; the files written are the same whichever way. With
    ``resume``, leftover ``.tmp-*`` folders of interrupted writes are removed first. A scenario
    file of more than ``max_runs`` runs fails (see :data:`carbon.scenario.MAX_RUNS`).
    """
    check_table_format(fmt)
    batch, rows = check_batch(paths, max_runs)
    out_dir = output_folder(Path(out_dir))
    if resume:
        remove_leftovers(out_dir)
    if progress is not None:
        progress.start(len(batch.names) + len(rows))
        for row in rows:
            progress.update(row)
    prov = provenance()
    if scheduler or dask_local:
        stream = _on_dask(batch.specs(), out_dir, prov, resume, scheduler, dask_local, fmt)
    else:
        stream = _in_processes(batch.specs(), len(batch.names), out_dir, prov, resume, jobs or os.cpu_count() or 1, fmt)
    for row in stream:
        rows.append(row)
        if progress is not None:
            progress.update(row)
    return finish_batch(out_dir, rows)


def finish_batch(out_dir: Path, rows: list[dict]) -> pd.DataFrame:
    """After the runs of a batch: the Monte Carlo aggregates and ``summary.csv`` (written
    atomically; a failure to write it is an :class:`InputError`); returns the summary table."""
    from carbon.batch import aggregate

    try:
        aggregate(out_dir, rows)
    except CarbonError as exc:
        rows.append({"run": "(Monte Carlo aggregate)", "status": "failed", "error": str(exc), "kind": "input"})
    summary = summary_table(rows)
    try:
        write_text_atomic(out_dir / "summary.csv", summary.to_csv(index=False, lineterminator="\n"))
    except OSError as exc:
        raise InputError(
            f"cannot write summary.csv: {exc.strerror or exc}",
            file=out_dir / "summary.csv",
            expected="a writable output folder with free space",
        ) from None
    return summary


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """Rows sorted by run name; columns: run, status, the key figures, then file, error, kind."""
    frame = pd.DataFrame(rows)
    for col in ("error", "kind"):
        if col not in frame:
            frame[col] = None
    figures = sorted(c for c in frame.columns if "." in c)
    frame = frame[["run", "status", *figures, "file", "error", "kind"]]
    return frame.sort_values("run", kind="stable", ignore_index=True)
