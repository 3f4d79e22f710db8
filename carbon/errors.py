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
        except (ValueError, OSError):
            return text
        if not rel.startswith(os.pardir + os.sep + os.pardir):
            return rel
    return text


MAX_SHOWN = 300
"""Longest ``expected`` or ``found`` text a message shows (a whole table is never printed)."""


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 30] + f" ... ({len(text):,} characters)"


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
        self.file = _short(display_path(file)) if file is not None else None
        self.key = key
        self.expected = expected
        self.found = found
        self.hint = hint

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.key) if part)
        text = f"{where}: {self.message}" if where else self.message
        if self.expected is not None:
            text += f"\n  expected: {_short(self.expected)}"
        if self.found is not None:
            text += f"\n  found:    {_short(self.found)}"
        if self.hint:
            text += f"\n  hint:     {self.hint}"
        return text

    def at(self, file: str | Path | None = None, key: str | None = None) -> CarbonError:
        """Fill in the file and key where they are not known yet; return self."""
        if self.file is None and file is not None:
            self.file = _short(display_path(file))
        if self.key is None and key is not None:
            self.key = key
        return self


class InputError(CarbonError):
    """A file, key or value the user supplied is missing or wrong."""


class InputErrors(InputError):
    """Several problems of one file, reported at once (each printed as its own ``error:``)."""

    def __init__(self, problems: list[CarbonError]) -> None:
        first = problems[0]
        super().__init__(first.message, file=first.file, key=first.key, expected=first.expected,
                         found=first.found, hint=first.hint)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\nerror: ".join(str(p) for p in self.problems)

    def at(self, file: str | Path | None = None, key: str | None = None) -> InputErrors:
        for problem in self.problems:
            problem.at(file, key)
        super().at(file, key)
        return self


def problems(errors: list[CarbonError]) -> CarbonError:
    """One error for a list of problems: the problem itself when there is one."""
    return errors[0] if len(errors) == 1 else InputErrors(errors)


class UnitError(InputError):
    """A unit is unknown, or of the wrong kind for where it is used."""


class SolverError(CarbonError):
    """An optimisation did not end optimal (infeasible, unbounded, time limit)."""
