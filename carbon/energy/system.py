"""An energy system's inputs: the technology table, hourly profiles, lines and settings,
read from a model folder's ``energy/`` and changed by a scenario's ``energy:`` section."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbon.energy.schema import EnergySettings
from carbon.energy.technologies import apply_overrides, normalise_technologies, plain_rows, read_technologies
from carbon.errors import InputError
from carbon.merge import deep_merge
from carbon.model import read_yaml
from carbon.schema import did_you_mean, validate


@dataclass(frozen=True)
class EnergySystem:
    """Everything the optimisation needs, already checked.

    Attributes
    ----------
    technologies
        One row per technology, indexed by name (columns of
        :data:`carbon.energy.technologies.ATTRIBUTES`).
    profiles
        Hourly table: ``load_mw`` (MW at the default node), ``load_mw_<node>`` for other nodes,
        availability profiles (per MW) and price profiles (CNY/MWh); row i = hour i.
    settings
        The validated ``settings.yaml``.
    lines
        Transfer limits between nodes: ``name, from_node, to_node, capacity_mw`` (may be empty).
    folder
        Where the inputs were read from (for messages), or None.
    """

    technologies: pd.DataFrame
    profiles: pd.DataFrame
    settings: EnergySettings = field(default_factory=EnergySettings)
    lines: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["name", "from_node", "to_node", "capacity_mw"])
    )
    folder: Path | None = None

    @classmethod
    def from_frames(
        cls,
        technologies: pd.DataFrame | list[dict],
        profiles: pd.DataFrame | dict,
        settings: dict | EnergySettings | None = None,
        lines: pd.DataFrame | list[dict] | None = None,
    ) -> EnergySystem:
        """Build a checked system from in-memory tables (blank cells take the defaults)."""
        techs = normalise_technologies(pd.DataFrame(technologies))
        if not isinstance(settings, EnergySettings):
            settings = validate(EnergySettings, settings or {}, file="settings", prefix="settings")
        frame = pd.DataFrame(profiles).reset_index(drop=True)
        line_frame = _lines(pd.DataFrame(lines) if lines is not None else None, None)
        system = cls(techs, frame.astype(float), settings, line_frame, None)
        check_system(system)
        return system

    @property
    def file(self) -> str:
        """The folder name used in messages."""
        return str(self.folder) if self.folder else "energy system"

    def nodes(self) -> list[str]:
        """Nodes in a fixed order: the default node first, then the others sorted."""
        default = self.settings.default_node
        others = (
            {n for n in self.technologies["node"] if n}
            | set(self.lines.get("from_node", []))
            | set(self.lines.get("to_node", []))
        )
        others.discard(default)
        return [default, *sorted(others)]

    def node_of(self, technology: str) -> str:
        """Node of a technology (blank means the default node)."""
        return self.technologies.at[technology, "node"] or self.settings.default_node

    def load_column(self, node: str) -> str | None:
        """Profiles column of a node's load (None: no load at that node)."""
        if node == self.settings.default_node:
            return "load_mw"
        column = f"load_mw_{node}"
        return column if column in self.profiles.columns else None


def load_system(path: str | Path) -> EnergySystem:
    """Read a model's energy inputs from ``path/energy/`` (or ``path`` if it holds them).

    Reads ``technologies.csv``, ``profiles.csv``, ``settings.yaml`` (optional) and
    ``lines.csv`` (optional); raises :class:`InputError` on any problem.
    """
    path = Path(path)
    folder = path / "energy" if (path / "energy").is_dir() else path
    if not (folder / "technologies.csv").exists():
        raise InputError(
            "no energy model here",
            file=folder,
            expected="a folder with energy/technologies.csv and energy/profiles.csv",
        )
    techs = read_technologies(folder / "technologies.csv")
    profiles_file = folder / "profiles.csv"
    if not profiles_file.exists():
        raise InputError("file not found", file=profiles_file, expected="hourly profiles with load_mw")
    profiles = pd.read_csv(profiles_file)
    if "hour" in profiles.columns:
        profiles = profiles.drop(columns="hour")
    for column in profiles.columns:
        if not pd.api.types.is_numeric_dtype(profiles[column]) or profiles[column].isna().any():
            bad = int(np.flatnonzero(pd.to_numeric(profiles[column], errors="coerce").isna())[0])
            raise InputError(
                "not a number",
                file=profiles_file,
                key=f"row {bad + 2}, column {column}",
                expected="a number in every row",
                found=profiles[column].iloc[bad],
            )
    settings_file = folder / "settings.yaml"
    data: Any = (read_yaml(settings_file) or {}) if settings_file.exists() else {}
    settings = validate(EnergySettings, data, file=settings_file)
    lines_file = folder / "lines.csv"
    lines = _lines(pd.read_csv(lines_file) if lines_file.exists() else None, lines_file)
    system = EnergySystem(techs, profiles.astype(float), settings, lines, folder)
    check_system(system)
    return system


def _lines(frame: pd.DataFrame | None, file) -> pd.DataFrame:
    columns = ["name", "from_node", "to_node", "capacity_mw"]
    if frame is None or frame.empty:
        return pd.DataFrame(columns=columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError("missing column", file=file, key=f"column {missing[0]}", expected=", ".join(columns))
    if (frame["capacity_mw"] < 0).any():
        raise InputError("negative capacity_mw", file=file, key="column capacity_mw", expected=">= 0")
    return frame[columns].reset_index(drop=True)


def check_system(system: EnergySystem) -> None:
    """Named checks across the tables: referenced profile columns exist, values are sane."""
    profiles, techs = system.profiles, system.technologies
    pfile = (system.folder / "profiles.csv") if system.folder else "profiles"
    tfile = (system.folder / "technologies.csv") if system.folder else "technologies"
    if "load_mw" not in profiles.columns:
        raise InputError("missing column", file=pfile, key="column load_mw", expected="hourly load in MW")
    if len(profiles) == 0:
        raise InputError("no rows", file=pfile, expected="hourly rows (8760 for a year)")
    if (profiles["load_mw"] < 0).any():
        hour = int(np.flatnonzero(profiles["load_mw"] < 0)[0])
        raise InputError("negative load", file=pfile, key=f"row {hour + 2}, column load_mw", expected=">= 0")
    for name, row in plain_rows(techs).items():
        for column in ("profile", "price_profile"):
            wanted = row[column]
            if wanted and wanted not in profiles.columns:
                raise InputError(
                    f"profile column {wanted!r} not found",
                    file=pfile,
                    key=f"technology {name}, column {column} (in {tfile})",
                    expected="one of: " + ", ".join(profiles.columns),
                    hint=did_you_mean(wanted, profiles.columns),
                )
        if row["profile"]:
            values = profiles[row["profile"]]
            if (values < 0).any() or (values > 1 + 1e-9).any():
                raise InputError(
                    "availability outside 0-1",
                    file=pfile,
                    key=f"column {row['profile']}",
                    expected="available output per MW between 0 and 1",
                    found=f"{values.min():.3g} .. {values.max():.3g}",
                )
    nodes = set(system.nodes())
    for _, line in system.lines.iterrows():
        for end in ("from_node", "to_node"):
            if line[end] not in nodes:
                raise InputError(
                    f"unknown node {line[end]!r}",
                    key=f"line {line['name']}",
                    expected=", ".join(sorted(nodes)),
                )


def with_changes(
    system: EnergySystem,
    *,
    technologies: dict | None = None,
    settings: dict | None = None,
    file: str | None = None,
) -> EnergySystem:
    """Copy of ``system`` with technology overrides and settings changes (validated)."""
    techs = system.technologies
    if technologies:
        techs = apply_overrides(techs, technologies, file=file)
    new_settings = system.settings
    if settings:
        merged = deep_merge(system.settings.model_dump(), settings)
        new_settings = validate(EnergySettings, merged, file=file, prefix="energy.settings")
    changed = replace(system, technologies=techs, settings=new_settings)
    check_system(changed)
    return changed
