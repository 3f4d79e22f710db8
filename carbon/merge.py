"""Merging scenario data (floor 1): ``extends``, sweep values and settings changes all merge
with :func:`deep_merge` (year-keyed paths year by year; ``!replace`` replaces whole)."""

from __future__ import annotations

import copy
import re
from typing import Any

from carbon.model import Replace

PATH_KEY = re.compile(r"^\d{4}(\s*-\s*\d{4})?$")


def is_time_path(value: Any) -> bool:
    """A mapping keyed by years or periods (``{2030: ..., "2031-2040": ...}``)."""
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, int) or PATH_KEY.match(str(k)) for k in value)


def deep_merge(base: dict, top: dict) -> dict:
    """``top`` over ``base`` (``extends``, a sweep value), as plain dicts.

    - Nested mappings merge recursively, key by key.
    - A time path (a mapping keyed by years or periods, on either side) merges year by year:
      ``top``'s years and periods replace the same keys (``2030`` and ``"2030"`` are one key),
      ``base``'s other keys stay. The value AT a year is replaced whole: a mix at 2030 is one
      object whose shares sum to 1, never merged share by share. ``top``'s keys come last, so
      where its periods overlap ``base``'s other periods, ``top``'s rates hold.
    - A mapping tagged ``!replace`` (:class:`Replace`) replaces ``base``'s value as a whole.
    - Anything else (a number, a string, a list) replaces ``base``'s value.

    The result holds no :class:`Replace` marker."""
    out = _plain(base)
    for key, value in top.items():
        old = out.get(key)
        if isinstance(value, Replace) or not isinstance(value, dict) or not isinstance(old, dict):
            out[key] = _plain(value)
        elif is_time_path(value) or is_time_path(old):
            given = {_path_key(k) for k in value}
            out[key] = {k: v for k, v in old.items() if _path_key(k) not in given} | _plain(value)
        else:
            out[key] = deep_merge(old, value)
    return out


def _path_key(key: Any) -> str:
    """A year or period key in one spelling: ``2030`` is ``"2030"``, ``"2021 - 2025"`` is ``"2021-2025"``."""
    return re.sub(r"\s+", "", str(key))


def _plain(value: Any) -> Any:
    """A deep copy of ``value`` with every mapping a plain dict (no :class:`Replace` marker)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return copy.deepcopy(value)


