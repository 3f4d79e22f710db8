"""One place for the look of every figure: colours, labels (en/zh), units, fonts, sizes.

Colours are defined once here, one per fuel, technology, sector and gas, so a sector or a
fuel has the same colour in every figure of a report. Labels come in English and Chinese;
:func:`use_language` picks a CJK font when one is installed and otherwise falls back to
English with a message saying how to install one.
"""

from __future__ import annotations

import colorsys
import zlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # drawing to files only; never needs a display

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure

from carbon import glossary
from carbon.errors import InputError

#: Text width of an A4 page with 20 mm margins, inches: figures are drawn at this width so
#: that the fonts below print at their nominal size.
A4_WIDTH_IN = 6.7
#: Font sizes (pt) that stay legible at A4 width.
FONT_SIZE = 8.5
DPI = 200
#: Tonnes per 10^4 t: quantities are drawn in 10^4 t CO2e (and 10^4 tce), as in Chinese statistics.
TEN_THOUSAND = 1e4

# --- colours, defined once ---------------------------------------------------------------

SECTOR_COLOURS: dict[str, str] = {
    "power": "#4c4c4c",
    "industry": "#8c564b",
    "construction": "#c49c94",
    "transport": "#1f77b4",
    "commercial": "#9467bd",
    "residential": "#e377c2",
    "buildings": "#c5b0d5",
    "agriculture": "#2ca02c",
    "ippu": "#ff7f0e",
    "waste": "#bcbd22",
    "lulucf": "#17becf",
    "electricity": "#f2c12e",
    "purchased_electricity": "#f2c12e",
    "heat": "#d62728",
    "purchased_heat": "#f4a582",
    "other": "#7f7f7f",
}

FUEL_COLOURS: dict[str, str] = {
    "raw_coal": "#3b3b3b",
    "coal": "#3b3b3b",
    "washed_coal": "#555555",
    "other_bituminous_coal": "#474747",
    "anthracite": "#2b2b2b",
    "coke": "#6f6f6f",
    "coke_oven_gas": "#9a9a9a",
    "crude_oil": "#7b3f00",
    "gasoline": "#d95f02",
    "motor_gasoline": "#d95f02",
    "kerosene": "#e6ab02",
    "diesel": "#a6761d",
    "gas_diesel_oil": "#a6761d",
    "fuel_oil": "#8c510a",
    "residual_fuel_oil": "#8c510a",
    "lpg": "#fdb462",
    "natural_gas": "#1b9e77",
    "gas": "#1b9e77",
    "biogas": "#66a61e",
    "wood": "#7fbc41",
    "other_primary_solid_biomass": "#4d9221",
    "biomass": "#4d9221",
    "electricity": "#f2c12e",
    "heat": "#d62728",
    "other": "#bdbdbd",
}

TECH_COLOURS: dict[str, str] = {
    "coal": "#3b3b3b",
    "gas": "#1b9e77",
    "oil": "#a6761d",
    "nuclear": "#7570b3",
    "hydro": "#1f78b4",
    "wind": "#6baed6",
    "solar": "#fdd835",
    "biomass": "#4d9221",
    "waste": "#bcbd22",
    "geothermal": "#b15928",
    "grid_import": "#b0b0b0",
    "grid_export": "#d9d9d9",
    "battery": "#e7298a",
    "storage": "#e7298a",
    "pumped_hydro": "#6a3d9a",
    "hydrogen": "#00bcd4",
    "demand_response": "#ff7f00",
    "shed": "#e31a1c",
}

GAS_COLOURS: dict[str, str] = {
    "co2": "#4c4c4c",
    "ch4": "#ff7f0e",
    "n2o": "#1f77b4",
    "hfc": "#9467bd",
    "pfc": "#8c564b",
    "sf6": "#17becf",
}

SCOPE_COLOURS: dict[str, str] = {"1": "#4c4c4c", "2": "#f2c12e", "3": "#9ecae1"}

#: Colours of the runs of a comparison (cycled); reference lines and bands.
SERIES_COLOURS = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
]
TOTAL_COLOUR = "#000000"
PEAK_COLOUR = "#d62728"
TARGET_COLOUR = "#2ca02c"
BAND_COLOUR = "#1f77b4"

_FAMILIES = {
    "sector": SECTOR_COLOURS,
    "fuel": FUEL_COLOURS,
    "technology": TECH_COLOURS,
    "gas": GAS_COLOURS,
    "scope": SCOPE_COLOURS,
}


def _fallback(key: str) -> str:
    """A stable colour for a key no table lists (same key, same colour, in every run)."""
    hue = (zlib.crc32(key.encode("utf-8")) % 360) / 360.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.5, 0.45)
    return mcolors.to_hex((r, g, b))


def _lighter(colour: str, amount: float = 0.45) -> str:
    r, g, b = mcolors.to_rgb(colour)
    return mcolors.to_hex((r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount))


def colour(kind: str, key: str) -> str:
    """The colour of ``key`` in a family (``sector``, ``fuel``, ``technology``, ``gas``, ``scope``).

    A technology variant named ``<base>_<suffix>`` (``wind_new``, ``solar_2030``) takes a
    lighter shade of its base's colour; unknown keys get a stable colour from their name.
    """
    table = _FAMILIES[kind]
    key = str(key)
    low = key.lower()
    if low in table:
        return table[low]
    if kind == "technology":
        for base in sorted(table, key=len, reverse=True):
            if low.startswith((base + "_", base + "-")):
                return _lighter(table[base])
    return _fallback(low)


# --- labels ------------------------------------------------------------------------------

#: Names of keys and phrases of titles and axes, per language: both read from the one glossary
#: (``carbon/data/glossary.csv``). Units use mathtext so they print the same in both languages.
NAMES: dict[str, dict[str, str]] = glossary.table()["name"]
TEXT: dict[str, dict[str, str]] = glossary.table()["text"]


class Labels:
    """Label lookup in one language: ``L("co2e_10k")`` for phrases, ``L.name(key)`` for keys."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang if lang in TEXT else "en"

    def __call__(self, key: str, **fmt: object) -> str:
        text = glossary.term(key, self.lang, kind="text") if key in TEXT["en"] else key
        return text.format(**fmt) if fmt else text

    def name(self, key: object) -> str:
        """Display name of a sector, fuel, technology, gas or view."""
        return glossary.term(key, self.lang)


# --- fonts and languages -----------------------------------------------------------------

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
CJK_GLOBS = (
    "NotoSansCJK*",
    "NotoSerifCJK*",
    "SourceHanSans*",
    "wqy-*",
    "simhei*",
    "msyh*",
    "DroidSansFallback*",
    "uming*",
)
CJK_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    str(Path.home() / ".fonts"),
    str(Path.home() / ".local/share/fonts"),
    "/System/Library/Fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)
INSTALL_HINT = (
    "no CJK font found, so the figures use English labels; install one to get Chinese "
    "labels, e.g. `sudo apt-get install fonts-noto-cjk` (Debian/Ubuntu), "
    "`sudo dnf install google-noto-sans-cjk-fonts` (Fedora), or put a .ttf/.otf/.ttc CJK "
    "font into ~/.fonts"
)

_CJK_CACHE: dict[str, str | None] = {}


def find_cjk_font() -> str | None:
    """The family name of an installed CJK font, or None.

    Looks at matplotlib's font list first, then for known font files in the usual folders
    (fonts installed after matplotlib built its cache are added on the fly).
    """
    if "family" in _CJK_CACHE:
        return _CJK_CACHE["family"]
    names = {f.name for f in font_manager.fontManager.ttflist}
    family = next((n for n in CJK_FAMILIES if n in names), None)
    if family is None:
        for folder in CJK_FONT_DIRS:
            base = Path(folder)
            if not base.is_dir():
                continue
            for pattern in CJK_GLOBS:
                for path in sorted(base.rglob(pattern)):
                    if path.suffix.lower() not in (".ttf", ".otf", ".ttc"):
                        continue
                    try:
                        font_manager.fontManager.addfont(str(path))
                    except (OSError, RuntimeError, ValueError):
                        continue
            names = {f.name for f in font_manager.fontManager.ttflist}
            family = next((n for n in CJK_FAMILIES if n in names), None)
            if family is not None:
                break
    _CJK_CACHE["family"] = family
    return family


def use_language(lang: str) -> tuple[str, str | None]:
    """Set matplotlib up for ``lang`` (``en`` or ``zh``).

    Returns
    -------
    (lang, message)
        The language actually used and a message for the user (None when all is well):
        ``zh`` without a CJK font falls back to ``en`` with a message saying how to install one.
    """
    apply_style()
    if lang not in ("en", "zh"):
        raise InputError("unknown language", key="--lang", expected="en or zh", found=lang)
    if lang == "zh":
        family = find_cjk_font()
        if family is None:
            return "en", INSTALL_HINT
        # a list of families: glyphs missing from the CJK font (✓ ✗ →) come from DejaVu Sans
        plt.rcParams["font.family"] = [family, "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
        return "zh", None
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    return "en", None


def apply_style() -> None:
    """rcParams shared by every figure (sizes for A4 width, light grid, no top/right spines)."""
    plt.rcParams.update(
        {
            "font.size": FONT_SIZE,
            "axes.titlesize": FONT_SIZE + 1.5,
            "axes.titleweight": "bold",
            "axes.labelsize": FONT_SIZE,
            "legend.fontsize": FONT_SIZE - 1,
            "legend.frameon": False,
            "xtick.labelsize": FONT_SIZE - 0.5,
            "ytick.labelsize": FONT_SIZE - 0.5,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.axisbelow": True,
            "grid.color": "#e0e0e0",
            "grid.linewidth": 0.6,
            "figure.dpi": DPI,  # the saving dpi: text metrics of the layout pass are reused when saving
            "savefig.dpi": DPI,
            "savefig.bbox": None,
            "svg.fonttype": "path",
            "pdf.fonttype": 42,
            "axes.formatter.use_mathtext": False,
        }
    )


def new_figure(
    height: float = 3.6, ncols: int = 1, nrows: int = 1, width: float = A4_WIDTH_IN, **kwargs
) -> tuple[Figure, object]:
    """A figure at A4 text width with ``nrows`` x ``ncols`` axes (constrained layout)."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)
    return fig, axes


def wrap_lines(text: str, width: int, lines: int = 3) -> str:
    """``text`` in at most ``lines`` lines of ``width`` columns (:func:`carbon.glossary.wrap`)."""
    out = glossary.wrap(text, width)
    return "\n".join(out[:lines]) + ("…" if len(out) > lines else "")


def run_title(fig: Figure, title: str, label: str, room: float = 0.9, size: float = FONT_SIZE + 1.5) -> str:
    """``title — label`` when it fits in ``room`` x the figure's width at the title's font size
    (pt; ~0.62 em a column, a wide character two), else the run's label on at most three lines
    under ``title``: a long label (a sweep's) neither runs off the figure nor squeezes the axes.
    ``room`` below 0.9 leaves the width of a legend outside the axes."""
    columns = max(20, int(room * fig.get_figwidth() * 72 / (0.62 * size)))
    line = f"{title} — {label}"
    if glossary.display_width(line) <= columns:
        return line
    return title + "\n" + wrap_lines(label, columns)


def thousands(value: float, _pos: object = None) -> str:
    """Tick label with thousands separators (``1,234``; decimals for small numbers)."""
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.2g}"


def legend_below(fig: Figure, handles: list, labels: list[str], max_cols: int = 3) -> None:
    """A figure legend under the axes with as many columns as the label lengths allow at A4 width."""
    longest = max((len(str(lab)) for lab in labels), default=10)
    ncols = max(1, min(max_cols, 100 // (longest + 6)))
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols)
