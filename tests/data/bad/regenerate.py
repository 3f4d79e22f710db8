"""Rewrite every <case>.expected from what the CLI prints now (review the diff before committing).

    python tests/data/bad/regenerate.py
"""

import contextlib
import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))

from test_bad_inputs import CASES

from carbon.cli import main

os.chdir(HERE)
for case, argv in sorted(CASES.items()):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    assert code == 2, (case, code)
    (HERE / f"{case}.expected").write_text(err.getvalue(), encoding="utf-8")
