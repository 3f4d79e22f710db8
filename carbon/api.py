"""The scripting interface: run a scenario (a file or a :class:`~carbon.scenario.Scenario`) and
read its results as DataFrames.

>>> import carbon
>>> run = carbon.run("scenarios/inventory/base.yaml", out_dir=tmp)
>>> run.status, round(run.summary["inventory.co2e_t"] / 1e4, 1)        # 10^4 t CO2e
('ok', 368.2)
>>> run.table("inventory", "emissions").columns[:4].tolist()
['year', 'sector', 'category', 'item']

:func:`run` writes the run folder ``out_dir/<run name>/`` (as ``carbon run -o out_dir`` does) and
returns it opened by :func:`carbon.open_run`; :func:`run_batch` runs every run of files,
folders or a scenario with a sweep or samples and returns the batch opened by
:func:`carbon.open_batch`. A run that fails on bad input raises :class:`~carbon.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from carbon.errors import InputError
from carbon.results import BatchResult, RunResult, open_batch, open_run
from carbon.scenario import MAX_RUNS, Scenario

__all__ = ["run", "run_batch"]


def run(scenario: str | Path | Scenario, out_dir: str | Path = "results") -> RunResult:
    """Run one scenario end to end and return its run folder, opened.

    Parameters
    ----------
    scenario
        A scenario file, or a :class:`~carbon.scenario.Scenario` (e.g. from
        :meth:`~carbon.scenario.Scenario.with_values`). It must be one run: a file with a sweep
        or samples goes to :func:`run_batch`.
    out_dir
        The results folder; the run is written to ``out_dir/<name>/`` (default ``results``).

    Returns
    -------
    RunResult
        The run folder, opened (:func:`carbon.open_run`): tables as DataFrames.

    Raises
    ------
    InputError
        Bad input, also when the run fails on it.
    RuntimeError
        An internal error of the engine.
    """
    from carbon.runner import execute, provenance

    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_file(scenario)
    if scenario.n_runs != 1:
        raise InputError("the scenario expands to several runs (a sweep or samples)", file=scenario.file,
                         expected="one run", found=f"{scenario.n_runs:,} runs", hint="use carbon.run_batch")
    specs = scenario.runs()
    row = execute(specs[0], Path(out_dir), provenance())
    if row["status"] != "ok":
        if row.get("kind") == "internal":
            raise RuntimeError(row["error"])
        raise InputError(str(row["error"]), file=specs[0].file)
    return open_run(Path(out_dir) / specs[0].name)


def run_batch(scenarios: str | Path | Scenario | Sequence[str | Path], out_dir: str | Path = "results", *,
              jobs: int | None = 1, max_runs: int = MAX_RUNS) -> BatchResult:
    """Run every run of scenario files, folders of them, or one :class:`~carbon.scenario.Scenario`
    (its sweep times its samples); write run folders and ``summary.csv`` into ``out_dir`` and
    return the batch, opened (:meth:`~carbon.results.BatchResult.indicators` is one tidy frame).

    Runs that fail are listed in the summary with their error (the batch goes on); ``jobs``
    local processes for files (default 1; None: all cores), one process for a Scenario object.
    """
    from carbon.runner import execute, finish_batch, output_folder, provenance
    from carbon.runner import run_batch as run_files

    out = Path(out_dir)
    if not isinstance(scenarios, Scenario):
        paths = [scenarios] if isinstance(scenarios, (str, Path)) else list(scenarios)
        run_files(paths, out, jobs=jobs, max_runs=max_runs)
        return open_batch(out)
    out = output_folder(out)
    prov = provenance()
    finish_batch(out, [execute(spec, out, prov) for spec in scenarios.runs(max_runs)])
    return open_batch(out)
