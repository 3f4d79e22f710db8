"""Validation of YAML sections against pydantic models, with one clear message per problem.

Every section model derives from :class:`Section` (unknown keys are errors). :func:`validate`
turns pydantic's errors into a :class:`~carbon.errors.InputError` naming the file, the key
path, what was expected, what was found and, for a misspelt key, the nearest known key.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from carbon.errors import InputError

M = TypeVar("M", bound=BaseModel)


class Section(BaseModel):
    """Base of every input section: unknown keys are rejected, values are frozen once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def did_you_mean(word: str, choices) -> str | None:
    """A "did you mean ...?" hint for a misspelt word, or None if nothing is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Names of the fields of the (nested) model reached by ``loc``; [] if not a model."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or _is_tag(str(part)):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        annotation = fields[part].annotation
        current = _model_in(annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _is_tag(part: str) -> bool:
    """Pydantic's union and validator tags in an error location (not keys of the input)."""
    return part.startswith(("function-", "union[", "literal[")) or "[" in part


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def key_path(prefix: str | None, loc: tuple) -> str:
    """Dotted key path such as ``inventory.gwp`` or ``firms[2].baseline``."""
    text = prefix or ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _is_tag(str(part)):
            text += f".{part}" if text else str(part)
    return text


def validate(model: type[M], data: Any, *, file: str | Path | None = None, prefix: str | None = None) -> M:
    """Validate ``data`` against ``model``; raise :class:`InputError` on the first problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _to_input_error(model, exc, file, prefix) from None


def _to_input_error(model: type[BaseModel], exc: ValidationError, file, prefix) -> InputError:
    errors = exc.errors(include_url=False)
    # an unknown key is most often a misspelt one that is also reported missing: name it first
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(err["loc"])
    key = key_path(prefix, loc)
    kind = err["type"]
    found = err.get("input")
    if kind == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        return InputError(
            f"unknown key {loc[-1]!r}",
            file=file,
            key=key,
            expected="one of: " + ", ".join(known) if known else "no such key",
            hint=did_you_mean(loc[-1], known),
        )
    if kind == "missing":
        return InputError("required key is missing", file=file, key=key, expected=f"a value for {loc[-1]!r}")
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    shown = None if isinstance(found, (dict, list)) and len(str(found)) > 80 else repr(found)
    return InputError(message, file=file, key=key or None, found=shown)
