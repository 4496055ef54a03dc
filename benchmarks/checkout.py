"""How the benchmarks start `wm`: always this checkout's package, whichever folder a script is run from.

A child started as `python -c` or `python -m` puts its working folder first on
`sys.path`, so from another checkout's folder it would import that version.
Children therefore run with `PYTHON` (the interpreter with `-P`, which leaves
the working folder off `sys.path`) and `child_env()` (this checkout first on
`PYTHONPATH`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = [sys.executable, "-P"]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a benchmark's child: this process's, with this checkout first on `PYTHONPATH`, and `extra`."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}
