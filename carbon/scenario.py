"""Scenario files: YAML loading, ``extends`` inheritance, validation, sweeps and samples.

Precedence (highest first): a sweep or sample value > the scenario's own keys > the keys of
the scenario it ``extends`` (recursively, chains allowed) > the model's values. A sweep or
sample key whose first part is a scenario section (``inventory``, ``energy``, ``market``,
``markets``, ``pathway``, ``targets``, ``base_year``) sets that key of the scenario; any other
key is a model override (``activity.industry.raw_coal.quantity``). Setting the same key both in
``overrides`` and in a sweep or samples is an error.

Merging (``extends``, and a mapping given as a sweep value) is one rule, :func:`deep_merge`:
mappings merge key by key; a path keyed by years or periods merges year by year (the child's
years and periods replace those keys, the parent's other years stay), and the value at one
year is replaced whole (a mix at 2030 is one object); a mapping tagged ``!replace`` replaces
the inherited one as a whole; anything else replaces. A dotted key to one year
(``pathway.grid_factor.2030``) sets that year. ``overrides`` merge by dotted key.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
from pydantic import Field, PrivateAttr, field_validator, model_validator

from carbon.accounts.schema import AccountsSection
from carbon.accounts.schema import absolute_paths as _accounts_paths
from carbon.assess.schema import ProjectSection
from carbon.energy.schema import EnergySection
from carbon.errors import CarbonError, InputError, display_path, problems
from carbon.files import check_name
from carbon.inventory.factors import FACTOR_SETS, GWP_SETS
from carbon.market.schema import MarketSection
from carbon.merge import _plain, deep_merge, is_time_path  # noqa: F401 (is_time_path re-exported)
from carbon.model import Replace, is_dir, is_file, read_yaml
from carbon.pathway.schema import PathwaySection, TargetsSection
from carbon.plausible import check_scenario, scenario_problems
from carbon.schema import Section, validate

if TYPE_CHECKING:  # the names are data (carbon/data); a type checker sees plain strings
    GWP_NAMES = str
    FACTOR_NAMES = str
else:
    GWP_NAMES = Literal[GWP_SETS]
    FACTOR_NAMES = Literal[tuple(FACTOR_SETS)]
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SAMPLE_SUFFIX = re.compile(r"__s\d{4,}$")
"""The end of a Monte Carlo sample run's name, ``<scenario>__s0007`` (made in :func:`expand`;
a sweep's ``__key=value`` never matches it)."""
MAX_RUNS = 10_000
"""Most runs a scenario file may expand to (sweep combinations x samples) unless the caller
raises the limit (``carbon run|validate --max-runs N``)."""


SCENARIO_SECTIONS = ("inventory", "energy", "market", "markets", "pathway", "targets", "base_year", "projects",
                     "accounts")


class Uncertainty(Section):
    """Inventory uncertainty: Approach 1 always; Approach 2 (Monte Carlo) with ``draws`` > 0."""

    draws: int = Field(2000, ge=0, le=1_000_000, description="Monte Carlo draws for Approach 2 (0: skip)")
    seed: int = Field(0, ge=0, description="seed of the Monte Carlo draws")


class InventoryOptions(Section):
    """How the inventory is computed; blank keys take the model's choice."""

    factors: FACTOR_NAMES | None = Field(None, description="named factor set")
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

    @field_validator("sd", "sigma")
    @classmethod
    def _unsigned(cls, value: float | None) -> float | None:
        return None if value is None else abs(value)  # -0.0 passes ">= 0" but numpy refuses it

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        need = {"normal": ("mean", "sd"), "lognormal": ("mu", "sigma"), "uniform": ("low", "high"),
                "triangular": ("low", "mode", "high")}[self.dist]
        given = {k for k in ("mean", "sd", "mu", "sigma", "low", "high", "mode") if getattr(self, k) is not None}
        if given != set(need):
            raise ValueError(f"a {self.dist} distribution takes exactly {', '.join(need)}; got {', '.join(sorted(given)) or 'none'}")
        if self.dist in ("uniform", "triangular") and not (
                self._p("low") <= (self._p("mode") if self.mode is not None else self._p("low")) <= self._p("high")):
            raise ValueError("need low <= mode <= high" if self.dist == "triangular" else "need low <= high")
        return self

    def _p(self, name: str) -> float:
        """A parameter the distribution needs (set, once validated)."""
        return cast(float, getattr(self, name))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from this distribution."""
        p = self._p
        if self.dist == "normal":
            return rng.normal(p("mean"), p("sd"), n)
        if self.dist == "lognormal":
            return rng.lognormal(p("mu"), p("sigma"), n)
        if self.dist == "uniform":
            return rng.uniform(p("low"), p("high"), n)
        if p("low") == p("high"):
            return np.full(n, p("low"))
        return rng.triangular(p("low"), p("mode"), p("high"), n)


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


class SampleInfo(Section):
    """Which Monte Carlo sample a run is: its index, the file's seed and the drawn values."""

    index: int
    seed: int
    values: dict[str, float]


class Scenario(Section):
    """A scenario, validated and frozen: every section typed. Runs carry it; stages take its
    sections. Read one with :meth:`from_file`; derive one with :meth:`with_values` (the same
    rules as a sweep, validated again), never by editing a dict.

    >>> base = Scenario.from_file("scenarios/baseline.yaml")
    >>> dear = base.with_values({"pathway.carbon_price.2030": 300})
    >>> dear.pathway.carbon_price[2030], base.pathway.carbon_price[2030]
    (300.0, 100.0)
    """

    _file: str | None = PrivateAttr(None)

    name: str = Field(..., description="run name (letters, digits, - _ .); the results folder results/<name> "
                      "(default: the file name without .yaml)")
    label: str | dict[str, str] | None = Field(
        None, description="display name in reports, legends and tables: a text, or {en: ..., zh: ...}; "
        "not inherited through extends")
    description: str = ""
    model: str = Field(..., description="model folder, relative to the scenario file")
    base_year: int | None = Field(None, ge=1990, le=2100)
    inventory: InventoryOptions = InventoryOptions()
    overrides: dict[str, Any] = Field(default_factory=dict, description="dotted model keys -> values")
    sweep: dict[str, list[Any]] = Field(default_factory=dict, description="dotted keys -> lists of values")
    samples: Samples | None = None
    energy: EnergySection | None = None
    market: MarketSection | None = None
    markets: dict[str, MarketSection] | None = None
    pathway: PathwaySection | None = None
    targets: TargetsSection | None = None
    projects: tuple[ProjectSection, ...] | None = Field(
        None, description="investment projects added to the pathway from their start year (carbon assess)")
    accounts: AccountsSection | None = Field(
        None, description="carbon accounts of entities and carbon-inclusive credits (written to <run>/accounts/)")
    sample: SampleInfo | None = Field(None, description="set by the batch for a Monte Carlo sample run")
    allow: tuple[str, ...] | None = Field(
        None, description="dotted keys whose plausible range (carbon.plausible) is lifted knowingly, e.g. "
        "[pathway.gdp.growth]; recorded in the manifest")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError("a name may hold letters, digits, '-', '_' and '.', and starts with a letter or digit")
        if SAMPLE_SUFFIX.search(value):
            raise ValueError("a name ending in __s and digits is kept for Monte Carlo samples")
        try:
            check_name(value, "scenario name")
        except InputError as err:
            raise ValueError(err.message) from None
        return value

    @field_validator("label")
    @classmethod
    def _label(cls, value: str | dict | None) -> str | dict | None:
        if isinstance(value, dict) and (not value or set(value) - {"en", "zh"}):
            raise ValueError(f"a label is a text or {{en: ..., zh: ...}}, not keys {sorted(value)}")
        return value

    @field_validator("markets")
    @classmethod
    def _market_names(cls, value: dict | None) -> dict | None:
        for name in value or {}:
            try:
                check_name(name, "market name")
            except InputError as err:
                raise ValueError(f"{err.message}: {name[:80]!r}") from None
        return value

    @field_validator("sweep")
    @classmethod
    def _sweep(cls, value: dict) -> dict:
        for key, values in value.items():
            if not values:
                raise ValueError(f"sweep key {key!r} has no values")
        return value

    @model_validator(mode="after")
    def _one_market_key(self) -> Scenario:
        if self.market is not None and self.markets is not None:
            raise ValueError("a scenario has either 'market' or 'markets', not both")
        return self

    @property
    def model_dir(self) -> Path:
        return Path(self.model)

    def all_markets(self) -> dict[str, MarketSection]:
        """The markets by name: ``""`` for ``market:``, else the names under ``markets:``."""
        if self.market is not None:
            return {"": self.market}
        return dict(sorted((self.markets or {}).items()))

    def as_data(self) -> dict:
        """The scenario as JSON-ready plain data (for the manifest and the run hash)."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"sweep", "samples"})

    @property
    def file(self) -> Path | None:
        """The scenario file it was read from (relative paths and error messages refer to it)."""
        return Path(self._file) if self._file else None

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """Read and validate a scenario file (its ``extends`` chain merged); same as :func:`load`."""
        return load(path)

    def with_values(self, values: dict[str, Any], name: str | None = None) -> Scenario:
        """A copy with dotted keys set, by the rules of a sweep value (:func:`_set`): a scenario
        section key (``pathway.carbon_price.2030``, ``energy.days``) or a model override
        (``activity.industry.raw_coal.quantity``); a mapping merges by :func:`deep_merge`. The
        copy is validated again; a key also set in ``overrides`` is an :class:`InputError`.
        ``name``: the copy's run name (default: the same name, so the same run folder)."""
        file = self.file or Path(f"{self.name}.yaml")
        data = self._plain_data()
        if name is not None:
            data["name"] = name
        for key, value in values.items():
            _check_collision(self, key, file, "with_values")
            _set(data, key, value, file=file)
        scenario = _validate(data, file)
        scenario._file = self._file
        return scenario

    @property
    def n_runs(self) -> int:
        """How many runs this scenario expands to (sweep combinations x samples)."""
        return _count(self.sweep, self)

    def runs(self, max_runs: int = MAX_RUNS) -> list[RunSpec]:
        """The runs this scenario expands to (its sweep times its samples), as :func:`expand`."""
        file = self.file or Path(f"{self.name}.yaml")
        specs = list(_expand(file, self._plain_data(), self, max_runs))
        for spec in specs:
            spec.scenario._file = self._file
        return specs

    def _plain_data(self) -> dict:
        """The keys set in this scenario as plain data (what a file would hold, paths absolute)."""
        data = self.model_dump(mode="python", exclude_unset=True, exclude={"sample"})
        data["name"] = self.name
        data["model"] = self.model
        return copy.deepcopy(data)


SWEEP_REPLACE = "!replace"
"""How a sweep value tagged ``!replace`` is held between :func:`load_raw` and :func:`_set`:
``{"!replace": mapping}``, plain data that survives validation and JSON (a YAML key cannot
start with ``!`` unquoted, so it does not collide with data)."""


def _mark_sweep(value: Any) -> Any:
    """Sweep values with each :class:`Replace` held as ``{"!replace": mapping}``."""
    if isinstance(value, Replace):
        return {SWEEP_REPLACE: {k: _mark_sweep(v) for k, v in value.items()}}
    if isinstance(value, dict):
        return {k: _mark_sweep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_sweep(v) for v in value]
    return value


def _unmark_sweep(value: Any) -> Any:
    """The inverse of :func:`_mark_sweep`: ``{"!replace": mapping}`` back to a :class:`Replace`."""
    if isinstance(value, dict):
        if len(value) == 1 and SWEEP_REPLACE in value and isinstance(value[SWEEP_REPLACE], dict):
            return Replace({k: _unmark_sweep(v) for k, v in value[SWEEP_REPLACE].items()})
        return {k: _unmark_sweep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmark_sweep(v) for v in value]
    return value


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
        data["model"] = str(_resolve(folder / data["model"], "model"))
    inv = data.get("inventory")
    if isinstance(inv, dict) and isinstance(inv.get("factors_file"), str):
        data["inventory"] = {**inv, "factors_file": str(_resolve(folder / inv["factors_file"], "inventory.factors_file"))}
    if "accounts" in data:
        data["accounts"] = _accounts_paths(data["accounts"], folder)
    return data


def _resolve(path: Path, key: str, file: Path | None = None) -> Path:
    """``path.resolve()``; a name no file can have (a NUL character) is an :class:`InputError`."""
    try:
        return path.resolve()
    except (OSError, ValueError) as exc:
        raise InputError("not a usable file name", file=file, key=key, expected="a path to a file",
                         found=f"{str(path)[:80]!r} ({exc})") from None


def load_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict:
    """A scenario file with its ``extends`` chain merged in by :func:`deep_merge` (not yet
    validated), as plain dicts: a ``!replace`` marker has done its work and is gone, except in
    sweep values, where it is held as ``{"!replace": mapping}`` until :func:`_set` applies it."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise InputError("extends cycle", file=_chain[0], key="extends", expected="a chain without loops", found=cycle)
    raw = _read_mapping(path)
    data = _absolute_paths(raw, path.parent)
    if isinstance(raw.get("inventory"), Replace):
        data["inventory"] = Replace(data["inventory"])  # keep the tag through the path fix
    if "sweep" in data:
        data["sweep"] = _mark_sweep(data["sweep"])
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return _plain(data)
    if not isinstance(parent_ref, str):
        raise InputError("extends must be a file name", file=path, key="extends", found=repr(parent_ref))
    parent_path = _resolve(path.parent / parent_ref, "extends", file=path)
    if not is_file(parent_path):
        raise InputError("extended scenario not found", file=path, key="extends", expected="an existing scenario file",
                         found=parent_ref)
    parent = load_raw(parent_path, (*_chain, path))
    parent.pop("name", None)  # a name is never inherited
    parent.pop("label", None)  # nor a label
    parent.pop("sweep", None) if "sweep" in data else None
    return deep_merge(parent, data)


@dataclass(frozen=True)
class RunSpec:
    """One run of a batch: its name, the scenario file, and the typed, frozen scenario."""

    name: str
    file: str
    scenario: Scenario
    seed: int | None = None

    @property
    def model_dir(self) -> Path:
        return self.scenario.model_dir


def _validate(raw: dict, path: Path) -> Scenario:
    """The typed scenario of plain data read from ``path`` (one message per problem)."""
    try:
        try:
            scenario = validate(Scenario, raw, file=path)
        except CarbonError as err:  # add the implausible numbers of the same file
            allow = raw.get("allow") if isinstance(raw.get("allow"), list) else None
            more = scenario_problems({k: v for k, v in raw.items() if k != "sample"}, allow, path)
            raise problems([*getattr(err, "problems", [err]), *more]) from None
        check_scenario(scenario, file=path)
        return scenario
    except CarbonError as err:
        for one in (err, *getattr(err, "problems", ())):
            if one.key and one.key.startswith("samples.vars."):
                one.key = "samples." + one.key[len("samples.vars."):]
            if one.message.startswith("a scenario has either"):
                one.key = "markets"
        raise


def load(path: str | Path) -> Scenario:
    """Load and validate one scenario file (its ``extends`` chain merged); the typed scenario."""
    scenario = _load(Path(path))[1]
    scenario._file = str(Path(path).resolve())
    return scenario


def _load(path: Path) -> tuple[dict, Scenario]:
    raw = load_raw(path)
    raw.setdefault("name", path.stem)
    scenario = _validate(raw, path)
    if not is_file(Path(scenario.model, "model.yaml")):
        raise InputError("model folder not found", file=path, key="model",
                         expected="a folder with a model.yaml, relative to the scenario file",
                         found=display_path(scenario.model))
    for key in scenario.sweep:
        _check_collision(scenario, key, path, "sweep")
    for key in scenario.samples.vars if scenario.samples else ():
        _check_collision(scenario, key, path, "samples")
    return raw, scenario


def _check_collision(scenario: Scenario, key: str, file: Path, where: str) -> None:
    if key in scenario.overrides:
        raise InputError(f"{key!r} is set both in overrides and in {where}", file=file, key=f"{where}.{key}",
                         expected="each key set in one place")


def _set(data: dict, key: str, value: Any, relative: bool = False, file: Path | None = None) -> None:
    """Set a dotted key: a scenario section key, or a model override. A mapping merges into the
    scenario's value by :func:`deep_merge`, as in ``extends`` (year by year for a time path;
    whole when tagged ``!replace``); a dotted key to one year (``pathway.grid_factor.2030``) sets
    that year."""
    value = _unmark_sweep(value)
    parts = key.split(".")
    if parts[0] not in SCENARIO_SECTIONS:
        data.setdefault("overrides", {})[key] = {"scale": value} if relative else _plain(value)
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
    if isinstance(value, dict):
        value = deep_merge({last: node[last]} if last in node else {}, {last: value})[last]
    node[last] = value


def _key_in(node: dict, part: str):
    """A key part as the mapping holds it: ``2030`` is the year 2030 in ``{2030: 100}``."""
    if part.isdigit() and int(part) in node:
        return int(part)
    return part


def _label(value: Any) -> str:
    """A sweep key or value as part of a run name: safe characters only, no ``..``, short."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    text = re.sub(r"\.{2,}", "_", re.sub(r"[^A-Za-z0-9_.-]+", "_", text))
    return text if len(text) <= 60 else text[:51] + "_" + hashlib.sha256(text.encode()).hexdigest()[:8]


def sweep_key_names(keys: list[str]) -> dict[str, str]:
    """The part of each swept key in run names: the shortest dotted tail that holds a word, so a
    year never stands alone (``pathway.carbon_price.2030`` -> ``carbon_price.2030``,
    ``energy.technologies.battery.energy_capex_cny_per_kwh`` -> ``energy_capex_cny_per_kwh``),
    longer where two keys would share it; at most 60 characters (longer ones end in a hash).

    >>> sweep_key_names(["pathway.carbon_price.2030", "market.price.2030"])
    {'pathway.carbon_price.2030': 'carbon_price.2030', 'market.price.2030': 'price.2030'}
    """
    parts = {k: k.split(".") for k in keys}

    def tail(k: str, n: int) -> str:
        p = parts[k]
        while n < len(p) and all(x.isdigit() for x in p[-n:]):
            n += 1
        return ".".join(p[-n:])

    out = {}
    for k in keys:
        n = 1
        while n < len(parts[k]) and any(tail(k, n) == tail(o, n) for o in keys if o != k):
            n += 1
        name = tail(k, n)
        out[k] = _label(name)
    return out


def _count(sweep: dict, scenario: Scenario) -> int:
    n = 1
    for values in sweep.values():
        n *= len(values)
    return n * (scenario.samples.n if scenario.samples else 1)


def expand(path: str | Path, max_runs: int = MAX_RUNS) -> list[RunSpec]:
    """The runs of a scenario file: the cartesian product of its sweep, times its samples (a
    list of :func:`iter_runs`)."""
    return list(iter_runs(path, max_runs))


def iter_runs(path: str | Path, max_runs: int = MAX_RUNS) -> Iterator[RunSpec]:
    """The runs of a scenario file, one at a time: the cartesian product of its sweep, times
    its samples. More than ``max_runs`` runs is an :class:`InputError` (raised before the first).

    Sweep and sample values are set in the file's plain data, and each run is validated once
    into its typed :class:`Scenario` (a bad swept value names the file and key). Every run name
    is a safe folder name (:func:`carbon.files.check_name`)."""
    path = Path(path)
    data, scenario = _load(path)
    return _expand(path, data, scenario, max_runs)


def _expand(path: Path, data: dict, scenario: Scenario, max_runs: int) -> Iterator[RunSpec]:
    """The runs of a scenario's plain ``data`` (its sweep and samples taken out of it), after
    checking their number against ``max_runs``."""
    sweep = data.pop("sweep", {})
    data.pop("samples", None)
    total = _count(sweep, scenario)
    if total > max_runs:
        raise InputError(f"the file expands to {total:,} runs", file=path, key="sweep" if sweep else "samples.n",
                         expected=f"at most {max_runs:,} runs", found=f"{total:,}",
                         hint="run it in parts, or raise the limit knowingly with --max-runs")
    return _runs(path, data, sweep, scenario.samples)


def _runs(path: Path, data: dict, sweep: dict, samples: Samples | None) -> Iterator[RunSpec]:
    keys = sorted(sweep)
    short = sweep_key_names(keys)
    if samples is not None:
        rng = np.random.default_rng(samples.seed)
        names = sorted(samples.vars)
        dists = {k: samples.vars[k] for k in names}
        draws = {k: dists[k].draw(rng, samples.n) for k in names}
        width = max(4, len(str(samples.n - 1)))
    for combo in itertools.product(*(sweep[k] for k in keys)):
        run = copy.deepcopy(data)
        for key, value in zip(keys, combo):
            _set(run, key, value, file=path)
        label = "__".join(f"{short[k]}={_label(v)}" for k, v in zip(keys, combo))
        name = f"{data['name']}__{label}" if keys else data["name"]
        if samples is None:
            yield RunSpec(check_name(name, file=path, key="sweep"), str(path), _validate(run, path))
            continue
        for i in range(samples.n):
            sample = copy.deepcopy(run)
            for k in names:
                _set(sample, k, float(draws[k][i]), relative=dists[k].relative, file=path)
            sample["sample"] = {"index": i, "seed": samples.seed, "values": {k: float(draws[k][i]) for k in names}}
            yield RunSpec(check_name(f"{name}__s{i:0{width}d}", file=path, key="samples"), str(path),
                          _validate(sample, path), samples.seed)


def sample_scenario(run: str) -> str | None:
    """The scenario a Monte Carlo sample run belongs to (``mc__s0007`` -> ``mc``), else None."""
    return SAMPLE_SUFFIX.sub("", run) if SAMPLE_SUFFIX.search(run) else None


def spec_hash(scenario: Scenario, model_hash: str) -> str:
    """Hash of a resolved scenario and its model's content (the model's path does not count)."""
    payload = {k: v for k, v in scenario.as_data().items() if k != "model"}
    text = json.dumps(payload, sort_keys=True, default=str) + model_hash
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def files_hash(spec: RunSpec) -> str:
    """SHA-256 of every file outside the model folder the run's scenario names (a factor file,
    a firms or MAC-curve CSV, a STIRPAT history: any string value naming an existing file,
    relative to the scenario file or absolute), so ``--resume`` re-runs when one changes."""
    digest = hashlib.sha256()
    base = Path(spec.file).parent
    for text in sorted(set(_strings(spec.scenario.as_data()))):
        if len(text) > 1024 or "\0" in text or text == spec.scenario.model:
            continue
        file = Path(text) if Path(text).is_absolute() else base / text
        if is_file(file):
            digest.update(text.encode())
            try:
                digest.update(file.read_bytes())
            except OSError as exc:
                raise InputError(f"cannot read file: {exc.strerror or exc}", file=file) from None
    return digest.hexdigest()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def scenario_files(paths: list[str | Path]) -> list[Path]:
    """Scenario files named or found (``*.yaml``, ``*.yml``, sorted) in the given folders."""
    files: list[Path] = []
    for p in map(Path, paths):
        if is_dir(p):
            found = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not found:
                raise InputError("no scenario files in folder", file=p, expected="*.yaml files")
            files.extend(found)
        elif is_file(p):
            files.append(p)
        else:
            raise InputError("file not found", file=p, expected="a scenario file or a folder of them")
    return files


def list_scenarios(folder: str | Path = "scenarios") -> list[dict[str, Any]]:
    """The scenario files of a folder (sorted), each as ``file, name, description, runs, extends,
    model, error``: ``runs`` is how many runs it expands to; a file that does not load has its
    error and no run count."""
    rows: list[dict[str, Any]] = []
    for file in scenario_files([folder]):
        row: dict[str, Any] = {"file": str(file), "name": file.stem, "description": "", "runs": None,
                               "extends": None, "model": None, "error": None}
        try:
            raw = _read_mapping(file)
            row["extends"] = raw.get("extends") if isinstance(raw.get("extends"), str) else None
            scenario = load(file)
            row.update(name=scenario.name, description=" ".join(scenario.description.split()),
                       model=display_path(scenario.model), runs=scenario.n_runs)
        except CarbonError as exc:
            row["error"] = str(exc)
        rows.append(row)
    return rows


def load_project(path: str | Path) -> ProjectSection:
    """Read and validate one project file (YAML, :class:`~carbon.assess.schema.ProjectSection`);
    its sector and product must be in the entry-threshold table and its output unit of the
    threshold's kind."""
    from carbon.assess.thresholds import output_in, threshold_of

    path = Path(path)
    if not is_file(path):
        raise InputError("project file not found", file=path, expected="a YAML project file")
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("a project file must be a mapping", file=path,
                         expected="keys such as name, sector, product, start_year, output, energy",
                         found=type(data).__name__)
    project = validate(ProjectSection, data, file=path)
    try:
        output_in(project.output.quantity, project.output.unit, threshold_of(project.sector, project.product))
    except CarbonError as exc:
        raise exc.at(path) from None
    return project
