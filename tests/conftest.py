"""Shared fixtures: paths of the repo and a small activity table."""

import logging
from pathlib import Path

import pandas as pd
import pytest

# The command line keeps text columns as Python strings (carbon.cli.python_text_storage). The
# tests call it in-process: the whole test process uses that storage, so that a table one test
# caches (a factor set, the GWP table) and one the next test makes have the same storage.
# tests/test_cli.py checks that pandas' default storage writes the same files.
pd.set_option("mode.string_storage", "python")

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lankao"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _restore_logging():
    """``main`` configures the ``carbon`` logger; put it back as it was after each test."""
    logger = logging.getLogger("carbon")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers
