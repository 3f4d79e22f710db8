"""Masks over the text columns of inventory tables (sector, category, item, gas, unit), which may
be categorical or text: a test of each value's text, run once per distinct value instead of
once per row; a missing value matches nothing (as ``astype(str)`` comparisons give)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def text_mask(column: pd.Series, test: Callable[[str], bool]) -> pd.Series:
    """``test`` of each row's text as a boolean Series on ``column``'s index (False where missing)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    flags = np.array([not pd.isna(value) and bool(test(str(value))) for value in uniques], dtype=bool)
    return pd.Series(flags[codes], index=column.index, name=column.name)


def is_text(column: pd.Series, *values: str) -> pd.Series:
    """Rows whose text is one of ``values``."""
    wanted = set(values)
    return text_mask(column, wanted.__contains__)


def starts_with(column: pd.Series, prefix: str) -> pd.Series:
    """Rows whose text starts with ``prefix`` (e.g. a category and those under it)."""
    return text_mask(column, lambda text: text.startswith(prefix))
