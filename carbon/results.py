"""Run folders: what a stage returns, and atomic writing and reading of runs."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class StageOutput:
    """What one stage of a run (inventory, energy, market, pathway) returns.

    ``tables`` are written as ``<run>/<stage>/<name>.csv`` (a name may contain ``/`` for a
    sub-folder), ``documents`` as ``<run>/<stage>/<name>.json``; ``summary`` holds the key
    figures (JSON scalars, units in the key names, e.g. ``co2e_t``) that go into the manifest
    and, prefixed with the stage name, into the batch's ``summary.csv``.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=_json_default, allow_nan=True) + "\n",
                    encoding="utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a tidy table as CSV (no index; floats in full precision, so files are reproducible)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def write_stage(folder: Path, output: StageOutput) -> None:
    """Write one stage's tables (CSV) and documents (JSON) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in sorted(output.tables.items()):
        write_table(frame, folder / f"{name}.csv")
    for name, doc in sorted(output.documents.items()):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        _write_json(folder / f"{name}.json", doc)


def write_run(run_dir: Path, manifest: dict, outputs: dict[str, StageOutput]) -> Path:
    """Write a run folder atomically: everything goes to a temporary folder that is then renamed.

    An interrupted write leaves at most a hidden ``.tmp-*`` folder, never a half-written run.
    """
    run_dir = Path(run_dir)
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{run_dir.name}-", dir=run_dir.parent))
    try:
        for stage, output in outputs.items():
            write_stage(tmp / stage, output)
        _write_json(tmp / "manifest.json", manifest)
        old = None
        if run_dir.exists():
            old = run_dir.with_name(f".old-{run_dir.name}-{os.getpid()}")
            os.rename(run_dir, old)
        os.rename(tmp, run_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return run_dir


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small file atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, path)


def read_manifest(run_dir: Path) -> dict | None:
    """The manifest of a run folder, or None if there is none (or it cannot be read)."""
    try:
        return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_table(run_dir: Path, stage: str, name: str) -> pd.DataFrame:
    """One table of a run folder, e.g. ``read_table(run, "inventory", "by_sector")``."""
    return pd.read_csv(Path(run_dir) / stage / f"{name}.csv")
