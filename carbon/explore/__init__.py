"""The interactive results explorer: ``carbon explore RESULTS_DIR`` writes one self-contained
HTML file (plotly.js and the data inside; works offline from disk) where a user picks the view
(pathway, Monte Carlo fan, base-year inventory, capacity and generation, dispatch day, market), indicator,
scenarios, years and breakdown, hovers for values and downloads the numbers shown as CSV, in
English or Chinese.

>>> from carbon.explore import build_explorer
>>> build_explorer("results")              # doctest: +SKIP
PosixPath('results/explorer.html')
"""

from carbon.explore.data import explorer_data
from carbon.explore.page import build_explorer, render

__all__ = ["build_explorer", "explorer_data", "render"]
