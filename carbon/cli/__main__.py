"""``python -m carbon.cli``: the ``carbon`` command."""

import sys

from carbon.cli import main

sys.exit(main())
