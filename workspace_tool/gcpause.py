"""Pausing Python's cyclic garbage collector while wm builds large, long-lived, acyclic data.

Loading an index, a history or a site's record makes hundreds of thousands
of small objects, none of them cyclic garbage. Each full collection walks
every object alive, so with the collector running, loading 10,000
documents paid for several walks over everything already loaded (about a
second per site rebuild at that size). `paused()` turns it off while such
data is built and then freezes what exists (`gc.freeze`): later
collections, and forked workers, no longer walk it. Reference counting
still frees everything that is not part of a cycle.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused(freeze: bool = True) -> Iterator[None]:
    """No cyclic collection inside; afterwards, what exists is frozen out of the collector's generations.

    Long-running processes (`wm watch`) pass `freeze=False`: what a frozen
    cycle holds is never collected, and they read the workspace again and again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
