"""Building large long-lived structures (the search index, the entity graph for paths) without
stalling the event loop.

CPython's cyclic collector stops every thread while it walks the objects it tracks: while the
search index of the 1M-triple graph was built, six full collections took 92-367 ms each, the last
one the explicit ``gc.collect()`` after the build (bench/results/search-index-loop.md). So the collector is off
while a build runs, and what exists when it ends is frozen (``gc.freeze``: moved out of the
collector's sight for good, as the engine processes do; DESIGN §9). Builds on several threads at
once share one switch: the collector comes back on when the last of them ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["long_lived"]

_lock = threading.Lock()
_building = 0


@contextmanager
def long_lived() -> Iterator[None]:
    """Run the ``with`` block (a build) with the cyclic collector off; freeze what exists after it."""
    global _building
    with _lock:
        _building += 1
        if _building == 1:
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            gc.freeze()
            _building -= 1
            if _building == 0:
                gc.enable()
