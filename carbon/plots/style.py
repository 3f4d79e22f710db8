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

#: Display names of keys (sectors, fuels, technologies, gases, indicators); English is the key
#: itself with underscores as spaces unless listed.
NAMES: dict[str, dict[str, str]] = {
    "en": {
        "ippu": "IPPU",
        "co2": "CO$_2$",
        "ch4": "CH$_4$",
        "n2o": "N$_2$O",
        "lpg": "LPG",
        "raw_coal": "raw coal",
        "other_primary_solid_biomass": "solid biomass",
        "grid_import": "grid import",
        "grid_export": "grid export",
        "msw_landfilled": "landfilled waste",
        "domestic_wastewater_bod": "wastewater",
        "scope1": "scope 1",
        "scope12": "scope 1+2",
        "1": "scope 1",
        "2": "scope 2",
        "purchased_electricity": "purchased electricity (scope 2)",
        "purchased_heat": "purchased heat (scope 2)",
        "gdp_per_capita": "GDP per capita",
    },
    "zh": {
        "power": "电力",
        "industry": "工业",
        "construction": "建筑业",
        "transport": "交通",
        "commercial": "商业",
        "residential": "居民生活",
        "buildings": "建筑",
        "agriculture": "农业",
        "ippu": "工业过程",
        "waste": "废弃物",
        "lulucf": "土地利用",
        "electricity": "电力(外购)",
        "heat": "热力",
        "other": "其他",
        "raw_coal": "原煤",
        "coal": "煤电",
        "coke": "焦炭",
        "gasoline": "汽油",
        "kerosene": "煤油",
        "diesel": "柴油",
        "fuel_oil": "燃料油",
        "lpg": "液化石油气",
        "natural_gas": "天然气",
        "gas": "燃气",
        "biogas": "沼气",
        "wood": "薪柴",
        "other_primary_solid_biomass": "固体生物质",
        "biomass": "生物质",
        "wind": "风电",
        "solar": "光伏",
        "hydro": "水电",
        "nuclear": "核电",
        "battery": "电池储能",
        "storage": "储能",
        "grid_import": "电网购电",
        "grid_export": "电网送出",
        "wind_new": "风电(新建)",
        "solar_new": "光伏(新建)",
        "co2": "CO$_2$",
        "ch4": "CH$_4$",
        "n2o": "N$_2$O",
        "scope1": "范围一",
        "scope12": "范围一+二",
        "1": "范围一",
        "2": "范围二",
        "msw_landfilled": "垃圾填埋",
        "domestic_wastewater_bod": "生活污水",
        "furniture": "家具",
        "food": "食品",
        "building_materials": "建材",
        "load": "负荷",
        "net load": "净负荷",
        "purchased_electricity": "外购电力 (范围二)",
        "purchased_heat": "外购热力 (范围二)",
        "population": "人口",
        "gdp_per_capita": "人均GDP",
        "affluence": "人均GDP",
        "structure": "产业结构",
        "intensity": "能源强度",
        "energy_intensity": "能源强度",
        "mix": "能源结构",
        "energy_mix": "能源结构",
        "emission_factor": "排放因子",
    },
}

#: Phrases of titles and axes. Units use mathtext so they print the same in both languages.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "co2e_10k": "emissions (10$^4$ t CO$_2$e)",
        "co2e_t": "emissions (t CO$_2$e)",
        "energy_10k_tce": "energy (10$^4$ tce)",
        "mw": "capacity (MW)",
        "power_mw": "power (MW)",
        "gwh": "electricity (GWh)",
        "mwh": "energy (MWh)",
        "price_mwh": "price (CNY/MWh)",
        "price_t": "price (CNY/{unit})",
        "year": "year",
        "hour": "hour of day",
        "hours": "hours of the year (h)",
        "day": "day",
        "total": "total",
        "peak": "peak",
        "target_year": "target year",
        "probability": "probability",
        "cumulative": "cumulative probability of having peaked",
        "not_peaked": "not peaked",
        "bank": "bank",
        "floor": "floor",
        "ceiling": "ceiling",
        "allocation": "allocation",
        "emissions": "emissions",
        "net_purchase": "net purchase",
        "abatement": "abatement",
        "mac": "marginal abatement cost (CNY/{unit})",
        "load": "load",
        "net_load": "net load (load − wind − solar)",
        "runs": "run",
        "title_sector_gas": "Base-year emissions by sector and gas, {year}",
        "title_sankey": "Energy flow, fuel → sector, {year} (10$^4$ tce)",
        "title_compare_inventory": "Emissions of the runs of the batch by gas",
        "title_pathway": "Emission pathway, {view}",
        "title_compare_pathway": "Emission pathways of the runs, {view}",
        "title_fan": "Emission pathway under uncertainty, {view}",
        "title_peak_hist": "Peak year under uncertainty",
        "title_lmdi": "What changed emissions, {start} → {end} (LMDI)",
        "title_targets": "Indicators against targets",
        "title_capacity": "Installed capacity by milestone year",
        "title_generation": "Annual generation mix",
        "title_dispatch": "Dispatch on representative days, {year}",
        "title_price_heatmap": "Hourly electricity price, {year}",
        "title_duration": "Load and net-load duration curves, {year}",
        "title_market_price": "Allowance price, {market}",
        "title_firms": "Allocation and emissions per firm, {market}, {period}",
        "title_mac": "Marginal abatement cost curves, {market}, {period}",
        "title_trades": "Transaction prices in the double auction, {market}",
        "title_inventory_samples": "Total emissions across the samples of {name}",
        "status_peaked": "peaked",
        "status_plateau": "plateau",
        "status_not_peaked": "not peaked",
        "status_declining": "declining from the base year",
        "peak_of_median_path": "peak of the median path ({year})",
        "median_peak_year": "median peak year ({year})",
        "p_by_2030": "P(peak ≤ 2030) = {p:.0%}",
        "samples": "samples",
        "other_firms": "other ({n} firms)",
        "trade": "trade (in order)",
        "equilibrium": "equilibrium price",
        "mean_price": "period mean price",
        "median": "median",
        "start": "start",
        "end": "end",
        "target": "target",
        "limit": "limit",
    },
    "zh": {
        "co2e_10k": "排放量 (10$^4$ t CO$_2$e)",
        "co2e_t": "排放量 (t CO$_2$e)",
        "energy_10k_tce": "能源消费 (10$^4$ tce)",
        "mw": "装机容量 (MW)",
        "power_mw": "功率 (MW)",
        "gwh": "电量 (GWh)",
        "mwh": "电量 (MWh)",
        "price_mwh": "电价 (CNY/MWh)",
        "price_t": "价格 (CNY/{unit})",
        "year": "年份",
        "hour": "小时",
        "hours": "全年小时数 (h)",
        "day": "日",
        "total": "合计",
        "peak": "达峰",
        "target_year": "目标年",
        "probability": "概率",
        "cumulative": "已达峰累计概率",
        "not_peaked": "未达峰",
        "bank": "储存配额",
        "floor": "底价",
        "ceiling": "上限价",
        "allocation": "配额分配",
        "emissions": "排放",
        "net_purchase": "净购买",
        "abatement": "减排量",
        "mac": "边际减排成本 (CNY/{unit})",
        "load": "负荷",
        "net_load": "净负荷 (负荷 − 风电 − 光伏)",
        "runs": "情景",
        "title_sector_gas": "基准年分部门、分气体排放, {year}",
        "title_sankey": "能源流向: 品种 → 部门, {year} (10$^4$ tce)",
        "title_compare_inventory": "各情景分气体排放",
        "title_pathway": "排放路径, {view}",
        "title_compare_pathway": "各情景排放路径, {view}",
        "title_fan": "不确定性下的排放路径, {view}",
        "title_peak_hist": "不确定性下的达峰年份",
        "title_lmdi": "排放变化因素分解, {start} → {end} (LMDI)",
        "title_targets": "指标与目标",
        "title_capacity": "各规划年装机容量",
        "title_generation": "年度发电结构",
        "title_dispatch": "典型日调度, {year}",
        "title_price_heatmap": "逐时电价, {year}",
        "title_duration": "负荷与净负荷持续曲线, {year}",
        "title_market_price": "配额价格, {market}",
        "title_firms": "各企业配额与排放, {market}, {period}",
        "title_mac": "边际减排成本曲线, {market}, {period}",
        "title_trades": "双向拍卖成交价格, {market}",
        "title_inventory_samples": "{name} 各样本总排放",
        "status_peaked": "已达峰",
        "status_plateau": "平台期",
        "status_not_peaked": "未达峰",
        "status_declining": "自基年起下降",
        "peak_of_median_path": "中位路径峰值 ({year})",
        "median_peak_year": "达峰年份中位数 ({year})",
        "p_by_2030": "P(2030年前达峰) = {p:.0%}",
        "samples": "样本数",
        "other_firms": "其他 ({n} 家)",
        "trade": "成交序号",
        "equilibrium": "均衡价格",
        "mean_price": "当期均价",
        "median": "中位数",
        "start": "起点",
        "end": "终点",
        "target": "目标",
        "limit": "限值",
    },
}


class Labels:
    """Label lookup in one language: ``L("co2e_10k")`` for phrases, ``L.name(key)`` for keys."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang if lang in TEXT else "en"

    def __call__(self, key: str, **fmt: object) -> str:
        text = TEXT[self.lang].get(key) or TEXT["en"].get(key, key)
        return text.format(**fmt) if fmt else text

    def name(self, key: object) -> str:
        """Display name of a sector, fuel, technology, gas or view."""
        k = str(key)
        found = NAMES[self.lang].get(k.lower())
        if found is None and self.lang != "en":
            found = NAMES["en"].get(k.lower())
        return found if found is not None else k.replace("_", " ")


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
