"""The ``accounts:`` section (a scenario's, or a ``carbon accounts`` file's): typed and frozen.

Tables are CSV files named by path (relative to the file that names them; see
:func:`absolute_paths`). Blank packaged tables (benchmarks, green credit, methodologies) take
the defaults in ``carbon/data/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from carbon.schema import Section

GRADES = ("dark_green", "light_green", "yellow", "red")
"""The four grades of the default rule, best first (Quzhou's 深绿/浅绿/黄/红; see docs/accounts.md)."""
UNGRADED = "ungraded"
"""Grade of an account without a benchmark or an intensity (no output or value added given)."""

PATH_KEYS = (
    "entities",
    "activity",
    "production",
    "metered",
    "benchmarks",
    "green_credit",
    "methodologies",
    "participants",
    "actions",
)
"""Keys of the section that are file paths."""


class GradingRule(Section):
    """Grades by carbon intensity against the sector benchmark, moved one grade by the
    year-on-year change of intensity (the three-dimension, four-colour rule of Quzhou's industrial
    carbon accounts, thresholds illustrative)."""

    basis: Literal["value_added", "output"] = Field(
        "value_added", description="intensity per 10^4 CNY of value added or per unit of output"
    )
    ratio_bounds: tuple[float, float, float] = Field(
        (0.8, 1.0, 1.2),
        description="upper bounds of intensity / benchmark for dark green, light green, yellow "
        "(inclusive); above the last: red",
    )
    improve: float = Field(
        -0.05, le=0, description="a year-on-year intensity change at or below this: one grade better"
    )
    worsen: float = Field(0.05, ge=0, description="a change at or above this: one grade worse")
    base_rate_pct: float = Field(
        3.45,
        ge=0,
        le=30,
        description="loan rate before the grade's adjustment, % a year "
        "(1-year LPR from August 2023, People's Bank of China)",
    )

    @field_validator("ratio_bounds")
    @classmethod
    def _increasing(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        if not (0 < value[0] < value[1] < value[2]):
            raise ValueError(f"ratio bounds must be positive and increasing (found {list(value)})")
        return value


class HourlySection(Section):
    """Hourly emission factors of the county's supply, from the energy model's dispatch."""

    run: str | None = Field(None, description="a run folder whose energy/dispatch and energy/annual tables to use")
    days: int | None = Field(
        None,
        ge=1,
        le=366,
        description="solve the model's energy system at K representative "
        "days for the factors (when no run is given and the scenario has no energy)",
    )
    hours: int | None = Field(None, ge=24, le=8784, description="or solve it at the first N hours")
    shift_share: float = Field(
        0.1,
        ge=0,
        le=1,
        description="share of each hour's metered load moved to the "
        "lowest-factor hour of its day, for the load-shifting figure",
    )

    @model_validator(mode="after")
    def _one_source(self) -> HourlySection:
        given = [k for k in ("run", "days", "hours") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of run, days or hours (found {', '.join(given)})")
        return self


class DockingSection(Section):
    """Carbon-inclusive credits offered as offsets in the quota market."""

    market: str | None = Field(
        None,
        description="name of the scenario's market under markets: (blank: the scenario's market: or its only market)",
    )
    scenario: str | None = Field(None, description="a scenario file holding the market (for carbon accounts)")
    price: float = Field(..., ge=0, description="price at which the platform offers the credits, CNY/t")
    sell_share: float = Field(
        1.0, ge=0, le=1, description="share of its credits each participant sells to the platform"
    )
    limit: float | None = Field(
        None,
        ge=0,
        le=1,
        description="offset limit when the market has none, share of the obligation (China's CCER rule: 0.05)",
    )


class AccountsSection(Section):
    """Carbon accounts of entities, their grading and green credit, and carbon-inclusive credits."""

    entities: str = Field(..., description="entity table CSV")
    activity: str = Field(..., description="activity per entity CSV (fuels, electricity, heat, process)")
    production: str | None = Field(None, description="output and value added per entity and year CSV")
    metered: str | None = Field(None, description="hourly or 15-minute metered electricity CSV")
    benchmarks: str | None = Field(None, description="sector benchmarks CSV (default: carbon/data)")
    green_credit: str | None = Field(None, description="grade -> rate adjustment CSV (default: carbon/data)")
    methodologies: str | None = Field(None, description="carbon-inclusive methodology CSV (default: carbon/data)")
    participants: str | None = Field(None, description="carbon-inclusive participants CSV")
    actions: str | None = Field(None, description="low-carbon actions of participants CSV")
    discount: float | None = Field(
        None, ge=0, lt=1, description="conservativeness discount for every methodology (blank: each methodology's own)"
    )
    grading: GradingRule = GradingRule()
    hourly: HourlySection | None = None
    docking: DockingSection | None = None

    @model_validator(mode="after")
    def _pairs(self) -> AccountsSection:
        if (self.participants is None) != (self.actions is None):
            raise ValueError("participants and actions go together (carbon-inclusive credits need both)")
        if self.docking is not None and self.actions is None:
            raise ValueError("docking needs carbon-inclusive credits (participants and actions)")
        return self


class AccountsFile(AccountsSection):
    """A ``carbon accounts`` file: the section plus the model or scenario it belongs to."""

    name: str = Field("accounts", description="name of the accounts (for titles)")
    model: str | None = Field(None, description="model folder (its inventory is the county's)")
    scenario: str | None = Field(None, description="or a scenario file (its model and inventory options)")

    @model_validator(mode="after")
    def _one_home(self) -> AccountsFile:
        if (self.model is None) == (self.scenario is None):
            raise ValueError("give exactly one of model or scenario")
        return self


def absolute_paths(data: Any, folder: Path) -> Any:
    """An ``accounts`` mapping with its file paths made absolute against ``folder`` (other values
    as they are; not a mapping: unchanged, validation reports it)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key in PATH_KEYS + ("model", "scenario"):
        if isinstance(out.get(key), str):
            out[key] = str((folder / out[key]).resolve())
    for sub, key in (("hourly", "run"), ("docking", "scenario")):
        part = out.get(sub)
        if isinstance(part, dict) and isinstance(part.get(key), str):
            out[sub] = {**part, key: str((folder / part[key]).resolve())}
    return out
