"""The process's memory and glibc's allocator, in one place.

glibc keeps what a process frees for its own reuse, per thread arena, and gives little of it back
to the system. A service that now and then builds something the size of the graph (a full
recompute of the inferred graph copies the whole store) would hold that much for good. So:
fewer arenas (:func:`few_arenas`, at start) and an explicit return after such work
(:func:`give_back`). On a system without glibc both do nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os

__all__ = ["few_arenas", "give_back"]

#: glibc malloc arenas per process (MALLOC_ARENA_MAX, when the environment does not set it).
ARENAS = 2
_M_ARENA_MAX = -8


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def few_arenas() -> None:
    """Two malloc arenas for this process and the engines it starts.

    A write runs on a worker thread and allocates in Rust (pyoxigraph's scratch stores) and in
    rdflib (SHACL); with glibc's default (8 per core) the web process grew by about 12 MB per 30
    writes and kept it, the zygote and engines by 10-16 MB; with two, 1-5 MB. The variable reaches
    the engines (new interpreters read it at start); ``mallopt`` sets it here."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    os.environ["MALLOC_ARENA_MAX"] = str(ARENAS)
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(AttributeError):
            libc.mallopt(_M_ARENA_MAX, ARENAS)


def give_back() -> None:
    """Return freed memory to the system (``malloc_trim``: a few milliseconds). After a start that
    loaded changed data files, whose full recompute copied the 1M-quad graph, the web process
    held 1.2 GB; given back, about 0.25 GB."""
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(AttributeError):
            libc.malloc_trim(0)
