"""Run folders: what a stage returns, and atomic writing and reading of runs."""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbon.errors import InputError
from carbon.files import _umask, atomic_file, inside, write_text_atomic  # noqa: F401 (re-exported)


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


TABLE_FORMATS = ("auto", "csv")
"""``auto``: tables of more than :data:`LARGE_TABLE_ROWS` rows as Parquet, the others as CSV;
``csv``: every table as CSV."""

LARGE_TABLE_ROWS = 100_000
"""Tables with more rows than this are written as Parquet in the ``auto`` format (a
spreadsheet opens about a million rows; CSV of that size is slow to write and to read)."""

PARQUET_ROW_GROUP = 1_000_000
"""Rows per Parquet row group (fixed, so the same table gives the same bytes)."""

_TABLE_FORMAT: contextvars.ContextVar[str] = contextvars.ContextVar("table_format", default="auto")


def check_table_format(fmt: str) -> str:
    """``fmt`` if it names a table format, else :class:`~carbon.errors.InputError`."""
    if fmt not in TABLE_FORMATS:
        raise InputError("unknown table format", key="format", expected=" or ".join(TABLE_FORMATS), found=fmt)
    return fmt


@contextlib.contextmanager
def table_format(fmt: str | None):
    """Within the block, :func:`write_table` writes tables in ``fmt`` (``auto`` or ``csv``;
    None keeps the current one). :class:`~carbon.errors.InputError` for another name."""
    if fmt is None:
        yield
        return
    check_table_format(fmt)
    token = _TABLE_FORMAT.set(fmt)
    try:
        yield
    finally:
        _TABLE_FORMAT.reset(token)


def write_table(frame: pd.DataFrame, path: Path, fmt: str | None = None) -> Path:
    """Write a tidy table (no index) and return the file written.

    ``path`` names the table as ``<name>.csv``; with the format ``auto`` (default, or the one
    set by :func:`table_format`) a table of more than :data:`LARGE_TABLE_ROWS` rows is written
    as ``<name>.parquet`` instead (pyarrow, zstd, fixed row groups, no pandas or timestamp
    metadata), so files are reproducible byte for byte; CSV keeps floats in full precision.
    """
    fmt = check_table_format(fmt or _TABLE_FORMAT.get())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "auto" and len(frame) > LARGE_TABLE_ROWS:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = path.with_suffix(".parquet")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata(None)
        pq.write_table(table, path, compression="zstd", row_group_size=PARQUET_ROW_GROUP, use_dictionary=True)
        return path
    text = csv_text(frame)
    if text is None:
        frame.to_csv(path, index=False, lineterminator="\n")
    else:
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    return path


_CSV_SPECIAL = frozenset(',"\n')
"""Characters that make pandas' CSV writer (the csv module, minimal quoting, ``\\n`` line ends)
quote a field. Whether a carriage return does depends on the Python version: text holding one
is left to pandas."""


class _LeftToPandas(Exception):
    """A column or value :func:`csv_text` does not write the way pandas does."""


def _csv_field(text: str) -> str:
    if "\r" in text:
        raise _LeftToPandas
    return text if _CSV_SPECIAL.isdisjoint(text) else '"' + text.replace('"', '""') + '"'


def _csv_cells(column: pd.Series) -> list[str]:
    """The CSV fields of one column as pandas writes them (floats in shortest round-trip form,
    missing values empty); :class:`_LeftToPandas` for a dtype or a text this path does not cover."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind != "O":
        if dtype.kind == "f" and dtype.itemsize == 8:
            values = column.to_numpy()
            cells = list(map(float.__repr__, values.tolist()))
            if np.isnan(values).any():
                cells = ["" if cell == "nan" else cell for cell in cells]
            return cells
        if dtype.kind in "iub":
            return list(map(str, column.to_numpy().tolist()))
        raise _LeftToPandas
    if not isinstance(dtype, pd.StringDtype) and pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        raise _LeftToPandas  # an object column holding numbers, dates, ...: pandas formats those
    cells = column.to_numpy(dtype=object, na_value="").tolist()
    text = "".join(cells)
    if "\r" in text:
        raise _LeftToPandas
    return cells if _CSV_SPECIAL.isdisjoint(text) else [_csv_field(cell) for cell in cells]


def csv_text(frame: pd.DataFrame) -> str | None:
    """The text ``frame.to_csv(index=False, lineterminator="\\n")`` writes, built from plain
    Python values: the same bytes (a property test compares them) in about half the time for
    a run's tables. None when the frame has fewer than two columns or no rows, column names
    that are not unique text, a column other than float64, integer, boolean or text, or text
    holding a carriage return (then pandas writes it)."""
    names = list(frame.columns)
    if len(names) < 2 or not len(frame) or not frame.columns.is_unique or not all(type(n) is str for n in names):
        return None
    try:
        header = ",".join(map(_csv_field, names))
        columns = [_csv_cells(frame[name]) for name in names]
    except _LeftToPandas:
        return None
    return header + "\n" + "".join([",".join(row) + "\n" for row in zip(*columns)])


def table_path(folder: str | Path, name: str) -> Path:
    """The file of table ``name`` in ``folder``: ``<name>.parquet`` when it exists, else
    ``<name>.csv`` (which may not exist). ``name`` may end in ``.csv`` or ``.parquet``."""
    folder = Path(folder)
    stem = name.removesuffix(".csv").removesuffix(".parquet")
    parquet = folder / f"{stem}.parquet"
    return parquet if parquet.is_file() else folder / f"{stem}.csv"


def write_stage(folder: Path, output: StageOutput) -> None:
    """Write one stage's tables (CSV) and documents (JSON) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in sorted(output.tables.items()):
        write_table(frame, inside(folder, folder / f"{name}.csv"))
    for name, doc in sorted(output.documents.items()):
        path = inside(folder, folder / f"{name}.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_json(path, doc)


MARKER = ".carbon-output"
"""A hidden file in every folder :func:`write_folder` writes without a manifest: only such a
folder, a folder with a ``manifest.json`` (a run) or an empty one may be replaced."""


def _replaceable(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    return (folder / MARKER).is_file() or (folder / "manifest.json").is_file() or not any(folder.iterdir())


def write_folder(folder: Path, outputs: dict[str, StageOutput], documents: dict[str, Any] | None = None) -> Path:
    """Write stage outputs into ``folder`` atomically (``""`` = the folder itself, else a
    sub-folder per key), plus top-level JSON ``documents`` (``{"manifest": {...}}``).

    Everything goes to a hidden temporary folder beside ``folder`` that then replaces it, so an
    interrupted write leaves at most a ``.tmp-*`` folder, never a half-written one. Every path
    written is checked to stay inside the temporary folder; an existing file, or a non-empty
    folder this function did not write, is never replaced (:class:`InputError`).
    """
    folder = Path(folder)
    if folder.exists() and not _replaceable(folder):
        raise InputError("the output folder exists and was not written by carbon", file=folder,
                         expected="a new folder, an empty one, or one written by an earlier carbon command",
                         found="a file" if not folder.is_dir() else "a folder with other files",
                         hint="choose another output folder, or remove it yourself")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{folder.name}-", dir=folder.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        for stage, output in outputs.items():
            write_stage(inside(tmp, tmp / stage) if stage else tmp, output)
        for name, doc in (documents or {}).items():
            _write_json(inside(tmp, tmp / f"{name}.json"), doc)
        if "manifest" not in (documents or {}):  # a run folder is known by its manifest
            (tmp / MARKER).write_text("written by the carbon peak engine; replaced as a whole by the next write\n",
                                      encoding="utf-8")
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


def remove_leftovers(out_dir: Path) -> list[str]:
    """Remove the ``.tmp-*`` and ``.old-*`` folders an interrupted write left in ``out_dir``
    (only direct sub-folders of it); return their names."""
    removed: list[str] = []
    if not Path(out_dir).is_dir():
        return removed
    for child in sorted(Path(out_dir).iterdir()):
        if child.name.startswith((".tmp-", ".old-")) and child.is_dir() and not child.is_symlink():
            shutil.rmtree(inside(out_dir, child), ignore_errors=True)
            removed.append(child.name)
    return removed


def write_run(run_dir: Path, manifest: dict, outputs: dict[str, StageOutput]) -> Path:
    """Write a run folder atomically: the stages' tables and ``manifest.json``."""
    return write_folder(run_dir, outputs, {"manifest": manifest})


def read_manifest(run_dir: Path) -> dict | None:
    """The manifest of a run folder, or None if there is none (or it cannot be read)."""
    try:
        return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Reading run folders: the one reader, next to the writer.


def read_table(path: str | Path) -> pd.DataFrame:
    """A table of a run folder, CSV or Parquet; :class:`~carbon.errors.InputError` if it cannot
    be read.

    ``<name>.csv`` and ``<name>.parquet`` name the same table: whichever exists is read
    (Parquet first), so readers need not know the format a run was written in. Categorical
    columns of a Parquet file come back as text columns, as from a CSV.
    """
    path = Path(path)
    if path.suffix in (".csv", ".parquet") and not path.is_file():
        path = table_path(path.parent, path.name)
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            frame = pq.read_table(path).to_pandas()
            for column in frame.columns:
                if isinstance(frame[column].dtype, pd.CategoricalDtype):
                    frame[column] = frame[column].astype(str)  # the text dtype read_csv gives
            return frame
        return pd.read_csv(path)
    except FileNotFoundError:
        raise InputError("no such table", file=path, expected="a CSV or Parquet table", found="absent") from None
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (OSError, ValueError) as exc:
        raise InputError("cannot read table", file=path, expected="a CSV or Parquet table",
                         found=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def read_json(path: str | Path) -> Any:
    """A JSON document of a run folder; :class:`~carbon.errors.InputError` if it cannot be read."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such document", file=path, expected="a JSON document", found="absent") from None
    except (OSError, ValueError) as exc:
        raise InputError("cannot read JSON", file=path, expected="a JSON document", found=str(exc)) from None


def _names(folder: Path, suffix: str) -> list[str]:
    """Names (relative, ``/``-separated, without ``suffix``) of the files under ``folder``."""
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob(f"*{suffix}")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))


@dataclass(frozen=True, eq=False)
class RunResult:
    """A run folder written by ``carbon run`` (:func:`write_run`), read lazily.

    Open one with :func:`open_run`. Tables are read on first use and cached.

    Attributes
    ----------
    path
        The run folder.
    name
        The run's name (``manifest["run"]``, else the folder name).
    manifest
        ``manifest.json``: status, error, the resolved scenario, key figures per stage, provenance.
    status
        ``"ok"`` or ``"failed"``.
    scenario
        The resolved scenario (a dict) the run computed.
    decisions
        ``decisions.csv`` of the run (how quantities with several homes were resolved); empty
        when the run has none.
    """

    path: Path
    name: str
    manifest: dict
    status: str
    scenario: dict
    decisions: pd.DataFrame
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when the run finished (``status == "ok"``)."""
        return self.status == "ok"

    @property
    def summary(self) -> dict[str, Any]:
        """Key figures by ``<stage>.<figure>`` (units in the names, e.g. ``inventory.co2e_t``)."""
        return {f"{stage}.{key}": value for stage, figures in sorted((self.manifest.get("summary") or {}).items())
                for key, value in sorted(figures.items())}

    @property
    def error(self) -> str | None:
        """The error of a failed run, else None."""
        return self.manifest.get("error")

    @property
    def stages(self) -> list[str]:
        """The stages with a folder in the run (``energy``, ``inventory``, ``market``, ``pathway``, ...)."""
        return sorted(p.name for p in self.path.iterdir() if p.is_dir() and not p.name.startswith("."))

    def tables(self, stage: str) -> list[str]:
        """Names of the stage's tables (``<run>/<stage>/<name>.csv`` or ``.parquet``; ``/`` for
        sub-folders)."""
        return sorted(set(_names(self.path / stage, ".csv")) | set(_names(self.path / stage, ".parquet")))

    def documents(self, stage: str) -> list[str]:
        """Names of the stage's JSON documents (``<run>/<stage>/<name>.json``)."""
        return _names(self.path / stage, ".json")

    def table(self, stage: str, name: str) -> pd.DataFrame:
        """``<run>/<stage>/<name>.csv`` or ``.parquet`` (read once, then cached; do not modify the
        frame in place).

        :class:`~carbon.errors.InputError` naming the file, with the tables that exist, when absent.
        """
        key = f"{stage}/{name}"
        if key not in self._cache:
            path = table_path(self.path / stage, name)
            if not path.is_file():
                raise self._missing(stage, path, self.tables(stage), "table")
            self._cache[key] = read_table(path)
        return self._cache[key]

    def document(self, stage: str, name: str) -> dict:
        """``<run>/<stage>/<name>.json``; :class:`~carbon.errors.InputError` naming the file when absent."""
        path = self.path / stage / f"{name}.json"
        if not path.is_file():
            raise self._missing(stage, path, self.documents(stage), "document")
        return read_json(path)

    def _missing(self, stage: str, path: Path, existing: list[str], what: str) -> Exception:
        if existing:
            expected = f"a {what} of {stage}/: " + ", ".join(existing)
        elif stage in self.stages:
            expected = f"a {what} of {stage}/ (it has none)"
        else:
            expected = f"a stage of this run: {', '.join(self.stages) or '(none: the run has no stage folders)'}"
        return InputError(f"no {what} {path.name} in this run", file=path, expected=expected, found="absent")


def run_manifest(path: str | Path) -> dict:
    """The manifest of a run folder written by ``carbon run`` (what :func:`open_run` reads
    first; alone, for a reader that needs nothing else, e.g. to list a batch's runs).

    Raises :class:`~carbon.errors.InputError` when ``path`` has no readable ``manifest.json``.
    """
    path = Path(path)
    if not path.is_dir():
        raise InputError("not a run folder", file=path, expected="a folder written by carbon run",
                         found="does not exist" if not path.exists() else "a file")
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise InputError("not a run folder", file=path, expected="a folder written by carbon run",
                         found="no manifest.json")
    manifest = read_json(manifest_path)
    if not isinstance(manifest, dict):
        raise InputError("not a run folder", file=manifest_path, expected="a folder written by carbon run",
                         found=f"manifest.json holds a {type(manifest).__name__}, not an object")
    return manifest


def open_run(path: str | Path) -> RunResult:
    """Open a run folder written by ``carbon run``.

    Raises :class:`~carbon.errors.InputError` when ``path`` has no readable ``manifest.json``.

    >>> run = open_run("results/baseline")            # doctest: +SKIP
    >>> run.table("pathway", "annual").head()          # doctest: +SKIP
    """
    path = Path(path)
    manifest = run_manifest(path)
    decisions_path = path / "decisions.csv"
    decisions = read_table(decisions_path) if decisions_path.is_file() else pd.DataFrame()
    return RunResult(
        path=path,
        name=str(manifest.get("run") or path.name),
        manifest=manifest,
        status=str(manifest.get("status") or "ok"),
        scenario=manifest.get("scenario") or {},
        decisions=decisions,
    )


INDICATOR_VIEWS = ("scope1", "scope12")


@dataclass(frozen=True, eq=False)
class BatchResult:
    """A results folder of ``carbon run``: ``summary.csv`` and one run folder per run.

    Open one with :func:`open_batch`.

    Attributes
    ----------
    path
        The results folder.
    summary
        ``summary.csv`` (one row per run, key figures as ``<stage>.<figure>`` columns); empty
        when the folder has none.
    runs
        Names of the run folders (sorted; Monte Carlo aggregate folders are not runs).
    """

    path: Path
    summary: pd.DataFrame
    runs: list[str]
    _cache: dict[str, RunResult] = field(default_factory=dict, init=False, repr=False)

    def run(self, name: str) -> RunResult:
        """The run folder ``name`` of the batch; :class:`~carbon.errors.InputError` if there is none."""
        if name not in self.runs:
            raise InputError("no such run in this batch", file=self.path, key=name,
                             expected=", ".join(self.runs) or "(the batch has no run folders)", found=name)
        if name not in self._cache:
            self._cache[name] = open_run(self.path / name)
        return self._cache[name]

    def indicators(self, view: str = "scope12") -> pd.DataFrame:
        """Every ok run's ``pathway/annual.csv`` in one frame: columns ``run``, ``year``, ``view``,
        ``co2e_t`` (the emissions of ``view``: ``scope1`` or ``scope12``), then the columns of
        ``annual.csv``. Runs without a pathway (or that failed) are left out."""
        if view not in INDICATOR_VIEWS:
            raise InputError("unknown view", key="view", expected=", ".join(INDICATOR_VIEWS), found=view)
        frames = []
        for name in self.runs:
            run = self.run(name)
            if not run.ok or not table_path(run.path / "pathway", "annual").is_file():
                continue
            annual = run.table("pathway", "annual")
            column = f"co2e_t_{view}"
            if column not in annual.columns:
                raise InputError("a table lacks a column", file=table_path(run.path / "pathway", "annual"),
                                 expected=column, found=", ".join(map(str, annual.columns)))
            frame = annual.copy()
            frame.insert(0, "run", name)
            frame.insert(2 if "year" in frame.columns else 1, "view", view)
            frame.insert(3 if "year" in frame.columns else 2, "co2e_t", annual[column].to_numpy())
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=["run", "year", "view", "co2e_t"])
        return pd.concat(frames, ignore_index=True)


def _is_run_folder(folder: Path) -> bool:
    """A sub-folder of a batch holding a run (a Monte Carlo aggregate also has a manifest: not a run)."""
    if folder.name.startswith(".") or not (folder / "manifest.json").is_file():
        return False
    manifest = read_manifest(folder)
    return not (isinstance(manifest, dict) and manifest.get("kind") == "monte_carlo")


def open_batch(path: str | Path) -> BatchResult:
    """Open a results folder of ``carbon run`` (``summary.csv`` and run folders).

    Raises :class:`~carbon.errors.InputError` when ``path`` holds neither.

    >>> batch = open_batch("results")                 # doctest: +SKIP
    >>> batch.indicators().pivot(index="year", columns="run", values="co2e_t")   # doctest: +SKIP
    """
    path = Path(path)
    expected = "a results folder written by carbon run (summary.csv and run folders)"
    if not path.is_dir():
        raise InputError("not a batch folder", file=path, expected=expected,
                         found="does not exist" if not path.exists() else "a file")
    if (path / "manifest.json").is_file():
        raise InputError("not a batch folder", file=path, expected=expected, found="a run folder",
                         hint="open it with carbon.open_run")
    runs = sorted(c.name for c in path.iterdir() if c.is_dir() and _is_run_folder(c))
    summary_path = path / "summary.csv"
    if not runs and not summary_path.is_file():
        raise InputError("not a batch folder", file=path, expected=expected,
                         found="no summary.csv and no run folders")
    summary = read_table(summary_path) if summary_path.is_file() else pd.DataFrame()
    return BatchResult(path=path, summary=summary, runs=runs)
