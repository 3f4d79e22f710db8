"""Reading market files: YAML → validated :class:`MarketSection` (clear errors, no traceback)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbon.errors import InputError
from carbon.files import check_name
from carbon.market.schema import MarketSection
from carbon.model import read_yaml
from carbon.schema import validate

__all__ = ["load_market_file", "parse_market", "parse_markets", "read_yaml"]


def parse_market(data: Any, *, file: str | Path | None = None, prefix: str | None = None) -> MarketSection:
    """Validate a market mapping (a market file, or a scenario's ``market:`` section)."""
    if not isinstance(data, dict):
        raise InputError(
            "a market must be a mapping of keys",
            file=file,
            key=prefix,
            expected="keys such as unit, periods, firms",
            found=type(data).__name__,
        )
    return validate(MarketSection, data, file=file, prefix=prefix)


def parse_markets(scenario: dict, *, file: str | Path | None = None) -> dict[str, MarketSection]:
    """The markets of a scenario: ``market:`` (named ``market``) or ``markets: {name: ...}``."""
    if "market" in scenario and "markets" in scenario:
        raise InputError("a scenario has either 'market' or 'markets', not both", file=file, key="markets")
    if "market" in scenario:
        return {"market": parse_market(scenario["market"], file=file, prefix="market")}
    markets = scenario.get("markets") or {}
    if not isinstance(markets, dict):
        raise InputError(
            "'markets' must map names to market sections",
            file=file,
            key="markets",
            expected="{carbon: {...}, energy_use_rights: {...}}",
            found=type(markets).__name__,
        )
    for name in markets:  # each market is a folder of the output: a plain, safe name
        check_name(name, "market name", file=file, key="markets")
    return {str(name): parse_market(body, file=file, prefix=f"markets.{name}") for name, body in markets.items()}


def load_market_file(path: str | Path) -> MarketSection:
    """Read and validate a market file."""
    return parse_market(read_yaml(path), file=path)
