"""The one family of exceptions users can cause.

The CLI prints any :class:`CarbonError` as one message (file, key path, what was expected,
what was found) and exits with code 2, without a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: str | Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    text = str(path)
    if os.path.isabs(text):
        try:
            rel = os.path.relpath(text)
        except ValueError:
            return text
        if not rel.startswith(os.pardir + os.sep + os.pardir):
            return rel
    return text


class CarbonError(Exception):
    """An error the user can fix: bad input, an infeasible system, a missing file.

    Parameters
    ----------
    message
        What went wrong, in a sentence.
    file
        The file the problem is in, if any.
    key
        The key path (``inventory.gwp``) or row (``row 12``) inside the file.
    expected, found
        What was expected and what was found instead.
    hint
        How to fix it (for example a "did you mean ...?" suggestion).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        key: str | None = None,
        expected: str | None = None,
        found: object = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = display_path(file) if file is not None else None
        self.key = key
        self.expected = expected
        self.found = found
        self.hint = hint

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.key) if part)
        text = f"{where}: {self.message}" if where else self.message
        if self.expected is not None:
            text += f"\n  expected: {self.expected}"
        if self.found is not None:
            text += f"\n  found:    {self.found}"
        if self.hint:
            text += f"\n  hint:     {self.hint}"
        return text

    def at(self, file: str | Path | None = None, key: str | None = None) -> "CarbonError":
        """Fill in the file and key where they are not known yet; return self."""
        if self.file is None and file is not None:
            self.file = display_path(file)
        if self.key is None and key is not None:
            self.key = key
        return self


class InputError(CarbonError):
    """A file, key or value the user supplied is missing or wrong."""


class UnitError(InputError):
    """A unit is unknown, or of the wrong kind for where it is used."""


class SolverError(CarbonError):
    """An optimisation did not end optimal (infeasible, unbounded, time limit)."""
