#!/usr/bin/env bash
# Quick start, part 2: set up and run the whole test suite. Extra arguments go to pytest.
source "$(dirname "$0")/setup.sh"
exec .venv/bin/python -m pytest "$@"
