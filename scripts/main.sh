#!/usr/bin/env bash
# Quick start, part 1: set up, run the bundled scenario batch on the default model (summary on
# the terminal, results in results/), then draw its figures into results/figures/.
# Extra arguments go to `carbon run` (e.g. --jobs 1).
source "$(dirname "$0")/setup.sh"
status=0
.venv/bin/carbon run scenarios/ -o results "$@" || status=$?
if [ -f results/summary.csv ]; then
  .venv/bin/carbon plot results -q || status=$?
fi
exit $status
