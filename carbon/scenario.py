"""Scenario files: YAML loading, ``extends`` inheritance, validation, sweeps and samples.

Precedence (highest first): a sweep or sample value > the scenario's own keys > the keys of
the scenario it ``extends`` (recursively, chains allowed) > the model's values. A sweep or
sample key whose first part is a scenario section (``inventory``, ``energy``, ``market``,
``markets``, ``pathway``, ``targets``, ``base_year``) sets that key of the scenario; any other
key is a model override (``activity.industry.raw_coal.quantity``). Setting the same key both in
``overrides`` and in a sweep or samples is an error.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from carbon.errors import CarbonError, InputError, display_path
from carbon.inventory.factors import FACTOR_SETS, GWP_SETS
from carbon.model import read_yaml
from carbon.schema import Section, validate

GWP_NAMES = Literal[GWP_SETS]
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SCENARIO_SECTIONS = ("inventory", "energy", "market", "markets", "pathway", "targets", "base_year")


class Uncertainty(Section):
    """Inventory uncertainty: Approach 1 always; Approach 2 (Monte Carlo) with ``draws`` > 0."""

    draws: int = Field(2000, ge=0, le=1_000_000, description="Monte Carlo draws for Approach 2 (0: skip)")
    seed: int = Field(0, ge=0, description="seed of the Monte Carlo draws")


class InventoryOptions(Section):
    """How the inventory is computed; blank keys take the model's choice."""

    factors: Literal[tuple(FACTOR_SETS)] | None = Field(None, description="named factor set")
    gwp: GWP_NAMES | None = Field(None, description="GWP set (100-year)")
    factors_file: str | None = Field(None, description="user factor CSV, relative to the scenario file")
    uncertainty: Uncertainty = Uncertainty()


class Distribution(Section):
    """A sampled value: normal(mean, sd), lognormal(mu, sigma of log), uniform(low, high),
    triangular(low, mode, high). With ``relative: true`` the draw multiplies the base value."""

    dist: Literal["normal", "lognormal", "uniform", "triangular"]
    mean: float | None = None
    sd: float | None = Field(None, ge=0)
    mu: float | None = None
    sigma: float | None = Field(None, ge=0)
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    relative: bool = False

    @model_validator(mode="after")
    def _parameters(self) -> "Distribution":
        need = {"normal": ("mean", "sd"), "lognormal": ("mu", "sigma"), "uniform": ("low", "high"),
                "triangular": ("low", "mode", "high")}[self.dist]
        given = {k for k in ("mean", "sd", "mu", "sigma", "low", "high", "mode") if getattr(self, k) is not None}
        if given != set(need):
            raise ValueError(f"a {self.dist} distribution takes exactly {', '.join(need)}; got {', '.join(sorted(given)) or 'none'}")
        if self.dist in ("uniform", "triangular") and not self.low <= (self.mode if self.mode is not None else self.low) <= self.high:
            raise ValueError("need low <= mode <= high" if self.dist == "triangular" else "need low <= high")
        return self

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from this distribution."""
        if self.dist == "normal":
            return rng.normal(self.mean, self.sd, n)
        if self.dist == "lognormal":
            return rng.lognormal(self.mu, self.sigma, n)
        if self.dist == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.low == self.high:
            return np.full(n, self.low)
        return rng.triangular(self.low, self.mode, self.high, n)


class Samples(Section):
    """Monte Carlo runs: ``n`` samples, a ``seed``, and dotted keys mapped to distributions."""

    n: int = Field(..., ge=1, le=100_000)
    seed: int = Field(0, ge=0)
    vars: dict[str, Distribution] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect(cls, data: Any) -> Any:
        if isinstance(data, dict) and "vars" not in data:
            data = dict(data)
            data["vars"] = {k: data.pop(k) for k in list(data) if k not in ("n", "seed")}
        return data

    @field_validator("vars")
    @classmethod
    def _some(cls, value: dict) -> dict:
        if not value:
            raise ValueError("samples need at least one dotted key with a distribution")
        return value


def module_exists(module: str) -> bool:
    """Whether a module of the package is installed (a part that has not landed yet is not)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package is missing
        return False


def _optional_section(module: str, name: str):
    """A section model from a module that may not have landed yet (then the key is unknown)."""
    if not module_exists(module):
        return None
    return getattr(importlib.import_module(module), name, None)


def _build_scenario_model() -> type[Section]:
    energy = _optional_section("carbon.energy.schema", "EnergySection")
    market = _optional_section("carbon.market.schema", "MarketSection")
    pathway = _optional_section("carbon.pathway.schema", "PathwaySection")
    targets = _optional_section("carbon.pathway.schema", "TargetsSection")
    ns: dict[str, Any] = {"__annotations__": {}}
    for key, model in (("energy", energy), ("market", market), ("pathway", pathway), ("targets", targets)):
        if model is not None:
            ns["__annotations__"][key] = model | None
            ns[key] = None
    if market is not None:
        ns["__annotations__"]["markets"] = dict[str, market] | None
        ns["markets"] = None
    return type("Scenario", (ScenarioBase,), ns)


class ScenarioBase(Section):
    """Keys every scenario file may hold."""

    name: str = Field(..., description="run name (letters, digits, - _ .)")
    description: str = ""
    model: str = Field(..., description="model folder, relative to the scenario file")
    extends: str | None = Field(None, description="scenario file whose keys this one overrides")
    base_year: int | None = Field(None, ge=1990, le=2100)
    inventory: InventoryOptions = InventoryOptions()
    overrides: dict[str, Any] = Field(default_factory=dict, description="dotted model keys -> values")
    sweep: dict[str, list[Any]] = Field(default_factory=dict, description="dotted keys -> lists of values")
    samples: Samples | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError("a name may hold letters, digits, '-', '_' and '.', and starts with a letter or digit")
        return value

    @field_validator("sweep")
    @classmethod
    def _sweep(cls, value: dict) -> dict:
        for key, values in value.items():
            if not values:
                raise ValueError(f"sweep key {key!r} has no values")
        return value


_SCENARIO: type[Section] | None = None


def scenario_model() -> type[Section]:
    """The scenario schema, with the sections of the modules that have landed."""
    global _SCENARIO
    if _SCENARIO is None:
        _SCENARIO = _build_scenario_model()
    return _SCENARIO


PATH_KEY = re.compile(r"^\d{4}(\s*-\s*\d{4})?$")


def is_time_path(value: Any) -> bool:
    """A mapping keyed by years or periods (``{2030: ..., "2031-2040": ...}``)."""
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, int) or PATH_KEY.match(str(k)) for k in value)


def deep_merge(base: dict, top: dict) -> dict:
    """``top`` over ``base``, merging nested mappings recursively; a time path (a mapping keyed
    by years or periods) given in ``top`` replaces the base's path as a whole."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not is_time_path(value):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_mapping(path: Path) -> dict:
    data = read_yaml(path)
    if data is None:
        raise InputError("scenario file is empty", file=path, expected="a mapping with name, model, ...")
    if not isinstance(data, dict):
        raise InputError("a scenario file must be a mapping", file=path, expected="keys such as name, model, inventory",
                         found=type(data).__name__)
    return data


def _absolute_paths(data: dict, folder: Path) -> dict:
    """Paths in a scenario are relative to the file that names them; make them absolute."""
    data = dict(data)
    if isinstance(data.get("model"), str):
        data["model"] = str((folder / data["model"]).resolve())
    inv = data.get("inventory")
    if isinstance(inv, dict) and isinstance(inv.get("factors_file"), str):
        data["inventory"] = {**inv, "factors_file": str((folder / inv["factors_file"]).resolve())}
    return data


def load_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict:
    """A scenario file with its ``extends`` chain merged in (not yet validated)."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise InputError("extends cycle", file=_chain[0], key="extends", expected="a chain without loops", found=cycle)
    data = _absolute_paths(_read_mapping(path), path.parent)
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data
    if not isinstance(parent_ref, str):
        raise InputError("extends must be a file name", file=path, key="extends", found=repr(parent_ref))
    parent_path = (path.parent / parent_ref).resolve()
    if not parent_path.is_file():
        raise InputError("extended scenario not found", file=path, key="extends", expected="an existing scenario file",
                         found=parent_ref)
    parent = load_raw(parent_path, (*_chain, path))
    parent.pop("name", None)  # a name is never inherited
    parent.pop("sweep", None) if "sweep" in data else None
    return deep_merge(parent, data)


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: its name, the scenario file, and the fully resolved scenario."""

    name: str
    file: str
    data: dict
    seed: int | None = None

    @property
    def model_dir(self) -> Path:
        return Path(self.data["model"])


def load(path: str | Path) -> dict:
    """Load and validate one scenario file; return the resolved scenario as plain data."""
    path = Path(path)
    raw = load_raw(path)
    raw.setdefault("name", path.stem)
    try:
        model = validate(scenario_model(), raw, file=path)
    except CarbonError as err:
        if err.key and err.key.startswith("samples.vars."):
            err.key = "samples." + err.key[len("samples.vars."):]
        raise
    data = model.model_dump(mode="json", exclude_none=True)
    if "market" in data and "markets" in data:
        raise InputError("a scenario has either 'market' or 'markets', not both", file=path, key="markets",
                         expected="one market under market:, or several named ones under markets:")
    if not Path(data["model"], "model.yaml").is_file():
        raise InputError("model folder not found", file=path, key="model",
                         expected="a folder with a model.yaml, relative to the scenario file",
                         found=display_path(data["model"]))
    for key in data.get("sweep", {}):
        _check_collision(data, key, path, "sweep")
    for key in (data.get("samples") or {}).get("vars", {}):
        _check_collision(data, key, path, "samples")
    return data


def _check_collision(data: dict, key: str, file: Path, where: str) -> None:
    if key in data.get("overrides", {}):
        raise InputError(f"{key!r} is set both in overrides and in {where}", file=file, key=f"{where}.{key}",
                         expected="each key set in one place")


def _set(data: dict, key: str, value: Any, relative: bool = False, file: Path | None = None) -> None:
    """Set a dotted key: a scenario section key, or a model override."""
    parts = key.split(".")
    if parts[0] not in SCENARIO_SECTIONS:
        data.setdefault("overrides", {})[key] = {"scale": value} if relative else value
        return
    node = data
    for part in parts[:-1]:
        node = node.setdefault(_key_in(node, part), {})
        if not isinstance(node, dict):
            raise InputError("cannot set a key inside a value that is not a mapping", file=file, key=key)
    last = _key_in(node, parts[-1])
    if relative:
        base = node.get(last)
        if not isinstance(base, (int, float)):
            raise InputError("a relative sample needs a number to scale", file=file, key=key,
                             expected="a numeric value in the scenario", found=repr(base))
        value = base * value
    node[last] = value


def _key_in(node: dict, part: str):
    """A key part as the mapping holds it: ``2030`` is the year 2030 in ``{2030: 100}``."""
    if part.isdigit() and int(part) in node:
        return int(part)
    return part


def _label(value: Any) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", text)


def expand(path: str | Path) -> list[RunSpec]:
    """The runs of a scenario file: the cartesian product of its sweep, times its samples."""
    path = Path(path)
    data = load(path)
    sweep = data.pop("sweep", {})
    samples = data.pop("samples", None)
    keys = sorted(sweep)
    short = {k: k.split(".")[-1] for k in keys}
    if len(set(short.values())) < len(keys):
        short = {k: k for k in keys}
    runs: list[tuple[str, dict]] = []
    for combo in itertools.product(*(sweep[k] for k in keys)):
        run = copy.deepcopy(data)
        for key, value in zip(keys, combo):
            _set(run, key, value, file=path)
        label = "__".join(f"{short[k]}={_label(v)}" for k, v in zip(keys, combo))
        runs.append((f"{data['name']}__{label}" if keys else data["name"], run))
    specs: list[RunSpec] = []
    if samples is None:
        for name, run in runs:
            specs.append(RunSpec(name, str(path), _revalidate(run, path)))
        return specs
    rng = np.random.default_rng(samples["seed"])
    names = sorted(samples["vars"])
    dists = {k: Distribution.model_validate(samples["vars"][k]) for k in names}
    draws = {k: dists[k].draw(rng, samples["n"]) for k in names}
    width = max(4, len(str(samples["n"] - 1)))
    for name, run in runs:
        for i in range(samples["n"]):
            sample = copy.deepcopy(run)
            for k in names:
                _set(sample, k, float(draws[k][i]), relative=dists[k].relative, file=path)
            sample["sample"] = {"index": i, "seed": samples["seed"], "values": {k: float(draws[k][i]) for k in names}}
            specs.append(RunSpec(f"{name}__s{i:0{width}d}", str(path), _revalidate(sample, path), samples["seed"]))
    return specs


SAMPLE_SUFFIX = re.compile(r"__s\d{4,}$")
"""The end of a Monte Carlo sample run's name, ``<scenario>__s0007`` (made in :func:`expand`;
a sweep's ``__key=value`` never matches it)."""


def sample_scenario(run: str) -> str | None:
    """The scenario a Monte Carlo sample run belongs to (``mc__s0007`` -> ``mc``), else None."""
    return SAMPLE_SUFFIX.sub("", run) if SAMPLE_SUFFIX.search(run) else None


def _revalidate(data: dict, path: Path) -> dict:
    """Validate a run after sweep/sample values were set (catches e.g. a bad swept value)."""
    probe = {k: v for k, v in data.items() if k != "sample"}
    validate(scenario_model(), probe, file=path)
    return data


def spec_hash(data: dict, model_hash: str) -> str:
    """Hash of a resolved scenario and its model's content (the model's path does not count)."""
    payload = {k: v for k, v in data.items() if k != "model"}
    text = json.dumps(payload, sort_keys=True, default=str) + model_hash
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scenario_files(paths: list[str | Path]) -> list[Path]:
    """Scenario files named or found (``*.yaml``, ``*.yml``, sorted) in the given folders."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not found:
                raise InputError("no scenario files in folder", file=p, expected="*.yaml files")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            raise InputError("file not found", file=p, expected="a scenario file or a folder of them")
    return files
