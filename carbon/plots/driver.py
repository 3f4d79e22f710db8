"""Figures of the action plan, drawn from run folders with matplotlib (never by solving again).

Each figure is a pure function that takes a run folder (or a batch's runs, or a Monte Carlo
aggregate) and returns a :class:`matplotlib.figure.Figure`:

- inventory: :func:`~carbon.plots.inventory.sector_gas_bars`, :func:`~carbon.plots.inventory.energy_sankey`,
  :func:`~carbon.plots.inventory.compare_inventory`, :func:`~carbon.plots.inventory.inventory_samples`
- pathway: :func:`~carbon.plots.pathway.pathway_areas`, :func:`~carbon.plots.pathway.compare_pathways`,
  :func:`~carbon.plots.pathway.lmdi_waterfall`, :func:`~carbon.plots.pathway.targets_dashboard`
- uncertainty: :func:`~carbon.plots.uncertainty.fan_chart`, :func:`~carbon.plots.uncertainty.peak_histogram`
- energy: :func:`~carbon.plots.energy.capacity_bars`, :func:`~carbon.plots.energy.generation_mix`,
  :func:`~carbon.plots.energy.dispatch_days`, :func:`~carbon.plots.energy.price_heatmap`,
  :func:`~carbon.plots.energy.duration_curves`
- market: :func:`~carbon.plots.market.market_price`, :func:`~carbon.plots.market.firm_positions`,
  :func:`~carbon.plots.market.mac_curves`, :func:`~carbon.plots.market.trade_prices`

:func:`figures` lists every figure a folder can give (skipping, with a note, the families whose
data is absent); :func:`plot` draws them all to files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from carbon.errors import InputError
from carbon.plots import accounts, energy, inventory, market, pathway, uncertainty
from carbon.plots.data import Aggregate, Batch, MissingData, Run, open_path, sample_group
from carbon.plots.style import use_language
from carbon.results import atomic_file, write_text_atomic

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg", "pdf")
__all__ = [
    "FigureJob",
    "MissingData",
    "PlotResult",
    "aggregate_figures",
    "batch_figures",
    "figures",
    "freeze_layout",
    "open_path",
    "parse_formats",
    "plot",
    "render",
    "run_figures",
    "save_figures",
    "use_language",
]


@dataclass
class FigureJob:
    """One figure to draw: where it goes (``group/name``), its family and how to draw it."""

    name: str
    family: str
    draw: Callable[[], Figure]
    group: str = ""
    caption: str = ""

    @property
    def stem(self) -> str:
        return f"{self.group}/{self.name}" if self.group else self.name


@dataclass
class PlotResult:
    """What :func:`plot` wrote and what it skipped (one note per skipped family or figure)."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lang: str = "en"


def run_figures(
    run: Run,
    lang: str = "en",
    group: str = "",
    same_inventory_as: str | None = None,
    year: int | None = None,
    days: Sequence[int] | None = None,
) -> tuple[list[FigureJob], list[str]]:
    """The figures of one run folder and notes on the families skipped for lack of data.

    ``same_inventory_as`` names a run of the batch whose inventory is identical: the inventory
    figures are then not drawn twice. ``year`` and ``days`` choose the milestone year of the
    energy figures and the days (of the year, 0-based) of the dispatch figure.
    """
    jobs: list[FigureJob] = []
    notes: list[str] = []
    name = run.name
    if not run.ok:
        return [], [f"{name}: skipped (run status {run.manifest.get('status')!r}: {run.manifest.get('error')})"]
    if same_inventory_as is not None:
        notes.append(f"{name}: inventory figures not repeated (the same inventory as {same_inventory_as})")
    elif (run.path / "inventory").is_dir():
        jobs += [
            FigureJob(
                "inventory_sector_gas",
                "inventory",
                partial(inventory.sector_gas_bars, run, lang),
                group,
                "Base-year emissions by sector and gas (10^4 t CO2e)",
            ),
            FigureJob(
                "inventory_energy_flow",
                "inventory",
                partial(inventory.energy_sankey, run, lang),
                group,
                "Energy flow from fuel to sector (10^4 tce)",
            ),
        ]
    else:
        notes.append(f"{name}: inventory figures skipped (no inventory/ folder)")
    if (run.path / "pathway").is_dir():
        for view in pathway.VIEWS:
            jobs.append(
                FigureJob(
                    f"pathway_{view}",
                    "pathway",
                    partial(pathway.pathway_areas, run, view, lang),
                    group,
                    f"Emission pathway by sector, {view}, with the peak (10^4 t CO2e)",
                )
            )
        jobs += [
            FigureJob(
                "pathway_lmdi",
                "pathway",
                partial(pathway.lmdi_waterfall, run, lang),
                group,
                "LMDI decomposition of the change in emissions (10^4 t CO2e)",
            ),
            FigureJob(
                "pathway_targets",
                "pathway",
                partial(pathway.targets_dashboard, run, lang),
                group,
                "Indicators against their targets",
            ),
        ]
    else:
        notes.append(f"{name}: pathway figures skipped (no pathway/ folder: the pathway stage has not run)")
    if (run.path / "energy").is_dir():
        jobs += [
            FigureJob(
                "energy_capacity",
                "energy",
                partial(energy.capacity_bars, run, lang),
                group,
                "Installed capacity by milestone year (MW)",
            ),
            FigureJob(
                "energy_generation",
                "energy",
                partial(energy.generation_mix, run, lang),
                group,
                "Annual generation mix (GWh)",
            ),
            FigureJob(
                "energy_dispatch",
                "energy",
                partial(energy.dispatch_days, run, year, days, lang),
                group,
                "Dispatch on representative days (MW)",
            ),
            FigureJob(
                "energy_price_heatmap",
                "energy",
                partial(energy.price_heatmap, run, year, lang),
                group,
                "Hourly electricity price (CNY/MWh)",
            ),
            FigureJob(
                "energy_duration",
                "energy",
                partial(energy.duration_curves, run, year, lang),
                group,
                "Load and net-load duration curves (MW)",
            ),
        ]
    else:
        notes.append(f"{name}: energy figures skipped (no energy/ folder: the scenario has no `energy:` section)")
    markets = run.markets()
    for m in markets:
        tag = f"market_{m}" if m else "market"
        jobs += [
            FigureJob(
                f"{tag}_price",
                "market",
                partial(market.market_price, run, m, lang),
                group,
                f"Allowance price, floor, ceiling and bank ({m or 'market'})",
            ),
            FigureJob(
                f"{tag}_firms",
                "market",
                partial(market.firm_positions, run, m, None, 12, lang),
                group,
                f"Allocation, emissions and net purchases per firm ({m or 'market'})",
            ),
            FigureJob(
                f"{tag}_mac",
                "market",
                partial(market.mac_curves, run, m, None, lang),
                group,
                f"Marginal abatement cost curves and the clearing price ({m or 'market'})",
            ),
        ]
        if run.has(run.market_stage(m), "trades.csv"):
            jobs.append(
                FigureJob(
                    f"{tag}_trades",
                    "market",
                    partial(market.trade_prices, run, m, lang),
                    group,
                    f"Transaction prices of agent-based trading ({m or 'market'})",
                )
            )
    if not markets:
        notes.append(f"{name}: market figures skipped (no market/ folder: the scenario has no `market:` section)")
    folder = run.path / "accounts"
    if folder.is_dir():  # carbon accounts (issue 14): a figure whose table is absent is skipped
        for stem, draw, caption in accounts.FIGURES:
            jobs.append(FigureJob(stem, "accounts", partial(draw, folder, lang), group, caption))
    return jobs, notes


def aggregate_figures(agg: Aggregate, lang: str = "en", group: str = "") -> list[FigureJob]:
    """The uncertainty figures of a Monte Carlo aggregate folder."""
    jobs = []
    if (agg.path / "bands.csv").is_file():
        for view in pathway.VIEWS:
            jobs.append(
                FigureJob(
                    f"fan_{view}",
                    "uncertainty",
                    partial(uncertainty.fan_chart, agg, view, lang),
                    group,
                    f"Percentile bands of emissions, {view} (10^4 t CO2e)",
                )
            )
    for view, _ in agg.distributions():
        jobs.append(
            FigureJob(
                f"peak_year_{view}" if view else "peak_year",
                "uncertainty",
                partial(uncertainty.peak_histogram, agg, lang, 2030, view),
                group,
                f"Probability of the peak year and of having peaked{', ' + view if view else ''}",
            )
        )
    return jobs


def _inventory_key(run: Run) -> str | None:
    """A digest of the run's inventory table (equal digests: the same inventory)."""
    import hashlib

    path = run.path / "inventory" / "emissions.csv"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def batch_figures(
    batch: Batch, lang: str = "en", year: int | None = None, days: Sequence[int] | None = None
) -> tuple[list[FigureJob], list[str]]:
    """Figures of a batch: comparison of its runs, uncertainty of its Monte Carlo scenarios and
    every figure of each run that is not a Monte Carlo sample (samples show in the aggregates)."""
    jobs: list[FigureJob] = []
    notes: list[str] = []
    ok = [r for r in batch.runs if r.ok]
    main = [r for r in ok if not r.is_sample]
    samples: dict[str, list[Run]] = {}
    for r in ok:
        if r.is_sample:
            samples.setdefault(sample_group(r.name), []).append(r)
    if len(main) >= 2:
        jobs.append(
            FigureJob(
                "compare_inventory",
                "comparison",
                partial(inventory.compare_inventory, main, lang),
                "",
                "Emissions of the runs by gas (10^4 t CO2e)",
            )
        )
    with_pathway = [r for r in ok if (r.path / "pathway" / "annual.csv").is_file() and not r.is_sample]
    if with_pathway:
        for view in pathway.VIEWS:
            jobs.append(
                FigureJob(
                    f"compare_pathway_{view}",
                    "comparison",
                    partial(pathway.compare_pathways, with_pathway, view, lang),
                    "",
                    f"Emission pathways of the runs, {view} (10^4 t CO2e)",
                )
            )
    else:
        notes.append("batch: pathway comparison skipped (no run has pathway/annual.csv)")
    for group, runs in sorted(samples.items()):
        if len(runs) >= 2:
            jobs.append(
                FigureJob(
                    f"samples_{group}",
                    "uncertainty",
                    partial(inventory.inventory_samples, runs, lang),
                    "",
                    f"Total emissions across the {len(runs)} samples of {group} (10^4 t CO2e)",
                )
            )
    for agg in batch.aggregates:
        jobs += aggregate_figures(agg, lang, group=agg.name)
    if samples and not batch.aggregates:
        notes.append(
            "batch: fan chart and peak-year histogram skipped (no Monte Carlo aggregate with bands.csv "
            "or peak_year_distribution.csv)"
        )
    per_family: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for r in main:
        key = _inventory_key(r)
        same = seen.get(key) if key else None
        if key and same is None:
            seen[key] = r.name
        j, n = run_figures(r, lang, group=r.name, same_inventory_as=same, year=year, days=days)
        jobs += j
        for note in n:
            name, _, text = note.partition(": ")
            per_family.setdefault(text, []).append(name)
    for text, names in per_family.items():
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        notes.append(f"{len(names)} run(s): {text}: {shown}")
    failed = [r.name for r in batch.runs if not r.ok]
    if failed:
        notes.append(f"batch: {len(failed)} failed run(s) left out: {', '.join(failed[:10])}")
    return jobs, notes


def figures(
    path: str | Path | Run | Batch | Aggregate,
    lang: str = "en",
    year: int | None = None,
    days: Sequence[int] | None = None,
) -> tuple[list[FigureJob], list[str]]:
    """Every figure a run folder, batch or aggregate can give, and notes on what is skipped.

    ``year`` and ``days`` choose the milestone year of the hourly energy figures and the days
    of the dispatch figure (default: the peak target year when it is a milestone, else the
    first; the days of highest and lowest net load).
    """
    obj = open_path(path) if isinstance(path, (str, Path)) else path
    if isinstance(obj, Run):
        return run_figures(obj, lang, year=year, days=days)
    if isinstance(obj, Aggregate):
        return aggregate_figures(obj, lang), []
    return batch_figures(obj, lang, year=year, days=days)


def render(jobs: Sequence[FigureJob]) -> Iterator[tuple[FigureJob, Figure | None, str | None]]:
    """Draw each job: yields ``(job, figure, None)`` or ``(job, None, note)`` when its data is
    missing; the caller closes the figures."""
    for job in jobs:
        try:
            yield job, job.draw(), None
        except MissingData as exc:
            yield job, None, f"{job.stem}: skipped ({exc.message})"


def freeze_layout(fig) -> None:
    """Run the layout engine once, without drawing, and remove it, so that each save draws the
    figure once with the positions the layout gave (the same pixels).

    Setting the engine to ``"none"`` instead would leave a placeholder engine, for which
    matplotlib's ``savefig`` draws the figure a second time before the real draw.
    """
    import matplotlib

    engine = fig.get_layout_engine()
    if engine is None:
        return
    if fig.axes:  # what Figure.draw does first; the draw itself is left to the save
        engine.execute(fig)
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)


def _save(fig, path: Path, fmt: str) -> None:
    freeze_layout(fig)
    kwargs = {"metadata": {"Software": None}, "pil_kwargs": {"compress_level": 2}} if fmt == "png" else {}
    with atomic_file(path, suffix=f".{fmt}") as tmp:
        fig.savefig(tmp, format=fmt, **kwargs)


def parse_formats(text: str | Sequence[str]) -> list[str]:
    """``"png,svg"`` -> ``["png", "svg"]``; :class:`InputError` on an unknown format."""
    items = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else text) if f.strip()]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise InputError(
            "unknown figure format", key="--format", expected=", ".join(FORMATS), found=", ".join(bad) or "nothing"
        )
    return items


def save_figures(
    jobs: Sequence[FigureJob], out_dir: Path, formats: Sequence[str], lang: str
) -> tuple[list[Path], list[str]]:
    """Draw each job and save it as ``<out_dir>/<job.stem>.<format>`` in each format (in a worker
    process or in this one); returns the files written and a note per figure skipped for lack
    of data."""
    import matplotlib.pyplot as plt

    use_language(lang)
    files: list[Path] = []
    notes: list[str] = []
    for job, fig, note in render(jobs):
        if fig is None:
            notes.append(note or f"{job.stem}: skipped")
            continue
        try:
            for fmt in formats:
                target = out_dir / f"{job.stem}.{fmt}"
                _save(fig, target, fmt)
                files.append(target)
        finally:
            plt.close(fig)
    return files, notes


def _groups(jobs: Sequence[FigureJob], size: int = 3) -> list[list[FigureJob]]:
    """Chunks of at most ``size`` figures of the same group (a run's tables are read once per
    chunk); many small chunks keep the workers evenly busy."""
    by_group: dict[str, list[FigureJob]] = {}
    for job in jobs:
        by_group.setdefault(job.group, []).append(job)
    chunks = [group[i : i + size] for group in by_group.values() for i in range(0, len(group), size)]
    return sorted(chunks, key=len, reverse=True)


def plot(
    path: str | Path,
    out: str | Path | None = None,
    formats: str | Sequence[str] = ("png",),
    lang: str = "en",
    log: Callable[[str], None] | None = None,
    jobs: int | None = None,
    year: int | None = None,
    days: Sequence[int] | None = None,
) -> PlotResult:
    """Draw every figure of a run folder, batch or Monte Carlo aggregate to files.

    Parameters
    ----------
    path
        A run folder, a results folder of ``carbon run`` or an aggregate folder.
    out
        Folder for the figures (default ``<path>/figures``); a batch's run figures go to
        ``<out>/<run>/``.
    formats
        ``png``, ``svg`` and/or ``pdf`` (list or comma-separated).
    lang
        ``en`` or ``zh`` (Chinese needs a CJK font; without one English is used and a note says
        how to install one).
    log
        Called with one line per file written and per note.
    jobs
        Worker processes (default: the number of cores; 1 draws in this process).
    year, days
        Milestone year of the hourly energy figures and days of the year (0-based) of the
        dispatch figure (default: the peak target year when it is a milestone, else the first;
        the days of highest and lowest net load).

    Returns
    -------
    PlotResult
        Files written and notes on what was skipped.
    """
    formats = parse_formats(formats)
    used, message = use_language(lang)
    result = PlotResult(lang=used)
    say = log or (lambda _line: None)
    if message:
        result.notes.append(message)
        say(f"note: {message}")
    base = Path(path)
    todo, notes = figures(base, used, year=year, days=days)
    out_dir = Path(out) if out is not None else base / "figures"
    for note in notes:
        result.notes.append(note)
        say(f"note: {note}")
    workers = min(jobs or os.cpu_count() or 1, max(1, len(todo) // 4))
    chunks = _groups(todo)
    if workers > 1 and len(chunks) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            outcomes = list(
                pool.map(save_figures, chunks, [out_dir] * len(chunks), [formats] * len(chunks), [used] * len(chunks))
            )
    else:
        outcomes = [save_figures(c, out_dir, formats, used) for c in chunks]
    order = {job.stem: i for i, job in enumerate(todo)}
    files = sorted(
        (f for fs, _ in outcomes for f in fs),
        key=lambda f: (order.get(str(f.relative_to(out_dir).with_suffix("")), 0), f.suffix),
    )
    for f in files:
        say(f"wrote {f}")
    result.files = files
    for _, ns in outcomes:
        for note in ns:
            result.notes.append(note)
            say(f"note: {note}")
    if result.notes:
        write_text_atomic(out_dir / "skipped.txt", "\n".join(result.notes) + "\n")
    return result
