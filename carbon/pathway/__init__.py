"""Pathway to the peak: projection, peak rule, targets, LMDI decomposition, STIRPAT."""

from carbon.pathway.lmdi import decompose
from carbon.pathway.peak import Peak, detect_peak
from carbon.pathway.stirpat import fit_stirpat

__all__ = ["Peak", "decompose", "detect_peak", "fit_stirpat"]
