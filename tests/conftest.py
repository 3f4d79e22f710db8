"""Shared fixtures: paths of the repo and a small activity table."""

import logging
from pathlib import Path

import pytest

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
