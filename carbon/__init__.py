"""Carbon peak engine: inventory, energy system, quota market and pathway for a county's
peak-carbon action plan."""

__version__ = "0.1.0"
