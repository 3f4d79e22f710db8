"""Run folders: what a stage returns, and atomic writing and reading of runs."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


def write_folder(folder: Path, outputs: dict[str, StageOutput], documents: dict[str, Any] | None = None) -> Path:
    """Write stage outputs into ``folder`` atomically (``""`` = the folder itself, else a
    sub-folder per key), plus top-level JSON ``documents`` (``{"manifest": {...}}``).

    Everything goes to a hidden temporary folder beside ``folder`` that then replaces it, so an
    interrupted write leaves at most a ``.tmp-*`` folder, never a half-written one.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{folder.name}-", dir=folder.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        for stage, output in outputs.items():
            write_stage(tmp / stage if stage else tmp, output)
        for name, doc in (documents or {}).items():
            _write_json(tmp / f"{name}.json", doc)
        old = None
        if folder.exists():
            old = folder.with_name(f".old-{folder.name}-{os.getpid()}")
            os.rename(folder, old)
        os.rename(tmp, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def write_run(run_dir: Path, manifest: dict, outputs: dict[str, StageOutput]) -> Path:
    """Write a run folder atomically: the stages' tables and ``manifest.json``."""
    return write_folder(run_dir, outputs, {"manifest": manifest})


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_file(path: Path, suffix: str = "") -> Iterator[str]:
    """A temporary file next to ``path`` that replaces it when the block ends without error
    (with the permissions of a normal new file, not the private ones of a temporary file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small text file atomically (UTF-8, ``\n`` line ends)."""
    with atomic_file(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8", newline="\n")


def read_manifest(run_dir: Path) -> dict | None:
    """The manifest of a run folder, or None if there is none (or it cannot be read)."""
    try:
        return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
