"""Reading run folders, batches and Monte Carlo aggregates for drawing (never solving)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from carbon.errors import InputError
from carbon.results import read_json, read_table, run_manifest, table_path
from carbon.scenario import sample_scenario

AGGREGATE_FILES = ("peak_year_distribution.csv", "bands.csv")


class MissingData(InputError):
    """A figure's data is not in the folder (the figure is skipped when drawing all)."""


def _read_csv(path: Path, required: tuple[str, ...], cache: dict[Path, pd.DataFrame | None]) -> pd.DataFrame | None:
    """The CSV table at ``path``, read once per ``cache`` through :func:`carbon.results.read_table`
    (None when there is no such file); :class:`InputError` if it cannot be read or lacks a
    ``required`` column."""
    if path not in cache:
        cache[path] = read_table(path) if path.is_file() else None
    frame = cache[path]
    missing = [] if frame is None else [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            "a table lacks columns",
            file=path,
            expected=", ".join(required),
            found=", ".join(map(str, frame.columns)),
        )
    return frame


def truthy(value: object) -> bool:
    """A boolean cell of a CSV table: ``True``, ``true``, ``1`` or ``yes`` (spaces ignored)."""
    return str(value).strip().lower() in ("true", "1", "yes")


@dataclass
class Run:
    """A run folder for drawing: its manifest and lazily read tables. The files are read by
    :mod:`carbon.results` (:func:`~carbon.results.run_manifest`, :func:`~carbon.results.read_table`);
    this layer adds what the figures need (:class:`MissingData` to skip a figure, required
    columns, markets).

    Parameters
    ----------
    path
        The run folder (it holds ``manifest.json``).
    """

    path: Path
    manifest: dict = field(default_factory=dict)
    _cache: dict[Path, pd.DataFrame | None] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: str | Path) -> Run:
        """Open a run folder (its manifest, :func:`carbon.results.run_manifest`; the tables are
        read when a figure needs them); :class:`InputError` if it has no readable
        ``manifest.json``."""
        return cls(Path(path), run_manifest(path))

    @property
    def name(self) -> str:
        return str(self.manifest.get("run") or self.path.name)

    @property
    def ok(self) -> bool:
        return self.manifest.get("status", "ok") == "ok"

    @property
    def is_sample(self) -> bool:
        return sample_scenario(self.name) is not None

    @property
    def scenario(self) -> dict:
        return self.manifest.get("scenario") or {}

    def label(self, lang: str = "en") -> str:
        """The display name (:func:`display_name`)."""
        return display_name(self.name, self.scenario, lang)

    def has(self, stage: str, name: str) -> bool:
        if name.endswith((".csv", ".parquet")):
            return table_path(self.path / stage, name).is_file()
        return (self.path / stage / name).is_file()

    def table(self, stage: str, name: str, *, required: tuple[str, ...] = ()) -> pd.DataFrame:
        """``<run>/<stage>/<name>.csv``; :class:`MissingData` if absent, :class:`InputError` if
        it lacks a ``required`` column."""
        frame = _read_csv(table_path(self.path / stage, name), required, self._cache)
        if frame is None:
            raise MissingData(
                f"no {stage}/{name}.csv in this run", file=self.path, expected=f"{stage}/{name}.csv", found="absent"
            )
        return frame

    def document(self, stage: str, name: str) -> dict:
        """``<run>/<stage>/<name>.json``; :class:`MissingData` if absent."""
        path = self.path / stage / f"{name}.json"
        if not path.is_file():
            raise MissingData(
                f"no {stage}/{name}.json in this run", file=self.path, expected=f"{stage}/{name}.json", found="absent"
            )
        return read_json(path)

    def markets(self) -> list[str]:
        """Names of the markets of the run: ``""`` for ``<run>/market/``, else sub-folder names."""
        base = self.path / "market"
        if not base.is_dir():
            return []
        if table_path(base, "periods").is_file():
            return [""]
        return sorted(p.name for p in base.iterdir() if p.is_dir() and table_path(p, "periods").is_file())

    def market_stage(self, market: str) -> str:
        return f"market/{market}" if market else "market"


@dataclass
class Aggregate:
    """A Monte Carlo aggregate folder (``peak_year_distribution.csv``, ``bands.csv``, ``summary.json``)."""

    path: Path
    _cache: dict[Path, pd.DataFrame | None] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def label(self, lang: str = "en") -> str:
        """The display name: the ``label:`` of its samples' scenario (read from the first sample
        folder beside it), else its name."""
        for sample in sorted(self.path.parent.glob(f"{self.path.name}__s*/manifest.json"))[:1]:
            try:
                return display_name(self.name, read_json(sample).get("scenario") or {}, lang)
            except (InputError, OSError, AttributeError):
                break
        return self.name

    def table(self, name: str, *, required: tuple[str, ...] = ()) -> pd.DataFrame:
        """``<aggregate>/<name>.csv``; :class:`MissingData` if absent, :class:`InputError` if it
        lacks a ``required`` column."""
        frame = _read_csv(self.path / f"{name}.csv", required, self._cache)
        if frame is None:
            raise MissingData(
                f"no {name}.csv in this aggregate", file=self.path, expected=f"{name}.csv", found="absent"
            )
        return frame

    def distributions(self) -> list[tuple[str, str]]:
        """``(view, table name)`` of the peak-year distributions.

        The aggregate writer (:func:`carbon.batch.aggregate`) writes the scope 1+2 view
        as ``peak_year_distribution.csv`` and the others as ``peak_year_distribution_<view>.csv``;
        an unsuffixed file with no suffixed ones beside it has view ``""``.
        """
        named = {
            path.stem.removeprefix("peak_year_distribution").lstrip("_"): path.stem
            for path in sorted(self.path.glob("peak_year_distribution*.csv"))
        }
        plain = named.pop("", None)
        if plain is not None and "scope12" not in named:
            named["scope12" if named else ""] = plain
        return sorted(named.items())

    def summary(self) -> dict[str, Any]:
        path = self.path / "summary.json"
        if not path.is_file():
            return {}
        return read_json(path)


def is_aggregate(path: Path) -> bool:
    return path.is_dir() and any((path / f).is_file() for f in AGGREGATE_FILES)


@dataclass
class Batch:
    """A results folder: runs (with ``manifest.json``), aggregates and ``summary.csv``."""

    path: Path
    runs: list[Run]
    aggregates: list[Aggregate]

    @cached_property
    def summary(self) -> pd.DataFrame | None:
        """``summary.csv`` (read once; None when absent)."""
        path = self.path / "summary.csv"
        return read_table(path) if path.is_file() else None

    @property
    def name(self) -> str:
        return self.path.name


def open_path(path: str | Path) -> Run | Batch | Aggregate:
    """A run folder, a batch (results folder) or a Monte Carlo aggregate folder.

    Raises :class:`InputError` when the path is none of these.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(
            "no such folder",
            file=p,
            expected="a run folder or a results folder of `carbon run`",
            found="does not exist",
        )
    if not p.is_dir():
        raise InputError(
            "not a folder", file=p, expected="a run folder or a results folder of `carbon run`", found="a file"
        )
    if is_aggregate(p):
        return Aggregate(p)
    if (p / "manifest.json").is_file():
        return Run.open(p)
    children = sorted(c for c in p.iterdir() if c.is_dir() and not c.name.startswith("."))
    aggregates = [Aggregate(c) for c in children if is_aggregate(c)]
    runs = [Run.open(c) for c in children if (c / "manifest.json").is_file() and not is_aggregate(c)]
    if not runs and not aggregates:
        raise InputError(
            "no runs in this folder",
            file=p,
            expected="a run folder (with manifest.json) or a results folder holding run folders",
            found=f"{len(children)} sub-folders, none with manifest.json",
        )
    return Batch(p, runs, aggregates)


def as_run(run: Run | str | Path) -> Run:
    """Accept a :class:`Run` or a path to a run folder."""
    return run if isinstance(run, Run) else Run.open(run)


def peak_target_year(targets: pd.DataFrame | None) -> int | None:
    """The peak target year of a run's ``pathway/targets.csv``: its first target named
    ``*peak*`` (None without one, or without the table)."""
    if targets is None or not {"target", "year"} <= set(targets.columns):
        return None
    peak = targets[targets["target"].astype(str).str.contains("peak", case=False)]
    return int(peak["year"].iloc[0]) if not peak.empty else None


def hourly_year(peak_target: int | None, years: Sequence[int]) -> int:
    """The milestone the hourly energy views (dispatch, prices, duration curves; the explorer's
    dispatch) show by default: the run's peak target year (2030 unless the scenario's
    ``targets.peak_by`` says otherwise) when it is a milestone, else the first.

    A pathway's first milestone is its base year, the county's existing system in every
    scenario; the year by which the county must peak is where the scenarios' systems differ.

    >>> hourly_year(2030, [2020, 2025, 2030]), hourly_year(None, [2020, 2025, 2030])
    (2030, 2020)
    """
    return peak_target if peak_target is not None and peak_target in years else int(years[0])


def sample_group(name: str) -> str:
    """``activity_mc__s0007`` -> ``activity_mc`` (a sample's scenario; other names unchanged)."""
    return sample_scenario(name) or name


def display_name(run: str, scenario: dict | None = None, lang: str = "en") -> str:
    """A run's name for legends and tables: its scenario's ``label:`` in ``lang`` (else the
    scenario's name), then the swept values and the sample number read from the run name, the
    swept keys named from the glossary.

    >>> display_name("s__carbon_price.2030=100", {"name": "s", "label": {"en": "Base", "zh": "基准"}}, "zh")
    '基准 (碳价 2030 = 100)'
    >>> display_name("policy")
    'policy'
    """
    from carbon import glossary

    scenario = scenario or {}
    label = scenario.get("label")
    if isinstance(label, dict):
        label = label.get(lang) or label.get("en")
    base = str(scenario.get("name") or run.split("__", 1)[0])
    if not run.startswith(base):
        base = run.split("__", 1)[0]
    rest = [p for p in run[len(base) :].split("__") if p]
    parts = []
    for part in rest:
        key, eq, value = part.partition("=")
        if not eq:
            if part[:1] == "s" and part[1:].isdigit():
                parts.append(glossary.term("sample_number", lang, kind="text").format(n=int(part[1:])))
            else:
                parts.append(part)
            continue
        words = key.split(".")
        named = [w for w in words if not w.isdigit()]
        head = glossary.term(named[-1], lang) if named else ""
        years = " ".join(w for w in words[len(words) - words[::-1].index(named[-1]) :] if w.isdigit()) if named else key
        parts.append(f"{head} {years}".strip() + f" = {value}")
    shown = str(label) if label else base
    return f"{shown} ({', '.join(parts)})" if parts else shown
