"""Quota-trading market simulator (配额交易): allocation, equilibrium with banking, offsets,
price bounds, a stability reserve, a registry of carbon accounts, and agent-based trading.

The same engine trades carbon allowances (tCO2) and energy-use rights (tce).
"""

from carbon.market.auction import CallAuctionResult, call_auction
from carbon.market.clearing import MarketResult, clear
from carbon.market.inputs import MarketInputs, build_inputs, simple_market
from carbon.market.power import StepMac, attach_power_curve, mac_from_energy
from carbon.market.schema import MarketSection

__all__ = [
    "CallAuctionResult",
    "MarketInputs",
    "MarketResult",
    "MarketSection",
    "StepMac",
    "attach_power_curve",
    "build_inputs",
    "call_auction",
    "clear",
    "mac_from_energy",
    "simple_market",
]
