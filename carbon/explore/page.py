"""The explorer page: one self-contained HTML file (plotly.js, the data and the glossary inside)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from carbon import glossary
from carbon.errors import InputError
from carbon.explore.data import SECTOR_COLUMNS, explorer_data
from carbon.files import write_text_atomic

FILE_NAME = "explorer.html"
"""The page's name when no output file is given (written into the results folder)."""

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain(term: str) -> str:
    """A glossary term without matplotlib's mathtext: ``CO$_2$`` -> ``CO₂``, ``10$^4$`` -> ``10⁴``,
    ``10^4`` -> ``10⁴`` (the page shows plain Unicode text)."""
    term = re.sub(r"\$_\{?(\d+)\}?\$", lambda m: m.group(1).translate(_SUB), term)
    term = re.sub(r"\$\^\{?(\d+)\}?\$", lambda m: m.group(1).translate(_SUP), term)
    term = re.sub(r"\^(\d+)", lambda m: m.group(1).translate(_SUP), term)
    return term.replace("$", "")


def glossary_terms() -> dict[str, dict[str, dict[str, str]]]:
    """The glossary's ``name`` and ``text`` terms in both languages, as the page uses them."""
    table = glossary.table()
    return {
        kind: {lang: {k: plain(v) for k, v in table.get(kind, {}).get(lang, {}).items()} for lang in glossary.LANGUAGES}
        for kind in ("name", "text")
    }


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (``<`` escaped, so no ``</script>`` can end it)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def _plotly_js() -> str:
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:  # pragma: no cover - plotly is a dependency
        raise InputError(
            "plotly is not installed",
            expected="the plotly package (a dependency of carbon)",
            found="absent",
            hint="pip install plotly",
        ) from None
    return get_plotlyjs().replace("</script", "<\\/script")


def render(data: dict[str, Any], lang: str = "en") -> str:
    """The explorer page of ``data`` (:func:`~carbon.explore.data.explorer_data`) in ``lang``."""
    if lang not in glossary.LANGUAGES:
        raise InputError("unknown language", key="lang", expected=" or ".join(glossary.LANGUAGES), found=lang)
    page = {**data, "lang": lang, "sector_views": {column: view for view, column in SECTOR_COLUMNS.items()}}
    terms = glossary_terms()
    title = plain(glossary.term("explore_title", lang, "text")).replace("{source}", str(data.get("source", "")))
    parts = {
        "LANG": "zh-CN" if lang == "zh" else "en",
        "TITLE": title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        "PLOTLY": _plotly_js(),
        "DATA": _script_json(page),
        "GLOSSARY": _script_json(terms),
    }
    template = resources.files("carbon.explore").joinpath("template.html").read_text(encoding="utf-8")
    return re.sub(r"__(LANG|TITLE|PLOTLY|DATA|GLOSSARY)__", lambda m: parts[m.group(1)], template)


def build_explorer(path: str | Path, output: str | Path | None = None, lang: str = "en") -> Path:
    """Write the explorer of a results folder (or one run folder) and return the file written.

    Parameters
    ----------
    path
        A results folder of ``carbon run`` (or a run folder).
    output
        The HTML file to write; a folder means ``<folder>/explorer.html``. Default
        ``<path>/explorer.html``.
    lang
        ``en`` or ``zh``: the language the page opens in (it can switch to the other).

    Raises :class:`~carbon.errors.InputError` when ``path`` is not a results or run folder.
    """
    path = Path(path)
    html = render(explorer_data(path), lang)
    target = Path(output) if output is not None else path / FILE_NAME
    if target.is_dir():
        target = target / FILE_NAME
    write_text_atomic(target, html)
    return target
