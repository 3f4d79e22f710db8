"""Atomic file writes (floor 1): a file appears whole or not at all. Run folders build on
these in :mod:`carbon.results`; model tools (the profile generator) use them directly.

Also the two guards of the output folder: :func:`check_name` (a run, market, sweep or sample
name is one plain folder name, not a reserved one) and :func:`inside` (a path resolved and
verified to stay inside the output folder, before anything is written or removed)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from carbon.errors import InputError

RESERVED_NAMES = ("summary.csv", "README.md", "figures", "report", "report.html", "indicators.xlsx",
                  "compare", "compare.csv", "skipped.txt")
"""Names the results folder keeps for itself: no run or market may be called so (any case)."""
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.=-]*$")
MAX_NAME = 200
"""Longest run or market name (a folder name; file systems allow 255 bytes)."""


def check_name(name: object, what: str = "run name", *, file: str | Path | None = None, key: str | None = None) -> str:
    """``name`` if it is a safe folder name (letters, digits, ``_ . = -``, starting with a letter
    or digit, no ``..``, not reserved, at most 200 characters); else :class:`InputError`."""
    text = str(name)
    problem = None
    if not isinstance(name, str) or not SAFE_NAME.match(text):
        problem = "may hold only letters, digits, '_', '.', '=' and '-', and starts with a letter or digit"
    elif ".." in text:
        problem = "may not contain '..'"
    elif text.lower() in {n.lower() for n in RESERVED_NAMES}:
        problem = "is reserved for the results folder (" + ", ".join(RESERVED_NAMES) + ")"
    elif len(text) > MAX_NAME:
        problem = f"is longer than {MAX_NAME} characters"
    if problem:
        raise InputError(f"a {what} {problem}", file=file, key=key, expected="a plain folder name such as policy_2030",
                         found=repr(text[:80]))
    return text


def inside(root: str | Path, path: str | Path) -> Path:
    """``path`` resolved, after checking that it lies inside the folder ``root`` (never ``root``
    itself); :class:`InputError` otherwise."""
    base = Path(root).resolve()
    target = Path(path).resolve()
    if target == base or base not in target.parents:
        raise InputError("an output path would leave the output folder", file=path,
                         expected=f"a path inside {base}", found=str(target)[:200])
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_file(path: Path, suffix: str = "") -> Iterator[str]:
    """A temporary file next to ``path`` that replaces it when the block ends without error
    (with the permissions of a normal new file, not the private ones of a temporary file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small text file atomically (UTF-8, ``\n`` line ends)."""
    with atomic_file(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8", newline="\n")


