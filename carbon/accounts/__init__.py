"""Carbon accounts (碳账户) of firms, public institutions, villages and households, hourly
electricity-carbon on metered data, grading and green credit, and carbon-inclusive credits
(碳普惠) with their ledger: the fifth computing room (pure: tables in, tables out).

The stage (:mod:`carbon.stages.accounts`) accounts each entity's activity with the inventory
and hands the rows here; the coupling (:mod:`carbon.coupling.accounts`) offers the credits as
offsets in the quota market.
"""

from carbon.accounts.compute import accounts
from carbon.accounts.entity import by_fuel_and_gas, reconcile, scopes, with_entities
from carbon.accounts.grading import grade, green_credit
from carbon.accounts.hourly import hourly_factors, metered_scope2
from carbon.accounts.inclusive import book, issue
from carbon.accounts.schema import AccountsFile, AccountsSection

__all__ = [
    "AccountsFile",
    "AccountsSection",
    "accounts",
    "book",
    "by_fuel_and_gas",
    "grade",
    "green_credit",
    "hourly_factors",
    "issue",
    "metered_scope2",
    "reconcile",
    "scopes",
    "with_entities",
]
