"""Reading a whole period into memory without the cyclic garbage collector in the way.

A period is read back whole for the pattern rules, the report and the worklist: a million
episodes are tens of millions of objects. Python's cyclic collector scans the older objects
again each time enough new ones have survived, so loading slows down as memory fills, for
nothing (episodes and findings hold no reference cycles; reference counting frees them).
`paused_gc()` switches the collector off while such a period is built and used, and back on
(if it was on) afterwards.
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
