"""Validation of YAML sections against pydantic models, with one clear message per problem.

Every section model derives from :class:`Section` (unknown keys are errors; numbers must be
finite). :func:`validate` turns pydantic's errors into one :class:`~carbon.errors.InputError` naming
every problem of a file at once, each naming the file, the key path, what was expected, what was found and,
for a misspelt key at any depth, the nearest known key.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from carbon.errors import InputError, problems

M = TypeVar("M", bound=BaseModel)


class Section(BaseModel):
    """Base of every input section: unknown keys are rejected, numbers must be finite (no inf,
    no NaN), values are frozen once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def did_you_mean(word: str, choices) -> str | None:
    """A "did you mean ...?" hint for a misspelt word, or None if nothing is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Names of the fields of the (nested) model reached by ``loc``; [] if not a model. A key
    of a mapping (``sectors.industry``) and a list index step over the container."""
    current: Any = model
    for part in loc:
        if _is_tag(str(part)):
            continue
        container = _container_of(current)
        if container is not None:
            current = container
            continue
        fields = getattr(_model_in(current), "model_fields", None)
        if not fields or part not in fields:
            return []
        current = fields[part].annotation
    return list(getattr(_model_in(current), "model_fields", {}) or {})


def _container_of(annotation: Any) -> Any:
    """The value type of a mapping or list annotation (``dict[str, SectorPath]`` -> SectorPath), else None."""
    if _model_in(annotation) is not None and isinstance(annotation, type):
        return None
    for arg in (annotation, *(getattr(annotation, "__args__", ()) or ())):
        origin = getattr(arg, "__origin__", None)
        if origin in (dict, list, tuple) and getattr(arg, "__args__", None):
            return arg.__args__[-1] if origin is dict else arg.__args__[0]
    return None


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
    """Validate ``data`` against ``model``; raise :class:`InputError` naming every problem
    (one per key, unknown keys first)."""
    try:
        return model.model_validate(data)
    except RecursionError:
        raise InputError("data nested too deeply", file=file, key=prefix, expected="at most a few dozen levels") from None
    except ValidationError as exc:
        raise _to_input_error(model, exc, file, prefix) from None


def _to_input_error(model: type[BaseModel], exc: ValidationError, file, prefix) -> InputError:
    errors = exc.errors(include_url=False)
    # an unknown key is most often a misspelt one that is also reported missing: name it first
    errors = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")
    out: list[InputError] = []
    seen: set[str] = set()
    suggested: set[str] = set()
    for err in errors:
        loc = tuple(err["loc"])
        key = key_path(prefix, loc)
        if key in seen:  # one message per key (a union reports each of its branches)
            continue
        seen.add(key)
        problem = _one_error(model, err, file, prefix)
        if err["type"] == "extra_forbidden" and problem.hint:
            suggested.add(key_path(prefix, (*loc[:-1], problem.hint.split("'")[1])))
        if err["type"] == "missing" and key in suggested:
            continue  # the misspelt key's message already says which key is meant
        out.append(problem)
    return problems(out)


def _one_error(model: type[BaseModel], err: dict, file, prefix) -> InputError:
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
    message = message.removeprefix("Value error, ")
    shown = None if isinstance(found, (dict, list)) and len(str(found)) > 80 else repr(found)
    return InputError(message, file=file, key=key or None, found=shown)
