"""Project carbon assessment (固定资产投资项目碳排放评价) and low-carbon entry (低碳准入): a
computing room. Typed project sections in, plain tables and verdicts out; the run with and
without a project is made by the orchestration (:mod:`carbon.stages.assess`)."""

from carbon.assess.compute import (
    entry_verdict,
    impact,
    project_activity_rows,
    ramp_shares,
    screen,
)
from carbon.assess.schema import EnergyUse, Output, ProjectSection

__all__ = [
    "EnergyUse",
    "Output",
    "ProjectSection",
    "entry_verdict",
    "impact",
    "project_activity_rows",
    "ramp_shares",
    "screen",
]
