"""Atomic file writes (floor 1): a file appears whole or not at all. Run folders build on
these in :mod:`carbon.results`; model tools (the profile generator) use them directly."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


