"""Pausing Python's cyclic garbage collector while wm builds large, long-lived, acyclic data.

Loading an index, a history or a site's record makes hundreds of thousands
of small objects, none of them cyclic garbage. Each full collection walks
every object alive, so with the collector running, loading 10,000
documents paid for several walks over everything already loaded (about a
second per site rebuild at that size). `paused()` turns it off while such
data is built and then freezes what exists (`gc.freeze`): later
collections, and forked workers, no longer walk it. Reference counting
still frees everything that is not part of a cycle. `no_full_collections()`
keeps the collector to its young generations while many objects are made
after such a freeze (the site's pages).
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


@contextmanager
def no_full_collections() -> Iterator[None]:
    """No full (oldest generation) collection inside (the site's pages stage), here and in processes forked inside.

    After `gc.freeze` the oldest generation counts as nearly empty, so the
    collector ran a full collection whenever the objects that had lived
    through two younger ones since grew by a quarter of it (page models
    waiting for their range to be rendered, the feeds' events): at 2,000
    documents three in this process, 0.1 s in all, which freed 2,600 objects. Young
    collections, which free nearly all cyclic garbage, still run. At the
    end what was made inside is frozen too, as `paused` freezes what it
    made (a server unfreezes it after each build), and the thresholds are
    put back: else the first full collection, due by then, walked it all.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], 1_000_000)
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(*thresholds)
