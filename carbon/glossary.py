"""One glossary: every user-facing term in English and Chinese (``carbon/data/glossary.csv``).

Rows are ``kind, key, en, zh``. ``kind`` is ``name`` for things (sectors, fuels, technologies,
gases, targets, column names) and ``text`` for phrases (headings, captions, axis titles, which
may hold ``{placeholders}``). Figures, reports, workbooks, the explorer and the terminal all
look terms up here, so a term is translated once.

>>> term("power", "zh")
'电力'
>>> term("no_such_key", "en")
'no such key'
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

LANGUAGES = ("en", "zh")


@cache
def table() -> dict[str, dict[str, dict[str, str]]]:
    """``{kind: {lang: {key: term}}}`` read once from the glossary file."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    text = resources.files("carbon.data").joinpath("glossary.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        kind = out.setdefault(row["kind"], {lang: {} for lang in LANGUAGES})
        for lang in LANGUAGES:
            if row[lang]:
                kind[lang][row["key"]] = row[lang]
    return out


def term(key: object, lang: str = "en", kind: str = "name") -> str:
    """The term for ``key`` in ``lang``; English, then the key with spaces, when missing."""
    k = str(key)
    terms = table().get(kind, {})
    lookup = k.lower() if kind == "name" else k
    for language in (lang, "en"):
        found = terms.get(language, {}).get(lookup)
        if found is not None:
            return found
    return k.replace("_", " ")


def has_term(key: object, lang: str, kind: str = "name") -> bool:
    """Whether ``key`` has its own entry in ``lang`` (used by the tests that scan outputs)."""
    k = str(key)
    return (k.lower() if kind == "name" else k) in table().get(kind, {}).get(lang, {})


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or a monospaced layout (East Asian wide characters two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, at spaces when it can (a longer word, or
    Chinese text without spaces, is cut).

    >>> wrap("battery energy cost (CNY/kWh) = 200", 16)
    ['battery energy', 'cost (CNY/kWh) =', '200']
    >>> wrap("储能容量成本(元/kWh)", 10)
    ['储能容量成', '本(元/kWh)']
    """
    lines: list[str] = []
    for word in text.split(" "):
        while display_width(word) > width:
            cut = 0
            while display_width(word[: cut + 1]) <= width:
                cut += 1
            head, word = word[:cut], word[cut:]
            if lines and display_width(lines[-1]) + 1 + display_width(head) <= width:
                lines[-1] += " " + head
            else:
                lines.append(head)
        if lines and display_width(lines[-1]) + 1 + display_width(word) <= width:
            lines[-1] += " " + word
        elif word:
            lines.append(word)
    return lines or [""]
