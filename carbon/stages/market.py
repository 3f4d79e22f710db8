"""The market stage of a run: one market section in, tables and key figures out (pure)."""

from __future__ import annotations

from pathlib import Path

from carbon.errors import CarbonError
from carbon.market.clearing import clear, unit_slug
from carbon.market.inputs import build_inputs
from carbon.market.schema import MarketSection
from carbon.results import StageOutput


def run_stage(
    section: MarketSection,
    base_dir: Path,
    *,
    file: str | Path | None = None,
    prefix: str | None = None,
) -> StageOutput:
    """Solve one market and return its tables and summary.

    Parameters
    ----------
    section
        The validated market section.
    base_dir
        Folder that relative paths (a firms CSV, an energy-model curve) are resolved from.
    file, prefix
        The file and key path of the section, used in error messages.

    Returns
    -------
    StageOutput
        tables ``periods``, ``firms``, ``ledger``, ``balances`` (and ``trades`` in agent
        mode); summary of key figures with units in the key names.
    """
    try:
        inputs = build_inputs(section, Path(base_dir), file=file, prefix=prefix)
        if section.mode == "agents":
            from carbon.market.agents import simulate

            result = simulate(inputs, section.agents)
            summary, extra = result.summary, {"trades": result.trades}
        else:
            result = clear(inputs)
            summary, extra = {**result.summary, "mode": "equilibrium", "unit_slug": unit_slug(section.unit)}, {}
    except CarbonError as exc:
        raise exc.at(file=file, key=prefix)
    tables = {"periods": result.periods, "firms": result.firms, "ledger": result.ledger, "balances": result.balances}
    return StageOutput(tables={**tables, **extra}, summary=summary)
