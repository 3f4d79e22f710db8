"""Model folders: a region's base-year data, and dotted overrides of it.

A model folder holds ``model.yaml`` (name, base year, the inventory's activity file, factor set
and GWP set, optional factor file) and the data files it names; the energy system sits in
``energy/``. Overrides address the model by dotted keys:

- ``activity.<sector>.<item>.<field>`` (field: ``quantity``, ``unit`` or ``uncertainty``);
  add ``@<category>`` to the item when it appears in several categories
  (``activity.agriculture.swine@3.A.2.quantity``);
- ``factors.<factor>.<item>``: replaces a factor's value; ``...<item>@<category>`` only for
  activities in that category and below.

A value replaces the model's value; a mapping ``{scale: x}`` multiplies it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import Field, StrictInt

from carbon.errors import InputError
from carbon.inventory.activity import read_activity, validate_activity
from carbon.inventory.climate import ClimateSpec, LandfillSpec
from carbon.schema import Section, did_you_mean, validate

ACTIVITY_FIELDS = ("quantity", "unit", "uncertainty")


class Replace(dict):
    """A mapping tagged ``!replace`` in YAML: when merged (``extends``, a sweep value) it replaces
    the mapping below it as a whole instead of merging key by key. ``carbon.scenario.deep_merge``
    honours it and returns plain dicts, so the marker never reaches a run."""


MAX_YAML_NODES = 200_000
"""Most nodes a YAML file may expand to, aliases counted at every use (a "billion laughs"
file of a few hundred bytes would expand to billions)."""
MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and lists a YAML file may have."""


class _Loader(yaml.SafeLoader):
    """The safe loader plus the ``!replace`` tag (on a mapping only); a key given twice in one
    mapping is an error (not "the last wins")."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # an unhashable key: the base class says so
                    continue
                if first is not key_node:
                    raise InputError(
                        f"key {key!r} is given twice in one mapping",
                        key=f"line {key_node.start_mark.line + 1}, column {key_node.start_mark.column + 1}",
                        expected="each key once (the second would silently replace the first)",
                        found=f"also on line {first.start_mark.line + 1}",
                    )
        return super().construct_mapping(node, deep=deep)


def _check_size(node: yaml.Node, path: Path) -> None:
    """Refuse a document that expands (aliases counted at each use) past :data:`MAX_YAML_NODES`
    nodes or nests deeper than :data:`MAX_YAML_DEPTH`; without building it."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    while stack:
        current, depth, done = stack.pop()
        if id(current) in sizes:
            continue
        if depth > MAX_YAML_DEPTH:
            mark = current.start_mark
            raise InputError(
                "YAML nested too deeply",
                file=path,
                key=f"line {mark.line + 1}, column {mark.column + 1}",
                expected=f"at most {MAX_YAML_DEPTH} levels of mappings and lists",
                found=f"more than {depth - 1}",
            )
        children = _children(current)
        if done or not children:
            total = 1 + sum(sizes.get(id(c), 0) for c in children)
            if total > MAX_YAML_NODES:
                raise InputError(
                    "YAML document too large once its aliases are expanded",
                    file=path,
                    expected=f"at most {MAX_YAML_NODES:,} values (aliases count at every use)",
                    found=f"more than {MAX_YAML_NODES:,}",
                    hint="write the values out, or use fewer aliases",
                )
            sizes[id(current)] = total
            continue
        stack.append((current, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _construct_replace(loader: yaml.SafeLoader, node: yaml.Node) -> Replace:
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        mark = node.start_mark
        raise InputError(
            "!replace marks a mapping that replaces the inherited one as a whole",
            key=f"line {mark.line + 1}, column {mark.column + 1}",
            expected="!replace before a mapping ({2060: ...} or an indented block)",
            found=f"!replace on {kind}; a list or a single value replaces the inherited one anyway, drop the tag",
        )
    return Replace(loader.construct_mapping(node, deep=True))


_Loader.add_constructor("!replace", _construct_replace)


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file; a missing file or a syntax error becomes InputError with the line.

    A mapping tagged ``!replace`` loads as :class:`Replace` (a dict); the tag on anything else
    is an InputError with the line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            loader = _Loader(fh)
            try:
                node = loader.get_single_node()
                if node is None:
                    return None
                _check_size(node, path)
                return loader.construct_document(node)
            finally:
                loader.dispose()
    except InputError as err:
        raise err.at(file=path) from None
    except RecursionError:
        raise InputError(
            "YAML nested too deeply", file=path, expected=f"at most {MAX_YAML_DEPTH} levels of mappings and lists"
        ) from None
    except OSError as exc:
        raise io_error(exc, path, "an existing YAML file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"YAML syntax error: {problem}", file=path, key=where) from None
    except UnicodeDecodeError:
        raise InputError("file is not UTF-8 text", file=path) from None


def is_file(path: str | Path) -> bool:
    """``Path.is_file`` that says False, not raises, for a name the system cannot look up (too long)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: str | Path) -> bool:
    """``Path.is_dir`` that says False, not raises, for a name the system cannot look up (too long)."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def io_error(exc: OSError, path: str | Path, expected: str) -> InputError:
    """An operating-system error on reading ``path`` as an :class:`InputError` naming the file."""
    if isinstance(exc, FileNotFoundError):
        return InputError("file not found", file=path, expected=expected)
    if isinstance(exc, IsADirectoryError):
        return InputError("a folder where a file is expected", file=path, expected=expected, found="a folder")
    reason = exc.strerror or type(exc).__name__
    return InputError(f"cannot read file: {reason}", file=path, expected=expected)


@dataclass(frozen=True)
class Model:
    """A region's model folder, read and validated."""

    path: Path
    name: str
    title: str
    base_year: int
    factors: str
    gwp: str
    activity: pd.DataFrame
    activity_file: Path | None = None
    factors_file: Path | None = None
    factor_overrides: tuple = ()  # rows (factor, item, category, value) from overrides
    population: float | None = None
    gdp_10k_cny: float | None = None
    co2_intensity_2005: float | None = None  # t CO2 per 10^4 CNY, the base of the 2030 national target
    climate: ClimateSpec | None = None  # selects the temperature-dependent IPCC defaults
    landfill: LandfillSpec | None = None  # 4.A deposition history before the base year (FOD)
    placeholders: tuple[str, ...] = ()  # what still needs the user's data (carbon validate warns)


class InventorySpec(Section):
    """``inventory:`` of ``model.yaml``."""

    activity: str = Field(description="the activity CSV of the base year, relative to the folder")
    factors: str = Field("china", description="named factor set")
    gwp: str = Field("AR5", description="GWP set (100-year)")
    factors_file: str | None = Field(None, description="the model's own factor CSV")


class ModelSpec(Section):
    """``model.yaml``: what the model folder holds."""

    name: str | None = None
    title: str = ""
    description: str = ""
    base_year: StrictInt = Field(description="base year of the activity data, e.g. 2020")
    population: int | float | None = Field(None, description="base-year population, persons")
    gdp_10k_cny: int | float | None = Field(None, description="base-year GDP, 10^4 CNY")
    co2_intensity_2005_t_per_10k_cny: float | None = Field(
        None,
        gt=0,
        description="energy-related CO2 per GDP in 2005 (t CO2 per 10^4 CNY of the pathway's prices): "
        "the base of the national 2030 target (-65%)",
    )
    inventory: InventorySpec
    energy: Any = None
    climate: ClimateSpec | None = Field(
        None,
        description="annual mean temperature and IPCC climate zone: "
        "select manure CH4 (Vol.4 Table 10.14/10.15) and landfill k (Vol.5 Table 3.3)",
    )
    landfill: LandfillSpec | None = Field(None, description="landfill deposition history (first-order decay)")
    placeholders: tuple[str, ...] = Field(
        (),
        description="values still to be replaced by the county's data "
        "(carbon init writes them; carbon validate prints them as warnings)",
    )


_MODELS: dict[str, tuple[tuple[bytes, bytes], Model]] = {}


def load_model(path: str | Path) -> Model:
    """Read a model folder (``model.yaml`` and its activity table).

    The last few models read are kept per process with the bytes of their two files, read
    before parsing them: every Monte Carlo sample of a batch reads the same folder, and
    comparing bytes costs far less than parsing and validating the table again. A file that
    differs in any byte is read anew; each caller gets its own copy of the activity table."""
    path = Path(path)
    spec_file = path / "model.yaml"
    if not is_dir(path):
        raise InputError("model folder not found", file=path, expected="a folder with a model.yaml")
    if not is_file(spec_file):
        raise InputError("model folder has no model.yaml", file=path, expected="a model.yaml in the folder")
    kept = _MODELS.get(str(path))
    if kept is not None and (_bytes(spec_file), _bytes(kept[1].activity_file)) == kept[0]:
        return replace(kept[1], activity=kept[1].activity.copy())
    spec_bytes = _bytes(spec_file)
    spec = read_yaml(spec_file)
    if not isinstance(spec, dict):
        raise InputError(
            "model.yaml must be a mapping",
            file=spec_file,
            expected="keys name, base_year, inventory",
            found=type(spec).__name__,
        )
    m = validate(ModelSpec, spec, file=spec_file)
    inv = m.inventory
    activity_bytes = _bytes(path / inv.activity)
    model = Model(
        path=path,
        name=m.name or path.name,
        title=m.title,
        base_year=m.base_year,
        factors=inv.factors,
        gwp=inv.gwp,
        activity=read_activity(path / inv.activity),
        activity_file=path / inv.activity,
        factors_file=path / inv.factors_file if inv.factors_file else None,
        population=m.population,
        gdp_10k_cny=m.gdp_10k_cny,
        co2_intensity_2005=m.co2_intensity_2005_t_per_10k_cny,
        climate=m.climate,
        landfill=m.landfill,
        placeholders=m.placeholders,
    )
    if spec_bytes is not None and activity_bytes is not None:
        _MODELS[str(path)] = ((spec_bytes, activity_bytes), model)
        while len(_MODELS) > 4:
            _MODELS.pop(next(iter(_MODELS)))
    return replace(model, activity=model.activity.copy())


def _bytes(file: Path | None) -> bytes | None:
    """The bytes of ``file``, None when it cannot be read (then nothing is kept)."""
    try:
        return file.read_bytes() if file is not None else None
    except OSError:
        return None


def content_hash(path: str | Path) -> str:
    """SHA-256 of every file in a folder (names and bytes), to tell whether a model changed."""
    digest = hashlib.sha256()
    root = Path(path)
    for file in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(file.relative_to(root)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def file_stamp(path: str | Path) -> tuple[int, int]:
    """Size and modification time (ns) of a file: whether it may have changed, without reading
    it. Raises :class:`OSError` when it cannot be read."""
    stat = Path(path).stat()
    return stat.st_size, stat.st_mtime_ns


_MODEL_HASHES: dict[str, tuple[tuple, str]] = {}


def model_hash(folder: str | Path) -> str:
    """:func:`content_hash` of a model folder, kept per process while no file of it changes
    (names, sizes and modification times, :func:`file_stamp`): the runs of a batch share a
    model, and reading every byte of it again for each Monte Carlo sample costs more than the
    stamps."""
    root = Path(folder)
    try:
        stamps = tuple(
            sorted(
                (str(f.relative_to(root)), *file_stamp(f))
                for f in root.rglob("*")
                if "__pycache__" not in f.parts and f.is_file()
            )
        )
    except OSError:
        return content_hash(root)
    kept = _MODEL_HASHES.get(str(root))
    if kept is not None and kept[0] == stamps:
        return kept[1]
    digest = content_hash(root)
    _MODEL_HASHES[str(root)] = (stamps, digest)
    return digest


MAX_QUANTITY = 1e15
"""Largest number an override may set or reach (quantities and factors alike): far above any
county's data, far below where sums overflow."""


def _finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def scale_or_replace(old: Any, new: Any, key: str) -> float:
    """The override ``new`` of ``old``: a number replaces it, ``{scale: x}`` multiplies it. The
    result is a finite number in [0, 1e15]; anything else is an :class:`InputError`."""
    where = f"overrides.{key}"
    expected = "a number >= 0, or {scale: 1.1} to multiply the model's value"
    if isinstance(new, dict):
        if set(new) != {"scale"} or not _finite_number(new["scale"]):
            raise InputError("an override is a value or {scale: number}", key=where, expected=expected, found=new)
        try:
            result = float(old) * new["scale"]
        except (TypeError, ValueError):
            raise InputError("cannot scale a value that is not a number", key=where, found=old) from None
    elif _finite_number(new):
        result = float(new)
    else:
        raise InputError(
            "an override of a number must be a number",
            key=where,
            expected=expected,
            found=f"{new!r} ({type(new).__name__})",
        )
    if not 0 <= result <= MAX_QUANTITY:
        what = "quantity" if key.endswith(".quantity") else "value"
        raise InputError(
            f"negative {what}" if result < 0 else f"{what} implausibly large",
            key=where,
            expected=f"a {what} in [0, {MAX_QUANTITY:g}]",
            found=f"{result:g}",
        )
    return result


def apply_overrides(model: Model, overrides: dict[str, Any]) -> Model:
    """A copy of the model with dotted overrides applied (see the module docstring)."""
    if not overrides:
        return model
    activity = model.activity.copy()
    factor_rows = list(model.factor_overrides)
    for key, value in sorted(overrides.items()):
        parts = key.split(".")
        head = parts[0]
        if head == "activity":
            _override_activity(activity, parts, key, value)
        elif head == "factors":
            if len(parts) < 3:
                raise InputError(
                    "cannot read factor override key",
                    key=f"overrides.{key}",
                    expected="factors.<factor>.<item>[@<category>], e.g. factors.co2.electricity",
                )
            item, _, category = ".".join(parts[2:]).partition("@")
            factor_rows.append((parts[1], item, category, value))
        else:
            raise InputError(
                f"unknown override {key!r}",
                key=f"overrides.{key}",
                expected="activity.<sector>.<item>.<field> or factors.<factor>.<item>",
                hint=did_you_mean(head, ["activity", "factors"]),
            )
    activity = validate_activity(activity, f"{model.path}/activity (after overrides)")
    return replace(model, activity=activity, factor_overrides=tuple(factor_rows))


def _override_activity(activity: pd.DataFrame, parts: list[str], key: str, value: Any) -> None:
    if len(parts) < 4 or parts[-1] not in ACTIVITY_FIELDS:
        raise InputError(
            "cannot read activity override key",
            key=f"overrides.{key}",
            expected="activity.<sector>.<item>[@<category>].<field>, field one of " + ", ".join(ACTIVITY_FIELDS),
            found=key,
        )
    sector, item_spec, field = parts[1], ".".join(parts[2:-1]), parts[-1]
    item, _, category = item_spec.partition("@")
    mask = (activity["sector"] == sector) & (activity["item"] == item)
    if category:
        mask &= activity["category"] == category
    if not mask.any():
        known = sorted(set(activity["sector"].astype(str) + "." + activity["item"].astype(str)))
        raise InputError(
            "override matches no activity row",
            key=f"overrides.{key}",
            expected="an existing <sector>.<item> of the activity table",
            found=f"{sector}.{item_spec}",
            hint=did_you_mean(f"{sector}.{item}", known),
        )
    categories = sorted(set(activity.loc[mask, "category"]))
    if len(categories) > 1:
        raise InputError(
            "override matches rows of several categories",
            key=f"overrides.{key}",
            expected="one category: " + ", ".join(f"activity.{sector}.{item}@{c}.{field}" for c in categories),
        )
    if field == "unit":
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                "a unit override must be a unit name",
                key=f"overrides.{key}",
                expected="a unit such as t, 10^4 t, GJ, tce",
                found=f"{value!r} ({type(value).__name__})",
            )
        activity[field] = activity[field].astype(object)
        activity.loc[mask, field] = value
    else:
        activity.loc[mask, field] = (
            [scale_or_replace(v, value, key) for v in activity.loc[mask, field]]
            if field in activity
            else scale_or_replace(None, value, key)
        )
