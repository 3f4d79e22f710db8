"""Figure captions in English or Chinese, from the glossary (text keys ``cap_*``)."""

from __future__ import annotations

import re

from carbon import glossary

#: Figure name patterns -> (glossary text key, names of the groups used as placeholders).
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"inventory_sector_gas", "cap_inventory_sector_gas"),
    (r"inventory_energy_flow", "cap_inventory_energy_flow"),
    (r"pathway_lmdi", "cap_pathway_lmdi"),
    (r"pathway_targets", "cap_pathway_targets"),
    (r"pathway_(?P<view>scope\d+)", "cap_pathway"),
    (r"energy_capacity", "cap_energy_capacity"),
    (r"energy_generation", "cap_energy_generation"),
    (r"energy_dispatch", "cap_energy_dispatch"),
    (r"energy_price_heatmap", "cap_energy_price_heatmap"),
    (r"energy_duration", "cap_energy_duration"),
    (r"market(_(?P<market>.+))?_price", "cap_market_price"),
    (r"market(_(?P<market>.+))?_firms", "cap_market_firms"),
    (r"market(_(?P<market>.+))?_mac", "cap_market_mac"),
    (r"market(_(?P<market>.+))?_trades", "cap_market_trades"),
    (r"fan_(?P<view>scope\d+)", "cap_fan"),
    (r"peak_year(_(?P<view>scope\d+))?", "cap_peak_year"),
    (r"compare_inventory", "cap_compare_inventory"),
    (r"compare_pathway_(?P<view>scope\d+)", "cap_compare_pathway"),
    (r"samples_(?P<name>.+)", "cap_samples"),
    (r"accounts_grades", "cap_accounts_grades"),
    (r"accounts_intensity", "cap_accounts_intensity"),
    (r"accounts_hourly_factor", "cap_accounts_hourly_factor"),
    (r"accounts_credits", "cap_accounts_credits"),
)


def caption(name: str, lang: str = "en", default: str = "") -> str:
    """The caption of the figure ``name`` (``pathway_scope12``, ``market_carbon_price``) in
    ``lang``: views, markets and scenario names filled in (views translated); ``default`` when
    no pattern matches."""
    for pattern, key in PATTERNS:
        m = re.fullmatch(pattern, name)
        if m:
            fmt = {k: (v or "") for k, v in m.groupdict().items()}
            if "view" in fmt:
                fmt["view"] = glossary.term(fmt["view"] or "scope12", lang)
            if "market" in fmt:
                fmt["market"] = glossary.term(fmt["market"] or "market", lang)
            return glossary.term(key, lang, kind="text").format(**fmt)
    return default
