#!/usr/bin/env bash
# Quick start, part 1: set up and run the bundled scenario batch on the default model.
# Extra arguments go to `carbon run` (e.g. --jobs 1, -o DIR).
source "$(dirname "$0")/setup.sh"
exec .venv/bin/carbon run scenarios/ "$@"
