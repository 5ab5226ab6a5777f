"""The time limit of the read at hand, checked between steps of the work.

A read runs on a worker thread that cannot be interrupted from outside, so the work itself looks at
its deadline at safe points (before each store query, every thousand rows, every thousand nodes a
path search expands) and raises :class:`OverBudget` there: a request over its time limit is abandoned
at the next check instead of running on for nobody. The deadline is a context variable, so a thread
that runs no budgeted read (a background rebuild, a script, a test) never sees one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

__all__ = ["OverBudget", "check", "paused", "within"]

_DEADLINE: Final[ContextVar[float | None]] = ContextVar("regkg_read_deadline", default=None)


class OverBudget(Exception):
    """The read went past its time limit; the route answers 503."""


def check() -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise OverBudget


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Run the body under a limit of ``seconds`` (None or 0: none)."""
    token = _DEADLINE.set(time.monotonic() + seconds if seconds else None)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


@contextmanager
def paused() -> Iterator[None]:
    """The body (building, or waiting for, a structure shared by every later request: the search
    index, the graph index, the entity graph) runs with no limit and is not charged to the request:
    its deadline moves on by the time the body took. Cut at one request's limit, a build of a large
    graph would never finish; charged to it, the first requests after a start or a write would 503."""
    outer = _DEADLINE.get()
    started = time.monotonic()
    token = _DEADLINE.set(None)
    try:
        yield
    finally:
        _DEADLINE.reset(token)
        if outer is not None:
            _DEADLINE.set(outer + time.monotonic() - started)
