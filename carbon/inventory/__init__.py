"""Emissions inventory: activity x emission factors (IPCC 2006), GWP sets, scopes, uncertainty."""

from carbon.inventory.accounting import Inventory, account
from carbon.inventory.activity import balance_to_long, read_activity, validate_activity
from carbon.inventory.factors import gwp_values, load_factor_set, read_factor_file
from carbon.inventory.uncertainty import approach1, approach2

__all__ = ["Inventory", "account", "approach1", "approach2", "balance_to_long", "gwp_values",
           "load_factor_set", "read_activity", "read_factor_file", "validate_activity"]
