"""Bulk work without the cyclic garbage collector's full collections in the way.

A period is read back whole for the pattern rules, the report and the worklist: a million
episodes are tens of millions of objects. Python's cyclic collector scans all older objects
again each time enough new ones have survived, so loading slows down as memory fills, for
nothing (episodes and findings hold no reference cycles; reference counting frees them). An
import holds little, but the same full collections rescan the code lists (millions of
objects) over and over: about a third of its time.

`paused_gc()` switches the collector off for such a block and back on (if it was on)
afterwards. Long blocks call `gc.collect(1)` now and then (after each import batch, every
20,000 episodes read), which frees young cyclic garbage without touching the old objects.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for the block; reference counting still frees."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
